import { createHmac } from 'node:crypto';
import { waitUntil } from '../redis.js';
import { startTikTokStandIn, type TikTokStandIn } from './index.js';
import { expectedSign, webhookSignature } from './sign.js';

// The stand-in checked from outside with hand-signed raw HTTP: no client code involved.

const appKey = 'standin-test-app';
const appSecret = 'standin-test-secret';
let tts: TikTokStandIn;
beforeAll(async () => {
  tts = await startTikTokStandIn({ shops: [{ appKey, appSecret }], auditDelayMs: 10 });
});
afterAll(async () => {
  await tts.close();
});

function signed(path: string, query: Record<string, string>, body = '', secret = appSecret): string {
  const keys = Object.keys(query).sort();
  const text = secret + path + keys.map((k) => k + query[k]).join('') + body + secret;
  return createHmac('sha256', secret).update(text).digest('hex');
}

interface Call {
  method?: string;
  path: string;
  query?: Record<string, string>;
  body?: string;
  contentType?: string;
  cipher?: boolean;
  ts?: number;
  token?: string;
  secret?: string;
}

async function call(c: Call): Promise<{ status: number; code: number; data: unknown }> {
  const shop = tts.shops[0]!;
  const query: Record<string, string> = { app_key: appKey, timestamp: String(c.ts ?? Math.floor(Date.now() / 1000)), ...c.query };
  if (c.cipher ?? true) query.shop_cipher = shop.cipher;
  const sign = signed(c.path, query, c.contentType?.startsWith('multipart') ? '' : (c.body ?? ''), c.secret);
  const res = await fetch(`${tts.url}${c.path}?${new URLSearchParams({ ...query, sign })}`, {
    method: c.method ?? 'GET',
    headers: {
      'x-tts-access-token': c.token ?? shop.tokens.accessToken,
      ...(c.contentType ? { 'content-type': c.contentType } : {}),
    },
    body: c.body,
  });
  const json = (await res.json()) as { code: number; data: unknown; request_id: string };
  expect(json.request_id).toMatch(/^\d{14}[0-9A-F]{20}$/);
  return { status: res.status, code: json.code, data: json.data };
}

describe('TikTok stand-in: its own signing', () => {
  it('reproduces the published request and webhook vectors', () => {
    const q = new URLSearchParams({ app_key: '29a39d', timestamp: '1623812664' });
    expect(expectedSign('e59af819cc', '/authorization/202309/shops', q, Buffer.alloc(0), undefined)).toBe(
      'b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8',
    );
    const q2 = new URLSearchParams({
      timestamp: '1696909648',
      app_key: '68xu9ks5p4i8',
      shop_cipher: 'ROW_xkMbgAAAeVAQra0eZWebFQq5aIK',
    });
    const body = Buffer.from('{"event_type":"PACKAGE_UPDATE","address":"https://partner.tiktokshop.com"}');
    expect(expectedSign('e59af819cc', '/event/202309/webhooks', q2, body, 'application/json')).toBe(
      '701dd6deb2389fe4c469b89bd37fc56f96a6da6afeb4d01c9077a65169752fa7',
    );
    expect(expectedSign('e59af819cc', '/event/202309/webhooks', q2, Buffer.alloc(0), undefined)).toBe(
      'ed58e1b5e59865c22a7b828c1cab65007441f43cc91a6cb2f2cdc638e0995a37',
    );
    expect(expectedSign('app_secret', '/test-api', new URLSearchParams({ foo: 'bar' }), Buffer.alloc(0), undefined)).toBe(
      'd3cb7fe11ecae942802ceeca67e7cf10120cc12f1517d45fbc1c8cfe5413c80f',
    );
    const legacy = new URLSearchParams({
      app_key: '12abcd',
      timestamp: '1600000000',
      access_token: 'abc1c123-3128-aa17-125e-2d2d51ab814fa',
    });
    expect(expectedSign('123', '/api/shop/get_authorized_shop', legacy, Buffer.alloc(0), undefined)).toBe(
      'f0f368ecacccb0839e5291d375f9171e1ab93b65fb2bc4ece556e1f42466249f',
    );
    const upload = new URLSearchParams({ app_key: '29a39d', timestamp: '1623812664' });
    expect(
      expectedSign(
        'e59af819cc',
        '/product/202309/images/upload',
        upload,
        Buffer.from('bytes'),
        'multipart/form-data; boundary=x',
      ),
    ).toBe('2f292aaeecc6a6ce8c7240771265c3342b343f27ef91271fe72a9452d74fa844');
    const webhookBody =
      '{"type":1,"shop_id":"7494726673780148744","timestamp":1664095733,"data":{"order_id":"576684019603311365","order_status":"AWAITING_SHIPMENT","update_time":1664095610}}';
    expect(webhookSignature('fake_app_key', 'fake_app_secret', webhookBody)).toBe(
      '21109834de72ec53c9959716d8514ae388ce1f123e5ffdcafc46713fcdf62b27',
    );
  });
});

describe('TikTok stand-in: what the gateway checks', () => {
  const WAREHOUSES = '/logistics/202309/warehouses';

  it('answers a correctly signed call', async () => {
    expect(await call({ path: WAREHOUSES })).toMatchObject({ status: 200, code: 0 });
  });

  it('checks the timestamp window (-5 min / +30 s)', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect((await call({ path: WAREHOUSES, ts: now - 290 })).code).toBe(0);
    expect((await call({ path: WAREHOUSES, ts: now + 20 })).code).toBe(0);
    expect((await call({ path: WAREHOUSES, ts: now - 310 })).code).toBe(36009004);
    expect((await call({ path: WAREHOUSES, ts: now + 60 })).code).toBe(36009004);
  });

  it('refuses a bad signature with HTTP 401 / 106001 and an unknown token with 36009004', async () => {
    expect(await call({ path: WAREHOUSES, secret: 'not-the-secret' })).toMatchObject({ status: 401, code: 106001 });
    expect((await call({ path: WAREHOUSES, token: 'ROW_unknown' })).code).toBe(36009004);
  });

  it('requires shop_cipher where the endpoint takes it and refuses it where not', async () => {
    expect((await call({ path: WAREHOUSES, cipher: false })).code).toBe(106013);
    expect((await call({ path: '/authorization/202309/shops', cipher: true })).code).toBe(36009004);
    expect((await call({ path: '/authorization/202309/shops', cipher: false })).code).toBe(0);
  });

  it('checks content types, paths, methods and versions', async () => {
    const body = '{"status":"ALL"}';
    expect(
      (
        await call({
          method: 'POST',
          path: '/product/202309/products/search',
          query: { page_size: '10' },
          body,
          contentType: 'text/plain',
        })
      ).code,
    ).toBe(36009022);
    expect(
      (
        await call({
          method: 'POST',
          path: '/product/202309/products/search',
          query: { page_size: '10' },
          body,
          contentType: 'application/json',
        })
      ).code,
    ).toBe(0);
    expect(
      (
        await call({
          method: 'POST',
          path: '/product/202309/images/upload',
          cipher: false,
          body: '{}',
          contentType: 'application/json',
        })
      ).code,
    ).toBe(36009023);
    expect((await call({ path: '/product/202309/nothing' })).code).toBe(36009009);
    expect((await call({ method: 'PATCH', path: WAREHOUSES })).code).toBe(36009010);
    expect((await call({ path: '/logistics/202412/warehouses' })).code).toBe(36009014);
  });

  it('refuses an expired access token with 105002', async () => {
    const other = tts.admin.addShop({ appKey, appSecret, accessTokenTtlSec: 60 });
    tts.admin.expireAccessTokens(other.shopId);
    expect(await call({ path: '/authorization/202309/shops', cipher: false, token: other.tokens.accessToken })).toMatchObject({
      status: 401,
      code: 105002,
    });
  });

  it('limits each (app, shop, API) to 50 requests per second with 429 / 36009002', async () => {
    tts.counters.reset();
    const results = await Promise.all(
      Array.from({ length: 70 }, () => call({ path: '/product/202309/brands', query: { page_size: '1' } })),
    );
    const limited = results.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited.every((r) => r.code === 36009002)).toBe(true);
    const total = tts.counters.total({ api: 'GET /product/202309/brands' });
    // 50 in the first second; more only if the burst itself took longer than a second.
    expect(total.requests).toBe(70);
    expect(total.ok + total.rateLimited).toBe(70);
    expect(total.ok).toBeGreaterThanOrEqual(50);
    // Another API of the same shop has its own quota.
    expect((await call({ path: WAREHOUSES })).code).toBe(0);
  });
});

describe('TikTok stand-in: faults', () => {
  it("'hold' keeps a call unanswered until released: before it runs, or after (done, answer held)", async () => {
    const api = 'GET /logistics/202309/warehouses';
    const okSoFar = () => tts.counters.total({ api }).ok;
    tts.faults.inject({ kind: 'hold', api });
    const start = okSoFar();
    const before = call({ path: '/logistics/202309/warehouses' });
    await waitUntil(() => tts.faults.held() === 1, { what: 'the call held before it runs' });
    expect(okSoFar()).toBe(start);
    expect(tts.faults.release()).toBe(1);
    expect(await before).toMatchObject({ status: 200, code: 0 });
    expect(okSoFar()).toBe(start + 1);

    tts.faults.inject({ kind: 'hold', phase: 'after-run', api });
    const after = call({ path: '/logistics/202309/warehouses' });
    await waitUntil(() => tts.faults.held() === 1, { what: 'the answer held after the call ran' });
    expect(okSoFar()).toBe(start + 2);
    expect(tts.faults.release()).toBe(1);
    expect(await after).toMatchObject({ status: 200, code: 0 });
  });
});

describe('TikTok stand-in: HTTP admin for a separate process', () => {
  it('seeds, generates orders and reads counters over HTTP', async () => {
    const shopId = tts.shops[0]!.shopId;
    const post = (path: string, body: unknown) =>
      fetch(`${tts.url}/__admin${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const seeded = await post('/products', {
      shopId,
      product: {
        title: 'Mug',
        category_id: '600621',
        skus: [
          {
            id: '1730000000000000001',
            seller_sku: 'MUG-1',
            price: { amount: '8.00', currency: 'GBP' },
            inventory: [],
            sales_attributes: [],
          },
        ],
      },
    });
    expect(seeded.status).toBe(200);
    const orders = (await (await post('/orders/generate', { shopId, count: 2 })).json()) as {
      id: string;
      line_items: unknown[];
    }[];
    expect(orders).toHaveLength(2);
    expect(orders[0]!.line_items.length).toBeGreaterThanOrEqual(1);
    const counters = (await (await fetch(`${tts.url}/__admin/counters`)).json()) as unknown[];
    expect(counters.length).toBeGreaterThan(0);
  });
});
