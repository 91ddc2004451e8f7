// The set-up the product scenarios share (product-listing, product-edit, product-throughput), and
// the environment every scenario's apps get: a scratch dir and key prefix, the stand-ins process,
// one live store in the stores file, the real product worker, and the clean-up afterwards.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueueFactory } from '@shoptok/queues';
import { QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { firstLine, runApp, stopChild } from '../fleet.js';
import type { StoreReady, TikTokAppReady } from '../standins-plumbing.js';
import type { BenchContext } from '../scenario.js';

/** What every app of a fleet runs with: Redis under the fleet's prefix, its stores file, the TikTok app, warn logs to `logFile`. */
export function appEnv(
  ctx: BenchContext,
  prefix: string,
  dir: string,
  app: TikTokAppReady,
  logFile: string,
): Record<string, string> {
  return {
    REDIS_URL: ctx.redisUrl,
    QUEUE_PREFIX: prefix,
    STORES_FILE: join(dir, 'stores.json'),
    TIKTOK_APP_KEY: app.appKey,
    TIKTOK_SECRET: app.appSecret,
    TIKTOK_API_BASE: app.tiktokUrl,
    TIKTOK_AUTH_BASE: app.tiktokAuthUrl,
    LOG_LEVEL: 'warn',
    LOG_FILE: logFile,
  };
}

/** A scenario's scratch: its dir (logs, stores file), key prefix, Redis connections and processes. */
export interface Scratch {
  dir: string;
  prefix: string;
  redis: Redis;
  /** For QueueEvents (blocking reads: no retry limit). */
  queueRedis: Redis;
  /** The processes started, stopped last-started first by close(). */
  children: ChildProcess[];
  /** Stops the processes, deletes the prefix's keys; keeps the logs (and says where) when the scenario failed. */
  close(failed: boolean): Promise<void>;
}

export function startScratch(ctx: BenchContext, label: string): Scratch {
  const dir = mkdtempSync(join(tmpdir(), `shoptok-bench-${label}-`));
  const prefix = `bench-${process.pid}-${label}`;
  const redis = new Redis(ctx.redisUrl, { maxRetriesPerRequest: 3 });
  const queueRedis = new Redis(ctx.redisUrl, { maxRetriesPerRequest: null });
  const children: ChildProcess[] = [];
  return {
    dir,
    prefix,
    redis,
    queueRedis,
    children,
    async close(failed) {
      await Promise.all([...children].reverse().map(stopChild));
      const keys = await redis.keys(`${prefix}:*`);
      for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
      redis.disconnect();
      queueRedis.disconnect();
      if (failed) ctx.log(`  logs kept in ${dir}`);
      else rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Starts a stand-ins process (`entry`, given `config`) and waits for its ready line. */
export async function startStandIns<Ready>(
  scratch: Scratch,
  entry: string,
  config: object,
  what: string,
  timeoutMs: number,
): Promise<Ready> {
  const child = runApp(entry, [JSON.stringify(config)], {}, join(scratch.dir, 'standins.log'));
  scratch.children.push(child);
  return JSON.parse(await firstLine(child, what, timeoutMs)) as Ready;
}

/**
 * Adds the credentials of one live store to `env` (BENCH_*) and writes the stores file with it;
 * `extra` (e.g. `rules`) goes into its entry.
 */
export function writeSingleStore(
  env: Record<string, string>,
  id: string,
  ready: StoreReady,
  extra: Record<string, unknown> = {},
): void {
  Object.assign(env, {
    BENCH_SHOPIFY_TOKEN: ready.shopifyToken,
    BENCH_SHOPIFY_SECRET: ready.shopifySecret,
    BENCH_TT_ACCESS: ready.accessToken,
    BENCH_TT_REFRESH: ready.refreshToken,
  });
  const stores = {
    stores: [
      {
        id,
        shopify: {
          store: ready.shopifyDomain,
          tokenEnv: 'BENCH_SHOPIFY_TOKEN',
          apiSecretEnv: 'BENCH_SHOPIFY_SECRET',
          apiBase: ready.shopifyUrl,
        },
        tiktok: { accessTokenEnv: 'BENCH_TT_ACCESS', refreshTokenEnv: 'BENCH_TT_REFRESH', shopCipher: ready.cipher },
        ...extra,
        mode: 'live', // the bench measures what a live store sends
      },
    ],
  };
  writeFileSync(env.STORES_FILE!, JSON.stringify(stores, null, 2));
}

/** Starts the real product worker and the events of the store's products queue (ready when returned). */
export async function startProductWorker(
  scratch: Scratch,
  env: Record<string, string>,
  store: string,
): Promise<{ worker: ChildProcess; queues: QueueFactory; events: QueueEvents }> {
  const worker = runApp('apps/product-worker/src/main.ts', [], env, join(scratch.dir, 'worker.stderr.log'));
  scratch.children.push(worker);
  worker.stdout?.resume();
  const { redis, queueRedis, prefix } = scratch;
  const queues = new QueueFactory({ connection: redis, prefix, retry: { maxRetries: 0, backoffSeconds: 1 } });
  const events = new QueueEvents(queues.queue('products', store).name, { connection: queueRedis, prefix });
  await events.waitUntilReady();
  return { worker, queues, events };
}
