// Unsent reply drafts per ticket and mode: they survive moving between tickets (j / k) in
// this tab, and other panes (suggested replies) can put text into them.
export const drafts = new Map<string, string>();
export const draftListeners = new Set<() => void>();

/** Puts text (a suggested reply) into the ticket's reply draft, replacing what was there. */
export function insertIntoReply(ticketId: string, text: string): void {
  drafts.set(`${ticketId}:reply`, text);
  for (const l of draftListeners) l();
  document.getElementById('reply-body')?.focus();
}
