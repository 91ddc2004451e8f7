// TikTok's authorization notices (type 7 expiring, type 6 revoked), signed and posted over HTTP,
// reach a local Slack-compatible receiver once each, however often TikTok repeats them.
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StoreConfig } from '@shoptok/config';
import { createLogger } from '@shoptok/logger';
import { createRedisConnection, QueueFactory, waitForRedis } from '@shoptok/queues';
import { AlertNotifier } from '@shoptok/sync';
import { defaultStoreRules } from '@shoptok/sync-core';
import { useTestRedis, waitUntil, type TestRedis } from '@shoptok/testkit';
import { startWebhookServer, type WebhookServer } from './app.js';
import { StoreDirectory } from './directory.js';

const STORE = 'auth-alerts';
const APP_KEY = 'app-key-auth-alerts';
const APP_SECRET = 'app-secret-auth-alerts-0123456789';
const logger = createLogger({ level: 'silent', console: false });

const store: StoreConfig = {
  id: STORE,
  name: 'Auth Alerts',
  enabled: true,
  shopify: { domain: 'auth-alerts.myshopify.com', accessToken: 'shpat_unused', apiSecret: 'unused-secret', apiBase: undefined },
  tiktok: {
    appKey: APP_KEY,
    appSecret: APP_SECRET,
    accessToken: 'ROW_unused',
    refreshToken: undefined,
    shopCipher: 'ROW_cipher',
  },
  syncIntervalSeconds: 300,
  batchSize: 50,
  dryRun: false,
  mode: 'live',
  rules: defaultStoreRules(),
};

describe('authorization alerts from TikTok webhooks (real Redis, HTTP both ways)', () => {
  let tr: TestRedis;
  let server: WebhookServer;
  let queues: QueueFactory;
  let alerts: AlertNotifier;
  let connections: ReturnType<typeof createRedisConnection>[];
  const texts: string[] = [];
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      texts.push(String((JSON.parse(body) as { text?: unknown }).text));
      res.end('ok');
    });
  });

  beforeAll(async () => {
    tr = await useTestRedis('auth-alerts');
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const producer = createRedisConnection({ url: tr.url, role: 'producer', name: 'auth-alerts-test' });
    const client = createRedisConnection({ url: tr.url, role: 'client', name: 'auth-alerts-test-client' });
    connections = [producer, client];
    // The producer connection refuses commands until it is connected (no offline queue).
    await Promise.all([waitForRedis(producer), waitForRedis(client)]);
    queues = new QueueFactory({ connection: producer, prefix: tr.prefix, retry: { maxRetries: 0, backoffSeconds: 1 } });
    alerts = new AlertNotifier({
      redis: client,
      prefix: tr.prefix,
      logger,
      webhookUrlFor: () => `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
      dashboardUrl: 'https://ops.example.com',
      burstWindowMs: 60_000,
      shipByLeadMs: 6 * 3_600_000,
      authExpiryLeadMs: 14 * 86_400_000,
    });
    server = await startWebhookServer({
      directory: new StoreDirectory([store]),
      redis: producer,
      queues,
      prefix: tr.prefix,
      logger,
      host: '127.0.0.1',
      port: 0,
      alerts,
    });
  });

  afterAll(async () => {
    await server?.close();
    await alerts?.close();
    for (const q of ['maintenance'] as const)
      await queues
        .queue(q, STORE)
        .obliterate({ force: true })
        .catch(() => undefined);
    await queues?.close();
    connections?.forEach((c) => c.disconnect());
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
    await tr?.cleanup();
  });

  let seq = 0;
  const deliver = async (type: number, data: Record<string, unknown>) => {
    seq += 1;
    const body = JSON.stringify({
      type,
      tts_notification_id: `7${Date.now()}${seq}`,
      shop_id: '7000000000000000001',
      timestamp: Math.floor(Date.now() / 1000),
      data,
    });
    const res = await fetch(`${server.url}/webhooks/tiktok`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: createHmac('sha256', APP_SECRET)
          .update(APP_KEY + body)
          .digest('hex'),
      },
      body,
    });
    await res.text();
    return res.status;
  };

  it('type 7 (sent daily by TikTok) alerts once; type 6 alerts once that the seller revoked the authorization', async () => {
    expect(
      await deliver(7, { message: 'expires in 30 days', expiration_time: String(Math.floor(Date.now() / 1000) + 30 * 86_400) }),
    ).toBe(200);
    expect(
      await deliver(7, { message: 'expires in 29 days', expiration_time: String(Math.floor(Date.now() / 1000) + 29 * 86_400) }),
    ).toBe(200);
    expect(await deliver(6, { message: 'deauthorized' })).toBe(200);
    expect(await deliver(6, { message: 'deauthorized again' })).toBe(200);
    await waitUntil(() => texts.length >= 2, { what: 'two alerts' });
    await alerts.close(); // every POST in flight has landed
    expect(texts).toHaveLength(2);
    expect(texts.find((t) => t.includes('ends soon'))).toContain(`the TikTok authorization of store *${STORE}* ends soon`);
    expect(texts.find((t) => t.includes('revoked'))).toContain(
      `the seller revoked shoptok's TikTok authorization for store *${STORE}*`,
    );
  });
});
