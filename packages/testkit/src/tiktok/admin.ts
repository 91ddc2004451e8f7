import { randomInt } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { completeAudits } from './audits.js';
import type { StandInServices } from './context.js';
import type { StandInCounters } from './counters.js';
import type { StandInFaults } from './faults.js';
import { send } from './http.js';
import { currencyFor } from './limits.js';
import { bigId, type Cancellation, nowSec, opaque, type Order, type Product, type SeededShop, type ShopSeed } from './model.js';
import { advanceOrder, cancelOrder, generateOrders, type GenerateOrdersOptions } from './orders.js';
import {
  emptyShop,
  type FaultSpec,
  type ReceivedRequest,
  type ShopState,
  type TikTokStandInState,
  type WebhookDelivery,
} from './state.js';
import { expireAccessTokens, expireAuthCodes, issueAuthCode, issueTokens, revokeAuthorization } from './tokens.js';
import type { WebhookSender } from './webhooks.js';

// The control side of the stand-in, for tests and the demo: seeding, audits, orders, tokens.
// Not part of TikTok's API.

/** Test/demo control over HTTP for a stand-in running as its own process. */
export const ADMIN_PREFIX = '/__admin';

const SEEDED_CREATE_SPREAD_SEC = 2 * 365 * 86_400;

export interface StandInAdmin {
  addShop(seed: ShopSeed): SeededShop;
  shop(shopIdOrCipher: string): ShopState;
  /** Seeds a product directly (no audit), e.g. for paging tests; images need not be uploaded; `create_time` defaults to a moment of the past two years. */
  seedProduct(shopId: string, product: Partial<Product> & Pick<Product, 'title' | 'category_id' | 'skus'>): Product;
  getProduct(shopId: string, productId: string): Product | undefined;
  /** Finishes every pending audit now. */
  completeAudits(): void;
  generateOrders(shopId: string, options: GenerateOrdersOptions): Order[];
  advanceOrder(shopId: string, orderId: string, status: string): Order;
  cancelOrder(shopId: string, orderId: string, reason?: string): Cancellation;
  /** Makes every access token of the shop expired now. */
  expireAccessTokens(shopId: string): void;
  /**
   * The seller revokes the app's authorization: every access token of the shop is refused as
   * expired (105002) and its refresh tokens are gone, so a refresh gets 36004005 (§2, §3).
   */
  revokeAuthorization(shopId: string): void;
  /** The seller authorizes the app again (after a revocation): a new single-use auth code for Get Token. */
  authorizeAgain(shopId: string): string;
  /** Token refreshes the auth host performed for a shop. */
  refreshCount(shopId: string): number;
  /** The app's redirect URL (Partner Center's "Redirect URL"): where the authorize page sends the seller. */
  setRedirectUrl(appKey: string, url: string): void;
  /** Makes every authorization code issued so far older than its 30 minutes (§2). */
  expireAuthCodes(): void;
  deliveries(): WebhookDelivery[];
  /** Open API requests as received, oldest first (the last 1,000): what a test checks about the wire. */
  requests(): ReceivedRequest[];
}

/** Registers the seed's app (its secret must not change) and a new shop with a token pair and an auth code. */
export function addShop(state: TikTokStandInState, seed: ShopSeed): SeededShop {
  const existing = state.apps.get(seed.appKey);
  if (existing !== undefined && existing !== seed.appSecret)
    throw new Error(`app ${seed.appKey} is already registered with another secret`);
  state.apps.set(seed.appKey, seed.appSecret);
  const region = seed.region ?? 'GB';
  const shop = emptyShop({
    shopId: seed.shopId ?? bigId('74'),
    cipher: seed.cipher ?? opaque('ROW_'),
    name: seed.name ?? 'Stand-in Shop',
    region,
    currency: seed.currency ?? currencyFor(region),
    appKey: seed.appKey,
    warehouses: (seed.warehouses ?? [{ id: bigId('72'), name: 'Main warehouse', isDefault: true }]).map((w, i) => ({
      id: w.id,
      name: w.name,
      isDefault: w.isDefault ?? i === 0,
    })),
    deliveryOptions: seed.deliveryOptions ?? [
      {
        id: bigId('71'),
        name: 'Standard shipping',
        providers: [
          { id: '7117858858072016686', name: 'Royal Mail' },
          { id: '7117859084333745966', name: 'DPD' },
          { id: '7117859084333745967', name: 'Evri' },
        ],
      },
    ],
    accessTokenTtlSec: seed.accessTokenTtlSec ?? 7 * 86_400,
    refreshTokenTtlSec: seed.refreshTokenTtlSec ?? 365 * 86_400,
  });
  state.shops.set(shop.shopId, shop);
  const tokens = issueTokens(state, shop);
  const authCode = issueAuthCode(state, shop);
  return { shopId: shop.shopId, cipher: shop.cipher, appKey: shop.appKey, tokens, authCode };
}

export function createAdmin(state: TikTokStandInState, services: StandInServices, sender: WebhookSender): StandInAdmin {
  const findShop = (idOrCipher: string) => state.findShop(idOrCipher);
  return {
    addShop: (seed) => addShop(state, seed),
    shop: findShop,
    seedProduct(shopId, p) {
      const shop = findShop(shopId);
      const now = nowSec();
      // A real catalogue grew over time (TikTok allows ~1,000 new listings a day): unless the
      // seed says otherwise, a seeded product was created at some moment of the past two years.
      const created = Math.min(p.update_time ?? now, now - randomInt(60, SEEDED_CREATE_SPREAD_SEC));
      const product: Product = {
        id: bigId('17'),
        shopId: shop.shopId,
        description: '<p>Seeded product</p>',
        main_images: [],
        product_attributes: [],
        status: 'ACTIVATE',
        audit: { status: 'APPROVED' },
        audit_failed_reasons: [],
        create_time: created,
        update_time: now,
        ...p,
      };
      shop.products.set(product.id, product);
      for (const s of product.skus) shop.sellerSkus.set(s.seller_sku, product.id);
      return product;
    },
    getProduct: (shopId, productId) => findShop(shopId).products.get(productId),
    completeAudits: () => completeAudits(state, services),
    generateOrders: (shopId, o) => generateOrders(findShop(shopId), o),
    advanceOrder: (shopId, orderId, status) => advanceOrder({ shop: findShop(shopId), services }, orderId, status),
    cancelOrder: (shopId, orderId, reason) => cancelOrder({ shop: findShop(shopId), services }, orderId, reason),
    expireAccessTokens: (shopId) => expireAccessTokens(state, findShop(shopId).shopId),
    revokeAuthorization: (shopId) => revokeAuthorization(state, findShop(shopId).shopId),
    authorizeAgain: (shopId) => issueAuthCode(state, findShop(shopId)),
    refreshCount: (shopId) => findShop(shopId).refreshCount,
    setRedirectUrl: (appKey, url) => void state.redirectUrls.set(appKey, url),
    expireAuthCodes: () => expireAuthCodes(state),
    deliveries: () => sender.deliveries,
    requests: () => state.received.map((r) => ({ ...r })),
  };
}

/** The control API over HTTP, under {@link ADMIN_PREFIX} (`path` without it). */
export function serveAdmin(
  api: { admin: StandInAdmin; faults: StandInFaults; counters: StandInCounters },
  method: string,
  path: string,
  raw: Buffer,
  res: ServerResponse,
): void {
  const { admin, faults, counters } = api;
  const body = (raw.length > 0 ? JSON.parse(raw.toString('utf8')) : {}) as Record<string, unknown>;
  const reply = (data: unknown) => send(res, 200, JSON.stringify(data ?? {}));
  try {
    const shopId = String(body.shopId ?? '');
    if (method === 'POST' && path === '/shops') return reply(admin.addShop(body as unknown as ShopSeed));
    if (method === 'POST' && path === '/products')
      return reply(admin.seedProduct(shopId, body.product as Parameters<StandInAdmin['seedProduct']>[1]));
    if (method === 'POST' && path === '/audits/complete') return reply(admin.completeAudits());
    if (method === 'POST' && path === '/orders/generate')
      return reply(admin.generateOrders(shopId, body as unknown as GenerateOrdersOptions));
    if (method === 'POST' && path === '/orders/advance')
      return reply(admin.advanceOrder(shopId, String(body.orderId), String(body.status)));
    if (method === 'POST' && path === '/orders/cancel')
      return reply(admin.cancelOrder(shopId, String(body.orderId), body.reason as string | undefined));
    if (method === 'POST' && path === '/tokens/expire') return reply(admin.expireAccessTokens(shopId));
    if (method === 'POST' && path === '/tokens/revoke') return reply(admin.revokeAuthorization(shopId));
    if (method === 'POST' && path === '/apps/redirect-url')
      return reply(admin.setRedirectUrl(String(body.appKey), String(body.url)));
    if (method === 'POST' && path === '/auth-codes/expire') return reply(admin.expireAuthCodes());
    if (method === 'POST' && path === '/faults') return reply(faults.inject(body as unknown as FaultSpec));
    if (method === 'DELETE' && path === '/faults') return reply(faults.clear());
    if (method === 'GET' && path === '/counters') return reply(counters.rows());
    if (method === 'GET' && path === '/deliveries') return reply(admin.deliveries());
    return send(res, 404, JSON.stringify({ error: `no admin route ${method} ${path}` }));
  } catch (err) {
    return send(res, 400, JSON.stringify({ error: err instanceof Error ? err.message : String(err) }));
  }
}
