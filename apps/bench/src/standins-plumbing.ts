/**
 * What every stand-ins process of the bench shares: its config (JSON, the first argument), the
 * JSON control API on 127.0.0.1, the images it serves as a CDN would, the one ready line it
 * prints on stdout (the parent reads it) and the stop on SIGINT or SIGTERM.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateCatalogue, type ShopifyStandIn } from '@shoptok/testkit/shopify';
import type { SeededShop, TikTokStandIn } from '@shoptok/testkit/tiktok';
import { z } from 'zod';

export const latencySchema = z.object({ min: z.number(), max: z.number() });

/** The limits every stand-in is started with, and the seed of its data. */
export const standInLimitsSchema = z.object({
  latencyMs: latencySchema,
  tiktokQps: z.number().positive(),
  shopifyBucket: z.object({ maximumAvailable: z.number(), restoreRate: z.number() }),
  seed: z.number().int(),
});

/** The process's config: the JSON its parent passes as the first argument. */
export function readConfig<T extends z.ZodType>(schema: T): z.output<T> {
  return schema.parse(JSON.parse(process.argv[2] ?? '{}'));
}

/** A generated catalogue at one location without missing or repeated SKUs: what is measured, not the catalogue's mistakes. */
export function cleanCatalogue(products: number, seed: number) {
  return generateCatalogue({ products, seed, locations: 1, noSkuRate: 0, duplicateSkuRate: 0 });
}

/** The TikTok app the fleet calls with. */
export interface TikTokAppReady {
  tiktokUrl: string;
  tiktokAuthUrl: string;
  appKey: string;
  appSecret: string;
}

export function tiktokAppReady(tiktok: TikTokStandIn, appKey: string, appSecret: string): TikTokAppReady {
  return { tiktokUrl: tiktok.url, tiktokAuthUrl: tiktok.authUrl, appKey, appSecret };
}

/** One store: its Shopify stand-in and its TikTok shop. */
export interface StoreReady {
  shopifyUrl: string;
  shopifyDomain: string;
  shopifyToken: string;
  shopifySecret: string;
  cipher: string;
  accessToken: string;
  refreshToken: string;
}

export function storeReady(shopify: ShopifyStandIn, shop: SeededShop): StoreReady {
  return {
    shopifyUrl: shopify.url,
    shopifyDomain: shopify.shopDomain,
    shopifyToken: shopify.accessToken,
    shopifySecret: shopify.apiSecret,
    cipher: shop.cipher,
    accessToken: shop.tokens.accessToken,
    refreshToken: shop.tokens.refreshToken,
  };
}

export interface ControlRequest {
  method: string;
  url: URL;
  /** The request's JSON body (`{}` when empty). */
  body(): Promise<unknown>;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
}

async function listenLocally(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/**
 * Serves the control API on a free port of 127.0.0.1: `route` gives the value to answer as JSON,
 * or undefined for a 404; a throw (e.g. a body that does not parse) answers 400 with its message.
 */
export async function serveControl(route: (req: ControlRequest) => unknown): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const request: ControlRequest = {
      method: req.method ?? 'GET',
      url: new URL(req.url ?? '/', 'http://bench'),
      body: () => readJson(req),
    };
    void (async () => {
      const value = await route(request);
      if (value === undefined) {
        res.writeHead(404);
        return res.end();
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    })().catch((err: Error) => {
      res.writeHead(400);
      res.end(err.message);
    });
  });
  return { server, url: await listenLocally(server) };
}

// A PNG header of 800 x 800 is all the TikTok stand-in measures.
function png(salt: number): Buffer {
  const b = Buffer.alloc(37);
  b.writeUInt32BE(0x89504e47, 0);
  b.writeUInt32BE(0x0d0a1a0a, 4);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'ascii');
  b.writeUInt32BE(800, 16);
  b.writeUInt32BE(800, 20);
  b.writeUInt8(8, 24);
  b.writeUInt8(2, 25);
  b.writeUInt32BE(salt >>> 0, 33);
  return b;
}

/** Serves product images as a CDN would: `<base>/img/<n>.png`, a distinct image per n. */
export async function serveImages(): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    const n = Number(/(\d+)/.exec(req.url ?? '')?.[1] ?? 0);
    res.writeHead(200, { 'content-type': 'image/png' });
    res.end(png(n));
  });
  return { server, base: await listenLocally(server) };
}

/**
 * Prints the ready line and, on SIGINT or SIGTERM, runs `beforeClose`, closes the servers, then
 * the stand-ins, and exits.
 */
export function announceReady(
  ready: object,
  closing: { servers: Server[]; standIns: { close(): Promise<void> }[]; beforeClose?: () => void },
): void {
  console.log(JSON.stringify(ready));
  const stop = () => {
    closing.beforeClose?.();
    for (const server of closing.servers) server.close();
    void Promise.all(closing.standIns.map((s) => s.close())).then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
