import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createRedisConnection } from '@shoptok/queues';
import { startAppProcess, useTestRedis, waitUntil } from '@shoptok/testkit';
import { runDemo, type DemoView } from './demo.js';

const cliMain = resolve(dirname(fileURLToPath(import.meta.url)), '../main.ts');

/** Every process whose parent chain leads to `root` (read from /proc). */
function descendantsOf(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // "pid (comm) state ppid ...": comm may hold spaces, so split after its closing parenthesis.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone while listing
    }
  }
  const found: number[] = [];
  let frontier = [root];
  while (frontier.length > 0) {
    const next = [...parentOf].filter(([, ppid]) => frontier.includes(ppid)).map(([pid]) => pid);
    found.push(...next);
    frontier = next;
  }
  return found;
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  return { stream, text: () => text };
}

describe('pnpm demo', () => {
  it('runs the fleet as processes against the stand-ins and a day of the shop reaches the other side', async () => {
    const redis = await useTestRedis('demo');
    const stdout = capture();
    const stderr = capture();
    // Read from the stand-ins while the fleet still runs: what Shopify and TikTok hold, not what the demo printed.
    let seen:
      | {
          view: DemoView;
          shopifyOrdersPerTikTokOrder: number[];
          trackingOnTikTok: [string | undefined, string][];
          cancelledInShopify: boolean;
          stock: { sku: string; tiktok: number; shopify: number }[];
          dashboardWithAuth: number;
          dashboardWithoutAuth: number;
        }
      | undefined;
    try {
      const code = await runDemo(
        {
          stdout: stdout.stream,
          stderr: stderr.stream,
          env: { REDIS_URL: redis.url, QUEUE_PREFIX: redis.prefix, LOG_LEVEL: 'warn' },
        },
        {
          keepRunning: false,
          afterDay: async (view) => {
            const { shopify, tiktok, shopId, day, dashboard } = view;
            const shop = tiktok.admin.shop(shopId);
            const stockOf = (sku: string) => {
              const variant = shopify.state.products
                .filter((p) => p.status === 'ACTIVE')
                .flatMap((p) => p.variants)
                .find((v) => v.sku === sku);
              const shopifyTotal = [...(shopify.state.stock.get(variant?.inventoryItemId ?? -1)?.values() ?? [])].reduce(
                (a, b) => a + b,
                0,
              );
              const product = shop.products.get(shop.sellerSkus.get(sku) ?? '');
              const tiktokTotal =
                product?.skus.find((s) => s.seller_sku === sku)?.inventory.reduce((a, w) => a + w.quantity, 0) ?? -1;
              return { sku, tiktok: tiktokTotal, shopify: Math.max(0, shopifyTotal) };
            };
            const auth = `Basic ${Buffer.from(`${dashboard.username}:${dashboard.password}`).toString('base64')}`;
            seen = {
              view,
              shopifyOrdersPerTikTokOrder: day.tiktokOrderIds.map(
                (id) => shopify.state.orders.filter((o) => o.sourceIdentifier === `tiktok-${id}`).length,
              ),
              trackingOnTikTok: [...day.shipped].map(([id, number]) => [
                shop.orders.get(id)?.line_items[0]?.tracking_number,
                number,
              ]),
              cancelledInShopify: shopify.state.orders
                .filter((o) => o.sourceIdentifier === `tiktok-${day.cancelledTikTokOrderId}`)
                .every((o) => o.cancelledAt !== null),
              stock: [day.restockedSku, day.soldOutSku].filter((s): s is string => Boolean(s)).map(stockOf),
              dashboardWithAuth: (await fetch(dashboard.url, { headers: { authorization: auth } })).status,
              dashboardWithoutAuth: (await fetch(dashboard.url)).status,
            };
          },
        },
      );
      expect({ code, stderr: stderr.text() }).toEqual({
        code: 0,
        stderr: expect.not.stringMatching(/demo failed|NOT SEEN/) as unknown,
      });
      expect(seen).toBeDefined();
      const s = seen!;
      expect(s.shopifyOrdersPerTikTokOrder).toEqual([1, 1, 1, 1, 1]);
      expect(s.trackingOnTikTok).toHaveLength(3);
      for (const [onTikTok, entered] of s.trackingOnTikTok) expect(onTikTok).toBe(entered);
      expect(s.view.day.cancelledTikTokOrderId).toBeDefined();
      expect(s.cancelledInShopify).toBe(true);
      expect(s.stock).toHaveLength(2);
      for (const row of s.stock) expect(row.tiktok).toBe(row.shopify);
      expect(s.stock[1]?.tiktok).toBe(0); // the SKU that sold out in Shopify
      expect(s.dashboardWithAuth).toBe(200);
      expect(s.dashboardWithoutAuth).toBe(401);
      // Everything it started is gone, and so are its keys.
      expect(s.view.pids.length).toBe(6);
      expect(s.view.pids.filter(alive)).toEqual([]);
      const probe = createRedisConnection({ url: redis.url, role: 'client', name: 'demo-test' });
      try {
        expect(await probe.keys(`${redis.prefix}-demo:*`)).toEqual([]);
      } finally {
        probe.disconnect();
      }
      const out = stdout.text();
      // The store starts in preview: totals, then go-live, then the full sync writes.
      expect(out).toMatch(
        /== preview[\s\S]*preview: shoptok would create \d+ listings?, adopt \d+,[^\n]*change stock on \d+ SKUs?, import 0 orders[\s\S]*go live: pnpm shoptok go-live --store demo[\s\S]*== 1\. full sync/,
      );
      expect(out).toMatch(/== 1\. full sync[\s\S]*summary: [\s\S]*held back: .*\[duplicate-sku\]/);
      expect(out).toMatch(/TikTok Shop now has \d+ products with \d+ SKUs; stock equal to Shopify's on (\d+) of \1 SKUs/);
      // The merchant's own data (a metafield, a store default) releases products held back for an attribute.
      expect(out).toMatch(/metafield {2}custom\.material = "Cotton" set in Shopify/);
      expect(out).toMatch(/variant metafield {2}custom\.material = "Cotton" set in Shopify on each of the \d+ variants/);
      expect(out).toMatch(/default {4}Material = "Cotton" for TikTok category \d+/);
      const [, before, after] = /held back for any reason: (\d+) of \d+ active products before, (\d+) after/.exec(out) ?? [];
      expect(Number(after)).toBeLessThan(Number(before));
      expect(out).toContain(`dashboard  ${s.view.dashboard.url}`);
      expect(out).toMatch(/Shopify orders per TikTok order: 1, 1, 1, 1, 1/);
    } finally {
      await redis.cleanup();
    }
  }, 150_000);

  it('Ctrl-C in the middle of the full sync stops every process it started and exits 0', async () => {
    const redis = await useTestRedis('demo-sigint');
    const dir = mkdtempSync(join(tmpdir(), 'shoptok-demo-'));
    const demo = startAppProcess(cliMain, {
      cwd: dir,
      env: { REDIS_URL: redis.url, QUEUE_PREFIX: redis.prefix, LOG_LEVEL: 'warn' },
      args: ['demo'],
    });
    try {
      await waitUntil(() => demo.output().includes('== 1. full sync') || demo.child.exitCode !== null, {
        timeoutMs: 90_000,
        what: 'the full sync to start',
      });
      if (demo.child.exitCode !== null) throw new Error(`the demo ended before its full sync:\n${demo.output()}`);
      const children = descendantsOf(demo.child.pid ?? 0);
      const apps = children.filter((pid) => commandOf(pid).includes('/src/main.ts'));
      expect({ apps: apps.length, children: children.map(commandOf) }).toMatchObject({ apps: 6 }); // three workers, webhooks, dashboard, scheduler
      // Each carries the guard that stops it should the demo die without stopping it (orphan-guard.test.ts).
      for (const pid of apps)
        expect(readFileSync(`/proc/${pid}/environ`, 'utf8')).toMatch(/NODE_OPTIONS=--import=file:\S*orphan-guard\.mjs/);
      demo.child.kill('SIGINT');
      expect(await demo.exited).toBe(0);
      // The apps were waited for; helpers of theirs (tsx's esbuild service) leave when their pipe closes.
      expect(apps.filter(alive)).toEqual([]);
      await waitUntil(() => children.every((pid) => !alive(pid)), {
        timeoutMs: 5_000,
        what: `every process the demo started to be gone (left: ${children.filter(alive).join(', ')})`,
      });
      expect(demo.output()).toMatch(/SIGINT: stopping the demo[\s\S]*stopped the fleet, the stand-ins/);
    } finally {
      // A failed assertion must not leave the fleet behind: Ctrl-C first, kill -9 only if that hangs.
      if (demo.child.exitCode === null) {
        demo.child.kill('SIGINT');
        if (
          (await Promise.race([demo.exited.then(() => 'exited'), new Promise((r) => setTimeout(r, 30_000, 'hung'))])) === 'hung'
        )
          await demo.kill();
      }
      rmSync(dir, { recursive: true, force: true });
      await redis.cleanup();
    }
  }, 120_000);
});
