// `shoptok connect shopify` against both stand-ins over HTTP: the token and its scopes (read
// from the Admin API), the shop's currency and locations, the TikTok warehouses, and a
// suggested rules.inventory.warehouses block that the config then accepts as pasted.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { loadConfig } from '@shoptok/config';
import { useTestRedis, type TestRedis } from '@shoptok/testkit';
import { startShopifyStandIn, type ShopifyStandIn } from '@shoptok/testkit/shopify';
import { startTikTokStandIn, type TikTokStandIn } from '@shoptok/testkit/tiktok';
import { runConnectCommand } from './connect.js';

const APP = { appKey: 'connect-shopify-app', appSecret: 'connect-shopify-secret-0123456789' };

describe('shoptok connect shopify (stand-ins over HTTP, real Redis)', () => {
  let tr: TestRedis;
  let shopify: ShopifyStandIn;
  let tiktok: TikTokStandIn;
  let dir: string;
  let env: Record<string, string>;
  let entryYaml: string;

  beforeAll(async () => {
    tr = await useTestRedis('connect-shopify');
    dir = mkdtempSync(join(tmpdir(), 'shoptok-connect-shopify-'));
    shopify = await startShopifyStandIn({ catalogue: { products: 2 } });
    shopify.state.currencyCode = 'GBP';
    shopify.state.locations = [
      { id: 71_000_001, name: 'London Warehouse', address: { city: 'London', zip: 'E1 6AN', countryCode: 'GB' } },
      { id: 71_000_002, name: 'Manchester stockroom', address: { city: 'Manchester', zip: 'M1 1AE', countryCode: 'GB' } },
      { id: 71_000_003, name: 'Pop-up kiosk', address: { city: 'Leeds', zip: 'LS1 4AP', countryCode: 'GB' } },
    ];
    tiktok = await startTikTokStandIn({
      shops: [
        {
          ...APP,
          name: 'Glow Beauty',
          region: 'GB',
          warehouses: [
            { id: '7300000000000000001', name: 'London Warehouse', isDefault: true },
            { id: '7300000000000000002', name: 'Manchester DC' },
            { id: '7300000000000000003', name: 'Returns Bristol' },
          ],
        },
      ],
    });
    const shop = tiktok.shops[0]!;
    entryYaml = [
      'stores:',
      '  - id: glow',
      `    shopify: { store: ${shopify.shopDomain}, tokenEnv: GLOW_SHOPIFY_TOKEN, apiBase: "${shopify.url}" }`,
      `    tiktok: { accessTokenEnv: GLOW_TT_ACCESS, refreshTokenEnv: GLOW_TT_REFRESH, shopCipher: ${shop.cipher} }`,
    ].join('\n');
    writeFileSync(join(dir, 'stores.yaml'), `${entryYaml}\n`);
    env = {
      REDIS_URL: tr.url,
      QUEUE_PREFIX: tr.prefix,
      STORES_FILE: join(dir, 'stores.yaml'),
      TIKTOK_APP_KEY: APP.appKey,
      TIKTOK_SECRET: APP.appSecret,
      TIKTOK_API_BASE: tiktok.url,
      TIKTOK_AUTH_BASE: tiktok.authUrl,
      GLOW_SHOPIFY_TOKEN: shopify.accessToken,
      GLOW_TT_ACCESS: shop.tokens.accessToken,
      GLOW_TT_REFRESH: shop.tokens.refreshToken,
      LOG_LEVEL: 'silent',
      LOG_FILE: join(dir, 'log.jsonl'),
    };
  });

  afterAll(async () => {
    await shopify?.close();
    await tiktok?.close();
    await tr?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(extraEnv: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const stdout = new PassThrough().on('data', (c: Buffer) => (out += c.toString()));
    const stderr = new PassThrough().on('data', (c: Buffer) => (err += c.toString()));
    const code = await runConnectCommand(['shopify', '--store', 'glow'], { stdout, stderr, env: { ...env, ...extraEnv } });
    return { code, out, err };
  }

  it('with every scope: currency, locations and warehouses, and a mapping block the config accepts as pasted', async () => {
    const { code, out, err } = await run();
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(out).toContain('the token works; currency GBP');
    expect(out).toContain('Scopes: all 6 that shoptok needs are granted.');
    expect(out).toContain('Locations (3): London Warehouse, Manchester stockroom, Pop-up kiosk');
    expect(out).toContain('TikTok warehouses (3): London Warehouse, Manchester DC, Returns Bristol');
    expect(out).toContain('# not mapped: Shopify location "Pop-up kiosk" (gid://shopify/Location/71000003)');
    expect(out).toContain('# not fed: TikTok warehouse "Returns Bristol" (7300000000000000003)');

    // Paste the block under the store, as the operator does, and load the config.
    const block = out.slice(out.indexOf('  rules:'));
    writeFileSync(join(dir, 'stores.yaml'), `${entryYaml}\n${block.replace(/^ {2}/gm, '    ')}`);
    const config = loadConfig({ env });
    expect(config.stores[0]?.rules.inventory.warehouses).toEqual([
      { tiktokWarehouseId: '7300000000000000001', shopifyLocationIds: ['gid://shopify/Location/71000001'] },
      { tiktokWarehouseId: '7300000000000000002', shopifyLocationIds: ['gid://shopify/Location/71000002'] },
    ]);
    writeFileSync(join(dir, 'stores.yaml'), `${entryYaml}\n`);
  });

  it('names each missing scope with what it breaks, and a refused token', async () => {
    const granted = shopify.state.accessScopes;
    shopify.state.accessScopes = granted.filter((s) => s !== 'write_orders' && s !== 'read_locations');
    try {
      const { code, out } = await run();
      expect(code).toBe(65);
      expect(out).toContain('Scopes: 2 of the 6 that shoptok needs are missing');
      expect(out).toContain('  - write_orders: TikTok orders cannot be created in Shopify (nor cancelled)');
      expect(out).toContain('  - read_locations: locations cannot be read: stock cannot be mapped to TikTok warehouses');
      expect(out).toContain('Locations: not read (read_locations is missing).');
      expect(out).not.toContain('Suggested location-to-warehouse mapping');
    } finally {
      shopify.state.accessScopes = granted;
    }
    const refused = await run({ GLOW_SHOPIFY_TOKEN: 'shpat_wrong_token_0000' });
    expect(refused.code).toBe(65);
    expect(refused.err).toContain("Shopify refused the custom app's token of store glow");
  });
});
