import { randomInt } from 'node:crypto';
import got from 'got';
import type { Logger } from '@shoptok/logger';
import { scrubSecrets } from '@shoptok/logger';
import { z } from 'zod';
import { EXPIRED_TOKEN_CODE, RATE_LIMITED_CODE, errorForCode } from './classify.js';
import { TikTokAuthError, TikTokError, TikTokRateLimitError, TikTokResponseShapeError, TikTokTransientError } from './errors.js';
import { parseJsonSafe } from './json.js';
import { type TikTokPacer, sleep } from './pacing.js';
import { signRequest } from './sign.js';
import type { TikTokTokenStore } from './tokens.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** One Open API call, described by the client's operations. */
export interface ApiRequest<T> {
  method: HttpMethod;
  /** Concrete path, e.g. `/product/202309/products/1729...`. */
  path: string;
  /** The path template the rate limit is counted on, e.g. `/product/202309/products/{product_id}`. */
  api: string;
  /** Endpoint query parameters (strings only; empty values are never sent, see §1.1). */
  query?: Record<string, string | number | undefined>;
  /** Shop-scoped endpoints carry `shop_cipher`; the others must not (36009004). */
  shopScoped: boolean;
  json?: unknown;
  form?: FormData;
  /** Safe to resend after a timeout or 5xx (reads, full-state writes, keyed creates). */
  idempotent: boolean;
  data: z.ZodType<T>;
  /** Served before this process's other waiters for the same API (a webhook's one-item push during a full sync). */
  priority?: boolean;
}

export interface TikTokHttpOptions {
  appKey: string;
  appSecret: string;
  apiBase: string;
  shopCipher?: string;
  /** Where the access token comes from (the token store; a fixed token while authorizing a shop). */
  tokens: Pick<TikTokTokenStore, 'accessToken' | 'refresh'>;
  pacer: TikTokPacer;
  logger?: Logger;
  /** Per-attempt request timeout (default 20 s; uploads get 60 s). */
  requestTimeoutMs?: number;
  uploadTimeoutMs?: number;
  /** Attempts for transient failures of idempotent calls (default 3). */
  maxAttempts?: number;
  /** Base of the exponential backoff with full jitter (default 300 ms). */
  backoffBaseMs?: number;
  now?: () => number;
  /** Told about every request sent (metrics); must not throw, and is never awaited. */
  onApiCall?: (call: TikTokApiCall) => void;
}

/** One Open API request as the observer sees it (no URL, token or body: nothing secret). */
export interface TikTokApiCall {
  api: 'tiktok';
  /** e.g. `GET /order/202309/orders`. */
  operation: string;
  /** HTTP status; undefined when no answer came (network error, timeout). */
  status: number | undefined;
  /** Rate limited by code 36009002 without an HTTP 429. */
  throttled: boolean;
}

const envelopeSchema = z.object({
  code: z.number().int(),
  message: z.string().default(''),
  request_id: z.string().optional(),
  data: z.unknown().optional(),
});

/** Fresh slots one call takes at most after stale grants (a machine that stays starved sends anyway). */
const MAX_FRESH_SLOTS = 3;

// 429 answers carry no documented wait; TikTok recommends random exponential backoff (§4).
const RATE_LIMIT_BASE_WAIT_MS = 1_000;

/** Signing, tokens, pacing, retries and error typing for every Open API call. */
export class TikTokHttp {
  private readonly now: () => number;
  private readonly secretValues: string[];

  constructor(private readonly options: TikTokHttpOptions) {
    this.now = options.now ?? Date.now;
    this.secretValues = [options.appSecret];
  }

  /** Sends one call and returns its parsed `data`; throws a typed {@link TikTokError}. */
  async call<T>(req: ApiRequest<T>): Promise<T> {
    const operation = `${req.method} ${req.api}`;
    const maxAttempts = req.idempotent ? (this.options.maxAttempts ?? 3) : 1;
    let refreshed = false;
    let lastError: TikTokError | undefined;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      // Token first, slot last: the request should leave right after it got its slot.
      const accessToken = await this.options.tokens.accessToken();
      let grantedAt = await this.options.pacer.acquire(operation, undefined, req.priority);
      // A grant this process sat on (GC pause, starved CPU) would leave bunched with later ones: take a fresh slot.
      for (let fresh = 0; fresh < MAX_FRESH_SLOTS && this.options.pacer.isStale(grantedAt); fresh++) {
        this.options.logger?.debug({ operation }, 'tiktok slot granted too long ago: taking a fresh one');
        grantedAt = await this.options.pacer.acquire(operation, undefined, req.priority);
      }
      try {
        return await this.send(req, operation, accessToken, attempt);
      } catch (err) {
        if (!(err instanceof TikTokError)) throw err;
        lastError = err;
        if (err.code === EXPIRED_TOKEN_CODE && !refreshed) {
          // Expired token: refresh once (one process of the fleet does it) and retry once.
          refreshed = true;
          await this.options.tokens.refresh(accessToken);
          attempt -= 1;
          continue;
        }
        if (err instanceof TikTokRateLimitError) {
          // Hold the whole fleet off this API, then let the worker pause (no attempt spent).
          await this.options.pacer.block(operation, err.retryAfterMs);
          throw err;
        }
        if (!err.retryable || attempt >= maxAttempts) throw err;
        const base = this.options.backoffBaseMs ?? 300;
        const waitMs = randomInt(0, base * 2 ** (attempt - 1) + 1);
        this.options.logger?.warn(
          { operation, attempt, code: err.code, requestId: err.requestId, waitMs },
          'tiktok call failed, retrying',
        );
        await sleep(waitMs);
      }
    }
    throw lastError ?? new TikTokTransientError(`TikTok call ${operation} failed`, { operation });
  }

  private async send<T>(req: ApiRequest<T>, operation: string, accessToken: string, attempt: number): Promise<T> {
    const query: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined && v !== '') query[k] = String(v);
    query.app_key = this.options.appKey;
    query.timestamp = String(Math.floor(this.now() / 1000));
    if (req.shopScoped) {
      if (!this.options.shopCipher) {
        throw new TikTokAuthError(
          `${operation} needs the shop cipher: set shopCipher (from getAuthorizedShops) for this store.`,
          'shopCipher',
          { operation },
        );
      }
      query.shop_cipher = this.options.shopCipher;
    }
    const headers: Record<string, string> = { 'x-tts-access-token': accessToken };
    let body: string | FormData | undefined;
    let contentType: string | undefined;
    if (req.form) {
      body = req.form;
      contentType = 'multipart/form-data'; // got sets the boundary; the body is not signed either way
    } else if (req.json !== undefined) {
      const json = JSON.stringify(req.json);
      // An unfiltered search serialises to `{}`: like TikTok's official Node SDK, send (and sign) no
      // body then; how the server treats a literal `{}` is unconfirmed (API-FACTS "Unconfirmed / gaps").
      if (json !== '{}') body = json;
      contentType = 'application/json';
      headers['content-type'] = contentType;
    }
    const sign = signRequest({
      appSecret: this.options.appSecret,
      path: req.path,
      query,
      body: typeof body === 'string' ? body : undefined,
      contentType,
    });
    const url = `${this.options.apiBase}${req.path}?${new URLSearchParams({ ...query, sign }).toString()}`;
    const started = this.now();
    let status: number;
    let text: string;
    let retryAfter: string | undefined;
    try {
      const res = await got(url, {
        method: req.method,
        headers,
        body,
        throwHttpErrors: false,
        retry: { limit: 0 }, // we retry ourselves: every attempt needs a fresh timestamp and sign
        timeout: { request: req.form ? (this.options.uploadTimeoutMs ?? 60_000) : (this.options.requestTimeoutMs ?? 20_000) },
      });
      status = res.statusCode;
      text = res.body;
      retryAfter = res.headers['retry-after'];
    } catch (err) {
      this.observe({ api: 'tiktok', operation, status: undefined, throttled: false });
      // got's error keeps the URL and headers (token); keep only its code and a scrubbed message.
      const code = err instanceof Error && 'code' in err ? String((err as { code: unknown }).code) : 'network error';
      const message = err instanceof Error ? scrubSecrets(err.message, this.secretValues) : 'unknown';
      this.options.logger?.warn(
        { operation, attempt, errorCode: code, durationMs: this.now() - started },
        'tiktok call did not complete',
      );
      throw new TikTokTransientError(`TikTok did not answer ${operation} (${code}: ${message}).`, { operation });
    }
    let parsed: unknown;
    try {
      parsed = parseJsonSafe(text);
    } catch {
      this.observe({ api: 'tiktok', operation, status, throttled: false });
      if (status === 429) throw this.rateLimited(operation, status, undefined, retryAfter, attempt);
      throw new TikTokTransientError(`TikTok answered ${operation} with HTTP ${status} and a body that is not JSON.`, {
        operation,
        httpStatus: status,
      });
    }
    const envelope = envelopeSchema.safeParse(parsed);
    this.observe({
      api: 'tiktok',
      operation,
      status,
      throttled: status !== 429 && envelope.success && envelope.data.code === RATE_LIMITED_CODE,
    });
    if (!envelope.success) {
      if (status === 429) throw this.rateLimited(operation, status, undefined, retryAfter, attempt);
      if (status >= 500)
        throw new TikTokTransientError(`TikTok answered ${operation} with HTTP ${status}.`, { operation, httpStatus: status });
      // TikTok always wraps its answers: a body without the envelope came from something in
      // between (a proxy, a gateway, a load balancer) and is worth another try, like a 5xx.
      throw new TikTokTransientError(
        `TikTok answered ${operation} with HTTP ${status} but without the {code, message, request_id, data} envelope (a proxy or gateway in between?).`,
        { operation, httpStatus: status },
      );
    }
    const { code, message, request_id: requestId } = envelope.data;
    const details = { operation, requestId, httpStatus: status, code };
    this.options.logger?.debug(
      { operation, requestId, code, httpStatus: status, attempt, durationMs: this.now() - started },
      'tiktok call',
    );
    // Judged by `code`, never by HTTP status alone (§3).
    if (code === RATE_LIMITED_CODE || status === 429) throw this.rateLimited(operation, status, requestId, retryAfter, attempt);
    if (code !== 0) {
      const error = errorForCode(code, message, details);
      this.options.logger?.warn({ operation, requestId, code, httpStatus: status, error: error.name }, 'tiktok call refused');
      throw error;
    }
    if (status >= 500)
      throw new TikTokTransientError(`TikTok answered ${operation} with HTTP ${status} despite code 0.`, details);
    const data = req.data.safeParse(envelope.data.data ?? {});
    if (!data.success) {
      throw new TikTokResponseShapeError(
        `TikTok's answer to ${operation} (request_id ${requestId ?? 'none'}) lacks fields we rely on: ${z.prettifyError(data.error)}`,
        details,
      );
    }
    return data.data;
  }

  private observe(call: TikTokApiCall): void {
    try {
      this.options.onApiCall?.(call);
    } catch (err) {
      this.options.logger?.warn({ err: err instanceof Error ? err.message : String(err) }, 'tiktok api call observer failed');
    }
  }

  private rateLimited(
    operation: string,
    status: number,
    requestId: string | undefined,
    retryAfter: string | undefined,
    attempt: number,
  ): TikTokRateLimitError {
    const seconds = retryAfter !== undefined ? Number(retryAfter) : NaN;
    const waitMs =
      Number.isFinite(seconds) && seconds > 0
        ? seconds * 1000
        : RATE_LIMIT_BASE_WAIT_MS * 2 ** Math.min(attempt - 1, 4) + randomInt(0, 500);
    this.options.logger?.warn({ operation, requestId, httpStatus: status, waitMs }, 'tiktok rate limited');
    return new TikTokRateLimitError(
      `TikTok rate limit hit on ${operation} (request_id ${requestId ?? 'none'}); wait ${waitMs} ms.`,
      waitMs,
      {
        operation,
        requestId,
        httpStatus: status,
        code: RATE_LIMITED_CODE,
      },
    );
  }
}
