import type { ProductMapper } from '@shoptok/ai-mapper';
import { JobStoppedError, type JobContext, type JobHandlers, type JobSummary } from '@shoptok/queues';
import type { ShopifyProduct } from '@shoptok/shopify';
import type { ListingRecord } from '@shoptok/state';
import { selectProducts, type ProductSelection } from '@shoptok/sync-core';
import { type TikTokProduct, TikTokResponseShapeError } from '@shoptok/tiktok';
import { defaultWarehouseId } from '../inventory.js';
import type { StoreServices } from '../services.js';
import { RunReport } from '../summary.js';
import { numericIdOf, toListingProduct } from './adapt.js';
import { type FetchImage, httpImageFetcher } from './images.js';
import { nextPollDelayMs, REVIEW_GIVE_UP_MS, scheduleStatusPoll, TERMINAL_FOR_REVIEW } from './listing-state.js';
import { isProductGone, ListingRun, type ListingRunDeps } from './pipeline.js';
import { loadShopProfile } from './shop.js';

export interface ProductHandlerDeps {
  /** The store's mapper (category, attributes, title, description); its category index should be the shop's live tree. */
  mapper: ProductMapper;
  /** Downloads a Shopify image; default: global fetch, 20 s timeout, 10 MB cap. */
  fetchImage?: FetchImage;
  /** Clock (tests). */
  now?: () => number;
  /** The shop's profile, default warehouse and category rows, when the caller keeps them (the worker, per process). */
  shop?: Pick<ListingRunDeps, 'profile' | 'warehouse' | 'categories'>;
}

/** What the product handlers read from a job: progress reporting and the job's own id. */
export type ProductJobContext = Pick<JobContext, 'progress'> &
  Partial<Pick<JobContext, 'signal'>> & { job?: { id?: string | undefined } };

/** State cursor holding where a stopped `product-batch` job got to (the last product done), per job. */
const resumeCursorOf = (jobId: string) => `product-batch-resume:${jobId}`;

function selectionOf(svc: StoreServices, products: readonly ShopifyProduct[]): ProductSelection {
  return selectProducts(
    products.map((p) => toListingProduct(p)),
    svc.rules.listing.filters,
  );
}

/** How long the shop's market and default warehouse are trusted before they are read again. */
const SHOP_FACTS_TTL_MS = 10 * 60_000;

/** Reads `load` at most once per `ttlMs`; a failed read is tried again on the next call. */
function memo<T>(load: () => Promise<T>, now: () => number, ttlMs: number): () => Promise<T> {
  let cached: { value: Promise<T>; at: number } | undefined;
  return () => {
    if (!cached || now() - cached.at > ttlMs) {
      const value = load().catch((err: unknown) => {
        cached = undefined;
        throw err;
      });
      cached = { value, at: now() };
    }
    return cached.value;
  };
}

function runDeps(svc: StoreServices, deps: ProductHandlerDeps): ListingRunDeps {
  const now = deps.now ?? Date.now;
  return {
    mapper: deps.mapper,
    fetchImage: deps.fetchImage ?? httpImageFetcher(),
    now,
    profile: memo(() => loadShopProfile(svc), now, SHOP_FACTS_TTL_MS),
    warehouse: memo(() => defaultWarehouseId(svc), now, SHOP_FACTS_TTL_MS),
    ...deps.shop,
  };
}

/**
 * From this many products on, a listing run reads the catalogue with a bulk export: product
 * pages cost ~35 points a product of Shopify's 100-point-a-second bucket, which would make the
 * read, not TikTok's limits, the slowest part of listing a catalogue.
 */
const BULK_CATALOGUE_FROM = 100;
/** From this many products to create, their stock is read ahead in one go (a bulk export), not per product. */
const STOCK_AHEAD_FROM = 100;

/** Reads the catalogue and what the filters select from it. */
async function catalogue(
  svc: StoreServices,
  report: RunReport,
): Promise<{ products: ShopifyProduct[]; selection: ProductSelection }> {
  await report.progress('reading the Shopify catalogue', 0, 1);
  const { products, via } = await svc.shopify.fetchCatalogue({ bulkThreshold: BULK_CATALOGUE_FROM });
  svc.logger.info({ products: products.length, via }, 'catalogue read for listing');
  return { products, selection: selectionOf(svc, products) };
}

/** Title and first image of the products this run considers, for the dashboard's Listings page. */
async function saveSummaries(svc: StoreServices, products: readonly ShopifyProduct[]): Promise<void> {
  const now = Date.now();
  await svc.state.saveProductSummaries(
    new Map(
      products.map((p) => [p.id, { title: p.title, seenAt: now, ...(p.images[0]?.url ? { imageUrl: p.images[0].url } : {}) }]),
    ),
  );
}

function exclusionsById(selection: ProductSelection): Map<string, { reason: string; message: string }> {
  return new Map(selection.excluded.map((e) => [e.productId, e]));
}

/** Store attention code of a products run that held back a mass removal. */
export const MASS_REMOVAL_FLAG = 'mass-removal-held';

/**
 * The mass-removal guard: a run that would deactivate more than `rules.listing.maxRemovalPercent`
 * of the store's live listings (a filter that suddenly matches nothing, a catalogue read gone
 * wrong) deactivates nothing, flags the store with the numbers and alerts, until an operator
 * confirms (`--confirm-removals`). Resolves whether the removals may go ahead.
 */
async function guardMassRemoval(
  svc: StoreServices,
  report: RunReport,
  run: { wouldRemove: number; liveListings: number; confirmed: boolean; fullWalk: boolean; dryRun: boolean; now: number },
): Promise<boolean> {
  const maxPercent = svc.rules.listing.maxRemovalPercent;
  const { wouldRemove, liveListings } = run;
  const over = wouldRemove > 0 && wouldRemove * 100 > liveListings * maxPercent;
  if (!over || run.confirmed) {
    if (over)
      report.note(
        `removals confirmed: deactivating ${wouldRemove} of ${liveListings} live listings (above the ${maxPercent} % guard)`,
      );
    // A full walk (or a confirmed run) settles the question: an older hold no longer applies.
    if (!run.dryRun && (run.fullWalk || run.confirmed)) await svc.state.clearStoreFlag(MASS_REMOVAL_FLAG);
    return true;
  }
  const share = liveListings > 0 ? Math.round((wouldRemove / liveListings) * 100) : 100;
  const message = `This run would deactivate ${wouldRemove} of ${liveListings} live TikTok listings (${share} %, more than rules.listing.maxRemovalPercent ${maxPercent} %); nothing was deactivated. Check the listing filters and the Shopify catalogue; if the removals are right: pnpm enqueue products --store ${svc.storeId} --confirm-removals`;
  report.fail(`store ${svc.storeId}`, message, MASS_REMOVAL_FLAG);
  svc.logger.warn({ wouldRemove, liveListings, maxPercent }, 'mass removal held back');
  if (run.dryRun) return false;
  await svc.state.flagStore(MASS_REMOVAL_FLAG, { message, at: run.now, numbers: { wouldRemove, liveListings, maxPercent } });
  await svc.alerts?.massRemovalHeld({ store: svc.storeId, wouldRemove, liveListings, maxPercent });
  return false;
}

/**
 * `product-batch`: walks the catalogue (products in id order, after `cursor`, at most `limit`)
 * in batches of `batchSize`. Each product gets the smallest change that brings its listing in
 * step; one product's failure is recorded and never fails the batch. A full walk (no cursor,
 * no limit) also deactivates listings whose Shopify product is gone or no longer selected, and
 * makes sure every listing in review has a status poll. On shutdown it stops between two
 * products, saves the last one done, and the same job resumes after it when it runs again.
 */
export async function runProductBatch(
  svc: StoreServices,
  deps: ListingRunDeps,
  data: { dryRun: boolean; limit?: number; cursor?: string; confirmRemovals?: boolean },
  ctx?: ProductJobContext,
): Promise<JobSummary> {
  const report = new RunReport(ctx);
  const dryRun = data.dryRun || svc.dryRun;
  const run = await ListingRun.start(svc, deps, report, dryRun, ctx?.job?.id);
  const { products, selection } = await catalogue(svc, report);
  run.indexSkus(selection);
  const after = data.cursor ? numericIdOf(data.cursor) : 0;
  const ordered = [...products].sort((a, b) => numericIdOf(a.id) - numericIdOf(b.id));
  const scope = ordered.filter((p) => numericIdOf(p.id) > after).slice(0, data.limit ?? Infinity);
  const selected = new Map(selection.selected.map((s) => [s.product.id, s.variants]));
  const excluded = exclusionsById(selection);
  const inScope = new Set(scope.map((p) => p.id));
  const resumeCursor = ctx?.job?.id ? resumeCursorOf(ctx.job.id) : undefined;
  const resumeAfter = resumeCursor ? Number((await svc.state.cursor(resumeCursor)) ?? 0) : 0;
  const todo = resumeAfter > 0 ? scope.filter((p) => numericIdOf(p.id) > resumeAfter) : scope;
  if (resumeAfter > 0) report.note(`resumed after product ${resumeAfter} (${scope.length - todo.length} done before a shutdown)`);
  const toCreate = todo.filter((p) => selected.has(p.id) && !run.listing(p.id));
  if (toCreate.length >= STOCK_AHEAD_FROM)
    await run.readStockAhead(
      toCreate.flatMap((p) => (selected.get(p.id) ?? []).map((v) => variantItem(p, v.id))).filter((id) => id !== ''),
    );
  for (const v of selection.excludedVariants)
    if (inScope.has(v.productId) && selected.has(v.productId))
      report.skip(v.reason === 'no-sku' ? 'variant-without-sku' : 'variant-sku-excluded');

  // Products go side by side (at most `rules.listing.concurrency`), taken in id order; the
  // resume cursor is the last product before which every product is done.
  const removedAt: ({ productId: string; why: string } | undefined)[] = [];
  const batchSize = Math.max(1, svc.batchSize);
  const done: boolean[] = todo.map(() => false);
  let donePrefix = 0;
  let next = 0;
  let stopped: { error: unknown } | undefined;
  let aborted = false;
  let slice = -1;
  let sliceReady: Promise<void> = Promise.resolve();
  const take = async (): Promise<number | undefined> => {
    if (stopped || aborted) return undefined;
    if (ctx?.signal?.aborted && resumeCursor) {
      aborted = true;
      return undefined;
    }
    const i = next++;
    if (i >= todo.length) return undefined;
    if (Math.floor(i / batchSize) !== slice) {
      slice = Math.floor(i / batchSize);
      const from = slice * batchSize;
      sliceReady = (async () => {
        await report.progress('listing products on TikTok', from, todo.length);
        if (!dryRun)
          await saveSummaries(
            svc,
            todo.slice(from, from + batchSize).filter((p) => selected.has(p.id)),
          );
      })();
    }
    await sliceReady;
    return i;
  };
  const one = async (i: number, product: ShopifyProduct): Promise<void> => {
    const variants = selected.get(product.id);
    if (variants) {
      await run.guarded(product.id, `Shopify product ${product.id} "${product.title}"`, () => run.syncProduct(product, variants));
      return;
    }
    const why = excluded.get(product.id);
    if (run.listing(product.id))
      removedAt[i] = { productId: product.id, why: `is no longer listed (${why?.message ?? 'excluded'})` };
    else report.skip(why?.reason ?? 'excluded');
  };
  const lane = async (): Promise<void> => {
    for (;;) {
      let i: number | undefined;
      try {
        i = await take();
        if (i === undefined) return;
        await one(i, todo[i] as ShopifyProduct);
      } catch (error) {
        // Rate limits, outages, settings: the job stops once the products in flight are done.
        stopped ??= { error };
        return;
      }
      done[i] = true;
      while (donePrefix < todo.length && done[donePrefix]) donePrefix++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, svc.rules.listing.concurrency), todo.length) }, lane));
  if (stopped) throw stopped.error;
  if (aborted && resumeCursor) {
    const lastDone = donePrefix > 0 ? todo[donePrefix - 1]?.id : undefined;
    if (lastDone) await svc.state.setCursor(resumeCursor, String(numericIdOf(lastDone)));
    throw new JobStoppedError(`after product ${lastDone ?? '(none)'}`);
  }
  const removed = removedAt.filter((r): r is { productId: string; why: string } => r !== undefined);

  const fullWalk = !data.cursor && data.limit === undefined;
  if (fullWalk) {
    const present = new Set(products.map((p) => p.id));
    for (const productId of run.allListings().keys())
      if (!present.has(productId)) removed.push({ productId, why: 'was deleted in Shopify' });
  }
  await report.progress('deactivating removed products', scope.length, scope.length);
  const targets = run.planRemovals(removed);
  const goAhead = await guardMassRemoval(svc, report, {
    wouldRemove: targets.length,
    liveListings: run.liveListingCount(),
    confirmed: data.confirmRemovals === true,
    fullWalk,
    dryRun,
    now: deps.now(),
  });
  if (goAhead) await run.deactivate(targets);
  if (fullWalk && !dryRun) {
    // Safety net under the per-listing polls (a lost job, a Redis restore): every listing in review is polled.
    for (const record of run.allListings().values()) {
      if (record.status === 'PENDING' || record.status === 'ADOPTED')
        await scheduleStatusPoll(svc, record.tiktokProductId, nextPollDelayMs(record.updatedAt, deps.now()), ctx?.job?.id);
    }
  }
  if (resumeCursor && resumeAfter > 0) await svc.state.deleteCursor(resumeCursor);
  const last = scope.at(-1);
  if (last && data.limit !== undefined && last !== ordered.at(-1))
    report.note(`stopped after ${scope.length} products; continue with cursor ${last.id}`);
  await report.progress('done', scope.length, scope.length);
  svc.logger.info(
    {
      seen: report.summary.seen,
      changed: report.summary.changed,
      failed: report.summary.failed,
      skipped: report.summary.skipped,
      dryRun,
    },
    'product batch done',
  );
  return report.summary;
}

/**
 * `product-sync-one`: one product, e.g. after an operator fixed it in Shopify and re-queued it
 * from the CLI, or after a product webhook. A product Shopify no longer has (or no longer
 * selects) is deactivated per the rules.
 */
export async function runProductSyncOne(
  svc: StoreServices,
  deps: ListingRunDeps,
  data: { dryRun: boolean; productId: string },
  ctx?: ProductJobContext,
): Promise<JobSummary> {
  const report = new RunReport(ctx);
  const dryRun = data.dryRun || svc.dryRun;
  // That product only, never the catalogue. A SKU must still be unique store-wide: Shopify's
  // SKU search names the other products using its SKUs, and only those are read too.
  await report.progress('reading the product from Shopify', 0, 1);
  const one = await svc.shopify.getProduct(data.productId);
  const skus = [...new Set((one?.variants ?? []).map((v) => (v.sku ?? '').trim()).filter((sku) => sku !== ''))];
  const sharing = skus.length > 0 ? await svc.shopify.getVariantsBySku(skus) : [];
  const otherIds = [...new Set(sharing.map((v) => v.productId).filter((id) => id !== data.productId))];
  const others = (await Promise.all(otherIds.map((id) => svc.shopify.getProduct(id)))).filter(
    (p): p is ShopifyProduct => p !== null,
  );
  const products = one ? [one, ...others] : [];
  const selection = selectionOf(svc, products);
  const run = await ListingRun.start(svc, deps, report, dryRun, ctx?.job?.id, {
    productId: data.productId,
    sellerSkus: skus,
    inventoryItemIds: (one?.variants ?? []).map((v) => v.inventoryItemId),
  });
  run.indexSkus(selection);
  const product = products.find((p) => p.id === data.productId);
  const variants = selection.selected.find((s) => s.product.id === data.productId)?.variants;
  if (product && variants) {
    if (!dryRun) await saveSummaries(svc, [product]);
    await run.guarded(product.id, `Shopify product ${product.id} "${product.title}"`, () => run.syncProduct(product, variants));
  } else if (run.listing(data.productId)) {
    const why = product
      ? `is no longer listed (${exclusionsById(selection).get(data.productId)?.message ?? 'excluded'})`
      : 'was deleted in Shopify';
    await run.removeListings([{ productId: data.productId, why }]);
  } else {
    report.skip(product ? (exclusionsById(selection).get(data.productId)?.reason ?? 'excluded') : 'not-in-shopify');
    report.note(
      `Shopify product ${data.productId} ${product ? `is not selected for TikTok: ${exclusionsById(selection).get(data.productId)?.message ?? ''}` : 'does not exist in Shopify'}`,
    );
  }
  await report.progress('done', 1, 1);
  return report.summary;
}

/** A listing's status from Search Products (by one of its seller SKUs), shaped as a detail without audit reasons. */
async function statusBySearch(
  svc: StoreServices,
  productId: string,
  tiktokProductId: string,
): Promise<TikTokProduct | undefined> {
  const skus = (await svc.state.allSkuLinks())
    .filter((l) => l.shopifyProductId === productId && l.tiktokProductId === tiktokProductId)
    .map((l) => l.sellerSku);
  if (skus.length === 0) return undefined;
  const page = await svc.tiktok.searchProducts({ sellerSkus: skus.slice(0, 10) }, { pageSize: 10 });
  const hit = page.products.find((p) => p.id === tiktokProductId);
  return hit
    ? {
        id: hit.id,
        title: hit.title,
        description: '',
        status: hit.status,
        category_chains: [],
        main_images: [],
        skus: [],
        product_attributes: [],
        audit_failed_reasons: [],
      }
    : undefined;
}

function auditReasonsOf(product: TikTokProduct): ListingRecord['auditFailedReasons'] {
  return product.audit_failed_reasons.map((r) => ({ position: r.position, reasons: r.reasons, suggestions: r.suggestions }));
}

function auditMessage(reasons: ListingRecord['auditFailedReasons']): string {
  if (reasons.length === 0)
    return 'TikTok rejected the listing in review without giving a reason; see the product in Seller Center.';
  return reasons
    .map(
      (r) =>
        `TikTok review failed${r.position ? ` (${r.position})` : ''}: ${r.reasons.join(' ')}${r.suggestions.length > 0 ? ` Suggestion: ${r.suggestions.join(' ')}` : ''}`,
    )
    .join(' ');
}

/**
 * `listing-status`: one look at a listing's review. Still in review: the next poll is
 * scheduled (later the longer review takes). `FAILED`: TikTok's `audit_failed_reasons` and
 * suggestions go into the listing record and the attention list, where `status` and the
 * dashboard show them. Reads only; a dry run records nothing.
 */
export async function runListingStatus(
  svc: StoreServices,
  deps: ListingRunDeps,
  data: { dryRun: boolean; tiktokProductId: string },
  ctx?: ProductJobContext,
): Promise<JobSummary> {
  const report = new RunReport(ctx);
  const dryRun = data.dryRun || svc.dryRun;
  const now = deps.now();
  report.summary.seen = 1;
  const entry = [...(await svc.state.allListings())].find(([, r]) => r.tiktokProductId === data.tiktokProductId);
  if (!entry) {
    report.skip('unknown-listing');
    report.note(`TikTok product ${data.tiktokProductId} is not a listing shoptok made or adopted`);
    return report.summary;
  }
  const [productId, record] = entry;
  let product: TikTokProduct;
  try {
    product = await svc.tiktok.getProduct(data.tiktokProductId);
  } catch (err) {
    if (err instanceof TikTokResponseShapeError) {
      // The detail did not parse; the search summary still tells the status (without audit reasons).
      const found = await statusBySearch(svc, productId, data.tiktokProductId);
      if (!found) throw err;
      product = found;
      report.note(
        `TikTok's product detail for ${data.tiktokProductId} did not parse (${err.message}); status taken from Search Products`,
      );
    } else {
      if (!isProductGone(err)) throw err;
      report.note(`TikTok product ${data.tiktokProductId} no longer exists on TikTok`);
      if (!dryRun) {
        await svc.state.saveListing(productId, { ...record, status: 'DELETED' });
        await svc.state.markNeedsAttention(
          productId,
          [
            {
              code: 'deleted-on-tiktok',
              message: `The TikTok listing ${data.tiktokProductId} was deleted on TikTok; shoptok will not list this product again until its listing record is removed.`,
            },
          ],
          now,
        );
        report.summary.changed = 1;
      }
      return report.summary;
    }
  }
  const status = product.status;
  const auditFailedReasons = status === 'FAILED' ? auditReasonsOf(product) : [];
  report.note(
    `TikTok product ${data.tiktokProductId} (Shopify ${productId}) is ${status}${product.audit ? `, audit ${product.audit.status}` : ''}`,
  );
  if (dryRun) return report.summary;

  const changed = status !== record.status || JSON.stringify(auditFailedReasons) !== JSON.stringify(record.auditFailedReasons);
  if (changed) {
    // saveListing clears the attention entry; a failure is written back right after.
    await svc.state.saveListing(productId, { ...record, status, auditFailedReasons });
    report.summary.changed = 1;
    svc.logger.info(
      { productId, tiktokProductId: data.tiktokProductId, from: record.status, to: status },
      'listing status changed',
    );
  }
  if (status === 'FAILED') {
    if (changed)
      await svc.state.markNeedsAttention(productId, [{ code: 'audit-failed', message: auditMessage(auditFailedReasons) }], now);
    report.fail(
      `TikTok listing ${data.tiktokProductId} of Shopify product ${productId}`,
      auditMessage(auditFailedReasons),
      'audit-failed',
    );
    return report.summary;
  }
  if (status === 'PLATFORM_DEACTIVATED' || status === 'FREEZE') {
    if (changed)
      await svc.state.markNeedsAttention(
        productId,
        [
          {
            code: status.toLowerCase(),
            message: `TikTok set the listing ${data.tiktokProductId} to ${status}; see Seller Center for the policy reason and appeal there.`,
          },
        ],
        now,
      );
    return report.summary;
  }
  if (TERMINAL_FOR_REVIEW.has(status)) return report.summary;
  // Passed review but held for permission (US INVITE_ONLY categories, KYC): it stays PENDING.
  const preApproved = product.audit?.status === 'PRE_APPROVED' ? (product.audit.pre_approved_reasons ?? []) : undefined;
  if (preApproved) {
    await svc.state.markNeedsAttention(
      productId,
      [
        {
          code: 'pre-approved',
          message: `TikTok approved the listing but holds it back (${preApproved.join(', ') || 'no reason given'}); finish that in Seller Center.`,
        },
      ],
      now,
    );
    return report.summary;
  }
  if (now - record.updatedAt > REVIEW_GIVE_UP_MS) {
    await svc.state.markNeedsAttention(
      productId,
      [
        {
          code: 'review-timeout',
          message: `The listing ${data.tiktokProductId} has been in review for over ${Math.round(REVIEW_GIVE_UP_MS / 86_400_000)} days; ask TikTok seller support.`,
        },
      ],
      now,
    );
    return report.summary;
  }
  await scheduleStatusPoll(svc, data.tiktokProductId, nextPollDelayMs(record.updatedAt, now), ctx?.job?.id);
  report.note(`still ${status}: checked again in about ${Math.round(nextPollDelayMs(record.updatedAt, now) / 1000)} s`);
  return report.summary;
}

/** The handlers of the `products` queue for one store. */
export function productHandlers(svc: StoreServices, deps: ProductHandlerDeps): JobHandlers<'products'> {
  const run = runDeps(svc, deps);
  return {
    'product-batch': (data, ctx) => runProductBatch(svc, run, data, ctx),
    'product-sync-one': (data, ctx) => runProductSyncOne(svc, run, data, ctx),
    'listing-status': (data, ctx) => runListingStatus(svc, run, data, ctx),
  };
}

/** The inventory item of a product's variant ('' when the variant is not the product's). */
function variantItem(product: ShopifyProduct, variantId: string): string {
  return product.variants.find((v) => v.id === variantId)?.inventoryItemId ?? '';
}
