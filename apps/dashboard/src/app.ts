import type { AddressInfo } from 'node:net';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import formbody from '@fastify/formbody';
import type { Logger } from '@shoptok/logger';
import { jobIdFor, queueCatalog, queueKeys, queueNameFor, type QueueFactory, type RedisConnection } from '@shoptok/queues';
// The light entry: the dashboard needs the write rule, not the clients and handlers.
import { describePreviewTotals, storePreviewStatus, storeWriteDecision } from '@shoptok/sync/write-mode';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { z } from 'zod';
import { countWorkers } from './fleet.js';
import { BASIC_AUTH_CHALLENGE, createBasicAuthCheck, crossSiteRefusal, type BasicCredentials } from './guards.js';
import { MetricsExporter } from './metrics.js';
import { groupAttention, queryListings, readListingRows } from './listings-data.js';
import { renderListingsPage, type ListingFixes } from './listings-page.js';
import { readOrderFailure, readStoreOverview } from './overview-data.js';
import { renderHomePage, renderMessagePage, renderStorePage, type Flash, type StoreLink } from './pages.js';

/** A store's write settings as the config gives them; a store without a mode starts in preview. */
function writeSettingsOf(store: StoreLink): { id: string; dryRun: boolean; mode: 'preview' | 'live' } {
  return { id: store.id, dryRun: store.dryRun ?? false, mode: store.mode ?? 'preview' };
}

export interface DashboardOptions {
  /** A `producer` connection: pages fail fast instead of hanging while Redis is away. */
  redis: RedisConnection;
  queues: QueueFactory;
  /** QUEUE_PREFIX: BullMQ's prefix and the first part of every state and metrics key. */
  prefix: string;
  stores: readonly StoreLink[];
  /** Basic-auth credentials; undefined only when bound to loopback (the caller checks). */
  credentials: BasicCredentials | undefined;
  /** DASHBOARD_PUBLIC_URL: the origin browsers use when a proxy sits in front. */
  publicUrl?: string | undefined;
  logger: Logger;
  now?: () => number;
  /** Category pins and attribute defaults for the Listings page's fixes (wired once the category work lands). */
  fixes?: ListingFixes;
}

/** Where Bull Board is mounted. */
export const BOARD_PATH = '/queues';

const tiktokOrderId = z.string().regex(/^\d{1,20}$/);
const flashQuery = z.object({
  replay: z.enum(['queued', 'pending', 'not-failed']),
  order: tiktokOrderId,
  job: z
    .string()
    .regex(/^[a-z0-9-]{1,120}$/)
    .optional(),
});

function flashFrom(query: unknown): Flash | undefined {
  const parsed = flashQuery.safeParse(query);
  if (!parsed.success) return undefined;
  const { replay, order, job } = parsed.data;
  if (replay === 'queued') return { kind: 'ok', message: `Replay of order ${order} queued as job ${job ?? '?'}.` };
  if (replay === 'pending')
    return { kind: 'ok', message: `A replay of order ${order} is already waiting to run (job ${job ?? '?'}).` };
  return { kind: 'error', message: `Order ${order} has no import failure on record, so there is nothing to replay.` };
}

/** Health of the dashboard and what it can see of the fleet (see `/healthz`). */
async function healthReport(
  redis: RedisConnection,
  prefix: string,
  stores: readonly StoreLink[],
): Promise<{ ok: boolean; checks: Record<string, unknown> }> {
  let redisCheck: { ok: boolean; detail?: string };
  try {
    const reply = await Promise.race([
      redis.ping(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer within 1 s')), 1_000).unref()),
    ]);
    redisCheck = { ok: reply === 'PONG' };
  } catch (err) {
    redisCheck = { ok: false, detail: (err as Error).message };
  }
  let workersCheck: Record<string, unknown>;
  if (!redisCheck.ok) {
    workersCheck = { ok: false, affectsHealth: false, detail: 'unknown: Redis does not answer' };
  } else {
    const names = stores.filter((s) => s.enabled).flatMap((s) => queueKeys.map((q) => queueNameFor(q, s.id)));
    const counts = await countWorkers(redis, prefix, names).catch(() => undefined);
    if (!counts) {
      workersCheck = { ok: false, affectsHealth: false, detail: 'unknown: this Redis refuses CLIENT LIST' };
    } else {
      const without = names.filter((n) => (counts.get(n) ?? 0) === 0);
      workersCheck = {
        ok: without.length === 0,
        // A fleet starting up has no workers yet; that is reported, not a reason to restart the dashboard.
        affectsHealth: false,
        queues: names.length,
        queuesWithWorkers: names.length - without.length,
        queuesWithoutWorkers: without.slice(0, 100),
        ...(without.length > 0 ? { detail: `${without.length} of ${names.length} queues have no worker consuming them` } : {}),
      };
    }
  }
  return { ok: redisCheck.ok, checks: { redis: redisCheck, workers: workersCheck } };
}

const SECURITY_HEADERS = {
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};
// Product thumbnails come from Shopify's CDN (or a stand-in's image server).
const LISTINGS_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data: https: http:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const listingsQuery = z.object({
  status: z.string().max(60).optional(),
  reason: z.string().max(60).optional(),
  q: z.string().max(200).optional(),
  page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
});
const productIdsForm = z.object({
  products: z
    .string()
    .transform((v) => v.split(',').filter(Boolean))
    .pipe(
      z
        .array(z.string().regex(/^gid:\/\/shopify\/Product\/\d{1,20}$/))
        .min(1)
        .max(1_000),
    ),
});
const flashListings = z.object({
  requeued: z.coerce.number().int().min(0),
  fixed: z.enum(['pin', 'attribute-default']).optional(),
});
const PER_PAGE = 50;
const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/**
 * The dashboard as a Fastify app (not listening): Bull Board for every store's queues at
 * `/queues`, the overview at `/` and `/stores/:id`, `/metrics` and `/healthz`. Everything but
 * `/healthz` asks for basic auth when credentials are given; every state-changing request must
 * come from the dashboard's own pages.
 */
export async function buildDashboard(options: DashboardOptions): Promise<FastifyInstance> {
  const { redis, queues, prefix, stores, logger } = options;
  const now = options.now ?? Date.now;
  const storeById = new Map(stores.map((s) => [s.id, s]));
  const publicOrigin = options.publicUrl ? new URL(options.publicUrl).origin : undefined;
  const app = Fastify({ logger: false, routerOptions: { ignoreTrailingSlash: true } });
  const checkAuth = options.credentials ? createBasicAuthCheck(options.credentials) : undefined;

  app.addHook('onRequest', async (request, reply) => {
    void reply.headers(SECURITY_HEADERS);
    const path = request.url.split('?')[0];
    if (path === '/healthz' || path === '/healthz/') return;
    if (checkAuth && !checkAuth(request.headers.authorization)) {
      return reply
        .code(401)
        .header('www-authenticate', BASIC_AUTH_CHALLENGE)
        .type('text/plain; charset=utf-8')
        .send('Authentication required: sign in with DASHBOARD_USERNAME and DASHBOARD_PASSWORD.\n');
    }
    const refusal = crossSiteRefusal(
      { method: request.method, headers: request.headers, protocol: request.protocol },
      publicOrigin,
    );
    if (refusal) {
      logger.warn(
        { method: request.method, path, origin: request.headers.origin, fetchSite: request.headers['sec-fetch-site'] },
        'cross-site request refused',
      );
      return reply.code(403).type('text/plain; charset=utf-8').send(`${refusal}\n`);
    }
  });

  app.setErrorHandler((err: Error & { statusCode?: number }, request, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status >= 500) logger.error({ err, method: request.method, path: request.url.split('?')[0] }, 'dashboard request failed');
    return reply
      .code(status)
      .type('text/plain; charset=utf-8')
      .send(status >= 500 ? 'The dashboard could not answer: see its log. Is Redis reachable?\n' : `${err.message}\n`);
  });

  await app.register(formbody);

  // Bull Board: one adapter per store's queue of every queue kind.
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(BOARD_PATH);
  createBullBoard({
    queues: stores.flatMap((store) =>
      queueKeys.map(
        (key) =>
          new BullMQAdapter(queues.queue(key, store.id), {
            allowRetries: true,
            readOnlyMode: false,
            description: `${store.name}: ${queueCatalog[key].description}`,
          }),
      ),
    ),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'shoptok', miscLinks: [{ text: 'Stores overview', url: '/' }] } },
  });
  await app.register(serverAdapter.registerPlugin(), { prefix: BOARD_PATH });

  const exporter = new MetricsExporter({ queues, redis, prefix, stores: () => stores.map((s) => s.id) });
  app.get('/metrics', async (_request, reply) => {
    const body = await exporter.scrape();
    return reply.header('cache-control', 'no-store').type(exporter.contentType).send(body);
  });

  app.get('/healthz', async (_request, reply) => {
    const report = await healthReport(redis, prefix, stores);
    return reply
      .code(report.ok ? 200 : 503)
      .header('cache-control', 'no-store')
      .send(report);
  });

  const page = (reply: FastifyReply, status: number, body: string) =>
    reply
      .code(status)
      .header('content-security-policy', PAGE_CSP)
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(body);

  app.get('/', async (_request, reply) => page(reply, 200, renderHomePage(stores)));

  app.get<{ Params: { id: string } }>('/stores/:id', async (request, reply) => {
    const store = storeById.get(request.params.id);
    if (!store)
      return page(
        reply,
        404,
        renderMessagePage('Unknown store', `There is no store "${request.params.id}" in the configuration.`),
      );
    const [overview, preview] = await Promise.all([
      readStoreOverview(redis, prefix, store.id, now()),
      storePreviewStatus(redis, prefix, writeSettingsOf(store)),
    ]);
    const flash = flashFrom(request.query);
    const writing = {
      mode: preview.decision.mode,
      dry: preview.decision.dry,
      ...(preview.decision.liveSince !== undefined ? { liveSince: preview.decision.liveSince } : {}),
      previewSummary: describePreviewTotals(preview.totals),
    };
    return page(reply, 200, renderStorePage(store, overview, { now: now(), writing, ...(flash ? { flash } : {}) }));
  });

  const unknownStore = (reply: FastifyReply, id: string) =>
    page(reply, 404, renderMessagePage('Unknown store', `There is no store "${id}" in the configuration.`));

  /** The Listings page of a store (`flash` wins over the one the query string asks for). */
  const listingsPage = async (reply: FastifyReply, store: StoreLink, rawQuery: unknown, status: number, errorFlash?: Flash) => {
    const q = listingsQuery.safeParse(rawQuery);
    const query = q.success ? { ...q.data, perPage: PER_PAGE } : { page: 1, perPage: PER_PAGE };
    const rows = await readListingRows(redis, prefix, store.id);
    const listingPage = queryListings(rows, {
      ...query,
      status: query.status || undefined,
      reason: query.reason || undefined,
      q: query.q || undefined,
    });
    const groups = groupAttention(rows.filter((r) => r.reasons.length > 0));
    const done = flashListings.safeParse(rawQuery);
    const flash = errorFlash
      ? errorFlash
      : done.success
        ? {
            kind: 'ok' as const,
            message: `${done.data.fixed === 'pin' ? 'Category pinned; ' : done.data.fixed === 'attribute-default' ? 'Attribute default set; ' : ''}${done.data.requeued} product${done.data.requeued === 1 ? '' : 's'} queued again: the page shows the result after the run.`,
          }
        : undefined;
    const body = renderListingsPage(
      store,
      { page: listingPage, groups, query },
      {
        links: { shopifyDomain: store.shopifyDomain, region: store.region },
        fixes: options.fixes ?? {},
        ...(flash ? { flash } : {}),
      },
    );
    return reply
      .code(status)
      .header('content-security-policy', LISTINGS_CSP)
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(body);
  };

  app.get<{ Params: { id: string } }>('/stores/:id/listings', async (request, reply) => {
    const store = storeById.get(request.params.id);
    if (!store) return unknownStore(reply, request.params.id);
    return listingsPage(reply, store, request.query, 200);
  });

  /** Queues each product's listing sync again (what `pnpm enqueue product` does). */
  const requeue = async (storeId: string, productIds: readonly string[]): Promise<number> => {
    const at = now();
    const store = storeById.get(storeId);
    // The same write rule as every job: a re-queue of a store in preview is dry in its payload and id.
    const dry = store ? (await storeWriteDecision(redis, prefix, writeSettingsOf(store))).dry : false;
    for (const productId of productIds)
      await queues.add(
        'products',
        'product-sync-one',
        { store: storeId, productId, trigger: 'replay', dryRun: dry },
        { id: { run: `requeue-${at}` } },
      );
    logger.info({ store: storeId, products: productIds.length }, 'products queued again from the dashboard');
    return productIds.length;
  };

  app.post<{ Params: { id: string } }>('/stores/:id/listings/requeue', async (request, reply) => {
    const store = storeById.get(request.params.id);
    if (!store) return unknownStore(reply, request.params.id);
    const form = productIdsForm.safeParse(request.body);
    if (!form.success) return page(reply, 400, renderMessagePage('Nothing to re-queue', 'The form named no Shopify product.'));
    const n = await requeue(store.id, form.data.products);
    return reply.redirect(`/stores/${encodeURIComponent(store.id)}/listings?requeued=${n}`, 303);
  });

  app.post<{ Params: { id: string } }>('/stores/:id/listings/fix/pin', async (request, reply) => {
    const store = storeById.get(request.params.id);
    if (!store) return unknownStore(reply, request.params.id);
    const form = productIdsForm.extend({ categoryId: z.string().regex(/^\d{1,20}$/) }).safeParse(request.body);
    if (!options.fixes?.pinCategory || !form.success)
      return page(reply, 400, renderMessagePage('Cannot pin', 'Category pins are not available, or the form is incomplete.'));
    // Checked against the shop's live tree first, as `shoptok map pin` does: a refusal stores nothing.
    const outcome = await options.fixes.pinCategory(store.id, form.data.products, form.data.categoryId);
    if (outcome && 'refused' in outcome)
      return listingsPage(reply, store, {}, 422, {
        kind: 'error',
        message: `Not pinned: ${outcome.refused}. Nothing was stored or queued again.`,
      });
    const n = await requeue(store.id, form.data.products);
    return reply.redirect(`/stores/${encodeURIComponent(store.id)}/listings?requeued=${n}&fixed=pin`, 303);
  });

  app.post<{ Params: { id: string } }>('/stores/:id/listings/fix/attribute-default', async (request, reply) => {
    const store = storeById.get(request.params.id);
    if (!store) return unknownStore(reply, request.params.id);
    const form = productIdsForm
      .extend({
        category: z.string().min(1).max(300),
        attribute: z.string().min(1).max(100),
        value: z.string().trim().min(1).max(200),
      })
      .safeParse(request.body);
    if (!options.fixes?.setAttributeDefault || !form.success)
      return page(
        reply,
        400,
        renderMessagePage('Cannot set a default', 'Attribute defaults are not available, or the form is incomplete.'),
      );
    await options.fixes.setAttributeDefault(store.id, form.data.category, form.data.attribute, form.data.value);
    const n = await requeue(store.id, form.data.products);
    return reply.redirect(`/stores/${encodeURIComponent(store.id)}/listings?requeued=${n}&fixed=attribute-default`, 303);
  });

  app.post<{ Params: { id: string; orderId: string } }>('/stores/:id/orders/:orderId/replay', async (request, reply) => {
    const store = storeById.get(request.params.id);
    if (!store)
      return page(
        reply,
        404,
        renderMessagePage('Unknown store', `There is no store "${request.params.id}" in the configuration.`),
      );
    const orderId = tiktokOrderId.safeParse(request.params.orderId);
    if (!orderId.success)
      return page(reply, 400, renderMessagePage('Not a TikTok order id', 'A TikTok order id is made of digits only.'));
    const base = `/stores/${encodeURIComponent(store.id)}?order=${orderId.data}`;
    const failure = await readOrderFailure(redis, prefix, store.id, orderId.data);
    if (!failure) return reply.redirect(`${base}&replay=not-failed`, 303);

    // One replay per failure record: a double click finds the job the first click queued. Once
    // that replay has run (and failed again without a new record), the next click queues anew.
    // TikTok refused shoptok's seller cancellation: the replay asks TikTok again (after the operator fixed the reason).
    const cancelRefused = failure.reasons.some((r) => r.code === 'tiktok-cancel-refused');
    // A replay follows the same write rule as every job: a dry one is dry in its payload and id.
    const { dry } = await storeWriteDecision(redis, prefix, writeSettingsOf(store));
    const common = { store: store.id, tiktokOrderId: orderId.data, trigger: 'replay' as const, dryRun: dry };
    const job = cancelRefused
      ? { name: 'order-cancel' as const, data: { ...common, origin: 'shopify' as const } }
      : { name: 'order-import' as const, data: common };
    let run = `replay-${failure.attempts}-${failure.at ?? 0}`;
    const existing = await queues.queue('orders', store.id).getJob(jobIdFor('orders', job.name, job.data, { run, dry }));
    if (existing) {
      const state = await existing.getState();
      if (state !== 'completed' && state !== 'failed' && state !== 'unknown')
        return reply.redirect(`${base}&replay=pending&job=${existing.id}`, 303);
      run = `${run}-${now()}`;
    }
    const jobId =
      job.name === 'order-cancel'
        ? (await queues.add('orders', 'order-cancel', job.data, { id: { run } })).id
        : (await queues.add('orders', 'order-import', job.data, { id: { run } })).id;
    logger.info(
      {
        store: store.id,
        tiktokOrderId: orderId.data,
        jobId,
        attempts: failure.attempts,
        job: cancelRefused ? 'order-cancel' : 'order-import',
      },
      'order replay queued from the dashboard',
    );
    return reply.redirect(`${base}&replay=queued&job=${jobId}`, 303);
  });

  return app;
}

export interface RunningDashboard {
  app: FastifyInstance;
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Builds the dashboard and listens on `host:port` (port 0: a free port). */
export async function startDashboard(options: DashboardOptions & { host: string; port: number }): Promise<RunningDashboard> {
  const app = await buildDashboard(options);
  await app.listen({ host: options.host, port: options.port });
  const { port } = app.server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return { app, port, url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`, close: () => app.close() };
}
