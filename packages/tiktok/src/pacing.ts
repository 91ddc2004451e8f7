import type { Cluster, Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { TikTokRateLimitError } from './errors.js';

export interface TikTokPacerOptions {
  redis: Redis | Cluster;
  /** `${keyPrefix}:{${storeId}}:tiktok:rl`: every process of the fleet shares it. */
  keyPrefix: string;
  /** TikTok's limit per API per (app, shop); 50 by default (API-FACTS §4). */
  qps?: number;
  /** Longest we wait in-process for a slot before handing the wait to the worker as a rate-limit error. */
  maxWaitMs?: number;
}

// Slots are counted in 100 ms buckets. rate-limiter-flexible windows are whole seconds and start
// at the first hit, so a 50-per-second window allows 100 requests across a window edge. Aligned
// 100 ms buckets of qps/12 requests keep any 1.1 s span (1 s of TikTok's window plus up to
// 100 ms of network jitter, 12 buckets) at or under the limit: 4 per bucket, 40 QPS sustained.
const BUCKET_MS = 100;
const BUCKETS_PER_SPAN = 12;

/**
 * Client-side pacing for TikTok's per-API limit, shared through Redis by every process that
 * calls one shop, so that many workers together stay under the limit instead of earning 429s.
 */
export class TikTokPacer {
  private readonly limiter: RateLimiterRedis;
  private readonly perBucket: number;
  private readonly maxWaitMs: number;
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(options: TikTokPacerOptions) {
    this.perBucket = Math.max(1, Math.floor((options.qps ?? 50) / BUCKETS_PER_SPAN));
    this.maxWaitMs = options.maxWaitMs ?? 10_000;
    this.limiter = new RateLimiterRedis({
      storeClient: options.redis,
      keyPrefix: options.keyPrefix,
      points: this.perBucket,
      duration: 1, // only the key's lifetime: each bucket has its own key
      rejectIfRedisNotReady: false,
    });
  }

  /** Waits for a slot for `api` (e.g. `GET /product/202309/products/{id}`); throws a rate-limit error past `maxWaitMs`. */
  acquire(api: string, signal?: AbortSignal): Promise<void> {
    // One waiter per API per process polls Redis; the others queue here in FIFO order, so a
    // burst of callers does not turn into a herd of Redis round trips every bucket.
    const previous = this.queues.get(api) ?? Promise.resolve();
    const mine = previous.then(() => this.acquireNow(api, signal));
    const tail = mine.catch(() => undefined);
    this.queues.set(api, tail);
    void tail.then(() => {
      if (this.queues.get(api) === tail) this.queues.delete(api);
    });
    return mine;
  }

  private async acquireNow(api: string, signal?: AbortSignal): Promise<void> {
    const deadline = Date.now() + this.maxWaitMs;
    for (;;) {
      const blockedMs = await this.blockedFor(api);
      const now = Date.now();
      if (blockedMs <= 0) {
        const bucket = Math.floor(now / BUCKET_MS);
        try {
          await this.limiter.consume(`${api}:${bucket}`);
          // A slot only counts if we still are in its bucket: a slow Redis reply must not let
          // an old bucket's slot go out together with the next bucket's (the slot is wasted).
          if (Math.floor(Date.now() / BUCKET_MS) === bucket) return;
        } catch (err) {
          if (!(err instanceof RateLimiterRes)) throw err;
        }
      }
      const at = Date.now();
      // Wait for the next bucket (or the end of a fleet-wide block), with jitter so processes spread out.
      const waitMs = Math.max(blockedMs, (Math.floor(at / BUCKET_MS) + 1) * BUCKET_MS - at) + Math.floor(Math.random() * 10);
      if (at + waitMs > deadline) {
        throw new TikTokRateLimitError(`No TikTok request slot for ${api} within ${this.maxWaitMs} ms: the shop's API limit is saturated.`, waitMs, { operation: api });
      }
      await sleep(waitMs, signal);
    }
  }

  /** After a 429, holds every process off this API for `ms` (TikTok asks for random exponential backoff). */
  async block(api: string, ms: number): Promise<void> {
    await this.limiter.set(`${api}:block`, 1, Math.max(1, Math.ceil(ms / 1000)));
  }

  private async blockedFor(api: string): Promise<number> {
    const res = await this.limiter.get(`${api}:block`);
    return res === null || res.consumedPoints <= 0 ? 0 : res.msBeforeNext;
  }
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
