import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { addShop, ADMIN_PREFIX, createAdmin, serveAdmin, type StandInAdmin } from './admin.js';
import { cancelAudits, scheduleAudit } from './audits.js';
import { AUTH_PREFIX, isAuthHostPath, serveAuthHost } from './auth-host.js';
import { loadCategoryTree } from './categories.js';
import type { StandInServices } from './context.js';
import { countersApi, type StandInCounters } from './counters.js';
import { faultsApi, type StandInFaults } from './faults.js';
import { envelope, send } from './http.js';
import type { SeededShop, ShopSeed } from './model.js';
import { type OpenApiContext, serveOpenApi } from './open-api.js';
import { TikTokStandInState } from './state.js';
import { emitWebhook, REAL_RETRY_DELAYS_MS, WebhookSender } from './webhooks.js';
import { checkLatency, type Latency } from '../latency.js';

// The stand-in is assembled from modules around one state object (state.ts):
//   gateway.ts     the gateway's checks (app key, timestamp, signature, token, cipher) and rate limit
//   open-api.ts    one Open API request: route, checks, fault, rate limit, latency, handler, envelope
//   routes/        the Open API endpoints per area (products, orders, fulfilment, events, ...)
//   auth-host.ts   Get Token / Refresh Token and the seller's authorization page; tokens.ts issues them
//   admin.ts       the control API for tests (seeding, audits, orders, tokens), in-process and over HTTP
//   faults.ts, counters.ts   injected faults and held requests; request counters
//   audits.ts, webhooks.ts   product audits; events sent to the app

export interface TikTokStandInOptions {
  port?: number;
  host?: string;
  shops?: ShopSeed[];
  /** Per (app, shop, API) requests per second (default 50, §4). */
  qps?: number;
  /** Words that make an audit fail (title or description). */
  bannedWords?: string[];
  /** Time from create/edit to the audit verdict (default 50 ms). */
  auditDelayMs?: number;
  /** Every event of every shop also goes here (besides Event API subscriptions). */
  webhookUrl?: string;
  /** Retry delays after a failed delivery (default TikTok's 2 min, 30 min, 3 h, 12 h). */
  webhookRetryDelaysMs?: number[];
  webhookTimeoutMs?: number;
  /** Rotate the refresh token on each refresh (default true: a second refresh with the old one fails). */
  rotateRefreshToken?: boolean;
  /** Time an admitted Open API request takes before it runs and is answered, e.g. `{ min: 50, max: 150 }`. Default 0. */
  latencyMs?: Latency;
  /** Each app's redirect URL, as registered in Partner Center (app key -> URL); the authorize page sends the seller there. */
  redirectUrls?: Record<string, string>;
}

export interface TikTokStandIn {
  /** Open API base, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** Auth host base (token get/refresh live under it). */
  authUrl: string;
  shops: SeededShop[];
  admin: StandInAdmin;
  counters: StandInCounters;
  faults: StandInFaults;
  close(): Promise<void>;
}

/** Starts a TikTok Shop stand-in on a free local port. */
export async function startTikTokStandIn(options: TikTokStandInOptions = {}): Promise<TikTokStandIn> {
  checkLatency(options.latencyMs, 'TikTok stand-in');
  const state = new TikTokStandInState(options.redirectUrls);
  const auditDelayMs = options.auditDelayMs ?? 50;
  const sender = new WebhookSender({
    retryDelaysMs: options.webhookRetryDelaysMs ?? REAL_RETRY_DELAYS_MS,
    timeoutMs: options.webhookTimeoutMs ?? 3_000,
  });
  const services: StandInServices = {
    bannedWords: (options.bannedWords ?? ['counterfeit', 'replica', 'knockoff']).map((w) => w.toLowerCase()),
    scheduleAudit: (shop, productId) => scheduleAudit(state, services, auditDelayMs, shop, productId),
    emitWebhook: (shop, type, data) => emitWebhook(state, sender, options.webhookUrl, shop, type, data),
  };
  const openApi: OpenApiContext = {
    state,
    services,
    tree: loadCategoryTree(),
    qps: options.qps ?? 50,
    latencyMs: options.latencyMs,
  };
  const authHost = { rotateRefreshToken: options.rotateRefreshToken ?? true };
  const control = { admin: createAdmin(state, services, sender), faults: faultsApi(state), counters: countersApi(state) };

  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    (async () => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const raw = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://stand-in');
      const method = req.method ?? 'GET';
      if (isAuthHostPath(url.pathname)) return serveAuthHost(state, authHost, method, url, raw, res);
      if (url.pathname.startsWith(`${ADMIN_PREFIX}/`))
        return serveAdmin(control, method, url.pathname.slice(ADMIN_PREFIX.length), raw, res);
      return serveOpenApi(openApi, req, res, url, raw);
    })().catch(() => send(res, 500, envelope(36009003, 'Internal error. Please try again.', null)));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;
  const seeded = (options.shops ?? []).map((seed) => addShop(state, seed));

  return {
    url,
    authUrl: `${url}${AUTH_PREFIX}`,
    shops: seeded,
    ...control,
    async close() {
      control.faults.release();
      sender.close();
      cancelAudits(state);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
}
