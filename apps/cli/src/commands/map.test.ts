import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { startFakeOpenAI, type FakeOpenAI } from '@shoptok/testkit/openai';
import { useTestRedis, type TestRedis } from '@shoptok/testkit';
import { runEvalMapperCommand } from './eval-mapper.js';
import { runMapCommand } from './map.js';

function io(env: Record<string, string | undefined>, stdinText = '') {
  const stdin = new PassThrough();
  stdin.end(stdinText);
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const read = (s: PassThrough) => () => (s.read() as Buffer | null)?.toString() ?? '';
  return { io: { stdin, stdout, stderr, env }, out: read(stdout), err: read(stderr) };
}

const products = [
  { id: 'gid://shopify/Product/1', title: 'Non Slip Yoga Mat 6mm', productType: 'Yoga Mat', tags: ['yoga', 'pilates'] },
  { id: 'gid://shopify/Product/2', title: 'Ceramic Coffee Mug', productType: 'Mug' },
];

describe('shoptok map', () => {
  it('maps stdin lines with the offline mapper when there is no key (exit 0)', async () => {
    const t = io({ LOG_LEVEL: 'warn' }, products.map((p) => JSON.stringify(p)).join('\n'));
    expect(await runMapCommand([], t.io)).toBe(0);
    const lines = t
      .out()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { mapper: string; categoryId: string; reason: string; hashtags: string[] });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      mapper: 'fallback',
      categoryId: '603084',
      reason: 'fallback mapper: no OpenAI key or base URL configured',
    });
    expect(lines[0]!.hashtags).toEqual(expect.arrayContaining(['#yoga', '#pilates']));
    expect(t.err()).toMatch(/mapped 2, failed 0; AI calls 0/);
  });

  it('reads a file, reports a bad line and exits 1; usage errors exit 64, missing files 66', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shoptok-map-'));
    const file = join(dir, 'products.jsonl');
    writeFileSync(file, `${JSON.stringify(products[1])}\n{"title": 42}\n`);
    const t = io({ LOG_LEVEL: 'warn' });
    expect(await runMapCommand([file], t.io)).toBe(1);
    const lines = t
      .out()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { ok: boolean });
    expect(lines.map((l) => l.ok)).toEqual([true, false]);
    expect(await runMapCommand(['--max-calls', 'lots'], io({}).io)).toBe(64);
    expect(await runMapCommand([join(dir, 'missing.jsonl')], io({}).io)).toBe(66);
  });

  describe('with an OpenAI-compatible endpoint and Redis', () => {
    let fake: FakeOpenAI;
    let redis: TestRedis;
    beforeAll(async () => {
      fake = await startFakeOpenAI();
      redis = await useTestRedis('cli-map');
      fake.setResponder(() => ({
        kind: 'json',
        content: {
          categoryId: '600042',
          title: 'Ceramic Coffee Mug',
          descriptionHtml: '<p>Ceramic coffee mug.</p>',
          keywords: ['coffee mug'],
          hashtags: ['#coffee'],
          attributes: [],
          reason: 'A mug.',
        },
      }));
    });
    afterAll(async () => {
      await fake.close();
      await redis.cleanup();
    });

    it('answers with the AI, then from the cache on the second run, and never prints the key', async () => {
      const env = {
        OPENAI_API_KEY: fake.apiKey,
        OPENAI_BASE_URL: fake.baseURL,
        REDIS_URL: redis.url,
        QUEUE_PREFIX: redis.prefix,
        LOG_LEVEL: 'info',
      };
      const line = JSON.stringify(products[1]);
      const first = io(env, line);
      expect(await runMapCommand(['--store', 'brand-x'], first.io)).toBe(0);
      expect(JSON.parse(first.out())).toMatchObject({ mapper: 'ai', categoryId: '600042' });
      const second = io(env, line);
      expect(await runMapCommand(['--store', 'brand-x'], second.io)).toBe(0);
      expect(JSON.parse(second.out())).toMatchObject({ mapper: 'cache', categoryId: '600042' });
      expect(fake.requests).toHaveLength(2); // the first run's department and listing calls; none on the second
      const logs = first.err() + second.err();
      expect(logs).toMatch(/mapper run summary/);
      expect(logs).not.toContain(fake.apiKey);
    });
  });
});

describe('eval:mapper', () => {
  it('prints the offline accuracy on the dev split and lists its misses when asked', async () => {
    const t = io({});
    expect(await runEvalMapperCommand(['--no-ai', '--no-ceiling', '--split', 'dev', '--limit', '30', '--misses'], t.io)).toBe(0);
    const out = t.out();
    expect(out).toMatch(/dev: 30 labelled products/);
    expect(out).toMatch(
      /offline \(fallback\)\s+dev\s+\d+\.\d%\s+\d+\.\d%\s+\d+\.\d%\s+\d+\.\d%\s+0\s+0\+0\s+\$0\.0000\s+\$0\.000/,
    );
  });

  it('prints the AI ceiling on the held-out split with calls, tokens, cost per 1,000 products and a free re-sync; never its misses', async () => {
    const redis = await useTestRedis('cli-eval');
    try {
      const t = io({ REDIS_URL: redis.url, QUEUE_PREFIX: redis.prefix });
      expect(await runEvalMapperCommand(['--split', 'test', '--limit', '25', '--misses'], t.io)).toBe(0);
      const out = t.out();
      expect(out).toMatch(/test: 25 labelled products/);
      const ceiling =
        /AI ceiling \(perfect model\)\s+test\s+(\d+\.\d)%.*?\s(\d+)\s+(\d+)\+(\d+)\s+\$(\d+\.\d+)\s+\$(\d+\.\d+)/.exec(out);
      expect(ceiling).not.toBeNull();
      const [, top1, calls, promptTokens, , , perThousand] = ceiling!;
      expect(Number(top1)).toBeGreaterThanOrEqual(97);
      expect(Number(calls)).toBe(50); // department, then listing, per product
      expect(Number(promptTokens)).toBeGreaterThan(25 * 1_000);
      expect(Number(perThousand)).toBeGreaterThan(0);
      expect(Number(perThousand)).toBeLessThanOrEqual(1);
      expect(out).toMatch(/re-sync \(cached answers\)\s+0\s+\$0\.000\s+cache 25/);
      expect(out).not.toMatch(/Misses of/);
      expect(await redis.client.keys(`${redis.prefix}*`)).toEqual([]); // the run's cache entries are gone
    } finally {
      await redis.cleanup();
    }
  });
});
