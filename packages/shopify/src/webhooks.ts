import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { shopifyKeys } from '@shoptok/keys';
import { z } from 'zod';

export type WebhookHeaders = Record<string, string | string[] | undefined>;

export type WebhookVerdict =
  | { ok: true; webhookId: string; topic: string; shopDomain: string; triggeredAt: Date | undefined }
  | { ok: false; reason: 'missing-header' | 'bad-signature' | 'stale' | 'wrong-shop'; detail: string };

export interface VerifyWebhookOptions {
  /** The raw request body, exactly as received (parse JSON only after verifying). */
  rawBody: Buffer | string;
  headers: WebhookHeaders;
  /** The custom app's API secret key. */
  secret: string;
  /** Refuse deliveries triggered longer ago than this. Default 12 h (Shopify retries for 4 h). */
  maxAgeMs?: number;
  /** Refuse deliveries for any other shop domain. */
  expectedShopDomain?: string;
  now?: Date;
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === name) return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
}

/**
 * Verifies a Shopify webhook: `X-Shopify-Hmac-Sha256` is the base64 HMAC-SHA256 of the raw
 * body with the app secret (compared in constant time), and the delivery is not stale.
 */
export function verifyShopifyWebhook(options: VerifyWebhookOptions): WebhookVerdict {
  const signature = header(options.headers, 'x-shopify-hmac-sha256');
  const webhookId = header(options.headers, 'x-shopify-webhook-id');
  const topic = header(options.headers, 'x-shopify-topic');
  const shopDomain = header(options.headers, 'x-shopify-shop-domain');
  if (!signature || !webhookId || !topic || !shopDomain) {
    return {
      ok: false,
      reason: 'missing-header',
      detail: 'X-Shopify-Hmac-Sha256, X-Shopify-Webhook-Id, X-Shopify-Topic and X-Shopify-Shop-Domain are required',
    };
  }
  const expected = createHmac('sha256', options.secret).update(options.rawBody).digest();
  const given = Buffer.from(signature, 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return {
      ok: false,
      reason: 'bad-signature',
      detail: 'the HMAC does not match the body (wrong secret, or the body was altered or re-serialised)',
    };
  }
  if (options.expectedShopDomain && shopDomain.toLowerCase() !== options.expectedShopDomain.toLowerCase()) {
    return { ok: false, reason: 'wrong-shop', detail: `delivery is for ${shopDomain}` };
  }
  // X-Shopify-Triggered-At is the event time, kept across retries. When it is absent we cannot
  // judge age; de-duplication still stops replays within its window.
  const triggeredRaw = header(options.headers, 'x-shopify-triggered-at');
  const triggeredAt = triggeredRaw ? new Date(triggeredRaw) : undefined;
  if (triggeredAt && !Number.isNaN(triggeredAt.getTime())) {
    const age = (options.now ?? new Date()).getTime() - triggeredAt.getTime();
    if (age > (options.maxAgeMs ?? 12 * 3600_000)) {
      return { ok: false, reason: 'stale', detail: `triggered ${Math.round(age / 1000)} s ago` };
    }
  }
  return {
    ok: true,
    webhookId,
    topic,
    shopDomain,
    triggeredAt: triggeredAt && !Number.isNaN(triggeredAt.getTime()) ? triggeredAt : undefined,
  };
}

/**
 * Remembers webhook ids so a delivery Shopify retries (same `X-Shopify-Webhook-Id`) is handled
 * once. Keep `ttlMs` at least as long as the staleness window, so anything older is refused as
 * stale and anything newer is caught here.
 */
export class WebhookDeduper {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly keyPrefix: string,
    private readonly ttlMs = 12 * 3600_000,
  ) {}

  /** True the first time a webhook id is seen for a store, false for every repeat. */
  async firstSeen(storeId: string, webhookId: string): Promise<boolean> {
    const result = await this.redis.set(shopifyKeys(this.keyPrefix, storeId).webhook(webhookId), '1', 'PX', this.ttlMs, 'NX');
    return result === 'OK';
  }

  /** Forgets a webhook id (when handling it failed before anything was enqueued, so Shopify's retry is processed). */
  async forget(storeId: string, webhookId: string): Promise<void> {
    await this.redis.del(shopifyKeys(this.keyPrefix, storeId).webhook(webhookId));
  }
}

/** Body of `inventory_levels/update`. Its `admin_graphql_api_id` is an InventoryLevel id, not an item id. */
export const inventoryLevelUpdateWebhook = z.object({
  inventory_item_id: z.number().int(),
  location_id: z.number().int(),
  available: z.number().int().nullable(),
  updated_at: z.string().optional(),
  admin_graphql_api_id: z.string().optional(),
});
export type InventoryLevelUpdateWebhook = z.infer<typeof inventoryLevelUpdateWebhook>;

/** The GraphQL id of the inventory item a webhook's numeric `inventory_item_id` names. */
export function inventoryItemGid(id: number): string {
  return `gid://shopify/InventoryItem/${id}`;
}

/** The GraphQL id of the location a webhook's numeric `location_id` names. */
export function locationGid(id: number): string {
  return `gid://shopify/Location/${id}`;
}

// Bodies of the other topics we subscribe to. Only what a webhook handler needs to enqueue one
// targeted job is required (the resource ids); the job then reads fresh data through GraphQL.

/** Body of `products/create`, `products/update` and `products/delete` (delete sends only `id`). */
export const productWebhook = z.object({
  id: z.number().int(),
  admin_graphql_api_id: z.string().optional(),
  updated_at: z.string().optional(),
  variants: z
    .array(
      z.object({ id: z.number().int(), sku: z.string().nullable().optional(), inventory_item_id: z.number().int().optional() }),
    )
    .optional(),
});
export type ProductWebhook = z.infer<typeof productWebhook>;

/** Body of `orders/cancelled`, `orders/fulfilled`, `orders/updated` (a whole order; we keep the ids and status). */
export const orderWebhook = z.object({
  id: z.number().int(),
  admin_graphql_api_id: z.string().optional(),
  name: z.string().optional(),
  source_identifier: z.string().nullable().optional(),
  cancelled_at: z.string().nullable().optional(),
  updated_at: z.string().optional(),
});
export type OrderWebhook = z.infer<typeof orderWebhook>;

/** Body of `fulfillments/create` and `fulfillments/update`. */
export const fulfillmentWebhook = z.object({
  id: z.number().int(),
  order_id: z.number().int(),
  status: z.string().optional(),
  tracking_number: z.string().nullable().optional(),
  tracking_company: z.string().nullable().optional(),
  tracking_url: z.string().nullable().optional(),
});
export type FulfillmentWebhook = z.infer<typeof fulfillmentWebhook>;

/** The GraphQL id of the product a webhook's numeric `id` names. */
export function productGid(id: number): string {
  return `gid://shopify/Product/${id}`;
}

/** The GraphQL id of the order a webhook's numeric `id` / `order_id` names. */
export function orderGid(id: number): string {
  return `gid://shopify/Order/${id}`;
}
