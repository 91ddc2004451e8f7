import { jobIdFor } from '@shoptok/queues';
import type { ListingRecord, SkuLink } from '@shoptok/state';
import { contentHash, type ListingDraft, type ListingState } from '@shoptok/sync-core';
import type { StoreServices } from '../services.js';

/** TikTok statuses after which a listing needs a person, not another poll. */
export const TERMINAL_FOR_REVIEW = new Set([
  'ACTIVATE',
  'FAILED',
  'SELLER_DEACTIVATED',
  'PLATFORM_DEACTIVATED',
  'FREEZE',
  'DELETED',
]);
/** Listing status we record after deactivating a product Shopify removed. */
export const DEACTIVATED = 'SELLER_DEACTIVATED';

/** Hash of the prices last sent, per seller SKU (ListingRecord.priceHash). */
export function priceHashOf(draft: ListingDraft): string {
  return contentHash(draft.skus.map((s) => [s.sellerSku, s.price.amount, s.price.currency]).sort());
}

/**
 * Rebuilds what TikTok last got for a product from the shared state: the listing record
 * (content hash, price hash, status) and the SKU links (TikTok SKU ids). Prices are only known
 * as a hash: when it differs from the draft's, every SKU's price is marked unknown, so the plan
 * resends all of them in ONE price call (no review). Stock is the inventory worker's: the
 * drafts compared here carry none, so stock never turns a plan into an edit.
 */
export function previousListingState(
  record: ListingRecord | undefined,
  links: readonly SkuLink[],
  draft: ListingDraft | null,
): ListingState | undefined {
  if (!record) return undefined;
  const samePrices = draft !== null && record.priceHash === priceHashOf(draft);
  const priceOf = new Map(draft?.skus.map((s) => [s.sellerSku, s.price]) ?? []);
  const skus: ListingState['skus'] = {};
  for (const link of links) {
    const price = priceOf.get(link.sellerSku);
    skus[link.sellerSku] = {
      tiktokSkuId: link.tiktokSkuId,
      price: samePrices && price ? price.amount : '',
      currency: price?.currency ?? '',
      inventory: {},
    };
  }
  return {
    tiktokProductId: record.tiktokProductId,
    contentHash: record.contentHash,
    deactivated: record.status === DEACTIVATED,
    skus,
  };
}

// ---- listing quota pause ------------------------------------------------------------------

/**
 * Field of the store's state cursor hash (`stateKeys(prefix, store).cursor`) holding the
 * epoch ms until which creates are paused after TikTok's listing quota (12052093).
 */
export const LISTING_PAUSE_CURSOR = 'products:listing-paused-until';
export const LISTING_QUOTA_CODE = 12052093;

/** When creates may go on again (undefined: not paused). */
export async function listingPausedUntil(svc: StoreServices, now: number): Promise<number | undefined> {
  const raw = Number(await svc.state.cursor(LISTING_PAUSE_CURSOR));
  return Number.isFinite(raw) && raw > now ? raw : undefined;
}

// Standard-time UTC offset (hours) of each market's westernmost main time zone: its midnight
// is the latest moment the market's day can turn over.
const LATEST_MIDNIGHT_OFFSET: Readonly<Record<string, number>> = {
  US: -8,
  MX: -8,
  BR: -5,
  GB: 0,
  UK: 0,
  IE: 0,
  ES: 0,
  DE: 1,
  FR: 1,
  IT: 1,
  JP: 9,
  ID: 7,
  MY: 8,
  PH: 8,
  SG: 8,
  TH: 7,
  VN: 7,
};

/**
 * Pauses creates "until the next day". TikTok counts uploads per day (API-FACTS §4) without
 * saying in which time zone, so the pause ends one hour after the latest midnight the market
 * can have: resuming a few hours late costs little, resuming early would hit the quota again.
 */
export async function pauseListing(svc: StoreServices, now: number, region: string): Promise<number> {
  const offsetMs = (LATEST_MIDNIGHT_OFFSET[region.toUpperCase()] ?? -12) * 3_600_000;
  const local = new Date(now + offsetMs);
  const nextLocalMidnight = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + 1);
  const until = nextLocalMidnight - offsetMs + 3_600_000;
  await svc.state.setCursor(LISTING_PAUSE_CURSOR, String(until));
  return until;
}

// ---- review polling -----------------------------------------------------------------------

/** First look at a listing's review after a create or edit. */
export const FIRST_POLL_DELAY_MS = 60_000;
const MIN_POLL_DELAY_MS = 30_000;
const MAX_POLL_DELAY_MS = 30 * 60_000;
/** After this long in review, polling stops and the product is flagged for a person. */
export const REVIEW_GIVE_UP_MS = 14 * 86_400_000;

/** The next poll comes a quarter of the time already spent in review later (30 s to 30 min). */
export function nextPollDelayMs(submittedAt: number, now: number): number {
  return Math.min(MAX_POLL_DELAY_MS, Math.max(MIN_POLL_DELAY_MS, Math.floor((now - submittedAt) / 4)));
}

/**
 * Schedules a `listing-status` poll unless one is already waiting. The job id comes from the
 * domain (the catalog's `jobIdFor`); a poll cannot re-add its own id while it runs, so follow-ups
 * alternate with a `-next` id. Finished jobs of the same id (kept a day) are removed first, or
 * BullMQ would silently ignore the new one.
 */
export async function scheduleStatusPoll(
  svc: StoreServices,
  tiktokProductId: string,
  delayMs: number,
  currentJobId?: string,
): Promise<void> {
  const queue = svc.queues.queue('products', svc.storeId);
  for (const next of [false, true]) {
    const jobId = jobIdFor('products', 'listing-status', { store: svc.storeId, tiktokProductId }, { next });
    if (jobId === currentJobId) continue;
    const existing = await queue.getJob(jobId);
    if (existing) {
      const state = await existing.getState();
      if (state === 'waiting' || state === 'delayed' || state === 'prioritized' || state === 'waiting-children') return;
      if (state === 'active') continue; // another poll of this listing is running: use the other id
      await existing.remove();
    }
    await svc.queues.add(
      'products',
      'listing-status',
      { store: svc.storeId, tiktokProductId, dryRun: false, trigger: 'schedule' },
      { id: { next }, delay: delayMs },
    );
    return;
  }
}
