import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { childLogger, createLogger, REDACTED, rotatedLogFiles, scrubSecrets } from './index.js';

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

  it('never holds more than its bound of unwritten console output: lines past it are dropped, then counted', async () => {
    // A console reader that has stopped reading (a stalled pipe): nothing is written until released.
    const written: string[] = [];
    let release: (() => void) | undefined;
    const stalled = new Writable({
      highWaterMark: 1_000, // so that it emits 'drain' once released
      write(chunk, _enc, cb) {
        written.push(String(chunk));
        if (release) cb();
        else release = () => cb();
      },
    });
    const logger = createLogger({ console: stalled, pretty: false, consoleBufferBytes: 10_000 });
    for (let i = 0; i < 1_000; i++) logger.info({ i, sku: `SKU-${i}` }, 'stock change');
    expect(stalled.writableLength).toBeLessThanOrEqual(10_000);
    expect(stalled.writableLength).toBeGreaterThan(5_000);
    const drained = new Promise((resolve) => stalled.once('drain', resolve));
    release?.();
    await drained;
    logger.info('after the stall');
    const lines = written
      .join('')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const note = lines.find((l) => l.droppedLines !== undefined);
    const kept = lines.filter((l) => l.msg === 'stock change').length;
    expect(note?.droppedLines).toBe(1_000 - kept);
    expect(lines.at(-1)?.msg).toBe('after the stall');
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

/** Polls `check` until it holds or the deadline passes (no fixed sleeps). */
async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('log file rotation (pino-roll)', () => {
  const MAX_BYTES = 2_048;
  const MAX_FILES = 3;
  const line = (i: number) => ({ i, detail: 'x'.repeat(180) }); // about 250 bytes a line

  /** Writes `count` lines, yielding between them so writes reach the file as a running app's would. */
  async function writeLines(file: string, count: number, from = 0): Promise<void> {
    const logger = createLogger({ file, console: false, rotation: { maxBytes: MAX_BYTES, maxFiles: MAX_FILES } });
    // pino-roll opens its file asynchronously; what is logged before lands in one burst, which rolls
    // once at most (a busy machine opened it only after all 60 lines once). A running app's file is
    // open: wait for the first line to be in it.
    logger.info(line(from), 'a line');
    await until(
      () => rotatedLogFiles(file).some((f) => readFileSync(f, 'utf8').includes(`"i":${from},`)),
      'the log file to be open',
    );
    for (let i = from + 1; i < from + count; i++) {
      logger.info(line(i), 'a line');
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  const sizes = (file: string) => rotatedLogFiles(file).map((f) => statSync(f).size);
  const lastNumber = (file: string) => Number(/\.(\d+)\.log$/.exec(rotatedLogFiles(file).at(-1) ?? '')?.[1] ?? 0);

  it('writing far past the size limit keeps at most N files of about the limit each, across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shoptok-roll-'));
    const file = join(dir, 'logs', 'sync_bot.log');
    try {
      await writeLines(file, 120); // ~30 KB: about 15 files' worth
      await until(() => lastNumber(file) >= 8, 'the file to roll many times');
      await until(() => rotatedLogFiles(file).length <= MAX_FILES, `at most ${MAX_FILES} files left`);
      expect(rotatedLogFiles(file).every((f) => /sync_bot\.\d+\.log$/.test(f))).toBe(true);
      // Rolled files stop near the limit (a write in flight may carry a few lines past it).
      expect(
        sizes(file)
          .slice(0, -1)
          .every((size) => size >= MAX_BYTES && size < 4 * MAX_BYTES),
      ).toBe(true);

      // A restart continues the numbering and counts the files the last run left.
      const before = lastNumber(file);
      await writeLines(file, 60, 1_000);
      await until(() => lastNumber(file) >= before + 3, 'the restarted logger to roll');
      await until(() => rotatedLogFiles(file).length <= MAX_FILES, `at most ${MAX_FILES} files after the restart`);
      // The newest lines are all there, in the newest file.
      const newest = readFileSync(rotatedLogFiles(file).at(-1)!, 'utf8').trim().split('\n');
      expect(newest.length).toBeGreaterThan(0);
      await until(
        () => readFileSync(rotatedLogFiles(file).at(-1)!, 'utf8').includes('"i":1059'),
        'the last line to reach the newest file',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
