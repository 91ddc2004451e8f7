import type { AddressInfo } from 'node:net';
import { childLogger, type Logger } from '@shoptok/logger';
import { webhookLeadKey } from '@shoptok/keys';
import { jobIdFor, redisHealthCheck, type QueueFactory, type RedisConnection } from '@shoptok/queues';
import { verifyShopifyWebhook, WebhookDeduper } from '@shoptok/shopify';
import { parseJsonSafe, TikTokWebhookVerifier, verifyWebhookSignature, webhookEnvelopeSchema } from '@shoptok/tiktok';
import Fastify, { type FastifyReply } from 'fastify';
import type { ShopLookup, StoreDirectory } from './directory.js';
import { planShopifyWebhook, planTikTokWebhook, type PlannedJob, type WebhookPlan } from './plan.js';
import { storeWriteDecision, type AlertNotifier, type TikTokCallbackOutcome } from '@shoptok/sync';

export interface WebhookServerOptions {
  directory: StoreDirectory;
  /** A `producer` connection: fails fast instead of queueing commands while Redis is away. */
  redis: RedisConnection;
  queues: QueueFactory;
  /** Key prefix of the de-duplication keys (QUEUE_PREFIX). */
  prefix: string;
  logger: Logger;
  host?: string;
  port: number;
  /** Looks up unresolved stores' TikTok shops again when an event names an unknown shop. */
  lookup?: ShopLookup;
  /** Alerts the operator once when TikTok says a shop's authorization ends soon (type 7) or was revoked (type 6). */
  alerts?: Pick<AlertNotifier, 'authorizationExpiring' | 'authorizationRevoked'>;
  /**
   * Completes a seller's TikTok authorization (`GET /auth/tiktok/callback`, the app's redirect
   * URL in Partner Center); absent: the route answers 404.
   */
  tiktokCallback?: (query: Record<string, string | undefined>) => Promise<TikTokCallbackOutcome>;
  /** Longest wait for Redis while enqueueing; TikTok gives up after 3 s. Default 2 s. */
  enqueueDeadlineMs?: number;
  now?: () => number;
}

export interface WebhookServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** How a delivery was answered and why: one log line per delivery. */
type Outcome = { status: 200 | 401 | 503; decision: string; store?: string; jobs?: string[] };

class DeadlineError extends Error {
  readonly retryable = true;
  constructor(ms: number) {
    super(`Redis did not take the job within ${ms} ms; the sender will retry`);
    this.name = 'DeadlineError';
  }
}

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(ms)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function plainPage(title: string, message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem}</style></head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></body></html>`;
}

function headerOf(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The webhook intake: `POST /webhooks/shopify`, `POST /webhooks/tiktok` and `GET /healthz`.
 * Every delivery is verified on its raw bytes, de-duplicated by its delivery id, and turned
 * into targeted jobs; anything forged or stale is refused (401) and never enqueued.
 */
export async function startWebhookServer(options: WebhookServerOptions): Promise<WebhookServer> {
  const { directory, redis, queues, prefix } = options;
  const logger = childLogger(options.logger, { component: 'webhooks' });
  const now = options.now ?? Date.now;
  const deadlineMs = options.enqueueDeadlineMs ?? 2_000;
  const deduper = new WebhookDeduper(redis, prefix);
  const verifiers = new Map<string, TikTokWebhookVerifier>();
  const health = redisHealthCheck(redis);
  let lastLookupAt = 0;

  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
  // Signatures cover the exact bytes: keep every body as a Buffer and parse JSON only after verifying.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  /** A leading-edge job runs at once for the first change of its window (one SET NX, fleet-wide). */
  const placed = async (j: PlannedJob): Promise<PlannedJob> => {
    if (!j.leadingEdge || j.delayMs <= 0) return j;
    const first = await redis.set(webhookLeadKey(prefix, j.data.store, j.jobId), '1', 'PX', j.delayMs + 60_000, 'NX');
    if (first !== 'OK') return j;
    const occasion = { ...j.occasion, lead: true };
    return { ...j, occasion, jobId: jobIdFor(j.queue, j.name, j.data, occasion), delayMs: 0 };
  };

  /**
   * Webhook jobs follow the same write rule as every other job (DRY_RUN, the store's dryRun,
   * preview): a dry one is queued dry under its own id, so it never holds back a real job.
   */
  const decided = async (j: PlannedJob): Promise<PlannedJob> => {
    const store = directory.byId(j.data.store);
    if (!store) return j;
    const decision = await storeWriteDecision(redis, prefix, store);
    if (!decision.dry) return j;
    const occasion = { ...j.occasion, dry: true };
    return { ...j, data: { ...j.data, dryRun: true }, occasion, jobId: jobIdFor(j.queue, j.name, j.data, occasion) };
  };

  const enqueue = async (planned: PlannedJob[]): Promise<string[]> => {
    const jobs = await withDeadline(
      Promise.all(
        planned.map(async (p) => {
          const j = await placed(await decided(p));
          const added = await queues.addByName(j.queue, j.name, j.data, {
            id: j.occasion,
            delay: j.delayMs > 0 ? j.delayMs : undefined,
          });
          return { ...j, jobId: added.id ?? j.jobId };
        }),
      ),
      deadlineMs,
    );
    return jobs.map((j) => `${j.queue}/${j.name}/${j.jobId}`);
  };

  /** Enqueues a plan; on failure `undo` lets the sender's retry through. */
  const carryOut = async (
    store: string,
    plan: WebhookPlan,
    undo: () => Promise<void>,
    context: Record<string, unknown>,
  ): Promise<Outcome> => {
    if (plan.problem !== undefined) {
      // Verified but not the shape we know: retrying cannot help, polling covers the change.
      logger.error({ store, ...context, problem: plan.problem }, 'webhook body not understood; acknowledged without a job');
      return { status: 200, decision: 'unparseable', store };
    }
    if (plan.operatorAction) logger.error({ store, ...context }, plan.operatorAction);
    // Not awaited: the alert POST must not hold up TikTok's answer (3 s); it never throws.
    if (plan.authorization === 'expiring') void options.alerts?.authorizationExpiring(store, undefined);
    if (plan.authorization === 'revoked') void options.alerts?.authorizationRevoked(store);
    if (plan.jobs.length === 0) return { status: 200, decision: plan.note ?? 'nothing to do', store };
    try {
      const jobs = await enqueue(plan.jobs);
      return { status: 200, decision: 'enqueued', store, jobs };
    } catch (err) {
      await undo().catch((undoErr: unknown) =>
        logger.warn(
          { store, err: (undoErr as Error).message },
          'could not release the delivery id; its retry will be taken for a duplicate',
        ),
      );
      logger.error({ store, ...context, err: (err as Error).message }, 'enqueueing failed; answered 503 so the sender retries');
      return { status: 503, decision: 'enqueue-failed', store };
    }
  };

  const answer = (reply: FastifyReply, outcome: Outcome, context: Record<string, unknown>, startedAt: number): FastifyReply => {
    const level = outcome.status === 200 ? 'info' : 'warn';
    logger[level]({ ...context, ...outcome, ms: Date.now() - startedAt }, 'webhook answered');
    // §7: TikTok wants an empty body; Shopify ignores it.
    return reply.code(outcome.status).send();
  };

  app.post('/webhooks/shopify', async (req, reply) => {
    const startedAt = Date.now();
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const domain = headerOf(req.headers['x-shopify-shop-domain']) ?? '';
    const context = {
      source: 'shopify',
      topic: headerOf(req.headers['x-shopify-topic']),
      webhookId: headerOf(req.headers['x-shopify-webhook-id']),
    };
    const store = directory.shopifyStore(domain);
    if (!store)
      return answer(
        reply,
        { status: 401, decision: `no enabled store for shop domain "${domain.slice(0, 100)}"` },
        context,
        startedAt,
      );
    if (!store.shopify.apiSecret) {
      logger.error(
        { store: store.id },
        "Shopify webhook refused: the store has no shopify.apiSecret (the app's API secret key) to verify it with",
      );
      return answer(reply, { status: 401, decision: 'no webhook secret configured', store: store.id }, context, startedAt);
    }
    const verdict = verifyShopifyWebhook({
      rawBody: raw,
      headers: req.headers,
      secret: store.shopify.apiSecret,
      expectedShopDomain: store.shopify.domain,
      now: new Date(now()),
    });
    if (!verdict.ok)
      return answer(
        reply,
        { status: 401, decision: `${verdict.reason}: ${verdict.detail}`, store: store.id },
        context,
        startedAt,
      );
    if (!(await deduper.firstSeen(store.id, verdict.webhookId)))
      return answer(reply, { status: 200, decision: 'duplicate delivery', store: store.id }, context, startedAt);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      body = undefined;
    }
    const plan = planShopifyWebhook(store.id, verdict.topic, body, now());
    const outcome = await carryOut(store.id, plan, () => deduper.forget(store.id, verdict.webhookId), context);
    return answer(reply, outcome, context, startedAt);
  });

  app.post('/webhooks/tiktok', async (req, reply) => {
    const startedAt = Date.now();
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const authorization = headerOf(req.headers.authorization);
    let envelope: ReturnType<typeof webhookEnvelopeSchema.safeParse> | undefined;
    try {
      envelope = webhookEnvelopeSchema.safeParse(parseJsonSafe(raw.toString('utf8')));
    } catch {
      envelope = undefined;
    }
    const context = {
      source: 'tiktok',
      type: envelope?.data?.type,
      notificationId: envelope?.data?.tts_notification_id,
      shopId: envelope?.data?.shop_id,
    };
    const signedBy = (appKey: string, appSecret: string) =>
      verifyWebhookSignature({ appKey, appSecret, rawBody: raw, authorization });
    const shopId = envelope?.data?.shop_id;
    const store = shopId ? directory.tiktokStore(shopId, signedBy) : undefined;
    if (!store) {
      if (!directory.anyAppSigned(signedBy))
        return answer(reply, { status: 401, decision: 'forged: no configured app signed this body' }, context, startedAt);
      if (!envelope?.success)
        return answer(reply, { status: 401, decision: 'malformed: not a webhook envelope' }, context, startedAt);
      if (directory.unresolvedCount() > 0 && options.lookup) {
        // Some store's shop is still unknown: look again (at most once a minute) and let TikTok retry.
        if (now() - lastLookupAt > 60_000) {
          lastLookupAt = now();
          void directory.resolveTikTokShops(options.lookup).then((problems) => {
            for (const p of problems) logger.warn(p, 'TikTok shop of this store still unknown; its webhooks wait for the poll');
          });
        }
        return answer(reply, { status: 503, decision: 'shop not resolved yet; TikTok will retry' }, context, startedAt);
      }
      return answer(reply, { status: 200, decision: 'shop is not one of our stores' }, context, startedAt);
    }
    let verifier = verifiers.get(store.id);
    if (!verifier) {
      verifier = new TikTokWebhookVerifier({
        appKey: store.tiktok.appKey,
        appSecret: store.tiktok.appSecret,
        redis,
        keyPrefix: prefix,
        storeId: store.id,
        now,
      });
      verifiers.set(store.id, verifier);
    }
    const verdict = await verifier.verify(raw, authorization);
    if (!verdict.ok) {
      // §7: 401 for an authentication failure; a replay is acknowledged so TikTok stops sending it.
      const status = verdict.reason === 'replayed' ? 200 : 401;
      return answer(reply, { status, decision: `${verdict.reason}: ${verdict.detail}`, store: store.id }, context, startedAt);
    }
    const plan = planTikTokWebhook(store.id, verdict.event, store.rules.orders.importStatuses, now());
    const v = verifier;
    const outcome = await carryOut(store.id, plan, () => v.release(verdict.deliveryKey), context);
    return answer(reply, outcome, context, startedAt);
  });

  app.get('/auth/tiktok/callback', async (req, reply) => {
    const callback = options.tiktokCallback;
    if (!callback) return reply.code(404).send();
    const raw = req.query as Record<string, unknown>;
    const query: Record<string, string | undefined> = {};
    for (const name of ['code', 'state', 'error']) query[name] = typeof raw[name] === 'string' ? raw[name] : undefined;
    let outcome: TikTokCallbackOutcome;
    try {
      outcome = await callback(query);
    } catch (err) {
      logger.error({ err: (err as Error).message }, 'tiktok authorization callback failed');
      outcome = { status: 500, title: 'shoptok could not finish the authorization', message: 'Nothing was stored; try again.' };
    }
    // A plain page: the seller or the operator reads it in a browser.
    return reply
      .code(outcome.status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(plainPage(outcome.title, outcome.message));
  });

  app.get('/healthz', async (_req, reply) => {
    const redisCheck = await health();
    return reply.code(redisCheck.ok ? 200 : 503).send({ ok: redisCheck.ok, checks: { redis: redisCheck } });
  });

  await app.listen({ host: options.host ?? '0.0.0.0', port: options.port });
  const port = (app.server.address() as AddressInfo).port;
  return {
    url: `http://${options.host === '0.0.0.0' || !options.host ? '127.0.0.1' : options.host}:${port}`,
    port,
    close: () => app.close(),
  };
}
