import type { Redis } from 'ioredis';

/**
 * The metrics contract between the fleet and the dashboard. Workers, the webhook service and
 * the clients publish what happened into Redis; the dashboard reads it at scrape time, so
 * `/metrics` sums the whole fleet however many processes run and survives their restarts.
 *
 * - Counters and gauges: one hash per store, `${prefix}:{${store}}:metrics`, one field per
 *   series (see {@link MetricField}); counters grow by HINCRBY, gauges are set by HSET.
 * - Sync lag history: one sorted set per store, `${prefix}:{${store}}:lag`, score = unix ms,
 *   member = `<ms>:<lagSeconds>`; entries older than {@link LAG_HISTORY_MS} are trimmed on write.
 *
 * Both keys carry the store's hash tag, like every other key of the store (Redis Cluster).
 * This module is meant to move into a shared package; it imports nothing of ours.
 */

/** The queue kinds of the catalog (kept literal here so this module stands alone). */
export const METRIC_QUEUES = ['inventory', 'products', 'orders', 'fulfilment', 'maintenance'] as const;
export type MetricQueue = (typeof METRIC_QUEUES)[number];

/** The upstream APIs whose calls are counted. */
export const METRIC_APIS = ['tiktok', 'shopify', 'openai'] as const;
export type MetricApi = (typeof METRIC_APIS)[number];

/** Fields that only ever grow (HINCRBY). */
export type CounterField =
  | `api_calls:${MetricApi}`
  /** HTTP 429 answers. */
  | `api_429:${MetricApi}`
  /** Shopify GraphQL answers THROTTLED in a 200; counted apart from HTTP 429. */
  | `throttled:${MetricApi}`
  | `jobs_completed:${MetricQueue}`
  | `jobs_failed:${MetricQueue}`
  | `jobs_rate_limited:${MetricQueue}`
  | 'ai_calls'
  | 'ai_cache_hits'
  /** AI spend in millionths of a US dollar (integers keep HINCRBY exact). */
  | 'ai_cost_micros';

/** Fields that hold the latest value (HSET). */
export type GaugeField = `sync_lag_seconds:${MetricQueue}`;

export type MetricField = CounterField | GaugeField;

/** How long the lag history is kept (the overview charts the last day). */
export const LAG_HISTORY_MS = 24 * 3600 * 1000;

/** The hash holding one store's counters and gauges. */
export function metricsKey(prefix: string, store: string): string {
  return `${prefix}:{${store}}:metrics`;
}

/** The sorted set holding one store's sync lag history. */
export function lagHistoryKey(prefix: string, store: string): string {
  return `${prefix}:{${store}}:lag`;
}

/**
 * Adds `by` (default 1) to one of a store's counters. Call it where the event happens
 * (an API response, a finished job); a failure to count never fails the caller's work, so
 * callers should `void recordMetric(...).catch(log)` rather than await it in a hot path.
 */
export async function recordMetric(redis: Redis, prefix: string, store: string, field: CounterField, by = 1): Promise<void> {
  if (!Number.isSafeInteger(by) || by < 0) throw new RangeError(`metric ${field} can only grow by a whole number >= 0 (got ${by})`);
  if (by === 0) return;
  await redis.hincrby(metricsKey(prefix, store), field, by);
}

/**
 * Records how far behind a store's sync is (seconds between a change at the source and
 * TikTok/Shopify having it): sets the gauge of the queue and appends to the day's history.
 */
export async function recordSyncLag(redis: Redis, prefix: string, store: string, queue: MetricQueue, lagSeconds: number, at = Date.now()): Promise<void> {
  if (!Number.isFinite(lagSeconds) || lagSeconds < 0) throw new RangeError(`sync lag must be a number of seconds >= 0 (got ${lagSeconds})`);
  const rounded = Math.round(lagSeconds * 1000) / 1000;
  const field: GaugeField = `sync_lag_seconds:${queue}`;
  await redis
    .multi()
    .hset(metricsKey(prefix, store), field, String(rounded))
    .zadd(lagHistoryKey(prefix, store), at, `${at}:${rounded}`)
    .zremrangebyscore(lagHistoryKey(prefix, store), '-inf', `(${at - LAG_HISTORY_MS}`)
    .exec();
}

/** One parsed field of a store's metrics hash; unknown or malformed fields are skipped. */
export type ParsedMetricField =
  | { kind: 'api_calls' | 'api_429' | 'throttled'; api: MetricApi; value: number }
  | { kind: 'jobs_completed' | 'jobs_failed' | 'jobs_rate_limited' | 'sync_lag_seconds'; queue: MetricQueue; value: number }
  | { kind: 'ai_calls' | 'ai_cache_hits' | 'ai_cost_micros'; value: number };

const isApi = (v: string): v is MetricApi => (METRIC_APIS as readonly string[]).includes(v);
const isQueue = (v: string): v is MetricQueue => (METRIC_QUEUES as readonly string[]).includes(v);

/** Parses one hash field and its value; undefined for fields of a newer writer or bad values. */
export function parseMetricField(field: string, raw: string): ParsedMetricField | undefined {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < 0) return undefined;
  const [kind, target, ...rest] = field.split(':');
  if (rest.length > 0 || kind === undefined) return undefined;
  if (target === undefined) {
    return kind === 'ai_calls' || kind === 'ai_cache_hits' || kind === 'ai_cost_micros' ? { kind, value } : undefined;
  }
  if ((kind === 'api_calls' || kind === 'api_429' || kind === 'throttled') && isApi(target)) return { kind, api: target, value };
  if ((kind === 'jobs_completed' || kind === 'jobs_failed' || kind === 'jobs_rate_limited' || kind === 'sync_lag_seconds') && isQueue(target)) {
    return { kind, queue: target, value };
  }
  return undefined;
}

/** One point of the lag history. */
export interface LagPoint {
  at: number;
  lagSeconds: number;
}

/** The lag history of a store since `sinceMs`, oldest first; malformed members are skipped. */
export async function readLagHistory(redis: Redis, prefix: string, store: string, sinceMs: number): Promise<LagPoint[]> {
  const members = await redis.zrangebyscore(lagHistoryKey(prefix, store), sinceMs, '+inf');
  const points: LagPoint[] = [];
  for (const member of members) {
    const [at, lag] = member.split(':').map(Number);
    if (at !== undefined && lag !== undefined && Number.isFinite(at) && Number.isFinite(lag) && lag >= 0) points.push({ at, lagSeconds: lag });
  }
  return points;
}
