/**
 * Text helpers of the tau2 customer: the dataset writes the user's instructions in the second
 * person ("You received your order… If the agent asks…"); the scripted customer speaks them in
 * the first person, without the stage directions meant for the simulator.
 */

/** Splits prose into sentences (keeps the end punctuation). */
export function sentencesOf(text: string): string[] {
  return text
    .replace(/\s+/g, ' ')
    .split(/(?<=[.!?])\s+(?=[A-Z("'#0-9])/)
    .map((s) => s.trim())
    .filter((s) => s.length > 1 && /[A-Za-z0-9]/.test(s));
}

/** Stage directions for the simulated user, not things a customer says. */
const META_START =
  /^(?:if|when|once|after|unless|but if|make sure|do not|don't|never|be |ask |insist|mention|provide|respond|reply|tell |say |you (?:are|'re) not familiar|you randomly|as you are interacting|try to|note|only if|you never want|you only want to modify|at the end of the day)\b/i;
/** Sentences that only say how to behave (not what the customer wants). */
const META_ANYWHERE = /\b(?:do not (?:share|reveal) this|don't (?:share|reveal) this|the agent (?:asks|says|tells|proposes|mentions|cannot|can't))\b/i;

/** A parenthetical meant for the simulator ("(but do not reveal it to the agent)"). */
const META_PAREN = /\((?:[^()]*\b(?:agent|reveal|share|mention)\b[^()]*)\)/gi;

/** The sentences of a reason for calling that state what the customer wants (no stage directions). */
export function requestSentences(reason: string): string[] {
  return sentencesOf(reason.replace(/^\s*\.\s*/, ''))
    .filter((s) => !META_START.test(s) && !META_ANYWHERE.test(s))
    .map((s) => s.replace(META_PAREN, '').replace(/\s+([,.!?])/g, '$1').replace(/\s{2,}/g, ' ').trim())
    .filter((s) => s.length > 3);
}

/** Conditional sentences ("If there is no …, you'd go for …"): revealed when the situation arises. */
export function conditionalSentences(reason: string): string[] {
  return sentencesOf(reason).filter((s) => /^(?:if|but if)\b/i.test(s) && !/\bthe agent asks\b/i.test(s) && !META_ANYWHERE.test(s));
}

const AGENT = '\u0001';

/**
 * Second person → first person: "You received your order and wish…" → "I received my order and
 * wish…"; "the agent" → "you". A heuristic good enough for the dataset's plain sentences.
 */
export function firstPerson(text: string): string {
  let s = ` ${text} `;
  s = s.replace(/\bthe (?:customer service |customer support )?agent\b/gi, AGENT);
  s = s.replace(/\byou are\b/gi, (m) => (m[0] === 'Y' ? 'I am' : 'I am'));
  s = s.replace(/\byou were\b/gi, 'I was');
  s = s.replace(/\byou're\b/gi, "I'm");
  s = s.replace(/\byou've\b/gi, "I've");
  s = s.replace(/\byou'd\b/gi, "I'd");
  s = s.replace(/\byou'll\b/gi, "I'll");
  s = s.replace(/\byourself\b/gi, 'myself');
  s = s.replace(/\byours\b/gi, 'mine');
  s = s.replace(/\byour\b/gi, 'my');
  // "you name is" (a typo in the dataset) → "my name is"
  s = s.replace(/\byou (name|email|zip)\b/gi, 'my $1');
  s = s.replace(/\b(to|for|with|tell|ask|asks|give|help|send|at|from|let|make|call|contact|email) you\b/gi, '$1 me');
  s = s.replace(/\byou\b/gi, 'I');
  s = s.replace(new RegExp(AGENT, 'g'), 'you');
  // agreement after the swap
  s = s.replace(/\bI (has|does|wants|needs|wishes|is)\b/g, (_m, v: string) => `I ${{ has: 'have', does: 'do', wants: 'want', needs: 'need', wishes: 'wish', is: 'am' }[v] ?? v}`);
  s = s.replace(/\byou (?:am)\b/g, 'you are');
  s = s.trim();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Lower-case words of 3+ letters, without the commonest words: for relevance between two texts. */
const STOP = new Set(
  'the and you your for with that this have want would like from are was were can could will what which when how about also just they them there then than into order orders item items please thank thanks'.split(
    ' ',
  ),
);
export function keywords(text: string): Set<string> {
  const out = new Set<string>();
  for (const w of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
    if (w.length < 3 || STOP.has(w)) continue;
    out.add(w.length > 4 && w.endsWith('s') ? w.slice(0, -1) : w);
  }
  return out;
}

/** Numbers in a text as values ("$1,131.50" → 1131.5). */
export function numbersIn(text: string): number[] {
  return (text.match(/\d[\d,]*(?:\.\d+)?/g) ?? []).map((n) => Number(n.replace(/,/g, ''))).filter((n) => Number.isFinite(n));
}

/** Lower-case, punctuation folded to spaces: "Google-Home!" → "google home". */
export function fold(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, ' ')
    .replace(/\.(?!\d)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

