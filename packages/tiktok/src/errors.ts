/**
 * The errors a worker acts on. Every class has `name` and `retryable`; rate limiting adds
 * `retryAfterMs`. All carry TikTok's `code` and `requestId` when the API gave them.
 * Messages say what to fix and never contain a token, secret or signature.
 */

export interface TikTokErrorDetails {
  code?: number;
  requestId?: string;
  httpStatus?: number;
  /** The API operation, e.g. `POST /product/202309/products`. */
  operation?: string;
}

/** Base class: anything the TikTok client throws. */
export class TikTokError extends Error {
  override name = 'TikTokError';
  readonly retryable: boolean = false;
  readonly code: number | undefined;
  readonly requestId: string | undefined;
  readonly httpStatus: number | undefined;
  readonly operation: string | undefined;

  constructor(message: string, details: TikTokErrorDetails = {}) {
    super(message);
    this.code = details.code;
    this.requestId = details.requestId;
    this.httpStatus = details.httpStatus;
    this.operation = details.operation;
  }
}

/** HTTP 429 / 36009002, or our own pacing could not get a slot in time: pause, do not spend an attempt. */
export class TikTokRateLimitError extends TikTokError {
  override name = 'TikTokRateLimitError';
  override readonly retryable = true;
  readonly retryAfterMs: number;

  constructor(message: string, retryAfterMs: number, details: TikTokErrorDetails = {}) {
    super(message, details);
    this.retryAfterMs = retryAfterMs;
  }
}

/** Credentials or configuration are wrong (bad sign, key, cipher, scope, dead refresh token): a person must fix a setting. */
export class TikTokAuthError extends TikTokError {
  override name = 'TikTokAuthError';
  override readonly retryable = false;
  /** The setting to fix, e.g. `appSecret`, `shopCipher`, `refresh token (re-authorize the shop)`. */
  readonly setting: string;

  constructor(message: string, setting: string, details: TikTokErrorDetails = {}) {
    super(message, details);
    this.setting = setting;
  }
}

/** TikTok refused the input (product business codes and the like): retrying the same request cannot help. */
export class TikTokInvalidInputError extends TikTokError {
  override name = 'TikTokInvalidInputError';
  override readonly retryable = false;
  /** TikTok's own message, kept verbatim for the merchant. */
  readonly tiktokMessage: string;

  constructor(message: string, tiktokMessage: string, details: TikTokErrorDetails = {}) {
    super(message, details);
    this.tiktokMessage = tiktokMessage;
  }
}

/** 5xx, 36009003, 36009007, timeouts, network errors, unreadable bodies: try again later. */
export class TikTokTransientError extends TikTokError {
  override name = 'TikTokTransientError';
  override readonly retryable = true;
}

/** A `code: 0` answer whose `data` does not have the shape we rely on: our schema or the API changed. */
export class TikTokResponseShapeError extends TikTokError {
  override name = 'TikTokResponseShapeError';
  override readonly retryable = false;
}

/** One failed item of a batch call answered with `code: 0` (e.g. one SKU of an inventory update). */
export interface TikTokItemError {
  code: number;
  message: string;
  /** Ids the item was about, e.g. `{ sku_id, warehouse_id }` or `{ product_id }`. */
  detail: Record<string, unknown>;
}
