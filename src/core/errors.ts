/**
 * Typed errors with stable codes. Domain code throws these; the HTTP error handler maps
 * them to `{"error":{"code","message","details"?}}` with the matching status, and the CLI
 * prints the message without a stack trace.
 */
export type ErrorCode =
  | 'validation_failed'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'invalid_transition'
  | 'gone'
  /** A ticket is being solved with required playbook steps open (and no reason given). */
  | 'playbook_incomplete'
  /** An edit named a version that is no longer the current one (someone saved in between). */
  | 'version_conflict'
  | 'payload_too_large'
  | 'rate_limited'
  | 'csrf_failed'
  | 'unsupported_media_type'
  | 'internal';

const STATUS: Record<ErrorCode, number> = {
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  invalid_transition: 409,
  gone: 410,
  playbook_incomplete: 409,
  version_conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  csrf_failed: 403,
  internal: 500,
};

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details?: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = STATUS[code];
    this.details = details;
  }
}

export const validationError = (message: string, details?: unknown) => new AppError('validation_failed', message, details);
export const notFound = (what: string, id?: string) =>
  new AppError('not_found', id ? `${what} ${id} was not found` : `${what} was not found`);
export const forbidden = (message = 'You do not have permission to do this') => new AppError('forbidden', message);
export const unauthorized = (message = 'Authentication required') => new AppError('unauthorized', message);
export const conflict = (message: string, details?: unknown) => new AppError('conflict', message, details);

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
