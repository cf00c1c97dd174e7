import type { TFunction } from 'i18next';
import i18n from 'i18next';
import { ApiError } from '../api/client.ts';

const LOCALISED = new Set([
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'version_conflict',
  'invalid_transition',
  'rate_limited',
  'csrf_failed',
  'payload_too_large',
  'internal',
]);

/**
 * The message to show for a failed call. The server writes its messages in English: the
 * English interface shows them as they are (they are the most specific); the Chinese one
 * shows its own wording for the well-known codes and the server's message otherwise.
 */
export function errorText(error: unknown, t: TFunction): string {
  if (error instanceof ApiError) {
    if (error.status === 0) return t('errors.network');
    if (LOCALISED.has(error.code) && !i18n.language.startsWith('en')) return t(`errors.${error.code}`);
    return error.message;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}
