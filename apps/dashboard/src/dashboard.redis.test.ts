import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stateKeys } from '@shoptok/keys';
import { createLogger } from '@shoptok/logger';
import { createRedisConnection, QueueFactory, queueNameFor, recordMetric, recordSyncLag, waitForRedis } from '@shoptok/queues';
import { freePort, startAppProcess, useTestRedis, waitUntil, type TestRedis } from '@shoptok/testkit';
import { UnrecoverableError, Worker } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { startDashboard, type RunningDashboard } from './app.js';

const logger = createLogger({ level: 'silent', console: false });
const credentials = { username: 'ops', password: 'correct horse battery' };
const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
const auth = { authorization: basic(credentials.username, credentials.password) };

interface PromSample {
  value: string;
  labels?: Record<string, string>;
}
interface PromFamily {
  name: string;
  type: string;
  metrics: PromSample[];
}

describe('the dashboard over HTTP (real Redis)', () => {
  let redis: TestRedis;
  let connection: Redis | Cluster;
  let queues: QueueFactory;
  let dashboard: RunningDashboard;
  const workers: Worker[] = [];

  beforeAll(async () => {
    redis = await useTestRedis('dashboard');
    connection = createRedisConnection({ url: redis.url, role: 'producer' });
    await waitForRedis(connection);
    queues = new QueueFactory({ connection, prefix: redis.prefix, retry: { maxRetries: 0, backoffSeconds: 1 } });
    dashboard = await startDashboard({
      redis: connection,
      queues,
      prefix: redis.prefix,
      stores: [
        { id: 'glow', name: 'Glow <Beauty>', enabled: true, mode: 'live' },
        { id: 'oak', name: 'Oak', enabled: true },
      ],
      credentials,
      logger,
      host: '127.0.0.1',
      port: 0,
    });
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.close()));
    await dashboard.close();
    await queues.close();
    connection.disconnect();
    await redis.cleanup();
  });

  const get = (path: string, headers: Record<string, string> = auth) =>
    fetch(`${dashboard.url}${path}`, { headers, redirect: 'manual' });

  it('asks for credentials on every page and refuses wrong ones', async () => {
    for (const path of ['/', '/queues', '/queues/api/queues', '/metrics', '/stores/glow', '/no-such-page']) {
      const none = await get(path, {});
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toMatch(/^Basic realm="shoptok dashboard"/);
      await none.text();
    }
    for (const header of [
      basic('ops', 'wrong password!'),
      basic('admin', credentials.password),
      basic('ops', ''),
      'Basic !!!',
      'Bearer abc',
    ]) {
      const wrong = await get('/', { authorization: header });
      expect(wrong.status).toBe(401);
      await wrong.text();
    }
    const ok = await get('/');
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('href="/stores/glow"');
  });

  it('serves Bull Board with one queue per store and queue kind', async () => {
    const page = await get('/queues');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    const api = await get('/queues/api/queues');
    expect(api.status).toBe(200);
    const body = (await api.json()) as { queues: { name: string }[] };
    const names = body.queues.map((q) => q.name).sort();
    expect(names).toEqual(
      ['glow', 'oak']
        .flatMap((s) =>
          (['fulfilment', 'inventory', 'maintenance', 'orders', 'products'] as const).map((q) => queueNameFor(q, s)),
        )
        .sort(),
    );
  });

  it('answers /healthz without credentials and reports workers without failing on their absence', async () => {
    const before = await get('/healthz', {});
    expect(before.status).toBe(200);
    const report = (await before.json()) as {
      ok: boolean;
      checks: { redis: { ok: boolean }; workers: { ok: boolean; affectsHealth: boolean; queuesWithoutWorkers: string[] } };
    };
    expect(report.ok).toBe(true);
    expect(report.checks.redis.ok).toBe(true);
    expect(report.checks.workers).toMatchObject({ ok: false, affectsHealth: false });
    expect(report.checks.workers.queuesWithoutWorkers).toContain('inventory-{glow}');

    // A real BullMQ worker must be seen (guards the client-name format we count by).
    const worker = new Worker(queueNameFor('inventory', 'glow'), async () => undefined, {
      connection: { url: redis.url },
      prefix: redis.prefix,
    });
    workers.push(worker);
    await worker.waitUntilReady();
    await waitUntil(
      async () => {
        const r = (await (await get('/healthz', {})).json()) as typeof report;
        return !r.checks.workers.queuesWithoutWorkers.includes('inventory-{glow}');
      },
      { what: 'the worker to show in /healthz' },
    );
  });

  it('exports queue counts and published fleet metrics as Prometheus text', async () => {
    const inventory = queues.queue('inventory', 'oak');
    await queues.add('inventory', 'inventory-sync', { store: 'oak' });
    await queues.add('inventory', 'inventory-sync', { store: 'oak' }, { delay: 60_000 });
    // A real failed job: a worker whose handler fails for good (one attempt).
    const failing = new Worker(
      queueNameFor('orders', 'oak'),
      async (): Promise<void> => {
        throw new UnrecoverableError('boom');
      },
      { connection: { url: redis.url }, prefix: redis.prefix },
    );
    workers.push(failing);
    await queues.add('orders', 'order-import', { store: 'oak', tiktokOrderId: '5770001' });
    await waitUntil(async () => (await queues.queue('orders', 'oak').getFailedCount()) === 1, { what: 'the job to fail' });
    expect(await inventory.getWaitingCount()).toBe(1);

    await recordMetric(connection, redis.prefix, 'oak', 'api_calls:tiktok', 7);
    await recordMetric(connection, redis.prefix, 'oak', 'api_429:tiktok');
    await recordMetric(connection, redis.prefix, 'oak', 'throttled:shopify', 3);
    await recordMetric(connection, redis.prefix, 'oak', 'ai_cost_micros', 1_250_000);
    await recordMetric(connection, redis.prefix, 'oak', 'jobs_failed:orders');
    await recordSyncLag(connection, redis.prefix, 'oak', 'inventory', 7, Date.now() - 25 * 3600_000);
    await recordSyncLag(connection, redis.prefix, 'oak', 'inventory', 42.5);
    // The history keeps one day: the point from 25 hours ago was trimmed by the newer write.
    expect((await connection.zrange(`${redis.prefix}:{oak}:lag`, '0', '-1')).map((m) => m.split(':')[1])).toEqual(['42.5']);
    await expect(recordMetric(connection, redis.prefix, 'oak', 'api_calls:tiktok', -1)).rejects.toThrow(RangeError);
    await connection.hset(`${redis.prefix}:{oak}:metrics`, 'from_a_newer_writer:x', '1', 'api_calls:tiktok:extra', '987654');

    const response = await get('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = parsePrometheusTextFormat(await response.text()) as PromFamily[];
    const sample = (name: string, labels: Record<string, string>) => {
      const family = families.find((f) => f.name === name);
      if (!family) throw new Error(`no metric family ${name}`);
      return family.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
    };
    const typeOf = (name: string) => families.find((f) => f.name === name)?.type;

    expect(sample('shoptok_queue_jobs', { queue: 'inventory', store: 'oak', state: 'waiting' })?.value).toBe('1');
    expect(sample('shoptok_queue_jobs', { queue: 'inventory', store: 'oak', state: 'delayed' })?.value).toBe('1');
    expect(sample('shoptok_queue_jobs', { queue: 'orders', store: 'oak', state: 'failed' })?.value).toBe('1');
    expect(sample('shoptok_queue_jobs', { queue: 'products', store: 'glow', state: 'waiting' })?.value).toBe('0');
    expect(sample('shoptok_queue_workers', { queue: 'orders', store: 'oak' })?.value).toBe('1');
    expect(sample('shoptok_api_calls_total', { api: 'tiktok', store: 'oak' })?.value).toBe('7');
    expect(sample('shoptok_api_429_total', { api: 'tiktok', store: 'oak' })?.value).toBe('1');
    expect(sample('shoptok_api_throttled_total', { api: 'shopify', store: 'oak' })?.value).toBe('3');
    expect(sample('shoptok_ai_cost_usd_total', { store: 'oak' })?.value).toBe('1.25');
    expect(sample('shoptok_jobs_failed_total', { queue: 'orders', store: 'oak' })?.value).toBe('1');
    expect(sample('shoptok_sync_lag_seconds', { queue: 'inventory', store: 'oak' })?.value).toBe('42.5');
    expect(typeOf('shoptok_api_calls_total')).toBe('COUNTER');
    expect(typeOf('shoptok_queue_jobs')).toBe('GAUGE');
    expect(families.some((f) => f.name === 'shoptok_dashboard_process_cpu_user_seconds_total')).toBe(true);
    // Fields of an unknown shape are left out, not exported under a wrong name.
    expect(
      families
        .filter((f) => f.name.startsWith('shoptok_') && !f.name.startsWith('shoptok_dashboard_'))
        .flatMap((f) => f.metrics)
        .some((m) => m.value === '987654'),
    ).toBe(false);
  });

  it('shows a store overview from the sync state, escaped', async () => {
    const p = redis.prefix;
    await connection.hset(
      stateKeys(p, 'glow').sku,
      'SKU-1',
      JSON.stringify({
        sellerSku: 'SKU-1',
        shopifyProductId: 'gid://shopify/Product/1',
        tiktokProductId: '17',
        tiktokSkuId: '1701',
        shopifyVariantId: 'gid://shopify/ProductVariant/11',
        shopifyInventoryItemId: '21',
      }),
      'SKU-2',
      JSON.stringify({
        sellerSku: 'SKU-2',
        shopifyProductId: 'gid://shopify/Product/1',
        tiktokProductId: '17',
        tiktokSkuId: '1702',
        shopifyVariantId: 'gid://shopify/ProductVariant/12',
        shopifyInventoryItemId: '22',
      }),
      'SKU-3',
      JSON.stringify({
        sellerSku: 'SKU-3',
        shopifyProductId: 'gid://shopify/Product/2',
        tiktokProductId: '18',
        tiktokSkuId: '1801',
        shopifyVariantId: 'gid://shopify/ProductVariant/13',
        shopifyInventoryItemId: '23',
      }),
      'SKU-BAD',
      'not json',
    );
    await connection.hset(
      stateKeys(p, 'glow').pushed,
      '1701',
      JSON.stringify({ warehouses: { w1: 3 }, at: Date.now() }),
      '1702',
      JSON.stringify({ warehouses: { w1: 0 }, at: Date.now() }),
    );
    await connection.hset(
      stateKeys(p, 'glow').listing,
      'gid://shopify/Product/1',
      JSON.stringify({ tiktokProductId: '17', contentHash: 'h', status: 'ACTIVATE', auditFailedReasons: [], updatedAt: 1 }),
      'gid://shopify/Product/2',
      JSON.stringify({
        tiktokProductId: '18',
        contentHash: 'h',
        status: 'FAILED',
        auditFailedReasons: [{ reasons: ['Image is blurry'], suggestions: ['Upload 800x800'] }],
        updatedAt: 2,
      }),
    );
    await connection.hset(
      stateKeys(p, 'glow').attention,
      'gid://shopify/Product/3',
      JSON.stringify({ reasons: [{ code: 'no_category', message: '<script>alert(1)</script> has no category' }], at: 3 }),
    );
    await connection.hset(
      stateKeys(p, 'glow').order,
      '5770100',
      JSON.stringify({ shopifyOrderId: 'gid://shopify/Order/1', tiktokStatus: 'AWAITING_SHIPMENT', importedAt: 1 }),
    );
    await connection.hset(
      stateKeys(p, 'glow').orderFailed,
      '5770200',
      JSON.stringify({ reasons: [{ code: 'sku_unmapped', message: 'SKU "X" & co is not mapped' }], at: 5, attempts: 2 }),
    );
    const now = Date.now();
    await recordSyncLag(connection, p, 'glow', 'inventory', 30, now - 3_600_000);
    await recordSyncLag(connection, p, 'glow', 'inventory', 90, now - 60_000);

    const response = await get('/stores/glow');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    // Whitespace between tags is the source's layout, not content.
    const page = (await response.text()).replace(/>\s+</g, '><');
    const card = (metric: string) => new RegExp(`data-metric="${metric}">[^<]*<b>(\\d+)</b>`).exec(page)?.[1];
    expect(card('skus-linked')).toBe('3');
    expect(card('skus-in-sync')).toBe('2');
    expect(card('skus-drifting')).toBe('1');
    expect(card('needs-attention')).toBe('2');
    expect(card('orders-imported')).toBe('1');
    expect(card('orders-failed')).toBe('1');
    expect(page).toContain('1 state records could not be read');
    expect(page).toContain('<td>ACTIVATE</td><td>1</td>');
    expect(page).toContain('<td>FAILED</td><td>1</td>');
    expect(page).toContain('Image is blurry — suggestion: Upload 800x800');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt; has no category');
    expect(page).not.toContain('<script>alert(1)');
    expect(page).toContain('Glow &lt;Beauty&gt;');
    expect(page).toContain('SKU &quot;X&quot; &amp; co is not mapped');
    expect(page).toContain('action="/stores/glow/orders/5770200/replay"');
    expect(page).toMatch(/<svg\s[^>]*data-points="2"/);
    expect(page).toContain('<polyline');

    const unknown = await get('/stores/nope');
    expect(unknown.status).toBe(404);
    await unknown.text();
  });

  describe('order replay', () => {
    const replay = (orderId: string, headers: Record<string, string> = {}) =>
      fetch(`${dashboard.url}/stores/glow/orders/${orderId}/replay`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: '',
        redirect: 'manual',
      });
    const replayJobs = async () =>
      (await queues.queue('orders', 'glow').getJobs(['waiting', 'delayed', 'active', 'completed', 'failed'])).filter(
        (j) => j.data.trigger === 'replay',
      );

    it('queues exactly one order-import job for a failed order, even when clicked twice', async () => {
      await connection.hset(
        stateKeys(redis.prefix, 'glow').orderFailed,
        '5770300',
        JSON.stringify({ reasons: [{ code: 'x', message: 'y' }], at: 10, attempts: 1 }),
      );
      const first = await replay('5770300', { origin: dashboard.url, 'sec-fetch-site': 'same-origin' });
      expect(first.status).toBe(303);
      expect(first.headers.get('location')).toMatch(
        /^\/stores\/glow\?order=5770300&replay=queued&job=glow-order-5770300-replay-1-10$/,
      );
      const second = await replay('5770300', { origin: dashboard.url });
      expect(second.headers.get('location')).toContain('replay=pending');

      const jobs = (await replayJobs()).filter((j) => j.data.tiktokOrderId === '5770300');
      expect(jobs).toHaveLength(1);
      expect(jobs[0]?.name).toBe('order-import');
      expect(jobs[0]?.data).toEqual({ store: 'glow', tiktokOrderId: '5770300', trigger: 'replay', dryRun: false });

      const flash = await (await get(first.headers.get('location') ?? '')).text();
      expect(flash).toContain('Replay of order 5770300 queued as job glow-order-5770300-replay-1-10.');
    });

    it("replays a seller cancellation TikTok refused as an order-cancel job; the row shows TikTok's message", async () => {
      const message =
        'TikTok refused the cancellation (code 25001021, reason seller_cancel_reason_out_of_stock): Reason not match order status';
      await connection.hset(
        stateKeys(redis.prefix, 'glow').orderFailed,
        '5770350',
        JSON.stringify({ reasons: [{ code: 'tiktok-cancel-refused', message }], at: 12, attempts: 1 }),
      );
      const page = await (await get('/stores/glow')).text();
      expect(page).toContain(message);
      const res = await replay('5770350', { origin: dashboard.url });
      expect(res.status).toBe(303);
      const jobs = (await replayJobs()).filter((j) => j.data.tiktokOrderId === '5770350');
      expect(jobs.map((j) => [j.name, j.data.origin])).toEqual([['order-cancel', 'shopify']]);
    });

    it('refuses cross-site requests and orders with nothing to replay', async () => {
      await connection.hset(
        stateKeys(redis.prefix, 'glow').orderFailed,
        '5770400',
        JSON.stringify({ reasons: [], at: 11, attempts: 1 }),
      );
      const before = (await replayJobs()).length;

      const crossSite = await replay('5770400', { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' });
      expect(crossSite.status).toBe(403);
      const otherOrigin = await replay('5770400', { origin: 'https://evil.example' });
      expect(otherOrigin.status).toBe(403);
      const nullOrigin = await replay('5770400', { origin: 'null' });
      expect(nullOrigin.status).toBe(403);
      // Bull Board's own API is covered by the same guard.
      const boardRetry = await fetch(`${dashboard.url}/queues/api/queues/orders-%7Bglow%7D/retry/failed`, {
        method: 'PUT',
        headers: { ...auth, 'sec-fetch-site': 'same-site' },
      });
      expect(boardRetry.status).toBe(403);
      const withoutAuth = await fetch(`${dashboard.url}/stores/glow/orders/5770400/replay`, {
        method: 'POST',
        redirect: 'manual',
      });
      expect(withoutAuth.status).toBe(401);

      const notFailed = await replay('5770999', { origin: dashboard.url });
      expect(notFailed.headers.get('location')).toContain('replay=not-failed');
      const notAnId = await replay('12ab', { origin: dashboard.url });
      expect(notAnId.status).toBe(400);
      await Promise.all([crossSite, otherOrigin, nullOrigin, boardRetry, withoutAuth, notFailed, notAnId].map((r) => r.text()));
      expect((await replayJobs()).length).toBe(before);
    });
  });
});

describe('the dashboard process', () => {
  const appDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const storeEnv = {
    SHOPIFY_STORE: 'proc-shop',
    SHOPIFY_TOKEN: 'shpat_test',
    TIKTOK_APP_KEY: 'key',
    TIKTOK_SECRET: 'secret-value',
    TIKTOK_ACCESS_TOKEN: 'ROW_test',
  };

  it('refuses to listen beyond loopback without credentials', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shoptok-dashboard-'));
    const app = startAppProcess(join(appDir, 'src/main.ts'), {
      cwd: dir,
      env: { ...storeEnv, REDIS_URL: 'redis://127.0.0.1:1', DASHBOARD_HOST: '0.0.0.0' },
    });
    try {
      expect(await app.exited).toBe(78);
      expect(app.output()).toContain('DASHBOARD_USERNAME and DASHBOARD_PASSWORD');
    } finally {
      await app.kill();
    }
  });

  it('starts from the environment, serves /healthz and shuts down cleanly on SIGTERM', async () => {
    const redis = await useTestRedis('dashboard-proc');
    const dir = mkdtempSync(join(tmpdir(), 'shoptok-dashboard-'));
    const port = await freePort();
    const app = startAppProcess(join(appDir, 'src/main.ts'), {
      cwd: dir,
      env: {
        ...storeEnv,
        REDIS_URL: redis.url,
        QUEUE_PREFIX: redis.prefix,
        DASHBOARD_PORT: String(port),
        DASHBOARD_USERNAME: 'ops',
        DASHBOARD_PASSWORD: 'a long password',
        LOG_LEVEL: 'info',
        LOG_FILE: join(dir, 'dashboard.log'),
      },
    });
    try {
      await waitUntil(() => app.output().includes('dashboard listening'), {
        timeoutMs: 20_000,
        what: `the dashboard to listen (output: ${app.output()})`,
      });
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(200);
      await health.text();
      const locked = await fetch(`http://127.0.0.1:${port}/queues/api/queues`);
      expect(locked.status).toBe(401);
      await locked.text();
      expect(app.output()).not.toContain('a long password');
      expect(await app.stop()).toBe(0);
      expect(app.output()).toContain('shut down cleanly');
    } finally {
      await app.kill();
      await redis.cleanup();
    }
  });
});
