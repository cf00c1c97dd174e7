/** Limits of the public chat widget endpoints (fixed windows, counted in the database). */
export interface RateRule {
  limit: number;
  windowMs: number;
}

export interface ChatLimits {
  /** New conversations per client address. */
  createPerIp: RateRule;
  /** Visitor messages per client address (all visitors behind it). */
  messagesPerIp: RateRule;
  /** Messages per visitor. */
  messagesPerVisitor: RateRule;
  /** Typing signals per visitor (the widget sends at most one every 3 s). */
  typingPerVisitor: RateRule;
  /** Reads (config, message lists, websocket connects) per client address. */
  readsPerIp: RateRule;
}

export interface ChatOptions {
  limits?: Partial<ChatLimits>;
  /** How long "is an agent online" is remembered per store on a node (ms); 0 = ask every time. */
  presenceCacheMs?: number;
}

export const MAX_TEXT = 5_000;
export const MAX_NAME = 100;

export const DEFAULT_LIMITS: ChatLimits = {
  createPerIp: { limit: 10, windowMs: 10 * 60_000 },
  messagesPerIp: { limit: 120, windowMs: 60_000 },
  messagesPerVisitor: { limit: 20, windowMs: 60_000 },
  typingPerVisitor: { limit: 40, windowMs: 60_000 },
  readsPerIp: { limit: 240, windowMs: 60_000 },
};

export function chatLimits(over: Partial<ChatLimits> = {}): ChatLimits {
  return { ...DEFAULT_LIMITS, ...over };
}
