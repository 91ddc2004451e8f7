import type { ShopifyProduct } from '@shoptok/shopify';
import { computeInventoryDiff, type QuantitiesBySku, type ShopifyVariantStock, type TikTokSkuLink } from '@shoptok/sync-core';
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
): ReturnType<StoreServices['tiktok']['updateInventory']> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await svc.tiktok.updateInventory(productId, skus);
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

/**
 * Brings TikTok stock in step with Shopify for the given variants and links: reads Shopify's
 * available stock per location, applies the store's rules, and sends only what changed, one
 * inventory call per TikTok product. Shared by the full sync and the one-item (webhook) job.
 */
async function pushStock(
  svc: StoreServices,
  variants: ShopifyVariantStock[],
  links: SkuLink[],
  dryRun: boolean,
  report: RunReport,
  signal?: AbortSignal,
): Promise<void> {
  const inventoryItemOf = new Map<string, string>();
  for (const link of links) inventoryItemOf.set(link.shopifyVariantId, link.shopifyInventoryItemId);
  const itemIds = [...new Set(variants.map((v) => inventoryItemOf.get(v.variantId)).filter((id): id is string => Boolean(id)))];
  // What TikTok last got and its default warehouse are read while Shopify exports the stock.
  const pushedRead = svc.state.lastPushed(links.map((l) => l.tiktokSkuId));
  const warehouseRead = defaultWarehouseId(svc);
  // Settle both even when the Shopify read throws first (no unhandled rejection behind it).
  void Promise.allSettled([pushedRead, warehouseRead]);
  // Taken before the read: the levels are at least this fresh (see pushInOrder).
  const readAt = Date.now();
  const levels = itemIds.length > 0 ? await svc.shopify.getAvailableInventory(itemIds) : [];
  const levelsByItem = new Map<string, { locationId: string; available: number }[]>();
  for (const level of levels) {
    const list = levelsByItem.get(level.inventoryItemId) ?? [];
    list.push({ locationId: level.locationId, available: level.available });
    levelsByItem.set(level.inventoryItemId, list);
  }
  const withLevels = variants.map((v) => ({ ...v, levels: levelsByItem.get(inventoryItemOf.get(v.variantId) ?? '') ?? [] }));

  const pushed = await pushedRead;
  const lastPushed: QuantitiesBySku = Object.fromEntries([...pushed].map(([sku, p]) => [sku, p.warehouses]));
  const diff = computeInventoryDiff(
    { variants: withLevels, links: toDiffLinks(links), lastPushed, defaultWarehouseId: await warehouseRead },
    svc.rules,
  );

  report.summary.seen += links.length;
  report.summary.changed += diff.updates.reduce((n, u) => n + new Set(u.changes.map((c) => c.tiktokSkuId)).size, 0);
  for (const skip of diff.skipped) report.skip(skip.reason);

  // Several calls in flight: one at a time, TikTok's latency (not its 50 QPS) would bound the
  // run; the shared pacer keeps the rate under the limit however many are in flight.
  let next = 0;
  let done = 0;
  const pushOne = async (update: (typeof diff.updates)[number]) => {
    for (const change of update.changes) {
      svc.logger.info(
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
          const { errors } = await updateAbsorbingRateLimits(svc, update.tiktokProductId, skus);
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
  };
  let stopped = false;
  const lane = async () => {
    // A shutdown stops taking products; the calls in flight finish and are recorded as pushed.
    while (!stopped && !signal?.aborted && next < diff.updates.length) {
      const update = diff.updates[next++]!;
      // Progress every 50 calls: one Redis write per call would cost more than the call's own bookkeeping.
      if (done % 50 === 0) await report.progress('pushing stock to TikTok', done, diff.updates.length);
      try {
        await pushOne(update);
      } catch (err) {
        stopped = true; // the other lanes finish their call in flight and take no more
        throw err;
      }
      done++;
    }
  };
  // Wait for every lane (no call left running behind a failed job), then fail with the first error.
  const lanes = await Promise.allSettled(Array.from({ length: Math.min(PUSH_CONCURRENCY, diff.updates.length) }, lane));
  const failed = lanes.find((l): l is PromiseRejectedResult => l.status === 'rejected');
  if (failed) throw failed.reason;
  // What was pushed is recorded per SKU ("last pushed"): the run again sends only the rest.
  if (next < diff.updates.length) stopIfAborted(signal, `after ${done} of ${diff.updates.length} TikTok products`);
  await report.progress('done', diff.updates.length, diff.updates.length);
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
  stopIfAborted(ctx?.signal, 'before pushing stock');
  await pushStock(svc, variantsOf(products), inScope, dryRun, report, ctx?.signal);
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
  await pushStock(svc, variants, [link], data.dryRun || svc.dryRun, report);
  return report.summary;
}
