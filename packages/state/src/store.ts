import { randomUUID } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import type { z } from 'zod';
import { merchantKeys, stateKeys, storeControlKeys, type StateKeys } from '@shoptok/keys';
import {
  attentionSchema,
  categoryDecisionSchema,
  categoryPinSchema,
  listingRecordSchema,
  storeAttentionSchema,
  orderFailureSchema,
  orderRecordSchema,
  previewKinds,
  productSummarySchema,
  pushedStockSchema,
  skuLinkSchema,
  storeModeRecordSchema,
  type Attention,
  type AttributeDefault,
  type CategoryDecision,
  type CategoryPin,
  type ListingRecord,
  type ProductSummary,
  type OrderFailure,
  type OrderRecord,
  type PreviewKind,
  type PreviewTotals,
  type PushedStock,
  type SkuLink,
  type StoreModeRecord,
  type StoreAttention,
} from './records.js';

// The key layout (every key under the store's `{store}` hash tag) is owned by packages/keys.
export { merchantKeys, stateKeys, type StateKeys };

/** The schema of each record hash of a store's state: what `StateStore.scanRecords` decodes with. */
const recordSchemas = {
  sku: skuLinkSchema,
  pushed: pushedStockSchema,
  listing: listingRecordSchema,
  product: productSummarySchema,
  attention: attentionSchema,
  storeAttention: storeAttentionSchema,
  order: orderRecordSchema,
  orderFailed: orderFailureSchema,
  categoryDecision: categoryDecisionSchema,
} satisfies Partial<Record<keyof StateKeys, z.ZodType>>;

/** A hash of the store's state that holds one JSON record per field. */
export type StateRecordHash = keyof typeof recordSchemas;
/** The record type a state hash holds. */
export type StateRecordOf<H extends StateRecordHash> = z.output<(typeof recordSchemas)[H]>;

// Deletes a claim only if it still holds our token.
const RELEASE_CLAIM = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const EXTEND_CLAIM = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end return 0`;

/** A record in Redis that no longer parses (written by another version, or damaged). */
export class StateRecordError extends Error {
  readonly retryable = false;
  constructor(key: string, field: string, issues: string) {
    super(`sync state ${key} field ${field} does not parse: ${issues}; run reconcile to rebuild it`);
    this.name = 'StateRecordError';
  }
}

function decode<T>(schema: z.ZodType<T>, key: string, field: string, raw: string | null | undefined): T | undefined {
  if (raw === null || raw === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new StateRecordError(key, field, 'not JSON');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    throw new StateRecordError(key, field, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return parsed.data;
}

function decodeOrUndefined<T>(schema: z.ZodType<T>, raw: string): T | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One store's sync state: what is linked to what, what TikTok last got, which orders were
 * imported. Everything here can be rebuilt from the two APIs (`reconcile`), so losing Redis
 * loses no merchant data.
 */
export class StateStore {
  readonly keys: StateKeys;
  readonly merchant: ReturnType<typeof merchantKeys>;
  /**
   * Short-lived claims (they expire by themselves), the operator's go-live record and the
   * preview's tallies: not sync state (a reconcile from scratch must not put a live store back
   * into preview), so outside `keys` and `clear()`.
   */
  private readonly control: ReturnType<typeof storeControlKeys>;
  private readonly modeKey: string;

  constructor(
    private readonly redis: Redis | Cluster,
    prefix: string,
    readonly store: string,
  ) {
    this.keys = stateKeys(prefix, store);
    this.merchant = merchantKeys(prefix, store);
    this.control = storeControlKeys(prefix, store);
    this.modeKey = this.control.mode;
  }

  // --- SKU links -------------------------------------------------------------------------

  /** Saves links (and the inventory item index) in one round trip. */
  async saveSkuLinks(links: readonly SkuLink[]): Promise<void> {
    if (links.length === 0) return;
    const multi = this.redis.multi();
    for (const link of links) {
      multi.hset(this.keys.sku, link.sellerSku, JSON.stringify(skuLinkSchema.parse(link)));
      multi.hset(this.keys.item, link.shopifyInventoryItemId, link.sellerSku);
    }
    await multi.exec();
  }

  async removeSkuLinks(sellerSkus: readonly string[]): Promise<void> {
    if (sellerSkus.length === 0) return;
    const links = await this.skuLinks(sellerSkus);
    const multi = this.redis.multi().hdel(this.keys.sku, ...sellerSkus);
    const items = [...links.values()].map((l) => l.shopifyInventoryItemId);
    if (items.length > 0) multi.hdel(this.keys.item, ...items);
    await multi.exec();
  }

  async skuLinks(sellerSkus: readonly string[]): Promise<Map<string, SkuLink>> {
    const out = new Map<string, SkuLink>();
    if (sellerSkus.length === 0) return out;
    const raw = await this.redis.hmget(this.keys.sku, ...sellerSkus);
    sellerSkus.forEach((sku, i) => {
      const link = decode(skuLinkSchema, this.keys.sku, sku, raw[i]);
      if (link) out.set(sku, link);
    });
    return out;
  }

  async allSkuLinks(): Promise<SkuLink[]> {
    const raw = await this.redis.hgetall(this.keys.sku);
    return Object.entries(raw).map(([sku, value]) => decode(skuLinkSchema, this.keys.sku, sku, value) as SkuLink);
  }

  /** The seller SKUs the inventory items were linked under (items never linked are left out). */
  async skusOfInventoryItems(inventoryItemIds: readonly string[]): Promise<string[]> {
    if (inventoryItemIds.length === 0) return [];
    const skus = await this.redis.hmget(this.keys.item, ...inventoryItemIds);
    return skus.filter((sku): sku is string => sku !== null);
  }

  /** The link of the variant whose inventory item a Shopify stock webhook names. */
  async skuLinkForInventoryItem(inventoryItemId: string): Promise<SkuLink | undefined> {
    const sku = await this.redis.hget(this.keys.item, inventoryItemId);
    return sku ? (await this.skuLinks([sku])).get(sku) : undefined;
  }

  /**
   * The links of these inventory items (one round trip for the index, one for the links), keyed
   * by item id. A link is returned only when it names that item itself.
   */
  async skuLinksForInventoryItems(inventoryItemIds: readonly string[]): Promise<Map<string, SkuLink>> {
    const out = new Map<string, SkuLink>();
    if (inventoryItemIds.length === 0) return out;
    const skus = await this.redis.hmget(this.keys.item, ...inventoryItemIds);
    const wanted = [...new Set(skus.filter((s): s is string => Boolean(s)))];
    const links = await this.skuLinks(wanted);
    inventoryItemIds.forEach((id, i) => {
      const link = skus[i] ? links.get(skus[i]) : undefined;
      if (link && link.shopifyInventoryItemId === id) out.set(id, link);
    });
    return out;
  }

  /** How many SKU links the store has. */
  async countSkuLinks(): Promise<number> {
    return await this.redis.hlen(this.keys.sku);
  }

  /** Every SKU link, about `batch` at a time (HSCAN: never the whole hash in memory at once). */
  async *scanSkuLinks(batch = 1000): AsyncGenerator<SkuLink[]> {
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(this.keys.sku, cursor, 'COUNT', batch);
      cursor = next;
      const links: SkuLink[] = [];
      for (let i = 0; i < flat.length; i += 2) links.push(decode(skuLinkSchema, this.keys.sku, flat[i]!, flat[i + 1]) as SkuLink);
      if (links.length > 0) yield links;
    } while (cursor !== '0');
  }

  // --- What TikTok last got --------------------------------------------------------------

  async lastPushed(tiktokSkuIds: readonly string[]): Promise<Map<string, PushedStock>> {
    const out = new Map<string, PushedStock>();
    if (tiktokSkuIds.length === 0) return out;
    const raw = await this.redis.hmget(this.keys.pushed, ...tiktokSkuIds);
    tiktokSkuIds.forEach((id, i) => {
      const pushed = decode(pushedStockSchema, this.keys.pushed, id, raw[i]);
      if (pushed) out.set(id, pushed);
    });
    return out;
  }

  async allPushed(): Promise<Map<string, PushedStock>> {
    const raw = await this.redis.hgetall(this.keys.pushed);
    return new Map(
      Object.entries(raw).map(([id, value]) => [id, decode(pushedStockSchema, this.keys.pushed, id, value) as PushedStock]),
    );
  }

  async recordPushed(
    entries: readonly { tiktokSkuId: string; warehouses: Record<string, number> }[],
    at = Date.now(),
    readAt?: number,
  ): Promise<void> {
    if (entries.length === 0) return;
    const fields: string[] = [];
    for (const e of entries)
      fields.push(e.tiktokSkuId, JSON.stringify({ warehouses: e.warehouses, at, ...(readAt === undefined ? {} : { readAt }) }));
    await this.redis.hset(this.keys.pushed, ...fields);
  }

  // --- Listings --------------------------------------------------------------------------

  async listing(shopifyProductId: string): Promise<ListingRecord | undefined> {
    return decode(
      listingRecordSchema,
      this.keys.listing,
      shopifyProductId,
      await this.redis.hget(this.keys.listing, shopifyProductId),
    );
  }

  async allListings(): Promise<Map<string, ListingRecord>> {
    const raw = await this.redis.hgetall(this.keys.listing);
    return new Map(
      Object.entries(raw).map(([id, v]) => [id, decode(listingRecordSchema, this.keys.listing, id, v) as ListingRecord]),
    );
  }

  async saveListing(shopifyProductId: string, record: ListingRecord): Promise<void> {
    await this.redis
      .multi()
      .hset(this.keys.listing, shopifyProductId, JSON.stringify(listingRecordSchema.parse(record)))
      .hdel(this.keys.attention, shopifyProductId)
      .exec();
  }

  async removeListing(shopifyProductId: string): Promise<void> {
    await this.redis.hdel(this.keys.listing, shopifyProductId);
  }

  /** Remembers the title and image of products the listing sync considered (one HSET for the batch). */
  async saveProductSummaries(summaries: ReadonlyMap<string, ProductSummary>): Promise<void> {
    if (summaries.size === 0) return;
    const fields: string[] = [];
    for (const [id, summary] of summaries) fields.push(id, JSON.stringify(summary));
    await this.redis.hset(this.keys.product, ...fields);
  }

  async removeProductSummary(shopifyProductId: string): Promise<void> {
    await this.redis.hdel(this.keys.product, shopifyProductId);
  }

  /** Holds a product back with the reasons an operator must fix. */
  async markNeedsAttention(shopifyProductId: string, reasons: Attention['reasons'], at = Date.now()): Promise<void> {
    await this.redis.hset(this.keys.attention, shopifyProductId, JSON.stringify({ reasons, at }));
  }

  async clearNeedsAttention(shopifyProductId: string): Promise<void> {
    await this.redis.hdel(this.keys.attention, shopifyProductId);
  }

  /** One product's attention entry (a single-product sync reads only its own). */
  async needsAttentionOf(shopifyProductId: string): Promise<Attention | undefined> {
    return decode(
      attentionSchema,
      this.keys.attention,
      shopifyProductId,
      await this.redis.hget(this.keys.attention, shopifyProductId),
    );
  }

  async needsAttention(): Promise<Map<string, Attention>> {
    const raw = await this.redis.hgetall(this.keys.attention);
    return new Map(Object.entries(raw).map(([id, v]) => [id, decode(attentionSchema, this.keys.attention, id, v) as Attention]));
  }

  /** Flags the whole store for a person under `code` (one entry per code; a new one replaces it). */
  async flagStore(code: string, entry: StoreAttention): Promise<void> {
    await this.redis.hset(this.keys.storeAttention, code, JSON.stringify(storeAttentionSchema.parse(entry)));
  }

  async clearStoreFlag(code: string): Promise<void> {
    await this.redis.hdel(this.keys.storeAttention, code);
  }

  /** What the whole store needs a person for, by code. */
  async storeAttention(): Promise<Map<string, StoreAttention>> {
    const raw = await this.redis.hgetall(this.keys.storeAttention);
    return new Map(
      Object.entries(raw).map(([code, v]) => [
        code,
        decode(storeAttentionSchema, this.keys.storeAttention, code, v) as StoreAttention,
      ]),
    );
  }

  // --- Category decisions, pins and attribute defaults -----------------------------------

  async saveCategoryDecision(shopifyProductId: string, decision: CategoryDecision): Promise<void> {
    await this.redis.hset(this.keys.categoryDecision, shopifyProductId, JSON.stringify(categoryDecisionSchema.parse(decision)));
  }

  /** Who chose this product's TikTok category on its last sync, and why. */
  async categoryDecision(shopifyProductId: string): Promise<CategoryDecision | undefined> {
    return decode(
      categoryDecisionSchema,
      this.keys.categoryDecision,
      shopifyProductId,
      await this.redis.hget(this.keys.categoryDecision, shopifyProductId),
    );
  }

  /** Every product's category decision, by Shopify product id. */
  async categoryDecisions(): Promise<Map<string, CategoryDecision>> {
    const raw = await this.redis.hgetall(this.keys.categoryDecision);
    return new Map(
      Object.entries(raw).map(([id, v]) => [
        id,
        decode(categoryDecisionSchema, this.keys.categoryDecision, id, v) as CategoryDecision,
      ]),
    );
  }

  /** Pins a product to a TikTok category: rules and the mapper never override it. */
  async pinCategory(shopifyProductId: string, categoryId: string, at = Date.now()): Promise<void> {
    await this.redis.hset(
      this.merchant.categoryPin,
      shopifyProductId,
      JSON.stringify(categoryPinSchema.parse({ categoryId, at })),
    );
  }

  /** Resolves whether there was a pin to remove. */
  async unpinCategory(shopifyProductId: string): Promise<boolean> {
    return (await this.redis.hdel(this.merchant.categoryPin, shopifyProductId)) > 0;
  }

  async categoryPins(): Promise<Map<string, CategoryPin>> {
    const raw = await this.redis.hgetall(this.merchant.categoryPin);
    return new Map(
      Object.entries(raw).map(([id, v]) => [id, decode(categoryPinSchema, this.merchant.categoryPin, id, v) as CategoryPin]),
    );
  }

  /** Sets (or with `value: undefined` removes) one attribute default of a category. */
  async setAttributeDefault(categoryId: string, attributeName: string, value: string | undefined): Promise<void> {
    const field = `${categoryId}:${attributeName}`;
    if (value === undefined) await this.redis.hdel(this.merchant.attributeDefault, field);
    else await this.redis.hset(this.merchant.attributeDefault, field, value);
  }

  /** Every stored attribute default of the store. */
  async attributeDefaults(): Promise<AttributeDefault[]> {
    const raw = await this.redis.hgetall(this.merchant.attributeDefault);
    return Object.entries(raw).flatMap(([field, value]) => {
      const cut = field.indexOf(':'); // category ids are digits: the first ':' ends them
      return cut > 0 ? [{ categoryId: field.slice(0, cut), attributeName: field.slice(cut + 1), value }] : [];
    });
  }

  // --- Orders ----------------------------------------------------------------------------

  async order(tiktokOrderId: string): Promise<OrderRecord | undefined> {
    return decode(orderRecordSchema, this.keys.order, tiktokOrderId, await this.redis.hget(this.keys.order, tiktokOrderId));
  }

  async allOrders(): Promise<Map<string, OrderRecord>> {
    const raw = await this.redis.hgetall(this.keys.order);
    return new Map(Object.entries(raw).map(([id, v]) => [id, decode(orderRecordSchema, this.keys.order, id, v) as OrderRecord]));
  }

  /** Records an imported order; it now waits for tracking unless already shipped or cancelled. */
  async saveOrder(tiktokOrderId: string, record: OrderRecord): Promise<void> {
    const multi = this.redis
      .multi()
      .hset(this.keys.order, tiktokOrderId, JSON.stringify(orderRecordSchema.parse(record)))
      .hdel(this.keys.orderFailed, tiktokOrderId);
    if (record.shippedAt || record.cancelledAt) multi.srem(this.keys.awaitingTracking, tiktokOrderId);
    else multi.sadd(this.keys.awaitingTracking, tiktokOrderId);
    await multi.exec();
  }

  async ordersAwaitingTracking(): Promise<string[]> {
    return this.redis.smembers(this.keys.awaitingTracking);
  }

  async recordOrderFailure(tiktokOrderId: string, reasons: OrderFailure['reasons'], at = Date.now()): Promise<void> {
    const previous = decode(
      orderFailureSchema,
      this.keys.orderFailed,
      tiktokOrderId,
      await this.redis.hget(this.keys.orderFailed, tiktokOrderId),
    );
    await this.redis.hset(
      this.keys.orderFailed,
      tiktokOrderId,
      JSON.stringify({ reasons, at, attempts: (previous?.attempts ?? 0) + 1 }),
    );
  }

  async orderFailures(): Promise<Map<string, OrderFailure>> {
    const raw = await this.redis.hgetall(this.keys.orderFailed);
    return new Map(
      Object.entries(raw).map(([id, v]) => [id, decode(orderFailureSchema, this.keys.orderFailed, id, v) as OrderFailure]),
    );
  }

  async clearOrderFailure(tiktokOrderId: string): Promise<void> {
    await this.redis.hdel(this.keys.orderFailed, tiktokOrderId);
  }

  // --- Claims ----------------------------------------------------------------------------

  /**
   * Claims `name` (e.g. one order's tracking push) for `ttlMs` across the fleet (SET NX PX).
   * Resolves the token that releases it, or how long the current holder still keeps it.
   */
  async claim(name: string, ttlMs: number): Promise<{ token: string } | { heldForMs: number }> {
    const token = randomUUID();
    const key = this.claimKey(name);
    if ((await this.redis.set(key, token, 'PX', Math.max(1, Math.round(ttlMs)), 'NX')) === 'OK') return { token };
    // -2: released meanwhile (claim again at once); -1 cannot happen (always set with a TTL).
    return { heldForMs: Math.max(0, await this.redis.pttl(key)) };
  }

  /** Releases a claim only while it is still ours (it may have lapsed and been taken by another). */
  async releaseClaim(name: string, token: string): Promise<void> {
    await this.redis.eval(RELEASE_CLAIM, 1, this.claimKey(name), token);
  }

  /** Extends a claim that is still ours by `ttlMs` from now; false when it lapsed or another holds it. */
  async extendClaim(name: string, token: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.eval(EXTEND_CLAIM, 1, this.claimKey(name), token, String(Math.max(1, Math.round(ttlMs))))) === 1;
  }

  private claimKey(name: string): string {
    return this.control.claim(name);
  }

  // --- Cursors ---------------------------------------------------------------------------

  async cursor(name: string): Promise<string | undefined> {
    return (await this.redis.hget(this.keys.cursor, name)) ?? undefined;
  }

  async setCursor(name: string, value: string): Promise<void> {
    await this.redis.hset(this.keys.cursor, name, value);
  }

  // --- Store mode and preview ---------------------------------------------------------------

  /** The mode an operator set (`shoptok go-live`), or undefined: the config's mode applies. */
  async storeMode(): Promise<StoreModeRecord | undefined> {
    return decode(storeModeRecordSchema, this.modeKey, 'mode', await this.redis.get(this.modeKey));
  }

  /**
   * Switches the store to live from `at`, once: going live again keeps the first go-live time
   * (the order cut-off must not move). Returns the record in force.
   */
  async goLive(at = Date.now()): Promise<{ record: StoreModeRecord; already: boolean }> {
    const current = await this.storeMode();
    if (current?.mode === 'live' && current.liveSince !== undefined) return { record: current, already: true };
    const record: StoreModeRecord = { mode: 'live', liveSince: at };
    await this.redis.set(this.modeKey, JSON.stringify(record));
    return { record, already: false };
  }

  /** Records items a preview run would have written (distinct: a second preview run counts them once). */
  async recordPreview(items: ReadonlyMap<PreviewKind, ReadonlySet<string>>): Promise<void> {
    const multi = this.redis.multi();
    let any = false;
    for (const [kind, keys] of items) {
      if (keys.size === 0) continue;
      multi.sadd(this.control.preview(kind), ...keys);
      any = true;
    }
    if (any) await multi.exec();
  }

  /** How many distinct items each kind of preview write would have touched so far. */
  async previewTotals(): Promise<PreviewTotals> {
    const counts = await Promise.all(previewKinds.map((kind) => this.redis.scard(this.control.preview(kind))));
    return Object.fromEntries(previewKinds.map((kind, i) => [kind, counts[i] ?? 0])) as PreviewTotals;
  }

  /** Forgets a cursor (a stopped job's resume point, once the job is done). */
  async deleteCursor(name: string): Promise<void> {
    await this.redis.hdel(this.keys.cursor, name);
  }

  // --- Reading for pages (the dashboard) ------------------------------------------------

  /**
   * Walks one record hash with HSCAN (a store with 50,000 SKUs never blocks Redis), decoding
   * each record with its schema. A record that does not parse (another version, damage) is
   * handed over as `undefined` instead of thrown, so a page counts it and shows the rest.
   */
  async scanRecords<H extends StateRecordHash>(
    hash: H,
    onEntry: (field: string, record: StateRecordOf<H> | undefined) => void,
    count = 1000,
  ): Promise<void> {
    const key = this.keys[hash];
    const schema: z.ZodType<StateRecordOf<H>> = recordSchemas[hash] as never;
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(key, cursor, 'COUNT', count);
      cursor = next;
      for (let i = 0; i + 1 < flat.length; i += 2) onEntry(flat[i] as string, decodeOrUndefined(schema, flat[i + 1] as string));
    } while (cursor !== '0');
  }

  /** How many TikTok orders were imported (one HLEN). */
  async importedOrderCount(): Promise<number> {
    return this.redis.hlen(this.keys.order);
  }

  /** The failure record of one order; undefined when it has none or it does not parse. */
  async orderFailure(tiktokOrderId: string): Promise<OrderFailure | undefined> {
    const raw = await this.redis.hget(this.keys.orderFailed, tiktokOrderId);
    return raw === null ? undefined : decodeOrUndefined(orderFailureSchema, raw);
  }

  /** Drops the whole state of the store (before a reconcile from scratch). */
  async clear(): Promise<void> {
    await this.redis.unlink(...Object.values(this.keys));
  }
}
