import { randomInt } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { loadCategoryTree, rulesFor } from './categories.js';
import { ApiFail, type Handler, type HandlerContext, type StandInServices } from './context.js';
import { currencyFor } from './limits.js';
import {
  bigId,
  type Cancellation,
  nowSec,
  opaque,
  type Order,
  type Product,
  requestId,
  type SeededShop,
  type ShopSeed,
} from './model.js';
import { imageSize, parseMultipart } from './multipart.js';
import {
  advanceOrder,
  cancelOrder,
  generateOrders,
  type GenerateOrdersOptions,
  getOrderDetail,
  markPackageShipped,
  searchCancellations,
  searchOrders,
  sellerCancelOrder,
  updateShippingInfo,
} from './orders.js';
import * as products from './products.js';
import { recommendCategory } from './recommend.js';
import { expectedSign, sameSign } from './sign.js';
import { type CounterRow, emptyShop, type FaultSpec, type ShopState, type TokenRecord, type WebhookDelivery } from './state.js';
import { REAL_RETRY_DELAYS_MS, WebhookSender } from './webhooks.js';
import { checkLatency, latencyOf, type Latency } from '../latency.js';

const SEEDED_CREATE_SPREAD_SEC = 2 * 365 * 86_400;

export interface TikTokStandInOptions {
  port?: number;
  host?: string;
  shops?: ShopSeed[];
  /** Per (app, shop, API) requests per second (default 50, §4). */
  qps?: number;
  /** Words that make an audit fail (title or description). */
  bannedWords?: string[];
  /** Time from create/edit to the audit verdict (default 50 ms). */
  auditDelayMs?: number;
  /** Every event of every shop also goes here (besides Event API subscriptions). */
  webhookUrl?: string;
  /** Retry delays after a failed delivery (default TikTok's 2 min, 30 min, 3 h, 12 h). */
  webhookRetryDelaysMs?: number[];
  webhookTimeoutMs?: number;
  /** Rotate the refresh token on each refresh (default true: a second refresh with the old one fails). */
  rotateRefreshToken?: boolean;
  /** Time an admitted Open API request takes before it runs and is answered, e.g. `{ min: 50, max: 150 }`. Default 0. */
  latencyMs?: Latency;
  /** Each app's redirect URL, as registered in Partner Center (app key -> URL); the authorize page sends the seller there. */
  redirectUrls?: Record<string, string>;
}

interface Route {
  method: string;
  template: string;
  pattern: RegExp;
  names: string[];
  /** Shop-scoped: needs `shop_cipher`; otherwise it must be absent. */
  shopScoped: boolean;
  body: 'none' | 'json' | 'multipart';
  handler: Handler;
}

function route(method: string, template: string, shopScoped: boolean, body: Route['body'], handler: Handler): Route {
  const names: string[] = [];
  const pattern = new RegExp(`^${template.replace(/\{(\w+)\}/g, (_m, name: string) => (names.push(name), '([^/]+)'))}$`);
  return { method, template, pattern, names, shopScoped, body, handler };
}

/** What a test reads from the stand-in's request counters. */
export interface StandInCounters {
  rows(): CounterRow[];
  /** Sum over rows matching the filter. */
  total(filter?: { shopId?: string; api?: string; appKey?: string }): Omit<CounterRow, 'appKey' | 'shopId' | 'api'>;
  reset(): void;
}

export interface StandInFaults {
  /** Injects a fault into the next matching requests (`times`, default 1). */
  inject(fault: FaultSpec): void;
  clear(): void;
  /** Faults not used up yet. */
  pending(): FaultSpec[];
  /** How many requests a `hold` fault holds right now. */
  held(): number;
  /** Lets every held request go on (it runs and/or is answered, even if its client is gone); returns how many. */
  release(): number;
}

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

/** One Open API request as the stand-in received it. */
export interface ReceivedRequest {
  /** e.g. `POST /order/202309/orders/search`. */
  api: string;
  /** Bytes of the body as sent (0: no body). */
  bodyBytes: number;
  contentType: string;
}

export interface TikTokStandIn {
  /** Open API base, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** Auth host base (token get/refresh live under it). */
  authUrl: string;
  shops: SeededShop[];
  admin: StandInAdmin;
  counters: StandInCounters;
  faults: StandInFaults;
  close(): Promise<void>;
}

const AUTH_PREFIX = '/auth-host';
/** Test/demo control over HTTP for a stand-in running as its own process (not part of TikTok's API). */
const ADMIN_PREFIX = '/__admin';

function send(res: ServerResponse, status: number, body: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function sendHtml(res: ServerResponse, status: number, title: string, body: string): void {
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`;
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html) });
  res.end(html);
}

function envelope(code: number, message: string, data: unknown): string {
  return JSON.stringify({ code, message, request_id: requestId(), data });
}

// Big integers in a JSON body stay exact strings (the stand-in's own reviver).
function parseBody(raw: Buffer): unknown {
  return JSON.parse(raw.toString('utf8'), function (this: unknown, _k: string, v: unknown, ctx?: { source?: string }) {
    return typeof v === 'number' && !Number.isSafeInteger(v) && ctx?.source && /^-?\d+$/.test(ctx.source) ? ctx.source : v;
  } as (this: unknown, k: string, v: unknown) => unknown);
}

/** Starts a TikTok Shop stand-in on a free local port. */
export async function startTikTokStandIn(options: TikTokStandInOptions = {}): Promise<TikTokStandIn> {
  const tree = loadCategoryTree();
  const qps = options.qps ?? 50;
  checkLatency(options.latencyMs, 'TikTok stand-in');
  const bannedWords = (options.bannedWords ?? ['counterfeit', 'replica', 'knockoff']).map((w) => w.toLowerCase());
  const auditDelayMs = options.auditDelayMs ?? 50;
  const apps = new Map<string, string>(); // app_key -> app_secret
  const shops = new Map<string, ShopState>(); // shop id -> state
  const accessTokens = new Map<string, TokenRecord>();
  const refreshTokens = new Map<string, TokenRecord>();
  const authCodes = new Map<string, TokenRecord>();
  const redirectUrls = new Map<string, string>(Object.entries(options.redirectUrls ?? {}));
  const windows = new Map<string, number[]>(); // sliding 1 s window of admitted requests
  const counters = new Map<string, CounterRow>();
  const received: ReceivedRequest[] = [];
  let faults: (FaultSpec & { left: number })[] = [];
  let heldRequests: (() => void)[] = [];
  const holdUntilReleased = () => new Promise<void>((resolve) => heldRequests.push(resolve));
  const pendingAudits = new Map<string, { shop: ShopState; productId: string; timer: NodeJS.Timeout }>();
  const sockets = new Set<Socket>();
  const sender = new WebhookSender({
    retryDelaysMs: options.webhookRetryDelaysMs ?? REAL_RETRY_DELAYS_MS,
    timeoutMs: options.webhookTimeoutMs ?? 3_000,
  });

  const services: StandInServices = {
    bannedWords,
    scheduleAudit(shop, productId) {
      const prior = pendingAudits.get(productId);
      if (prior) clearTimeout(prior.timer);
      const timer = setTimeout(() => finishAudit(shop, productId), auditDelayMs);
      pendingAudits.set(productId, { shop, productId, timer });
    },
    emitWebhook(shop, type, data) {
      const secret = apps.get(shop.appKey)!;
      const id = bigId('7');
      // Product webhooks carry product_id as a bare JSON number in TikTok's samples (§7 gotchas).
      let body = JSON.stringify({ type, tts_notification_id: id, shop_id: shop.shopId, timestamp: nowSec(), data });
      if ((type === 5 || type === 37 || type === 16) && typeof data.product_id === 'string')
        body = body.replace(`"product_id":"${data.product_id}"`, `"product_id":${data.product_id}`);
      const targets = new Set<string>();
      if (options.webhookUrl) targets.add(options.webhookUrl);
      const topic = TOPICS[type];
      if (topic && shop.webhooks.has(topic)) targets.add(shop.webhooks.get(topic)!);
      for (const url of targets) sender.send(url, shop.appKey, secret, type, body);
    },
  };

  function finishAudit(shop: ShopState, productId: string): void {
    pendingAudits.delete(productId);
    const product = shop.products.get(productId);
    if (!product || product.status !== 'PENDING') return;
    const reasons: Product['audit_failed_reasons'] = [];
    for (const [position, text] of [
      ['title', product.title],
      ['description', product.description],
    ] as const) {
      const word = bannedWords.find((w) => text.toLowerCase().includes(w));
      if (word) {
        reasons.push({
          position,
          reasons: [`The ${position} contains a prohibited word: "${word}".`],
          suggestions: [`Remove "${word}" from the ${position} and submit again.`],
          listing_platform: 'TIKTOK_SHOP',
        });
      }
    }
    const first = product.create_time === product.update_time;
    product.update_time = Math.max(nowSec(), product.update_time);
    if (reasons.length > 0) {
      product.status = 'FAILED';
      product.audit = { status: 'FAILED' };
      product.audit_failed_reasons = reasons;
      services.emitWebhook(shop, 5, {
        product_id: product.id,
        status: 'PRODUCT_AUDIT_FAILURE',
        suspended_reason: reasons[0]!.reasons[0],
        update_time: product.update_time,
      });
    } else {
      product.status = 'ACTIVATE';
      product.audit = { status: 'APPROVED' };
      product.audit_failed_reasons = [];
      services.emitWebhook(shop, 5, {
        product_id: product.id,
        status: first ? 'PRODUCT_FIRST_PASS_REVIEW' : 'PRODUCT_STATUS_CHANGED',
        suspended_reason: '',
        update_time: product.update_time,
      });
    }
    services.emitWebhook(shop, 37, {
      product_id: product.id,
      audit: { status: product.audit.status },
      update_time: product.update_time,
    });
  }

  function issueTokens(shop: ShopState): SeededShop['tokens'] {
    const now = nowSec();
    const access = { token: opaque('ROW_'), exp: now + shop.accessTokenTtlSec };
    const refresh = { token: opaque('ROW_'), exp: now + shop.refreshTokenTtlSec };
    accessTokens.set(access.token, { shopId: shop.shopId, appKey: shop.appKey, expiresAt: access.exp });
    refreshTokens.set(refresh.token, { shopId: shop.shopId, appKey: shop.appKey, expiresAt: refresh.exp });
    return {
      accessToken: access.token,
      accessTokenExpiresAt: access.exp * 1000,
      refreshToken: refresh.token,
      refreshTokenExpiresAt: refresh.exp * 1000,
    };
  }

  function addShop(seed: ShopSeed): SeededShop {
    const existing = apps.get(seed.appKey);
    if (existing !== undefined && existing !== seed.appSecret)
      throw new Error(`app ${seed.appKey} is already registered with another secret`);
    apps.set(seed.appKey, seed.appSecret);
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
    shops.set(shop.shopId, shop);
    const tokens = issueTokens(shop);
    const authCode = opaque('code_');
    authCodes.set(authCode, { shopId: shop.shopId, appKey: shop.appKey, expiresAt: nowSec() + 30 * 60 });
    return { shopId: shop.shopId, cipher: shop.cipher, appKey: shop.appKey, tokens, authCode };
  }

  function findShop(idOrCipher: string): ShopState {
    const shop = shops.get(idOrCipher) ?? [...shops.values()].find((s) => s.cipher === idOrCipher);
    if (!shop) throw new Error(`No stand-in shop ${idOrCipher}`);
    return shop;
  }

  const routes: Route[] = [
    route('GET', '/authorization/202309/shops', false, 'none', (ctx) => ({
      shops: [
        {
          id: ctx.shop.shopId,
          name: ctx.shop.name,
          region: ctx.shop.region,
          seller_type: 'LOCAL',
          cipher: ctx.shop.cipher,
          code: `GB${ctx.shop.shopId.slice(-8)}`,
        },
      ],
    })),
    route('GET', '/product/202309/categories', true, 'none', products.getCategories),
    route('GET', '/product/202309/categories/{category_id}/attributes', true, 'none', products.getAttributes),
    route('GET', '/product/202309/categories/{category_id}/rules', true, 'none', (ctx) => {
      if ((ctx.query.get('category_version') ?? 'v1') !== 'v1')
        throw new ApiFail(12052217, "Incorrect category version. This shop's tree is 'v1'.");
      const c = ctx.tree.byId.get(ctx.params.category_id ?? '');
      if (!c) throw new ApiFail(12052023, 'Category does not exist');
      if (!c.is_leaf) throw new ApiFail(12052024, 'Category is not final category');
      return rulesFor(ctx.tree, c.id);
    }),
    route('POST', '/product/202309/categories/recommend', true, 'json', recommendCategory),
    route('GET', '/product/202309/brands', true, 'none', products.getBrands),
    route('POST', '/product/202309/images/upload', false, 'multipart', uploadImage),
    route('POST', '/product/202309/products', true, 'json', products.createProduct),
    route('DELETE', '/product/202309/products', true, 'json', products.deleteProducts),
    route('POST', '/product/202309/products/search', true, 'json', products.searchProducts),
    route('POST', '/product/202309/products/activate', true, 'json', products.activateProducts),
    route('POST', '/product/202309/products/deactivate', true, 'json', products.deactivateProducts),
    route('GET', '/product/202309/products/{product_id}', true, 'none', products.getProduct),
    route('PUT', '/product/202309/products/{product_id}', true, 'json', products.editProduct),
    route('POST', '/product/202309/products/{product_id}/partial_edit', true, 'json', products.partialEditProduct),
    route('POST', '/product/202309/products/{product_id}/prices/update', true, 'json', products.updatePrice),
    route('POST', '/product/202309/products/{product_id}/inventory/update', true, 'json', products.updateInventory),
    route('GET', '/logistics/202309/warehouses', true, 'none', (ctx) => ({
      warehouses: ctx.shop.warehouses.map((w) => ({
        id: w.id,
        entity_id: w.id,
        name: w.name,
        effect_status: 'ENABLED',
        type: 'SALES_WAREHOUSE',
        sub_type: 'DOMESTIC_WAREHOUSE',
        is_default: w.isDefault,
        address: { region_code: ctx.shop.region },
      })),
    })),
    route('GET', '/logistics/202309/delivery_options/{delivery_option_id}/shipping_providers', true, 'none', (ctx) => {
      const option = ctx.shop.deliveryOptions.find((d) => d.id === ctx.params.delivery_option_id);
      if (!option) throw new ApiFail(21008116, 'No Subscription without specified delivery option.');
      return { shipping_providers: option.providers };
    }),
    route('POST', '/order/202309/orders/search', true, 'json', searchOrders),
    route('GET', '/order/202309/orders', true, 'none', getOrderDetail),
    route('POST', '/fulfillment/202309/orders/{order_id}/packages', true, 'json', markPackageShipped),
    route('POST', '/fulfillment/202309/orders/{order_id}/shipping_info/update', true, 'json', updateShippingInfo),
    route('POST', '/return_refund/202309/cancellations/search', true, 'json', searchCancellations),
    route('POST', '/return_refund/202309/cancellations', true, 'json', sellerCancelOrder),
    route('GET', '/event/202309/webhooks', true, 'none', (ctx) => ({
      webhooks: [...ctx.shop.webhooks].map(([event_type, address]) => ({ event_type, address })),
    })),
    route('PUT', '/event/202309/webhooks', true, 'json', (ctx) => {
      const body = ctx.body as Record<string, unknown> | undefined;
      const address = typeof body?.address === 'string' ? body.address : '';
      const eventType = typeof body?.event_type === 'string' ? body.event_type : '';
      if (!address || address.length > 255 || !Object.values(TOPICS).includes(eventType))
        throw new ApiFail(36009004, 'Invalid webhook address or event_type.');
      ctx.shop.webhooks.set(eventType, address);
      return {};
    }),
    route('DELETE', '/event/202309/webhooks', true, 'json', (ctx) => {
      const body = ctx.body as Record<string, unknown> | undefined;
      ctx.shop.webhooks.delete(typeof body?.event_type === 'string' ? body.event_type : '');
      return {};
    }),
  ];

  function uploadImage(ctx: HandlerContext): unknown {
    const parts = parseMultipart(ctx.raw, ctx.contentType);
    if (!parts) throw new ApiFail(12038002, 'Invalid upload file. Please ensure you are passing the correct file data.');
    const file = parts.find((p) => p.name === 'data');
    if (!file || file.data.length === 0)
      throw new ApiFail(12038002, 'Invalid upload file. Please ensure you are passing the correct file data.');
    if (file.data.length > 10 * 1024 * 1024) throw new ApiFail(12038005, 'The file size exceeds the maximum allowed size.');
    const useCase = parts.find((p) => p.name === 'use_case')?.data.toString('utf8') ?? 'MAIN_IMAGE';
    if (!['MAIN_IMAGE', 'ATTRIBUTE_IMAGE', 'DESCRIPTION_IMAGE', 'CERTIFICATION_IMAGE', 'SIZE_CHART_IMAGE'].includes(useCase))
      throw new ApiFail(11050001, 'invalid param: use_case');
    const size = imageSize(file.data) ?? { width: 800, height: 800 };
    if (size.width < 100 || size.height < 100 || size.width > 20000 || size.height > 20000)
      throw new ApiFail(
        12038014,
        'The image dimensions exceed the allowed limits. Allowed dimensions (width x height in pixels): 100x100 to 20000x20000',
      );
    const { uri, url } = products.registerImage(ctx.shop);
    return { uri, url, width: size.width, height: size.height, use_case: useCase };
  }

  function count(
    row: Omit<CounterRow, 'requests' | 'ok' | 'rateLimited' | 'errors'>,
    field: 'ok' | 'rateLimited' | 'errors',
  ): void {
    const key = `${row.appKey}|${row.shopId}|${row.api}`;
    const c = counters.get(key) ?? { ...row, requests: 0, ok: 0, rateLimited: 0, errors: 0 };
    c.requests += 1;
    c[field] += 1;
    counters.set(key, c);
  }

  function takeFault(shop: ShopState, api: string): FaultSpec | undefined {
    const fault = faults.find(
      (f) => f.left > 0 && (!f.shop || f.shop === shop.shopId || f.shop === shop.cipher) && (!f.api || f.api === api),
    );
    if (!fault) return undefined;
    fault.left -= 1;
    faults = faults.filter((f) => f.left > 0);
    return fault;
  }

  function admitted(key: string): boolean {
    const now = Date.now();
    const log = windows.get(key) ?? [];
    while (log.length > 0 && log[0]! <= now - 1000) log.shift();
    if (log.length >= qps) {
      windows.set(key, log);
      return false;
    }
    log.push(now);
    windows.set(key, log);
    return true;
  }

  async function handleAuth(url: URL, res: ServerResponse): Promise<void> {
    const q = url.searchParams;
    const path = url.pathname.slice(AUTH_PREFIX.length);
    const appKey = q.get('app_key') ?? '';
    if (apps.get(appKey) === undefined || apps.get(appKey) !== q.get('app_secret'))
      return send(res, 200, envelope(36004004, 'invalid app_key or app_secret', null));
    if (path === '/api/v2/token/get') {
      const code = q.get('auth_code') ?? '';
      const record = authCodes.get(code);
      if (q.get('grant_type') !== 'authorized_code' || !record || record.appKey !== appKey || record.expiresAt < nowSec())
        return send(res, 200, envelope(36004005, 'can not find related auth record', null));
      authCodes.delete(code); // single-use (§2)
      return send(res, 200, envelope(0, 'success', tokenData(shops.get(record.shopId)!)));
    }
    if (path === '/api/v2/token/refresh') {
      const token = q.get('refresh_token') ?? '';
      const record = refreshTokens.get(token);
      if (q.get('grant_type') !== 'refresh_token' || !record || record.appKey !== appKey)
        return send(res, 200, envelope(36004005, 'can not find related auth record', null));
      if (record.expiresAt <= nowSec()) return send(res, 200, envelope(36004001, 'rt has expired', null));
      const shop = shops.get(record.shopId)!;
      shop.refreshCount += 1;
      if (options.rotateRefreshToken ?? true) refreshTokens.delete(token);
      return send(res, 200, envelope(0, 'success', tokenData(shop, options.rotateRefreshToken === false ? token : undefined)));
    }
    return send(res, 404, envelope(36009009, 'Invalid path', null));
  }

  /**
   * The seller authorization page (§2, the app-key form `/oauth/authorize?app_key=&state=`): the
   * seller picks the shop they are logged in as and consents or refuses by a form post; TikTok
   * then redirects to the app's registered redirect URL with `code` and `state`, or on refusal
   * `code=null&error=auth_denied`. A code is valid 30 minutes and once.
   */
  function handleAuthorizePage(method: string, url: URL, raw: Buffer, res: ServerResponse): void {
    const form = method === 'POST' ? new URLSearchParams(raw.toString('utf8')) : url.searchParams;
    const appKey = form.get('app_key') ?? '';
    const state = form.get('state') ?? '';
    if (method !== 'GET' && method !== 'POST') return sendHtml(res, 405, 'Method not allowed', '<p>Invalid HTTP method.</p>');
    if (!apps.has(appKey)) return sendHtml(res, 400, 'Authorization failed', '<p>Invalid app_key: no such app.</p>');
    const redirectUrl = redirectUrls.get(appKey);
    if (!redirectUrl)
      return sendHtml(res, 400, 'Authorization failed', '<p>This app has no redirect URL set in Partner Center.</p>');
    const appShops = [...shops.values()].filter((s) => s.appKey === appKey);
    if (method === 'GET') {
      const options = appShops
        .map((s) => `<option value="${escapeHtml(s.shopId)}">${escapeHtml(s.name)} (${escapeHtml(s.region)})</option>`)
        .join('');
      return sendHtml(
        res,
        200,
        'Authorize app',
        `<form method="post" action="${AUTH_PREFIX}/oauth/authorize">` +
          `<input type="hidden" name="app_key" value="${escapeHtml(appKey)}"><input type="hidden" name="state" value="${escapeHtml(state)}">` +
          `<p>An app asks to manage your shop's products, orders and logistics.</p>` +
          `<label>Shop <select name="shop_id">${options}</select></label> ` +
          `<button name="decision" value="authorize">Authorize</button> <button name="decision" value="deny">Cancel</button></form>`,
      );
    }
    const target = new URL(redirectUrl);
    if (form.get('decision') !== 'authorize') {
      target.searchParams.set('code', 'null');
      target.searchParams.set('error', 'auth_denied');
    } else {
      const shop = appShops.find((s) => s.shopId === form.get('shop_id'));
      if (!shop) return sendHtml(res, 400, 'Authorization failed', '<p>Choose one of your shops.</p>');
      const code = opaque('code_');
      authCodes.set(code, { shopId: shop.shopId, appKey, expiresAt: nowSec() + 30 * 60 });
      target.searchParams.set('code', code);
    }
    if (state) target.searchParams.set('state', state);
    res.writeHead(302, { location: target.toString(), 'content-length': 0 });
    res.end();
  }

  function tokenData(shop: ShopState, keepRefresh?: string): Record<string, unknown> {
    const t = issueTokens(shop);
    if (keepRefresh) {
      refreshTokens.delete(t.refreshToken);
      t.refreshToken = keepRefresh;
      t.refreshTokenExpiresAt = refreshTokens.get(keepRefresh)!.expiresAt * 1000;
    }
    return {
      access_token: t.accessToken,
      access_token_expire_in: Math.floor(t.accessTokenExpiresAt / 1000),
      refresh_token: t.refreshToken,
      refresh_token_expire_in: Math.floor(t.refreshTokenExpiresAt / 1000),
      open_id: `open_${shop.shopId}`,
      seller_name: shop.name,
      seller_base_region: shop.region,
      user_type: 0,
      granted_scopes: ['seller.product.basic', 'seller.order.info', 'seller.fulfillment.basic', 'seller.logistics'],
    };
  }

  function handleAdmin(method: string, path: string, raw: Buffer, res: ServerResponse): void {
    const body = (raw.length > 0 ? JSON.parse(raw.toString('utf8')) : {}) as Record<string, unknown>;
    const reply = (data: unknown) => send(res, 200, JSON.stringify(data ?? {}));
    try {
      const shopId = String(body.shopId ?? '');
      if (method === 'POST' && path === '/shops') return reply(addShop(body as unknown as ShopSeed));
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
      if (method === 'POST' && path === '/faults') return reply(faultsApi.inject(body as unknown as FaultSpec));
      if (method === 'DELETE' && path === '/faults') return reply(faultsApi.clear());
      if (method === 'GET' && path === '/counters') return reply(countersApi.rows());
      if (method === 'GET' && path === '/deliveries') return reply(admin.deliveries());
      return send(res, 404, JSON.stringify({ error: `no admin route ${method} ${path}` }));
    } catch (err) {
      return send(res, 400, JSON.stringify({ error: err instanceof Error ? err.message : String(err) }));
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://stand-in');
    if (url.pathname === `${AUTH_PREFIX}/oauth/authorize`) return handleAuthorizePage(req.method ?? 'GET', url, raw, res);
    if (url.pathname.startsWith(`${AUTH_PREFIX}/`)) {
      if (req.method !== 'GET') return send(res, 405, envelope(36009010, 'Invalid HTTP method', null));
      return handleAuth(url, res);
    }
    if (url.pathname.startsWith(`${ADMIN_PREFIX}/`))
      return handleAdmin(req.method ?? 'GET', url.pathname.slice(ADMIN_PREFIX.length), raw, res);
    const method = req.method ?? 'GET';
    const candidates = routes.filter((r) => r.pattern.test(url.pathname));
    if (candidates.length === 0) {
      if (/^\/\w+\/\d{6}\//.test(url.pathname) && !/^\/\w+\/202309\//.test(url.pathname))
        return send(res, 404, envelope(36009014, 'The version name is invalid, please check and retry.', null));
      return send(res, 404, envelope(36009009, 'Invalid path', null));
    }
    const r = candidates.find((c) => c.method === method);
    if (!r) return send(res, 405, envelope(36009010, 'Invalid HTTP method', null));
    const q = url.searchParams;
    received.push({ api: `${method} ${r.template}`, bodyBytes: raw.length, contentType: req.headers['content-type'] ?? '' });
    if (received.length > 1_000) received.shift();

    // Common checks in the order a gateway makes them (§1, §3).
    const appKey = q.get('app_key') ?? '';
    const appSecret = apps.get(appKey);
    if (appSecret === undefined) return send(res, 401, envelope(36009004, 'Invalid app_key.', null));
    const ts = Number(q.get('timestamp'));
    const now = nowSec();
    if (!/^\d{1,10}$/.test(q.get('timestamp') ?? '') || ts < now - 300 || ts > now + 30)
      return send(res, 401, envelope(36009004, 'Invalid timestamp: older than 5 minutes or more than 30 seconds ahead.', null));
    const sign = q.get('sign');
    if (!sign) return send(res, 401, envelope(36009004, 'Missing signature.', null));
    const contentType = req.headers['content-type'] ?? '';
    if (!sameSign(sign, expectedSign(appSecret, url.pathname, q, raw, contentType)))
      return send(res, 401, envelope(106001, "Invalid credentials. The 'sign' query parameter is invalid.", null));
    const media = contentType.split(';', 1)[0]!.trim().toLowerCase();
    if (r.body === 'multipart' && media !== 'multipart/form-data')
      return send(res, 200, envelope(36009023, 'Content-type must be multipart/form-data.', null));
    if (r.body === 'json' && raw.length > 0 && media !== 'application/json' && media !== 'multipart/form-data')
      return send(res, 200, envelope(36009022, 'Body must be application/json or multipart/form-data.', null));
    const token = req.headers['x-tts-access-token'];
    const tokenRecord = typeof token === 'string' ? accessTokens.get(token) : undefined;
    if (!tokenRecord || tokenRecord.appKey !== appKey)
      return send(res, 401, envelope(36009004, 'Invalid x-tts-access-token.', null));
    if (tokenRecord.expiresAt <= now)
      return send(res, 401, envelope(105002, 'Expired credentials. The access token has expired.', null));
    const shop = shops.get(tokenRecord.shopId)!;
    const cipher = q.get('shop_cipher');
    if (r.shopScoped && !cipher) return send(res, 200, envelope(106013, 'Missing shop_cipher.', null));
    if (!r.shopScoped && cipher !== null) return send(res, 200, envelope(36009004, 'Unexpected identifier: shop_cipher.', null));
    if (r.shopScoped && cipher !== shop.cipher)
      return send(res, 200, envelope(101000, 'The shop_cipher does not match the access token.', null));

    const api = `${method} ${r.template}`;
    const counterRow = { appKey, shopId: shop.shopId, api };
    const fault = takeFault(shop, api);
    if (fault) {
      switch (fault.kind) {
        case 'rate-limit':
          count(counterRow, 'rateLimited');
          return send(res, 429, envelope(36009002, 'Too many requests.', null));
        case 'server-error':
          count(counterRow, 'errors');
          return send(
            res,
            fault.status ?? 500,
            fault.status === 503 ? 'Service Unavailable' : envelope(36009003, 'Internal error. Please try again.', null),
          );
        case 'malformed-json':
          count(counterRow, 'errors');
          return send(res, 200, '{"code":0,"message":"Success","data":{"produ');
        case 'wrong-envelope':
          count(counterRow, 'errors');
          return send(res, 200, JSON.stringify({ status: 'ok', result: { message: 'upstream answered' } }));
        case 'timeout':
          count(counterRow, 'errors');
          return; // never answers; the socket is destroyed on close
        case 'expired-token':
          for (const rec of accessTokens.values()) if (rec.shopId === shop.shopId) rec.expiresAt = now - 1;
          count(counterRow, 'errors');
          return send(res, 401, envelope(105002, 'Expired credentials. The access token has expired.', null));
        case 'slow':
          await new Promise((resolve) => setTimeout(resolve, fault.delayMs ?? 1_000));
          break;
        case 'hold':
          if (fault.phase !== 'after-run') await holdUntilReleased();
          break;
      }
    }
    if (!admitted(`${appKey}|${shop.shopId}|${api}`)) {
      count(counterRow, 'rateLimited');
      return send(res, 429, envelope(36009002, 'Too many requests.', null));
    }
    // Counted against the limit on arrival (as a gateway does); the work and the answer take the latency.
    const delayMs = latencyOf(options.latencyMs);
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));

    let body: unknown;
    if (r.body === 'json' && raw.length > 0) {
      try {
        body = parseBody(raw);
      } catch {
        count(counterRow, 'errors');
        return send(res, 200, envelope(36009022, 'Body is not valid JSON.', null));
      }
    }
    const params: Record<string, string> = {};
    const m = r.pattern.exec(url.pathname)!;
    r.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1]!)));
    try {
      const data = await r.handler({ shop, appKey, appSecret, query: q, params, body, raw, contentType, tree, services });
      count(counterRow, 'ok');
      if (fault?.kind === 'hold' && fault.phase === 'after-run') await holdUntilReleased();
      return send(res, 200, envelope(0, 'Success', data ?? {}));
    } catch (err) {
      count(counterRow, 'errors');
      if (err instanceof ApiFail) return send(res, err.status, envelope(err.code, err.message, null));
      return send(
        res,
        500,
        envelope(36009003, `Internal error. Please try again. (${err instanceof Error ? err.message : 'unknown'})`, null),
      );
    }
  }

  const countersApi: StandInCounters = {
    rows: () => [...counters.values()].map((c) => ({ ...c })),
    total(filter = {}) {
      const sum = { requests: 0, ok: 0, rateLimited: 0, errors: 0 };
      for (const c of counters.values()) {
        if (
          (filter.shopId && c.shopId !== filter.shopId) ||
          (filter.api && c.api !== filter.api) ||
          (filter.appKey && c.appKey !== filter.appKey)
        )
          continue;
        sum.requests += c.requests;
        sum.ok += c.ok;
        sum.rateLimited += c.rateLimited;
        sum.errors += c.errors;
      }
      return sum;
    },
    reset: () => counters.clear(),
  };

  const faultsApi: StandInFaults = {
    inject: (fault) => {
      faults.push({ ...fault, left: fault.times ?? 1 });
    },
    clear: () => {
      faults = [];
    },
    pending: () => faults.map(({ left, ...f }) => ({ ...f, times: left })),
    held: () => heldRequests.length,
    release: () => {
      const waiting = heldRequests;
      heldRequests = [];
      for (const go of waiting) go();
      return waiting.length;
    },
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => send(res, 500, envelope(36009003, 'Internal error. Please try again.', null)));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;
  const seeded = (options.shops ?? []).map(addShop);

  const admin: StandInAdmin = {
    addShop,
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
    completeAudits() {
      for (const { shop, productId, timer } of [...pendingAudits.values()]) {
        clearTimeout(timer);
        finishAudit(shop, productId);
      }
    },
    generateOrders: (shopId, o) => generateOrders(findShop(shopId), o),
    advanceOrder: (shopId, orderId, status) => advanceOrder({ shop: findShop(shopId), services }, orderId, status),
    cancelOrder: (shopId, orderId, reason) => cancelOrder({ shop: findShop(shopId), services }, orderId, reason),
    expireAccessTokens(shopId) {
      const shop = findShop(shopId);
      for (const rec of accessTokens.values()) if (rec.shopId === shop.shopId) rec.expiresAt = nowSec() - 1;
    },
    revokeAuthorization(shopId) {
      const shop = findShop(shopId);
      admin.expireAccessTokens(shop.shopId);
      for (const [token, rec] of refreshTokens) if (rec.shopId === shop.shopId) refreshTokens.delete(token);
    },
    authorizeAgain(shopId) {
      const shop = findShop(shopId);
      const authCode = opaque('code_');
      authCodes.set(authCode, { shopId: shop.shopId, appKey: shop.appKey, expiresAt: nowSec() + 30 * 60 });
      return authCode;
    },
    refreshCount: (shopId) => findShop(shopId).refreshCount,
    setRedirectUrl: (appKey, url) => void redirectUrls.set(appKey, url),
    expireAuthCodes() {
      for (const rec of authCodes.values()) rec.expiresAt = nowSec() - 1;
    },
    deliveries: () => sender.deliveries,
    requests: () => received.map((r) => ({ ...r })),
  };

  return {
    url,
    authUrl: `${url}${AUTH_PREFIX}`,
    shops: seeded,
    admin,
    counters: countersApi,
    faults: faultsApi,
    async close() {
      faultsApi.release();
      sender.close();
      for (const { timer } of pendingAudits.values()) clearTimeout(timer);
      pendingAudits.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
}

/** Event API names of the webhook types the stand-in sends (§7). */
const TOPICS: Record<number, string> = {
  1: 'ORDER_STATUS_CHANGE',
  5: 'PRODUCT_STATUS_CHANGE',
  11: 'CANCELLATION_STATUS_CHANGE',
  16: 'PRODUCT_CREATION',
  37: 'PRODUCT_AUDIT_STATUS_CHANGE',
};
