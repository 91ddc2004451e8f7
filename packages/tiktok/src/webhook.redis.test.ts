import { createHash, createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type TestRedis, useTestRedis, waitUntil } from '@shoptok/testkit';
import { startTikTokStandIn } from '@shoptok/testkit/tiktok';
import { productStatusChangeSchema, TikTokWebhookVerifier, verifyWebhookSignature, type WebhookVerdict } from './index.js';

// API-FACTS "Test vectors": webhook signature (inputs from EcomPHP's WebhookTest).
const VECTOR_BODY =
  '{"type":1,"shop_id":"7494726673780148744","timestamp":1664095733,"data":{"order_id":"576684019603311365","order_status":"AWAITING_SHIPMENT","update_time":1664095610}}';
const VECTOR_SIGN = '21109834de72ec53c9959716d8514ae388ce1f123e5ffdcafc46713fcdf62b27';

describe('verifyWebhookSignature', () => {
  it('accepts the published vector and refuses any change', () => {
    expect(
      verifyWebhookSignature({
        appKey: 'fake_app_key',
        appSecret: 'fake_app_secret',
        rawBody: VECTOR_BODY,
        authorization: VECTOR_SIGN,
      }),
    ).toBe(true);
    expect(
      verifyWebhookSignature({
        appKey: 'fake_app_key',
        appSecret: 'fake_app_secret',
        rawBody: Buffer.from(VECTOR_BODY),
        authorization: VECTOR_SIGN.toUpperCase(),
      }),
    ).toBe(true);
    expect(
      verifyWebhookSignature({
        appKey: 'fake_app_key',
        appSecret: 'fake_app_secret',
        rawBody: VECTOR_BODY.replace('AWAITING', 'AWAITINg'),
        authorization: VECTOR_SIGN,
      }),
    ).toBe(false);
    expect(
      verifyWebhookSignature({
        appKey: 'other_key',
        appSecret: 'fake_app_secret',
        rawBody: VECTOR_BODY,
        authorization: VECTOR_SIGN,
      }),
    ).toBe(false);
    expect(
      verifyWebhookSignature({
        appKey: 'fake_app_key',
        appSecret: 'fake_app_secret',
        rawBody: VECTOR_BODY,
        authorization: undefined,
      }),
    ).toBe(false);
    expect(
      verifyWebhookSignature({
        appKey: 'fake_app_key',
        appSecret: 'fake_app_secret',
        rawBody: VECTOR_BODY,
        authorization: 'Bearer x',
      }),
    ).toBe(false);
  });
});

describe('TikTokWebhookVerifier', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await useTestRedis('tt-webhook');
  });
  afterAll(async () => {
    await redis.cleanup();
  });

  const appKey = 'wh-app';
  const appSecret = 'wh-secret-0123456789';
  // Signed here by hand, from §7, so the verifier is not checked against itself.
  const sign = (body: string) =>
    createHmac('sha256', appSecret)
      .update(appKey + body)
      .digest('hex');
  // product_id as a bare 19-digit JSON number, as TikTok's product webhook samples send it.
  const event = (id: string, timestamp: number) =>
    `{"type":5,"tts_notification_id":"${id}","shop_id":"7494726673780148744","timestamp":${timestamp},"data":{"product_id":1729382256910270475,"status":"PRODUCT_AUDIT_FAILURE","update_time":${timestamp}}}`;

  it('accepts a fresh signed event once, and refuses forged, stale and replayed ones', async () => {
    const now = Date.now();
    const verifier = new TikTokWebhookVerifier({
      appKey,
      appSecret,
      redis: redis.client,
      keyPrefix: redis.prefix,
      storeId: 's1',
      maxAgeMs: 60 * 60_000,
      now: () => now,
    });
    const body = event('7300000000000000001', Math.floor(now / 1000) - 5);

    const ok = await verifier.verify(body, sign(body));
    expect(ok.ok).toBe(true);
    const accepted = ok as Extract<WebhookVerdict, { ok: true }>;
    expect(accepted.event.tts_notification_id).toBe('7300000000000000001');
    // The bare 19-digit number arrives exact.
    expect(productStatusChangeSchema.parse(accepted.event.data).product_id).toBe('1729382256910270475');

    expect(await verifier.verify(body, sign(body))).toMatchObject({ ok: false, reason: 'replayed' });
    expect(await verifier.verify(body.replace('FAILURE', 'SUCCESS'), sign(body))).toMatchObject({ ok: false, reason: 'forged' });
    expect(await verifier.verify(body, undefined)).toMatchObject({ ok: false, reason: 'forged' });

    const stale = event('7300000000000000002', Math.floor(now / 1000) - 2 * 3600);
    expect(await verifier.verify(stale, sign(stale))).toMatchObject({ ok: false, reason: 'stale' });

    // A released id (the app could not enqueue it) is accepted on TikTok's retry.
    await verifier.release('7300000000000000001');
    expect((await verifier.verify(body, sign(body))).ok).toBe(true);
  });

  it('accepts a signed event without tts_notification_id once, de-duplicated by a hash of its signed body', async () => {
    const now = Date.now();
    const verifier = new TikTokWebhookVerifier({
      appKey,
      appSecret,
      redis: redis.client,
      keyPrefix: redis.prefix,
      storeId: 's3',
      now: () => now,
    });
    const ts = Math.floor(now / 1000) - 5;
    const body = `{"type":1,"shop_id":"7494726673780148744","timestamp":${ts},"data":{"order_id":"576684019603311365","order_status":"AWAITING_SHIPMENT","update_time":${ts}}}`;
    const first = await verifier.verify(body, sign(body));
    expect(first).toMatchObject({ ok: true, deliveryKey: `sha256:${createHash('sha256').update(body).digest('hex')}` });
    expect((first as Extract<WebhookVerdict, { ok: true }>).event.tts_notification_id).toBeUndefined();
    expect(await verifier.verify(body, sign(body))).toMatchObject({ ok: false, reason: 'replayed' });
    // Another event (other bytes) is its own delivery.
    const next = body.replace('AWAITING_SHIPMENT', 'IN_TRANSIT');
    expect((await verifier.verify(next, sign(next))).ok).toBe(true);
    // Released (could not be handed on): TikTok's retry of the same bytes is taken.
    await verifier.release((first as Extract<WebhookVerdict, { ok: true }>).deliveryKey);
    expect((await verifier.verify(body, sign(body))).ok).toBe(true);
  });

  it('verifies what the stand-in delivers, and the stand-in retries a non-200 answer', async () => {
    const verdicts: WebhookVerdict[] = [];
    let answered = 0;
    const verifier = new TikTokWebhookVerifier({
      appKey,
      appSecret,
      redis: redis.client,
      keyPrefix: redis.prefix,
      storeId: 's2',
    });
    const receiver: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        answered += 1;
        // The first delivery fails: TikTok must retry it.
        if (answered === 1) {
          res.writeHead(500).end();
          return;
        }
        void verifier.verify(Buffer.concat(chunks), req.headers.authorization).then((v) => {
          verdicts.push(v);
          res.writeHead(v.ok ? 200 : 401).end();
        });
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const tts = await startTikTokStandIn({
      shops: [{ appKey, appSecret }],
      webhookUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/tiktok`,
      webhookRetryDelaysMs: [30, 30, 30, 30],
    });
    try {
      const shop = tts.shops[0]!;
      tts.admin.seedProduct(shop.shopId, {
        title: 'Cotton tee',
        category_id: '601226',
        skus: [
          {
            id: '1729000000000000001',
            seller_sku: 'TEE-1',
            price: { amount: '10.00', currency: 'GBP' },
            inventory: [],
            sales_attributes: [],
          },
        ],
      });
      const [order] = tts.admin.generateOrders(shop.shopId, { count: 1 });
      tts.admin.cancelOrder(shop.shopId, order!.id);
      await waitUntil(() => verdicts.length >= 2, { what: 'two verified deliveries' });
      expect(verdicts.every((v) => v.ok)).toBe(true);
      const delivery = tts.admin.deliveries()[0]!;
      expect(delivery.attempts).toBe(2);
      expect(delivery.status).toBe('delivered');
      const types = verdicts.map((v) => (v as Extract<WebhookVerdict, { ok: true }>).event.type).sort();
      expect(types).toEqual([1, 11]);
    } finally {
      await tts.close();
      await new Promise((r) => receiver.close(r));
    }
  });
});
