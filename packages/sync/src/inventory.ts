import {
  STOCK_EXPORT_MAX_LOCATIONS,
  type InventoryAvailability,
  type ShopifyProduct,
  type StockExportItem,
} from '@shoptok/shopify';
import {
  computeInventoryDiff,
  type InventoryDiff,
  type ProductInventoryUpdate,
  type QuantitiesBySku,
  type ShopifyVariantStock,
  type TikTokSkuLink,
} from '@shoptok/sync-core';
import { stopIfAborted, type JobContext, type JobSummary } from '@shoptok/queues';
import type { SkuLink } from '@shoptok/state';
import { TikTokAuthError, TikTokRateLimitError, type TikTokInventoryUpdate } from '@shoptok/tiktok';
import { rebuildSkuLinks } from './reconcile.js';
import type { StoreServices } from './services.js';
import { messageOf, RunReport } from './summary.js';

/**
 * TikTok inventory calls in flight at once per job: enough to fill the pacer's 45-50 calls a
 * second when each takes up to ~300 ms (qps x latency), so latency never becomes the bound.
 */
const PUSH_CONCURRENCY = 16;

/** From this many products on, the stock sync reads the catalogue with a bulk export. */
const INVENTORY_BULK_FROM_PRODUCTS = 100;

/** The shop's default TikTok warehouse (where stock goes when the rules map no locations). */
export async function defaultWarehouseId(svc: StoreServices): Promise<string | undefined> {
  if (svc.rules.inventory.warehouses.length > 0) return undefined;
  const warehouses = await svc.tiktok.getWarehouses();
  const sales = warehouses.filter((w) => !w.type || w.type === 'SALES_WAREHOUSE');
  return (sales.find((w) => w.is_default) ?? sales[0])?.id;
}

function variantsOf(products: readonly ShopifyProduct[]): ShopifyVariantStock[] {
  return products.flatMap((p) =>
    p.variants.map((v) => ({
      variantId: v.id,
      productId: p.id,
      productStatus: p.status,
      sku: v.sku,
      tracked: v.tracked,
      levels: [],
    })),
  );
}

function toDiffLinks(links: readonly SkuLink[]): TikTokSkuLink[] {
  return links.map((l) => ({
    tiktokProductId: l.tiktokProductId,
    tiktokSkuId: l.tiktokSkuId,
    sellerSku: l.sellerSku,
    shopifyVariantId: l.shopifyVariantId,
  }));
}

/** 429s one inventory call may absorb before the run stops (and the job is rate limited). */
const RATE_LIMIT_RETRIES_PER_CALL = 3;

/**
 * One inventory call that rides out a few 429s: the client has already held the whole fleet off
 * this API for TikTok's backoff, so the next attempt waits in the pacer. Stopping the run
 * instead would throw away its progress on a 100,000-SKU sync for one unlucky second.
 */
async function updateAbsorbingRateLimits(
  svc: StoreServices,
  productId: string,
  skus: TikTokInventoryUpdate[],
  priority: boolean,
): ReturnType<StoreServices['tiktok']['updateInventory']> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await svc.tiktok.updateInventory(productId, skus, { priority });
    } catch (err) {
      if (!(err instanceof TikTokRateLimitError) || attempt >= RATE_LIMIT_RETRIES_PER_CALL) throw err;
      svc.logger.warn(
        { productId, attempt: attempt + 1, waitMs: err.retryAfterMs },
        'tiktok rate limit inside the stock run: this call waits and goes again',
      );
    }
  }
}

/** How long one product's stock push holds its claim (a dead worker's claim lapses after this). */
const PUSH_CLAIM_MS = 30_000;

/**
 * Runs one TikTok product's stock push so that pushes of the same product never cross: several
 * jobs of a store may run at once (a full sync and a webhook's one-item job, on scaled workers),
 * and the one that read Shopify earlier must not land last and leave TikTok showing stale, higher
 * stock. Under a per-product claim, `push` is told which SKUs already got a number read later
 * than `readAt` (it leaves those out).
 */
async function pushInOrder(
  svc: StoreServices,
  tiktokProductId: string,
  tiktokSkuIds: string[],
  readAt: number,
  push: (fresher: Set<string>) => Promise<void>,
): Promise<void> {
  const name = `inventory-push:${tiktokProductId}`;
  for (;;) {
    const claim = await svc.state.claim(name, PUSH_CLAIM_MS);
    if ('token' in claim) {
      try {
        const pushed = await svc.state.lastPushed(tiktokSkuIds);
        const fresher = new Set([...pushed].filter(([, p]) => p.readAt !== undefined && p.readAt > readAt).map(([id]) => id));
        await push(fresher);
        return;
      } finally {
        await svc.state.releaseClaim(name, claim.token);
      }
    }
    // Another job is pushing this product right now (one call): wait for it, briefly.
    await new Promise((resolve) => setTimeout(resolve, Math.min(claim.heldForMs, 50 + Math.random() * 50)));
  }
}

/** Counts a diff's links, changes and skips into the run's report. */
function account(report: RunReport, diff: InventoryDiff, links: number): void {
  report.summary.seen += links;
  report.summary.changed += diff.updates.reduce((n, u) => n + new Set(u.changes.map((c) => c.tiktokSkuId)).size, 0);
  for (const skip of diff.skipped) report.skip(skip.reason);
}

/** What TikTok last got for these links, as the diff takes it. */
async function lastPushedOf(svc: StoreServices, links: readonly SkuLink[]): Promise<QuantitiesBySku> {
  const pushed = await svc.state.lastPushed(links.map((l) => l.tiktokSkuId));
  return Object.fromEntries([...pushed].map(([sku, p]) => [sku, p.warehouses]));
}

/**
 * At which level each SKU's "stock change" line is logged: `info` for a one-item job and a small
 * store's sync; `debug` for a streamed full sync, which logs one `info` summary per slice instead
 * (200,000 lines at info for a 100,000-SKU store would cost more CPU and memory than the sync).
 */
type ChangeLog = 'info' | 'debug';

/** Changes a slice's summary line lists by SKU (the rest are counted by reason). */
const CHANGE_SAMPLE = 20;

/** One `info` line for a slice's changes: counts by reason and the first few, bounded whatever the slice. */
function logChangeSummary(svc: StoreServices, diff: InventoryDiff): void {
  const byReason: Record<string, number> = {};
  const sample: { sku: string; warehouse: string; from: number | null; to: number; reason: string }[] = [];
  let changes = 0;
  for (const update of diff.updates)
    for (const c of update.changes) {
      changes += 1;
      byReason[c.reason] = (byReason[c.reason] ?? 0) + 1;
      if (sample.length < CHANGE_SAMPLE)
        sample.push({ sku: c.sellerSku, warehouse: c.warehouseId, from: c.from, to: c.to, reason: c.reason });
    }
  if (changes === 0) return;
  svc.logger.info({ changes, products: diff.updates.length, byReason, sample }, 'stock changes (each SKU at LOG_LEVEL=debug)');
}

/**
 * Sends one TikTok product's stock update (or records it in a dry run), in order with any other
 * job pushing that product (see pushInOrder). `readAt`: the Shopify numbers behind it are at least
 * this fresh; a push never overwrites a number read later.
 */
async function pushUpdate(
  svc: StoreServices,
  update: ProductInventoryUpdate,
  readAt: number,
  dryRun: boolean,
  report: RunReport,
  priority: boolean,
  changeLog: ChangeLog,
): Promise<void> {
  for (const change of update.changes) {
    svc.logger[changeLog](
      {
        sku: change.sellerSku,
        warehouse: change.warehouseId,
        from: change.from,
        to: change.to,
        reason: change.reason,
        observed: change.observed,
      },
      'stock change',
    );
  }
  if (dryRun) {
    svc.preview?.add('stock', ...update.body.skus.map((s) => s.id));
    report.wouldSend('POST /product/202309/products/{product_id}/inventory/update', update.tiktokProductId, update.body);
    return;
  }
  try {
    await pushInOrder(
      svc,
      update.tiktokProductId,
      update.body.skus.map((s) => s.id),
      readAt,
      async (fresher) => {
        const skus = update.body.skus.filter((s) => !fresher.has(s.id));
        for (let i = 0; i < fresher.size; i++) report.skip('newer-push');
        if (skus.length === 0) return;
        const { errors } = await updateAbsorbingRateLimits(svc, update.tiktokProductId, skus, priority);
        const failedSkus = new Set<string>();
        for (const error of errors) {
          const skuId = String((error as { detail?: { sku_id?: unknown } }).detail?.sku_id ?? '');
          failedSkus.add(skuId);
          report.fail(`TikTok SKU ${skuId || '?'} of product ${update.tiktokProductId}`, error.message, error.code);
        }
        const ok = skus.filter((s) => !failedSkus.has(s.id));
        await svc.state.recordPushed(
          ok.map((s) => ({
            tiktokSkuId: s.id,
            warehouses: Object.fromEntries(s.inventory.map((i) => [i.warehouse_id, i.quantity])),
          })),
          Date.now(),
          readAt,
        );
        report.summary.pushed += ok.length;
      },
    );
  } catch (err) {
    // A rate limit or an outage stops the run (the job retries); so does a refused authorization,
    // which no product can get past (the job fails naming the fix). Anything else is this product's problem.
    if ((err as { retryable?: boolean }).retryable !== false || err instanceof TikTokAuthError) throw err;
    report.fail(`TikTok product ${update.tiktokProductId}`, messageOf(err), (err as { code?: string | number }).code);
  }
}

/**
 * Product updates pushed with PUSH_CONCURRENCY calls in flight, taken as they are added: a
 * streamed sync adds while Shopify's export is still arriving, and `add` waits while `capacity`
 * updates are queued (so the export is read no faster than TikTok takes the calls). Several calls
 * in flight: one at a time, TikTok's latency (not its 50 QPS) would bound the run; the shared
 * pacer keeps the rate under the limit however many are in flight.
 */
class PushLanes {
  private readonly queue: ProductInventoryUpdate[] = [];
  private readonly idle: (() => void)[] = [];
  private readonly full: (() => void)[] = [];
  private readonly lanes: Promise<void>[];
  private closed = false;
  private failed: { error: unknown } | undefined;
  done = 0;
  added = 0;

  constructor(
    private readonly push: (update: ProductInventoryUpdate) => Promise<void>,
    private readonly report: RunReport,
    private readonly capacity: number,
    private readonly signal?: AbortSignal,
  ) {
    signal?.addEventListener('abort', () => this.wakeAll(), { once: true });
    this.lanes = Array.from({ length: PUSH_CONCURRENCY }, () => this.lane());
  }

  /** Queues one update; waits while the queue is full; throws the first push error. */
  async add(update: ProductInventoryUpdate): Promise<void> {
    if (this.failed) throw this.failed.error;
    this.queue.push(update);
    this.added += 1;
    this.idle.shift()?.();
    while (this.queue.length >= this.capacity && !this.failed && !this.signal?.aborted)
      await new Promise<void>((resolve) => this.full.push(resolve));
    const failed = this.failed as { error: unknown } | undefined; // set by a lane meanwhile
    if (failed) throw failed.error;
  }

  /** No more updates: waits for every lane (no call left running), then throws the first error. */
  async finish(): Promise<void> {
    this.closed = true;
    this.wakeAll();
    await Promise.allSettled(this.lanes);
    if (this.failed) throw this.failed.error;
    // What was pushed is recorded per SKU ("last pushed"): the run again sends only the rest.
    if (this.queue.length > 0) stopIfAborted(this.signal, `after ${this.done} of ${this.added} TikTok products`);
  }

  /** Stops taking updates after a failure elsewhere (the calls in flight finish). */
  abort(error: unknown): void {
    this.failed ??= { error };
    this.wakeAll();
  }

  private wakeAll(): void {
    for (const wake of this.idle.splice(0)) wake();
    for (const wake of this.full.splice(0)) wake();
  }

  private async lane(): Promise<void> {
    // A shutdown stops taking products; the calls in flight finish and are recorded as pushed.
    while (!this.failed && !this.signal?.aborted) {
      const update = this.queue.shift();
      if (!update) {
        if (this.closed) return;
        await new Promise<void>((resolve) => this.idle.push(resolve));
        continue;
      }
      this.full.shift()?.();
      // Progress every 50 calls: one Redis write per call would cost more than the call's own bookkeeping.
      if (this.done % 50 === 0) await this.report.progress('pushing stock to TikTok', this.done, this.added);
      try {
        await this.push(update);
      } catch (err) {
        this.abort(err); // the other lanes finish their call in flight and take no more
        return;
      }
      this.done += 1;
    }
  }
}

/**
 * Brings TikTok stock in step with Shopify for the given variants and links: reads Shopify's
 * available stock per location, applies the store's rules, and sends only what changed, one
 * inventory call per TikTok product. Used by the one-item (webhook) job and by the full sync of
 * a store read in pages (small stores, --limit, first run).
 */
async function pushStock(
  svc: StoreServices,
  variants: ShopifyVariantStock[],
  links: SkuLink[],
  dryRun: boolean,
  report: RunReport,
  options: {
    signal?: AbortSignal;
    priority?: boolean;
    /** Shopify's levels already being read (and when that read started), e.g. beside the variant read. */
    levelsRead?: { readAt: number; levels: Promise<InventoryAvailability[]> };
  } = {},
): Promise<void> {
  const inventoryItemOf = new Map<string, string>();
  for (const link of links) inventoryItemOf.set(link.shopifyVariantId, link.shopifyInventoryItemId);
  const itemIds = [...new Set(variants.map((v) => inventoryItemOf.get(v.variantId)).filter((id): id is string => Boolean(id)))];
  // What TikTok last got and its default warehouse are read while Shopify exports the stock.
  const pushedRead = lastPushedOf(svc, links);
  const warehouseRead = defaultWarehouseId(svc);
  // Settle both even when the Shopify read throws first (no unhandled rejection behind it).
  void Promise.allSettled([pushedRead, warehouseRead]);
  // Taken before the read: the levels are at least this fresh (see pushInOrder).
  const readAt = options.levelsRead?.readAt ?? Date.now();
  const levels = options.levelsRead
    ? await options.levelsRead.levels
    : itemIds.length > 0
      ? await svc.shopify.getAvailableInventory(itemIds)
      : [];
  const levelsByItem = new Map<string, { locationId: string; available: number }[]>();
  for (const level of levels) {
    const list = levelsByItem.get(level.inventoryItemId) ?? [];
    list.push({ locationId: level.locationId, available: level.available });
    levelsByItem.set(level.inventoryItemId, list);
  }
  const withLevels = variants.map((v) => ({ ...v, levels: levelsByItem.get(inventoryItemOf.get(v.variantId) ?? '') ?? [] }));

  const diff = computeInventoryDiff(
    { variants: withLevels, links: toDiffLinks(links), lastPushed: await pushedRead, defaultWarehouseId: await warehouseRead },
    svc.rules,
  );
  account(report, diff, links.length);
  const lanes = new PushLanes(
    (update) => pushUpdate(svc, update, readAt, dryRun, report, options.priority ?? false, 'info'),
    report,
    Math.max(1, diff.updates.length),
    options.signal,
  );
  for (const update of diff.updates) await lanes.add(update);
  await lanes.finish();
  await report.progress('done', diff.updates.length, diff.updates.length);
}

/** Inventory items a streamed sync diffs at once (cut between two products). */
const STREAM_SLICE_ITEMS = 500;
/** Product updates a streamed sync queues ahead of the calls in flight. */
const STREAM_QUEUE_UPDATES = 4 * PUSH_CONCURRENCY;

function stockOf(item: StockExportItem): ShopifyVariantStock {
  return {
    variantId: item.variantId,
    productId: item.productId,
    productStatus: item.productStatus as ShopifyVariantStock['productStatus'],
    sku: item.sku,
    tracked: item.tracked,
    levels: item.levels,
  };
}

/**
 * The inventory item ids a streamed sync has seen, held for the whole run (to find deleted
 * variants afterwards): a Shopify gid's number as a number (a few bytes, not a ~40-character
 * string, and never a slice that keeps a chunk of the export alive); anything else as a string.
 */
class SeenIds {
  private readonly numbers = new Set<number>();
  private readonly others = new Set<string>();

  add(id: string): void {
    const n = SeenIds.numberOf(id);
    if (n === undefined) this.others.add(id);
    else this.numbers.add(n);
  }

  has(id: string): boolean {
    const n = SeenIds.numberOf(id);
    return n === undefined ? this.others.has(id) : this.numbers.has(n);
  }

  get size(): number {
    return this.numbers.size + this.others.size;
  }

  private static numberOf(id: string): number | undefined {
    const match = /^gid:\/\/shopify\/InventoryItem\/(\d{1,15})$/.exec(id);
    return match ? Number(match[1]) : undefined;
  }
}

/** The Shopify locations whose stock reaches TikTok: those the rules map, else every active one. */
async function feedingLocations(svc: StoreServices): Promise<string[]> {
  const mapped = svc.rules.inventory.warehouses.flatMap((w) => w.shopifyLocationIds);
  if (mapped.length > 0) return [...new Set(mapped)];
  return (await svc.shopify.listLocations()).map((l) => l.id);
}

/**
 * The full sync of a big store, streamed: one bulk export of the store's stock (each item with its
 * variant and levels on one line) is diffed and pushed slice by slice while it downloads, so
 * memory holds a slice, the push queue and the ids seen, never the catalogue or all links.
 * Links whose item the export no longer has (variant deleted) are found afterwards by scanning
 * the links. Resolves false (nothing done) when the shop has too many locations for one export.
 */
async function streamInventorySync(
  svc: StoreServices,
  dryRun: boolean,
  report: RunReport,
  signal?: AbortSignal,
): Promise<boolean> {
  const locations = await feedingLocations(svc);
  if (locations.length === 0 || locations.length > STOCK_EXPORT_MAX_LOCATIONS) return false;
  const warehouse = await defaultWarehouseId(svc);
  // Taken before the export starts: every number in it is at least this fresh (see pushInOrder).
  const readAt = Date.now();
  const lanes = new PushLanes(
    (update) => pushUpdate(svc, update, readAt, dryRun, report, false, 'debug'),
    report,
    STREAM_QUEUE_UPDATES,
    signal,
  );
  const seen = new SeenIds();
  let noWarehouseReported = false;
  const diffAndQueue = async (variants: ShopifyVariantStock[], links: SkuLink[]) => {
    const diff = computeInventoryDiff(
      { variants, links: toDiffLinks(links), lastPushed: await lastPushedOf(svc, links), defaultWarehouseId: warehouse },
      svc.rules,
    );
    // Without a warehouse every slice would say so: once is enough.
    if (diff.skipped.some((s) => s.reason === 'no-warehouse')) {
      if (noWarehouseReported) return;
      noWarehouseReported = true;
    }
    account(report, diff, links.length);
    logChangeSummary(svc, diff);
    for (const update of diff.updates) await lanes.add(update);
  };
  let slice: StockExportItem[] = [];
  const flush = async () => {
    const items = slice;
    slice = [];
    if (items.length === 0) return;
    const links = await svc.state.skuLinksForInventoryItems(items.map((i) => i.inventoryItemId));
    await diffAndQueue(items.map(stockOf), [...links.values()]);
  };
  try {
    await report.progress('reading Shopify stock and pushing it to TikTok', 0, 1);
    await svc.shopify.streamStock(locations, async (item) => {
      stopIfAborted(signal, 'while reading the Shopify stock export');
      seen.add(item.inventoryItemId);
      // Cut between two products, so one TikTok product's SKUs usually make one call.
      if (slice.length >= STREAM_SLICE_ITEMS && slice.at(-1)!.productId !== item.productId) await flush();
      slice.push(item);
    });
    await flush();
    // Linked items the export no longer has: their variant was deleted in Shopify.
    for await (const links of svc.state.scanSkuLinks(STREAM_SLICE_ITEMS)) {
      const gone = links.filter((l) => !seen.has(l.shopifyInventoryItemId));
      if (gone.length > 0) await diffAndQueue([], gone);
    }
  } catch (err) {
    lanes.abort(err);
    await lanes.finish().catch(() => undefined);
    throw err;
  }
  await lanes.finish();
  svc.logger.info({ items: seen.size, locations: locations.length, dryRun }, 'inventory sync streamed');
  await report.progress('done', lanes.done, lanes.added);
  return true;
}

/**
 * `inventory-sync`: every linked SKU of the store (the scheduled safety net under the webhooks).
 * On shutdown it stops between products and runs again later, sending only what is still off.
 */
export async function runInventorySync(
  svc: StoreServices,
  data: { dryRun: boolean; limit?: number },
  ctx?: Pick<JobContext, 'progress'> & Partial<Pick<JobContext, 'signal'>>,
): Promise<JobSummary> {
  const report = new RunReport(ctx);
  const dryRun = data.dryRun || svc.dryRun;
  // One full sync of a store at a time: the inventory queue runs several jobs at once (so a
  // webhook's one-item job never waits behind a full sync), and two full syncs would only halve
  // each other's share of TikTok's rate limit. A second one waits for the first, then runs (it
  // sends only what changed meanwhile): whoever queued it (`enqueue inventory --wait`) is told
  // it is done only once the store's stock is in step.
  let claim = await svc.state.claim(FULL_SYNC_CLAIM, FULL_SYNC_CLAIM_MS);
  if (!('token' in claim)) {
    report.note('a full stock sync of this store was already running: this run waited for it');
    await report.progress('waiting for the running full stock sync of this store', 0, 1);
    while ('heldForMs' in claim) {
      stopIfAborted(ctx?.signal, 'while waiting for the running full stock sync');
      const heldForMs = claim.heldForMs;
      await new Promise((resolve) => setTimeout(resolve, Math.min(FULL_SYNC_WAIT_POLL_MS, heldForMs + 1)));
      claim = await svc.state.claim(FULL_SYNC_CLAIM, FULL_SYNC_CLAIM_MS);
    }
  }
  const token = claim.token;
  const renew = setInterval(() => {
    void svc.state.extendClaim(FULL_SYNC_CLAIM, token, FULL_SYNC_CLAIM_MS).catch(() => undefined);
  }, FULL_SYNC_CLAIM_MS / 3);
  try {
    return await fullInventorySync(svc, data, dryRun, report, ctx?.signal);
  } finally {
    clearInterval(renew);
    await svc.state.releaseClaim(FULL_SYNC_CLAIM, token).catch(() => undefined);
  }
}

const FULL_SYNC_CLAIM = 'inventory-full-sync';
/** A dead worker's full-sync claim lapses after this; a live one renews it every third of it. */
const FULL_SYNC_CLAIM_MS = 60_000;
/** How often a waiting full sync looks whether the running one has finished. */
const FULL_SYNC_WAIT_POLL_MS = 500;

async function fullInventorySync(
  svc: StoreServices,
  data: { dryRun: boolean; limit?: number },
  dryRun: boolean,
  report: RunReport,
  signal: AbortSignal | undefined,
): Promise<JobSummary> {
  // A big store, already linked, is streamed (bounded memory, pushes start at the first lines).
  // Small stores, --limit and a first run (links rebuilt from the catalogue) read it whole.
  if (!data.limit) {
    const [{ count, exact }, linked] = await Promise.all([svc.shopify.countProducts(), svc.state.countSkuLinks()]);
    if (linked > 0 && (!exact || count >= INVENTORY_BULK_FROM_PRODUCTS)) {
      if (await streamInventorySync(svc, dryRun, report, signal)) return report.summary;
    }
  }
  await report.progress('reading the Shopify catalogue', 0, 1);
  // A page of 5 products asks for about 750 cost points (media, descriptions): from 100 products
  // on, one bulk export (about 20 points) reads the catalogue far sooner on a 100 points/s bucket.
  const linksRead = svc.state.allSkuLinks(); // read from Redis while Shopify exports the catalogue
  void linksRead.catch(() => undefined); // awaited below; settled even if the export throws first
  const { products: all, via } = await svc.shopify.fetchCatalogue({
    bulkThreshold: INVENTORY_BULK_FROM_PRODUCTS,
    variantMetafields: false, // stock needs none: no second read
  });
  const products = data.limit ? all.slice(0, data.limit) : all;
  let links = await linksRead;
  if (links.length === 0) {
    // First run (or after losing Redis): find what is already listed on TikTok by seller SKU.
    report.note('no SKU links yet: matched TikTok listings to Shopify variants by seller SKU first');
    links = await rebuildSkuLinks(svc, all, report);
  }
  const productIds = new Set(products.map((p) => p.id));
  // With --limit, only the links of the products looked up (the rest would look deleted).
  const inScope = data.limit ? links.filter((l) => productIds.has(l.shopifyProductId)) : links;
  svc.logger.info({ products: products.length, via, links: inScope.length, dryRun }, 'inventory sync');
  stopIfAborted(signal, 'before pushing stock');
  await pushStock(svc, variantsOf(products), inScope, dryRun, report, { signal });
  return report.summary;
}

/** `inventory-item`: one inventory item whose stock changed (a Shopify webhook), pushed in seconds. */
export async function runInventoryItem(
  svc: StoreServices,
  data: { dryRun: boolean; inventoryItemId: string },
  ctx?: Pick<JobContext, 'progress'>,
): Promise<JobSummary> {
  const report = new RunReport(ctx);
  const link = await svc.state.skuLinkForInventoryItem(data.inventoryItemId);
  if (!link) {
    report.skip('unlinked');
    report.note(`inventory item ${data.inventoryItemId} is not linked to a TikTok SKU`);
    return report.summary;
  }
  // Its stock is read beside the variant (two Shopify round trips at once, not one after the other).
  const readAt = Date.now();
  const levels = svc.shopify.getAvailableInventory([link.shopifyInventoryItemId]);
  void levels.catch(() => undefined); // awaited in pushStock; settled even if the variant read throws first
  // Read the variant fresh: it may have been archived, untracked or deleted since it was linked.
  const variants: ShopifyVariantStock[] = (await svc.shopify.getVariantsBySku([link.sellerSku]))
    .filter((v) => v.id === link.shopifyVariantId)
    .map((v) => ({
      variantId: v.id,
      productId: v.productId,
      productStatus: v.productStatus,
      sku: v.sku,
      tracked: v.tracked,
      levels: [],
    }));
  // Ahead of a full sync's calls in the pacer: a sale should reach TikTok in about a second.
  await pushStock(svc, variants, [link], data.dryRun || svc.dryRun, report, {
    priority: true,
    // A deleted variant has no levels to use: its links' stock goes to zero as before.
    levelsRead: { readAt, levels: variants.length > 0 ? levels : Promise.resolve([]) },
  });
  return report.summary;
}
