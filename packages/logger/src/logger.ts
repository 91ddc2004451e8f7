import { mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { pino, type DestinationStream, type Logger, type LoggerOptions, type StreamEntry } from 'pino';
import pretty from 'pino-pretty';
import { redactDeep, scrubSecrets } from './redact.js';

export type { Logger } from 'pino';

/** How the log file rotates: at most `maxFiles` files (the one written included) of about `maxBytes` each. */
export interface LogRotation {
  maxBytes: number;
  maxFiles: number;
}

export interface CreateLoggerOptions {
  level?: string;
  /** Log file (JSON lines); omitted: console only. */
  file?: string;
  /**
   * Rotate the log file with pino-roll: `app.log` is written as `app.1.log`, `app.2.log`, ... and
   * the oldest beyond `maxFiles` are deleted. Omitted: one file that grows (tests, short commands).
   */
  rotation?: LogRotation;
  /** Human-readable console output; defaults to "stdout is a terminal". */
  pretty?: boolean;
  /** Every secret value the app loaded: each is replaced wherever it would appear. */
  secretValues?: readonly string[];
  /** Where console output goes (tests pass their own stream); defaults to stdout. */
  console?: Writable | DestinationStream | false;
  /** Fields on every line, e.g. `{ app: 'inventory-worker' }`. */
  base?: Record<string, unknown>;
  /** Console output waiting to be written, at most (see boundedConsole); default 4 MiB. */
  consoleBufferBytes?: number;
}

/**
 * Console lines waiting at most, in bytes. stdout on a pipe (a container's log driver) is
 * written asynchronously: when the reader is slower than the process logs, Node keeps every
 * unwritten line in memory, and a 100,000-SKU stock sync once grew its heap that way.
 */
const CONSOLE_BUFFER_BYTES = 4 * 1024 * 1024;

/**
 * The console as a stream that never holds more than `maxBytes` unwritten: past that, lines are
 * dropped (the log file, written synchronously, still has them) and counted; the next line that
 * fits says how many were dropped.
 */
function boundedConsole(target: Writable | DestinationStream, maxBytes: number): DestinationStream {
  const pending = () => (target as Partial<Writable>).writableLength ?? 0;
  let dropped = 0;
  return {
    write(chunk: string) {
      if (pending() + chunk.length > maxBytes) {
        dropped += 1;
        return;
      }
      if (dropped > 0) {
        const note = { level: 'warn', time: new Date().toISOString(), pid: process.pid, droppedLines: dropped };
        target.write(
          `${JSON.stringify({ ...note, msg: 'console output could not keep up: log lines dropped here (a LOG_FILE still has them)' })}\n`,
        );
        dropped = 0;
      }
      target.write(chunk);
    },
  };
}

/** Fields a child logger carries so every line says which store, queue and job it is about. */
export interface LogContext {
  store?: string;
  queue?: string;
  jobId?: string;
  [key: string]: unknown;
}

/**
 * The one root logger of a process: console (pretty on a TTY) plus the log file, with every
 * secret redacted from fields, messages and errors.
 */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const secretValues = (options.secretValues ?? []).filter((s) => s.length >= 6);
  const level = options.level ?? 'info';
  const streams: StreamEntry[] = [];
  if (options.console !== false) {
    const target = options.console ?? process.stdout;
    const usePretty = options.pretty ?? Boolean(process.stdout.isTTY);
    streams.push({
      level: level as pino.Level,
      stream: usePretty
        ? pretty({ colorize: true, destination: target as Writable, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' })
        : boundedConsole(target, options.consoleBufferBytes ?? CONSOLE_BUFFER_BYTES),
    });
  }
  if (options.file && options.rotation) {
    streams.push({ level: level as pino.Level, stream: rotatingFile(options.file, options.rotation) });
  } else if (options.file) {
    mkdirSync(dirname(options.file), { recursive: true });
    streams.push({ level: level as pino.Level, stream: pino.destination({ dest: options.file, sync: true, mkdir: true }) });
  }

  const loggerOptions: LoggerOptions = {
    level,
    base: { pid: process.pid, ...options.base },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Errors are serialised before redaction so their messages and causes are scrubbed too.
    serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
    formatters: {
      level: (label) => ({ level: label }),
      log: (object) => redactDeep(object, secretValues) as Record<string, unknown>,
    },
    hooks: {
      logMethod(args, method) {
        const scrubbed = args.map((a) => (typeof a === 'string' ? scrubSecrets(a, secretValues) : a));
        method.apply(this, scrubbed as Parameters<typeof method>);
      },
    },
  };
  return streams.length === 0 ? pino({ ...loggerOptions, enabled: false }) : pino(loggerOptions, pino.multistream(streams));
}

/** A child logger for one store, queue and job. */
export function childLogger(parent: Logger, context: LogContext): Logger {
  const bindings = Object.fromEntries(Object.entries(context).filter(([, v]) => v !== undefined));
  return parent.child(bindings);
}

/** The part of pino-roll's SonicBoom stream used here (pino-roll ships no types). */
interface RollingStream {
  write(chunk: string): boolean;
  flushSync(): void;
  on(event: 'error', listener: (err: Error) => void): unknown;
}
type PinoRoll = (options: {
  file: string;
  size: string;
  limit: { count: number; removeOtherLogFiles: boolean };
  mkdir: boolean;
  sync: boolean;
}) => Promise<RollingStream>;

const requireCjs = createRequire(import.meta.url);

/**
 * The log file through pino-roll (pino's own rolling transport), in this process: no worker
 * thread to start or lose. pino-roll opens its file asynchronously, so lines logged before it is
 * open wait in memory (a process that dies in those first milliseconds loses them from the file,
 * not from the console).
 */
function rotatingFile(file: string, rotation: LogRotation): DestinationStream {
  const pinoRoll = requireCjs('pino-roll') as PinoRoll;
  let destination: RollingStream | undefined;
  let pending: string[] = [];
  let failed = false;
  const opened = pinoRoll({
    file,
    size: `${Math.max(1, Math.ceil(rotation.maxBytes / 1024))}k`,
    // removeOtherLogFiles also counts the files earlier runs left, so a restart never adds up;
    // measured with pino-roll 4: it then keeps `count` files, the one written included.
    limit: { count: rotation.maxFiles, removeOtherLogFiles: true },
    mkdir: true,
    // pino-roll checks the size per write; asynchronous writes coalesce and, measured, then
    // rolled on a drain that small writes never cause (one file kept growing). Sync: exact.
    sync: true,
  });
  opened.then(
    (stream) => {
      destination = stream;
      // A failed write or deletion must never take the process down: console logging goes on.
      stream.on('error', (err) => process.stderr.write(`shoptok: log file ${file}: ${err.message}\n`));
      for (const line of pending) stream.write(line);
      pending = [];
    },
    (err: unknown) => {
      failed = true;
      pending = [];
      process.stderr.write(`shoptok: cannot open log file ${file}: ${err instanceof Error ? err.message : String(err)}\n`);
    },
  );
  process.once('exit', () => {
    try {
      destination?.flushSync();
    } catch {
      // nothing left to do at exit
    }
  });
  return {
    write(chunk: string) {
      if (destination) destination.write(chunk);
      else if (!failed) pending.push(chunk);
    },
  };
}

/**
 * The files a rotated log file was written to (`app.log` -> `app.1.log`, `app.2.log`, ...),
 * oldest first, so readers (the demo, tests) can read the whole log.
 */
export function rotatedLogFiles(file: string): string[] {
  const dir = dirname(file);
  const stem = basename(file, extname(file));
  const ext = extname(file) || '.log'; // pino-roll's own default extension
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const pattern = new RegExp(`^${stem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(\\d+)${ext.replace('.', '\\.')}$`);
  return names
    .map((name) => ({ name, n: Number(pattern.exec(name)?.[1] ?? NaN) }))
    .filter((f) => Number.isFinite(f.n))
    .sort((a, b) => a.n - b.n)
    .map((f) => join(dir, f.name));
}
