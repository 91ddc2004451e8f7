import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { merchantKeys } from '@shoptok/keys';
import { createRedisConnection, waitForRedis } from '@shoptok/queues';
import { type AppProcess, freePort, startAppProcess, type TestRedis, useTestRedis, waitUntil } from '@shoptok/testkit';
import { startShopifyStandIn, type ShopifyStandIn } from '@shoptok/testkit/shopify';
import { loadCategoryTree, startTikTokStandIn, type TikTokStandIn } from '@shoptok/testkit/tiktok';
import type { Cluster, Redis } from 'ioredis';

/*
 * The Listings page's Pin fix in the dashboard process (started from its environment, as
 * deployed) against the TikTok stand-in's tree and a real Redis: a category that is not a leaf
 * of the shop's live tree is refused on the page with the same sentence `shoptok map pin`
 * prints, and nothing is stored or queued; a leaf is pinned and the products queued again.
 */
const STORE = 'default'; // the single store of an .env
const APP_KEY = 'dash-pin-app-key';
const APP_SECRET = 'dash-pin-app-secret-0123456789';
const credentials = { username: 'ops', password: 'pin fix test password' };
const auth = { authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` };
const tree = loadCategoryTree();
const pathOf = (id: string) =>
  tree
    .chain(id)
    .map((c) => c.local_name)
    .join('>');
const CASUAL = tree.categories.find(
  (c) => c.is_leaf && pathOf(c.id) === "Womenswear & Underwear>Women's Dresses>Casual Dresses",
)!;
const DRESSES = tree.byId.get(CASUAL.parent_id)!;
const PRODUCTS = ['gid://shopify/Product/8801', 'gid://shopify/Product/8802'];

describe('the dashboard Pin fix checks the live TikTok tree (dashboard process, real Redis, stand-ins)', () => {
  const appDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  let redis: TestRedis;
  let tts: TikTokStandIn;
  let shopify: ShopifyStandIn;
  let connection: Redis | Cluster;
  let app: AppProcess;
  let base: string;
  const pinKey = () => merchantKeys(redis.prefix, STORE).categoryPin;
  const queued = async () => (await connection.keys(`${redis.prefix}:*products*:*requeue-*`)).length;

  const pin = (categoryId: string) =>
    fetch(`${base}/stores/${STORE}/listings/fix/pin`, {
      method: 'POST',
      redirect: 'manual',
      headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ products: PRODUCTS.join(','), categoryId }).toString(),
    });

  beforeAll(async () => {
    redis = await useTestRedis('dashboard-pin');
    connection = createRedisConnection({ url: redis.url, role: 'client' });
    await waitForRedis(connection);
    tts = await startTikTokStandIn({ shops: [{ appKey: APP_KEY, appSecret: APP_SECRET, region: 'GB' }] });
    shopify = await startShopifyStandIn({ catalogue: { products: 1, seed: 5 } });
    const shop = tts.shops[0]!;
    const dir = mkdtempSync(join(tmpdir(), 'shoptok-dashboard-pin-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    app = startAppProcess(join(appDir, 'src/main.ts'), {
      cwd: dir,
      env: {
        REDIS_URL: redis.url,
        QUEUE_PREFIX: redis.prefix,
        SHOPIFY_STORE: shopify.shopDomain,
        SHOPIFY_TOKEN: shopify.accessToken,
        SHOPIFY_API_BASE: shopify.url,
        TIKTOK_APP_KEY: APP_KEY,
        TIKTOK_SECRET: APP_SECRET,
        TIKTOK_ACCESS_TOKEN: shop.tokens.accessToken,
        TIKTOK_SHOP_CIPHER: shop.cipher,
        TIKTOK_API_BASE: tts.url,
        TIKTOK_AUTH_BASE: tts.authUrl,
        DASHBOARD_PORT: String(port),
        DASHBOARD_USERNAME: credentials.username,
        DASHBOARD_PASSWORD: credentials.password,
        LOG_LEVEL: 'info',
        LOG_FILE: join(dir, 'dashboard.log'),
      },
    });
    await waitUntil(() => app.output().includes('dashboard listening'), {
      timeoutMs: 30_000,
      what: `the dashboard to listen (output: ${app.output()})`,
    });
  });

  afterAll(async () => {
    await app?.stop();
    await app?.kill();
    connection?.disconnect();
    await tts?.close();
    await shopify?.close();
    await redis?.cleanup();
  });

  it('refuses a category that is not a leaf, and one the shop tree does not have, on the Listings page; nothing stored or queued', async () => {
    const parent = await pin(DRESSES.id);
    expect(parent.status).toBe(422);
    const page = await parent.text();
    expect(page).toContain('<h1>');
    expect(page).toMatch(/class="flash error"/);
    // The sentence `shoptok map pin` prints (HTML-escaped on the page).
    expect(page).toContain(
      `Not pinned: store ${STORE}: TikTok category ${DRESSES.id}, &quot;${DRESSES.local_name.replace(/'/g, '&#39;')}&quot;, which is not a leaf category`,
    );
    const unknown = await pin('999999999');
    expect(unknown.status).toBe(422);
    expect(await unknown.text()).toContain(
      `Not pinned: store ${STORE}: TikTok category 999999999, which this TikTok shop&#39;s category tree does not have. Nothing was stored or queued again.`,
    );
    expect(await connection.hlen(pinKey())).toBe(0);
    expect(await queued()).toBe(0);
  });

  it('pins a leaf of the live tree for every product of the group and queues them again', async () => {
    const res = await pin(CASUAL.id);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/stores/${STORE}/listings?requeued=2&fixed=pin`);
    await res.text();
    const stored = await connection.hgetall(pinKey());
    expect(Object.keys(stored).sort()).toEqual(PRODUCTS);
    for (const v of Object.values(stored)) expect(JSON.parse(v)).toMatchObject({ categoryId: CASUAL.id });
    expect(await queued()).toBe(2);
  });
});
