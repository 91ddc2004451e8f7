import { labelledAnswerResponder, startFakeOpenAI, type FakeOpenAI } from './index.js';

describe('fake OpenAI server', () => {
  let fake: FakeOpenAI;
  beforeEach(async () => {
    fake = await startFakeOpenAI();
  });
  afterEach(async () => {
    await fake.close();
  });

  const post = (body: unknown, key = fake.apiKey) =>
    fetch(`${fake.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const schemaRequest = {
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'hi' }],
    response_format: {
      type: 'json_schema',
      json_schema: {
        name: 'answer',
        strict: true,
        schema: {
          type: 'object',
          properties: { pick: { type: 'string', enum: ['a', 'b'] }, list: { type: 'array', items: { type: 'string' } } },
          required: ['pick', 'list'],
          additionalProperties: false,
        },
      },
    },
  };

  it('rejects a wrong key with 401 invalid_api_key', async () => {
    const res = await post(schemaRequest, 'sk-wrong-key-000000');
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_api_key');
    expect(fake.requests).toHaveLength(0);
    expect(fake.received).toBe(1);
  });

  it('rejects a malformed request and an unknown model', async () => {
    expect((await post({ model: 'gpt-4o-mini', messages: [] })).status).toBe(400);
    const res = await post({ ...schemaRequest, model: 'gpt-9' });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('model_not_found');
  });

  it('answers from the requested schema by default, with usage and a request id', async () => {
    const res = await post(schemaRequest);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toMatch(/^req_/);
    const body = (await res.json()) as {
      choices: { message: { content: string } }[];
      usage: { prompt_tokens: number; total_tokens: number };
    };
    expect(JSON.parse(body.choices[0]!.message.content)).toEqual({ pick: 'a', list: [] });
    expect(body.usage.prompt_tokens).toBeGreaterThan(0);
    expect(fake.requests).toHaveLength(1);
  });

  it('plays scripted replies in order: malformed text, an error, a truncated answer', async () => {
    fake.enqueue(
      { kind: 'text', content: '{not json' },
      { kind: 'error', status: 429, headers: { 'retry-after': '1' } },
      { kind: 'truncated' },
    );
    const first = (await (await post(schemaRequest)).json()) as { choices: { message: { content: string } }[] };
    expect(first.choices[0]!.message.content).toBe('{not json');
    const second = await post(schemaRequest);
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBe('1');
    const third = (await (await post(schemaRequest)).json()) as { choices: { finish_reason: string }[] };
    expect(third.choices[0]!.finish_reason).toBe('length');
  });

  it('answers slowly when asked, and close() does not wait for a pending slow answer', async () => {
    fake.enqueue({ kind: 'json', content: { pick: 'b', list: [] }, delayMs: 150 });
    const started = Date.now();
    const res = await post(schemaRequest);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(res.status).toBe(200);
    fake.enqueue({ kind: 'json', content: {}, delayMs: 60_000 });
    const pending = post(schemaRequest).catch((err: unknown) => err);
    await new Promise((r) => setImmediate(r));
    const closing = Date.now();
    await fake.close();
    expect(Date.now() - closing).toBeLessThan(5_000);
    expect(String(await pending)).toMatch(/fetch failed|socket|terminated/i);
  });

  it('takes the configured latency for every completion, drawn from a range; a reply with its own delay wins', async () => {
    const slow = await startFakeOpenAI({ latencyMs: { min: 120, max: 180 } });
    try {
      const call = () =>
        fetch(`${slow.baseURL}/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${slow.apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify(schemaRequest),
        });
      for (let i = 0; i < 3; i++) {
        const started = Date.now();
        expect((await call()).status).toBe(200);
        expect(Date.now() - started).toBeGreaterThanOrEqual(115);
      }
      slow.enqueue({ kind: 'json', content: { pick: 'a', list: [] }, delayMs: 0 });
      const started = Date.now();
      expect((await call()).status).toBe(200);
      expect(Date.now() - started).toBeLessThan(115);
    } finally {
      await slow.close();
    }
  });

  it('plays a perfect model with labelledAnswerResponder: the labelled id when the schema offers it, else the first enum value', async () => {
    const oracle = await startFakeOpenAI({
      respond: labelledAnswerResponder((req) =>
        String(req.messages.at(-1)?.content).includes('known') ? { ids: ['leaf-9', 'b'], strings: { note: 'hello' } } : undefined,
      ),
    });
    try {
      const ask = async (content: string, properties: Record<string, unknown>) => {
        const res = await fetch(`${oracle.baseURL}/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${oracle.apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            model: 'gpt-4o-mini',
            messages: [{ role: 'user', content }],
            response_format: {
              type: 'json_schema',
              json_schema: {
                name: 'answer',
                strict: true,
                schema: { type: 'object', properties, required: Object.keys(properties), additionalProperties: false },
              },
            },
          }),
        });
        const body = (await res.json()) as { choices: { message: { content: string } }[] };
        return JSON.parse(body.choices[0]!.message.content) as Record<string, unknown>;
      };
      const pick = { type: 'string', enum: ['a', 'b', 'c'] };
      const many = { type: 'array', items: { type: 'string', enum: ['x', 'leaf-9'] } };
      const note = { type: 'string' };
      const free = { type: 'array', items: { type: 'string' } };
      expect(await ask('known product', { pick, many, note, free })).toEqual({
        pick: 'b',
        many: ['leaf-9'],
        note: 'hello',
        free: [],
      });
      // Not offered: the first enum value, as any model restricted to the enum would have to answer.
      expect(await ask('known product', { pick: { type: 'string', enum: ['q', 'r'] } })).toEqual({ pick: 'q' });
      // A request the label knows nothing about: the plain schema-shaped answer.
      expect(await ask('something else', { pick, many, note })).toEqual({ pick: 'a', many: [], note: '' });
    } finally {
      await oracle.close();
    }
  });
});
