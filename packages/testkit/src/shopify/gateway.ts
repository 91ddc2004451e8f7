import type { IncomingMessage } from 'node:http';
import type { ShopifyServerState } from './state.js';

// What Shopify checks before it runs a query: the access token, the single query's cost limit
// and the app's leaky bucket of query cost (Standard plan: 2,000, restoring 100/s).

export const MAX_QUERY_COST = 1000;

export function hasAccessToken(s: ShopifyServerState, req: IncomingMessage): boolean {
  return req.headers['x-shopify-access-token'] === s.config.accessToken;
}

export const UNAUTHORIZED = { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' };

/** Restores the bucket for the time since the last refill. */
export function refill(s: ShopifyServerState): void {
  const { bucket } = s;
  const now = Date.now();
  bucket.available = Math.min(bucket.maximumAvailable, bucket.available + ((now - bucket.at) / 1000) * bucket.restoreRate);
  bucket.at = now;
}

/** The bucket as `extensions.cost.throttleStatus` reports it. */
export function throttleStatus(s: ShopifyServerState) {
  return {
    maximumAvailable: s.bucket.maximumAvailable,
    currentlyAvailable: Math.floor(s.bucket.available),
    restoreRate: s.bucket.restoreRate,
  };
}

export function setBucket(
  s: ShopifyServerState,
  b: { maximumAvailable?: number; restoreRate?: number; currentlyAvailable?: number },
): void {
  refill(s);
  if (b.maximumAvailable !== undefined) s.bucket.maximumAvailable = b.maximumAvailable;
  if (b.restoreRate !== undefined) s.bucket.restoreRate = b.restoreRate;
  s.bucket.available = Math.min(s.bucket.maximumAvailable, b.currentlyAvailable ?? s.bucket.available);
}

/**
 * Refuses a query whose requested cost is over the single query limit or over what the bucket
 * holds now (refill it first); undefined when it may run.
 */
export function costRefusal(
  s: ShopifyServerState,
  cost: number,
): { outcome: 'graphql-error' | 'throttled'; body: Record<string, unknown> } | undefined {
  const extensions = { cost: { requestedQueryCost: cost, actualQueryCost: null, throttleStatus: throttleStatus(s) } };
  if (cost > MAX_QUERY_COST) {
    return {
      outcome: 'graphql-error',
      body: {
        errors: [
          {
            message: `Query cost is ${cost}, which exceeds the single query max cost limit (${MAX_QUERY_COST}).`,
            extensions: { code: 'MAX_COST_EXCEEDED', cost, maxCost: MAX_QUERY_COST },
          },
        ],
        extensions,
      },
    };
  }
  if (cost > s.bucket.available) {
    return {
      outcome: 'throttled',
      body: {
        errors: [
          {
            message: 'Throttled',
            extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' },
          },
        ],
        extensions,
      },
    };
  }
  return undefined;
}

/** Takes the requested cost before the query runs... */
export function charge(s: ShopifyServerState, requested: number): void {
  s.bucket.available -= requested;
}

/** ...and gives back what the query did not use. */
export function refund(s: ShopifyServerState, requested: number, actual: number): void {
  s.bucket.available += requested - actual;
}
