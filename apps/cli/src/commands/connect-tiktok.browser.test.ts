// The connect flow's pages in Debian's chromium (playwright-core): the seller opens the link
// `shoptok connect tiktok` printed, consents on the TikTok stand-in's page (or cancels), and
// the browser follows TikTok's redirect to the webhook service's callback page.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@shoptok/config';
import { createLogger } from '@shoptok/logger';
import { createRedisConnection, QueueFactory, waitForRedis, type RedisConnection } from '@shoptok/queues';
import { completeTikTokConnection, TikTokConnections } from '@shoptok/sync';
import { useTestRedis, waitUntil, type TestRedis } from '@shoptok/testkit';
import { startTikTokStandIn, type TikTokStandIn } from '@shoptok/testkit/tiktok';
import { startWebhookServer, StoreDirectory, type WebhookServer } from '@shoptok/webhooks';
import { chromium, type Browser } from 'playwright-core';
import { runConnectCommand } from './connect.js';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`SKIPPING the connect browser test: ${CHROMIUM} is missing (apt-get install -y chromium).`);
const REPORTS = fileURLToPath(new URL('../../../../.reports/', import.meta.url));
const APP = { appKey: 'connect-browser-app', appSecret: 'connect-browser-secret-0123456789' };
const logger = createLogger({ level: 'silent', console: false });

(haveChromium ? describe : describe.skip)('the connect flow in headless chromium', () => {
  let tr: TestRedis;
  let tiktok: TikTokStandIn;
  let server: WebhookServer;
  let producer: RedisConnection;
  let client: RedisConnection;
  let queues: QueueFactory;
  let browser: Browser;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    tr = await useTestRedis('connect-browser');
    dir = mkdtempSync(join(tmpdir(), 'shoptok-connect-browser-'));
    tiktok = await startTikTokStandIn({ shops: [{ ...APP, name: 'Glow Beauty', region: 'GB' }] });
    writeFileSync(
      join(dir, 'stores.json'),
      JSON.stringify({
        stores: [{ id: 'glow', shopify: { store: 'glow', tokenEnv: 'UNUSED_TOKEN' }, tiktok: { region: 'GB' } }],
      }),
    );
    env = {
      REDIS_URL: tr.url,
      QUEUE_PREFIX: tr.prefix,
      STORES_FILE: join(dir, 'stores.json'),
      TIKTOK_APP_KEY: APP.appKey,
      TIKTOK_SECRET: APP.appSecret,
      TIKTOK_API_BASE: tiktok.url,
      TIKTOK_AUTH_BASE: tiktok.authUrl,
      UNUSED_TOKEN: 'shpat_unused',
      LOG_LEVEL: 'silent',
      LOG_FILE: join(dir, 'log.jsonl'),
    };
    const config = loadConfig({ env });
    producer = createRedisConnection({ url: tr.url, role: 'producer' });
    client = createRedisConnection({ url: tr.url, role: 'client' });
    await Promise.all([waitForRedis(producer), waitForRedis(client)]);
    queues = new QueueFactory({ connection: producer, prefix: tr.prefix, retry: { maxRetries: 0, backoffSeconds: 1 } });
    const connections = new TikTokConnections(client, tr.prefix);
    server = await startWebhookServer({
      directory: new StoreDirectory(config.stores),
      redis: producer,
      queues,
      prefix: tr.prefix,
      logger,
      host: '127.0.0.1',
      port: 0,
      tiktokCallback: (query) => completeTikTokConnection(query, { config, connections, redis: client, logger }),
    });
    tiktok.admin.setRedirectUrl(APP.appKey, `${server.url}/auth/tiktok/callback`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    mkdirSync(REPORTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await queues?.close();
    producer?.disconnect();
    client?.disconnect();
    await tiktok?.close();
    await tr?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  function startCli(): { done: Promise<number>; link: () => Promise<string> } {
    let out = '';
    const stdout = new PassThrough().on('data', (c: Buffer) => (out += c.toString()));
    const done = runConnectCommand(['tiktok', '--store', 'glow', '--wait-seconds', '60'], {
      stdout,
      stderr: new PassThrough(),
      env,
    });
    return { done, link: () => waitUntil(() => /https?:\/\/\S+oauth\/authorize\S+/.exec(out)?.[0], { what: 'the link' }) };
  }

  it('the seller cancels, then authorizes: each page says what happened', async () => {
    const page = await browser.newPage();
    try {
      const refused = startCli();
      await page.goto(await refused.link());
      await page.getByRole('button', { name: 'Cancel' }).click();
      await page.getByRole('heading', { name: 'The seller did not authorize the app' }).waitFor();
      expect(await refused.done).toBe(65);

      const cli = startCli();
      await page.goto(await cli.link());
      await page.locator('select[name=shop_id]').selectOption({ label: 'Glow Beauty (GB)' });
      await page.getByRole('button', { name: 'Authorize' }).click();
      await page.getByRole('heading', { name: 'Glow Beauty (GB) is connected to store glow' }).waitFor();
      expect(page.url()).toContain(`${server.url}/auth/tiktok/callback?code=`);
      await page.screenshot({ path: `${REPORTS}connect-tiktok-done.png` });
      expect(await cli.done).toBe(0);

      // Back and forward again: the same code a second time is refused, nothing changes.
      await page.reload();
      await page.getByRole('heading', { name: 'This authorization link is not valid any more' }).waitFor();
    } finally {
      await page.close();
    }
  }, 60_000);
});
