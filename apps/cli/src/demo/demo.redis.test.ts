import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { startAppProcess, useTestRedis } from '@shoptok/testkit';

const cliMain = resolve(dirname(fileURLToPath(import.meta.url)), '../main.ts');

describe('shoptok demo (what `npm start` runs)', () => {
  it('runs the whole job on the built-in stand-ins with no credentials and exits cleanly', async () => {
    const redis = await useTestRedis('demo');
    const dir = mkdtempSync(join(tmpdir(), 'shoptok-demo-'));
    const demo = startAppProcess(cliMain, { cwd: dir, env: { REDIS_URL: redis.url, QUEUE_PREFIX: redis.prefix, LOG_FILE: join(dir, 'demo.log') }, args: ['demo'] });
    try {
      expect(await demo.exited).toBe(0);
      const out = demo.output();
      expect(out).toMatch(/(\d+) listings created on TikTok/);
      expect(Number(/(\d+) listings created on TikTok/.exec(out)?.[1])).toBeGreaterThan(0);
      expect(out).toMatch(/2b\. push stock again[\s\S]*summary: \d+ seen, 1 changed, 1 pushed/);
      expect(out).toContain('5 order(s) now in Shopify');
      expect(out).toContain('3 order(s) marked shipped on TikTok');
    } finally {
      await demo.kill();
      await redis.cleanup();
    }
  }, 120_000);
});
