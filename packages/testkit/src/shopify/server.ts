import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createAdmin, seedCatalogue, type ShopifyStandInAdmin } from './admin.js';
import { serveBulkResult, startBulk } from './bulk.js';
import type { Catalogue, GenerateCatalogueOptions } from './catalogue.js';
import { GRAPHQL_PATH, serveGraphql } from './graphql.js';
import { send } from './http.js';
import { orderCreated, startCancel } from './order-changes.js';
import { rootValue } from './resolvers.js';
import { loadAdminSchema } from './schema.js';
import {
  ShopifyServerState,
  type RequestLogEntry,
  type ShopifyCounters,
  type StandInState,
  type WebhookDelivery,
} from './state.js';
import { checkLatency, type Latency } from '../latency.js';

// The stand-in is assembled from modules around one state object (ShopifyServerState, state.ts):
//   graphql.ts     the Admin GraphQL endpoint: token, faults, validation, cost, run, answer
//   gateway.ts     the access token, the query cost limit and the leaky bucket
//   resolvers.ts   what the queries and mutations do, over the shop's data (StandInState)
//   bulk.ts        bulk operations and their JSONL result files (GET /bulk/<id>.jsonl)
//   order-changes.ts   cancel jobs, cancellations and fulfilments, with their webhooks
//   webhooks.ts, payloads.ts   signed webhooks with retries; their REST payloads
//   admin.ts       the control API for tests (seeding, faults, bucket, merchant actions)
//   faults.ts      injected faults and held requests

export interface ShopifyStandInOptions {
  /** The token every request must carry in `X-Shopify-Access-Token`. */
  accessToken?: string;
  /** The app secret used to sign webhooks. */
  apiSecret?: string;
  shopDomain?: string;
  /** The shop's currency, ISO 4217 (default GBP, the stand-in TikTok shop's). */
  currency?: string;
  /** The leaky bucket: defaults to the Standard plan (2,000 max, 100/s). */
  bucket?: { maximumAvailable?: number; restoreRate?: number };
  /** Seed: a generated catalogue, or options to generate one. */
  catalogue?: Catalogue | GenerateCatalogueOptions;
  /** How long a bulk operation stays RUNNING before it completes. Default 50 ms. */
  bulkDelayMs?: number;
  /** Bulk queries of the app that may run at once (Admin API 2026-01 and later: 5). */
  maxConcurrentBulkQueries?: number;
  /** How long an `orderCancel` job runs before the order is cancelled. Default 30 ms. */
  cancelDelayMs?: number;
  /** Waits between webhook delivery attempts (Shopify: 8 retries over 4 h; scaled down here). */
  webhookRetryDelaysMs?: number[];
  /** Delay before each answer (network and server time), e.g. `{ min: 50, max: 150 }`. Default 0. */
  latencyMs?: Latency;
  port?: number;
}

export interface ShopifyStandIn extends ShopifyStandInAdmin {
  url: string;
  shopDomain: string;
  accessToken: string;
  apiSecret: string;
  state: StandInState;
  counters: ShopifyCounters;
  requestLog: RequestLogEntry[];
  deliveries: WebhookDelivery[];
  close(): Promise<void>;
}

/**
 * Starts a Shopify Admin API stand-in on 127.0.0.1: it executes GraphQL against the real
 * 2026-10 schema, checks the token, applies the cost bucket, runs bulk operations, creates
 * orders, signs and sends webhooks, and injects faults on demand.
 */
export async function startShopifyStandIn(options: ShopifyStandInOptions = {}): Promise<ShopifyStandIn> {
  const s = new ShopifyServerState(
    {
      accessToken: options.accessToken ?? `shpat_${randomUUID().replace(/-/g, '')}`,
      apiSecret: options.apiSecret ?? `shpss_${randomUUID().replace(/-/g, '')}`,
      shopDomain: options.shopDomain ?? `standin-${randomUUID().slice(0, 8)}.myshopify.com`,
      bulkDelayMs: options.bulkDelayMs ?? 50,
      maxConcurrentBulkQueries: options.maxConcurrentBulkQueries ?? 5,
      cancelDelayMs: options.cancelDelayMs ?? 30,
      webhookRetryDelaysMs: options.webhookRetryDelaysMs ?? [20, 40, 80, 160, 320, 640, 1280, 2560],
      latencyMs: options.latencyMs,
    },
    loadAdminSchema(),
    options.bucket,
  );
  if (options.currency) s.store.currencyCode = options.currency;
  s.rootValue = rootValue(s.store, {
    schema: s.schema,
    startBulk: (query) => startBulk(s, query),
    onOrderCreated: (order, changedLevels) => orderCreated(s, order, changedLevels),
    startCancel: (order, cancel) => startCancel(s, order, cancel),
  });
  checkLatency(options.latencyMs, 'Shopify stand-in');

  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://x');
      try {
        if (req.method === 'POST' && url.pathname === GRAPHQL_PATH) return serveGraphql(s, req, res, raw);
        if (serveBulkResult(s, req.method, url.pathname, res)) return;
        send(s, res, 404, { errors: 'Not Found' }, randomUUID());
      } catch (err) {
        send(s, res, 500, { errors: (err as Error).message }, randomUUID());
      }
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  s.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  if (options.catalogue) seedCatalogue(s, options.catalogue);

  return {
    url: s.baseUrl,
    shopDomain: s.config.shopDomain,
    accessToken: s.config.accessToken,
    apiSecret: s.config.apiSecret,
    state: s.store,
    counters: s.counters,
    requestLog: s.requestLog,
    deliveries: s.deliveries,
    ...createAdmin(s),
    async close() {
      s.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}
