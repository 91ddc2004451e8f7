// One bench fleet: the stand-ins in their own process, a stores file, the SKU links in Redis
// (as after shoptok listed the catalogue itself), and the real inventory worker as its own
// process, whose CPU time and peak memory are read from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { stateKeys } from '@shoptok/keys';
import { burstWindow, QueueFactory } from '@shoptok/queues';
import { QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import type { StandInsConfig, StandInsReady } from './standins-process.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const tsxLoader = pathToFileURL(createRequire(join(repoRoot, 'apps/inventory-worker/src/main.ts')).resolve('tsx')).href;

/** CPU seconds (user + system) and peak resident memory of a live process, from /proc. */
export function processUsage(pid: number): { cpuSeconds: number; peakRssMiB: number; rssMiB: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at ") ".
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { cpuSeconds: ticks / 100, peakRssMiB: kib('VmHWM') / 1024, rssMiB: kib('VmRSS') / 1024 };
}

/** Runs a TypeScript entry under tsx as its own process; its stderr goes to `logFile`. */
export function runTs(entry: string, args: string[], env: Record<string, string>, logFile: string): ChildProcess {
  const child = spawn(process.execPath, ['--conditions=shoptok-source', '--import', tsxLoader, entry, ...args], {
    cwd: repoRoot,
    // BENCH_HELPER_NODE_OPTIONS: node options for the bench's own processes (e.g. a GC or
    // event-loop tracer preloaded with --import, writing to stderr: stdout carries the ready line).
    env: {
      PATH: process.env.PATH,
      ...(process.env.BENCH_HELPER_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_HELPER_NODE_OPTIONS } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(logFile);
  child.stderr?.pipe(log);
  return child;
}

/**
 * How the bench runs shoptok's apps: `compiled` runs `apps/<app>/dist/main.js` with plain node,
 * as production does (`pnpm run build`; see the Dockerfile), so memory is not tsx's; otherwise
 * the TypeScript sources under tsx. The bench's own helper processes always run under tsx.
 */
export const appRunner: { compiled: boolean; nodeOptions?: string; keepLogs?: boolean } = { compiled: false };

/**
 * The Node flags each app runs with in production (keep in step with docker-compose.yml): the
 * inventory worker's heap is capped so V8 collects its garbage well inside a 256 MiB container;
 * the streamed stock sync's live set is a slice, not the catalogue. Its young generation is
 * capped too: left alone, V8 grew it to 2 x 64 MiB under the sync's allocation rate (most of the
 * RSS), and with it that close to the heap limit ran a major GC every ~150 ms (measured
 * 2026-12-02, about half the worker's CPU). The product worker gets a small young generation and
 * a 1.5x old-space growth step: its live heap stays ~60-90 MiB at 1,000 products, but by default
 * V8 let promoted garbage grow the old space to ~4x that. (`--heap-growing-percent` is a V8 flag
 * NODE_OPTIONS refuses: it must be on the command line.)
 */
export const PRODUCTION_NODE_FLAGS: Record<string, string[]> = {
  'inventory-worker': ['--max-old-space-size=128', '--max-semi-space-size=16'],
  'product-worker': ['--max-semi-space-size=8', '--heap-growing-percent=50'],
};

/** Starts `entry` (repo-relative, e.g. `apps/webhooks/src/main.ts`) as its own process. */
export function runApp(entry: string, args: string[], env: Record<string, string>, logFile: string): ChildProcess {
  const dist = entry.replace(/^(apps\/[^/]+)\/src\/(.+)\.ts$/, '$1/dist/$2.js');
  if (!appRunner.compiled || !entry.startsWith('apps/') || entry.startsWith('apps/bench/') || dist === entry)
    return runTs(join(repoRoot, entry), args, env, logFile);
  // Node flags production gives the app (docker-compose.yml `command`), e.g. the inventory worker's heap cap.
  const child = spawn(
    process.execPath,
    [...(PRODUCTION_NODE_FLAGS[entry.split('/')[1] ?? ''] ?? []), join(repoRoot, dist), ...args],
    {
      cwd: repoRoot,
      env: { PATH: process.env.PATH, ...(appRunner.nodeOptions ? { NODE_OPTIONS: appRunner.nodeOptions } : {}), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stderr?.pipe(createWriteStream(logFile));
  return child;
}

/** Polls a /healthz URL until it answers 200. */
export async function waitForHealth(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The first line a child prints on stdout (its ready message). */
export function firstLine(child: ChildProcess, what: string, timeoutMs: number): Promise<string> {
  return new Promise((resolveLine, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start within ${timeoutMs} ms`)), timeoutMs);
    child.stdout?.on('data', (d: Buffer) => {
      buffer += d.toString();
      const nl = buffer.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolveLine(buffer.slice(0, nl));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with code ${code} before it was ready`));
    });
  });
}

/**
 * Rejects as soon as `child` exits, naming it and where its log is: a scenario races its waits
 * against this, so a worker that dies fails the scenario at once instead of waiting for a timeout.
 * Call `stopping()` before stopping the child on purpose.
 */
export function deathOf(child: ChildProcess, what: string, logFile: string): { died: Promise<never>; stopping: () => void } {
  let expected = false;
  const died = new Promise<never>((_, reject) => {
    child.once('exit', (code, signal) => {
      if (!expected)
        reject(new Error(`${what} died during the scenario (exit code ${code}, signal ${signal}); its log: ${logFile}`));
    });
  });
  died.catch(() => undefined); // observed by whoever races it; never an unhandled rejection
  return { died, stopping: () => (expected = true) };
}

/** `work`, or the first child death among `deaths`, whichever comes first. */
export function unlessDead<T>(work: Promise<T>, deaths: readonly Promise<never>[]): Promise<T> {
  return Promise.race([work, ...deaths]);
}

/** SIGTERM, then SIGKILL after 30 s; resolves when the child is gone. */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', () => {
      clearTimeout(kill);
      done();
    });
    child.kill('SIGTERM');
  });
}

export interface BenchFleet {
  standIns: StandInsReady;
  storeId: string;
  worker: ChildProcess;
  /** Rejects when the worker or the stand-ins die during the scenario. */
  died: Promise<never>;
  /** Adds an inventory-item job, as apps/webhooks does for a Shopify stock webhook. */
  itemJob(inventoryItemId: string): Promise<void>;
  /** Adds an inventory-sync job and waits until it completes; wall seconds and the job's summary. */
  inventorySync(timeoutMs: number): Promise<{ wallSeconds: number; summary: Record<string, unknown> }>;
  control<T>(path: string, body?: unknown): Promise<T>;
  env: Record<string, string>;
  close(): Promise<void>;
}

/** Starts the stand-ins, writes the links and starts the inventory worker; `close()` stops all and cleans Redis. */
export async function startBenchFleet(options: {
  redisUrl: string;
  prefix: string;
  standIns: Omit<StandInsConfig, 'linksFile'>;
}): Promise<BenchFleet> {
  const dir = mkdtempSync(join(tmpdir(), 'shoptok-bench-'));
  const linksFile = join(dir, 'links.json');
  const standInsChild = runTs(
    join(repoRoot, 'apps/bench/src/standins-process.ts'),
    [JSON.stringify({ ...options.standIns, linksFile })],
    {},
    join(dir, 'standins.log'),
  );
  const children: ChildProcess[] = [standInsChild];
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 3 });
  const queueRedis = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
  const storeId = 'bench';
  try {
    const standIns = JSON.parse(await firstLine(standInsChild, 'the stand-ins', 300_000)) as StandInsReady;
    const warehouses =
      standIns.warehouseIds.length > 1
        ? standIns.warehouseIds.map((w, i) => ({
            tiktokWarehouseId: w,
            shopifyLocationIds: standIns.locationIds.filter((_, l) => l % standIns.warehouseIds.length === i),
          }))
        : [];
    const env: Record<string, string> = {
      REDIS_URL: options.redisUrl,
      QUEUE_PREFIX: options.prefix,
      STORES_FILE: join(dir, 'stores.json'),
      TIKTOK_APP_KEY: standIns.appKey,
      TIKTOK_SECRET: standIns.appSecret,
      TIKTOK_API_BASE: standIns.tiktokUrl,
      TIKTOK_AUTH_BASE: standIns.tiktokAuthUrl,
      BENCH_SHOPIFY_TOKEN: standIns.shopifyToken,
      BENCH_SHOPIFY_SECRET: standIns.shopifySecret,
      BENCH_TT_ACCESS: standIns.accessToken,
      BENCH_TT_REFRESH: standIns.refreshToken,
      LOG_LEVEL: 'info',
      LOG_FILE: join(dir, 'worker.log'),
      HEALTH_PORT: '0',
    };
    const stores = {
      stores: [
        {
          id: storeId,
          shopify: {
            store: standIns.shopifyDomain,
            tokenEnv: 'BENCH_SHOPIFY_TOKEN',
            apiSecretEnv: 'BENCH_SHOPIFY_SECRET',
            apiBase: standIns.shopifyUrl,
          },
          tiktok: { accessTokenEnv: 'BENCH_TT_ACCESS', refreshTokenEnv: 'BENCH_TT_REFRESH', shopCipher: standIns.cipher },
          rules: { inventory: { warehouses } },
          mode: 'live', // the bench measures what a live store sends
        },
      ],
    };
    writeFileSync(env.STORES_FILE!, JSON.stringify(stores, null, 2));

    // The links shoptok keeps (state key layout of packages/state): as after it listed the catalogue.
    const links = JSON.parse(readFileSync(linksFile, 'utf8')) as { sellerSku: string; shopifyInventoryItemId: string }[];
    const keys = stateKeys(options.prefix, storeId);
    for (let i = 0; i < links.length; i += 5000) {
      const multi = redis.multi();
      for (const link of links.slice(i, i + 5000)) {
        multi.hset(keys.sku, link.sellerSku, JSON.stringify(link));
        multi.hset(keys.item, link.shopifyInventoryItemId, link.sellerSku);
      }
      await multi.exec();
    }

    const worker = runApp('apps/inventory-worker/src/main.ts', [], env, join(dir, 'worker.stderr.log'));
    children.push(worker);
    const watches = [
      deathOf(worker, 'the inventory worker', join(dir, 'worker.stderr.log')),
      deathOf(standInsChild, 'the stand-ins', join(dir, 'standins.log')),
    ];
    const died = Promise.race(watches.map((w) => w.died));
    died.catch(() => undefined);
    worker.stdout?.resume(); // its console log: the JSON lines also go to LOG_FILE
    const queues = new QueueFactory({ connection: redis, prefix: options.prefix, retry: { maxRetries: 0, backoffSeconds: 1 } });
    const queue = queues.queue('inventory', storeId);
    const events = new QueueEvents(queue.name, { connection: queueRedis, prefix: options.prefix });
    await events.waitUntilReady();
    // Timed runs start once the worker consumes the queue (its start-up is not the sync's time).
    for (const deadline = Date.now() + 180_000; (await unlessDead(queue.getWorkersCount(), [died])) === 0;) {
      if (Date.now() > deadline) throw new Error('the inventory worker did not start consuming within 180 s');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    let runs = 0;

    return {
      standIns,
      storeId,
      worker,
      env,
      died,
      async itemJob(inventoryItemId) {
        // The id apps/webhooks gives the first change of an item in its burst window
        // (`-w<bucket>-lead`). Without the window, a second change of the same item in one run
        // would carry the id of the first, completed job, which BullMQ keeps and so ignores the add.
        const occasion = { window: burstWindow(Date.now()).window, lead: true };
        const data = { store: storeId, dryRun: false, trigger: 'webhook' as const, inventoryItemId };
        await queues.add('inventory', 'inventory-item', data, { id: occasion });
      },
      async inventorySync(timeoutMs) {
        const started = performance.now();
        const job = await queues.add(
          'inventory',
          'inventory-sync',
          { store: storeId, dryRun: false },
          { id: { run: `bench-${++runs}-${Date.now()}` } },
        );
        // A worker that dies fails the scenario at once (its job would only time out).
        const summary = (await unlessDead(job.waitUntilFinished(events, timeoutMs), [died])) as Record<string, unknown>;
        return { wallSeconds: (performance.now() - started) / 1000, summary };
      },
      async control<T>(path: string, body?: unknown): Promise<T> {
        const res = await fetch(
          `${standIns.controlUrl}${path}`,
          body === undefined
            ? {}
            : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
        );
        return (await res.json()) as T;
      },
      async close() {
        for (const w of watches) w.stopping();
        await events.close();
        await Promise.all([...children].reverse().map(stopChild));
        const keys = await redis.keys(`${options.prefix}:*`);
        for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
        redis.disconnect();
        queueRedis.disconnect();
        if (appRunner.keepLogs) console.log(`  logs kept in ${dir}`);
        else rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await Promise.all(children.map(stopChild));
    redis.disconnect();
    queueRedis.disconnect();
    throw new Error(`${(err as Error).message}; logs in ${dir}`, { cause: err });
  }
}
