import { existsSync } from 'node:fs';
import { stateKeys } from '@shoptok/keys';
import { createLogger } from '@shoptok/logger';
import { createRedisConnection, QueueFactory, queueKeys, queueNameFor, waitForRedis } from '@shoptok/queues';
import { useTestRedis, waitUntil, type TestRedis } from '@shoptok/testkit';
import { UnrecoverableError, Worker } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import { chromium, type Browser } from 'playwright-core';
import { startDashboard, type RunningDashboard } from './app.js';

/*
 * The dashboard in a real headless browser: Debian's chromium driven by playwright-core.
 * CI installs the `chromium` package; on a machine without it this file is skipped (and says so).
 */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`SKIPPING the dashboard browser test: ${CHROMIUM} is missing (apt-get install -y chromium).`);

const logger = createLogger({ level: 'silent', console: false });
const credentials = { username: 'ops', password: 'correct horse battery' };
const stores = [
  { id: 'glow', name: 'Glow', enabled: true, mode: 'live' as const },
  { id: 'oak', name: 'Oak', enabled: true, mode: 'live' as const },
];

(haveChromium ? describe : describe.skip)('the dashboard in headless chromium', () => {
  let redis: TestRedis;
  let connection: Redis | Cluster;
  let queues: QueueFactory;
  let dashboard: RunningDashboard;
  let browser: Browser;
  let worker: Worker | undefined;

  beforeAll(async () => {
    redis = await useTestRedis('dashboard-ui');
    connection = createRedisConnection({ url: redis.url, role: 'producer' });
    await waitForRedis(connection);
    queues = new QueueFactory({ connection, prefix: redis.prefix, retry: { maxRetries: 0, backoffSeconds: 1 } });
    dashboard = await startDashboard({
      redis: connection,
      queues,
      prefix: redis.prefix,
      stores,
      credentials,
      logger,
      host: '127.0.0.1',
      port: 0,
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  });

  afterAll(async () => {
    await browser?.close();
    await worker?.close();
    await dashboard?.close();
    await queues?.close();
    connection?.disconnect();
    await redis?.cleanup();
  });

  it('asks for credentials before showing anything', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      for (const path of ['/queues', '/stores/glow']) {
        // Chromium meets the challenge with no credentials to give: the navigation ends in an
        // auth error (or a 401 page); either way the answer it saw was 401 with a Basic challenge.
        const answered = page.waitForResponse((r) => r.url() === `${dashboard.url}${path}`);
        const navigation = await page.goto(`${dashboard.url}${path}`).catch((err: Error) => err);
        const response = await answered;
        expect(response.status()).toBe(401);
        expect(await response.headerValue('www-authenticate')).toMatch(/^Basic /);
        if (navigation instanceof Error) expect(navigation.message).toContain('ERR_INVALID_AUTH_CREDENTIALS');
        else expect(navigation?.status()).toBe(401);
      }
      expect(await page.locator('#root').count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('lists every queue and retries a failed job from its Retry button', async () => {
    // A worker whose handler fails for good until told otherwise: the job fails for real (one attempt).
    let failing = true;
    worker = new Worker(
      queueNameFor('orders', 'glow'),
      async (): Promise<string> => {
        if (failing) throw new UnrecoverableError('Shopify said no (test)');
        return 'imported';
      },
      { connection: { url: redis.url }, prefix: redis.prefix },
    );
    const job = await queues.add('orders', 'order-import', { store: 'glow', tiktokOrderId: '5771234' });
    expect(job.id).toBe('glow-order-5771234');
    await waitUntil(async () => (await job.getState()) === 'failed', { what: 'the job to fail' });
    failing = false;

    const context = await browser.newContext({ httpCredentials: credentials });
    try {
      const page = await context.newPage();
      const response = await page.goto(`${dashboard.url}/queues`);
      expect(response?.status()).toBe(200);
      for (const store of stores) {
        for (const key of queueKeys)
          await page.getByText(queueNameFor(key, store.id), { exact: true }).first().waitFor({ state: 'visible' });
      }

      await page.goto(`${dashboard.url}/queues/queue/${encodeURIComponent(queueNameFor('orders', 'glow'))}?status=failed`);
      const card = page.locator('[class*="card-"]').filter({ has: page.locator(`a[href*="/${job.id}"]`) });
      await card.getByText('Shopify said no (test)').first().waitFor({ state: 'visible' });
      // Bull Board's job Retry button is an icon button (the refresh arrows); it asks to confirm.
      await card.locator('button:has(svg.lucide-refresh-cw)').click();
      const dialog = page.getByRole('dialog').or(page.getByRole('alertdialog'));
      await dialog.getByText('retry this job').waitFor({ state: 'visible' });
      await dialog.getByRole('button', { name: 'Confirm' }).click();

      await waitUntil(
        async () => (await queues.queue('orders', 'glow').getJob(job.id ?? ''))?.getState().then((s) => s === 'completed'),
        {
          timeoutMs: 15_000,
          what: 'the retried job to complete',
        },
      );
      expect((await queues.queue('orders', 'glow').getJob(job.id ?? ''))?.returnvalue).toBe('imported');
    } finally {
      await context.close();
    }
  }, 60_000);

  it('replays an order that could not be imported from the overview page', async () => {
    await connection.hset(
      stateKeys(redis.prefix, 'oak').orderFailed,
      '5779876',
      JSON.stringify({
        reasons: [{ code: 'sku_unmapped', message: 'SKU "B-2" is not on TikTok' }],
        at: 1_700_000_000_000,
        attempts: 3,
      }),
    );
    const context = await browser.newContext({ httpCredentials: credentials });
    try {
      const page = await context.newPage();
      await page.goto(`${dashboard.url}/stores/oak`);
      const row = page.locator('tr[data-order="5779876"]');
      await row.getByText('SKU "B-2" is not on TikTok').waitFor({ state: 'visible' });
      // A real form POST from the page: the browser's Origin/Sec-Fetch-Site pass the same-origin guard.
      await row.getByRole('button', { name: 'Replay' }).click();
      await page.getByRole('status').getByText('Replay of order 5779876 queued').waitFor({ state: 'visible' });
      const jobs = (await queues.queue('orders', 'oak').getJobs(['waiting'])).filter((j) => j.data.tiktokOrderId === '5779876');
      expect(jobs.map((j) => ({ name: j.name, trigger: j.data.trigger }))).toEqual([{ name: 'order-import', trigger: 'replay' }]);
    } finally {
      await context.close();
    }
  }, 60_000);
});
