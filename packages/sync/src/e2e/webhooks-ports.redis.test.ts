// WEBHOOKS_PORT, HEALTH_PORT and LOG_FILE=off on the real webhooks app, run as its own process.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, waitUntil } from '@shoptok/testkit';
import { startFleet, type Fleet } from './fleet.test-helpers.js';

const SLOW = 120_000;

describe('the webhooks app: intake on WEBHOOKS_PORT, /healthz alone on HEALTH_PORT, LOG_FILE=off', () => {
  let fleet: Fleet;

  beforeAll(async () => {
    fleet = await startFleet({ productsPerStore: 2 });
  }, SLOW);

  afterAll(async () => {
    await fleet?.close();
  }, SLOW);

  it(
    'takes deliveries on WEBHOOKS_PORT, answers probes on HEALTH_PORT (which takes no delivery), and writes no log file',
    async () => {
      const [intakePort, healthPort] = [await freePort(), await freePort()];
      const intake = `http://127.0.0.1:${intakePort}`;
      const health = `http://127.0.0.1:${healthPort}`;
      const app = fleet.startApp('webhooks', {
        WEBHOOKS_PORT: String(intakePort),
        HEALTH_PORT: String(healthPort),
        LOG_FILE: 'off',
      });
      const status = async (url: string, init?: RequestInit) => {
        const res = await fetch(url, init).catch(() => undefined);
        await res?.arrayBuffer();
        return res?.status ?? 0;
      };
      await waitUntil(async () => (await status(`${health}/healthz`)) === 200 && (await status(`${intake}/healthz`)) === 200, {
        timeoutMs: 60_000,
        intervalMs: 200,
        what: `the webhooks app on ports ${intakePort} and ${healthPort}\n${app.output().slice(-2000)}`,
      });
      const unsigned = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' };
      // The intake checks the delivery (unsigned: 401); the probe port has no intake at all.
      expect(await status(`${intake}/webhooks/shopify`, unsigned)).toBe(401);
      expect(await status(`${health}/webhooks/shopify`, unsigned)).toBe(404);

      // Logs went to the console only.
      expect(app.output()).toContain('"app":"webhooks"');
      expect(existsSync(join(fleet.dir, 'sync_bot.log'))).toBe(false);
      expect(existsSync(fleet.env.LOG_FILE as string)).toBe(false);
    },
    SLOW,
  );
});
