import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  execute,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
} from 'graphql';
import { z } from 'zod';
import { generateCatalogue, type Catalogue, type GenerateCatalogueOptions, type StandInProduct } from './catalogue.js';
import { actualCost, requestedCost } from './cost.js';
import { rootValue, type CancelOptions, type ExecContext } from './resolvers.js';
import { loadAdminSchema } from './schema.js';
import { gid, parseGid, StandInState, type StandInCancelJob, type StandInOrder } from './state.js';
import { checkLatency, latencyOf, type Latency } from '../latency.js';

const API_VERSION = '2026-10';
const MAX_QUERY_COST = 1000;

export type ShopifyFault =
  | { kind: 'http-error'; status: number }
  | { kind: 'timeout' }
  | { kind: 'malformed-json' }
  | { kind: 'reset' }
  /** Runs the request (an order really gets created), then drops the connection unanswered. */
  | { kind: 'lost-response'; operation?: string }
  /**
   * Holds the next request of `operation` unanswered until `releaseHeld()` (a request in
   * flight when its client dies). `before-run`: not run yet; released, it runs as Shopify runs
   * a request it got before the client went away. `after-run`: it ran (an order exists);
   * released, only the answer goes out.
   */
  | { kind: 'hold'; operation: string; phase: 'before-run' | 'after-run' };

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

export interface RequestLogEntry {
  at: number;
  operation: string | null;
  /** The variables as JSON: tells a retry of one logical request from a different request. */
  variables: string;
  outcome: 'ok' | 'throttled' | 'graphql-error' | 'unauthorized' | 'fault';
  requestedCost: number | null;
  /** What the bucket was charged once the query ran (Shopify refunds the rest); null when it did not run. */
  actualCost?: number | null;
  available: number | null;
}

export interface WebhookDelivery {
  webhookId: string;
  topic: string;
  url: string;
  attempts: number;
  delivered: boolean;
  lastStatus: number | null;
}

export interface ShopifyStandIn {
  url: string;
  shopDomain: string;
  accessToken: string;
  apiSecret: string;
  state: StandInState;
  counters: { requests: number; throttled: number; faults: number; ordersCreated: number; byOperation: Record<string, number> };
  requestLog: RequestLogEntry[];
  deliveries: WebhookDelivery[];
  /** Replace the catalogue. */
  seed(catalogue: Catalogue | GenerateCatalogueOptions): Catalogue;
  /** Make the next `count` GraphQL requests fail this way. */
  injectFault(fault: ShopifyFault, count?: number): void;
  /** Drops the faults not used up yet (the outage is over). */
  clearFaults(): void;
  /** How many requests a `hold` fault holds right now. */
  heldCount(): number;
  /** Lets every held request go on (run it and/or answer it); returns how many there were. */
  releaseHeld(): number;
  setBucket(bucket: { maximumAvailable?: number; restoreRate?: number; currentlyAvailable?: number }): void;
  /** Send every webhook (besides subscriptions) to this URL too; null stops it. */
  setWebhookTarget(url: string | null): void;
  setStock(inventoryItemId: string | number, locationId: string | number, available: number): void;
  addProduct(product: Partial<StandInProduct> & { title: string }): StandInProduct;
  editProduct(productId: string | number, patch: Partial<Omit<StandInProduct, 'id'>>): StandInProduct;
  deleteProduct(productId: string | number): void;
  /** The merchant fulfils the whole order: fulfillments/create, orders/fulfilled and orders/updated webhooks. */
  fulfilOrder(orderId: string | number, tracking: { number: string; company: string; url?: string }): void;
  /**
   * The merchant cancels the order in the admin (restocking by default, as the admin does):
   * orders/cancelled, orders/updated and, per restocked level, inventory_levels/update webhooks.
   */
  cancelOrder(
    orderId: string | number,
    reason?: 'CUSTOMER' | 'INVENTORY' | 'FRAUD' | 'DECLINED' | 'OTHER' | 'STAFF',
    options?: { restock?: boolean; staffNote?: string },
  ): void;
  /** A signed webhook as Shopify would send it (for replay and forgery tests). */
  buildWebhook(
    topic: string,
    payload: unknown,
    options?: { webhookId?: string; triggeredAt?: Date; secret?: string },
  ): { headers: Record<string, string>; body: string };
  close(): Promise<void>;
}

const graphqlBody = z.object({
  query: z.string(),
  variables: z.record(z.string(), z.unknown()).nullish(),
  operationName: z.string().nullish(),
});

function numericId(id: string | number, type: string): number {
  if (typeof id === 'number') return id;
  const g = parseGid(id);
  if (!g || g.type !== type) throw new Error(`not a ${type} id: ${id}`);
  return g.id;
}

/** Converts a subscription topic enum (INVENTORY_LEVELS_UPDATE) to its header form (inventory_levels/update). */
export function topicHeader(topic: string): string {
  const i = topic.lastIndexOf('_');
  return `${topic.slice(0, i)}/${topic.slice(i + 1)}`.toLowerCase();
}

/**
 * Starts a Shopify Admin API stand-in on 127.0.0.1: it executes GraphQL against the real
 * 2026-10 schema, checks the token, applies the cost bucket, runs bulk operations, creates
 * orders, signs and sends webhooks, and injects faults on demand.
 */
export async function startShopifyStandIn(options: ShopifyStandInOptions = {}): Promise<ShopifyStandIn> {
  const schema = loadAdminSchema();
  const accessToken = options.accessToken ?? `shpat_${randomUUID().replace(/-/g, '')}`;
  const apiSecret = options.apiSecret ?? `shpss_${randomUUID().replace(/-/g, '')}`;
  const shopDomain = options.shopDomain ?? `standin-${randomUUID().slice(0, 8)}.myshopify.com`;
  const state = new StandInState();
  if (options.currency) state.currencyCode = options.currency;
  const bucket = {
    maximumAvailable: options.bucket?.maximumAvailable ?? 2000,
    restoreRate: options.bucket?.restoreRate ?? 100,
    available: options.bucket?.maximumAvailable ?? 2000,
    at: Date.now(),
  };
  const faults: ShopifyFault[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();
  const held: (() => void)[] = [];
  const counters = { requests: 0, throttled: 0, faults: 0, ordersCreated: 0, byOperation: {} as Record<string, number> };
  const requestLog: RequestLogEntry[] = [];
  const deliveries: WebhookDelivery[] = [];
  let webhookTarget: string | null = null;
  let closed = false;
  let baseUrl = '';

  const later = (ms: number, fn: () => void) => {
    if (closed) return;
    const t = setTimeout(() => {
      timers.delete(t);
      if (!closed) fn();
    }, ms);
    timers.add(t);
  };

  const refill = () => {
    const now = Date.now();
    bucket.available = Math.min(bucket.maximumAvailable, bucket.available + ((now - bucket.at) / 1000) * bucket.restoreRate);
    bucket.at = now;
  };
  const throttleStatus = () => ({
    maximumAvailable: bucket.maximumAvailable,
    currentlyAvailable: Math.floor(bucket.available),
    restoreRate: bucket.restoreRate,
  });

  // ---- webhooks
  const signedWebhook = (
    topic: string,
    payload: unknown,
    o: { webhookId?: string; triggeredAt?: Date; secret?: string } = {},
  ) => {
    const body = JSON.stringify(payload);
    return {
      body,
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': topic.includes('/') ? topic : topicHeader(topic),
        'x-shopify-hmac-sha256': createHmac('sha256', o.secret ?? apiSecret)
          .update(body)
          .digest('base64'),
        'x-shopify-shop-domain': shopDomain,
        'x-shopify-api-version': API_VERSION,
        'x-shopify-webhook-id': o.webhookId ?? randomUUID(),
        'x-shopify-event-id': randomUUID(),
        'x-shopify-triggered-at': (o.triggeredAt ?? new Date()).toISOString(),
      },
    };
  };
  const deliver = (delivery: WebhookDelivery, msg: { headers: Record<string, string>; body: string }) => {
    delivery.attempts += 1;
    void fetch(delivery.url, { method: 'POST', headers: msg.headers, body: msg.body, signal: AbortSignal.timeout(5000) })
      .then(async (res) => {
        await res.arrayBuffer();
        return res.status;
      })
      .catch(() => 0)
      .then((status) => {
        delivery.lastStatus = status || null;
        if (status >= 200 && status < 300) delivery.delivered = true;
        else {
          const delays = options.webhookRetryDelaysMs ?? [20, 40, 80, 160, 320, 640, 1280, 2560];
          const wait = delays[delivery.attempts - 1];
          // Same webhook id on every retry, as Shopify does.
          if (wait !== undefined) later(wait, () => deliver(delivery, msg));
        }
      });
  };
  const emit = (topicEnum: string, payload: unknown) => {
    const urls = new Set(state.webhooks.filter((w) => w.topic === topicEnum).map((w) => w.uri));
    if (webhookTarget) urls.add(webhookTarget);
    for (const url of urls) {
      const msg = signedWebhook(topicEnum, payload);
      const delivery: WebhookDelivery = {
        webhookId: msg.headers['x-shopify-webhook-id'],
        topic: topicHeader(topicEnum),
        url,
        attempts: 0,
        delivered: false,
        lastStatus: null,
      };
      deliveries.push(delivery);
      deliver(delivery, msg);
    }
  };
  const productPayload = (p: StandInProduct) => ({
    id: p.id,
    admin_graphql_api_id: gid('Product', p.id),
    title: p.title,
    handle: p.handle,
    status: p.status.toLowerCase(),
    vendor: p.vendor,
    product_type: p.productType,
    tags: p.tags.join(', '),
    created_at: p.createdAt,
    updated_at: p.updatedAt,
    variants: p.variants.map((v) => ({
      id: v.id,
      product_id: p.id,
      admin_graphql_api_id: gid('ProductVariant', v.id),
      title: v.title,
      sku: v.sku,
      price: v.price,
      position: v.position,
      inventory_item_id: v.inventoryItemId,
      inventory_quantity: [...(state.stock.get(v.inventoryItemId)?.values() ?? [])].reduce((a, b) => a + b, 0),
    })),
  });
  const fulfillmentPayload = (o: StandInOrder, f: StandInOrder['fulfillments'][number], index: number) => ({
    id: f.id,
    admin_graphql_api_id: gid('Fulfillment', f.id),
    order_id: o.id,
    name: `${o.name}.${index + 1}`,
    status: f.status.toLowerCase(),
    service: 'manual',
    created_at: f.createdAt,
    updated_at: f.createdAt,
    shipment_status: null,
    tracking_company: f.trackingInfo[0]?.company ?? null,
    tracking_number: f.trackingInfo[0]?.number ?? null,
    tracking_numbers: f.trackingInfo.map((t) => t.number).filter((n): n is string => n !== null),
    tracking_url: f.trackingInfo[0]?.url ?? null,
    tracking_urls: f.trackingInfo.map((t) => t.url).filter((u): u is string => u !== null),
    line_items: o.lineItems.map(lineItemPayload),
  });
  const lineItemPayload = (li: StandInOrder['lineItems'][number]) => ({
    id: li.id,
    admin_graphql_api_id: gid('LineItem', li.id),
    variant_id: li.variantId,
    sku: li.sku,
    title: li.title,
    quantity: li.quantity,
    price: li.price,
  });
  const orderPayload = (o: StandInOrder) => ({
    id: o.id,
    admin_graphql_api_id: gid('Order', o.id),
    name: o.name,
    created_at: o.createdAt,
    updated_at: o.updatedAt,
    source_name: o.sourceName,
    source_identifier: o.sourceIdentifier,
    cancelled_at: o.cancelledAt,
    cancel_reason: o.cancelReason?.toLowerCase() ?? null,
    fulfillment_status: o.fulfillments.some((f) => f.status === 'SUCCESS') ? 'fulfilled' : null,
    tags: o.tags.join(', '),
    line_items: o.lineItems.map(lineItemPayload),
    fulfillments: o.fulfillments.map((f, i) => fulfillmentPayload(o, f, i)),
  });
  const levelPayload = (itemId: number, locationId: number, available: number) => ({
    inventory_item_id: itemId,
    location_id: locationId,
    available,
    updated_at: new Date().toISOString(),
    admin_graphql_api_id: `gid://shopify/InventoryLevel/${locationId}?inventory_item_id=${itemId}`,
  });
  // An order's updatedAt always moves forward, even within one millisecond, so `updated_at:>=` polls see every change.
  const touchOrder = (o: StandInOrder): string => {
    o.updatedAt = new Date(Math.max(Date.now(), Date.parse(o.updatedAt) + 1)).toISOString();
    return o.updatedAt;
  };
  const applyCancellation = (o: StandInOrder, c: CancelOptions) => {
    o.cancelledAt = touchOrder(o);
    o.cancelReason = c.reason;
    o.cancellation = { staffNote: c.staffNote, restocked: c.restock, refunded: c.refund, notifiedCustomer: c.notifyCustomer };
    if (c.restock) {
      for (const li of o.lineItems) {
        if (li.locationId === null || li.locationId === undefined || li.variantId === null) continue;
        const found = state.variantById(li.variantId);
        if (!found) continue;
        const levels = state.stock.get(found.variant.inventoryItemId) ?? new Map<number, number>();
        const available = (levels.get(li.locationId) ?? 0) + li.quantity;
        levels.set(li.locationId, available);
        state.stock.set(found.variant.inventoryItemId, levels);
        emit('INVENTORY_LEVELS_UPDATE', levelPayload(found.variant.inventoryItemId, li.locationId, available));
      }
    }
    emit('ORDERS_CANCELLED', orderPayload(o));
    emit('ORDERS_UPDATED', orderPayload(o));
  };

  // ---- bulk
  const runBulk = (id: number) => {
    const op = state.bulkOps.find((b) => b.id === id);
    if (!op) return;
    op.status = 'RUNNING';
    later(options.bulkDelayMs ?? 50, () => {
      if (op.status !== 'RUNNING') return; // cancelled meanwhile
      const ctx: ExecContext = { bulk: true };
      const result = execute({ schema, document: parse(op.query), rootValue: root, contextValue: ctx });
      if ('then' in result || result.errors?.length) {
        op.status = 'FAILED';
        op.errorCode = 'INTERNAL_SERVER_ERROR';
        return;
      }
      const lines: string[] = [];
      let roots = 0;
      const emitNode = (node: Record<string, unknown>, parentId: string | null) => {
        if (typeof node.id !== 'string') return; // e.g. a media node that is not an image
        const own: Record<string, unknown> = {};
        const children: Record<string, unknown>[] = [];
        for (const [k, v] of Object.entries(node)) {
          const conn =
            v && typeof v === 'object' && !Array.isArray(v)
              ? (v as { edges?: { node: Record<string, unknown> }[]; nodes?: Record<string, unknown>[] })
              : undefined;
          if (conn && (Array.isArray(conn.edges) || Array.isArray(conn.nodes)))
            children.push(...(conn.edges?.map((e) => e.node) ?? conn.nodes ?? []));
          else own[k] = v;
        }
        if (parentId) own.__parentId = parentId;
        else roots += 1;
        lines.push(JSON.stringify(own));
        for (const child of children) emitNode(child, node.id);
      };
      for (const top of Object.values(result.data ?? {})) {
        const conn = top as { edges?: { node: Record<string, unknown> }[]; nodes?: Record<string, unknown>[] };
        for (const node of conn.edges?.map((e) => e.node) ?? conn.nodes ?? []) emitNode(node, null);
      }
      op.jsonl = lines.length ? `${lines.join('\n')}\n` : null;
      op.objectCount = lines.length;
      op.rootObjectCount = roots;
      op.fileSize = op.jsonl ? Buffer.byteLength(op.jsonl) : null;
      op.status = 'COMPLETED';
      op.completedAt = new Date().toISOString();
    });
  };

  const root = rootValue(state, {
    schema,
    startBulk(query) {
      // 2026-01 and later: up to five bulk queries of an app run at once per shop (before: one, OPERATION_IN_PROGRESS).
      const running = state.bulkOps.filter((b) => b.status === 'CREATED' || b.status === 'RUNNING').length;
      if (running >= (options.maxConcurrentBulkQueries ?? 5))
        return { error: { code: 'LIMIT_REACHED', message: 'Bulk operations limit reached. Please try again later.' } };
      const op = {
        id: state.id(),
        query,
        status: 'CREATED' as const,
        createdAt: new Date().toISOString(),
        completedAt: null,
        objectCount: 0,
        rootObjectCount: 0,
        fileSize: null,
        errorCode: null,
        jsonl: null,
      };
      state.bulkOps.push(op);
      // Built after this answer has left (it waits out the simulated latency): a big export blocks
      // this process for seconds, where Shopify builds it on other machines.
      const maxLatencyMs =
        options.latencyMs === undefined ? 0 : typeof options.latencyMs === 'number' ? options.latencyMs : options.latencyMs.max;
      later(maxLatencyMs + 1, () => runBulk(op.id));
      return { id: op.id };
    },
    onOrderCreated(order, changedLevels) {
      counters.ordersCreated += 1;
      emit('ORDERS_CREATE', orderPayload(order));
      for (const l of changedLevels) emit('INVENTORY_LEVELS_UPDATE', levelPayload(l.itemId, l.locationId, l.available));
    },
    startCancel(order, cancel) {
      const job: StandInCancelJob = { id: state.id(), orderId: order.id, done: false, status: 'STARTED', errors: [] };
      state.cancelJobs.push(job);
      later(options.cancelDelayMs ?? 30, () => {
        if (order.cancelledAt) {
          job.errors.push({ field: ['orderId'], message: 'Order has already been cancelled', code: 'INVALID' });
          job.status = 'FAILED';
        } else {
          applyCancellation(order, cancel);
          job.status = 'SUCCEEDED';
        }
        job.done = true;
      });
      return job;
    },
  });

  // ---- HTTP
  checkLatency(options.latencyMs, 'Shopify stand-in');
  const send = (res: ServerResponse, status: number, body: unknown, requestId: string) => {
    const text = JSON.stringify(body);
    const answer = () => {
      if (res.destroyed) return;
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'x-request-id': requestId,
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
    };
    // The bucket was charged on arrival (as Shopify does); only the answer takes the latency.
    const delayMs = latencyOf(options.latencyMs);
    if (delayMs > 0) later(delayMs, answer);
    else answer();
  };

  const handleGraphql = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const requestId = randomUUID();
    counters.requests += 1;
    const log: RequestLogEntry = {
      at: Date.now(),
      operation: null,
      variables: '{}',
      outcome: 'ok',
      requestedCost: null,
      available: null,
    };
    requestLog.push(log);
    if (req.headers['x-shopify-access-token'] !== accessToken) {
      log.outcome = 'unauthorized';
      return send(
        res,
        401,
        { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' },
        requestId,
      );
    }
    // A lost response needs the request to run first; it is applied after execution.
    const fault = faults[0]?.kind === 'lost-response' || faults[0]?.kind === 'hold' ? undefined : faults.shift();
    if (fault) {
      counters.faults += 1;
      log.outcome = 'fault';
      if (fault.kind === 'http-error') return send(res, fault.status, { errors: 'Internal Server Error' }, requestId);
      if (fault.kind === 'timeout') return void hanging.add(res);
      if (fault.kind === 'reset') return void req.socket.destroy();
      res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': requestId });
      return void res.end('{"data": {"products": {"nodes": [');
    }
    const body = graphqlBody.safeParse(safeJson(raw));
    if (!body.success) return send(res, 400, { errors: { query: 'Required parameter missing or invalid' } }, requestId);
    const variables = body.data.variables ?? {};
    log.variables = JSON.stringify(variables);
    let document: DocumentNode;
    try {
      document = parse(body.data.query);
    } catch (err) {
      log.outcome = 'graphql-error';
      return send(res, 200, { errors: [{ message: (err as Error).message, extensions: { code: 'PARSE_ERROR' } }] }, requestId);
    }
    const ops = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    const op = (body.data.operationName ? ops.find((o) => o.name?.value === body.data.operationName) : ops[0]) ?? ops[0];
    log.operation = op?.name?.value ?? null;
    counters.byOperation[log.operation ?? '(anonymous)'] = (counters.byOperation[log.operation ?? '(anonymous)'] ?? 0) + 1;
    const invalid = validate(schema, document);
    if (invalid.length > 0 || !op) {
      log.outcome = 'graphql-error';
      return send(
        res,
        200,
        {
          errors: invalid.map((e) => ({
            message: e.message,
            locations: e.locations,
            extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
          })),
        },
        requestId,
      );
    }
    const fragments = Object.fromEntries(
      document.definitions
        .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
        .map((f) => [f.name.value, f]),
    );
    const cost = requestedCost(schema, op, fragments, variables);
    log.requestedCost = cost;
    refill();
    log.available = Math.floor(bucket.available);
    if (cost > MAX_QUERY_COST) {
      log.outcome = 'graphql-error';
      return send(
        res,
        200,
        {
          errors: [
            {
              message: `Query cost is ${cost}, which exceeds the single query max cost limit (${MAX_QUERY_COST}).`,
              extensions: { code: 'MAX_COST_EXCEEDED', cost, maxCost: MAX_QUERY_COST },
            },
          ],
          extensions: { cost: { requestedQueryCost: cost, actualQueryCost: null, throttleStatus: throttleStatus() } },
        },
        requestId,
      );
    }
    if (cost > bucket.available) {
      counters.throttled += 1;
      log.outcome = 'throttled';
      return send(
        res,
        200,
        {
          errors: [
            {
              message: 'Throttled',
              extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' },
            },
          ],
          extensions: { cost: { requestedQueryCost: cost, actualQueryCost: null, throttleStatus: throttleStatus() } },
        },
        requestId,
      );
    }
    const hold = (phase: 'before-run' | 'after-run', then: () => void): boolean => {
      const pending = faults[0];
      if (pending?.kind !== 'hold' || pending.phase !== phase || pending.operation !== log.operation) return false;
      faults.shift();
      counters.faults += 1;
      hanging.add(res);
      held.push(() => {
        hanging.delete(res);
        then();
      });
      return true;
    };
    if (
      hold('before-run', () =>
        runAndAnswer(req, res, requestId, log, op, document, variables, cost, body.data.operationName ?? undefined),
      )
    )
      return;
    runAndAnswer(req, res, requestId, log, op, document, variables, cost, body.data.operationName ?? undefined, hold);
  };

  const runAndAnswer = (
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
    log: RequestLogEntry,
    op: OperationDefinitionNode,
    document: DocumentNode,
    variables: Record<string, unknown>,
    cost: number,
    operationName: string | undefined,
    hold?: (phase: 'after-run', then: () => void) => boolean,
  ) => {
    bucket.available -= cost;
    const ctx: ExecContext = { bulk: false };
    const result = execute({ schema, document, rootValue: root, contextValue: ctx, variableValues: variables, operationName });
    if ('then' in result) throw new Error('stand-in resolvers are synchronous');
    const actual = actualCost(result.data, cost, op.operation === 'mutation');
    bucket.available += cost - actual;
    log.actualCost = actual;
    if (result.errors?.length) log.outcome = 'graphql-error';
    const pending = faults[0];
    if (pending?.kind === 'lost-response' && (!pending.operation || pending.operation === log.operation)) {
      faults.shift();
      counters.faults += 1;
      log.outcome = 'fault';
      return void req.socket.destroy();
    }
    const data = result.data
      ? JSON.parse(JSON.stringify(result.data).replaceAll('__BULK_URL__', `${baseUrl}/bulk`))
      : result.data;
    const answer = () =>
      send(
        res,
        200,
        {
          ...(result.errors?.length ? { errors: result.errors.map((e) => e.toJSON()) } : {}),
          data,
          extensions: { cost: { requestedQueryCost: cost, actualQueryCost: actual, throttleStatus: throttleStatus() } },
        },
        requestId,
      );
    if (hold?.('after-run', answer)) return;
    answer();
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://x');
      try {
        if (req.method === 'POST' && url.pathname === `/admin/api/${API_VERSION}/graphql.json`)
          return handleGraphql(req, res, raw);
        const bulk = /^\/bulk\/(\d+)\.jsonl$/.exec(url.pathname);
        if (req.method === 'GET' && bulk) {
          const op = state.bulkOps.find((b) => b.id === Number(bulk[1]));
          if (!op?.jsonl) return send(res, 404, { errors: 'Not Found' }, randomUUID());
          res.writeHead(200, { 'content-type': 'application/jsonl' });
          return void res.end(op.jsonl);
        }
        send(res, 404, { errors: 'Not Found' }, randomUUID());
      } catch (err) {
        send(res, 500, { errors: (err as Error).message }, randomUUID());
      }
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const seed = (c: Catalogue | GenerateCatalogueOptions) => {
    const catalogue =
      'locations' in c && Array.isArray((c as Catalogue).products)
        ? (c as Catalogue)
        : generateCatalogue(c as GenerateCatalogueOptions);
    state.load(catalogue);
    return catalogue;
  };
  if (options.catalogue) seed(options.catalogue);

  const findProduct = (id: string | number) => {
    const n = numericId(id, 'Product');
    const p = state.products.find((x) => x.id === n);
    if (!p) throw new Error(`no product ${id}`);
    return p;
  };
  const findOrder = (id: string | number) => {
    const n = numericId(id, 'Order');
    const o = state.orders.find((x) => x.id === n);
    if (!o) throw new Error(`no order ${id}`);
    return o;
  };

  return {
    url: baseUrl,
    shopDomain,
    accessToken,
    apiSecret,
    state,
    counters,
    requestLog,
    deliveries,
    seed,
    injectFault(fault, count = 1) {
      for (let i = 0; i < count; i++) faults.push(fault);
    },
    clearFaults() {
      faults.length = 0;
    },
    heldCount() {
      return held.length;
    },
    releaseHeld() {
      const waiting = held.splice(0);
      // The client may be gone (killed): the request still runs, its answer reaches no one.
      for (const go of waiting) go();
      return waiting.length;
    },
    setBucket(b) {
      refill();
      if (b.maximumAvailable !== undefined) bucket.maximumAvailable = b.maximumAvailable;
      if (b.restoreRate !== undefined) bucket.restoreRate = b.restoreRate;
      bucket.available = Math.min(bucket.maximumAvailable, b.currentlyAvailable ?? bucket.available);
    },
    setWebhookTarget(url) {
      webhookTarget = url;
    },
    setStock(itemId, locationId, available) {
      const item = numericId(itemId, 'InventoryItem');
      const loc = numericId(locationId, 'Location');
      const levels = state.stock.get(item) ?? new Map<number, number>();
      levels.set(loc, available);
      state.stock.set(item, levels);
      emit('INVENTORY_LEVELS_UPDATE', levelPayload(item, loc, available));
    },
    addProduct(input) {
      const id = state.id();
      const now = new Date().toISOString();
      const product: StandInProduct = {
        handle: `product-${id}`,
        status: 'ACTIVE',
        vendor: 'Stand-in',
        productType: '',
        tags: [],
        descriptionHtml: '',
        options: [{ name: 'Title', values: ['Default Title'] }],
        media: [],
        variants: [],
        ...input,
        id,
        createdAt: now,
        updatedAt: now,
      };
      if (product.variants.length === 0) {
        const itemId = state.id();
        product.variants = [
          {
            id: state.id(),
            title: 'Default Title',
            sku: null,
            price: '10.00',
            compareAtPrice: null,
            barcode: null,
            position: 1,
            selectedOptions: [{ name: 'Title', value: 'Default Title' }],
            inventoryItemId: itemId,
            tracked: true,
            weight: null,
          },
        ];
      }
      for (const v of product.variants)
        if (!state.stock.has(v.inventoryItemId))
          state.stock.set(v.inventoryItemId, new Map(state.locations.map((l) => [l.id, 0])));
      state.products.push(product);
      emit('PRODUCTS_CREATE', productPayload(product));
      return product;
    },
    editProduct(productId, patch) {
      const p = findProduct(productId);
      // updatedAt always moves forward, even within one millisecond.
      const now = new Date(Math.max(Date.now(), Date.parse(p.updatedAt) + 1)).toISOString();
      Object.assign(p, patch, { updatedAt: now });
      emit('PRODUCTS_UPDATE', productPayload(p));
      return p;
    },
    deleteProduct(productId) {
      const p = findProduct(productId);
      state.products.splice(state.products.indexOf(p), 1);
      // Deleting a product deletes its inventory items, as in Shopify.
      for (const v of p.variants) state.stock.delete(v.inventoryItemId);
      emit('PRODUCTS_DELETE', { id: p.id });
    },
    fulfilOrder(orderId, tracking) {
      const o = findOrder(orderId);
      const f = {
        id: state.id(),
        status: 'SUCCESS' as const,
        createdAt: touchOrder(o),
        trackingInfo: [{ number: tracking.number, company: tracking.company, url: tracking.url ?? null }],
      };
      o.fulfillments.push(f);
      emit('FULFILLMENTS_CREATE', fulfillmentPayload(o, f, o.fulfillments.length - 1));
      // The stand-in fulfils every line item at once, so the order is now fulfilled.
      emit('ORDERS_FULFILLED', orderPayload(o));
      emit('ORDERS_UPDATED', orderPayload(o));
    },
    cancelOrder(orderId, reason = 'CUSTOMER', o = {}) {
      applyCancellation(findOrder(orderId), {
        reason,
        restock: o.restock ?? true,
        refund: false,
        notifyCustomer: false,
        staffNote: o.staffNote ?? null,
      });
    },
    buildWebhook: (topic, payload, o) => signedWebhook(topic, payload, o),
    async close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const res of hanging) res.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
