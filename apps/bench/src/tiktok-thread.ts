/**
 * The TikTok stand-in of the inventory stand-ins process (standins-process.ts), in a worker
 * thread: its own heap, GC and event loop, so the Shopify stand-in's major GCs and bulk-export
 * building (seconds of a blocked loop) do not delay TikTok's handlers, which count each call
 * against the 1 s window when they run (a delay bunches calls that arrived evenly into 429s; real
 * TikTok shares no heap with a Shopify store). Messages: tiktok-thread-protocol.ts.
 */
import dc from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { startTikTokStandIn } from '@shoptok/testkit/tiktok';
import { watchLoop } from './loop-watch.js';
import * as plumbing from './standins-plumbing.js';
import { listOnTikTok, StockChangesInFlight } from './stock-standins.js';
import {
  tiktokThreadConfigSchema,
  type FromThread,
  type RateLimitedCall,
  type Replies,
  type ToThread,
} from './tiktok-thread-protocol.js';

if (!parentPort) throw new Error('tiktok-thread.ts runs as a worker thread of standins-process.ts');
const port = parentPort;
const config = tiktokThreadConfigSchema.parse(workerData);
const post = (message: FromThread) => port.postMessage(message);

const loop = watchLoop();
const tiktok = await startTikTokStandIn({
  qps: config.qps,
  latencyMs: config.latencyMs,
  shops: [
    {
      appKey: config.appKey,
      appSecret: config.appSecret,
      name: 'Bench Shop',
      warehouses: config.warehouseIds.map((id, i) => ({ id, name: `Warehouse ${i + 1}`, isDefault: i === 0 })),
    },
  ],
});
const shop = tiktok.shops[0]!;

function quantities(tiktokProductId: string, tiktokSkuId: string): Record<string, number> {
  const product = tiktok.admin.getProduct(shop.shopId, tiktokProductId);
  const sku = product?.skus.find((s) => s.id === tiktokSkuId);
  return Object.fromEntries((sku?.inventory ?? []).map((i) => [i.warehouse_id, i.quantity]));
}

// Why a 429 happened. The stand-in counts a call when its handler runs; here each inventory update
// is also timed when Node parsed its headers. For each 429: how many updates reached the HTTP layer
// in the second before it, and whether this thread had just stalled (a stall delays the handlers
// of calls that arrived evenly) or the calls really came bunched (the client sent them so).
// diagnostics_channel is per thread: these see this thread's server only.
const INVENTORY_UPDATE = /\/inventory\/update/;
const arrivals: number[] = [];
const arrivedAt = new WeakMap<IncomingMessage, number>();
const rateLimitedCalls: RateLimitedCall[] = [];
dc.subscribe('http.server.request.start', (message) => {
  const { request } = message as { request: IncomingMessage };
  if (!INVENTORY_UPDATE.test(request.url ?? '')) return;
  const at = performance.now();
  arrivedAt.set(request, at);
  arrivals.push(at);
  if (arrivals.length > 400) arrivals.shift();
});
dc.subscribe('http.server.response.finish', (message) => {
  const { request, response } = message as { request: IncomingMessage; response: ServerResponse };
  const at = arrivedAt.get(request);
  if (at === undefined || response.statusCode !== 429 || rateLimitedCalls.length >= 50) return;
  rateLimitedCalls.push({
    at: new Date(Date.now() - (performance.now() - at)).toISOString(),
    updatesArrivedInSecondBefore: arrivals.filter((t) => t > at - 1000 && t <= at).length,
    stallInSecondBeforeMs: Math.round(
      Math.max(0, ...loop.recentStalls.filter((s) => s.endedAt > at - 1000 && s.endedAt <= at + 20).map((s) => s.ms)),
    ),
  });
});

// Watches answered inventory updates (it must run in the thread that owns the server).
const inFlight = new StockChangesInFlight();
let skuId = 1_731_000_000_000_000_000n;

function answer(message: ToThread): Replies[ToThread['kind']] {
  switch (message.kind) {
    case 'seed':
      // Every variant listed on TikTok with stock 0: the first sync has every SKU to push.
      return message.products.flatMap((product) =>
        listOnTikTok(
          tiktok,
          shop.shopId,
          product,
          () => String(skuId++),
          () => config.warehouseIds.map((w) => ({ warehouse_id: w, quantity: 0 })),
        ),
      );
    case 'stats': {
      const rows = tiktok.counters.rows();
      return {
        eventLoopDelay: loop.reading(),
        rateLimitedCalls,
        total: tiktok.counters.total(),
        byApi: rows.map((r) => ({ api: r.api, requests: r.requests, rateLimited: r.rateLimited })),
      };
    }
    case 'check': {
      let mismatched = 0;
      for (const sku of message.skus) {
        const got = quantities(sku.tiktokProductId, sku.tiktokSkuId);
        if (Object.entries(sku.want).some(([w, q]) => got[w] !== q)) mismatched++;
      }
      return { mismatched };
    }
    case 'watch': {
      const { change, tiktokProductId, tiktokSkuId, sellerSku, warehouseId, quantity } = message;
      inFlight.add(
        tiktokProductId,
        sellerSku,
        { onTikTokAt: null },
        () => quantities(tiktokProductId, tiktokSkuId)[warehouseId] === quantity,
        (at) => post({ kind: 'landed', change, sellerSku, at }),
      );
      return null;
    }
    case 'close':
      return null;
  }
}

port.on('message', (message: ToThread) => {
  post({ kind: 'reply', id: message.id, value: answer(message) });
  // process.exit in a worker ends this thread only.
  if (message.kind === 'close') void tiktok.close().then(() => process.exit(0));
});

post({ kind: 'ready', app: plumbing.tiktokAppReady(tiktok, config.appKey, config.appSecret), shop });
