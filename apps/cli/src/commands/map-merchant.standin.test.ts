// `shoptok map pin|unpin|default|show` run as the CLI runs them (its command function, the
// config read from the environment) against a real Redis and the TikTok stand-in's category
// tree: what is stored, what is printed, and the refusals naming the store and the id.
import { PassThrough } from 'node:stream';
import { createRedisConnection, type RedisConnection } from '@shoptok/queues';
import { StateStore } from '@shoptok/state';
import { type TestRedis, useTestRedis } from '@shoptok/testkit';
import { startShopifyStandIn, type ShopifyStandIn } from '@shoptok/testkit/shopify';
import { loadCategoryTree, startTikTokStandIn, type TikTokStandIn } from '@shoptok/testkit/tiktok';
import { runMapMerchantCommand } from './map-merchant.js';

const STORE = 'default'; // the single store of an .env
const APP_KEY = 'map-cli-app-key';
const APP_SECRET = 'map-cli-app-secret-0123456789';
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

describe('shoptok map pin/unpin/default/show (real Redis, TikTok stand-in tree)', () => {
  let redis: TestRedis;
  let tts: TikTokStandIn;
  let shopify: ShopifyStandIn;
  let connection: RedisConnection;
  let state: StateStore;
  let env: Record<string, string>;

  async function map(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    const code = await runMapMerchantCommand(argv, { stdout, stderr, env });
    return { code, out, err };
  }

  beforeAll(async () => {
    redis = await useTestRedis('cli-map-merchant');
    tts = await startTikTokStandIn({ shops: [{ appKey: APP_KEY, appSecret: APP_SECRET, region: 'GB' }] });
    shopify = await startShopifyStandIn({ catalogue: { products: 1, seed: 3 } });
    const shop = tts.shops[0]!;
    env = {
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
    };
    connection = createRedisConnection({ url: redis.url, role: 'client', name: 'test-cli-map' });
    state = new StateStore(connection, redis.prefix, STORE);
  });

  afterAll(async () => {
    connection?.disconnect();
    await tts?.close();
    await shopify?.close();
    await redis?.cleanup();
  });

  it('pin stores the pin for a leaf of the live tree and says where the product will be listed', async () => {
    const r = await map('pin', '--store', STORE, '--product', '4242', '--category', CASUAL.id);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toBe(
      `pinned gid://shopify/Product/4242 to TikTok category ${CASUAL.id} "${CASUAL.local_name}" in store ${STORE}; the next product run lists it there (pnpm enqueue product --store ${STORE} --product gid://shopify/Product/4242)\n`,
    );
    expect((await state.categoryPins()).get('gid://shopify/Product/4242')).toMatchObject({ categoryId: CASUAL.id });
  });

  it('pin refuses a category that is not a leaf, or not in the shop tree, naming the store and the id; nothing is stored', async () => {
    const parent = await map('pin', '--store', STORE, '--product', '4343', '--category', DRESSES.id);
    expect(parent.code).toBe(65);
    expect(parent.out).toBe('');
    expect(parent.err).toBe(
      `store ${STORE}: TikTok category ${DRESSES.id}, "${DRESSES.local_name}", which is not a leaf category (it has subcategories); name one of its leaf categories\n`,
    );
    const unknown = await map('pin', '--store', STORE, '--product', '4343', '--category', '999999999');
    expect(unknown.code).toBe(65);
    expect(unknown.err).toBe(`store ${STORE}: TikTok category 999999999, which this TikTok shop's category tree does not have\n`);
    expect((await state.categoryPins()).has('gid://shopify/Product/4343')).toBe(false);
  });

  it('refuses bad arguments before touching anything', async () => {
    expect(await map('pin', '--store', STORE, '--product', '4343')).toMatchObject({
      code: 64,
      err: expect.stringContaining('shoptok map pin: missing --category'),
    });
    expect(await map('pin', '--store', STORE, '--product', 'dress', '--category', CASUAL.id)).toMatchObject({
      code: 64,
      err: expect.stringContaining('--product must be a Shopify product id'),
    });
    expect(await map('pin', '--store', 'nope', '--product', '1', '--category', CASUAL.id)).toMatchObject({
      code: 64,
      err: `no store "nope"; the config has: ${STORE}\n`,
    });
  });

  it('default stores a value for a category attribute the live tree has, and refuses unknown attributes and unlisted values', async () => {
    const set = await map('default', '--store', STORE, '--category', CASUAL.id, '--attribute', 'material', '--value', 'Wool');
    expect(set).toMatchObject({ code: 0, err: '' });
    expect(set.out).toContain(`"Material" = "Wool" for every product of category ${CASUAL.id} in store ${STORE}`);
    expect(await state.attributeDefaults()).toEqual([{ categoryId: CASUAL.id, attributeName: 'Material', value: 'Wool' }]);

    const unknown = await map('default', '--store', STORE, '--category', CASUAL.id, '--attribute', 'Fabric', '--value', 'x');
    expect(unknown.code).toBe(65);
    expect(unknown.err).toContain(
      `store ${STORE}: TikTok category ${CASUAL.id} has no product attribute "Fabric"; it has: Material`,
    );
    // Warranty Period takes only its listed values.
    const unlisted = await map(
      'default',
      '--store',
      STORE,
      '--category',
      CASUAL.id,
      '--attribute',
      'Warranty Period',
      '--value',
      '5 years',
    );
    expect(unlisted.code).toBe(65);
    expect(unlisted.err).toContain('TikTok takes only its listed values for "Warranty Period"');
    const onParent = await map(
      'default',
      '--store',
      STORE,
      '--category',
      DRESSES.id,
      '--attribute',
      'Material',
      '--value',
      'Wool',
    );
    expect(onParent).toMatchObject({ code: 65, err: expect.stringContaining(`store ${STORE}: TikTok category ${DRESSES.id}`) });
    expect(await state.attributeDefaults()).toHaveLength(1);
  });

  it('show prints each decision with who chose it and why, the pins and the defaults; --product narrows it', async () => {
    await state.saveCategoryDecision('gid://shopify/Product/4242', {
      categoryId: CASUAL.id,
      categoryPath: ['Womenswear & Underwear', "Women's Dresses", 'Casual Dresses'],
      source: 'pin',
      reason: 'pinned by the merchant',
      attributeSources: { Material: 'variant metafield custom.material (2 of 2 variants)' },
      at: Date.now(),
    });
    await state.saveCategoryDecision('gid://shopify/Product/5151', {
      categoryId: CASUAL.id,
      categoryPath: [],
      source: 'rule',
      ruleIndex: 2,
      reason: 'rules.listing.categories[2] matched tag "dress"',
      attributeSources: {},
      at: Date.now(),
    });
    const all = await map('show', '--store', STORE);
    expect(all.code).toBe(0);
    expect(all.out.split('\n')).toEqual(
      expect.arrayContaining([
        `gid://shopify/Product/4242  ${CASUAL.id} Womenswear & Underwear > Women's Dresses > Casual Dresses  [pin] pinned by the merchant; Material from variant metafield custom.material (2 of 2 variants)`,
        `gid://shopify/Product/5151  ${CASUAL.id}   [rule 2] rules.listing.categories[2] matched tag "dress"`,
        `pin gid://shopify/Product/4242 -> ${CASUAL.id}`,
        `default category ${CASUAL.id}: Material = Wool`,
      ]),
    );
    const one = await map('show', '--store', STORE, '--product', '5151');
    expect(one.out).toBe(`gid://shopify/Product/5151  ${CASUAL.id}   [rule 2] rules.listing.categories[2] matched tag "dress"\n`);
    expect((await map('show', '--store', STORE, '--product', '6000')).out).toBe(
      'gid://shopify/Product/6000: no category decision yet (the next product run records one)\n',
    );
  });

  it('unpin removes the pin (and says so when there was none); default --remove removes the default', async () => {
    expect(await map('unpin', '--store', STORE, '--product', '4242')).toMatchObject({
      code: 0,
      out: `unpinned gid://shopify/Product/4242 in store ${STORE}\n`,
    });
    expect((await state.categoryPins()).size).toBe(0);
    expect(await map('unpin', '--store', STORE, '--product', '4242')).toMatchObject({
      code: 0,
      out: `gid://shopify/Product/4242 was not pinned in store ${STORE}\n`,
    });
    const removed = await map('default', '--store', STORE, '--category', CASUAL.id, '--attribute', 'Material', '--remove');
    expect(removed).toMatchObject({
      code: 0,
      out: `removed the default of "Material" for category ${CASUAL.id} in store ${STORE}\n`,
    });
    expect(await state.attributeDefaults()).toEqual([]);
  });
});
