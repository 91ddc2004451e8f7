import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
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
import { bulkResultsUrl } from './bulk.js';
import { actualCost, requestedCost } from './cost.js';
import { answerFault, holdIfAsked, takeFaultBeforeRun, takeLostResponse } from './faults.js';
import { charge, costRefusal, hasAccessToken, refill, refund, throttleStatus, UNAUTHORIZED } from './gateway.js';
import { send } from './http.js';
import type { ExecContext } from './resolvers.js';
import type { RequestLogEntry, ShopifyServerState } from './state.js';
import { API_VERSION } from './webhooks.js';

// The Admin GraphQL endpoint: token, faults, parse and validate against the real schema, cost
// and bucket, then the run and the answer with `extensions.cost`.

export const GRAPHQL_PATH = `/admin/api/${API_VERSION}/graphql.json`;

const graphqlBody = z.object({
  query: z.string(),
  variables: z.record(z.string(), z.unknown()).nullish(),
  operationName: z.string().nullish(),
});

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** One request to the GraphQL endpoint, logged in `requestLog` with how it ended. */
export function serveGraphql(s: ShopifyServerState, req: IncomingMessage, res: ServerResponse, raw: string): void {
  const requestId = randomUUID();
  s.counters.requests += 1;
  const log: RequestLogEntry = {
    at: Date.now(),
    operation: null,
    variables: '{}',
    outcome: 'ok',
    requestedCost: null,
    available: null,
  };
  s.requestLog.push(log);
  if (!hasAccessToken(s, req)) {
    log.outcome = 'unauthorized';
    return send(s, res, 401, UNAUTHORIZED, requestId);
  }
  const fault = takeFaultBeforeRun(s);
  if (fault) {
    log.outcome = 'fault';
    return answerFault(s, fault, req, res, requestId);
  }
  const body = graphqlBody.safeParse(safeJson(raw));
  if (!body.success) return send(s, res, 400, { errors: { query: 'Required parameter missing or invalid' } }, requestId);
  const variables = body.data.variables ?? {};
  log.variables = JSON.stringify(variables);
  let document: DocumentNode;
  try {
    document = parse(body.data.query);
  } catch (err) {
    log.outcome = 'graphql-error';
    return send(s, res, 200, { errors: [{ message: (err as Error).message, extensions: { code: 'PARSE_ERROR' } }] }, requestId);
  }
  const ops = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const op = (body.data.operationName ? ops.find((o) => o.name?.value === body.data.operationName) : ops[0]) ?? ops[0];
  log.operation = op?.name?.value ?? null;
  s.counters.byOperation[log.operation ?? '(anonymous)'] = (s.counters.byOperation[log.operation ?? '(anonymous)'] ?? 0) + 1;
  const invalid = validate(s.schema, document);
  if (invalid.length > 0 || !op) {
    log.outcome = 'graphql-error';
    return send(
      s,
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
  const cost = requestedCost(s.schema, op, fragments, variables);
  log.requestedCost = cost;
  refill(s);
  log.available = Math.floor(s.bucket.available);
  const refusal = costRefusal(s, cost);
  if (refusal) {
    if (refusal.outcome === 'throttled') s.counters.throttled += 1;
    log.outcome = refusal.outcome;
    return send(s, res, 200, refusal.body, requestId);
  }
  const run: GraphqlRun = {
    req,
    res,
    requestId,
    log,
    op,
    document,
    variables,
    cost,
    operationName: body.data.operationName ?? undefined,
  };
  if (holdIfAsked(s, res, 'before-run', log.operation, () => runAndAnswer(s, run, false))) return;
  runAndAnswer(s, run, true);
}

/** A request that passed every check, ready to run. */
interface GraphqlRun {
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  log: RequestLogEntry;
  op: OperationDefinitionNode;
  document: DocumentNode;
  variables: Record<string, unknown>;
  cost: number;
  operationName: string | undefined;
}

/** Runs the query and answers; `mayHoldAnswer`: an `after-run` hold may keep the answer back. */
function runAndAnswer(s: ShopifyServerState, run: GraphqlRun, mayHoldAnswer: boolean): void {
  const { req, res, requestId, log, op, document, variables, cost, operationName } = run;
  charge(s, cost);
  const ctx: ExecContext = { bulk: false };
  const result = execute({
    schema: s.schema,
    document,
    rootValue: s.rootValue,
    contextValue: ctx,
    variableValues: variables,
    operationName,
  });
  if ('then' in result) throw new Error('stand-in resolvers are synchronous');
  const actual = actualCost(result.data, cost, op.operation === 'mutation');
  refund(s, cost, actual);
  log.actualCost = actual;
  if (result.errors?.length) log.outcome = 'graphql-error';
  if (takeLostResponse(s, log.operation)) {
    log.outcome = 'fault';
    return void req.socket.destroy();
  }
  const data = result.data ? JSON.parse(JSON.stringify(result.data).replaceAll('__BULK_URL__', bulkResultsUrl(s))) : result.data;
  const answer = () =>
    send(
      s,
      res,
      200,
      {
        ...(result.errors?.length ? { errors: result.errors.map((e) => e.toJSON()) } : {}),
        data,
        extensions: { cost: { requestedQueryCost: cost, actualQueryCost: actual, throttleStatus: throttleStatus(s) } },
      },
      requestId,
    );
  if (mayHoldAnswer && holdIfAsked(s, res, 'after-run', log.operation, answer)) return;
  answer();
}
