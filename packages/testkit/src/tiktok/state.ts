import type { Cancellation, Order, Product } from './model.js';

export interface ShopState {
  shopId: string;
  cipher: string;
  name: string;
  region: string;
  currency: string;
  appKey: string;
  warehouses: { id: string; name: string; isDefault: boolean }[];
  deliveryOptions: { id: string; name: string; providers: { id: string; name: string }[] }[];
  accessTokenTtlSec: number;
  refreshTokenTtlSec: number;
  products: Map<string, Product>;
  /** seller_sku -> product id: unique per shop. */
  sellerSkus: Map<string, string>;
  idempotency: Map<string, string>;
  images: Set<string>;
  orders: Map<string, Order>;
  cancellations: Map<string, Cancellation>;
  webhooks: Map<string, string>; // event_type -> address
  refreshCount: number;
}

export interface TokenRecord {
  shopId: string;
  appKey: string;
  /** Unix seconds. */
  expiresAt: number;
}

/** A fault to inject into the next matching requests of a shop. */
export interface FaultSpec {
  /** Shop id or cipher; omitted: any shop. */
  shop?: string;
  /** `wrong-envelope`: HTTP 200 with valid JSON that is not TikTok's envelope (what a proxy or gateway may send). */
  /**
   * `hold`: the request waits unanswered until `faults.release()` (a call in flight when its
   * client dies); `phase` says whether it waits before it runs (default) or after (done, answer held).
   */
  kind: 'rate-limit' | 'server-error' | 'timeout' | 'slow' | 'malformed-json' | 'wrong-envelope' | 'expired-token' | 'hold';
  /** For `hold`. */
  phase?: 'before-run' | 'after-run';
  /** How many requests it hits (default 1). */
  times?: number;
  /** Only requests to this API, e.g. `GET /product/202309/products/{product_id}`. */
  api?: string;
  /** For `slow`: delay before the normal answer (default 1 s). */
  delayMs?: number;
  /** For `server-error`: the HTTP status (default 500). */
  status?: number;
}

export interface CounterRow {
  appKey: string;
  shopId: string;
  api: string;
  requests: number;
  ok: number;
  rateLimited: number;
  errors: number;
}

export interface WebhookDelivery {
  url: string;
  type: number;
  body: string;
  authorization: string;
  attempts: number;
  status: 'pending' | 'delivered' | 'failed';
  lastStatus?: number;
}

export function emptyShop(
  fields: Omit<
    ShopState,
    'products' | 'sellerSkus' | 'idempotency' | 'images' | 'orders' | 'cancellations' | 'webhooks' | 'refreshCount'
  >,
): ShopState {
  return {
    ...fields,
    products: new Map(),
    sellerSkus: new Map(),
    idempotency: new Map(),
    images: new Set(),
    orders: new Map(),
    cancellations: new Map(),
    webhooks: new Map(),
    refreshCount: 0,
  };
}
