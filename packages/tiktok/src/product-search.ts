import { TikTokError } from './errors.js';
import type { TikTokProductPage, TikTokProductSummary } from './schemas.js';

/** Search Products refuses to page past 10,000 results (`12052180`, API-FACTS §5.5). */
export const SEARCH_RESULT_WINDOW = 10_000;
export const SEARCH_WINDOW_EXCEEDED = 12052180;
/**
 * Split a window above this many results, not at 10,000: products created while we page must
 * still fit, and a search engine's `total_count` may stop counting at 10,000.
 */
export const SPLIT_ABOVE = 9_000;
/** The newest hour is read last, in its own window (see `halves`). */
const RECENT_SECONDS = 3_600;

/** The part of a Search Products filter the partitioning touches (Unix seconds, both inclusive). */
export interface CreateTimeBounds {
  createTimeGe?: number;
  createTimeLe?: number;
}

/** One Search Products call: the filter and the page token (`undefined` for the first page). */
export type ProductPageFetcher<F extends CreateTimeBounds> = (
  filter: F,
  pageToken: string | undefined,
) => Promise<TikTokProductPage>;

export interface SearchAllOptions {
  /** Unix seconds now: the top of the window that gets bisected when the filter has no `createTimeLe`. */
  nowSec: () => number;
  /** Bisect a window while its `total_count` is above this (default 9,000). */
  splitAbove?: number;
}

/** More than 10,000 products share one create-time second (or lie ahead of our clock): TikTok's search cannot list them all. */
export class ProductSearchWindowError extends TikTokError {
  override name = 'ProductSearchWindowError';
}

/**
 * Every product matching `filter`, as pages, however big the shop. A result above ~9,000 is
 * split into `create_time` windows (bisected until each fits under TikTok's 10,000-result
 * window). `create_time` never changes, so windows [lo, mid] and [mid + 1, hi] (inclusive
 * bounds, whole seconds) neither overlap nor leave a gap; the last hour is read last, in an
 * open window, so products created during the scan are read too. Ids already
 * yielded are dropped (offset paging can repeat a product when the result shifts under it),
 * and a window that still overflows while paging is split again rather than cut short.
 */
export async function* searchAllProductPages<F extends CreateTimeBounds>(
  fetchPage: ProductPageFetcher<F>,
  filter: F,
  options: SearchAllOptions,
): AsyncGenerator<TikTokProductSummary[]> {
  const splitAbove = options.splitAbove ?? SPLIT_ABOVE;
  const seen = new Set<string>();

  const fresh = (products: TikTokProductSummary[]): TikTokProductSummary[] => {
    const out = products.filter((p) => !seen.has(p.id));
    for (const p of out) seen.add(p.id);
    return out;
  };

  // `lo`/`hi` undefined: the caller's own bound (none, or the filter's), so a shop that fits is
  // read exactly as before, without create-time bounds it did not ask for.
  async function* scan(lo: number | undefined, hi: number | undefined): AsyncGenerator<TikTokProductSummary[]> {
    const windowFilter: F = { ...filter, createTimeGe: lo, createTimeLe: hi };
    let page = await fetchPage(windowFilter, undefined);
    if (page.total_count > splitAbove) {
      const split = halves(lo, hi);
      if (split) {
        for (const [a, b] of split) yield* scan(a, b);
        return;
      }
      if (page.total_count > SEARCH_RESULT_WINDOW) throw tooManyToRead(lo, hi, page.total_count);
    }
    for (;;) {
      const out = fresh(page.products);
      if (out.length > 0) yield out;
      if (!page.next_page_token || page.products.length === 0) return;
      try {
        page = await fetchPage(windowFilter, page.next_page_token);
      } catch (err) {
        if ((err as { code?: unknown }).code !== SEARCH_WINDOW_EXCEEDED) throw err;
        // The window grew past 10,000 while we paged it: read its halves (ids seen are skipped).
        const split = halves(lo, hi);
        if (!split) throw tooManyToRead(lo, hi, SEARCH_RESULT_WINDOW);
        for (const [a, b] of split) yield* scan(a, b);
        return;
      }
    }
  }

  /**
   * A closed window splits into [lo, mid] and [mid + 1, hi]. An open one (no upper bound)
   * splits into everything until an hour ago and what is newer: the newest part is read last,
   * so it also holds what is created while we read, or stamped by a clock ahead of ours.
   */
  function halves(lo: number | undefined, hi: number | undefined): [number | undefined, number | undefined][] | undefined {
    const bottom = lo ?? 0;
    if (hi === undefined) {
      const now = options.nowSec();
      const top = now - RECENT_SECONDS > bottom ? now - RECENT_SECONDS : now;
      return top > bottom
        ? [
            [bottom, top],
            [top + 1, undefined],
          ]
        : undefined;
    }
    if (hi <= bottom) return undefined;
    const mid = Math.floor((bottom + hi) / 2);
    return [
      [bottom, mid],
      [mid + 1, hi],
    ];
  }

  yield* scan(filter.createTimeGe, filter.createTimeLe);
}

function tooManyToRead(lo: number | undefined, hi: number | undefined, count: number): ProductSearchWindowError {
  const at = new Date((lo ?? 0) * 1000).toISOString();
  const when = lo !== undefined && lo === hi ? `in the same second (${at})` : `at or after ${at}, ahead of this machine's clock`;
  return new ProductSearchWindowError(
    `TikTok's product search lists at most ${SEARCH_RESULT_WINDOW} results per query and ${count} products were created ${when}, ` +
      'so they cannot all be read. Narrow the search (for example by status) or ask TikTok support.',
    { code: SEARCH_WINDOW_EXCEEDED, operation: 'POST /product/202309/products/search' },
  );
}
