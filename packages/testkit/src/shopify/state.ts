import type { ServerResponse } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import type { Catalogue, StandInLocation, StandInProduct, StandInVariant } from './catalogue.js';
import type { Latency } from '../latency.js';
import { Timers } from '../timers.js';

/** An order held by the stand-in. */
export interface StandInOrder {
  id: number;
  name: string;
  createdAt: string;
  updatedAt: string;
  sourceName: string | null;
  sourceIdentifier: string | null;
  tags: string[];
  email: string | null;
  note: string | null;
  cancelledAt: string | null;
  cancelReason: string | null;
  /** `locationId`: where orderCreate took the units from (a cancellation with restock puts them back there). */
  lineItems: {
    id: number;
    variantId: number | null;
    sku: string | null;
    title: string;
    quantity: number;
    price: string | null;
    /** The unit price in the order's presentment currency, when orderCreate gave one. */
    presentmentPrice?: string | null;
    locationId?: number | null;
  }[];
  fulfillments: {
    id: number;
    status: 'SUCCESS' | 'CANCELLED';
    createdAt: string;
    trackingInfo: { number: string | null; company: string | null; url: string | null }[];
  }[];
  inventoryBehaviour: string;
  /** The order's shop currency and the currency its buyer saw (orderCreate `currency`, `presentmentCurrency`). */
  currencyCode?: string;
  presentmentCurrencyCode?: string;
  /** The `order` input of orderCreate as the app sent it (shipping lines, discount, transactions, taxes), for tests to read. */
  createInput?: Record<string, unknown>;
  /** Set by a cancellation: its staff note, and whether the units went back to stock. */
  cancellation?: { staffNote: string | null; restocked: boolean; refunded: boolean; notifiedCustomer: boolean };
}

/** An `orderCancel` job: applied a moment after the mutation answers, as Shopify runs it async. */
export interface StandInCancelJob {
  id: number;
  orderId: number;
  done: boolean;
  status: 'STARTED' | 'SUCCEEDED' | 'FAILED';
  errors: { field: string[] | null; message: string; code: string }[];
}

export interface StandInWebhookSubscription {
  id: number;
  topic: string;
  uri: string;
  createdAt: string;
}

export interface StandInBulkOperation {
  id: number;
  query: string;
  status: 'CREATED' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELED';
  createdAt: string;
  completedAt: string | null;
  objectCount: number;
  rootObjectCount: number;
  fileSize: number | null;
  errorCode: string | null;
  jsonl: string | null;
}

/** What a custom app installed with everything shoptok asks for has. */
export const STANDIN_DEFAULT_SCOPES = [
  'read_products',
  'read_inventory',
  'write_inventory',
  'read_locations',
  'read_orders',
  'write_orders',
  'read_fulfillments',
  'write_fulfillments',
];

/** The stand-in's in-memory store. */
export class StandInState {
  /** The shop's currency (`shop.currencyCode`): Shopify prices and order amounts are in it. */
  currencyCode = 'GBP';
  products: StandInProduct[] = [];
  locations: StandInLocation[] = [{ id: 70_000_001, name: 'Main Warehouse' }];
  shopName = 'Stand-in Store';
  /** Scopes the merchant granted the custom app (AppInstallation.accessScopes); write_X implies read_X. */
  accessScopes: string[] = [...STANDIN_DEFAULT_SCOPES];
  stock = new Map<number, Map<number, number>>();
  orders: StandInOrder[] = [];
  webhooks: StandInWebhookSubscription[] = [];
  bulkOps: StandInBulkOperation[] = [];
  cancelJobs: StandInCancelJob[] = [];
  private nextId = 90_000_000;
  private orderNumber = 1000;

  id(): number {
    return ++this.nextId;
  }

  nextOrderName(): string {
    return `#${++this.orderNumber}`;
  }

  load(catalogue: Catalogue): void {
    this.products = structuredClone(catalogue.products);
    this.locations = structuredClone(catalogue.locations);
    this.stock = new Map([...catalogue.stock].map(([k, v]) => [k, new Map(v)]));
  }

  variantById(id: number): { product: StandInProduct; variant: StandInVariant } | undefined {
    return this.lookUp(this.byVariantId, (v) => v.id, id);
  }

  variantByItem(itemId: number): { product: StandInProduct; variant: StandInVariant } | undefined {
    return this.lookUp(this.byItemId, (v) => v.inventoryItemId, itemId);
  }

  // Indexes for the lookups above: a scan per lookup made bulk exports O(n^2) (minutes at
  // 100,000 SKUs). Tests change products in place, so a hit is checked against the live
  // catalogue (same product at the same position, variant still in it) and any miss rebuilds.
  private byVariantId = new Map<number, { at: number; variant: StandInVariant }>();
  private byItemId = new Map<number, { at: number; variant: StandInVariant }>();

  private lookUp(
    index: Map<number, { at: number; variant: StandInVariant }>,
    key: (v: StandInVariant) => number,
    id: number,
  ): { product: StandInProduct; variant: StandInVariant } | undefined {
    const live = (hit: { at: number; variant: StandInVariant } | undefined) => {
      const product = hit ? this.products[hit.at] : undefined;
      return hit && product && key(hit.variant) === id && product.variants.includes(hit.variant)
        ? { product, variant: hit.variant }
        : undefined;
    };
    const found = live(index.get(id));
    if (found) return found;
    index.clear();
    this.products.forEach((product, at) => {
      for (const variant of product.variants) if (!index.has(key(variant))) index.set(key(variant), { at, variant });
    });
    return live(index.get(id));
  }
}

// ---- the stand-in server: the shop's data above, and what the server keeps around it ------

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

export interface ShopifyCounters {
  requests: number;
  throttled: number;
  faults: number;
  ordersCreated: number;
  byOperation: Record<string, number>;
}

/** What a stand-in runs with: its options with the defaults applied. */
export interface ShopifyServerConfig {
  accessToken: string;
  apiSecret: string;
  shopDomain: string;
  bulkDelayMs: number;
  maxConcurrentBulkQueries: number;
  cancelDelayMs: number;
  webhookRetryDelaysMs: number[];
  latencyMs: Latency | undefined;
}

/**
 * Everything one Shopify stand-in holds, in one object: the shop's data (`store`), the cost
 * bucket, faults and held requests, counters and the request log, webhook deliveries, and the
 * timers of work that finishes later (bulk operations, cancel jobs, retries, delayed answers).
 * Each module of the stand-in works on it.
 */
export class ShopifyServerState {
  readonly store = new StandInState();
  /** The leaky bucket of query cost (`at`: when `available` was last refilled). */
  readonly bucket: { maximumAvailable: number; restoreRate: number; available: number; at: number };
  /** Faults for the next requests, in order. */
  readonly faults: ShopifyFault[] = [];
  /** Requests a `hold` fault holds: calling one lets its request go on. */
  readonly held: (() => void)[] = [];
  /** Requests left unanswered (timeout and hold faults), destroyed on close. */
  readonly hanging = new Set<ServerResponse>();
  readonly counters: ShopifyCounters = { requests: 0, throttled: 0, faults: 0, ordersCreated: 0, byOperation: {} };
  readonly requestLog: RequestLogEntry[] = [];
  readonly deliveries: WebhookDelivery[] = [];
  /** Every webhook (besides subscriptions) also goes here. */
  webhookTarget: string | null = null;
  /** The server's own base URL (bulk result files are served under it); set once it listens. */
  baseUrl = '';
  /** The resolvers' root value; set once at start (the resolvers' hooks need this state first). */
  rootValue: unknown;
  private readonly timers = new Timers();

  constructor(
    readonly config: ShopifyServerConfig,
    readonly schema: GraphQLSchema,
    bucket: { maximumAvailable?: number; restoreRate?: number } = {},
  ) {
    const maximumAvailable = bucket.maximumAvailable ?? 2000;
    this.bucket = { maximumAvailable, restoreRate: bucket.restoreRate ?? 100, available: maximumAvailable, at: Date.now() };
  }

  /** Runs `fn` after `ms` unless the stand-in has stopped by then. */
  later(ms: number, fn: () => void): void {
    this.timers.later(ms, fn);
  }

  /** Nothing scheduled runs any more, and held or hanging requests are dropped. */
  stop(): void {
    this.timers.stop();
    for (const res of this.hanging) res.destroy();
  }
}

/** Parses `gid://shopify/<Type>/<n>`; undefined when it is not one. */
export function parseGid(gid: unknown): { type: string; id: number } | undefined {
  if (typeof gid !== 'string') return undefined;
  const m = /^gid:\/\/shopify\/([A-Za-z]+)\/(\d+)(\?.*)?$/.exec(gid);
  return m ? { type: m[1]!, id: Number(m[2]) } : undefined;
}

export const gid = (type: string, id: number): string => `gid://shopify/${type}/${id}`;

interface Term {
  kind: 'term';
  /** Null for a bare value (default search over several fields). */
  field: string | null;
  op: '=' | '>' | '>=' | '<' | '<=';
  value: string;
  negated: boolean;
}
interface Group {
  kind: 'and' | 'or';
  items: SearchNode[];
  negated: boolean;
}
type SearchNode = Term | Group;

/** A parsed search query (see `parseSearch`). */
export type SearchQuery = SearchNode | null;

// Tokens of Shopify's search grammar: parentheses, quoted strings (backslash escapes), words.
function tokenize(query: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < query.length) {
    const c = query[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '(' || c === ')') {
      tokens.push(c);
      i++;
      continue;
    }
    let word = '';
    while (i < query.length && !/\s/.test(query[i]!) && query[i] !== ')' && !(query[i] === '(' && word === '')) {
      const q = query[i]!;
      if (q === '"' || q === "'") {
        // Keep the quotes in the token so `field:"a b"` stays one term; unescape later.
        let j = i + 1;
        word += q;
        while (j < query.length && query[j] !== q) {
          if (query[j] === '\\' && j + 1 < query.length) {
            word += query[j]! + query[j + 1]!;
            j += 2;
          } else word += query[j++];
        }
        word += q;
        i = j + 1;
      } else if (q === '\\' && i + 1 < query.length) {
        word += q + query[i + 1]!;
        i += 2;
      } else {
        word += q;
        i++;
      }
    }
    tokens.push(word);
  }
  return tokens;
}

function unquote(raw: string): string {
  const quoted = raw.length >= 2 && (raw[0] === '"' || raw[0] === "'") && raw.at(-1) === raw[0];
  const inner = quoted ? raw.slice(1, -1) : raw;
  return inner.replace(/\\(.)/g, '$1');
}

function parseTerm(token: string, negated: boolean): Term {
  const m = /^([A-Za-z_][\w.]*):(>=|<=|>|<)?(.*)$/s.exec(token);
  if (!m) return { kind: 'term', field: null, op: '=', value: unquote(token), negated };
  return { kind: 'term', field: m[1]!, op: (m[2] as Term['op'] | undefined) ?? '=', value: unquote(m[3]!), negated };
}

/**
 * The subset of Shopify search syntax the stand-in understands: `field:[op]value` terms and bare
 * values, quoted values with backslash escapes, `-`/`NOT`, `AND` (implied) and `OR`, parentheses.
 */
export function parseSearch(query: string | null | undefined): SearchQuery {
  if (!query) return null;
  const tokens = tokenize(query);
  let pos = 0;
  const parseOr = (): SearchNode => {
    const items = [parseAnd()];
    while (tokens[pos] === 'OR') {
      pos++;
      items.push(parseAnd());
    }
    return items.length === 1 ? items[0]! : { kind: 'or', items, negated: false };
  };
  const parseAnd = (): SearchNode => {
    const items: SearchNode[] = [];
    while (pos < tokens.length && tokens[pos] !== ')' && tokens[pos] !== 'OR') {
      if (tokens[pos] === 'AND') {
        pos++;
        continue;
      }
      items.push(parseUnary());
    }
    return items.length === 1 ? items[0]! : { kind: 'and', items, negated: false };
  };
  const parseUnary = (): SearchNode => {
    let negated = false;
    if (tokens[pos] === 'NOT') {
      negated = true;
      pos++;
    }
    const token = tokens[pos++] ?? '';
    if (token === '(') {
      const inner = parseOr();
      if (tokens[pos] === ')') pos++;
      return { ...inner, negated: inner.negated !== negated };
    }
    if (token.startsWith('-') && token.length > 1) return parseTerm(token.slice(1), !negated);
    return parseTerm(token, negated);
  };
  const root = parseOr();
  return root.kind !== 'term' && root.items.length === 0 ? null : root;
}

type Accessor = () => string | string[] | null;

/**
 * Applies a parsed query to a record through per-field accessors. Unknown fields match
 * everything, as Shopify ignores them; a bare value matches when any field equals it.
 */
export function matches(query: SearchQuery, get: Record<string, Accessor>): boolean {
  if (!query) return true;
  const evalNode = (node: SearchNode): boolean => {
    let result: boolean;
    if (node.kind === 'term') {
      if (node.field === null) result = Object.values(get).some((a) => compare(a(), '=', node.value));
      else {
        const accessor = get[node.field];
        result = accessor ? compare(accessor(), node.op, node.value) : true;
      }
    } else if (node.kind === 'and') result = node.items.every(evalNode);
    else result = node.items.some(evalNode);
    return node.negated ? !result : result;
  };
  return evalNode(query);
}

function compare(actual: string | string[] | null, op: Term['op'], value: string): boolean {
  if (Array.isArray(actual)) return actual.some((a) => a.toLowerCase() === value.toLowerCase());
  if (actual === null) return false;
  if (op === '=') return actual.toLowerCase() === value.toLowerCase();
  const a = Date.parse(actual);
  const b = Date.parse(value);
  if (op === '>') return a > b;
  if (op === '>=') return a >= b;
  if (op === '<') return a < b;
  return a <= b;
}
