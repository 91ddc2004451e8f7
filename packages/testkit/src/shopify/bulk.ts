import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { execute, parse } from 'graphql';
import { send } from './http.js';
import type { ExecContext } from './resolvers.js';
import type { ShopifyServerState, StandInBulkOperation } from './state.js';

// Bulk operations: bulkOperationRunQuery starts one, it runs a moment later over the whole
// catalogue, and its result is a JSONL file the stand-in serves under /bulk/<id>.jsonl.

/** Where bulk result files are served: the resolvers answer with `__BULK_URL__/<id>.jsonl`, the server puts this in. */
export function bulkResultsUrl(s: ShopifyServerState): string {
  return `${s.baseUrl}/bulk`;
}

/** Starts a bulk query, unless the app already runs as many as Shopify allows at once. */
export function startBulk(s: ShopifyServerState, query: string): { id: number } | { error: { code: string; message: string } } {
  const { store } = s;
  // 2026-01 and later: up to five bulk queries of an app run at once per shop (before: one, OPERATION_IN_PROGRESS).
  const running = store.bulkOps.filter((b) => b.status === 'CREATED' || b.status === 'RUNNING').length;
  if (running >= s.config.maxConcurrentBulkQueries)
    return { error: { code: 'LIMIT_REACHED', message: 'Bulk operations limit reached. Please try again later.' } };
  const op: StandInBulkOperation = {
    id: store.id(),
    query,
    status: 'CREATED',
    createdAt: new Date().toISOString(),
    completedAt: null,
    objectCount: 0,
    rootObjectCount: 0,
    fileSize: null,
    errorCode: null,
    jsonl: null,
  };
  store.bulkOps.push(op);
  // Built after this answer has left (it waits out the simulated latency): a big export blocks
  // this process for seconds, where Shopify builds it on other machines.
  const latency = s.config.latencyMs;
  const maxLatencyMs = latency === undefined ? 0 : typeof latency === 'number' ? latency : latency.max;
  s.later(maxLatencyMs + 1, () => runBulk(s, op.id));
  return { id: op.id };
}

function runBulk(s: ShopifyServerState, id: number): void {
  const op = s.store.bulkOps.find((b) => b.id === id);
  if (!op) return;
  op.status = 'RUNNING';
  s.later(s.config.bulkDelayMs, () => {
    if (op.status !== 'RUNNING') return; // cancelled meanwhile
    const ctx: ExecContext = { bulk: true };
    const result = execute({ schema: s.schema, document: parse(op.query), rootValue: s.rootValue, contextValue: ctx });
    if ('then' in result || result.errors?.length) {
      op.status = 'FAILED';
      op.errorCode = 'INTERNAL_SERVER_ERROR';
      return;
    }
    const { lines, roots } = jsonlLines(result.data ?? {});
    op.jsonl = lines.length ? `${lines.join('\n')}\n` : null;
    op.objectCount = lines.length;
    op.rootObjectCount = roots;
    op.fileSize = op.jsonl ? Buffer.byteLength(op.jsonl) : null;
    op.status = 'COMPLETED';
    op.completedAt = new Date().toISOString();
  });
}

/**
 * A bulk query's result as Shopify's JSONL: one line per node, connections flattened, a nested
 * node after its parent with `__parentId`.
 */
function jsonlLines(data: Record<string, unknown>): { lines: string[]; roots: number } {
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
  for (const top of Object.values(data)) {
    const conn = top as { edges?: { node: Record<string, unknown> }[]; nodes?: Record<string, unknown>[] };
    for (const node of conn.edges?.map((e) => e.node) ?? conn.nodes ?? []) emitNode(node, null);
  }
  return { lines, roots };
}

/** Serves `GET /bulk/<id>.jsonl`; false when the path is not a bulk result's. */
export function serveBulkResult(
  s: ShopifyServerState,
  method: string | undefined,
  pathname: string,
  res: ServerResponse,
): boolean {
  const bulk = /^\/bulk\/(\d+)\.jsonl$/.exec(pathname);
  if (method !== 'GET' || !bulk) return false;
  const op = s.store.bulkOps.find((b) => b.id === Number(bulk[1]));
  if (!op?.jsonl) send(s, res, 404, { errors: 'Not Found' }, randomUUID());
  else {
    res.writeHead(200, { 'content-type': 'application/jsonl' });
    res.end(op.jsonl);
  }
  return true;
}
