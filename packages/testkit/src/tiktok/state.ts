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

/** One Open API request as the stand-in received it. */
export interface ReceivedRequest {
  /** e.g. `POST /order/202309/orders/search`. */
  api: string;
  /** Bytes of the body as sent (0: no body). */
  bodyBytes: number;
  contentType: string;
}

/** A product waiting for its audit verdict. */
export interface PendingAudit {
  shop: ShopState;
  productId: string;
  timer: NodeJS.Timeout;
}

/**
 * Everything one TikTok stand-in holds, in one object: the apps and shops, the credentials the
 * auth host issued, what the gateway keeps (rate windows, counters, received requests, faults,
 * held requests) and the audits in flight. Each module of the stand-in works on it.
 */
export class TikTokStandInState {
  /** app_key -> app_secret. */
  readonly apps = new Map<string, string>();
  /** shop id -> shop. */
  readonly shops = new Map<string, ShopState>();
  readonly accessTokens = new Map<string, TokenRecord>();
  readonly refreshTokens = new Map<string, TokenRecord>();
  /** Single-use authorization codes for Get Token. */
  readonly authCodes = new Map<string, TokenRecord>();
  /** app_key -> the redirect URL registered in Partner Center. */
  readonly redirectUrls: Map<string, string>;
  /** Sliding 1 s window of admitted requests, per `app|shop|api`. */
  readonly rateWindows = new Map<string, number[]>();
  /** Request counters, per `app|shop|api`. */
  readonly counters = new Map<string, CounterRow>();
  /** Open API requests as received, oldest first (the last 1,000). */
  readonly received: ReceivedRequest[] = [];
  /** Injected faults not used up yet. */
  faults: (FaultSpec & { left: number })[] = [];
  /** Requests a `hold` fault holds: calling one lets its request go on. */
  held: (() => void)[] = [];
  /** product id -> its audit in flight. */
  readonly pendingAudits = new Map<string, PendingAudit>();

  constructor(redirectUrls: Record<string, string> = {}) {
    this.redirectUrls = new Map(Object.entries(redirectUrls));
  }

  /** The shop with this id or cipher; throws when there is none. */
  findShop(idOrCipher: string): ShopState {
    const shop = this.shops.get(idOrCipher) ?? [...this.shops.values()].find((s) => s.cipher === idOrCipher);
    if (!shop) throw new Error(`No stand-in shop ${idOrCipher}`);
    return shop;
  }
}
