import type { Cluster, Redis } from 'ioredis';
import { shopifyKeys } from '@shoptok/keys';

/** Live figures of Shopify's leaky bucket, from `extensions.cost.throttleStatus`. */
export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

// Used only until the first response tells us the store's real bucket: the lowest plan's
// restore rate (100/s) and a bucket that fits one maximum-cost query. Overwritten by live data.
const BOOTSTRAP_MAX = 1000;
const BOOTSTRAP_RATE = 100;
const STATE_TTL_MS = 60 * 60 * 1000;

// Reserve `cost` points from the shared bucket and return how long to wait before sending.
// The bucket may go negative: each caller takes its place in the debt, so callers of every
// process line up behind each other at the restore rate instead of polling (no spinning).
// Redis TIME is the clock so processes with skewed clocks agree.
const RESERVE = `
local b = redis.call('HMGET', KEYS[1], 'available', 'max', 'rate', 'at')
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cost = tonumber(ARGV[1])
local max = tonumber(b[2]) or tonumber(ARGV[2])
local rate = tonumber(b[3]) or tonumber(ARGV[3])
local avail = tonumber(b[1])
local at = tonumber(b[4]) or now
if avail == nil then avail = max end
avail = math.min(max, avail + (now - at) * rate / 1000) - cost
redis.call('HSET', KEYS[1], 'available', tostring(avail), 'max', tostring(max), 'rate', tostring(rate), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]))
if avail >= 0 then return 0 end
return math.ceil(-avail * 1000 / rate)
`;

// After a response: refund what the query did not use, then never believe more than Shopify
// says is available (other processes' queries are in its figure, not yet in ours).
const RECONCILE = `
local b = redis.call('HMGET', KEYS[1], 'available', 'max', 'rate', 'at')
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local refund = tonumber(ARGV[1])
local live = tonumber(ARGV[2])
local max = tonumber(ARGV[3])
local rate = tonumber(ARGV[4])
local oldRate = tonumber(b[3]) or rate
local avail = tonumber(b[1]) or live
local at = tonumber(b[4]) or now
avail = math.min(max, avail + (now - at) * oldRate / 1000) + refund
avail = math.min(avail, live)
redis.call('HSET', KEYS[1], 'available', tostring(avail), 'max', tostring(max), 'rate', tostring(rate), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[5]))
return 0
`;

/**
 * Paces one store's requests to Shopify's cost bucket, shared by every process of the fleet
 * through one Redis hash (`shopifyKeys(prefix, store).bucket`).
 */
export class CostPacer {
  private readonly key: string;

  constructor(
    private readonly redis: Redis | Cluster,
    keyPrefix: string,
    storeId: string,
  ) {
    this.key = shopifyKeys(keyPrefix, storeId).bucket;
  }

  /** Takes `cost` points; resolves to the milliseconds to wait before sending. */
  async reserve(cost: number): Promise<number> {
    const wait = await this.redis.eval(
      RESERVE,
      1,
      this.key,
      String(cost),
      String(BOOTSTRAP_MAX),
      String(BOOTSTRAP_RATE),
      String(STATE_TTL_MS),
    );
    return Number(wait);
  }

  /** Folds a response's live bucket into the shared state. */
  async reconcile(reserved: number, actualCost: number, status: ThrottleStatus): Promise<void> {
    // Negative when the query cost more than we reserved.
    const refund = reserved - actualCost;
    await this.redis.eval(
      RECONCILE,
      1,
      this.key,
      String(refund),
      String(status.currentlyAvailable),
      String(status.maximumAvailable),
      String(status.restoreRate),
      String(STATE_TTL_MS),
    );
  }

  /** Gives back a reservation that was never charged (request refused before Shopify counted it). */
  async reconcileRefund(reserved: number): Promise<void> {
    await this.redis.hincrbyfloat(this.key, 'available', reserved);
  }

  /** The shared state as stored (for status pages and tests). */
  async snapshot(): Promise<{ available: number; max: number; rate: number } | null> {
    const [available, max, rate] = await this.redis.hmget(this.key, 'available', 'max', 'rate');
    if (available === null || max === null || rate === null) return null;
    return { available: Number(available), max: Number(max), rate: Number(rate) };
  }
}
