import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from '@shoptok/logger';
import { tiktokKeyBase, tiktokKeys, tiktokKeysAt } from '@shoptok/keys';
import { z } from 'zod';
import { TikTokAuthError, TikTokError, TikTokInvalidInputError, type TikTokItemError } from './errors.js';
import { type ApiRequest, type HttpMethod, type TikTokApiCall, TikTokHttp } from './http.js';
import { TikTokPacer } from './pacing.js';
import {
  editProductInputSchema,
  inventoryUpdateSchema,
  partialProductInputSchema,
  priceUpdateSchema,
  productInputSchema,
  type TikTokEditProductInput,
  type TikTokInventoryUpdate,
  type TikTokPartialProductInput,
  type TikTokPriceUpdate,
  type TikTokProductInput,
} from './product-input.js';
import { searchAllProductPages } from './product-search.js';
import * as s from './schemas.js';
import { type TikTokTokens, TikTokTokenStore } from './tokens.js';

// Recommend Category's "no match" answers (API-FACTS, Recommend Category): not a failure, just no suggestion.
const NO_RECOMMENDATION_CODES = new Set([12019064, 12052912]);

export interface TikTokShopClientOptions {
  appKey: string;
  appSecret: string;
  /** Open API host, e.g. `https://open-api.tiktokglobalshop.com`. */
  apiBase: string;
  /** Auth host for tokens, e.g. `https://auth.tiktok-shops.com`. */
  authBase: string;
  /** From getAuthorizedShops; required for shop-scoped calls (products, orders, logistics...). */
  shopCipher?: string;
  /** Our store id: the Redis hash tag of this shop's keys. */
  storeId: string;
  redis: Redis | Cluster;
  keyPrefix: string;
  /** Seeds the token store unless Redis already holds tokens that live longer. */
  tokens?: TikTokTokens;
  logger?: Logger;
  timeouts?: { requestMs?: number; uploadMs?: number; authMs?: number };
  /** Requests per second per API for this (app, shop); default 50 (§4). */
  qps?: number;
  /** Longest wait for a pacing slot before a rate-limit error goes to the worker (default 10 s). */
  maxPacingWaitMs?: number;
  maxAttempts?: number;
  backoffBaseMs?: number;
  /** Refresh this long before the access token expires (default 1 h). */
  refreshAheadMs?: number;
  /** Lifetime of cached category tree/attributes/rules (default 1 h; TikTok advises against long caching). */
  categoryCacheTtlMs?: number;
  now?: () => number;
  /** Told about every Open API request sent (metrics); must not throw, and is never awaited. */
  onApiCall?: (call: TikTokApiCall) => void;
}

export interface ProductSearchFilter {
  status?:
    'ALL' | 'DRAFT' | 'PENDING' | 'FAILED' | 'ACTIVATE' | 'SELLER_DEACTIVATED' | 'PLATFORM_DEACTIVATED' | 'FREEZE' | 'DELETED';
  sellerSkus?: string[];
  /** Unix seconds, inclusive. */
  updateTimeGe?: number;
  updateTimeLe?: number;
  createTimeGe?: number;
  createTimeLe?: number;
  categoryVersion?: string;
}

export interface OrderSearchFilter {
  orderStatus?: string;
  /** Unix seconds: `_ge` inclusive, `_lt` exclusive (the order API's own bounds). */
  updateTimeGe?: number;
  updateTimeLt?: number;
  createTimeGe?: number;
  createTimeLt?: number;
  sortField?: 'create_time' | 'update_time';
  sortOrder?: 'ASC' | 'DESC';
}

export interface CancellationSearchFilter {
  orderIds?: string[];
  cancelStatus?: string[];
  updateTimeGe?: number;
  updateTimeLt?: number;
  createTimeGe?: number;
  createTimeLt?: number;
}

export type ImageUseCase = 'MAIN_IMAGE' | 'ATTRIBUTE_IMAGE' | 'DESCRIPTION_IMAGE' | 'CERTIFICATION_IMAGE' | 'SIZE_CHART_IMAGE';

const MAX_IDS_PER_STATUS_CALL = 20;
const MAX_ORDER_IDS = 50;

function parseInput<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = z.prettifyError(parsed.error);
    throw new TikTokInvalidInputError(`Invalid ${what} for TikTok: ${issues}`, issues);
  }
  return parsed.data;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * The TikTok Shop Open API (202309) for one shop: signed calls, tokens in Redis, fleet-wide
 * pacing, typed errors, every answer parsed with zod. Ids are strings throughout.
 */
export class TikTokShopClient {
  readonly tokens: TikTokTokenStore;
  private readonly http: TikTokHttp;
  private readonly keyBase: string;
  private readonly keys: ReturnType<typeof tiktokKeysAt>;
  private readonly redis: Redis | Cluster;
  private readonly cacheTtlMs: number;
  private readonly seeded: Promise<unknown>;
  private readonly uploadsInFlight = new Map<string, Promise<s.TikTokUploadedImage>>();

  constructor(private readonly options: TikTokShopClientOptions) {
    this.keyBase = tiktokKeyBase(options.keyPrefix, options.storeId);
    this.keys = tiktokKeysAt(this.keyBase);
    this.redis = options.redis;
    this.cacheTtlMs = options.categoryCacheTtlMs ?? 3_600_000;
    this.tokens = new TikTokTokenStore({
      appKey: options.appKey,
      appSecret: options.appSecret,
      authBase: options.authBase,
      timeoutMs: options.timeouts?.authMs,
      redis: options.redis,
      keyBase: this.keyBase,
      refreshAheadMs: options.refreshAheadMs,
      logger: options.logger,
      now: options.now,
    });
    this.seeded = options.tokens ? this.tokens.seed(options.tokens) : Promise.resolve();
    const pacer = new TikTokPacer({
      redis: options.redis,
      keyPrefix: this.keys.rateLimit,
      qps: options.qps,
      maxWaitMs: options.maxPacingWaitMs,
    });
    this.http = new TikTokHttp({
      appKey: options.appKey,
      appSecret: options.appSecret,
      apiBase: options.apiBase,
      shopCipher: options.shopCipher,
      tokens: this.tokens,
      pacer,
      logger: options.logger,
      requestTimeoutMs: options.timeouts?.requestMs,
      uploadTimeoutMs: options.timeouts?.uploadMs,
      maxAttempts: options.maxAttempts,
      backoffBaseMs: options.backoffBaseMs,
      now: options.now,
      onApiCall: options.onApiCall,
    });
  }

  private async call<T>(req: ApiRequest<T>): Promise<T> {
    await this.seeded;
    return this.http.call(req);
  }

  private req<T>(
    method: HttpMethod,
    api: string,
    data: z.ZodType<T>,
    extra: Partial<ApiRequest<T>> & { params?: Record<string, string> } = {},
  ): ApiRequest<T> {
    let path = api;
    for (const [name, value] of Object.entries(extra.params ?? {})) path = path.replace(`{${name}}`, encodeURIComponent(value));
    return { method, api, path, data, shopScoped: true, idempotent: method === 'GET', ...extra };
  }

  private async cached<T>(key: string, schema: z.ZodType<T>, load: () => Promise<T>): Promise<T> {
    const fullKey = this.keys.cache(key);
    const hit = await this.redis.get(fullKey);
    if (hit !== null) {
      const parsed = schema.safeParse(JSON.parse(hit));
      if (parsed.success) return parsed.data;
    }
    const value = await load();
    await this.redis.set(fullKey, JSON.stringify(value), 'PX', this.cacheTtlMs);
    return value;
  }

  // ---- shops -------------------------------------------------------------------------------

  /** Shops this token may act for, with the `cipher` every shop-scoped call needs. */
  async getAuthorizedShops(): Promise<s.TikTokShop[]> {
    const data = await this.call(this.req('GET', '/authorization/202309/shops', s.authorizedShopsSchema, { shopScoped: false }));
    return data.shops;
  }

  // ---- categories and brands ---------------------------------------------------------------

  /** The whole category tree (flat list), cached in Redis per tree version and locale. */
  async getCategories(options: { categoryVersion?: string; locale?: string } = {}): Promise<s.TikTokCategory[]> {
    const version = options.categoryVersion ?? 'v1';
    const schema = z.array(s.categorySchema);
    return this.cached(`categories:${version}:${options.locale ?? 'default'}`, schema, async () => {
      const data = await this.call(
        this.req('GET', '/product/202309/categories', s.categoriesSchema, {
          query: { category_version: version, locale: options.locale },
        }),
      );
      return data.categories;
    });
  }

  /** Attributes of a leaf category (`is_requried` marks the required ones), cached with the tree version. */
  async getCategoryAttributes(
    categoryId: string,
    options: { categoryVersion?: string; locale?: string } = {},
  ): Promise<s.TikTokAttribute[]> {
    const version = options.categoryVersion ?? 'v1';
    return this.cached(
      `attributes:${version}:${options.locale ?? 'default'}:${categoryId}`,
      z.array(s.attributeSchema),
      async () => {
        const data = await this.call(
          this.req('GET', '/product/202309/categories/{category_id}/attributes', s.attributesSchema, {
            params: { category_id: categoryId },
            query: { category_version: version, locale: options.locale },
          }),
        );
        return data.attributes;
      },
    );
  }

  /** Listing rules of a leaf category (certifications, size chart, package dimensions...), cached with the tree version. */
  async getCategoryRules(
    categoryId: string,
    options: { categoryVersion?: string; locale?: string } = {},
  ): Promise<s.TikTokCategoryRules> {
    const version = options.categoryVersion ?? 'v1';
    return this.cached(`rules:${version}:${options.locale ?? 'default'}:${categoryId}`, s.categoryRulesSchema, () =>
      this.call(
        this.req('GET', '/product/202309/categories/{category_id}/rules', s.categoryRulesSchema, {
          params: { category_id: categoryId },
          query: { category_version: version, locale: options.locale },
        }),
      ),
    );
  }

  /**
   * TikTok's own category suggestion for a product (API-FACTS §5.2): the recommended leaf and
   * its chain, root first. `null` when TikTok finds no match (12019064, or 12052912: nothing
   * within the seller's main category); any other refusal throws as usual (a non-English title
   * is 12052266, an invalid input error).
   */
  async recommendCategory(input: {
    productTitle: string;
    description?: string;
    images?: { uri: string }[];
    categoryVersion?: string;
  }): Promise<s.TikTokRecommendedCategory | null> {
    const json = {
      product_title: input.productTitle,
      description: input.description,
      images: input.images,
      category_version: input.categoryVersion,
    };
    try {
      return await this.call(
        this.req('POST', '/product/202309/categories/recommend', s.recommendCategorySchema, { json, idempotent: true }),
      );
    } catch (err) {
      if (err instanceof TikTokError && err.code !== undefined && NO_RECOMMENDATION_CODES.has(err.code)) return null;
      throw err;
    }
  }

  /** One page of brands (page size 1-100). */
  async getBrands(
    input: {
      pageSize?: number;
      pageToken?: string;
      categoryId?: string;
      brandName?: string;
      isAuthorized?: boolean;
      categoryVersion?: string;
    } = {},
  ): Promise<s.TikTokBrandPage> {
    const query = {
      page_size: input.pageSize ?? 100,
      page_token: input.pageToken,
      category_id: input.categoryId,
      brand_name: input.brandName,
      is_authorized: input.isAuthorized === undefined ? undefined : String(input.isAuthorized),
      category_version: input.categoryVersion,
    };
    return this.call(this.req('GET', '/product/202309/brands', s.brandsSchema, { query }));
  }

  // ---- images ------------------------------------------------------------------------------

  /**
   * Uploads an image once: the TikTok `uri` is cached in Redis under `sourceKey` (e.g. the
   * Shopify image URL) or, without one, the bytes' SHA-256, per use case.
   */
  async uploadImage(input: {
    data: Buffer;
    useCase: ImageUseCase;
    sourceKey?: string;
    fileName?: string;
  }): Promise<s.TikTokUploadedImage> {
    const identity = input.sourceKey ?? `sha256:${createHash('sha256').update(input.data).digest('hex')}`;
    const cacheKey = this.keys.image(input.useCase, createHash('sha256').update(identity).digest('hex'));
    const inFlight = this.uploadsInFlight.get(cacheKey);
    if (inFlight) return inFlight;
    const work = (async () => {
      const hit = await this.cachedImage(cacheKey);
      if (hit) return hit;
      const form = new FormData();
      form.append('data', new Blob([new Uint8Array(input.data)]), input.fileName ?? 'image');
      form.append('use_case', input.useCase);
      const uploaded = await this.call(
        this.req('POST', '/product/202309/images/upload', s.uploadedImageSchema, { form, shopScoped: false, idempotent: true }),
      );
      // Uploaded images stay valid; a long-lived mapping is what makes "upload once" hold.
      await this.redis.set(cacheKey, JSON.stringify(uploaded));
      return uploaded;
    })();
    this.uploadsInFlight.set(cacheKey, work);
    try {
      return await work;
    } finally {
      this.uploadsInFlight.delete(cacheKey);
    }
  }

  /** The cached upload for a source, if it was uploaded before (no bytes needed). */
  async cachedImageFor(sourceKey: string, useCase: ImageUseCase): Promise<s.TikTokUploadedImage | undefined> {
    return this.cachedImage(this.keys.image(useCase, createHash('sha256').update(sourceKey).digest('hex')));
  }

  private async cachedImage(key: string): Promise<s.TikTokUploadedImage | undefined> {
    const raw = await this.redis.get(key);
    if (raw === null) return undefined;
    const parsed = s.uploadedImageSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  }

  // ---- products ----------------------------------------------------------------------------

  /** Creates a product (it goes to audit). With `idempotency_key` set, a resend after a timeout is safe. */
  async createProduct(input: TikTokProductInput): Promise<s.TikTokCreatedProduct> {
    const json = parseInput(productInputSchema, input, 'product');
    return this.call(
      this.req('POST', '/product/202309/products', s.createProductSchema, {
        json,
        idempotent: json.idempotency_key !== undefined,
      }),
    );
  }

  /** Full replace: omitted fields are blanked (price and inventory excepted); the edit re-enters audit. */
  async editProduct(productId: string, input: TikTokEditProductInput): Promise<z.infer<typeof s.editProductSchema>> {
    const json = parseInput(editProductInputSchema, input, 'product edit');
    return this.call(
      this.req('PUT', '/product/202309/products/{product_id}', s.editProductSchema, {
        params: { product_id: productId },
        json,
        idempotent: true,
      }),
    );
  }

  /** Replaces only the top-level fields given (nested objects must be sent whole). */
  async partialEditProduct(productId: string, input: TikTokPartialProductInput): Promise<z.infer<typeof s.editProductSchema>> {
    const json = parseInput(partialProductInputSchema, input, 'partial product edit');
    return this.call(
      this.req('POST', '/product/202309/products/{product_id}/partial_edit', s.editProductSchema, {
        params: { product_id: productId },
        json,
        idempotent: true,
      }),
    );
  }

  /** Sets SKU prices of one product (no audit). */
  async updatePrice(productId: string, skus: TikTokPriceUpdate[]): Promise<void> {
    const json = { skus: parseInput(priceUpdateSchema, skus, 'price update') };
    await this.call(
      this.req('POST', '/product/202309/products/{product_id}/prices/update', s.emptySchema, {
        params: { product_id: productId },
        json,
        idempotent: true,
      }),
    );
  }

  /**
   * Sets stock of SKUs of one product; every warehouse of each SKU must be listed. TikTok may
   * answer `code: 0` and still refuse some SKUs: those come back as `errors`.
   */
  async updateInventory(
    productId: string,
    skus: TikTokInventoryUpdate[],
    options: { priority?: boolean } = {},
  ): Promise<{ errors: TikTokItemError[] }> {
    const json = { skus: parseInput(inventoryUpdateSchema, skus, 'inventory update') };
    return this.call(
      this.req('POST', '/product/202309/products/{product_id}/inventory/update', s.batchResultSchema, {
        params: { product_id: productId },
        json,
        idempotent: true,
        priority: options.priority,
      }),
    );
  }

  /** Activates products (20 per call; more are split). */
  activateProducts(productIds: string[]): Promise<{ errors: TikTokItemError[] }> {
    return this.productBatch('POST', '/product/202309/products/activate', productIds);
  }

  /** Deactivates products (20 per call; more are split). */
  deactivateProducts(productIds: string[]): Promise<{ errors: TikTokItemError[] }> {
    return this.productBatch('POST', '/product/202309/products/deactivate', productIds);
  }

  /** Deletes products (20 per call; more are split). */
  deleteProducts(productIds: string[]): Promise<{ errors: TikTokItemError[] }> {
    return this.productBatch('DELETE', '/product/202309/products', productIds);
  }

  private async productBatch(method: HttpMethod, api: string, productIds: string[]): Promise<{ errors: TikTokItemError[] }> {
    const errors: TikTokItemError[] = [];
    for (const ids of chunk(productIds, MAX_IDS_PER_STATUS_CALL)) {
      const data = await this.call(this.req(method, api, s.batchResultSchema, { json: { product_ids: ids }, idempotent: true }));
      errors.push(...data.errors);
    }
    return { errors };
  }

  /** One page of products (page size 1-100). */
  async searchProducts(
    filter: ProductSearchFilter = {},
    page: { pageSize?: number; pageToken?: string } = {},
  ): Promise<s.TikTokProductPage> {
    if (filter.sellerSkus && filter.sellerSkus.length > 10) {
      throw new TikTokInvalidInputError(
        'Search Products takes at most 10 seller_skus per call: split the list.',
        'seller_skus > 10',
      );
    }
    const json = {
      status: filter.status,
      seller_skus: filter.sellerSkus,
      update_time_ge: filter.updateTimeGe,
      update_time_le: filter.updateTimeLe,
      create_time_ge: filter.createTimeGe,
      create_time_le: filter.createTimeLe,
      category_version: filter.categoryVersion,
    };
    return this.call(
      this.req('POST', '/product/202309/products/search', s.searchProductsSchema, {
        query: { page_size: page.pageSize ?? 100, page_token: page.pageToken },
        json,
        idempotent: true,
      }),
    );
  }

  /**
   * Every product matching `filter`, page by page, past TikTok's 10,000-result window: a big
   * result is read in `create_time` windows, each product once (see `searchAllProductPages`).
   * Use it wherever the whole catalogue is read.
   */
  searchAllProducts(filter: ProductSearchFilter = {}, pageSize = 100): AsyncGenerator<s.TikTokProductSummary[]> {
    const fetchPage = (f: ProductSearchFilter, pageToken: string | undefined) => this.searchProducts(f, { pageSize, pageToken });
    return searchAllProductPages(fetchPage, filter, { nowSec: () => Math.floor((this.options.now ?? Date.now)() / 1000) });
  }

  /** Every product matching `filter`, one at a time (`searchAllProducts` flattened). */
  async *iterateProducts(filter: ProductSearchFilter = {}, pageSize = 100): AsyncGenerator<s.TikTokProductSummary> {
    for await (const page of this.searchAllProducts(filter, pageSize)) yield* page;
  }

  /** One product with status, audit and `audit_failed_reasons`. */
  async getProduct(productId: string): Promise<s.TikTokProduct> {
    return this.call(
      this.req('GET', '/product/202309/products/{product_id}', s.productDetailSchema, { params: { product_id: productId } }),
    );
  }

  // ---- logistics ---------------------------------------------------------------------------

  /** The shop's warehouses. */
  async getWarehouses(): Promise<s.TikTokWarehouse[]> {
    return (await this.call(this.req('GET', '/logistics/202309/warehouses', s.warehousesSchema))).warehouses;
  }

  /** Shipping providers for a delivery option (the `shipping_provider_id` for mark-shipped). */
  async getShippingProviders(deliveryOptionId: string): Promise<s.TikTokShippingProvider[]> {
    const req = this.req(
      'GET',
      '/logistics/202309/delivery_options/{delivery_option_id}/shipping_providers',
      s.shippingProvidersSchema,
      { params: { delivery_option_id: deliveryOptionId } },
    );
    return (await this.call(req)).shipping_providers;
  }

  // ---- orders ------------------------------------------------------------------------------

  /** One page of orders (page size 1-100). */
  async searchOrders(
    filter: OrderSearchFilter = {},
    page: { pageSize?: number; pageToken?: string } = {},
  ): Promise<s.TikTokOrderPage> {
    const query = {
      page_size: page.pageSize ?? 50,
      page_token: page.pageToken,
      sort_field: filter.sortField,
      sort_order: filter.sortOrder,
    };
    const json = {
      order_status: filter.orderStatus,
      update_time_ge: filter.updateTimeGe,
      update_time_lt: filter.updateTimeLt,
      create_time_ge: filter.createTimeGe,
      create_time_lt: filter.createTimeLt,
    };
    return this.call(this.req('POST', '/order/202309/orders/search', s.searchOrdersSchema, { query, json, idempotent: true }));
  }

  /** Every order matching `filter`, page by page. */
  async *iterateOrders(filter: OrderSearchFilter = {}, pageSize = 50): AsyncGenerator<s.TikTokOrder> {
    let pageToken: string | undefined;
    do {
      const page = await this.searchOrders(filter, { pageSize, pageToken });
      for (const order of page.orders) yield order;
      pageToken = page.orders.length > 0 ? page.next_page_token : undefined;
    } while (pageToken);
  }

  /** Order details (50 ids per call; more are split). */
  async getOrders(orderIds: string[]): Promise<s.TikTokOrder[]> {
    const out: s.TikTokOrder[] = [];
    for (const ids of chunk(orderIds, MAX_ORDER_IDS)) {
      // Arrays go as one comma-joined value, signed that way too (§1.1).
      const data = await this.call(
        this.req('GET', '/order/202309/orders', s.orderDetailSchema, { query: { ids: ids.join(',') } }),
      );
      out.push(...data.orders);
    }
    return out;
  }

  // ---- fulfilment --------------------------------------------------------------------------

  /** Marks the order's line items (all when omitted) shipped with a tracking number. */
  async markPackageShipped(
    orderId: string,
    input: { trackingNumber: string; shippingProviderId: string; orderLineItemIds?: string[] },
  ): Promise<s.TikTokMarkShipped> {
    const json = {
      tracking_number: input.trackingNumber,
      shipping_provider_id: input.shippingProviderId,
      order_line_item_ids: input.orderLineItemIds,
    };
    // Not resent automatically: a second call after a lost answer would meet 21008099.
    return this.call(
      this.req('POST', '/fulfillment/202309/orders/{order_id}/packages', s.markShippedSchema, {
        params: { order_id: orderId },
        json,
        idempotent: false,
      }),
    );
  }

  /** Corrects tracking of an already shipped, seller-shipped order (within 72 h of shipping). */
  async updateShippingInfo(orderId: string, input: { trackingNumber: string; shippingProviderId: string }): Promise<void> {
    const json = { tracking_number: input.trackingNumber, shipping_provider_id: input.shippingProviderId };
    await this.call(
      this.req('POST', '/fulfillment/202309/orders/{order_id}/shipping_info/update', s.emptySchema, {
        params: { order_id: orderId },
        json,
        idempotent: true,
      }),
    );
  }

  // ---- cancellations -----------------------------------------------------------------------

  /** One page of cancellations (page size 1-50). */
  async searchCancellations(
    filter: CancellationSearchFilter = {},
    page: { pageSize?: number; pageToken?: string } = {},
  ): Promise<s.TikTokCancellationPage> {
    const json = {
      order_ids: filter.orderIds,
      cancel_status: filter.cancelStatus,
      update_time_ge: filter.updateTimeGe,
      update_time_lt: filter.updateTimeLt,
      create_time_ge: filter.createTimeGe,
      create_time_lt: filter.createTimeLt,
    };
    return this.call(
      this.req('POST', '/return_refund/202309/cancellations/search', s.searchCancellationsSchema, {
        query: { page_size: page.pageSize ?? 50, page_token: page.pageToken },
        json,
        idempotent: true,
      }),
    );
  }

  /**
   * The seller cancels an order (whole order): `cancel_reason` is a reason *key* that must fit
   * the order's status (API-FACTS §5.10). With an idempotency key a resend after a lost answer is
   * safe; TikTok's outcome is then followed through {@link searchCancellations}.
   */
  async cancelOrder(
    orderId: string,
    input: { cancelReason: string; idempotencyKey: string },
  ): Promise<s.TikTokCancelOrderResult> {
    if (input.idempotencyKey.length > 255)
      throw new TikTokInvalidInputError('The idempotency key is longer than 255 characters.', 'idempotency_key > 255');
    return this.call(
      this.req('POST', '/return_refund/202309/cancellations', s.cancelOrderSchema, {
        query: { idempotency_key: input.idempotencyKey },
        json: { order_id: orderId, cancel_reason: input.cancelReason },
        idempotent: true,
      }),
    );
  }

  // ---- webhooks ----------------------------------------------------------------------------

  /** The shop's webhook subscriptions. */
  async getWebhooks(): Promise<s.TikTokWebhookSubscription[]> {
    return (await this.call(this.req('GET', '/event/202309/webhooks', s.webhooksSchema))).webhooks;
  }

  /** Subscribes `address` (https, ≤ 255 chars) to an event type such as `ORDER_STATUS_CHANGE`. */
  async putWebhook(input: { eventType: string; address: string }): Promise<void> {
    if (input.address.length > 255)
      throw new TikTokInvalidInputError('The webhook address is longer than 255 characters.', 'address > 255');
    await this.call(
      this.req('PUT', '/event/202309/webhooks', s.emptySchema, {
        json: { address: input.address, event_type: input.eventType },
        idempotent: true,
      }),
    );
  }
}

export interface AuthorizedShopsProbeOptions {
  appKey: string;
  appSecret: string;
  apiBase: string;
  redis: Redis | Cluster;
  keyPrefix: string;
  /** The store the shop is being connected to (its pacing keys). */
  storeId: string;
  logger?: Logger;
}

/**
 * Get Authorized Shops with an access token that is not stored anywhere yet: while a seller
 * authorizes the app, shoptok checks which shop and region the token is for before keeping it.
 */
export async function getAuthorizedShopsWithToken(
  options: AuthorizedShopsProbeOptions,
  accessToken: string,
): Promise<s.TikTokShop[]> {
  const http = new TikTokHttp({
    appKey: options.appKey,
    appSecret: options.appSecret,
    apiBase: options.apiBase,
    tokens: {
      accessToken: () => Promise.resolve(accessToken),
      refresh: () => {
        throw new TikTokAuthError(
          'TikTok refused the access token it has just issued; authorize the shop again.',
          'access token',
        );
      },
    },
    pacer: new TikTokPacer({ redis: options.redis, keyPrefix: tiktokKeys(options.keyPrefix, options.storeId).rateLimit }),
    logger: options.logger,
  });
  const data = await http.call({
    method: 'GET',
    api: '/authorization/202309/shops',
    path: '/authorization/202309/shops',
    shopScoped: false,
    idempotent: true,
    data: s.authorizedShopsSchema,
  });
  return data.shops;
}
