import {
  jobIdFor,
  queueCatalog,
  type JobContext,
  type JobHandlers,
  type JobInput,
  type JobName,
  type QueueFactory,
  type QueueKey,
  type RedisConnection,
} from '@shoptok/queues';
import { StateStore, type PreviewTotals, type StoreMode, type StoreModeRecord } from '@shoptok/state';
import type { StoreRules } from '@shoptok/sync-core';
import { PreviewTally } from './preview-tally.js';
import type { StoreServices } from './services.js';

/** Whether one job may write to TikTok or Shopify, and why not. */
export interface WriteDecision {
  /** Nothing is written to either shop; what would be sent is reported instead. */
  dry: boolean;
  /** The first reason that makes the job dry. */
  reason?: 'dry-run-setting' | 'job-dry-run' | 'preview';
  /** The store's mode for this job: the operator's go-live record, else the config's starting mode. */
  mode: StoreMode;
  /** When the store went live (`shoptok go-live`), epoch ms. */
  liveSince?: number;
}

/**
 * THE rule for "may this job write", the same on every path (scheduled, webhook, CLI, replay):
 * dry when DRY_RUN or the store's `dryRun` says so (`storeDryRun`, merged by the config
 * loader), when the job asks for it (`--dry`), or when the store is in preview.
 */
export function decideWrites(input: {
  storeDryRun: boolean;
  jobDryRun: boolean;
  configuredMode: StoreMode;
  modeRecord: StoreModeRecord | undefined;
}): WriteDecision {
  const mode = input.modeRecord?.mode ?? input.configuredMode;
  const liveSince = input.modeRecord?.liveSince;
  const base = { mode, ...(liveSince !== undefined ? { liveSince } : {}) };
  if (input.storeDryRun) return { ...base, dry: true, reason: 'dry-run-setting' };
  if (input.jobDryRun) return { ...base, dry: true, reason: 'job-dry-run' };
  if (mode === 'preview') return { ...base, dry: true, reason: 'preview' };
  return { ...base, dry: false };
}

/** The decision for one job of a store, reading the store's mode from Redis (so go-live needs no restart). */
export async function writeDecisionFor(
  state: StateStore,
  store: { dryRun: boolean; mode: StoreMode },
  jobDryRun: boolean,
): Promise<WriteDecision> {
  return decideWrites({
    storeDryRun: store.dryRun,
    jobDryRun,
    configuredMode: store.mode,
    modeRecord: await state.storeMode(),
  });
}

/** The same decision for a producer that holds only a Redis connection (the webhook intake, the dashboard, the CLI). */
export function storeWriteDecision(
  redis: RedisConnection,
  prefix: string,
  store: { id: string; dryRun: boolean; mode: StoreMode },
  jobDryRun = false,
): Promise<WriteDecision> {
  return writeDecisionFor(new StateStore(redis, prefix, store.id), store, jobDryRun);
}

/** A store's write decision and what its preview would have written so far (`shoptok status`, the dashboard). */
export async function storePreviewStatus(
  redis: RedisConnection,
  prefix: string,
  store: { id: string; dryRun: boolean; mode: StoreMode },
): Promise<{ decision: WriteDecision; totals: PreviewTotals }> {
  const state = new StateStore(redis, prefix, store.id);
  const [decision, totals] = await Promise.all([writeDecisionFor(state, store, false), state.previewTotals()]);
  return { decision, totals };
}

/**
 * Orders created on TikTok before go-live are not imported: in preview every existing order
 * predates go-live, once live the go-live time is the cut-off. An `importCreatedAfter` the
 * operator set always wins (that is how older orders are brought in on purpose).
 */
export function rulesForDecision(rules: StoreRules, decision: WriteDecision, now: number): StoreRules {
  if (rules.orders.importCreatedAfter) return rules;
  const at = decision.mode === 'preview' ? now : decision.liveSince;
  if (at === undefined) return rules;
  // TikTok's create_time has whole seconds: an order of the go-live second itself is imported.
  const cutoff = Math.floor(at / 1000) * 1000;
  return { ...rules, orders: { ...rules.orders, importCreatedAfter: new Date(cutoff).toISOString() } };
}

/**
 * Wraps a queue's handlers so each job runs with its own write decision: the job's services
 * say `dryRun` as decided, carry the go-live order cut-off, and in preview a tally that is
 * stored for `shoptok status` and the dashboard. A job queued to write that runs dry is
 * marked dry in Redis, so its completed record never holds back the real job of the same id.
 */
export function withWriteDecision<Q extends QueueKey>(
  queue: Q,
  svc: StoreServices,
  build: (jobSvc: StoreServices) => JobHandlers<Q>,
  now: () => number = Date.now,
): JobHandlers<Q> {
  const wrapped: Record<string, (data: { dryRun: boolean }, ctx: JobContext) => Promise<unknown>> = {};
  for (const name of Object.keys(queueCatalog[queue].jobs)) {
    wrapped[name] = async (data, ctx) => {
      const decision = await writeDecisionFor(svc.state, { dryRun: svc.dryRun, mode: svc.mode }, data.dryRun);
      if (decision.dry && !data.dryRun && ctx?.job) await ctx.job.updateData({ ...ctx.job.data, dryRun: true });
      const preview = decision.mode === 'preview' ? new PreviewTally() : undefined;
      const jobSvc: StoreServices = {
        ...svc,
        dryRun: decision.dry,
        rules: rulesForDecision(svc.rules, decision, now()),
        ...(preview ? { preview } : {}),
      };
      const handler = (build(jobSvc) as Record<string, (data: unknown, ctx: JobContext) => Promise<unknown>>)[name];
      if (!handler) throw new Error(`no handler for job kind "${name}"`);
      try {
        return await handler({ ...data, dryRun: decision.dry }, ctx);
      } finally {
        if (preview) await svc.state.recordPreview(preview.items);
      }
    };
  }
  return wrapped as unknown as JobHandlers<Q>;
}

/**
 * Queues a targeted job (one order, one tracking push) under its catalog id, in the dry
 * namespace when it is dry. A completed dry job left under a real id (the store turned dry
 * after the job was queued) is removed first, so the real job runs.
 */
export async function queueTargetedJob<Q extends QueueKey, J extends JobName<Q>>(
  queues: QueueFactory,
  queue: Q,
  name: J,
  data: JobInput<Q, J> & { store: string; dryRun: boolean },
): Promise<void> {
  if (!data.dryRun) {
    const existing = await queues.queue(queue, data.store).getJob(jobIdFor(queue, name, data));
    if (existing && (existing.data as { dryRun?: unknown }).dryRun === true && (await existing.isCompleted()))
      await existing.remove().catch(() => undefined); // taken meanwhile: the add below is then a no-op, as before
  }
  await queues.add(queue, name, data);
}

/** "would create 212 listings, adopt 40, change stock on 1,310 SKUs, import 0 orders" (and the rest when not 0). */
export function describePreviewTotals(totals: PreviewTotals): string {
  const n = (v: number) => v.toLocaleString('en-US');
  const parts = [
    `create ${n(totals.create)} listing${totals.create === 1 ? '' : 's'}`,
    `adopt ${n(totals.adopt)}`,
    ...(totals.edit ? [`edit ${n(totals.edit)}`] : []),
    ...(totals.deactivate ? [`deactivate ${n(totals.deactivate)}`] : []),
    `change stock on ${n(totals.stock)} SKU${totals.stock === 1 ? '' : 's'}`,
    `import ${n(totals.order)} order${totals.order === 1 ? '' : 's'}`,
    ...(totals.tracking ? [`send tracking for ${n(totals.tracking)}`] : []),
    ...(totals.cancel ? [`cancel ${n(totals.cancel)}`] : []),
  ];
  return `would ${parts.join(', ')}`;
}

/** The one plain line a command prints when it would write to a store that is in preview. */
export function previewNotice(store: string): string {
  return `store ${store} is in preview: nothing is written to TikTok or Shopify, what would be sent is recorded (pnpm shoptok status --store ${store}); to go live: pnpm shoptok go-live --store ${store}`;
}
