import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RedisConnection } from './connection.js';

export interface HealthCheckResult {
  ok: boolean;
  detail?: string;
}

export type HealthChecks = Record<string, () => Promise<HealthCheckResult>>;

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

/** A check that Redis answers PING within a second. */
export function redisHealthCheck(redis: RedisConnection): () => Promise<HealthCheckResult> {
  return async () => {
    try {
      const reply = await Promise.race([
        redis.ping(),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer within 1 s')), 1_000).unref()),
      ]);
      return { ok: reply === 'PONG' };
    } catch (err) {
      return { ok: false, detail: (err as Error).message };
    }
  };
}

/**
 * `GET /healthz` for every long-running app: 200 with the checks when all pass, 503 when one
 * fails (what an orchestrator's liveness/readiness probe wants).
 */
export async function startHealthServer(options: { port: number; host?: string; checks: HealthChecks }): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url !== '/healthz' && req.url !== '/healthz/')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    void (async () => {
      const entries = await Promise.all(
        Object.entries(options.checks).map(async ([name, check]) => [name, await check()] as const),
      );
      const ok = entries.every(([, r]) => r.ok);
      res
        .writeHead(ok ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' })
        .end(JSON.stringify({ ok, checks: Object.fromEntries(entries) }));
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
