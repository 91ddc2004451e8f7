// Errors the workers act on. The queue runner reads them by duck typing: `retryable` decides
// between failing the job now and retrying it; `retryAfterMs` (rate limits only) pauses the
// store's queue without spending an attempt. Messages never carry the token or app secret.

export interface ShopifyErrorDetails {
  /** Shopify's `X-Request-Id`, to quote when reporting a problem to Shopify. */
  requestId?: string | undefined;
  /** Shopify's error code (`THROTTLED`, `ACCESS_DENIED`, a userError code, an HTTP status…). */
  code?: string | undefined;
  /** The GraphQL operation that failed. */
  operation?: string | undefined;
  cause?: unknown;
}

/** Base of every error this package throws. */
export class ShopifyClientError extends Error {
  override name = 'ShopifyClientError';
  readonly retryable: boolean;
  readonly requestId: string | undefined;
  readonly code: string | undefined;
  readonly operation: string | undefined;

  constructor(message: string, retryable: boolean, details: ShopifyErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.retryable = retryable;
    this.requestId = details.requestId;
    this.code = details.code;
    this.operation = details.operation;
  }
}

/** Bad options or credentials: fix the store's configuration; retrying cannot help. */
export class ShopifyConfigError extends ShopifyClientError {
  override name = 'ShopifyConfigError';
  constructor(message: string, details: ShopifyErrorDetails = {}) {
    super(message, false, details);
  }
}

/** 401/403/ACCESS_DENIED: the access token is wrong, revoked, or lacks a scope. */
export class ShopifyAuthError extends ShopifyClientError {
  override name = 'ShopifyAuthError';
  constructor(message: string, details: ShopifyErrorDetails = {}) {
    super(message, false, details);
  }
}

/** The cost bucket stayed empty past the client's patience: pause the store's queue. */
export class ShopifyRateLimitError extends ShopifyClientError {
  override name = 'ShopifyRateLimitError';
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs: number, details: ShopifyErrorDetails = {}) {
    super(message, true, details);
    this.retryAfterMs = Math.max(0, Math.ceil(retryAfterMs));
  }
}

/** 5xx, network failures, timeouts, unreadable bodies: transient, retried with backoff. */
export class ShopifyTransientError extends ShopifyClientError {
  override name = 'ShopifyTransientError';
  readonly status: number | undefined;
  constructor(message: string, status: number | undefined, details: ShopifyErrorDetails = {}) {
    super(message, true, details);
    this.status = status;
  }
}

/** GraphQL-level errors other than throttling (invalid query, cost over 1,000…): a bug, not a blip. */
export class ShopifyGraphqlError extends ShopifyClientError {
  override name = 'ShopifyGraphqlError';
  readonly messages: readonly string[];
  constructor(message: string, messages: readonly string[], retryable: boolean, details: ShopifyErrorDetails = {}) {
    super(message, retryable, details);
    this.messages = messages;
  }
}

export interface ShopifyUserErrorItem {
  field: readonly string[] | null;
  message: string;
  code?: string | null | undefined;
}

/** A mutation answered with `userErrors`: the input is wrong; fix it, do not retry. */
export class ShopifyUserError extends ShopifyClientError {
  override name = 'ShopifyUserError';
  readonly userErrors: readonly ShopifyUserErrorItem[];
  constructor(operation: string, userErrors: readonly ShopifyUserErrorItem[], details: ShopifyErrorDetails = {}) {
    const summary = userErrors.map((e) => `${e.field?.join('.') ?? '(input)'}: ${e.message}`).join('; ');
    super(`Shopify rejected ${operation}: ${summary}`, false, { code: userErrors[0]?.code ?? undefined, operation, ...details });
    this.userErrors = userErrors;
  }
}

/** The response did not have the shape we asked for (zod issues in the message). */
export class ShopifyResponseShapeError extends ShopifyClientError {
  override name = 'ShopifyResponseShapeError';
  constructor(message: string, details: ShopifyErrorDetails = {}) {
    super(message, false, details);
  }
}

/** Another worker holds the claim to create this order right now; retry later. */
export class ShopifyOrderClaimBusyError extends ShopifyClientError {
  override name = 'ShopifyOrderClaimBusyError';
  /** When to try this order again: once the claim lapses. The job waits that long, spending no attempt. */
  readonly retryInMs: number;
  constructor(message: string, details: ShopifyErrorDetails = {}, retryInMs = 5_000) {
    super(message, true, details);
    this.retryInMs = retryInMs;
  }
}

/** A bulk operation ended FAILED, CANCELED or EXPIRED, or did not finish in time. */
export class ShopifyBulkOperationError extends ShopifyClientError {
  override name = 'ShopifyBulkOperationError';
}

/**
 * Shopify refused to start a bulk query because this app already runs as many as the shop
 * allows (five from 2026-01; one before). Not a failure: the job waits `retryInMs`, spending no attempt.
 */
export class ShopifyBulkBusyError extends ShopifyBulkOperationError {
  override name = 'ShopifyBulkBusyError';
  readonly retryInMs: number;
  constructor(message: string, details: ShopifyErrorDetails = {}, retryInMs = 30_000) {
    super(message, true, details);
    this.retryInMs = retryInMs;
  }
}
