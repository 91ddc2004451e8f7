import type { GraphqlTransport, TransportOptions } from './transport.js';

export interface ShopifyClientOptions extends TransportOptions {
  /** From this many matching products on, `fetchCatalogue` uses a bulk operation. Default 2,000. */
  bulkThreshold?: number;
  /** Poll interval of a running bulk operation. Default 1 s. */
  bulkPollIntervalMs?: number;
  /** Longest a bulk export may run before we give up. Default 30 min. */
  bulkTimeoutMs?: number;
  /** From this many inventory items on, `getAvailableInventory` reads the store's stock with one bulk operation. Default 500. */
  bulkInventoryThreshold?: number;
  /** When Shopify refuses a bulk query because the shop's limit of running ones is reached, the job comes back after this long. Default 30 s. */
  bulkBusyRetryMs?: number;
  /** How long an order-create claim holds. Must outlast one orderCreate call. Default 5 min. */
  orderClaimTtlMs?: number;
  /** How long "TikTok order X is Shopify order Y" is remembered in Redis. Default 30 days. */
  orderRecordTtlMs?: number;
  /** How long `cancelOrder` waits for Shopify's cancellation job before handing back a retryable error. Default 20 s. */
  cancelWaitMs?: number;
  /** Poll interval of a running cancellation job. Default 500 ms. */
  cancelPollIntervalMs?: number;
}

/** What every part of the client shares: the store's options and its paced transport. */
export interface ClientContext {
  readonly options: ShopifyClientOptions;
  readonly transport: GraphqlTransport;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
