export type TranslationErrorCode =
  | 'no_provider'
  | 'not_configured'
  | 'unsupported_language'
  | 'text_too_long'
  | 'auth_failed'
  | 'rate_limited'
  | 'quota_exceeded'
  | 'timeout'
  | 'network'
  | 'bad_request'
  | 'bad_response'
  | 'provider_error';

export interface TranslationErrorInfo {
  provider?: string;
  /** HTTP status of the provider's answer, when there was one. */
  status?: number;
  /** Seconds to wait before trying again ('rate_limited'). */
  retryAfter?: number;
  /** Languages involved (ISO 639-1), so the UI can name them in its own language. */
  from?: string;
  to?: string;
  cause?: unknown;
}

/**
 * Every translation failure. The message is written for the agent or admin who reads it
 * (what failed, why, what to do); `code` is stable for the UI and the API.
 */
export class TranslationError extends Error {
  readonly code: TranslationErrorCode;
  readonly provider?: string;
  readonly status?: number;
  readonly retryAfter?: number;
  readonly from?: string;
  readonly to?: string;

  constructor(code: TranslationErrorCode, message: string, info: TranslationErrorInfo = {}) {
    super(message, info.cause === undefined ? undefined : { cause: info.cause });
    this.name = 'TranslationError';
    this.code = code;
    this.provider = info.provider;
    this.status = info.status;
    this.retryAfter = info.retryAfter;
    this.from = info.from;
    this.to = info.to;
  }
}

export function isTranslationError(e: unknown): e is TranslationError {
  return e instanceof TranslationError;
}
