import { shopifyKeys } from '@shoptok/keys';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { type ClientContext, sleep } from './context.js';
import { BulkDownloadError, forEachBulkLine, type BulkLineHandler } from './bulk-download.js';
import { ShopifyBulkBusyError, ShopifyBulkOperationError, ShopifyUserError } from './errors.js';
import * as ops from './operations.js';
import * as s from './schemas.js';

/**
 * Runs bulk queries of one store to completion and keeps the registry of the ones shoptok
 * started (a Redis hash of id -> start time), so abandoned ones can be cancelled when the
 * shop's bulk slots are full.
 */
export class BulkQueryRunner {
  constructor(private readonly ctx: ClientContext) {}

  private get options() {
    return this.ctx.options;
  }

  private get transport() {
    return this.ctx.transport;
  }

  private bulkBusyRetryMs(): number {
    return this.options.bulkBusyRetryMs ?? 30_000;
  }

  /**
   * Runs one bulk query to completion and hands its JSONL to `onLine` line by line as it
   * downloads (a 100,000-SKU store's file is tens of MB: never held whole). No file when
   * nothing matched.
   */
  async run(inner: string, onLine: BulkLineHandler): Promise<void> {
    const run = await this.transport.request('BulkRunQuery', ops.BULK_RUN_QUERY, { query: inner }, s.bulkRunData);
    const payload = run.data.bulkOperationRunQuery;
    if (payload.userErrors.length > 0 || !payload.bulkOperation) {
      // The app already runs as many bulk queries as the shop allows (2026-10: five, LIMIT_REACHED;
      // OPERATION_IN_PROGRESS in versions that allowed one). Ours end within bulkTimeoutMs and a
      // killed worker's still completes on Shopify's side, so a slot frees up: the job comes back
      // later without spending an attempt, instead of failing the sync.
      const busy = payload.userErrors.find((e) => e.code === 'OPERATION_IN_PROGRESS' || e.code === 'LIMIT_REACHED');
      if (busy && (await this.cancelAbandonedBulkQueries()) > 0) {
        throw new ShopifyBulkBusyError(
          `Shopify runs as many bulk queries for this store as it allows (${busy.code}); cancelled shoptok's abandoned ones, trying again in 5 s.`,
          { code: busy.code ?? 'OPERATION_IN_PROGRESS', operation: 'BulkRunQuery' },
          5_000,
        );
      }
      if (busy)
        throw new ShopifyBulkBusyError(
          `Shopify runs as many bulk queries for this store as it allows (${busy.code}); trying again in ${Math.round(this.bulkBusyRetryMs() / 1000)} s.`,
          { code: busy.code ?? 'OPERATION_IN_PROGRESS', operation: 'BulkRunQuery' },
          this.bulkBusyRetryMs(),
        );
      throw new ShopifyUserError('bulkOperationRunQuery', payload.userErrors, { requestId: run.requestId });
    }
    const id = payload.bulkOperation.id;
    // Remembered while it runs: if this worker dies, the next one that finds the shop's bulk
    // slots full cancels it once no runner can still be waiting for it (see cancelAbandonedBulkQueries).
    await this.options.redis.hset(this.runningBulkKey(), id, String(Date.now()));
    await this.options.redis.pexpire(this.runningBulkKey(), 7 * 24 * 3_600_000);
    try {
      await this.awaitBulkQuery(id, onLine);
    } finally {
      await this.options.redis.hdel(this.runningBulkKey(), id).catch(() => undefined);
    }
  }

  private runningBulkKey(): string {
    return shopifyKeys(this.options.keyPrefix, this.options.storeId).bulkRunning;
  }

  /**
   * Cancels this store's bulk queries that shoptok started longer ago than `bulkTimeoutMs`: their
   * runner gave up on them or died, so they only hold one of the shop's few bulk slots. Only ids
   * shoptok recorded are touched (another app's or a merchant's own operations never are).
   * Resolves how many it cancelled; a failure here is only logged.
   */
  private async cancelAbandonedBulkQueries(): Promise<number> {
    const staleBefore = Date.now() - (this.options.bulkTimeoutMs ?? 30 * 60_000);
    let cancelled = 0;
    try {
      const running = await this.options.redis.hgetall(this.runningBulkKey());
      for (const [id, startedAt] of Object.entries(running)) {
        if (Number(startedAt) > staleBefore) continue;
        const { data } = await this.transport.request('BulkOperationCancel', ops.BULK_OPERATION_CANCEL, { id }, s.bulkCancelData);
        await this.options.redis.hdel(this.runningBulkKey(), id);
        // A userError means it already ended (completed, failed or cancelled): its slot is free anyway.
        if (data.bulkOperationCancel.userErrors.length === 0) cancelled += 1;
        this.options.logger?.warn(
          { store: this.options.storeId, bulkOperation: id, startedAt: new Date(Number(startedAt)).toISOString() },
          'shopify: cancelled an abandoned bulk query of shoptok',
        );
      }
    } catch (err) {
      this.options.logger?.warn(
        { store: this.options.storeId, err: (err as Error).message },
        'shopify: could not cancel abandoned bulk queries',
      );
    }
    return cancelled;
  }

  private async awaitBulkQuery(id: string, onLine: BulkLineHandler): Promise<void> {
    const deadline = Date.now() + (this.options.bulkTimeoutMs ?? 30 * 60_000);
    let polls = 0;
    for (;;) {
      const { data } = await this.transport.request('BulkOperationStatus', ops.BULK_OPERATION_STATUS, { id }, s.bulkStatusData);
      const op = data.bulkOperation;
      if (!op)
        throw new ShopifyBulkOperationError(`Bulk operation ${id} disappeared.`, true, { operation: 'BulkOperationStatus' });
      if (op.status === 'COMPLETED') {
        if (!op.url) return; // Shopify gives no file when nothing matched
        const res = await this.transport.download(op.url);
        if (!res.ok || !res.body)
          throw new ShopifyBulkOperationError(`Downloading bulk result ${id} failed with HTTP ${res.status}.`, true, {
            code: String(res.status),
          });
        try {
          await forEachBulkLine(res.body as WebReadableStream<Uint8Array>, onLine);
        } catch (err) {
          if (!(err instanceof BulkDownloadError)) throw err; // the line handler's own error
          throw new ShopifyBulkOperationError(`Downloading bulk result ${id} broke off: ${(err as Error).message}`, true, {
            code: 'DOWNLOAD',
          });
        }
        return;
      }
      if (op.status === 'FAILED' || op.status === 'CANCELED' || op.status === 'EXPIRED') {
        throw new ShopifyBulkOperationError(
          `Bulk operation ${id} ended ${op.status}${op.errorCode ? ` (${op.errorCode})` : ''}.`,
          op.status === 'FAILED',
          { code: op.errorCode ?? op.status },
        );
      }
      if (Date.now() > deadline) {
        // Nobody will read it: free its slot of the shop's bulk queries.
        await this.transport
          .request('BulkOperationCancel', ops.BULK_OPERATION_CANCEL, { id }, s.bulkCancelData)
          .catch(() => undefined);
        throw new ShopifyBulkOperationError(`Bulk operation ${id} still ${op.status} after the timeout; cancelled.`, true, {
          code: 'TIMEOUT',
        });
      }
      // Poll soon at first (a small store's export takes a second or two), then every interval.
      await sleep(Math.min(this.options.bulkPollIntervalMs ?? 1000, 250 * 2 ** polls++));
    }
  }
}
