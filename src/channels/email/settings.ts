import os from 'node:os';

/** E-mail channel settings, from the environment (defaults suit a single-node install). */
export interface EmailSettings {
  /** Largest message the SMTP server takes (bytes); bigger ones get 552. */
  maxBytes: number;
  /** Recipients per message; extra RCPT TO get 452. */
  maxRecipients: number;
  /** Mail to an address no store claims goes to the default store (true) or is refused (false). */
  acceptUnclaimed: boolean;
  /** Largest attachment whose content is kept (bytes); bigger ones keep their metadata only. */
  maxAttachmentBytes: number;
  /** Messages per sender per hour that open tickets before the rest are recorded as a loop (0 = no limit). */
  floodLimitPerHour: number;
  /** Outbound relay, e.g. smtp://127.0.0.1:2526; unset = outbound e-mail off. */
  relayUrl?: string;
  /** Sender address when a store has no support e-mail. */
  fromFallback: string;
  /** Right-hand side of the Message-IDs we generate when the store address gives none. */
  messageIdDomain: string;
}

function num(v: string | undefined, fallback: number, name: string): number {
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got "${v}"`);
  return Math.floor(n);
}

export function emailSettings(env: NodeJS.ProcessEnv = process.env): EmailSettings {
  const host = os.hostname().includes('.') ? os.hostname() : `${os.hostname() || 'crossdesk'}.localdomain`;
  const unclaimed = (env.EMAIL_ACCEPT_UNCLAIMED ?? 'true').toLowerCase();
  return {
    maxBytes: num(env.EMAIL_MAX_BYTES, 25 * 1024 * 1024, 'EMAIL_MAX_BYTES'),
    maxRecipients: num(env.EMAIL_MAX_RECIPIENTS, 100, 'EMAIL_MAX_RECIPIENTS'),
    acceptUnclaimed: !['0', 'false', 'no', 'off'].includes(unclaimed),
    maxAttachmentBytes: num(env.EMAIL_MAX_ATTACHMENT_BYTES, 20 * 1024 * 1024, 'EMAIL_MAX_ATTACHMENT_BYTES'),
    floodLimitPerHour: num(env.EMAIL_FLOOD_LIMIT, 60, 'EMAIL_FLOOD_LIMIT'),
    relayUrl: env.SMTP_RELAY_URL || undefined,
    fromFallback: env.EMAIL_FROM || `support@${host}`,
    messageIdDomain: env.EMAIL_DOMAIN || host,
  };
}
