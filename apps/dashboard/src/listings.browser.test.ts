import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { merchantKeys, stateKeys, storeKeyBase } from '@shoptok/keys';
import { createLogger } from '@shoptok/logger';
import { createRedisConnection, QueueFactory, queueNameFor, recordSyncLag, waitForRedis } from '@shoptok/queues';
import { useTestRedis, waitUntil, type TestRedis } from '@shoptok/testkit';
import { Worker } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import { chromium, type Browser } from 'playwright-core';
import { merchantFixes } from '@shoptok/sync/merchant-fixes';
import { startDashboard, type RunningDashboard } from './app.js';

/*
 * The Listings page in Debian's chromium (playwright-core), over a store of 10,000 products:
 * filters, search, paging, the needs-attention groups and the re-queue fix with its effect.
 * Screenshots of the store and Listings pages go to .reports/.
 */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'];
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`SKIPPING the listings browser test: ${CHROMIUM} is missing (apt-get install -y chromium).`);

const REPORTS = fileURLToPath(new URL('../../../.reports/', import.meta.url));
const logger = createLogger({ level: 'silent', console: false });
const credentials = { username: 'ops', password: 'listings test password' };
const STORE = 'glow';
const PRODUCTS = 10_000;
const THUMB = `data:image/svg+xml,${encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" width="48" height="48"><rect width="48" height="48" fill="#c9a7e8"/></svg>')}`;
const gid = (n: number) => `gid://shopify/Product/${10_000_000 + n}`;
// The state package's layout (apps/dashboard reads it; the listing sync writes it).
const hashKey = (prefix: string, hash: string) => `${storeKeyBase(prefix, STORE)}:state:${hash}`;

(haveChromium ? describe : describe.skip)('the Listings page in headless chromium (10,000 products)', () => {
  let redis: TestRedis;
  let connection: Redis | Cluster;
  let queues: QueueFactory;
  let dashboard: RunningDashboard;
  let browser: Browser;
  const heldBack = [1, 2, 3, 4, 5, 6].map(gid);
  const rejected = [7, 8].map(gid);

  beforeAll(async () => {
    redis = await useTestRedis('dashboard-listings');
    connection = createRedisConnection({ url: redis.url, role: 'client' });
    await waitForRedis(connection);
    const now = Date.now();
    // What the listing sync writes for a 10,000-product store.
    for (let start = 1; start <= PRODUCTS; start += 1000) {
      const summaries = new Map<string, { title: string; imageUrl: string; seenAt: number }>();
      const pipe = connection.pipeline();
      for (let n = start; n < start + 1000; n++) {
        summaries.set(gid(n), {
          title: n <= 6 ? `Slim Jeans ${n}` : `Product ${String(n).padStart(5, '0')}`,
          imageUrl: THUMB,
          seenAt: now,
        });
        if (n > 6)
          pipe.hset(
            stateKeys(redis.prefix, STORE).listing,
            gid(n),
            JSON.stringify({
              tiktokProductId: String(1_729_000_000_000_000_000n + BigInt(n)),
              contentHash: 'h',
              status: n <= 8 ? 'FAILED' : n % 10 === 0 ? 'PENDING' : 'ACTIVATE',
              auditFailedReasons:
                n <= 8 ? [{ reasons: ['The title contains a prohibited word: "replica".'], suggestions: [] }] : [],
              updatedAt: now,
            }),
          );
      }
      for (const [id, summary] of summaries) pipe.hset(hashKey(redis.prefix, 'product'), id, JSON.stringify(summary));
      await pipe.exec();
    }
    for (const id of heldBack) {
      await connection.hset(
        hashKey(redis.prefix, 'attention'),
        id,
        JSON.stringify({
          reasons: [{ code: 'attribute-required', message: 'Category attribute "Material" is required.' }],
          at: now,
        }),
      );
      // The category decision the category work records (issue 14's format).
      await connection.hset(
        stateKeys(redis.prefix, STORE).categoryDecision,
        id,
        JSON.stringify({
          categoryId: '601302',
          categoryPath: ["Women's Bottoms", 'Jeans'],
          source: 'ai',
          reason: 'title',
          at: now,
        }),
      );
    }
    // Lag samples spread over the day, as workers record them (at most one a minute each).
    for (let minutesAgo = 20 * 60; minutesAgo >= 0; minutesAgo -= 37)
      await recordSyncLag(connection, redis.prefix, STORE, 'inventory', 1 + (minutesAgo % 7), now - minutesAgo * 60_000);
    queues = new QueueFactory({ connection, prefix: redis.prefix, retry: { maxRetries: 0, backoffSeconds: 1 } });
    dashboard = await startDashboard({
      redis: connection,
      queues,
      prefix: redis.prefix,
      stores: [
        { id: STORE, name: 'Glow Beauty', enabled: true, mode: 'live', shopifyDomain: 'glow-beauty.myshopify.com', region: 'GB' },
      ],
      fixes: merchantFixes(connection, redis.prefix),
      credentials,
      logger,
      host: '127.0.0.1',
      port: 0,
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
    mkdirSync(REPORTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await dashboard?.close();
    await queues?.close();
    connection?.disconnect();
    await redis?.cleanup();
  });

  it('filters by status and reason, searches and pages; links each product to Shopify admin and Seller Center', async () => {
    const context = await browser.newContext({ httpCredentials: credentials, viewport: { width: 1280, height: 900 } });
    try {
      const page = await context.newPage();
      await page.goto(`${dashboard.url}/stores/${STORE}`);
      await page.locator('svg[data-points]').waitFor();
      expect(Number(await page.locator('svg[data-points]').getAttribute('data-points'))).toBeGreaterThan(20);
      await page.screenshot({ path: `${REPORTS}dashboard-store.png`, fullPage: true });
      await page.locator('#listings-link').click();
      await page.locator('#result-count').getByText(`${PRODUCTS} products; page 1 of 200`).waitFor();
      expect(await page.locator('#listing-rows tr[data-product]').count()).toBe(50);

      await page.locator('select[name=status]').selectOption('rejected by TikTok');
      await page.getByRole('button', { name: 'Filter' }).click();
      await page.locator('#result-count').getByText('2 products; page 1 of 1').waitFor();
      const row = page.locator(`tr[data-product="${rejected[0]}"]`);
      await row.getByText('The title contains a prohibited word').waitFor();
      expect(await row.locator('a', { hasText: 'Shopify admin' }).getAttribute('href')).toBe(
        'https://glow-beauty.myshopify.com/admin/products/10000007',
      );
      expect(await row.locator('a', { hasText: 'Seller Center' }).getAttribute('href')).toBe(
        'https://seller-uk.tiktok.com/product/edit/1729000000000000007',
      );

      await page.locator('select[name=status]').selectOption('');
      await page.locator('select[name=reason]').selectOption('attribute-required');
      await page.getByRole('button', { name: 'Filter' }).click();
      await page.locator('#result-count').getByText('6 products; page 1 of 1').waitFor();
      await page.locator(`tr[data-product="${heldBack[0]}"]`).getByText("Women's Bottoms > Jeans").waitFor();
      expect(await page.locator(`tr[data-product="${heldBack[0]}"] td.status`).textContent()).toBe('held back by pre-flight');

      await page.locator('select[name=reason]').selectOption('');
      await page.locator('input[name=q]').fill('product 0999');
      await page.getByRole('button', { name: 'Filter' }).click();
      await page.locator('#result-count').getByText('10 products; page 1 of 1').waitFor();

      // Paging at 10,000: the last page, and how long a page takes to build.
      const started = Date.now();
      await page.goto(`${dashboard.url}/stores/${STORE}/listings?page=200`);
      const tookMs = Date.now() - started;
      await page.locator('#result-count').getByText('page 200 of 200').waitFor();
      await page.locator('a[rel=prev]').waitFor();
      console.log(`listings page 200 of 10,000 products answered in ${tookMs} ms`);
    } finally {
      await context.close();
    }
  }, 120_000);

  it('groups what needs attention by reason, sets an attribute default for the category and re-queues the group; the page shows the result after the run', async () => {
    const context = await browser.newContext({ httpCredentials: credentials, viewport: { width: 1280, height: 900 } });
    let worker: Worker | undefined;
    try {
      const page = await context.newPage();
      await page.goto(`${dashboard.url}/stores/${STORE}/listings`);
      const group = page.locator('.group[data-reason="attribute-required"]');
      await group.getByText(`Category attribute "Material" is required.: 6 products in Women's Bottoms > Jeans (6)`).waitFor();
      await page
        .locator('.group[data-reason="tiktok-audit"]')
        .getByText('The title contains a prohibited word: "replica".: 2 products')
        .waitFor();
      await page.screenshot({ path: `${REPORTS}dashboard-listings.png`, fullPage: false });

      // The fix: a default for the category's Material, written where `shoptok map default` writes it.
      await group.getByLabel("Material for Women's Bottoms > Jeans:").fill('Denim');
      await group.getByRole('button', { name: 'Set default and re-queue' }).click();
      await page.getByRole('status').getByText('6 products queued again').waitFor();
      expect(await connection.hget(merchantKeys(redis.prefix, STORE).attributeDefault, '601302:Material')).toBe('Denim');
      const waiting = await queues.queue('products', STORE).getJobs(['waiting']);
      expect(waiting.map((j) => j.data.productId as string).sort()).toEqual([...heldBack].sort());
      expect(new Set(waiting.map((j) => `${j.name}/${j.data.trigger as string}`))).toEqual(new Set(['product-sync-one/replay']));

      // The next run: the merchant has set Material in Shopify, so each product passes pre-flight
      // and is listed; the worker writes what the listing sync writes then.
      worker = new Worker(
        queueNameFor('products', STORE),
        async (job) => {
          const id = job.data.productId as string;
          await connection.hdel(hashKey(redis.prefix, 'attention'), id);
          await connection.hset(
            hashKey(redis.prefix, 'listing'),
            id,
            JSON.stringify({
              tiktokProductId: `1730${id.slice(-8)}`,
              contentHash: 'h',
              status: 'PENDING',
              auditFailedReasons: [],
              updatedAt: Date.now(),
            }),
          );
        },
        { connection: { url: redis.url }, prefix: redis.prefix },
      );
      await waitUntil(async () => (await queues.queue('products', STORE).getJobCounts('completed')).completed === 6, {
        timeoutMs: 20_000,
        what: 'the re-queued products to run',
      });
      await page.goto(`${dashboard.url}/stores/${STORE}/listings`);
      await page.locator('.group[data-reason="tiktok-audit"]').waitFor();
      expect(await page.locator('.group[data-reason="attribute-required"]').count()).toBe(0);
      await page.goto(`${dashboard.url}/stores/${STORE}/listings?q=Slim+Jeans`);
      expect(await page.locator('#listing-rows td.status').allTextContents()).toEqual(Array(6).fill('in review'));
    } finally {
      await worker?.close();
      await context.close();
    }
  }, 120_000);
});
