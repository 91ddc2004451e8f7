import { lagHistoryKey, metricsKey } from '@shoptok/keys';
import type { Logger } from '@shoptok/logger';
import type { Cluster, Redis } from 'ioredis';
import { queueKeys, type QueueKey } from './catalog.js';

/**
 * The metrics contract between the fleet and the dashboard. Workers, the webhook service and
 * the clients publish what happened into Redis; the dashboard reads it at scrape time, so
 * `/metrics` sums the whole fleet however many processes run and survives their restarts.
 *
 * - Counters and gauges: one hash per store (`metricsKey`, packages/keys), one field per
 *   series (see {@link MetricField}); counters grow by HINCRBY, gauges are set by HSET.
 * - Sync lag history: one sorted set per store (`lagHistoryKey`), score = unix ms,
 *   member = `<ms>:<lagSeconds>`; entries older than {@link LAG_HISTORY_MS} are trimmed on write.
 *
 * Both keys carry the store's hash tag, like every other key of the store (Redis Cluster).
 * Writers use {@link MetricsRecorder} (never fails or slows its caller); the dashboard reads.
 */

/** A standalone or cluster connection (every key of a store shares its hash tag). */
type MetricsRedis = Redis | Cluster;

/** The queues of the catalog, as metric labels. */
export const METRIC_QUEUES: readonly QueueKey[] = queueKeys;
export type MetricQueue = QueueKey;

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

// The hash of counters and gauges and the sorted set of lag history: keys owned by packages/keys.
export { lagHistoryKey, metricsKey };

/**
 * Adds `by` (default 1) to one of a store's counters. Call it where the event happens
 * (an API response, a finished job); a failure to count never fails the caller's work, so
 * callers should `void recordMetric(...).catch(log)` rather than await it in a hot path.
 */
export async function recordMetric(
  redis: MetricsRedis,
  prefix: string,
  store: string,
  field: CounterField,
  by = 1,
): Promise<void> {
  if (!Number.isSafeInteger(by) || by < 0)
    throw new RangeError(`metric ${field} can only grow by a whole number >= 0 (got ${by})`);
  if (by === 0) return;
  await redis.hincrby(metricsKey(prefix, store), field, by);
}

/**
 * Records how far behind a store's sync is (seconds between a change at the source and
 * TikTok/Shopify having it): sets the gauge of the queue and, unless `history` is false,
 * appends to the day's history.
 */
export async function recordSyncLag(
  redis: MetricsRedis,
  prefix: string,
  store: string,
  queue: MetricQueue,
  lagSeconds: number,
  at = Date.now(),
  history = true,
): Promise<void> {
  if (!Number.isFinite(lagSeconds) || lagSeconds < 0)
    throw new RangeError(`sync lag must be a number of seconds >= 0 (got ${lagSeconds})`);
  const rounded = Math.round(lagSeconds * 1000) / 1000;
  const field: GaugeField = `sync_lag_seconds:${queue}`;
  const write = redis.multi().hset(metricsKey(prefix, store), field, String(rounded));
  if (history)
    write
      .zadd(lagHistoryKey(prefix, store), at, `${at}:${rounded}`)
      .zremrangebyscore(lagHistoryKey(prefix, store), '-inf', `(${at - LAG_HISTORY_MS}`);
  await write.exec();
}

/** A worker process adds at most one lag history point per store and queue this often. */
export const LAG_HISTORY_SPACING_MS = 60_000;

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
  if (
    (kind === 'jobs_completed' || kind === 'jobs_failed' || kind === 'jobs_rate_limited' || kind === 'sync_lag_seconds') &&
    isQueue(target)
  ) {
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
export async function readLagHistory(redis: MetricsRedis, prefix: string, store: string, sinceMs: number): Promise<LagPoint[]> {
  const members = await redis.zrangebyscore(lagHistoryKey(prefix, store), sinceMs, '+inf');
  const points: LagPoint[] = [];
  for (const member of members) {
    const [at, lag] = member.split(':').map(Number);
    if (at !== undefined && lag !== undefined && Number.isFinite(at) && Number.isFinite(lag) && lag >= 0)
      points.push({ at, lagSeconds: lag });
  }
  return points;
}

/** One upstream API call as a client's observer reports it. */
export interface ApiCallEvent {
  api: MetricApi;
  /** HTTP status; undefined when no answer came (network error, timeout). */
  status: number | undefined;
  /** A throttled answer that is not HTTP 429 (Shopify GraphQL THROTTLED in a 200). */
  throttled?: boolean;
}

/** What one AI mapping cost, as the mapper's observer reports it. */
export interface AiUsageEvent {
  calls: number;
  cacheHit: boolean;
  costUsd: number;
}

/**
 * The fleet's metrics writer. Every method is fire-and-forget: it returns at once, writes to
 * Redis in the background and only logs when Redis refuses, so counting can never fail or
 * slow a job or an API call.
 */
export class MetricsRecorder {
  private lastWarnAt = 0;
  private unrecorded = 0;
  private readonly lastHistoryAt = new Map<string, number>();

  constructor(private readonly options: { redis: MetricsRedis; prefix: string; logger: Logger }) {}

  /** Counts one upstream API call of a store (and its 429 or THROTTLED answer). */
  apiCall(store: string, event: ApiCallEvent): void {
    this.count(store, `api_calls:${event.api}`);
    if (event.status === 429) this.count(store, `api_429:${event.api}`);
    if (event.throttled) this.count(store, `throttled:${event.api}`);
  }

  /** Counts one job outcome of a store's queue. */
  jobOutcome(store: string, queue: MetricQueue, status: 'completed' | 'failed' | 'rate-limited'): void {
    this.count(
      store,
      status === 'completed'
        ? `jobs_completed:${queue}`
        : status === 'failed'
          ? `jobs_failed:${queue}`
          : `jobs_rate_limited:${queue}`,
    );
  }

  /** Counts what one AI mapping cost (calls, a cache hit, spend in micro-dollars). */
  aiUsage(store: string, event: AiUsageEvent): void {
    if (event.calls > 0) this.count(store, 'ai_calls', event.calls);
    if (event.cacheHit) this.count(store, 'ai_cache_hits');
    const micros = Math.round(event.costUsd * 1_000_000);
    if (micros > 0) this.count(store, 'ai_cost_micros', micros);
  }

  /**
   * Records a store's sync lag for one queue: the gauge every time, the day's history at most
   * once a minute per process (a webhook burst of item jobs must not grow the chart's set).
   */
  syncLag(store: string, queue: MetricQueue, lagSeconds: number, at = Date.now()): void {
    const key = `${store}:${queue}`;
    const history = at - (this.lastHistoryAt.get(key) ?? -Infinity) >= LAG_HISTORY_SPACING_MS;
    if (history) this.lastHistoryAt.set(key, at);
    this.settle(
      recordSyncLag(this.options.redis, this.options.prefix, store, queue, Math.max(0, lagSeconds), at, history),
      store,
      `sync_lag_seconds:${queue}`,
    );
  }

  private count(store: string, field: CounterField, by = 1): void {
    this.settle(recordMetric(this.options.redis, this.options.prefix, store, field, by), store, field);
  }

  private settle(write: Promise<void>, store: string, field: string): void {
    write.catch((err: unknown) => {
      // One line per 10 s at most: a Redis outage must not flood the log from every API call.
      this.unrecorded += 1;
      if (Date.now() - this.lastWarnAt < 10_000) return;
      this.lastWarnAt = Date.now();
      this.options.logger.warn(
        { store, field, unrecorded: this.unrecorded, err: err instanceof Error ? err.message : String(err) },
        'metrics not recorded',
      );
      this.unrecorded = 0;
    });
  }
}
