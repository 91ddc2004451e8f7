import { randomUUID } from 'node:crypto';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { z } from 'zod';
import { BulkInventoryAssembler, BulkProductAssembler, toProduct, toVariant } from './bulk.js';
import { BulkDownloadError, forEachBulkLine, type BulkLineHandler } from './bulk-download.js';
import { parseStockExportLine, stockExportQuery, type StockExportItem } from './stock-export.js';
import {
  ShopifyBulkBusyError,
  ShopifyBulkOperationError,
  ShopifyClientError,
  ShopifyConfigError,
  ShopifyOrderClaimBusyError,
  ShopifyResponseShapeError,
  ShopifyTransientError,
  ShopifyUserError,
  type ShopifyUserErrorItem,
} from './errors.js';
import * as ops from './operations.js';
import * as s from './schemas.js';
import { GraphqlTransport, type TransportOptions } from './transport.js';
import type { InventoryAvailability, OrderCancelReason, ShopifyOrder, ShopifyProduct, SkuVariant } from './types.js';

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

/** Options of `cancelOrder`. */
export interface CancelOrderOptions {
  reason: OrderCancelReason;
  /** Email the customer about the cancellation. Default false (TikTok tells its own buyer). */
  notifyCustomer?: boolean;
  /** Refund to the original payment methods. Default false (TikTok refunds its own buyer). */
  refund?: boolean;
  /** Put the units back in stock where the order took them. Default true. */
  restock?: boolean;
  /** Staff-only note on the cancellation (at most 255 characters). */
  staffNote?: string;
}

/** What `cancelOrder` did. */
export interface CancelOrderResult {
  order: ShopifyOrder;
  /** False when the order was already cancelled (by us earlier, or by the merchant). */
  cancelled: boolean;
}

const cancelOrderOptions = z
  .object({
    reason: z.enum(['CUSTOMER', 'DECLINED', 'FRAUD', 'INVENTORY', 'OTHER', 'STAFF']),
    notifyCustomer: z.boolean().default(false),
    refund: z.boolean().default(false),
    restock: z.boolean().default(true),
    staffNote: z.string().max(255).optional(),
  })
  .strict();

const ORDER_GID = /^gid:\/\/shopify\/Order\/\d+$/;
// Shopify does not document a maximum search length; these bounds keep each request's query
// short (and its URL-free POST body small) whatever the SKUs look like.
const SKUS_PER_SEARCH = 25;
const SEARCH_MAX_CHARS = 1500;

/**
 * Webhook topics shoptok subscribes to (each handled by apps/webhooks). `ORDERS_FULFILLED`
 * names the order, so its tracking goes to TikTok in one targeted job; the fulfilment topics
 * catch partial fulfilments and tracking edits through the fulfilment poll.
 */
/** What `getShopAccess` reads. */
export interface ShopifyShopAccess {
  name: string;
  currencyCode: string;
  scopes: string[];
}

/** A Shopify location as `listLocations` reads it. */
export interface ShopifyLocation {
  id: string;
  name: string;
  isActive: boolean;
  address: { address1: string | null; city: string | null; zip: string | null; countryCode: string | null };
}

export const SHOPTOK_WEBHOOK_TOPICS = [
  'PRODUCTS_CREATE',
  'PRODUCTS_UPDATE',
  'PRODUCTS_DELETE',
  'INVENTORY_LEVELS_UPDATE',
  'ORDERS_CANCELLED',
  'ORDERS_FULFILLED',
  'FULFILLMENTS_CREATE',
  'FULFILLMENTS_UPDATE',
] as const;
export type ShopifyWebhookTopic = (typeof SHOPTOK_WEBHOOK_TOPICS)[number];

const money = z.object({ amount: z.string().regex(/^-?\d+(\.\d+)?$/, 'a decimal string'), currencyCode: z.string().length(3) });
const address = z
  .object({
    firstName: z.string().optional(),
    lastName: z.string().optional(),
    address1: z.string().optional(),
    address2: z.string().optional(),
    city: z.string().optional(),
    province: z.string().optional(),
    provinceCode: z.string().optional(),
    zip: z.string().optional(),
    country: z.string().optional(),
    countryCode: z.string().optional(),
    phone: z.string().optional(),
    company: z.string().optional(),
  })
  .strict();

/** What a worker may put into an order made for a TikTok order (a strict subset of `OrderCreateOrderInput`). */
const moneyBag = z.object({ shopMoney: money }).strict();

/**
 * The `order` argument of `orderCreate` (OrderCreateOrderInput, 2026-10) as shoptok fills it
 * for a TikTok order: checked before it is sent, strict so a misspelt field fails here.
 */
export const tiktokOrderInput = z
  .object({
    lineItems: z
      .array(
        z
          .object({
            variantId: z.string().startsWith('gid://shopify/ProductVariant/').optional(),
            sku: z.string().optional(),
            title: z.string().optional(),
            variantTitle: z.string().optional(),
            vendor: z.string().optional(),
            quantity: z.number().int().positive(),
            priceSet: moneyBag.optional(),
            requiresShipping: z.boolean().optional(),
            taxable: z.boolean().optional(),
            properties: z.array(z.object({ name: z.string(), value: z.string() }).strict()).optional(),
          })
          .strict(),
      )
      .min(1),
    currency: z.string().length(3).optional(),
    email: z.string().optional(),
    phone: z.string().optional(),
    name: z.string().optional(),
    note: z.string().optional(),
    tags: z.array(z.string()).optional(),
    processedAt: z.string().optional(),
    // Ours wins: the client sets it to `tiktok-<order id>` (the lookup key of the guard).
    sourceIdentifier: z.string().optional(),
    sourceName: z.string().optional(),
    taxesIncluded: z.boolean().optional(),
    financialStatus: z
      .enum(['AUTHORIZED', 'EXPIRED', 'PAID', 'PARTIALLY_PAID', 'PARTIALLY_REFUNDED', 'PENDING', 'REFUNDED', 'VOIDED'])
      .optional(),
    shippingAddress: address.optional(),
    billingAddress: address.optional(),
    shippingLines: z
      .array(
        z.object({ title: z.string(), code: z.string().optional(), source: z.string().optional(), priceSet: moneyBag }).strict(),
      )
      .optional(),
    taxLines: z
      .array(
        z
          .object({
            title: z.string(),
            rate: z.string().regex(/^\d+(\.\d+)?$/),
            priceSet: moneyBag,
            channelLiable: z.boolean().optional(),
          })
          .strict(),
      )
      .optional(),
    discountCode: z
      .object({ itemFixedDiscountCode: z.object({ code: z.string(), amountSet: moneyBag }).strict() })
      .strict()
      .optional(),
    transactions: z
      .array(
        z
          .object({
            kind: z.enum(['SALE', 'AUTHORIZATION', 'CAPTURE']),
            status: z.enum(['SUCCESS', 'PENDING', 'FAILURE']),
            gateway: z.string(),
            amountSet: moneyBag,
            processedAt: z.string().optional(),
          })
          .strict(),
      )
      .optional(),
    customAttributes: z.array(z.object({ key: z.string(), value: z.string() }).strict()).optional(),
  })
  .strict();

/** The `options` argument of `orderCreate`; the default is explained in {@link ShopifyClient.createOrderOnce}. */
export const orderCreateOptionsInput = z
  .object({
    inventoryBehaviour: z
      .enum(['BYPASS', 'DECREMENT_IGNORING_POLICY', 'DECREMENT_OBEYING_POLICY'])
      .default('DECREMENT_IGNORING_POLICY'),
    sendReceipt: z.boolean().default(false),
    sendFulfillmentReceipt: z.boolean().default(false),
  })
  .strict();
export type OrderCreateOptions = z.input<typeof orderCreateOptionsInput>;

export type TikTokOrderInput = z.infer<typeof tiktokOrderInput>;

const claimRecord = z.discriminatedUnion('state', [
  z.object({ state: z.literal('claimed'), token: z.string(), at: z.number() }),
  z.object({ state: z.literal('created'), orderId: z.string(), at: z.number() }),
]);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// Deletes the claim only if it is still ours (another worker may hold it after ours expired).
const RELEASE_CLAIM = `
local v = redis.call('GET', KEYS[1])
if v and string.find(v, ARGV[1], 1, true) then return redis.call('DEL', KEYS[1]) end
return 0
`;

// Extends the claim to a full TTL only if it is still ours (it may have lapsed during the lookup).
const RENEW_CLAIM = `
local v = redis.call('GET', KEYS[1])
if v and string.find(v, ARGV[1], 1, true) then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_THROTTLE_WAIT_MS = 20_000;

/**
 * Request timeout and longest throttle wait that fit inside an order-create claim of
 * `orderClaimTtlMs` (the constructor refuses a claim shorter than one call): the defaults
 * (30 s, 20 s) when they fit, else 60 % / 40 % of the claim, so a short claim (fast crash
 * recovery) still outlasts any orderCreate call.
 */
export function requestTimingsForClaim(orderClaimTtlMs: number): { timeoutMs: number; maxThrottleWaitMs: number } {
  if (orderClaimTtlMs >= DEFAULT_TIMEOUT_MS + DEFAULT_MAX_THROTTLE_WAIT_MS)
    return { timeoutMs: DEFAULT_TIMEOUT_MS, maxThrottleWaitMs: DEFAULT_MAX_THROTTLE_WAIT_MS };
  const timeoutMs = Math.floor(orderClaimTtlMs * 0.6);
  return { timeoutMs, maxThrottleWaitMs: orderClaimTtlMs - timeoutMs };
}

/**
 * The Shopify Admin GraphQL (2026-10) client of one store: products, inventory, orders,
 * fulfilments and webhook subscriptions, paced on the store's shared cost bucket.
 */
export class ShopifyClient {
  private readonly transport: GraphqlTransport;

  constructor(private readonly options: ShopifyClientOptions) {
    this.transport = new GraphqlTransport(options);
    const claimTtl = options.orderClaimTtlMs ?? 300_000;
    if (claimTtl < (options.timeoutMs ?? DEFAULT_TIMEOUT_MS) + (options.maxThrottleWaitMs ?? DEFAULT_MAX_THROTTLE_WAIT_MS)) {
      throw new ShopifyConfigError('orderClaimTtlMs must outlast one orderCreate call (timeoutMs + maxThrottleWaitMs).');
    }
  }

  /** Releases this client's routing entry. Redis stays the caller's to close. */
  close(): void {
    this.transport.close();
  }

  /** The shared cost-bucket state of this store, as last seen (for dashboards). */
  bucketSnapshot() {
    return this.transport.pacer.snapshot();
  }

  // ---- products -------------------------------------------------------------------------

  /** One page of products (with all their variants), optionally only those changed since a time. */
  async listProductsPage(
    params: { after?: string | null; updatedSince?: Date; pageSize?: number } = {},
  ): Promise<{ products: ShopifyProduct[]; hasNextPage: boolean; endCursor: string | null }> {
    const { data } = await this.transport.request(
      'ProductsPage',
      ops.PRODUCTS_PAGE,
      { first: params.pageSize ?? 5, after: params.after ?? null, query: searchFor(params.updatedSince) },
      s.productsPageData,
    );
    const products: ShopifyProduct[] = [];
    for (const node of data.products.nodes) {
      const product = toProduct(node);
      let page = node.variants.pageInfo;
      while (page.hasNextPage) {
        const more = await this.transport.request(
          'ProductVariantsPage',
          ops.PRODUCT_VARIANTS_PAGE,
          { id: node.id, after: page.endCursor },
          s.productVariantsPageData,
        );
        if (!more.data.product) break; // deleted while we paged
        product.variants.push(...more.data.product.variants.nodes.map(toVariant));
        page = more.data.product.variants.pageInfo;
      }
      // All of them: a collection missed here would make the collections filter drop the product.
      let collections = node.collections.pageInfo;
      while (collections.hasNextPage) {
        const more = await this.transport.request(
          'ProductCollectionsPage',
          ops.PRODUCT_COLLECTIONS_PAGE,
          { id: node.id, after: collections.endCursor },
          s.productCollectionsPageData,
        );
        if (!more.data.product) break;
        product.collections.push(...more.data.product.collections.nodes.map((c) => ({ id: c.id, handle: c.handle })));
        collections = more.data.product.collections.pageInfo;
      }
      products.push(product);
    }
    return { products, hasNextPage: data.products.pageInfo.hasNextPage, endCursor: data.products.pageInfo.endCursor };
  }

  /** Every matching product, page by page (cursor pagination). */
  async *iterateProducts(params: { updatedSince?: Date; pageSize?: number } = {}): AsyncGenerator<ShopifyProduct[]> {
    let after: string | null = null;
    for (;;) {
      const page = await this.listProductsPage({ ...params, after });
      if (page.products.length > 0) yield page.products;
      if (!page.hasNextPage || !page.endCursor) return;
      after = page.endCursor;
    }
  }

  /** How many products match (`exact` is false when Shopify capped the count). */
  async countProducts(params: { updatedSince?: Date } = {}): Promise<{ count: number; exact: boolean }> {
    const { data } = await this.transport.request(
      'ProductsCount',
      ops.PRODUCTS_COUNT,
      { query: searchFor(params.updatedSince) },
      s.productsCountData,
    );
    return { count: data.productsCount?.count ?? 0, exact: data.productsCount?.precision !== 'AT_LEAST' };
  }

  /** The shop's currency (ISO 4217): Shopify prices and order amounts are in it. */
  async getShopCurrency(): Promise<string> {
    const { data } = await this.transport.request('ShopCurrency', ops.SHOP_CURRENCY, {}, s.shopCurrencyData);
    return data.shop.currencyCode;
  }

  private bulkBusyRetryMs(): number {
    return this.options.bulkBusyRetryMs ?? 30_000;
  }

  /** Every matching product through one bulk operation (JSONL), for catalogues too big to page. */
  async exportProductsBulk(params: { updatedSince?: Date } = {}): Promise<ShopifyProduct[]> {
    const search = searchFor(params.updatedSince) ?? '';
    const assembler = new BulkProductAssembler();
    await this.runBulkQuery(ops.BULK_PRODUCTS_INNER.replace('"__SEARCH__"', JSON.stringify(search)), (line, n) =>
      assembler.add(line, n),
    );
    return assembler.finish();
  }

  /**
   * Runs one bulk query to completion and hands its JSONL to `onLine` line by line as it
   * downloads (a 100,000-SKU store's file is tens of MB: never held whole). No file when
   * nothing matched.
   */
  private async runBulkQuery(inner: string, onLine: BulkLineHandler): Promise<void> {
    const run = await this.transport.request('BulkRunQuery', ops.BULK_RUN_QUERY, { query: inner }, s.bulkRunData);
    const payload = run.data.bulkOperationRunQuery;
    if (payload.userErrors.length > 0 || !payload.bulkOperation) {
      // The app already runs as many bulk queries as the shop allows (2026-10: five, LIMIT_REACHED;
      // OPERATION_IN_PROGRESS in versions that allowed one). Ours end within bulkTimeoutMs and a
      // killed worker's still completes on Shopify's side, so a slot frees up: the job comes back
      // later without spending an attempt, instead of failing the sync.
      const busy = payload.userErrors.find((e) => e.code === 'OPERATION_IN_PROGRESS' || e.code === 'LIMIT_REACHED');
      if (busy && (await this.cancelAbandonedBulkQueries()) > 0) {
        throw new ShopifyBulkBusyError(
          `Shopify runs as many bulk queries for this store as it allows (${busy.code}); cancelled shoptok's abandoned ones, trying again in 5 s.`,
          { code: busy.code ?? 'OPERATION_IN_PROGRESS', operation: 'BulkRunQuery' },
          5_000,
        );
      }
      if (busy)
        throw new ShopifyBulkBusyError(
          `Shopify runs as many bulk queries for this store as it allows (${busy.code}); trying again in ${Math.round(this.bulkBusyRetryMs() / 1000)} s.`,
          { code: busy.code ?? 'OPERATION_IN_PROGRESS', operation: 'BulkRunQuery' },
          this.bulkBusyRetryMs(),
        );
      throw new ShopifyUserError('bulkOperationRunQuery', payload.userErrors, { requestId: run.requestId });
    }
    const id = payload.bulkOperation.id;
    // Remembered while it runs: if this worker dies, the next one that finds the shop's bulk
    // slots full cancels it once no runner can still be waiting for it (see cancelAbandonedBulkQueries).
    await this.options.redis.hset(this.runningBulkKey(), id, String(Date.now()));
    await this.options.redis.pexpire(this.runningBulkKey(), 7 * 24 * 3_600_000);
    try {
      await this.awaitBulkQuery(id, onLine);
    } finally {
      await this.options.redis.hdel(this.runningBulkKey(), id).catch(() => undefined);
    }
  }

  private runningBulkKey(): string {
    return `${this.options.keyPrefix}:{${this.options.storeId}}:shopify:bulk-running`;
  }

  /**
   * Cancels this store's bulk queries that shoptok started longer ago than `bulkTimeoutMs`: their
   * runner gave up on them or died, so they only hold one of the shop's few bulk slots. Only ids
   * shoptok recorded are touched (another app's or a merchant's own operations never are).
   * Resolves how many it cancelled; a failure here is only logged.
   */
  private async cancelAbandonedBulkQueries(): Promise<number> {
    const staleBefore = Date.now() - (this.options.bulkTimeoutMs ?? 30 * 60_000);
    let cancelled = 0;
    try {
      const running = await this.options.redis.hgetall(this.runningBulkKey());
      for (const [id, startedAt] of Object.entries(running)) {
        if (Number(startedAt) > staleBefore) continue;
        const { data } = await this.transport.request('BulkOperationCancel', ops.BULK_OPERATION_CANCEL, { id }, s.bulkCancelData);
        await this.options.redis.hdel(this.runningBulkKey(), id);
        // A userError means it already ended (completed, failed or cancelled): its slot is free anyway.
        if (data.bulkOperationCancel.userErrors.length === 0) cancelled += 1;
        this.options.logger?.warn(
          { store: this.options.storeId, bulkOperation: id, startedAt: new Date(Number(startedAt)).toISOString() },
          'shopify: cancelled an abandoned bulk query of shoptok',
        );
      }
    } catch (err) {
      this.options.logger?.warn(
        { store: this.options.storeId, err: (err as Error).message },
        'shopify: could not cancel abandoned bulk queries',
      );
    }
    return cancelled;
  }

  private async awaitBulkQuery(id: string, onLine: BulkLineHandler): Promise<void> {
    const deadline = Date.now() + (this.options.bulkTimeoutMs ?? 30 * 60_000);
    let polls = 0;
    for (;;) {
      const { data } = await this.transport.request('BulkOperationStatus', ops.BULK_OPERATION_STATUS, { id }, s.bulkStatusData);
      const op = data.bulkOperation;
      if (!op)
        throw new ShopifyBulkOperationError(`Bulk operation ${id} disappeared.`, true, { operation: 'BulkOperationStatus' });
      if (op.status === 'COMPLETED') {
        if (!op.url) return; // Shopify gives no file when nothing matched
        const res = await this.transport.download(op.url);
        if (!res.ok || !res.body)
          throw new ShopifyBulkOperationError(`Downloading bulk result ${id} failed with HTTP ${res.status}.`, true, {
            code: String(res.status),
          });
        try {
          await forEachBulkLine(res.body as WebReadableStream<Uint8Array>, onLine);
        } catch (err) {
          if (!(err instanceof BulkDownloadError)) throw err; // the line handler's own error
          throw new ShopifyBulkOperationError(`Downloading bulk result ${id} broke off: ${(err as Error).message}`, true, {
            code: 'DOWNLOAD',
          });
        }
        return;
      }
      if (op.status === 'FAILED' || op.status === 'CANCELED' || op.status === 'EXPIRED') {
        throw new ShopifyBulkOperationError(
          `Bulk operation ${id} ended ${op.status}${op.errorCode ? ` (${op.errorCode})` : ''}.`,
          op.status === 'FAILED',
          { code: op.errorCode ?? op.status },
        );
      }
      if (Date.now() > deadline) {
        // Nobody will read it: free its slot of the shop's bulk queries.
        await this.transport
          .request('BulkOperationCancel', ops.BULK_OPERATION_CANCEL, { id }, s.bulkCancelData)
          .catch(() => undefined);
        throw new ShopifyBulkOperationError(`Bulk operation ${id} still ${op.status} after the timeout; cancelled.`, true, {
          code: 'TIMEOUT',
        });
      }
      // Poll soon at first (a small store's export takes a second or two), then every interval.
      await sleep(Math.min(this.options.bulkPollIntervalMs ?? 1000, 250 * 2 ** polls++));
    }
  }

  /**
   * The whole (or changed) catalogue: pages for small sets, a bulk operation from `bulkThreshold`
   * on (`params.bulkThreshold` overrides it for one call, e.g. a stock sync that pays for pages'
   * media and descriptions it does not use).
   */
  async fetchCatalogue(
    params: { updatedSince?: Date; bulkThreshold?: number } = {},
  ): Promise<{ products: ShopifyProduct[]; via: 'pages' | 'bulk'; counted: number }> {
    const { count, exact } = await this.countProducts(params);
    if (!exact || count >= (params.bulkThreshold ?? this.options.bulkThreshold ?? 2000)) {
      return { products: await this.exportProductsBulk(params), via: 'bulk', counted: count };
    }
    const products: ShopifyProduct[] = [];
    for await (const page of this.iterateProducts(params)) products.push(...page);
    return { products, via: 'pages', counted: count };
  }

  // ---- inventory ------------------------------------------------------------------------

  /**
   * Streams the store's stock: one bulk export of every inventory item with its variant, its
   * product's status and the available stock at `locationIds` (at most
   * STOCK_EXPORT_MAX_LOCATIONS), each item handed to `onItem` as its line downloads. A slow
   * `onItem` holds the download, so memory stays bounded however big the store.
   */
  async streamStock(locationIds: readonly string[], onItem: (item: StockExportItem) => void | Promise<void>): Promise<void> {
    const query = stockExportQuery(locationIds);
    await this.runBulkQuery(query, (line, n) => {
      const item = parseStockExportLine(line, n, locationIds);
      return item ? onItem(item) : undefined;
    });
  }

  /**
   * Available quantity per location for each inventory item (unknown ids are skipped). Many
   * items are read with one bulk export of the store's stock (a few points instead of about 10
   * an item); a few (a webhook, a small store) with paged queries, 25 items a request.
   */
  async getAvailableInventory(inventoryItemIds: readonly string[]): Promise<InventoryAvailability[]> {
    const out: InventoryAvailability[] = [];
    const ids = [...new Set(inventoryItemIds)];
    if (ids.length >= (this.options.bulkInventoryThreshold ?? 500)) {
      const assembler = new BulkInventoryAssembler(new Set(ids));
      await this.runBulkQuery(ops.BULK_INVENTORY_INNER, (line, n) => assembler.add(line, n));
      return assembler.levels;
    }
    for (let i = 0; i < ids.length; i += 25) {
      const { data } = await this.transport.request(
        'InventoryLevels',
        ops.INVENTORY_LEVELS,
        { ids: ids.slice(i, i + 25) },
        s.inventoryLevelsData,
      );
      for (const item of data.nodes) {
        if (!item || !('id' in item)) continue;
        pushLevels(out, item.id, item.inventoryLevels.nodes);
        let page = item.inventoryLevels.pageInfo;
        while (page.hasNextPage) {
          const more = await this.transport.request(
            'InventoryItemLevels',
            ops.INVENTORY_ITEM_LEVELS,
            { id: item.id, after: page.endCursor },
            s.inventoryItemLevelsData,
          );
          if (!more.data.inventoryItem) break;
          pushLevels(out, item.id, more.data.inventoryItem.inventoryLevels.nodes);
          page = more.data.inventoryItem.inventoryLevels.pageInfo;
        }
      }
    }
    return out;
  }

  /**
   * The variants whose SKU is exactly one of `skus` (case-sensitive, as Shopify's SKUs are).
   * A SKU with no entry does not exist (or its product was deleted); several entries mean the
   * SKU is duplicated. Blank SKUs are ignored. Batched and paced like every other request.
   */
  async getVariantsBySku(skus: readonly string[]): Promise<SkuVariant[]> {
    const wanted = [...new Set(skus.filter((sku) => sku.trim() !== ''))];
    const out: SkuVariant[] = [];
    const seen = new Set<string>();
    for (const batch of skuSearchBatches(wanted)) {
      const exact = new Set(batch);
      const query = batch.map((sku) => `sku:${quoteSearchValue(sku)}`).join(' OR ');
      let after: string | null = null;
      for (;;) {
        const { data }: { data: z.infer<typeof s.variantsBySkuData> } = await this.transport.request(
          'VariantsBySku',
          ops.VARIANTS_BY_SKU,
          { first: 100, after, query },
          s.variantsBySkuData,
        );
        for (const v of data.productVariants.nodes) {
          // Search is fuzzy (case, SKU fragments): only an exact SKU counts.
          if (v.sku === null || !exact.has(v.sku) || seen.has(v.id)) continue;
          seen.add(v.id);
          out.push({
            id: v.id,
            sku: v.sku,
            title: v.title,
            price: v.price,
            inventoryItemId: v.inventoryItem.id,
            tracked: v.inventoryItem.tracked,
            productId: v.product.id,
            productTitle: v.product.title,
            productStatus: v.product.status,
          });
        }
        if (!data.productVariants.pageInfo.hasNextPage || !data.productVariants.pageInfo.endCursor) break;
        after = data.productVariants.pageInfo.endCursor;
      }
    }
    return out;
  }

  // ---- orders ---------------------------------------------------------------------------

  /** One order with fulfilments (tracking number, company, URL) and cancellation; null if gone. */
  async getOrder(orderId: string): Promise<ShopifyOrder | null> {
    const { data } = await this.transport.request('OrderById', ops.ORDER_BY_ID, { id: orderId }, s.orderByIdData);
    return data.order;
  }

  /**
   * Orders carrying `tag` (default `tiktok`, the tag `createOrderOnce` sets) updated at or after
   * `since`, oldest change first, one page at a time, with fulfilments and cancellation.
   */
  async *iterateOrdersUpdatedSince(
    since: Date,
    options: { tag?: string; pageSize?: number } = {},
  ): AsyncGenerator<ShopifyOrder[]> {
    if (Number.isNaN(since.getTime()))
      throw new ShopifyClientError('iterateOrdersUpdatedSince needs a valid date.', false, { operation: 'OrdersUpdatedPage' });
    const tag = options.tag ?? 'tiktok';
    const query = `tag:${quoteSearchValue(tag)} updated_at:>='${since.toISOString()}'`;
    // About 120 cost points per order (20 fulfilments x 5 tracking numbers): 5 stays far below 1,000.
    const first = Math.min(Math.max(options.pageSize ?? 5, 1), 8);
    let after: string | null = null;
    for (;;) {
      const { data }: { data: z.infer<typeof s.ordersUpdatedPageData> } = await this.transport.request(
        'OrdersUpdatedPage',
        ops.ORDERS_UPDATED_PAGE,
        { first, after, query },
        s.ordersUpdatedPageData,
      );
      // Search is fuzzy: keep only orders that really carry the tag and changed in the window.
      const orders = data.orders.nodes.filter((o) => o.tags.includes(tag) && Date.parse(o.updatedAt) >= since.getTime());
      if (orders.length > 0) yield orders;
      if (!data.orders.pageInfo.hasNextPage || !data.orders.pageInfo.endCursor) return;
      after = data.orders.pageInfo.endCursor;
    }
  }

  /**
   * Every order of ours (tagged `tag`, default `tiktok`) updated since `since`, for the fulfilment
   * poll. Store `nextSince` and pass it next time: it overlaps the last window by `overlapMs`
   * (default 2 min) because Shopify's search indexes changes a little late; re-reading an order
   * is harmless.
   */
  async getOrdersUpdatedSince(
    since: Date,
    options: { tag?: string; pageSize?: number; overlapMs?: number } = {},
  ): Promise<{ orders: ShopifyOrder[]; nextSince: Date }> {
    const byId = new Map<string, ShopifyOrder>();
    let latest = since.getTime();
    for await (const page of this.iterateOrdersUpdatedSince(since, options)) {
      for (const order of page) {
        // An order changed while we paged shows up again later in the list: keep the newest.
        byId.set(order.id, order);
        latest = Math.max(latest, Date.parse(order.updatedAt));
      }
    }
    const nextSince = new Date(Math.max(since.getTime(), latest - (options.overlapMs ?? 120_000)));
    return { orders: [...byId.values()], nextSince };
  }

  /**
   * Cancels a Shopify order (`orderCancel`, which Shopify runs as a job) and waits for the job.
   * Idempotent: an order that is already cancelled is a success with `cancelled: false`.
   */
  async cancelOrder(orderId: string, options: CancelOrderOptions): Promise<CancelOrderResult> {
    if (!ORDER_GID.test(orderId))
      throw new ShopifyClientError(`"${orderId}" is not a Shopify order id (gid://shopify/Order/<n>).`, false, {
        operation: 'OrderCancel',
      });
    const parsed = cancelOrderOptions.safeParse(options);
    if (!parsed.success)
      throw new ShopifyClientError(`Cancel options for ${orderId} are invalid: ${parsed.error.message}`, false, {
        operation: 'OrderCancel',
      });
    const o = parsed.data;

    const current = await this.getOrder(orderId);
    if (!current)
      throw new ShopifyClientError(`Shopify order ${orderId} does not exist (deleted?); nothing to cancel.`, false, {
        code: 'NOT_FOUND',
        operation: 'OrderCancel',
      });
    if (current.cancelledAt) return { order: current, cancelled: false };

    // A job an earlier attempt started and left running: wait for it rather than sending a
    // second orderCancel, which Shopify would refuse while the first one runs.
    const pendingKey = `${this.options.keyPrefix}:{${this.options.storeId}}:shopify:cancel:${orderId.slice(orderId.lastIndexOf('/') + 1)}`;
    const pendingJob = await this.options.redis.get(pendingKey);
    if (pendingJob) return this.awaitCancellation(orderId, { id: pendingJob, done: false, errors: [] }, undefined, pendingKey);

    const { data, requestId } = await this.transport.request(
      'OrderCancel',
      ops.ORDER_CANCEL,
      {
        orderId,
        reason: o.reason,
        notifyCustomer: o.notifyCustomer,
        restock: o.restock,
        // 2026-10: `refund` is deprecated; no refundMethod means no refund (authorisations are voided regardless).
        refundMethod: o.refund ? { originalPaymentMethodsRefund: true } : null,
        staffNote: o.staffNote ?? null,
      },
      s.orderCancelData,
      // Not re-sent by the transport: after a lost answer the job may be running, and a second
      // orderCancel would be refused. The caller's retry re-reads the order first instead.
      { notIdempotent: true },
    );
    const payload = data.orderCancel;
    const errors = payload?.orderCancelUserErrors ?? [];
    if (errors.length > 0 || !payload?.jobResult) {
      // The merchant (or a lost earlier attempt of ours) cancelled it meanwhile: the goal is met.
      const after = await this.getOrder(orderId);
      if (after?.cancelledAt) return { order: after, cancelled: false };
      throw new ShopifyUserError(
        'orderCancel',
        errors.length > 0 ? errors : [{ field: null, message: 'no cancellation job returned' }],
        { requestId },
      );
    }
    const job = payload.jobResult;
    if (job.status === 'FAILED') this.cancelFailed(orderId, job.errors, requestId);
    if (job.done && job.order?.cancelledAt) return { order: job.order, cancelled: true };
    await this.options.redis.set(pendingKey, job.id, 'PX', Math.max(10 * 60_000, (this.options.cancelWaitMs ?? 20_000) * 3));
    return this.awaitCancellation(orderId, job, requestId, pendingKey);
  }

  private async awaitCancellation(
    orderId: string,
    job: { id: string; done: boolean; errors: ShopifyUserErrorItem[] },
    requestId: string | undefined,
    pendingKey: string,
  ): Promise<CancelOrderResult> {
    const deadline = Date.now() + (this.options.cancelWaitMs ?? 20_000);
    for (;;) {
      const { data } = await this.transport.request('JobStatus', ops.JOB_STATUS, { id: job.id }, s.jobStatusData);
      const order = await this.getOrder(orderId);
      if (order?.cancelledAt) {
        await this.options.redis.del(pendingKey);
        return { order, cancelled: true };
      }
      // Done (or gone) without a cancellation: the job failed; its errors were only in the mutation's answer.
      if (!data.job || data.job.done) {
        await this.options.redis.del(pendingKey);
        this.cancelFailed(orderId, job.errors, requestId);
      }
      if (Date.now() > deadline) {
        throw new ShopifyTransientError(
          `Shopify is still cancelling order ${orderId} (job ${job.id}); check again later.`,
          undefined,
          { code: 'CANCEL_PENDING', operation: 'OrderCancel', requestId },
        );
      }
      await sleep(this.options.cancelPollIntervalMs ?? 500);
    }
  }

  private cancelFailed(orderId: string, errors: readonly ShopifyUserErrorItem[], requestId: string | undefined): never {
    throw new ShopifyUserError(
      'orderCancel',
      errors.length > 0
        ? errors
        : [
            {
              field: null,
              message: `Shopify's cancellation job for ${orderId} ended without cancelling it; check the order in the Shopify admin.`,
            },
          ],
      { requestId },
    );
  }

  /** The Shopify order made for a TikTok order, found by the `sourceIdentifier` we set. */
  async findOrderForTikTok(tiktokOrderId: string): Promise<ShopifyOrder | null> {
    const ident = sourceIdentifierFor(tiktokOrderId);
    const { data } = await this.transport.request(
      'OrdersSearch',
      ops.ORDERS_SEARCH,
      { query: `source_identifier:'${ident}'` },
      s.ordersSearchData,
    );
    // Search is fuzzy; only an exact match counts.
    return data.orders.nodes.find((o) => o.sourceIdentifier === ident) ?? null;
  }

  /**
   * Creates the Shopify order for a TikTok order at most once, across retries, crashes and
   * concurrent workers: a claim in Redis, then a lookup by `sourceIdentifier`, then `orderCreate`.
   */
  async createOrderOnce(
    tiktokOrderId: string,
    input: TikTokOrderInput,
    options: OrderCreateOptions = {},
  ): Promise<{ order: ShopifyOrder; created: boolean }> {
    const ident = sourceIdentifierFor(tiktokOrderId);
    const parsedInput = tiktokOrderInput.safeParse(input);
    if (!parsedInput.success)
      throw new ShopifyClientError(
        `Order input for TikTok order ${tiktokOrderId} is invalid: ${parsedInput.error.message}`,
        false,
        { operation: 'OrderCreate' },
      );
    const parsedOptions = orderCreateOptionsInput.safeParse(options);
    if (!parsedOptions.success)
      throw new ShopifyClientError(
        `orderCreate options for TikTok order ${tiktokOrderId} are invalid: ${parsedOptions.error.message}`,
        false,
        { operation: 'OrderCreate' },
      );
    const redis = this.options.redis;
    const key = `${this.options.keyPrefix}:{${this.options.storeId}}:shopify:order:${tiktokOrderId}`;

    const known = await this.readClaim(key);
    if (known?.state === 'created') return { order: await this.recordedOrder(tiktokOrderId, known.orderId), created: false };

    const token = randomUUID();
    const claimed = await redis.set(
      key,
      JSON.stringify({ state: 'claimed', token, at: Date.now() }),
      'PX',
      this.options.orderClaimTtlMs ?? 300_000,
      'NX',
    );
    if (claimed !== 'OK') {
      const now = await this.readClaim(key);
      if (now?.state === 'created') return { order: await this.recordedOrder(tiktokOrderId, now.orderId), created: false };
      // Try again when the claim lapses (then the lookup finds an order a crashed attempt made).
      const lapsesInMs = await redis.pttl(key);
      throw new ShopifyOrderClaimBusyError(
        `TikTok order ${tiktokOrderId} is being created by another worker (or its last attempt ended unsure); retry after the claim lapses.`,
        { operation: 'OrderCreate' },
        Math.max(lapsesInMs, 0) + 250,
      );
    }

    let sent = false;
    try {
      const existing = await this.findOrderForTikTok(tiktokOrderId);
      if (existing) {
        await this.remember(key, existing.id);
        return { order: existing, created: false };
      }
      const tags = [...new Set([...(parsedInput.data.tags ?? []), 'tiktok', `tiktok-order-${tiktokOrderId}`])];
      // A slow lookup eats into the claim: renew it so a whole TTL covers orderCreate, or stop
      // if it already lapsed (another attempt may be creating this order now).
      const renewed = await redis.eval(RENEW_CLAIM, 1, key, token, String(this.options.orderClaimTtlMs ?? 300_000));
      if (renewed !== 1) {
        throw new ShopifyOrderClaimBusyError(
          `TikTok order ${tiktokOrderId}: the claim lapsed before orderCreate was sent; another attempt may hold it now.`,
          { operation: 'OrderCreate' },
          Math.max(await redis.pttl(key), 0) + 250,
        );
      }
      sent = true;
      const { data, requestId } = await this.transport.request(
        'OrderCreate',
        ops.ORDER_CREATE,
        {
          order: { ...parsedInput.data, tags, sourceIdentifier: ident },
          // Default DECREMENT_IGNORING_POLICY: TikTok already sold these units, so Shopify's stock
          // must go down so the web store does not sell them again, and it must go down even if
          // Shopify thinks it is out (the sale happened; refusing it loses a paid order). BYPASS
          // (Shopify's default) would leave stock too high; DECREMENT_OBEYING_POLICY would reject
          // the order on a stock race. A store's rules may choose otherwise.
          options: parsedOptions.data,
        },
        s.orderCreateData,
        { notIdempotent: true },
      );
      const payload = data.orderCreate;
      if (!payload || payload.userErrors.length > 0 || !payload.order) {
        sent = false; // rejected: nothing was created
        throw new ShopifyUserError('orderCreate', payload?.userErrors ?? [{ field: null, message: 'no order returned' }], {
          requestId,
        });
      }
      await this.remember(key, payload.order.id);
      this.options.logger?.info(
        { store: this.options.storeId, tiktokOrderId, orderId: payload.order.id },
        'shopify: order created',
      );
      return { order: payload.order, created: true };
    } catch (err) {
      // Release the claim only when we know no order was made. After an unknown outcome
      // (timeout, 5xx, crash) the claim holds until it lapses, so the next attempt's lookup runs
      // once Shopify's search has indexed an order that may have been created.
      // Unknown: no answer (timeout, 5xx, reset), an answer we could not read, or anything unexpected.
      const unknownOutcome =
        sent &&
        (err instanceof ShopifyTransientError ||
          err instanceof ShopifyResponseShapeError ||
          !(err instanceof ShopifyClientError));
      if (!unknownOutcome) await redis.eval(RELEASE_CLAIM, 1, key, token);
      // Shopify may still run a request we gave up on (a timeout only ends our wait): hold the
      // claim a whole TTL from now, not just what is left of it, so the next attempt's lookup
      // comes after that late order and after Shopify's search has indexed it.
      else await redis.eval(RENEW_CLAIM, 1, key, token, String(this.options.orderClaimTtlMs ?? 300_000)).catch(() => undefined);
      throw err;
    }
  }

  private async readClaim(key: string) {
    const raw = await this.options.redis.get(key);
    if (raw === null) return null;
    const parsed = claimRecord.safeParse(safeJson(raw));
    return parsed.success ? parsed.data : null;
  }

  private async remember(key: string, orderId: string): Promise<void> {
    await this.options.redis.set(
      key,
      JSON.stringify({ state: 'created', orderId, at: Date.now() }),
      'PX',
      this.options.orderRecordTtlMs ?? 30 * 24 * 3600_000,
    );
  }

  private async recordedOrder(tiktokOrderId: string, orderId: string): Promise<ShopifyOrder> {
    const order = await this.getOrder(orderId);
    if (!order) {
      // Never recreate on our own: a merchant may have deleted it on purpose.
      throw new ShopifyClientError(
        `TikTok order ${tiktokOrderId} was created as ${orderId}, which no longer exists in Shopify; resolve it by hand.`,
        false,
        { operation: 'OrderById' },
      );
    }
    return order;
  }

  // ---- onboarding --------------------------------------------------------------------------

  /** The shop's name and currency and the access scopes granted to this app (a working token is proven by the answer). */
  async getShopAccess(): Promise<ShopifyShopAccess> {
    const { data } = await this.transport.request('ShopAccess', ops.SHOP_ACCESS, {}, s.shopAccessData);
    return {
      name: data.shop.name,
      currencyCode: data.shop.currencyCode,
      scopes: data.currentAppInstallation.accessScopes.map((scope) => scope.handle),
    };
  }

  /** The shop's active locations with their addresses (needs `read_locations`). */
  async listLocations(): Promise<ShopifyLocation[]> {
    const out: ShopifyLocation[] = [];
    let after: string | null = null;
    for (;;) {
      const { data }: { data: z.infer<typeof s.locationsPageData> } = await this.transport.request(
        'LocationsPage',
        ops.LOCATIONS_PAGE,
        { after },
        s.locationsPageData,
      );
      out.push(...data.locations.nodes);
      if (!data.locations.pageInfo.hasNextPage) return out;
      after = data.locations.pageInfo.endCursor;
    }
  }

  // ---- webhook subscriptions ------------------------------------------------------------

  /** Every webhook subscription of this app on this store. */
  async listWebhookSubscriptions(): Promise<{ id: string; topic: string; uri: string }[]> {
    const out: { id: string; topic: string; uri: string }[] = [];
    let after: string | null = null;
    for (;;) {
      const { data }: { data: z.infer<typeof s.webhookSubscriptionsData> } = await this.transport.request(
        'WebhookSubscriptions',
        ops.WEBHOOK_SUBSCRIPTIONS,
        { after },
        s.webhookSubscriptionsData,
      );
      out.push(...data.webhookSubscriptions.nodes);
      if (!data.webhookSubscriptions.pageInfo.hasNextPage) return out;
      after = data.webhookSubscriptions.pageInfo.endCursor;
    }
  }

  /**
   * Makes each topic deliver to `uri`: creates what is missing and removes subscriptions of
   * those topics that point elsewhere (left over from an old URL). Other topics are untouched.
   */
  async ensureWebhookSubscriptions(params: {
    uri: string;
    topics?: readonly ShopifyWebhookTopic[];
  }): Promise<{ created: string[]; deleted: string[] }> {
    const topics = params.topics ?? SHOPTOK_WEBHOOK_TOPICS;
    const existing = await this.listWebhookSubscriptions();
    const created: string[] = [];
    const deleted: string[] = [];
    for (const topic of topics) {
      const mine = existing.filter((w) => w.topic === topic);
      if (!mine.some((w) => w.uri === params.uri)) {
        const { data, requestId } = await this.transport.request(
          'WebhookSubscriptionCreate',
          ops.WEBHOOK_SUBSCRIPTION_CREATE,
          { topic, uri: params.uri },
          s.webhookCreateData,
        );
        const p = data.webhookSubscriptionCreate;
        if (!p || p.userErrors.length > 0 || !p.webhookSubscription)
          throw new ShopifyUserError('webhookSubscriptionCreate', p?.userErrors ?? [], { requestId });
        created.push(topic);
      }
      for (const stale of mine.filter((w) => w.uri !== params.uri)) {
        const { data, requestId } = await this.transport.request(
          'WebhookSubscriptionDelete',
          ops.WEBHOOK_SUBSCRIPTION_DELETE,
          { id: stale.id },
          s.webhookDeleteData,
        );
        const p = data.webhookSubscriptionDelete;
        if (p && p.userErrors.length > 0) throw new ShopifyUserError('webhookSubscriptionDelete', p.userErrors, { requestId });
        deleted.push(stale.id);
      }
    }
    return { created, deleted };
  }
}

function searchFor(updatedSince: Date | undefined): string | null {
  // >= so a product updated in the same second as the last cursor is not missed (re-reading is harmless).
  return updatedSince ? `updated_at:>='${updatedSince.toISOString()}'` : null;
}

/** A search value in double quotes, with `\\` and `"` escaped (Shopify search syntax). */
export function quoteSearchValue(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** Splits SKUs into searches of at most SKUS_PER_SEARCH terms and SEARCH_MAX_CHARS characters. */
function skuSearchBatches(skus: readonly string[]): string[][] {
  const batches: string[][] = [];
  let current: string[] = [];
  let length = 0;
  for (const sku of skus) {
    const termLength = `sku:${quoteSearchValue(sku)}`.length + 4; // + " OR "
    if (termLength > SEARCH_MAX_CHARS)
      throw new ShopifyClientError(`SKU "${sku.slice(0, 40)}…" is too long to search for.`, false, {
        operation: 'VariantsBySku',
      });
    if (current.length > 0 && (current.length >= SKUS_PER_SEARCH || length + termLength > SEARCH_MAX_CHARS)) {
      batches.push(current);
      current = [];
      length = 0;
    }
    current.push(sku);
    length += termLength;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** The `sourceIdentifier` we give the Shopify order made for a TikTok order. */
export function sourceIdentifierFor(tiktokOrderId: string): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(tiktokOrderId))
    throw new ShopifyClientError(`"${tiktokOrderId}" is not a TikTok order id.`, false);
  return `tiktok-${tiktokOrderId}`;
}

function pushLevels(
  out: InventoryAvailability[],
  inventoryItemId: string,
  levels: { location: { id: string }; quantities: { name: string; quantity: number }[] }[],
) {
  for (const level of levels) {
    const available = level.quantities.find((q) => q.name === 'available');
    if (available) out.push({ inventoryItemId, locationId: level.location.id, available: available.quantity });
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
