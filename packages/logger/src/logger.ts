import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Writable } from 'node:stream';
import { pino, type DestinationStream, type Logger, type LoggerOptions, type StreamEntry } from 'pino';
import pretty from 'pino-pretty';
import { redactDeep, scrubSecrets } from './redact.js';

export type { Logger } from 'pino';

export interface CreateLoggerOptions {
  level?: string;
  /** Log file (JSON lines); omitted: console only. */
  file?: string;
  /** Human-readable console output; defaults to "stdout is a terminal". */
  pretty?: boolean;
  /** Every secret value the app loaded: each is replaced wherever it would appear. */
  secretValues?: readonly string[];
  /** Where console output goes (tests pass their own stream); defaults to stdout. */
  console?: Writable | DestinationStream | false;
  /** Fields on every line, e.g. `{ app: 'inventory-worker' }`. */
  base?: Record<string, unknown>;
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
        : (target as DestinationStream),
    });
  }
  if (options.file) {
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
