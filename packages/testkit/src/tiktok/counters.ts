import type { CounterRow, TikTokStandInState } from './state.js';

/** What a test reads from the stand-in's request counters. */
export interface StandInCounters {
  rows(): CounterRow[];
  /** Sum over rows matching the filter. */
  total(filter?: { shopId?: string; api?: string; appKey?: string }): Omit<CounterRow, 'appKey' | 'shopId' | 'api'>;
  reset(): void;
}

export type CounterKey = Omit<CounterRow, 'requests' | 'ok' | 'rateLimited' | 'errors'>;

/** Counts one Open API request of (app, shop, API) and how it ended. */
export function count(state: TikTokStandInState, row: CounterKey, field: 'ok' | 'rateLimited' | 'errors'): void {
  const key = `${row.appKey}|${row.shopId}|${row.api}`;
  const c = state.counters.get(key) ?? { ...row, requests: 0, ok: 0, rateLimited: 0, errors: 0 };
  c.requests += 1;
  c[field] += 1;
  state.counters.set(key, c);
}

export function countersApi(state: TikTokStandInState): StandInCounters {
  return {
    rows: () => [...state.counters.values()].map((c) => ({ ...c })),
    total(filter = {}) {
      const sum = { requests: 0, ok: 0, rateLimited: 0, errors: 0 };
      for (const c of state.counters.values()) {
        if (
          (filter.shopId && c.shopId !== filter.shopId) ||
          (filter.api && c.api !== filter.api) ||
          (filter.appKey && c.appKey !== filter.appKey)
        )
          continue;
        sum.requests += c.requests;
        sum.ok += c.ok;
        sum.rateLimited += c.rateLimited;
        sum.errors += c.errors;
      }
      return sum;
    },
    reset: () => state.counters.clear(),
  };
}
