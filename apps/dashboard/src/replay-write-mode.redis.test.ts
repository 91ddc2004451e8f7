// Issue 19 item 2: a replay from the dashboard follows the one write rule. The dashboard runs as
// its own process with its config from the environment, as in production; the replay is posted
// over HTTP and the job it queues is read back from real Redis.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRedisConnection, QueueFactory, waitForRedis, type RedisConnection } from '@shoptok/queues';
import { freePort, startAppProcess, useTestRedis, waitUntil, type TestRedis } from '@shoptok/testkit';

const appDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const storeEnv = {
  SHOPIFY_STORE: 'replay-shop',
  SHOPIFY_TOKEN: 'shpat_test',
  TIKTOK_APP_KEY: 'key',
  TIKTOK_SECRET: 'secret-value',
  TIKTOK_ACCESS_TOKEN: 'ROW_test',
};
const password = 'a long password';
const auth = `Basic ${Buffer.from(`ops:${password}`).toString('base64')}`;

describe('a dashboard replay and the write rule (dashboard process, real Redis)', () => {
  let redis: TestRedis;
  let connection: RedisConnection;
  let queues: QueueFactory;

  beforeAll(async () => {
    redis = await useTestRedis('dashboard-replay-mode');
    connection = createRedisConnection({ url: redis.url, role: 'client', name: 'replay-mode-test' });
    await waitForRedis(connection);
    queues = new QueueFactory({ connection, prefix: redis.prefix, retry: { maxRetries: 0, backoffSeconds: 1 } });
  });

  afterAll(async () => {
    await queues?.queue('orders', 'default').obliterate({ force: true });
    await queues?.close();
    connection?.disconnect();
    await redis?.cleanup();
  });

  /** Starts the dashboard with the given settings, replays one failed order and returns the job it queued. */
  async function replayJob(env: Record<string, string>, tiktokOrderId: string) {
    await connection.hset(
      `${redis.prefix}:{default}:state:order-failed`,
      tiktokOrderId,
      JSON.stringify({ reasons: [{ code: 'x', message: 'y' }], at: 10, attempts: 1 }),
    );
    const port = await freePort();
    const app = startAppProcess(join(appDir, 'src/main.ts'), {
      cwd: mkdtempSync(join(tmpdir(), 'shoptok-replay-mode-')),
      env: {
        ...storeEnv,
        ...env,
        REDIS_URL: redis.url,
        QUEUE_PREFIX: redis.prefix,
        DASHBOARD_PORT: String(port),
        DASHBOARD_USERNAME: 'ops',
        DASHBOARD_PASSWORD: password,
        LOG_FILE: 'off',
      },
    });
    try {
      await waitUntil(() => app.output().includes('dashboard listening'), { timeoutMs: 30_000, what: 'the dashboard listens' });
      const url = `http://127.0.0.1:${port}`;
      const res = await fetch(`${url}/stores/default/orders/${tiktokOrderId}/replay`, {
        method: 'POST',
        headers: { authorization: auth, origin: url, 'content-type': 'application/x-www-form-urlencoded' },
        body: '',
        redirect: 'manual',
      });
      await res.text();
      expect({ status: res.status, location: res.headers.get('location') }).toMatchObject({
        status: 303,
        location: expect.stringContaining('replay=queued'),
      });
    } finally {
      await app.kill();
    }
    const jobs = (await queues.queue('orders', 'default').getJobs(['waiting', 'delayed', 'prioritized'])).filter(
      (j) => j.data.tiktokOrderId === tiktokOrderId,
    );
    expect(jobs).toHaveLength(1);
    return { id: jobs[0]!.id ?? '', data: jobs[0]!.data as Record<string, unknown> };
  }

  it('DRY_RUN=true on a live store: the replay is dry, under a dry id', async () => {
    const job = await replayJob({ DRY_RUN: 'true', STORE_MODE: 'live' }, '5770901');
    expect(job.data).toMatchObject({ store: 'default', tiktokOrderId: '5770901', trigger: 'replay', dryRun: true });
    expect(job.id).toMatch(/^dry-/);
  }, 60_000);

  it('a live store without DRY_RUN: the replay writes', async () => {
    const job = await replayJob({ STORE_MODE: 'live' }, '5770902');
    expect(job.data).toMatchObject({ store: 'default', tiktokOrderId: '5770902', trigger: 'replay', dryRun: false });
    expect(job.id).not.toMatch(/^dry-/);
  }, 60_000);
});
