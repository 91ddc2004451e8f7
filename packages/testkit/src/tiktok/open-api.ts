import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CategoryTree } from './categories.js';
import { ApiFail, type StandInServices } from './context.js';
import { count } from './counters.js';
import { applyFault, holdUntilReleased, takeFault } from './faults.js';
import { admitted, checkCaller } from './gateway.js';
import { envelope, parseBody, send } from './http.js';
import { pathParams, ROUTES } from './routes/index.js';
import type { TikTokStandInState } from './state.js';
import { latencyOf, type Latency } from '../latency.js';

/** What the Open API needs besides the request. */
export interface OpenApiContext {
  state: TikTokStandInState;
  services: StandInServices;
  tree: CategoryTree;
  /** Per (app, shop, API) requests per second. */
  qps: number;
  latencyMs: Latency | undefined;
}

/**
 * Serves one Open API request: finds its route, runs the gateway checks, applies an injected
 * fault, the rate limit and the latency, then runs the handler and answers in TikTok's envelope.
 */
export async function serveOpenApi(
  ctx: OpenApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  raw: Buffer,
): Promise<void> {
  const { state } = ctx;
  const method = req.method ?? 'GET';
  const candidates = ROUTES.filter((r) => r.pattern.test(url.pathname));
  if (candidates.length === 0) {
    if (/^\/\w+\/\d{6}\//.test(url.pathname) && !/^\/\w+\/202309\//.test(url.pathname))
      return send(res, 404, envelope(36009014, 'The version name is invalid, please check and retry.', null));
    return send(res, 404, envelope(36009009, 'Invalid path', null));
  }
  const r = candidates.find((c) => c.method === method);
  if (!r) return send(res, 405, envelope(36009010, 'Invalid HTTP method', null));
  const api = `${method} ${r.template}`;
  state.received.push({ api, bodyBytes: raw.length, contentType: req.headers['content-type'] ?? '' });
  if (state.received.length > 1_000) state.received.shift();

  const checked = checkCaller(state, r, req, url, raw);
  if ('refusal' in checked)
    return send(res, checked.refusal.status, envelope(checked.refusal.code, checked.refusal.message, null));
  const { appKey, appSecret, shop } = checked.caller;

  const counterRow = { appKey, shopId: shop.shopId, api };
  const fault = takeFault(state, shop, api);
  if (fault && (await applyFault(state, fault, shop, counterRow, res))) return;
  if (!admitted(state, ctx.qps, `${appKey}|${shop.shopId}|${api}`)) {
    count(state, counterRow, 'rateLimited');
    return send(res, 429, envelope(36009002, 'Too many requests.', null));
  }
  // Counted against the limit on arrival (as a gateway does); the work and the answer take the latency.
  const delayMs = latencyOf(ctx.latencyMs);
  if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));

  let body: unknown;
  if (r.body === 'json' && raw.length > 0) {
    try {
      body = parseBody(raw);
    } catch {
      count(state, counterRow, 'errors');
      return send(res, 200, envelope(36009022, 'Body is not valid JSON.', null));
    }
  }
  const params = pathParams(r, url.pathname);
  const contentType = req.headers['content-type'] ?? '';
  try {
    const data = await r.handler({
      shop,
      appKey,
      appSecret,
      query: url.searchParams,
      params,
      body,
      raw,
      contentType,
      tree: ctx.tree,
      services: ctx.services,
    });
    count(state, counterRow, 'ok');
    if (fault?.kind === 'hold' && fault.phase === 'after-run') await holdUntilReleased(state);
    return send(res, 200, envelope(0, 'Success', data ?? {}));
  } catch (err) {
    count(state, counterRow, 'errors');
    if (err instanceof ApiFail) return send(res, err.status, envelope(err.code, err.message, null));
    return send(
      res,
      500,
      envelope(36009003, `Internal error. Please try again. (${err instanceof Error ? err.message : 'unknown'})`, null),
    );
  }
}
