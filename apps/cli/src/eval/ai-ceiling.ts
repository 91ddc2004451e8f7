// The eval's AI ceiling: like the demo and the bench, it runs a stand-in (the fake OpenAI
// server) on purpose, so it lives outside the production commands.
import { randomBytes } from 'node:crypto';
import {
  evaluateMapper,
  MappingCache,
  ProductMapper,
  type CategoryIndex,
  type EvalItem,
  type EvalReport,
} from '@shoptok/ai-mapper';
import type { Logger } from '@shoptok/logger';
import { createRedisConnection, waitForRedis } from '@shoptok/queues';
import { labelledAnswerResponder, startFakeOpenAI, type FakeChatRequest } from '@shoptok/testkit/openai';

/** A re-sync pass over the same products with the first pass's answers cached. */
export interface ResyncUsage {
  calls: number;
  cacheHits: number;
  costPer1000Usd: number;
}

/**
 * The AI mapper against a fake OpenAI server that answers with the labelled leaf (and its
 * department) whenever the request offers it: what a perfect model would score with what the
 * mapper shows it. Then the same products again with the answers cached, as a re-sync.
 */
export async function aiCeiling(
  items: readonly EvalItem[],
  index: CategoryIndex,
  config: { redisUrl: string; queuePrefix: string },
  maxCalls: number,
  logger: Logger,
): Promise<{ report: EvalReport; resync?: ResyncUsage }> {
  const byTitle = new Map(items.map((i) => [i.title, i]));
  const fake = await startFakeOpenAI({
    respond: labelledAnswerResponder((request) => {
      const item = itemOf(request, byTitle);
      if (!item) return undefined;
      const group = index.groupOf(item.expectedCategoryId);
      return {
        ids: [item.expectedCategoryId, ...(group ? [group.id] : [])],
        // Realistic answer sizes: a title and the description rewritten (here: repeated).
        strings: { title: item.title, descriptionHtml: item.descriptionHtml, reason: 'labelled category' },
      };
    }),
  });
  const redis = await optionalRedis(config.redisUrl, logger);
  // A fresh prefix per run: the re-sync may only hit answers cached by this run's first pass.
  const keyPrefix = `${config.queuePrefix}-eval-${randomBytes(4).toString('hex')}`;
  const mapperFor = () =>
    new ProductMapper({
      index,
      ai: { apiKey: fake.apiKey, baseURL: fake.baseURL, model: 'gpt-4o-mini' },
      cache: redis ? { redis, keyPrefix } : undefined,
      budget: { maxCalls },
      logger,
    });
  try {
    const report = await evaluateMapper(items, mapperFor(), 'AI ceiling (perfect model)');
    if (!redis) return { report };
    const again = await evaluateMapper(items, mapperFor(), 'AI ceiling, re-sync');
    return {
      report,
      resync: {
        calls: again.usage.calls,
        cacheHits: again.usage.cacheHits,
        costPer1000Usd: perThousand(again.usage.estimatedCostUsd, items.length),
      },
    };
  } finally {
    if (redis) {
      await new MappingCache({ redis, keyPrefix }).clearStore('eval').catch(() => undefined);
      await redis.quit().catch(() => redis.disconnect());
    }
    await fake.close();
  }
}

/** The labelled item a request is about: the product title in its first user message. */
function itemOf(request: FakeChatRequest, byTitle: ReadonlyMap<string, EvalItem>): EvalItem | undefined {
  const first = request.messages.find((m) => m.role === 'user');
  try {
    const payload = JSON.parse(typeof first?.content === 'string' ? first.content : '') as { product?: { title?: string } };
    return byTitle.get(payload.product?.title ?? '');
  } catch {
    return undefined;
  }
}

async function optionalRedis(url: string, logger: Logger) {
  const redis = createRedisConnection({ url, role: 'producer', name: 'shoptok:eval-mapper' });
  redis.on('error', () => undefined);
  try {
    await waitForRedis(redis, 2_000);
    return redis;
  } catch {
    logger.warn('Redis is not reachable: the re-sync cost is not measured');
    redis.disconnect();
    return undefined;
  }
}

const perThousand = (costUsd: number, count: number) => (count === 0 ? 0 : (costUsd / count) * 1000);
