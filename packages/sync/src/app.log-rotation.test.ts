import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@shoptok/config';
import { rotatedLogFiles } from '@shoptok/logger';
import { createAppLogger } from './app.js';

/** Polls `check` until it holds or the deadline passes (no fixed sleeps). */
async function until(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe("an app's log file, as its config sets it", () => {
  it('LOG_FILE_MAX_MB and LOG_FILE_MAX_FILES rotate it: past 2.5x the size, at most N files remain', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shoptok-app-log-'));
    try {
      const config = loadConfig({
        env: {
          SHOPIFY_STORE: 'log-test.myshopify.com',
          SHOPIFY_TOKEN: 'shpat_logtest0123456789',
          TIKTOK_APP_KEY: 'logtestapp',
          TIKTOK_SECRET: 'logtest-secret-0123456789',
          TIKTOK_ACCESS_TOKEN: 'ROW_logtest0123456789',
          LOG_FILE: join(dir, 'worker.log'),
          LOG_FILE_MAX_MB: '1',
          LOG_FILE_MAX_FILES: '2',
          LOG_LEVEL: 'info',
        },
        cwd: dir,
      });
      expect(config.log).toMatchObject({ maxBytes: 1024 * 1024, maxFiles: 2 });
      const logger = createAppLogger(config, 'log-test');
      const padding = 'x'.repeat(1_000);
      for (let i = 0; i < 2_600; i++) {
        logger.info({ i, padding }, 'a line of about 1.1 KB');
        if (i % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      const file = join(dir, 'worker.log');
      await until(() => rotatedLogFiles(file).some((f) => f.endsWith('worker.3.log')), 'the log to roll past its second file');
      await until(() => rotatedLogFiles(file).length <= 2, 'at most 2 log files');
      expect(rotatedLogFiles(file).every((f) => /worker\.\d+\.log$/.test(f))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
