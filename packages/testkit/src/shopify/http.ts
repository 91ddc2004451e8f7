import type { ServerResponse } from 'node:http';
import type { ShopifyServerState } from './state.js';
import { latencyOf } from '../latency.js';

/** Answers with JSON after the simulated latency (the request was already charged on arrival, as Shopify does). */
export function send(s: ShopifyServerState, res: ServerResponse, status: number, body: unknown, requestId: string): void {
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
  const delayMs = latencyOf(s.config.latencyMs);
  if (delayMs > 0) s.later(delayMs, answer);
  else answer();
}
