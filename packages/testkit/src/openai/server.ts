import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

// The fake's own view of the Chat Completions API (what the openai SDK sends). Kept
// independent from any client code: a client bug cannot hide in a shared schema.
const messageSchema = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
  content: z
    .union([z.string(), z.array(z.object({ type: z.string(), text: z.string().optional() }).passthrough()), z.null()])
    .optional(),
});
const responseFormatSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    json_schema: z.object({
      name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
      schema: z.record(z.string(), z.unknown()),
      strict: z.boolean().nullish(),
      description: z.string().optional(),
    }),
  }),
]);
const chatRequestSchema = z
  .object({
    model: z.string().min(1),
    messages: z.array(messageSchema).min(1),
    response_format: responseFormatSchema.optional(),
    temperature: z.number().min(0).max(2).nullish(),
    max_tokens: z.number().int().positive().nullish(),
    max_completion_tokens: z.number().int().positive().nullish(),
    stream: z.literal(false).nullish(),
  })
  .passthrough();

/** A request the fake received, parsed. */
export type FakeChatRequest = z.output<typeof chatRequestSchema>;

/** What the fake answers to one request; `delayMs` makes it slow. */
export type FakeReply = (
  | { kind: 'json'; content: unknown }
  | { kind: 'text'; content: string }
  | { kind: 'refusal'; refusal: string }
  | { kind: 'truncated'; content?: string }
  | { kind: 'error'; status: number; message?: string; type?: string; code?: string; headers?: Record<string, string> }
) & { delayMs?: number; usage?: { prompt_tokens: number; completion_tokens: number } };

/** Chooses the reply to the n-th request (0-based). */
export type FakeResponder = (request: FakeChatRequest, n: number) => FakeReply | Promise<FakeReply>;

export interface FakeOpenAIOptions {
  /**
   * The one API key the fake accepts (Bearer). Default "sk-fake-test-key-0001". `null`: a keyless
   * local server (Ollama, LM Studio, vLLM without --api-key) that takes any or no Authorization.
   */
  apiKey?: string | null;
  /** Models the fake knows; others get 404 model_not_found. Default: gpt-4o-mini. */
  models?: readonly string[];
  /** Default: an answer built from the request's JSON schema (first enum value, empty strings). */
  respond?: FakeResponder;
  /**
   * How long every completion takes, as a real model does (a range is drawn uniformly per
   * request). A reply's own `delayMs` wins. Default 0.
   */
  latencyMs?: number | { min: number; max: number };
}

export interface FakeOpenAI {
  /** Base URL for the SDK's `baseURL`, e.g. http://127.0.0.1:41234/v1 */
  baseURL: string;
  /** `''` for a keyless server. */
  apiKey: string;
  /** Every chat request that passed auth and validation, in order. */
  requests: FakeChatRequest[];
  /** Every HTTP request received, including those rejected (auth, validation, unknown model). */
  readonly received: number;
  /** Replies used before `respond`, first in first out. */
  enqueue(...replies: FakeReply[]): void;
  setResponder(respond: FakeResponder): void;
  close(): Promise<void>;
}

/**
 * A local OpenAI-compatible server for tests: `POST /v1/chat/completions` with Bearer auth,
 * request validation, `response_format` json_schema, usage counts and `x-request-id`, plus
 * scripted misbehaviour (malformed JSON, refusals, truncation, HTTP errors, slow answers).
 * Listens on 127.0.0.1, port 0.
 */
export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const apiKey = options.apiKey === undefined ? 'sk-fake-test-key-0001' : options.apiKey;
  const models = new Set(options.models ?? ['gpt-4o-mini']);
  let respond: FakeResponder = options.respond ?? ((req) => ({ kind: 'json', content: answerFromSchema(req) }));
  const queue: FakeReply[] = [];
  const requests: FakeChatRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let served = 0;
  let received = 0;

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) =>
      sendError(res, 500, { message: `fake server error: ${(err as Error).message}`, type: 'server_error' }),
    );
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    received += 1;
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'POST' || !(path === '/v1/chat/completions' || path === '/chat/completions')) {
      sendError(res, 404, {
        message: `Unknown request URL: ${req.method} ${path}`,
        type: 'invalid_request_error',
        code: 'unknown_url',
      });
      return;
    }
    const auth = req.headers.authorization ?? '';
    if (apiKey !== null && auth !== `Bearer ${apiKey}`) {
      sendError(res, 401, { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' });
      return;
    }
    const raw = await readBody(req);
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      sendError(res, 400, { message: 'We could not parse the JSON body of your request.', type: 'invalid_request_error' });
      return;
    }
    const parsed = chatRequestSchema.safeParse(body);
    if (!parsed.success) {
      sendError(res, 400, {
        message: `Invalid request: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        type: 'invalid_request_error',
      });
      return;
    }
    const request = parsed.data;
    if (!models.has(request.model)) {
      sendError(res, 404, {
        message: `The model \`${request.model}\` does not exist or you do not have access to it.`,
        type: 'invalid_request_error',
        code: 'model_not_found',
      });
      return;
    }
    requests.push(request);
    const n = served++;
    const reply = queue.shift() ?? (await respond(request, n));
    const delayMs = reply.delayMs ?? latencyOf(options.latencyMs);
    if (delayMs > 0) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          timers.delete(t);
          resolve();
        }, delayMs);
        timers.add(t);
        res.on('close', () => {
          clearTimeout(t);
          timers.delete(t);
          resolve();
        });
      });
      if (res.destroyed || res.writableEnded) return;
    }
    send(res, request, reply);
  }

  function send(res: ServerResponse, request: FakeChatRequest, reply: FakeReply): void {
    if (reply.kind === 'error') {
      sendError(
        res,
        reply.status,
        {
          message: reply.message ?? `fake error ${reply.status}`,
          type: reply.type ?? (reply.status === 429 ? 'rate_limit_exceeded' : 'server_error'),
          code: reply.code,
        },
        reply.headers,
      );
      return;
    }
    const content =
      reply.kind === 'json'
        ? JSON.stringify(reply.content)
        : reply.kind === 'text'
          ? reply.content
          : reply.kind === 'truncated'
            ? (reply.content ?? '{"categoryId": "')
            : null;
    const promptChars = request.messages.reduce(
      (sum, m) => sum + (typeof m.content === 'string' ? m.content.length : JSON.stringify(m.content ?? '').length),
      0,
    );
    const usage = reply.usage ?? {
      prompt_tokens: Math.ceil(promptChars / 4),
      completion_tokens: Math.ceil((content ?? reply.kind).length / 4),
    };
    const completion = {
      id: `chatcmpl-${randomBytes(8).toString('hex')}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: request.model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content, refusal: reply.kind === 'refusal' ? reply.refusal : null },
          logprobs: null,
          finish_reason: reply.kind === 'truncated' ? 'length' : 'stop',
        },
      ],
      usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
    };
    writeJson(res, 200, completion);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    apiKey: apiKey ?? '',
    requests,
    get received() {
      return received;
    },
    enqueue: (...replies) => void queue.push(...replies),
    setResponder: (fn) => {
      respond = fn;
    },
    close: async () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function latencyOf(latency: FakeOpenAIOptions['latencyMs']): number {
  if (latency === undefined) return 0;
  if (typeof latency === 'number') return latency;
  return latency.min + Math.random() * (latency.max - latency.min);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function writeJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-request-id': `req_${randomBytes(12).toString('hex')}`,
    ...headers,
  });
  res.end(text);
}

function sendError(
  res: ServerResponse,
  status: number,
  error: { message: string; type: string; code?: string },
  headers?: Record<string, string>,
): void {
  writeJson(res, status, { error: { message: error.message, type: error.type, param: null, code: error.code ?? null } }, headers);
}

/** The user message of a request (the last one), as text. */
export function lastUserMessage(request: FakeChatRequest): string {
  const m = [...request.messages].reverse().find((x) => x.role === 'user');
  if (!m || m.content === null || m.content === undefined) return '';
  return typeof m.content === 'string' ? m.content : m.content.map((p) => p.text ?? '').join('');
}

/** The JSON schema a request asked for (response_format json_schema), if any. */
export function requestedSchema(request: FakeChatRequest): Record<string, unknown> | undefined {
  return request.response_format?.type === 'json_schema' ? request.response_format.json_schema.schema : undefined;
}

/** A value that satisfies the request's JSON schema: first enum value, "" for strings, [] for arrays. */
export function answerFromSchema(request: FakeChatRequest): unknown {
  const schema = requestedSchema(request);
  return schema ? fromSchema(schema, schema) : {};
}

/** What a perfect model knows about one request: the right ids, and text for string fields. */
export interface LabelledAnswer {
  /** The right answers, most specific first (e.g. a leaf id, then its department's id). */
  ids: readonly string[];
  /** Values for string properties, by property name; others are "". */
  strings?: Record<string, string>;
}

/**
 * A responder that plays a perfect model, to measure a ceiling: wherever the requested schema
 * offers an enum, it answers the first of the labelled ids the enum contains (an array of enum
 * gets that one id), and the enum's first value when none is offered, as a model would have to.
 * So the answer is right exactly when the request offered the right answer. `label` returns
 * undefined for a request it knows nothing about: the default schema-shaped answer.
 */
export function labelledAnswerResponder(label: (request: FakeChatRequest) => LabelledAnswer | undefined): FakeResponder {
  return (request) => {
    const schema = requestedSchema(request);
    const known = label(request);
    if (!schema || !known) return { kind: 'json', content: answerFromSchema(request) };
    return { kind: 'json', content: fromSchema(schema, schema, known) };
  };
}

function fromSchema(node: unknown, root: Record<string, unknown>, known?: LabelledAnswer, name?: string): unknown {
  if (!node || typeof node !== 'object') return null;
  const s = node as Record<string, unknown>;
  if (typeof s.$ref === 'string') {
    const target = s.$ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>((acc, key) => (acc as Record<string, unknown> | undefined)?.[key], root);
    return fromSchema(target, root, known, name);
  }
  if (Array.isArray(s.enum)) return (known && s.enum.find((v) => known.ids.includes(String(v)))) ?? s.enum[0];
  if ('const' in s) return s.const;
  if (Array.isArray(s.anyOf)) return fromSchema(s.anyOf[0], root, known, name);
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries((s.properties as Record<string, unknown>) ?? {}))
        out[k] = fromSchema(v, root, known, k);
      return out;
    }
    case 'array': {
      // An array of enum values (e.g. "choose departments") gets the labelled one.
      const items = s.items as Record<string, unknown> | undefined;
      return known && items && (Array.isArray(items.enum) || typeof items.$ref === 'string')
        ? [fromSchema(items, root, known)]
        : [];
    }
    case 'string':
      return (name !== undefined && known?.strings?.[name]) || '';
    case 'number':
    case 'integer':
      return 0;
    case 'boolean':
      return false;
    default:
      return null;
  }
}
