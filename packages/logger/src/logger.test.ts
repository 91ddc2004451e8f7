import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { childLogger, createLogger, REDACTED, scrubSecrets } from './index.js';

function capture(): { stream: Writable; lines: () => Record<string, unknown>[]; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  const text = () => chunks.join('');
  return {
    stream,
    text,
    lines: () =>
      text()
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('createLogger', () => {
  it('writes JSON lines to the log file and the console, with store/queue/job on child lines', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shoptok-log-'));
    const file = join(dir, 'nested', 'sync_bot.log');
    const out = capture();
    const root = createLogger({ level: 'info', file, console: out.stream, pretty: false, base: { app: 'test' } });
    childLogger(root, { store: 'glow', queue: 'inventory', jobId: 'j1' }).info({ pushed: 3 }, 'inventory pushed');
    root.debug('not at info level');

    const fromFile = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(fromFile).toHaveLength(1);
    expect(fromFile[0]).toMatchObject({
      level: 'info',
      app: 'test',
      store: 'glow',
      queue: 'inventory',
      jobId: 'j1',
      pushed: 3,
      msg: 'inventory pushed',
    });
    expect(out.lines()).toHaveLength(1);
  });

  it('redacts secrets in fields at any depth, in headers, in messages and in errors', () => {
    const out = capture();
    const secrets = ['shpat_0123456789abcdef0123', 'tiktok-app-secret-value', 'ROW_access_token_value'];
    const logger = createLogger({ console: out.stream, pretty: false, secretValues: secrets });
    logger.info(
      {
        store: { shopify: { accessToken: 'shpat_0123456789abcdef0123' }, tiktok: { appSecret: 'tiktok-app-secret-value' } },
        request: {
          headers: {
            authorization: 'Bearer abcdefghijkl',
            'x-tts-access-token': 'ROW_access_token_value',
            'content-type': 'application/json',
          },
        },
        url: 'https://open-api.tiktokglobalshop.com/x?app_key=k&access_token=ROW_access_token_value&sign=abc',
        openai: { apiKey: 'sk-proj-abcdefghijklmnopqrstuvwxyz' },
        note: 'config had OPENAI_API_KEY=sk-live-abcdefghijklmnop inside',
      },
      'calling with token ROW_access_token_value',
    );
    const err = new Error('refresh failed for secret tiktok-app-secret-value');
    logger.error({ err }, 'token refresh failed');

    const text = out.text();
    for (const secret of [...secrets, 'sk-proj-abcdefghijklmnopqrstuvwxyz', 'sk-live-abcdefghijklmnop', 'abcdefghijkl'])
      expect(text).not.toContain(secret);
    const [first, second] = out.lines();
    expect(first).toMatchObject({
      store: { shopify: { accessToken: REDACTED }, tiktok: { appSecret: REDACTED } },
      request: { headers: { authorization: REDACTED, 'x-tts-access-token': REDACTED, 'content-type': 'application/json' } },
      openai: { apiKey: REDACTED },
      msg: `calling with token ${REDACTED}`,
    });
    expect(first?.url).toBe(`https://open-api.tiktokglobalshop.com/x?app_key=k&access_token=${REDACTED}&sign=${REDACTED}`);
    expect(second).toMatchObject({ msg: 'token refresh failed', err: { message: `refresh failed for secret ${REDACTED}` } });
  });
});

describe('scrubSecrets', () => {
  it('leaves ordinary text alone and ignores too-short "secrets"', () => {
    expect(scrubSecrets('pushed 3 SKUs to warehouse 7', ['abc'])).toBe('pushed 3 SKUs to warehouse 7');
  });
});
