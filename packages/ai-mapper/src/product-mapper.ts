import type { Cluster, Redis } from 'ioredis';
import type { Logger } from '@shoptok/logger';
import { type ModelPrice, RunBudget, type RunUsage } from './budget.js';
import { MappingCache, mappingFingerprint, recommendationFingerprint } from './cache.js';
import type { CategoryIndex } from './category-index.js';
import { bundledCategoryIndex } from './default-tree.js';
import { MapperInputError } from './errors.js';
import { buildDraft, FallbackMapper } from './fallback-mapper.js';
import { htmlToText } from './limits.js';
import { AiMapper, PROMPT_VERSION } from './openai-mapper.js';
import { type CategoryRecommender, recommendQuery } from './recommendation.js';
import { mapperProductSchema, type MapperProduct, type MappingResult } from './schemas.js';

export interface ProductMapperOptions {
  /** The shop's category tree; default: the bundled English v1 tree. */
  index?: CategoryIndex;
  /** Shop region for title limits (API-FACTS §6); default "GB". */
  region?: string;
  /**
   * OpenAI settings; without an `apiKey` or a `baseURL` the fallback mapper answers every product.
   * A `baseURL` alone is a keyless OpenAI-compatible server (a local model).
   */
  ai?: {
    apiKey?: string;
    model?: string;
    baseURL?: string;
    timeoutMs?: number;
    /** Lexical candidates offered besides the chosen departments' leaves; default 12. */
    candidates?: number;
    /** Ask for the departments first (default true); see `AiMapperOptions.departmentStep`. */
    departmentStep?: boolean;
  };
  /** Redis cache of AI answers; without it every AI product costs a call. */
  cache?: { redis: Redis | Cluster; keyPrefix: string; ttlSeconds?: number };
  /** Per-run limits: past them, products get the fallback mapper. */
  budget?: { maxCalls?: number; maxTokens?: number; prices?: Record<string, ModelPrice> };
  logger?: Logger;
  /** Told what each AI-mapped product cost (metrics); must not throw, and is never awaited. */
  onUsage?: (usage: MappingUsage) => void;
}

/** What mapping one product with AI cost: calls made, whether the cache answered, estimated spend. */
export interface MappingUsage {
  storeId: string;
  calls: number;
  cacheHit: boolean;
  costUsd: number;
}

/** Maps Shopify products to TikTok listing drafts for one run (a sync pass, a preview, an eval). */
export class ProductMapper {
  readonly index: CategoryIndex;
  readonly model: string | undefined;
  private readonly region: string;
  private readonly fallback: FallbackMapper;
  private readonly ai: AiMapper | undefined;
  private readonly candidates: number;
  private readonly cache: MappingCache | undefined;
  private readonly budget: RunBudget;
  private readonly logger: Logger | undefined;
  private readonly onUsage: ((usage: MappingUsage) => void) | undefined;
  /** Set after a configuration failure (bad key, unknown model): no more calls this run. */
  private aiStopped: string | undefined;
  /** A failed Recommend Category call is logged once per instance, then counted only. */
  private recommendFailures = 0;
  private recommendCalls = 0;
  /** TikTok's answers this instance has had (also without a Redis cache, a product is asked once per instance). */
  private readonly recommendations = new Map<string, string | null>();

  constructor(options: ProductMapperOptions = {}) {
    this.index = options.index ?? bundledCategoryIndex();
    this.region = options.region ?? 'GB';
    this.fallback = new FallbackMapper({ index: this.index, region: this.region });
    this.ai =
      options.ai?.apiKey || options.ai?.baseURL
        ? new AiMapper({
            apiKey: options.ai.apiKey,
            model: options.ai.model,
            baseURL: options.ai.baseURL,
            timeoutMs: options.ai.timeoutMs,
            departmentStep: options.ai.departmentStep,
          })
        : undefined;
    this.model = this.ai?.model;
    this.candidates = options.ai?.candidates ?? 12;
    this.cache = options.cache ? new MappingCache(options.cache) : undefined;
    this.budget = new RunBudget({ ...options.budget, model: this.ai?.model ?? 'gpt-4o-mini' });
    this.logger = options.logger;
    this.onUsage = options.onUsage;
  }

  /**
   * Maps one product (validated here: a bad product throws MapperInputError, not retryable).
   * Order: cached AI answer, then the AI mapper, then the fallback mapper; the result says
   * which one answered and why. `recommend`: TikTok's Recommend Category for the store's live
   * shop; its answer is one more vote (offline: added to the scores; AI: its leaf is added to the
   * candidates the model sees), asked once per product and cached with the mapping cache.
   */
  async map(input: unknown, context: { storeId?: string; recommend?: CategoryRecommender } = {}): Promise<MappingResult> {
    const product = parseProduct(input);
    const storeId = context.storeId ?? 'default';
    if (!this.ai || this.aiStopped) {
      const vote = await this.tiktokVote(product, storeId, context.recommend);
      return this.fallbackFor(product, this.ai ? (this.aiStopped ?? '') : 'no OpenAI key or base URL configured', vote);
    }

    const fingerprint = mappingFingerprint(product, {
      model: this.ai.model,
      promptVersion: PROMPT_VERSION,
      treeVersion: this.index.version,
      region: this.region,
    });
    const cached = await this.readCache(storeId, fingerprint);
    if (cached && this.index.leaf(cached.draft.categoryId)) {
      this.budget.recordCacheHit();
      this.report({ storeId, calls: 0, cacheHit: true, costUsd: 0 });
      return {
        draft: cached.draft,
        mapper: 'cache',
        reason: `cached AI answer from ${cached.storedAt} (${cached.reason})`,
        model: cached.model,
      };
    }

    const vote = await this.tiktokVote(product, storeId, context.recommend);
    const candidates = this.index.retrieve(product, this.candidates);
    const voted = vote === undefined ? undefined : this.index.leaf(vote);
    // TikTok's suggestion is one more candidate the model sees (it may still choose another).
    if (voted && !candidates.some((c) => c.id === voted.id)) candidates.push({ ...voted, score: 0 });
    const before = this.budget.usage();
    const outcome = await this.ai.map(product, candidates, this.index, this.region, this.budget);
    const after = this.budget.usage();
    const usage = {
      calls: after.calls - before.calls,
      promptTokens: after.promptTokens - before.promptTokens,
      completionTokens: after.completionTokens - before.completionTokens,
    };
    this.report({
      storeId,
      calls: usage.calls,
      cacheHit: false,
      costUsd: Math.max(0, after.estimatedCostUsd - before.estimatedCostUsd),
    });
    if (outcome.ok) {
      const note = voted ? `${outcome.note}; TikTok recommended ${voted.id}` : outcome.note;
      await this.writeCache(storeId, fingerprint, { draft: outcome.draft, model: this.ai.model, reason: note });
      this.logger?.debug({ productId: product.id, categoryId: outcome.draft.categoryId, ...usage }, 'ai mapper answered');
      return { draft: outcome.draft, mapper: 'ai', reason: note, model: this.ai.model, usage };
    }
    if (outcome.stopRun) {
      this.aiStopped = outcome.reason;
      this.logger?.warn({ reason: outcome.reason }, 'AI mapping stopped for this run; the fallback mapper answers the rest');
    }
    const result = this.fallbackFor(product, outcome.reason, vote);
    return { ...result, usage };
  }

  /** How many Recommend Category calls this instance made and how many failed (cache hits are not calls). */
  recommendUsage(): { calls: number; failures: number } {
    return { calls: this.recommendCalls, failures: this.recommendFailures };
  }

  /**
   * A draft for a category the merchant chose (a pin or a store rule): title, description,
   * attributes and hashtags built as the offline mapper builds them, and no AI call.
   */
  draftFor(input: unknown, leaf: { id: string; name: string; path: string[] }, reason: string): MappingResult {
    return { draft: buildDraft(parseProduct(input), leaf, this.index, this.region), mapper: 'fallback', reason };
  }

  /** Calls, tokens, cache hits and the cost estimate of this run so far. */
  usage(): RunUsage {
    return this.budget.usage();
  }

  /** Logs the run's cost line (call once at the end of a run). */
  logSummary(): RunUsage {
    const usage = this.usage();
    this.logger?.info({ model: this.model ?? null, ...usage }, 'mapper run summary');
    return usage;
  }

  private report(usage: MappingUsage): void {
    try {
      this.onUsage?.(usage);
    } catch (err) {
      this.logger?.warn({ err: err instanceof Error ? err.message : String(err) }, 'mapping usage observer failed');
    }
  }

  private fallbackFor(product: MapperProduct, reason: string, vote?: string): MappingResult {
    this.budget.recordFallback();
    const result = this.fallback.map(product, `fallback mapper: ${reason}`, vote);
    if (vote === undefined || !this.index.leaf(vote)) return result;
    const agreed = result.draft.categoryId === vote ? 'agreed with' : 'outvoted';
    return { ...result, reason: `${result.reason}; TikTok's Recommend Category (${vote}) ${agreed}` };
  }

  /**
   * TikTok's recommended leaf for the product: from the cache when this product (title and
   * description) was asked about before, else one call. A failed call is no vote (logged once
   * per instance, not cached, so a later sync asks again); it never fails the mapping.
   */
  private async tiktokVote(
    product: MapperProduct,
    storeId: string,
    recommend: CategoryRecommender | undefined,
  ): Promise<string | undefined> {
    if (!recommend) return undefined;
    const fingerprint = recommendationFingerprint(product, this.index.version);
    const known = this.recommendations.get(`${storeId}:${fingerprint}`);
    if (known !== undefined) return known ?? undefined;
    try {
      const cached = await this.cache?.getRecommendation(storeId, fingerprint);
      if (cached) {
        this.recommendations.set(`${storeId}:${fingerprint}`, cached.leafId);
        return cached.leafId ?? undefined;
      }
    } catch (err) {
      this.logger?.warn({ err }, 'mapping cache read failed; asking TikTok without it');
    }
    let leafId: string | null;
    try {
      this.recommendCalls++;
      leafId = await recommend(recommendQuery({ title: product.title, descriptionText: htmlToText(product.descriptionHtml) }));
    } catch (err) {
      this.recommendFailures++;
      const message = err instanceof Error ? err.message : String(err);
      if (this.recommendFailures === 1)
        this.logger?.warn({ err: message }, "TikTok's Recommend Category failed; mapping without its vote (logged once per run)");
      else this.logger?.debug({ err: message }, "TikTok's Recommend Category failed again");
      return undefined;
    }
    if (this.recommendations.size >= MAX_REMEMBERED_RECOMMENDATIONS) this.recommendations.clear();
    this.recommendations.set(`${storeId}:${fingerprint}`, leafId);
    try {
      await this.cache?.setRecommendation(storeId, fingerprint, { leafId, storedAt: new Date().toISOString() });
    } catch (err) {
      this.logger?.warn({ err }, 'mapping cache write failed');
    }
    return leafId ?? undefined;
  }

  // The cache only saves money; when Redis fails, map without it rather than fail the product.
  private async readCache(storeId: string, fingerprint: string) {
    if (!this.cache) return undefined;
    try {
      return await this.cache.get(storeId, fingerprint);
    } catch (err) {
      this.logger?.warn({ err }, 'mapping cache read failed; mapping without it');
      return undefined;
    }
  }

  private async writeCache(storeId: string, fingerprint: string, entry: Parameters<MappingCache['set']>[2]) {
    if (!this.cache) return;
    try {
      await this.cache.set(storeId, fingerprint, entry);
    } catch (err) {
      this.logger?.warn({ err }, 'mapping cache write failed');
    }
  }
}

// Bounds the per-instance memory of TikTok's answers (a worker may keep one mapper for long).
const MAX_REMEMBERED_RECOMMENDATIONS = 10_000;

/** Validates a product at the boundary; the error lists what is wrong in plain words. */
export function parseProduct(input: unknown): MapperProduct {
  const parsed = mapperProductSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || 'product'}: ${i.message}`)
    .join('; ');
  throw new MapperInputError(`the product is not a Shopify product the mapper can read (${issues})`);
}
