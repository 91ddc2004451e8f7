import { Writable } from 'node:stream';
import { createLogger } from '@shoptok/logger';
import { type Harness, startHarness } from './standin.test-helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('tt-logging');
});
afterAll(async () => {
  await h.close();
});

describe('logging', () => {
  it('logs request ids and decisions but never a token, secret or signature', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const logger = createLogger({ level: 'debug', console: sink, pretty: false });
    const client = h.client({ logger });
    h.tts.faults.inject({ kind: 'server-error', api: 'GET /logistics/202309/warehouses' });
    h.tts.faults.inject({ kind: 'expired-token', api: 'GET /logistics/202309/warehouses' });
    await client.getWarehouses(); // a retry and a token refresh on the way
    await client.getProduct('1799999999999999999').catch(() => undefined); // a refusal
    const log = lines.join('');
    expect(log).toMatch(/"requestId":"\d{14}[0-9A-F]+"/);
    expect(log).toContain('tiktok access token refreshed');
    const fresh = await h.redis.client.hgetall(`${h.redis.prefix}:{store-1}:tiktok:tokens`);
    for (const secret of [
      h.appSecret,
      h.shop.tokens.accessToken,
      h.shop.tokens.refreshToken,
      fresh.accessToken!,
      fresh.refreshToken!,
    ])
      expect(log).not.toContain(secret);
    expect(log).not.toMatch(/sign=/);
  });
});
