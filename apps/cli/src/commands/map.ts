import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { ConfigError, formatConfigProblems, loadConfig, type ShoptokConfig } from '@shoptok/config';
import { mapProductLines, ProductMapper, type ProductMapperOptions } from '@shoptok/ai-mapper';
import { createLogger, type Logger } from '@shoptok/logger';
import { createRedisConnection, waitForRedis } from '@shoptok/queues';

/** What a command module gets from the CLI entry: streams and the environment. */
export interface CommandIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: Record<string, string | undefined>;
}

const USAGE = `shoptok map [FILE] [options]

Maps Shopify products to TikTok Shop listing drafts, without touching either shop.
Reads product JSON, one product a line, from FILE or standard input; writes one JSON line
per product: category id and path, attributes, title, keywords, hashtags, and which mapper
answered and why.

Pins and attribute defaults of a store: shoptok map pin|unpin|default|show --help

Options:
  --store ID        store id for the cache keys (default "preview")
  --region CC       shop region for TikTok's title limits, e.g. GB, US, ID (default GB)
  --no-ai           use the offline mapper even when OPENAI_API_KEY is set
  --no-cache        do not read or write the Redis cache of AI answers
  --max-calls N     stop calling the AI after N calls this run (default 500)

Environment: OPENAI_API_KEY (none: offline mapper), OPENAI_MODEL (gpt-4o-mini),
OPENAI_BASE_URL (any OpenAI-compatible server), REDIS_URL and QUEUE_PREFIX (AI answer cache).
`;

interface MapArgs {
  file?: string;
  storeId: string;
  region: string;
  ai: boolean;
  cache: boolean;
  maxCalls: number;
  help: boolean;
}

/** Parses the command's flags; a string is a usage problem. */
export function parseMapArgs(argv: readonly string[]): MapArgs | string {
  const args: MapArgs = { storeId: 'preview', region: 'GB', ai: true, cache: true, maxCalls: 500, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${a} needs a value`);
      return v;
    };
    try {
      if (a === '--help' || a === '-h') args.help = true;
      else if (a === '--store') args.storeId = value();
      else if (a === '--region') args.region = value().toUpperCase();
      else if (a === '--no-ai') args.ai = false;
      else if (a === '--no-cache') args.cache = false;
      else if (a === '--max-calls') {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 0) return '--max-calls must be a whole number';
        args.maxCalls = n;
      } else if (a.startsWith('-') && a !== '-') return `unknown option ${a}`;
      else if (args.file === undefined) args.file = a;
      else return `only one FILE may be given (got "${args.file}" and "${a}")`;
    } catch (err) {
      return (err as Error).message;
    }
  }
  if (!/^[A-Z]{2}$/.test(args.region)) return '--region must be a two-letter country code, e.g. GB';
  if (!/^[A-Za-z0-9_-]+$/.test(args.storeId)) return '--store may hold only letters, digits, "-" and "_"';
  return args;
}

/**
 * A mapper wired from the environment: OpenAI when a key is set (and wanted), the Redis cache
 * when Redis answers. Returns what to close afterwards. Shared with `eval:mapper`.
 */
export async function mapperFromConfig(
  config: ShoptokConfig,
  logger: Logger,
  options: { ai: boolean; cache: boolean; maxCalls: number; region?: string; index?: ProductMapperOptions['index'] },
): Promise<{ mapper: ProductMapper; close: () => Promise<void> }> {
  const useAi = options.ai && Boolean(config.openai.apiKey);
  let redis: ReturnType<typeof createRedisConnection> | undefined;
  if (useAi && options.cache) {
    redis = createRedisConnection({ url: config.redisUrl, role: 'producer', name: 'shoptok:map' });
    redis.on('error', () => undefined); // a missing cache is logged once below, not per retry
    try {
      await waitForRedis(redis, 2_000);
    } catch (err) {
      logger.warn({ err }, 'Redis is not reachable: mapping without the AI answer cache');
      redis.disconnect();
      redis = undefined;
    }
  }
  const mapper = new ProductMapper({
    index: options.index,
    region: options.region,
    ai: useAi ? { apiKey: config.openai.apiKey, model: config.openai.model, baseURL: config.openai.baseUrl } : undefined,
    cache: redis ? { redis, keyPrefix: config.queuePrefix } : undefined,
    budget: { maxCalls: options.maxCalls },
    logger,
  });
  return {
    mapper,
    close: async () => {
      if (redis) await redis.quit().catch(() => redis?.disconnect());
    },
  };
}

/** Loads the config a mapper command needs (no stores required); a string is the problem text. */
export function mapperConfig(env: Record<string, string | undefined>): ShoptokConfig | string {
  try {
    return loadConfig({ env, requireStores: false });
  } catch (err) {
    if (err instanceof ConfigError) return formatConfigProblems(err.problems);
    throw err;
  }
}

/** `shoptok map [FILE]`: the mapping preview. Exit 0: all mapped; 1: some lines failed; 64: usage; 66: no such file; 78: config. */
export async function runMapCommand(argv: string[], io: CommandIo): Promise<number> {
  const args = parseMapArgs(argv);
  if (typeof args === 'string') {
    io.stderr.write(`shoptok map: ${args}\n\n${USAGE}`);
    return 64;
  }
  if (args.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (args.file !== undefined && args.file !== '-' && !existsSync(args.file)) {
    io.stderr.write(`shoptok map: no such file: ${args.file}\n`);
    return 66;
  }
  const config = mapperConfig(io.env);
  if (typeof config === 'string') {
    io.stderr.write(`shoptok map: the configuration has problems:\n${config}\n`);
    return 78;
  }
  // Logs go to stderr so stdout stays pure JSON lines.
  const logger = createLogger({
    level: config.log.level,
    console: io.stderr as Writable,
    pretty: false,
    secretValues: config.openai.apiKey ? [config.openai.apiKey] : [],
    base: { app: 'cli', command: 'map' },
  });
  const { mapper, close } = await mapperFromConfig(config, logger, {
    ai: args.ai,
    cache: args.cache,
    maxCalls: args.maxCalls,
    region: args.region,
  });
  const input = args.file !== undefined && args.file !== '-' ? createReadStream(args.file, 'utf8') : io.stdin;
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    const counts = await mapProductLines(lines, mapper, {
      storeId: args.storeId,
      onResult: (result) => {
        io.stdout.write(`${JSON.stringify(result)}\n`);
      },
    });
    const usage = mapper.logSummary();
    io.stderr.write(
      `mapped ${counts.mapped}, failed ${counts.failed}; AI calls ${usage.calls}, cache hits ${usage.cacheHits}, fallbacks ${usage.fallbacks}, tokens ${usage.promptTokens}+${usage.completionTokens}, est. cost $${usage.estimatedCostUsd.toFixed(4)}${usage.priceKnown ? '' : ' (model price unknown)'}\n`,
    );
    return counts.failed > 0 ? 1 : 0;
  } finally {
    lines.close();
    await close();
  }
}
