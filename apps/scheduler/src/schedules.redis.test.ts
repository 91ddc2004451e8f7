import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StoreConfig } from '@shoptok/config';
import { defaultStoreRules } from '@shoptok/sync-core';
import { createLogger } from '@shoptok/logger';
import { createRedisConnection, queueKeys, QueueFactory, waitForRedis } from '@shoptok/queues';
import { startAppProcess, useTestRedis, waitUntil, type TestRedis } from '@shoptok/testkit';
import type { Cluster, Redis } from 'ioredis';
import { recurringJobsFor } from './plan.js';
import { scheduledStoresKey, syncSchedules } from './schedules.js';

const logger = createLogger({ level: 'silent', console: false });

function store(id: string, syncIntervalSeconds = 300): StoreConfig {
  return {
    id,
    name: id,
    enabled: true,
    shopify: { domain: `${id}.myshopify.com`, accessToken: 'shpat_x', apiSecret: undefined, apiBase: undefined },
    tiktok: { appKey: 'k', appSecret: 's', accessToken: 'a', refreshToken: undefined, shopCipher: undefined },
    syncIntervalSeconds,
    batchSize: 100,
    dryRun: false,
    mode: 'live',
    rules: defaultStoreRules(),
  };
}

async function schedulersOf(
  queues: QueueFactory,
  storeId: string,
): Promise<{ key: string; every?: number | null; name: string }[]> {
  const all = [];
  for (const key of queueKeys) all.push(...(await queues.queue(key, storeId).getJobSchedulers()));
  return all.map((s) => ({ key: s.key, every: s.every, name: s.name })).sort((a, b) => a.key.localeCompare(b.key));
}

describe('syncSchedules (real Redis)', () => {
  let redis: TestRedis;
  let connection: Redis | Cluster;
  let queues: QueueFactory;

  beforeAll(async () => {
    redis = await useTestRedis('scheduler');
    connection = createRedisConnection({ url: redis.url, role: 'worker' });
    await waitForRedis(connection);
    queues = new QueueFactory({ connection, prefix: redis.prefix, retry: { maxRetries: 1, backoffSeconds: 1 } });
  });

  afterAll(async () => {
    await queues.close();
    connection.disconnect();
    await redis.cleanup();
  });

  it('gives each store one scheduler per recurring job, even with replicas racing', async () => {
    const stores = [store('glow', 120), store('oak')];
    // Three scheduler replicas start at once.
    await Promise.all(
      [1, 2, 3].map(() => syncSchedules({ stores, queues, redis: connection, prefix: redis.prefix, dryRun: false, logger })),
    );
    const glow = await schedulersOf(queues, 'glow');
    expect(glow).toHaveLength(recurringJobsFor(stores[0] as StoreConfig).length);
    expect(glow.find((s) => s.key === 'glow-inventory-sync')).toMatchObject({ every: 120_000, name: 'inventory-sync' });
    expect(glow.find((s) => s.key === 'glow-reconcile')).toMatchObject({ every: 86_400_000 });
    expect((await schedulersOf(queues, 'oak')).find((s) => s.key === 'oak-inventory-sync')).toMatchObject({ every: 300_000 });
  });

  it('updates a changed interval in place and removes the schedules of a store that left', async () => {
    await syncSchedules({ stores: [store('glow', 60)], queues, redis: connection, prefix: redis.prefix, dryRun: false, logger });
    const glow = await schedulersOf(queues, 'glow');
    expect(glow.filter((s) => s.key === 'glow-inventory-sync')).toEqual([
      { key: 'glow-inventory-sync', every: 60_000, name: 'inventory-sync' },
    ]);
    expect(await schedulersOf(queues, 'oak')).toEqual([]);
    expect(await connection.smembers(scheduledStoresKey(redis.prefix))).toEqual(['glow']);
  });
});

describe('the scheduler process', () => {
  it('schedules the stores of its config, then shuts down cleanly on SIGTERM', async () => {
    const redis = await useTestRedis('scheduler-proc');
    const dir = mkdtempSync(join(tmpdir(), 'shoptok-scheduler-'));
    writeFileSync(
      join(dir, 'stores.yaml'),
      'stores:\n  - id: proc-store\n    shopify: { store: proc-store, tokenEnv: T_SHOPIFY }\n    tiktok: { accessTokenEnv: T_TT }\n',
    );
    const appDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
    const app = startAppProcess(join(appDir, 'src/main.ts'), {
      cwd: dir,
      env: {
        REDIS_URL: redis.url,
        QUEUE_PREFIX: redis.prefix,
        STORES_FILE: 'stores.yaml',
        T_SHOPIFY: 'shpat_test',
        T_TT: 'ROW_test',
        TIKTOK_APP_KEY: 'key',
        TIKTOK_SECRET: 'secret-value',
        LOG_FILE: join(dir, 'scheduler.log'),
        LOG_LEVEL: 'info',
      },
    });
    const connection = createRedisConnection({ url: redis.url, role: 'client' });
    const queues = new QueueFactory({ connection, prefix: redis.prefix, retry: { maxRetries: 1, backoffSeconds: 1 } });
    try {
      await waitUntil(async () => (await queues.queue('inventory', 'proc-store').getJobSchedulers()).length === 1, {
        timeoutMs: 20_000,
        what: 'scheduler to upsert',
      });
      await waitUntil(() => app.output().includes('scheduler running'), { what: 'scheduler to report running' });
      expect(await app.stop()).toBe(0);
      expect(app.output()).toContain('shut down cleanly');
    } finally {
      await app.kill();
      await queues.close();
      connection.disconnect();
      await redis.cleanup();
    }
  });
});
