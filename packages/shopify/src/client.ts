import type { z } from 'zod';
import { BulkInventoryAssembler, BulkProductAssembler, toProduct, toVariant } from './bulk.js';
import { BulkQueryRunner } from './bulk-runner.js';
import { parseStockExportLine, stockExportQuery, type StockExportItem } from './stock-export.js';
import type { ClientContext, ShopifyClientOptions } from './context.js';
import { ShopifyClientError } from './errors.js';
import * as ops from './operations.js';
import { type CancelOrderOptions, type CancelOrderResult, OrderCanceller } from './order-cancel.js';
import { assertClaimOutlastsOneCall, OrderCreator } from './order-create.js';
import type { OrderCreateOptions, TikTokOrderInput } from './order-input.js';
import * as s from './schemas.js';
import { GraphqlTransport } from './transport.js';
import type { InventoryAvailability, ShopifyOrder, ShopifyProduct, SkuVariant } from './types.js';
import { attachVariantMetafields, BulkVariantMetafieldAssembler, readVariantMetafields } from './variant-metafields.js';
import { type ShopifyWebhookTopic, WebhookSubscriptions } from './webhook-subscriptions.js';

// The facade's parts live in their own modules; their public names are re-exported here.
export type { ShopifyClientOptions } from './context.js';
export type { CancelOrderOptions, CancelOrderResult } from './order-cancel.js';
export { requestTimingsForClaim, sourceIdentifierFor } from './order-create.js';
export { orderCreateOptionsInput, tiktokOrderInput } from './order-input.js';
export type { OrderCreateOptions, TikTokOrderInput } from './order-input.js';
export { SHOPTOK_WEBHOOK_TOPICS } from './webhook-subscriptions.js';
export type { ShopifyWebhookTopic } from './webhook-subscriptions.js';

// Shopify does not document a maximum search length; these bounds keep each request's query
// short (and its URL-free POST body small) whatever the SKUs look like.
const SKUS_PER_SEARCH = 25;
const SEARCH_MAX_CHARS = 1500;

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

/**
 * The Shopify Admin GraphQL (2026-10) client of one store: products, inventory, orders,
 * fulfilments and webhook subscriptions, paced on the store's shared cost bucket.
 */
export class ShopifyClient {
  private readonly transport: GraphqlTransport;
  private readonly bulk: BulkQueryRunner;
  private readonly orderCreator: OrderCreator;
  private readonly orderCanceller: OrderCanceller;
  private readonly webhooks: WebhookSubscriptions;

  constructor(private readonly options: ShopifyClientOptions) {
    this.transport = new GraphqlTransport(options);
    assertClaimOutlastsOneCall(options);
    const ctx: ClientContext = { options, transport: this.transport };
    const getOrder = (orderId: string) => this.getOrder(orderId);
    this.bulk = new BulkQueryRunner(ctx);
    this.orderCreator = new OrderCreator(ctx, getOrder);
    this.orderCanceller = new OrderCanceller(ctx, getOrder);
    this.webhooks = new WebhookSubscriptions(ctx);
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
    params: { after?: string | null; updatedSince?: Date; pageSize?: number; variantMetafields?: boolean } = {},
  ): Promise<{ products: ShopifyProduct[]; hasNextPage: boolean; endCursor: string | null }> {
    const { data } = await this.transport.request(
      'ProductsPage',
      ops.PRODUCTS_PAGE,
      { first: params.pageSize ?? 5, after: params.after ?? null, query: searchFor(params.updatedSince) },
      s.productsPageData,
    );
    const products: ShopifyProduct[] = [];
    for (const node of data.products.nodes) products.push(await this.completeProduct(node));
    if (params.variantMetafields !== false) await readVariantMetafields(this.transport, products);
    return { products, hasNextPage: data.products.pageInfo.hasNextPage, endCursor: data.products.pageInfo.endCursor };
  }

  /** One product with all its variants, collections and variant metafields; null when Shopify has no such product. */
  async getProduct(productId: string): Promise<ShopifyProduct | null> {
    const { data } = await this.transport.request('ProductById', ops.PRODUCT_BY_ID, { id: productId }, s.productByIdData);
    if (!data.product) return null;
    const product = await this.completeProduct(data.product);
    await readVariantMetafields(this.transport, [product]);
    return product;
  }

  /** A product node with the variants and collections past its first page read too. */
  private async completeProduct(node: z.infer<typeof s.productsPageData>['products']['nodes'][number]): Promise<ShopifyProduct> {
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
    return product;
  }

  /** Every matching product, page by page (cursor pagination). */
  async *iterateProducts(
    params: { updatedSince?: Date; pageSize?: number; variantMetafields?: boolean } = {},
  ): AsyncGenerator<ShopifyProduct[]> {
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

  /** Every matching product through one bulk operation (JSONL), for catalogues too big to page. */
  async exportProductsBulk(params: { updatedSince?: Date; variantMetafields?: boolean } = {}): Promise<ShopifyProduct[]> {
    const search = searchFor(params.updatedSince) ?? '';
    const assembler = new BulkProductAssembler();
    await this.bulk.run(ops.BULK_PRODUCTS_INNER.replace('"__SEARCH__"', JSON.stringify(search)), (line, n) =>
      assembler.add(line, n),
    );
    const products = assembler.finish();
    if (params.variantMetafields !== false && products.length > 0) {
      const metafields = new BulkVariantMetafieldAssembler();
      await this.bulk.run(ops.BULK_VARIANT_METAFIELDS_INNER, (line, n) => metafields.add(line, n));
      attachVariantMetafields(products, metafields.byVariant);
    }
    return products;
  }

  /**
   * The whole (or changed) catalogue: pages for small sets, a bulk operation from `bulkThreshold`
   * on (`params.bulkThreshold` overrides it for one call, e.g. a stock sync that pays for pages'
   * media and descriptions it does not use). Variant metafields come with the products unless
   * `params.variantMetafields` is false (a stock sync does not use them).
   */
  async fetchCatalogue(
    params: { updatedSince?: Date; bulkThreshold?: number; variantMetafields?: boolean } = {},
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
    await this.bulk.run(query, (line, n) => {
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
      await this.bulk.run(ops.BULK_INVENTORY_INNER, (line, n) => assembler.add(line, n));
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
    return this.orderCanceller.cancel(orderId, options);
  }

  /** The Shopify order made for a TikTok order, found by the `sourceIdentifier` we set. */
  async findOrderForTikTok(tiktokOrderId: string): Promise<ShopifyOrder | null> {
    return this.orderCreator.findOrderForTikTok(tiktokOrderId);
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
    return this.orderCreator.createOrderOnce(tiktokOrderId, input, options);
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
    return this.webhooks.list();
  }

  /**
   * Makes each topic deliver to `uri`: creates what is missing and removes subscriptions of
   * those topics that point elsewhere (left over from an old URL). Other topics are untouched.
   */
  async ensureWebhookSubscriptions(params: {
    uri: string;
    topics?: readonly ShopifyWebhookTopic[];
  }): Promise<{ created: string[]; deleted: string[] }> {
    return this.webhooks.ensure(params);
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
