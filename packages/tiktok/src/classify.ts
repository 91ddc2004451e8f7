import { scrubSecrets } from '@shoptok/logger';
import {
  TikTokAuthError,
  type TikTokError,
  TikTokInvalidInputError,
  TikTokRateLimitError,
  TikTokTransientError,
  type TikTokErrorDetails,
} from './errors.js';

/** Code for an expired access token: the client refreshes once and retries once. */
export const EXPIRED_TOKEN_CODE = 105002;
export const RATE_LIMITED_CODE = 36009002;

// Platform codes that mean "try again" (API-FACTS §3 and the per-endpoint tables: internal
// error, request timeout, "System process error, please try again later", "System timeout").
const TRANSIENT_CODES = new Set([
  36009003, 36009007, 12001000, 11001027, 11001031, 11006005, 11006026, 21001003, 21001008, 21001011, 21001043, 21001055,
  21008300, 21022029, 21022030, 21042001, 21042076,
]);

// Auth/config codes and the setting a person has to fix for each (API-FACTS §3).
const AUTH_CODES = new Map<number, string>([
  [36009004, 'appKey, access token or shopCipher (TikTok says: invalid credentials, timestamp or an unexpected identifier)'],
  [106001, 'appSecret (the request signature was refused)'],
  [105005, 'the app scopes in TikTok Partner Center (the app is not authorized for this API)'],
  [106013, 'shopCipher (this API needs the shop cipher)'],
  [101000, 'access token or shopCipher (they do not belong to the same shop)'],
  [36009033, "the app's IP allow list in TikTok Partner Center"],
  [36004001, 'refresh token (expired: re-authorize the shop in TikTok Shop)'],
  [36004005, 'refresh token (TikTok has no record of this authorization: re-authorize the shop)'],
]);

// Fallback wait when TikTok throttles us and says nothing about how long (no Retry-After in the facts).
const DEFAULT_RATE_LIMIT_WAIT_MS = 1_000;

/** Turns a non-success answer into the typed error a worker acts on. */
export function errorForCode(code: number, message: string, details: TikTokErrorDetails, retryAfterMs?: number): TikTokError {
  const tiktokMessage = scrubSecrets(message);
  const where = `${details.operation ?? 'TikTok call'} (code ${code}, request_id ${details.requestId ?? 'none'})`;
  if (code === RATE_LIMITED_CODE || details.httpStatus === 429) {
    return new TikTokRateLimitError(
      `TikTok rate limit hit on ${where}; wait before calling again.`,
      retryAfterMs ?? DEFAULT_RATE_LIMIT_WAIT_MS,
      details,
    );
  }
  const setting = AUTH_CODES.get(code);
  if (setting !== undefined) {
    return new TikTokAuthError(
      `TikTok refused the credentials on ${where}: check ${setting}. TikTok says: ${tiktokMessage}`,
      setting,
      details,
    );
  }
  if (code === EXPIRED_TOKEN_CODE) {
    return new TikTokAuthError(
      `TikTok still calls the access token expired after a refresh on ${where}: re-authorize the shop.`,
      'access token',
      details,
    );
  }
  if (TRANSIENT_CODES.has(code) || (details.httpStatus !== undefined && details.httpStatus >= 500)) {
    return new TikTokTransientError(`TikTok had a temporary failure on ${where}: ${tiktokMessage}`, details);
  }
  // Everything else is a business refusal of this input: retrying the same request cannot help.
  return new TikTokInvalidInputError(`TikTok refused the request on ${where}: ${tiktokMessage}`, tiktokMessage, details);
}
