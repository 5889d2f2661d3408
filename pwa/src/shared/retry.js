// When the outbox tries again, and what a refusal asks of the user. Pure, so it is tested in
// Node; sync.js applies it.
import { ApiError, NetworkError } from './api.js';

export const FIRST_RETRY_MS = 1000;
export const MAX_BACKOFF_MS = 5 * 60 * 1000;

/** Delay before retry number `attempt` (1, 2, …): 1 s doubling, at most 5 min. */
export const backoffDelay = (attempt) => Math.min(FIRST_RETRY_MS * 2 ** (attempt - 1), MAX_BACKOFF_MS);

/**
 * Errors worth retrying as they are: no answer, a server or proxy in trouble, rate limiting, or
 * an expired login (it comes back after the next login). Anything else is the server's verdict.
 */
export const isTransient = (error) => error instanceof NetworkError
  || (error instanceof ApiError && (error.status >= 500 || error.status === 408 || error.status === 429
    || error.status === 401));

// Refusals the inspector can fix on the phone by reopening the record (and signing again).
const FIXABLE_ON_THE_PHONE = new Set(['record.invalid_answers', 'record.seal_mismatch',
  'upload.not_an_image', 'upload.hash_mismatch', 'local.blob_missing', 'upload.too_large',
  'upload.too_many_pixels', 'record.stale_revision']);

/** What the user is told to do about a refused record: an i18n key. */
export const refusalAction = (code) => (FIXABLE_ON_THE_PHONE.has(code) ? 'action_reopen' : 'action_contact');
