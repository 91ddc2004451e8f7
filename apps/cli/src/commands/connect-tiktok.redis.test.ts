// `shoptok connect tiktok` end to end over HTTP: the CLI prints the authorization link, a
// "browser" opens it on the TikTok stand-in, consents (or refuses) by the form post, follows
// TikTok's redirect to the webhook service's /auth/tiktok/callback, and the CLI reports the
// outcome. Real Redis; nothing is mocked.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { loadConfig, type ShoptokConfig } from '@shoptok/config';
import { tiktokKeys } from '@shoptok/keys';
import { createLogger } from '@shoptok/logger';
import { createRedisConnection, QueueFactory, waitForRedis, type RedisConnection } from '@shoptok/queues';
import { completeTikTokConnection, createStoreServices, readConnectedTikTokShop, TikTokConnections } from '@shoptok/sync';
import { useTestRedis, waitUntil, type TestRedis } from '@shoptok/testkit';
import { sellerDecides, startTikTokStandIn, type TikTokStandIn } from '@shoptok/testkit/tiktok';
import { startWebhookServer, StoreDirectory, type WebhookServer } from '@shoptok/webhooks';
import { runConnectCommand } from './connect.js';

const APP = { appKey: 'connect-app-key', appSecret: 'connect-app-secret-0123456789' };
const logger = createLogger({ level: 'silent', console: false });

interface CliRun {
  done: Promise<number>;
  out: () => string;
  err: () => string;
  link: () => Promise<string>;
}

describe('shoptok connect tiktok (stand-in over HTTP, real Redis)', () => {
  let tr: TestRedis;
  let tiktok: TikTokStandIn;
  let server: WebhookServer;
  let producer: RedisConnection;
  let client: RedisConnection;
  let queues: QueueFactory;
  let env: Record<string, string>;
  let config: ShoptokConfig;
  let dir: string;
  let gbShopId: string;

  beforeAll(async () => {
    tr = await useTestRedis('connect-tiktok');
    dir = mkdtempSync(join(tmpdir(), 'shoptok-connect-'));
    tiktok = await startTikTokStandIn({
      shops: [
        { ...APP, name: 'Glow Beauty', region: 'GB' },
        { ...APP, name: 'Glow Beauty US', region: 'US' },
      ],
    });
    gbShopId = tiktok.shops[0]!.shopId;
    const storesFile = join(dir, 'stores.json');
    // Brands "from nothing": no TikTok token anywhere in the configuration.
    const entry = (id: string, region: string) => ({
      id,
      shopify: { store: `${id}.myshopify.com`, tokenEnv: 'UNUSED_SHOPIFY_TOKEN' },
      tiktok: { region },
    });
    writeFileSync(
      storesFile,
      JSON.stringify({ stores: [entry('glow', 'GB'), entry('glow-us-only', 'US'), entry('glow-fresh', 'GB')] }),
    );
    env = {
      REDIS_URL: tr.url,
      QUEUE_PREFIX: tr.prefix,
      STORES_FILE: storesFile,
      TIKTOK_APP_KEY: APP.appKey,
      TIKTOK_SECRET: APP.appSecret,
      TIKTOK_API_BASE: tiktok.url,
      TIKTOK_AUTH_BASE: tiktok.authUrl,
      UNUSED_SHOPIFY_TOKEN: 'shpat_unused',
      LOG_LEVEL: 'silent',
      LOG_FILE: join(dir, 'log.jsonl'),
    };
    config = loadConfig({ env });
    producer = createRedisConnection({ url: tr.url, role: 'producer', name: 'connect-test' });
    client = createRedisConnection({ url: tr.url, role: 'client', name: 'connect-test-client' });
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
    // Partner Center: the app's redirect URL is the webhook service's callback.
    tiktok.admin.setRedirectUrl(APP.appKey, `${server.url}/auth/tiktok/callback`);
  });

  afterAll(async () => {
    await server?.close();
    await queues?.close();
    producer?.disconnect();
    client?.disconnect();
    await tiktok?.close();
    await tr?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  function startCli(store: string): CliRun {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (c: Buffer) => (out += c.toString()));
    stderr.on('data', (c: Buffer) => (err += c.toString()));
    const done = runConnectCommand(['tiktok', '--store', store, '--wait-seconds', '60'], { stdout, stderr, env });
    return {
      done,
      out: () => out,
      err: () => err,
      link: () => waitUntil(() => /https?:\/\/\S+oauth\/authorize\S+/.exec(out)?.[0], { what: 'the authorization link' }),
    };
  }

  const decide = (link: string, decision: 'authorize' | 'deny', shopName = 'Glow Beauty') =>
    sellerDecides(link, { decision, shopName });

  async function open(url: string): Promise<{ status: number; text: string }> {
    const res = await fetch(url);
    return { status: res.status, text: await res.text() };
  }

  const tokenKey = (store: string) => tiktokKeys(tr.prefix, store).tokens;

  it('connects a shop from nothing: link, consent, callback; the tokens work for the fleet', async () => {
    const cli = startCli('glow');
    const link = await cli.link();
    expect(link.startsWith(`${tiktok.authUrl}/oauth/authorize?app_key=${APP.appKey}&state=`)).toBe(true);
    const redirect = await decide(link, 'authorize');
    expect(redirect).toContain('/auth/tiktok/callback?code=');
    const page = await open(redirect);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Glow Beauty (GB) is connected to store glow');
    expect(await cli.done).toBe(0);
    expect(cli.out()).toContain('Glow Beauty (GB) is connected to store glow.');

    const connected = await readConnectedTikTokShop(client, tr.prefix, 'glow');
    expect(connected).toMatchObject({ id: gbShopId, name: 'Glow Beauty', region: 'GB', cipher: tiktok.shops[0]!.cipher });
    // The fleet's own services find the tokens where the token store keeps them.
    const svc = await createStoreServices({ config, store: config.stores[0]!, redis: client, queues, logger });
    try {
      expect((await svc.tiktok.getWarehouses()).length).toBeGreaterThan(0);
    } finally {
      svc.close();
    }

    // The same code again (a reload of the callback page, or a replay) is refused and stores nothing.
    const before = await tr.client.hgetall(tokenKey('glow'));
    const again = startCli('glow');
    const state = new URL(await again.link()).searchParams.get('state')!;
    const replay = new URL(redirect);
    replay.searchParams.set('state', state);
    const reused = await open(replay.toString());
    expect(reused.status).toBe(400);
    expect(reused.text).toContain('This authorization code was already used or has expired');
    expect(await again.done).toBe(65);
    expect(again.err()).toContain('already used or has expired');
    expect(await tr.client.hgetall(tokenKey('glow'))).toEqual(before);
  });

  it('a refusal, an expired code and a shop of another market each say why and store nothing', async () => {
    const denied = startCli('glow-fresh');
    const deniedRedirect = await decide(await denied.link(), 'deny');
    expect(deniedRedirect).toContain('error=auth_denied');
    const deniedPage = await open(deniedRedirect);
    expect(deniedPage.status).toBe(400);
    expect(deniedPage.text).toContain('The seller did not authorize the app');
    expect(await denied.done).toBe(65);
    expect(denied.err()).toContain('The seller did not authorize the app');

    const expired = startCli('glow-fresh');
    const expiredRedirect = await decide(await expired.link(), 'authorize');
    tiktok.admin.expireAuthCodes(); // the seller came back after more than 30 minutes
    expect((await open(expiredRedirect)).text).toContain('already used or has expired');
    expect(await expired.done).toBe(65);

    const otherMarket = startCli('glow-us-only');
    const otherRedirect = await decide(await otherMarket.link(), 'authorize', 'Glow Beauty');
    const otherPage = await open(otherRedirect);
    expect(otherPage.status).toBe(400);
    expect(otherPage.text).toContain('This shop is in another market');
    expect(otherPage.text).toContain('configured for US');
    expect(await otherMarket.done).toBe(65);
    expect(otherMarket.err()).toContain('configured for US');

    expect(await tr.client.exists(tokenKey('glow-fresh'), tokenKey('glow-us-only'))).toBe(0);
  });

  it('a callback with a wrong state is refused; the waiting CLI says so and keeps waiting for its own link', async () => {
    const cli = startCli('glow-fresh');
    const link = await cli.link();
    const forged = await open(`${server.url}/auth/tiktok/callback?code=whatever&state=not-a-state-shoptok-made-0000`);
    expect(forged.status).toBe(400);
    expect(forged.text).toContain('This authorization link is not valid any more');
    await waitUntil(() => cli.err().includes('a callback arrived with a state that is not this link'), { what: 'the CLI note' });
    // Its own link still works afterwards.
    expect((await open(await decide(link, 'authorize'))).status).toBe(200);
    expect(await cli.done).toBe(0);
    expect(await tr.client.exists(tokenKey('glow-fresh'))).toBe(1);
  });
});
