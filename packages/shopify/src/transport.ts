import '@shopify/shopify-api/adapters/node';
import {
  ApiVersion,
  GraphqlQueryError,
  HttpRequestError,
  HttpResponseError,
  LogSeverity,
  shopifyApi,
  type GraphqlClient,
} from '@shopify/shopify-api';
import { setAbstractFetchFunc } from '@shopify/shopify-api/runtime';
import type { Logger } from '@shoptok/logger';
import { scrubSecrets } from '@shoptok/logger';
import type { Cluster, Redis } from 'ioredis';
import type { z } from 'zod';
import {
  ShopifyAuthError,
  ShopifyClientError,
  ShopifyConfigError,
  ShopifyGraphqlError,
  ShopifyRateLimitError,
  ShopifyResponseShapeError,
  ShopifyTransientError,
} from './errors.js';
import { CostPacer } from './pacer.js';
import { costExtension } from './schemas.js';

export type FetchFn = typeof fetch;

export interface TransportOptions {
  /** `<shop>.myshopify.com`. */
  storeDomain: string;
  /** Admin API access token of the custom store app (`shpat_…`). */
  accessToken: string;
  /** The app's API secret key (the library requires it; webhooks are signed with it). */
  apiSecretKey: string;
  apiVersion?: '2026-10';
  redis: Redis | Cluster;
  keyPrefix: string;
  storeId: string;
  logger?: Logger;
  /** Send this store's requests to another origin (e.g. `http://127.0.0.1:4100`, the stand-in). */
  endpoint?: string;
  /** The fetch used for this store's requests; defaults to the global fetch. */
  fetch?: FetchFn;
  /** Per-request timeout. Default 30 s. */
  timeoutMs?: number;
  /** Retries of 5xx, network errors, timeouts and unreadable bodies. Default 3. */
  maxTransientRetries?: number;
  /** Longest the client waits for the cost bucket before handing the wait to the queue. Default 20 s. */
  maxThrottleWaitMs?: number;
  /** Base of the exponential backoff for transient failures. Default 300 ms. */
  backoffBaseMs?: number;
  /** Told about every GraphQL request sent (metrics); must not throw, and is never awaited. */
  onApiCall?: (call: ShopifyApiCall) => void;
}

/** One Admin API request as the observer sees it (no token, query or variables). */
export interface ShopifyApiCall {
  api: 'shopify';
  operation: string;
  /** HTTP status; undefined when no answer came (network error, timeout). */
  status: number | undefined;
  /** Answered THROTTLED in a 200 (the cost bucket), apart from an HTTP 429. */
  throttled: boolean;
}

// @shopify/shopify-api sends every request through one process-wide fetch hook (the adapter's
// `abstractFetch`). We install a router there once: requests for a store with its own endpoint
// or fetch go there, everything else goes to the global fetch. Nothing global is patched.
interface Route {
  endpoint: string | undefined;
  fetch: FetchFn | undefined;
  users: number;
}
const routes = new Map<string, Route>();

const routedFetch: FetchFn = (input, init) => {
  const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
  const route = routes.get(url.host);
  const target = route?.endpoint ? new URL(url.pathname + url.search, route.endpoint).href : url.href;
  return (route?.fetch ?? globalThis.fetch)(route ? target : input, init);
};

function addRoute(host: string, endpoint: string | undefined, fetchFn: FetchFn | undefined): void {
  const existing = routes.get(host);
  if (existing) {
    if (existing.endpoint !== endpoint || existing.fetch !== fetchFn) {
      throw new ShopifyConfigError(
        `Two Shopify clients in this process point ${host} at different endpoints; give each store one endpoint.`,
      );
    }
    existing.users += 1;
    return;
  }
  routes.set(host, { endpoint, fetch: fetchFn, users: 1 });
}

function dropRoute(host: string): void {
  const route = routes.get(host);
  if (route && --route.users <= 0) routes.delete(host);
}

export interface GraphqlResult<T> {
  data: T;
  requestId: string | undefined;
  cost: z.infer<typeof costExtension> | undefined;
}

const DEFAULT_COST_ESTIMATE = 50;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function headerValue(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === name) return Array.isArray(v) ? String(v[0]) : String(v);
  }
  return undefined;
}

/**
 * Sends validated GraphQL operations for one store through @shopify/shopify-api: paced on the
 * shared cost bucket, throttles waited out, transient failures retried, data zod-checked.
 */
export class GraphqlTransport {
  readonly pacer: CostPacer;
  private readonly client: GraphqlClient;
  private readonly host: string;
  private readonly costEstimates = new Map<string, number>();
  private readonly secrets: string[];
  private closed = false;

  constructor(private readonly options: TransportOptions) {
    if (!/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/i.test(options.storeDomain)) {
      throw new ShopifyConfigError(`storeDomain must be the store's <name>.myshopify.com domain, got "${options.storeDomain}".`);
    }
    if (!options.accessToken)
      throw new ShopifyConfigError('accessToken is empty: set the Admin API access token of the custom app.');
    if (!options.apiSecretKey) throw new ShopifyConfigError('apiSecretKey is empty: set the custom app API secret key.');
    if ((options.apiVersion ?? '2026-10') !== '2026-10')
      throw new ShopifyConfigError('Only Admin API 2026-10 is supported: every operation is validated against that schema.');
    this.secrets = [options.accessToken, options.apiSecretKey];
    this.host = options.storeDomain.toLowerCase();
    this.pacer = new CostPacer(options.redis, options.keyPrefix, options.storeId);
    const log = options.logger;
    const api = shopifyApi({
      apiSecretKey: options.apiSecretKey,
      adminApiAccessToken: options.accessToken,
      isCustomStoreApp: true,
      isEmbeddedApp: false,
      apiVersion: ApiVersion.October26,
      // Only used for OAuth redirects, which a custom store app never does.
      hostName: 'localhost',
      logger: {
        level: LogSeverity.Warning,
        httpRequests: false,
        log: async (severity, message) => {
          log?.[severity <= LogSeverity.Error ? 'warn' : 'debug'](
            { store: options.storeId },
            scrubSecrets(message, this.secrets),
          );
        },
      },
    });
    addRoute(this.host, options.endpoint, options.fetch);
    // The adapter import may have reset the hook; the client captures it when constructed.
    setAbstractFetchFunc(routedFetch);
    this.client = new api.clients.Graphql({ session: api.session.customAppSession(options.storeDomain) });
  }

  /** Stops routing this store's requests (call when the client is discarded). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    dropRoute(this.host);
  }

  /** The fetch this store's plain HTTP downloads (bulk results) go through. */
  download(url: string, init?: RequestInit): Promise<Response> {
    return (this.options.fetch ?? globalThis.fetch)(url, {
      ...init,
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
    });
  }

  /** Runs one operation and parses its `data` with `schema`. */
  async request<S extends z.ZodType>(
    operation: string,
    query: string,
    variables: Record<string, unknown>,
    schema: S,
    options: { notIdempotent?: boolean } = {},
  ): Promise<GraphqlResult<z.infer<S>>> {
    const maxTransient = this.options.maxTransientRetries ?? 3;
    const maxWait = this.options.maxThrottleWaitMs ?? 20_000;
    let transientFailures = 0;
    let throttles = 0;
    for (;;) {
      const estimate = this.costEstimates.get(operation) ?? DEFAULT_COST_ESTIMATE;
      const waitMs = await this.pacer.reserve(estimate);
      if (waitMs > maxWait) {
        await this.pacer.reconcileRefund(estimate);
        throw new ShopifyRateLimitError(
          `Shopify cost bucket for ${this.options.storeDomain} needs ${waitMs} ms to refill; pausing this store's queue.`,
          waitMs,
          { code: 'THROTTLED', operation },
        );
      }
      if (waitMs > 0) {
        this.options.logger?.debug(
          { store: this.options.storeId, operation, waitMs, estimate },
          'shopify: pacing to the cost bucket',
        );
        await sleep(waitMs);
      }
      try {
        const response = await this.client.request(query, {
          variables,
          retries: 0,
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
        });
        this.observe({ api: 'shopify', operation, status: 200, throttled: false });
        const requestId = headerValue(response.headers, 'x-request-id');
        const cost = costExtension.safeParse(response.extensions?.cost);
        if (cost.success) {
          this.costEstimates.set(operation, cost.data.requestedQueryCost);
          await this.pacer.reconcile(
            estimate,
            cost.data.actualQueryCost ?? cost.data.requestedQueryCost,
            cost.data.throttleStatus,
          );
        }
        const parsed = schema.safeParse(response.data);
        if (!parsed.success) {
          throw new ShopifyResponseShapeError(`Shopify ${operation} returned data we did not expect: ${parsed.error.message}`, {
            operation,
            requestId,
          });
        }
        return { data: parsed.data, requestId, cost: cost.success ? cost.data : undefined };
      } catch (err) {
        if (err instanceof ShopifyClientError) throw err;
        this.observe(observedFailure(err, operation));
        const outcome = await this.classify(err, operation, estimate);
        if (outcome.kind === 'throttled') {
          throttles += 1;
          this.options.logger?.info(
            { store: this.options.storeId, operation, throttles, retryAfterMs: outcome.retryAfterMs },
            'shopify: throttled, waiting for the bucket',
          );
          if (outcome.retryAfterMs > maxWait || throttles > 5) {
            throw new ShopifyRateLimitError(
              `Shopify throttled ${operation} for ${this.options.storeDomain}; pausing this store's queue.`,
              outcome.retryAfterMs,
              { code: 'THROTTLED', operation, requestId: outcome.requestId },
            );
          }
          // The next reserve() waits exactly for the bucket to refill; a 429 may add its own wait.
          if (outcome.extraWaitMs > 0) await sleep(outcome.extraWaitMs);
          continue;
        }
        transientFailures += 1;
        // A mutation that may have reached Shopify must not be sent twice (orderCreate has no
        // idempotency key); its caller decides what to do with an unknown outcome.
        if (options.notIdempotent || transientFailures > maxTransient) throw outcome.error;
        const backoff = (this.options.backoffBaseMs ?? 300) * 2 ** (transientFailures - 1);
        const jittered = Math.round(backoff / 2 + Math.random() * backoff);
        this.options.logger?.warn(
          { store: this.options.storeId, operation, attempt: transientFailures, backoffMs: jittered, err: outcome.error.message },
          'shopify: transient failure, retrying',
        );
        await sleep(jittered);
      }
    }
  }

  private observe(call: ShopifyApiCall): void {
    try {
      this.options.onApiCall?.(call);
    } catch (err) {
      this.options.logger?.warn(
        { store: this.options.storeId, err: err instanceof Error ? err.message : String(err) },
        'shopify api call observer failed',
      );
    }
  }

  private async classify(
    err: unknown,
    operation: string,
    estimate: number,
  ): Promise<
    | { kind: 'throttled'; retryAfterMs: number; extraWaitMs: number; requestId: string | undefined }
    | { kind: 'transient'; error: ShopifyTransientError }
  > {
    const scrub = (text: string) => scrubSecrets(text, this.secrets);
    if (err instanceof GraphqlQueryError) {
      const requestId = headerValue(err.headers, 'x-request-id');
      const body = err.body as { errors?: { graphQLErrors?: unknown }; extensions?: { cost?: unknown } } | undefined;
      const gqlErrors = Array.isArray(body?.errors?.graphQLErrors)
        ? (body.errors.graphQLErrors as { message?: string; extensions?: { code?: string } }[])
        : [];
      const codes = gqlErrors.map((e) => e.extensions?.code).filter((c): c is string => typeof c === 'string');
      const messages = gqlErrors.map((e) => scrub(String(e.message ?? 'unknown error')));
      const cost = costExtension.safeParse(body?.extensions?.cost);
      if (codes.includes('THROTTLED')) {
        // Not charged: give the reservation back, then align with the live bucket.
        if (cost.success) {
          this.costEstimates.set(operation, cost.data.requestedQueryCost);
          await this.pacer.reconcile(estimate, 0, cost.data.throttleStatus);
          const missing = cost.data.requestedQueryCost - cost.data.throttleStatus.currentlyAvailable;
          return {
            kind: 'throttled',
            retryAfterMs: Math.max(0, (missing / cost.data.throttleStatus.restoreRate) * 1000),
            extraWaitMs: 0,
            requestId,
          };
        }
        await this.pacer.reconcileRefund(estimate);
        return { kind: 'throttled', retryAfterMs: 1000, extraWaitMs: 1000, requestId };
      }
      if (cost.success) await this.pacer.reconcile(estimate, cost.data.actualQueryCost ?? 0, cost.data.throttleStatus);
      else await this.pacer.reconcileRefund(estimate);
      const code = codes[0];
      if (code === 'ACCESS_DENIED') {
        throw new ShopifyAuthError(
          `Shopify denied ${operation}: the app lacks a scope it needs (${messages.join('; ')}). Grant the scope in the custom app and reinstall it.`,
          { code, operation, requestId },
        );
      }
      if (code === 'INTERNAL_SERVER_ERROR') {
        return {
          kind: 'transient',
          error: new ShopifyTransientError(`Shopify had an internal error on ${operation}: ${messages.join('; ')}`, 200, {
            code,
            operation,
            requestId,
          }),
        };
      }
      throw new ShopifyGraphqlError(`Shopify refused ${operation}: ${messages.join('; ')}`, messages, false, {
        code,
        operation,
        requestId,
      });
    }
    // No charge can be confirmed for a request that failed at the HTTP level.
    await this.pacer.reconcileRefund(estimate);
    if (err instanceof HttpResponseError) {
      const status = err.response.code;
      const requestId = headerValue(err.response.headers, 'x-request-id');
      const where = `${operation} on ${this.options.storeDomain}`;
      if (status === 401 || status === 403) {
        throw new ShopifyAuthError(
          `Shopify answered ${status} to ${where}: the Admin API access token is wrong or revoked. Set a valid token for this store.`,
          { code: String(status), operation, requestId },
        );
      }
      if (status === 402 || status === 404 || status === 423) {
        const why =
          status === 402
            ? 'the shop is frozen (unpaid)'
            : status === 404
              ? 'no such shop; check storeDomain'
              : 'the shop is locked';
        throw new ShopifyConfigError(`Shopify answered ${status} to ${where}: ${why}.`, {
          code: String(status),
          operation,
          requestId,
        });
      }
      if (status === 429) {
        const retryAfter = Number(headerValue(err.response.headers, 'retry-after'));
        const ms = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : 1000;
        return { kind: 'throttled', retryAfterMs: ms, extraWaitMs: ms, requestId };
      }
      if (status >= 500 || status === 200) {
        const what = status === 200 ? 'an unreadable response body' : `HTTP ${status}`;
        return {
          kind: 'transient',
          error: new ShopifyTransientError(`Shopify returned ${what} for ${where}.`, status, {
            code: String(status),
            operation,
            requestId,
          }),
        };
      }
      throw new ShopifyGraphqlError(`Shopify answered HTTP ${status} to ${where}.`, [], false, {
        code: String(status),
        operation,
        requestId,
      });
    }
    if (err instanceof HttpRequestError) {
      return {
        kind: 'transient',
        error: new ShopifyTransientError(
          `No response from Shopify for ${operation} (network error or timeout): ${scrub(err.message)}`,
          undefined,
          { operation },
        ),
      };
    }
    const message = err instanceof Error ? err.message : String(err);
    throw new ShopifyClientError(`Unexpected failure calling Shopify ${operation}: ${scrub(message)}`, false, { operation });
  }
}

/** What the observer is told about a request that threw: its status and whether it was THROTTLED. */
function observedFailure(err: unknown, operation: string): ShopifyApiCall {
  if (err instanceof GraphqlQueryError) {
    const body = err.body as { errors?: { graphQLErrors?: unknown } } | undefined;
    const gqlErrors = Array.isArray(body?.errors?.graphQLErrors)
      ? (body.errors.graphQLErrors as { extensions?: { code?: unknown } }[])
      : [];
    return { api: 'shopify', operation, status: 200, throttled: gqlErrors.some((e) => e.extensions?.code === 'THROTTLED') };
  }
  if (err instanceof HttpResponseError) return { api: 'shopify', operation, status: err.response.code, throttled: false };
  return { api: 'shopify', operation, status: undefined, throttled: false };
}
