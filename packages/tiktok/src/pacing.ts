import { createHash, randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { tiktokPacingKeys } from '@shoptok/keys';
import { TikTokRateLimitError } from './errors.js';

export interface TikTokPacerOptions {
  redis: Redis | Cluster;
  /** The store's `tiktokKeys(prefix, store).rateLimit` (packages/keys): every process of the fleet shares it. */
  keyPrefix: string;
  /** TikTok's limit per API per (app, shop); 50 by default (API-FACTS §4). */
  qps?: number;
  /** Longest we wait in-process for a slot before handing the wait to the worker as a rate-limit error. */
  maxWaitMs?: number;
  /**
   * Added to TikTok's 1 s window: no more than `qps` calls leave in any `1000 + safetyMarginMs`
   * ms, so uneven network delay cannot squeeze `qps + 1` arrivals into one of TikTok's seconds.
   * Default 100: calls go at most qps x 1000 / 1100 a second (45.5 of 50).
   */
  safetyMarginMs?: number;
  /** Slots granted at once at most (a late timer catches up by that many). Default 5. */
  burst?: number;
  /** Called with the Redis time (ms) of each grant: for tests and metrics. */
  onGrant?: (api: string, redisTimeMs: number, slots: number) => void;
}

// Two rules in one atomic script per acquisition, on Redis's own clock (TIME), so processes on
// hosts with skewed clocks share one timeline:
// - a sliding-window log (sorted set of grant times): never more than `limit` grants in any
//   `window` ms (TikTok's 1 s plus the safety margin);
// - even spacing (GCRA: the next slot is due `interval` = window / limit after the last one, with
//   up to `burst` slots at once). Without it the log would let `limit` calls leave in one burst;
//   a burst leaves the process over tens of ms, so its last calls reach TikTok late and crowd
//   the next second's. Spaced calls each leave when granted.
// It grants up to ARGV[3] slots (a process asks for all its waiters in one round trip) and
// otherwise returns the exact wait until the next slot. Returns { granted, waitMs, Redis time }. ARGV[7]
// dates the new entries that many ms later (calls that may leave late hold their slot longer).
// KEYS: the log, the fleet-wide block set after a 429, the GCRA due time; all carry the store's {hash tag}.
const ACQUIRE_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local wanted = tonumber(ARGV[3])
local interval = tonumber(ARGV[5])
local tolerance = interval * (tonumber(ARGV[6]) - 1)
local late = tonumber(ARGV[7])
local blocked = redis.call('PTTL', KEYS[2])
if blocked > 0 then return {0, blocked, 0} end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local used = redis.call('ZCARD', KEYS[1])
local due = tonumber(redis.call('GET', KEYS[3]) or '0')
if due < now then due = now end
local granted = 0
while granted < wanted and used < limit and due - now <= tolerance do
  granted = granted + 1
  used = used + 1
  redis.call('ZADD', KEYS[1], now + late, ARGV[4] .. ':' .. granted)
  due = due + interval
end
if granted > 0 then
  redis.call('PEXPIRE', KEYS[1], math.ceil(window + late))
  redis.call('SET', KEYS[3], tostring(due), 'PX', math.ceil(window))
end
local at = math.floor(now)
if granted == wanted then return {granted, 0, at} end
local wait = due - tolerance - now
if used >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  wait = math.max(wait, tonumber(oldest[2]) + window - now)
end
return {granted, math.max(1, math.ceil(wait)), at}
`;

// Extends the block to `ARGV[1]` ms from now, never shortens a longer one already set.
const BLOCK_LUA = `
local left = redis.call('PTTL', KEYS[1])
if left < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], '1', 'PX', ARGV[1]) end
return 1
`;

// The pacer reads one clock (Redis's), so skew between hosts costs nothing: the margin covers how
// unevenly warm calls travel from the grant to TikTok's gateway (event loop, network): measured
// up to ~100 ms on a loaded machine.
const DEFAULT_SAFETY_MARGIN_MS = 100;

// How late a cold process's first calls per API may reach TikTok (measured up to ~400 ms on a
// loaded 2-core machine: connections opened and code run the first time), and how many (a
// second's worth at TikTok's default limit).
const WARM_UP_LATE_MS = 500;
const WARM_UP_CALLS = 50;

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');
const ACQUIRE_SHA = sha1(ACQUIRE_LUA);
const BLOCK_SHA = sha1(BLOCK_LUA);

interface Waiter {
  /** Told the Redis time (ms) of the grant. */
  resolve: (grantedAt: number) => void;
  reject: (err: Error) => void;
  deadline: number;
  signal?: AbortSignal;
  onAbort?: () => void;
  priority?: boolean;
}

/** Per API: waiters in arrival order and whether this process is already talking to Redis for them. */
interface Lane {
  waiters: Waiter[];
  pumping: boolean;
}

/**
 * Client-side pacing for TikTok's per-API limit, shared through Redis by every process that
 * calls one shop, so that many workers together stay under the limit instead of earning 429s.
 * Within a process, callers of one API are served first come, first served by one loop, which
 * asks Redis for as many slots as it has waiters in one round trip.
 */
export class TikTokPacer {
  private readonly redis: Redis | Cluster;
  private readonly keys: ReturnType<typeof tiktokPacingKeys>;
  private readonly qps: number;
  private readonly windowMs: number;
  private readonly staleAfterMs: number;
  private readonly maxWaitMs: number;
  private readonly burst: number;
  private readonly onGrant: TikTokPacerOptions['onGrant'];
  private readonly lanes = new Map<string, Lane>();
  /** Slots this process got per API while warming up (counted up to WARM_UP_CALLS only). */
  private readonly grantedSoFar = new Map<string, number>();
  // Members of the log must be unique across the fleet: a random process id and a counter.
  private readonly processId = randomBytes(6).toString('hex');
  private grants = 0;
  private clockOffsetMs = Number.POSITIVE_INFINITY;

  constructor(options: TikTokPacerOptions) {
    this.redis = options.redis;
    this.keys = tiktokPacingKeys(options.keyPrefix);
    this.qps = Math.max(1, Math.floor(options.qps ?? 50));
    this.windowMs = 1000 + Math.max(0, options.safetyMarginMs ?? DEFAULT_SAFETY_MARGIN_MS);
    this.staleAfterMs = Math.max(10, (this.windowMs - 1000) / 2);
    this.burst = Math.max(1, Math.min(this.qps, Math.floor(options.burst ?? 5)));
    this.maxWaitMs = options.maxWaitMs ?? 10_000;
    this.onGrant = options.onGrant;
  }

  /**
   * Waits for a slot for `api` (e.g. `GET /product/202309/products/{id}`); throws a rate-limit
   * error past `maxWaitMs`. A `priority` caller goes ahead of this process's other waiters for
   * the API (still within the shared limit): a one-item stock push does not queue behind the
   * calls of a full sync running in the same process.
   */
  acquire(api: string, signal?: AbortSignal, priority = false): Promise<number> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    return new Promise<number>((resolve, reject) => {
      const lane = this.lanes.get(api) ?? { waiters: [], pumping: false };
      this.lanes.set(api, lane);
      const waiter: Waiter = { resolve, reject, deadline: Date.now() + this.maxWaitMs, signal };
      if (signal) {
        waiter.onAbort = () => {
          const at = lane.waiters.indexOf(waiter);
          if (at >= 0) lane.waiters.splice(at, 1);
          reject(signal.reason as Error);
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      if (priority) {
        const firstOrdinary = lane.waiters.findIndex((w) => !w.priority);
        waiter.priority = true;
        lane.waiters.splice(firstOrdinary < 0 ? lane.waiters.length : firstOrdinary, 0, waiter);
      } else lane.waiters.push(waiter);
      if (!lane.pumping) void this.pump(api, lane);
    });
  }

  /**
   * Whether a grant (its Redis time, as `acquire` resolved it) is too old to use: this process
   * stalled between the grant and the call (a long GC pause, a CPU-starved machine) by more than
   * half the safety margin. The log dates the slot at the grant; a call leaving that late would
   * reach TikTok bunched with the calls granted after it and can make 51 in one of TikTok's
   * seconds (the 429s of the 100,000-SKU run). Such a call asks for a fresh slot instead.
   */
  isStale(grantedAt: number): boolean {
    if (!Number.isFinite(this.clockOffsetMs) || grantedAt <= 0) return false;
    return Date.now() - grantedAt - this.clockOffsetMs > this.staleAfterMs;
  }

  /** After a 429, holds every process off this API for `ms` (TikTok asks for random exponential backoff). */
  async block(api: string, ms: number): Promise<void> {
    const px = String(Math.max(1, Math.ceil(ms)));
    await this.run(BLOCK_LUA, BLOCK_SHA, [this.blockKey(api)], [px]);
  }

  private logKey(api: string): string {
    return this.keys.log(api);
  }

  private blockKey(api: string): string {
    return this.keys.block(api);
  }

  /** Serves the lane's waiters in order until none is left; one loop per API per process. */
  private async pump(api: string, lane: Lane): Promise<void> {
    lane.pumping = true;
    try {
      while (lane.waiters.length > 0) {
        let granted: number;
        let waitMs: number;
        let grantedAt: number;
        try {
          // Warm-up: a process's first calls leave slowly (new connections, cold code) and may
          // reach TikTok hundreds of ms after their grant. Their log entries are dated that much
          // later, so they hold their slot until they surely arrived.
          const warm = this.grantedSoFar.get(api) ?? 0;
          const lateMs = warm < WARM_UP_CALLS ? WARM_UP_LATE_MS : 0;
          [granted, waitMs, grantedAt] = await this.tryAcquire(api, lane.waiters.length, lateMs);
          if (lateMs > 0) this.grantedSoFar.set(api, warm + granted);
        } catch (err) {
          // Redis trouble: every waiter learns it now rather than hanging.
          for (const w of lane.waiters.splice(0)) settle(w, err as Error);
          return;
        }
        for (const w of lane.waiters.splice(0, granted)) settle(w, undefined, grantedAt);
        if (lane.waiters.length === 0) break;
        const now = Date.now();
        // Those whose wait would end past their deadline hand it to the worker (rate-limit error: no attempt spent).
        for (const w of lane.waiters.filter((x) => now + waitMs > x.deadline)) {
          lane.waiters.splice(lane.waiters.indexOf(w), 1);
          settle(
            w,
            new TikTokRateLimitError(
              `No TikTok request slot for ${api} within ${this.maxWaitMs} ms: the shop's API limit is saturated.`,
              waitMs,
              { operation: api },
            ),
          );
        }
        if (lane.waiters.length === 0) break;
        // A few ms of jitter so that processes waiting for the same freed slot do not all ask at once.
        await sleep(waitMs + Math.floor(Math.random() * 5));
      }
    } finally {
      lane.pumping = false;
      if (lane.waiters.length === 0) this.lanes.delete(api);
      else void this.pump(api, lane); // a waiter arrived while the loop was finishing
    }
  }

  private async tryAcquire(api: string, wanted: number, lateMs: number): Promise<[number, number, number]> {
    const id = `${this.processId}:${++this.grants}`;
    const [granted, waitMs, at] = (await this.run(
      ACQUIRE_LUA,
      ACQUIRE_SHA,
      [this.logKey(api), this.blockKey(api), `${this.logKey(api)}:due`],
      [
        String(this.qps),
        String(this.windowMs),
        String(wanted),
        id,
        String(this.windowMs / this.qps),
        String(this.burst),
        String(lateMs),
      ],
    )) as [number, number, number];
    if (granted > 0) this.onGrant?.(api, Number(at), Number(granted));
    // Redis's clock as seen from here: the smallest (local receipt - Redis time) so far is the
    // skew between the clocks plus the quickest reply's trip; later replies are as slow or slower.
    if (Number(at) > 0) this.clockOffsetMs = Math.min(this.clockOffsetMs, Date.now() - Number(at));
    return [Number(granted), Number(waitMs), Number(at)];
  }

  /** EVALSHA of the script Redis caches; EVAL when Redis does not know it yet (first call, restart, failover). */
  private async run(lua: string, sha: string, keys: string[], args: string[]): Promise<unknown> {
    try {
      return await this.redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!String((err as Error).message).includes('NOSCRIPT')) throw err;
      return await this.redis.eval(lua, keys.length, ...keys, ...args);
    }
  }
}

function settle(w: Waiter, err?: Error, grantedAt = 0): void {
  if (w.signal && w.onAbort) w.signal.removeEventListener('abort', w.onAbort);
  if (err) w.reject(err);
  else w.resolve(grantedAt);
}

/** Resolves after `ms`, or rejects early when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
