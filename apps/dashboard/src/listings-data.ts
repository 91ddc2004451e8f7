import type { RedisConnection } from '@shoptok/queues';
import { StateStore, type Attention, type CategoryDecision, type ListingRecord, type ProductSummary } from '@shoptok/state';

/*
 * The Listings page's data: every Shopify product the listing sync considered (its title and
 * image, written by the sync), joined with its TikTok listing, its pre-flight hold and its
 * category decision, read through packages/state. Read with HSCAN, then filtered, grouped and
 * paged in memory: 10,000 products are a few MB and one pass.
 */

export type PlainStatus =
  | 'live'
  | 'in review'
  | 'rejected by TikTok'
  | 'held back by pre-flight'
  | 'deactivated'
  | 'frozen by TikTok'
  | 'draft'
  | 'deleted'
  | 'not listed yet';

/** TikTok's status names in words an operator reads. */
export function plainStatus(tiktokStatus: string | undefined, heldBack: boolean): PlainStatus {
  switch (tiktokStatus) {
    case 'ACTIVATE':
    case 'ADOPTED':
      return heldBack ? 'held back by pre-flight' : 'live';
    case 'PENDING':
      return 'in review';
    case 'FAILED':
      return 'rejected by TikTok';
    case 'SELLER_DEACTIVATED':
    case 'PLATFORM_DEACTIVATED':
      return 'deactivated';
    case 'FREEZE':
      return 'frozen by TikTok';
    case 'DRAFT':
      return 'draft';
    case 'DELETED':
      return 'deleted';
    default:
      return heldBack ? 'held back by pre-flight' : 'not listed yet';
  }
}

export interface ListingRow {
  shopifyProductId: string;
  title: string;
  imageUrl: string | undefined;
  tiktokProductId: string | undefined;
  tiktokStatus: string | undefined;
  status: PlainStatus;
  /** Ours (pre-flight, with a code) and TikTok's (audit). */
  reasons: { code: string; message: string; by: 'pre-flight' | 'tiktok' }[];
  category: { id: string; path: string | undefined; source: string; reason: string | undefined } | undefined;
  lastSyncAt: number | undefined;
}

/** Every product of the store as the Listings page shows it. */
export async function readListingRows(redis: RedisConnection, prefix: string, store: string): Promise<ListingRow[]> {
  const state = new StateStore(redis, prefix, store);
  const summaries = new Map<string, ProductSummary>();
  const listings = new Map<string, ListingRecord>();
  const holds = new Map<string, Attention>();
  const categories = new Map<string, CategoryDecision>();
  const into =
    <T>(map: Map<string, T>) =>
    (id: string, record: T | undefined) => {
      if (record) map.set(id, record);
    };
  await Promise.all([
    state.scanRecords('product', into(summaries), 2000),
    state.scanRecords('listing', into(listings), 2000),
    state.scanRecords('attention', into(holds), 2000),
    state.scanRecords('categoryDecision', into(categories), 2000),
  ]);
  const ids = new Set([...summaries.keys(), ...listings.keys(), ...holds.keys()]);
  const rows: ListingRow[] = [];
  for (const id of ids) {
    const summary = summaries.get(id);
    const listing = listings.get(id);
    const hold = holds.get(id);
    const decision = categories.get(id);
    const audit = (listing?.auditFailedReasons ?? []).flatMap((r) =>
      r.reasons.map((message) => ({
        code: 'tiktok-audit',
        message: [message, ...r.suggestions].join(' '),
        by: 'tiktok' as const,
      })),
    );
    const preflight = (hold?.reasons ?? []).map((r) => ({ ...r, by: 'pre-flight' as const }));
    rows.push({
      shopifyProductId: id,
      title: summary?.title ?? id,
      imageUrl: summary?.imageUrl,
      tiktokProductId: listing?.tiktokProductId,
      tiktokStatus: listing?.status,
      status: plainStatus(listing?.status, preflight.length > 0),
      reasons: [...preflight, ...audit],
      category: decision
        ? {
            id: decision.categoryId,
            path: decision.categoryPath.length > 0 ? decision.categoryPath.join(' > ') : undefined,
            source: decision.source,
            reason: decision.reason,
          }
        : undefined,
      lastSyncAt: Math.max(listing?.updatedAt ?? 0, hold?.at ?? 0, summary?.seenAt ?? 0) || undefined,
    });
  }
  return rows;
}

export interface ListingQuery {
  status?: string;
  reason?: string;
  q?: string;
  page: number;
  perPage: number;
}

export interface ListingPage {
  rows: ListingRow[];
  total: number;
  page: number;
  pages: number;
  statusCounts: Record<string, number>;
  reasonCounts: Record<string, number>;
}

/** Filters (status, reason code, title/id search), orders by title and cuts one page. */
export function queryListings(all: readonly ListingRow[], query: ListingQuery): ListingPage {
  const statusCounts: Record<string, number> = {};
  const reasonCounts: Record<string, number> = {};
  for (const row of all) {
    statusCounts[row.status] = (statusCounts[row.status] ?? 0) + 1;
    for (const code of new Set(row.reasons.map((r) => r.code))) reasonCounts[code] = (reasonCounts[code] ?? 0) + 1;
  }
  const needle = query.q?.trim().toLowerCase();
  const matching = all.filter(
    (row) =>
      (!query.status || row.status === query.status) &&
      (!query.reason || row.reasons.some((r) => r.code === query.reason)) &&
      (!needle ||
        row.title.toLowerCase().includes(needle) ||
        row.shopifyProductId.toLowerCase().endsWith(needle) ||
        row.tiktokProductId === needle),
  );
  matching.sort((a, b) => a.title.localeCompare(b.title) || a.shopifyProductId.localeCompare(b.shopifyProductId));
  const pages = Math.max(1, Math.ceil(matching.length / query.perPage));
  const page = Math.min(Math.max(1, query.page), pages);
  return {
    rows: matching.slice((page - 1) * query.perPage, page * query.perPage),
    total: matching.length,
    page,
    pages,
    statusCounts,
    reasonCounts,
  };
}

export interface AttentionGroup {
  code: string;
  /** The reason as worded for the first product (messages differ only in details). */
  message: string;
  by: 'pre-flight' | 'tiktok';
  productIds: string[];
  /** Where the products sit, most first ("Women's Bottoms > Jeans"), when a category decision is recorded. */
  categories: { id: string; path: string; count: number }[];
  /** The attribute the reason names ("Material" of `Category attribute "Material" is required`). */
  attribute: string | undefined;
}

const ATTRIBUTE_IN_MESSAGE = /attribute "([^"]+)"/i;

/** "Material is required: 6 products in Women's Bottoms > Jeans": one group per reason code and attribute. */
export function groupAttention(rows: readonly ListingRow[]): AttentionGroup[] {
  const groups = new Map<string, AttentionGroup & { paths: Map<string, { id: string; count: number }> }>();
  for (const row of rows) {
    const seen = new Set<string>();
    for (const reason of row.reasons) {
      const attribute = ATTRIBUTE_IN_MESSAGE.exec(reason.message)?.[1];
      const groupKey = `${reason.code}|${attribute ?? ''}`;
      if (seen.has(groupKey)) continue;
      seen.add(groupKey);
      let group = groups.get(groupKey);
      if (!group) {
        group = {
          code: reason.code,
          message: reason.message,
          by: reason.by,
          productIds: [],
          categories: [],
          attribute,
          paths: new Map(),
        };
        groups.set(groupKey, group);
      }
      group.productIds.push(row.shopifyProductId);
      const category = row.category;
      if (category?.path) {
        const known = group.paths.get(category.path) ?? { id: category.id, count: 0 };
        group.paths.set(category.path, { ...known, count: known.count + 1 });
      }
    }
  }
  return [...groups.values()]
    .map(({ paths, ...g }) => ({
      ...g,
      categories: [...paths].map(([path, c]) => ({ id: c.id, path, count: c.count })).sort((a, b) => b.count - a.count),
    }))
    .sort((a, b) => b.productIds.length - a.productIds.length || a.code.localeCompare(b.code));
}
