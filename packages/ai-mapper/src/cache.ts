import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { aiCachePattern, aiMapKey, aiRecommendationKey } from '@shoptok/keys';
import { z } from 'zod';
import { listingDraftSchema, type MapperProduct } from './schemas.js';

/** Thirty days: products change rarely and a stale entry is replaced as soon as it changes. */
export const DEFAULT_CACHE_TTL_SECONDS = 30 * 24 * 3600;

const cachedEntrySchema = z.object({
  draft: listingDraftSchema,
  model: z.string(),
  reason: z.string(),
  storedAt: z.string(),
});
export type CachedMapping = z.output<typeof cachedEntrySchema>;

const cachedRecommendationSchema = z.object({ leafId: z.string().nullable(), storedAt: z.string() });
export type CachedRecommendation = z.output<typeof cachedRecommendationSchema>;

export interface MappingCacheOptions {
  redis: Redis | Cluster;
  /** Same prefix as the rest of the fleet's keys (e.g. QUEUE_PREFIX). */
  keyPrefix: string;
  ttlSeconds?: number;
}

/**
 * AI mappings in Redis. Key: `aiMapKey(keyPrefix, storeId, hash)` (packages/keys), where the hash covers
 * the product fields the mapper reads, the model, the prompt version and the category-tree
 * version. Any change to one of those is a different key, so nothing needs invalidating by
 * hand: old entries simply expire after `ttlSeconds`. Keys are per store (hash tag) so that a
 * store's data can be deleted with its other keys and sits in one Cluster slot; the AI answer
 * does not depend on the store, so the only cost is no sharing between stores.
 */
export class MappingCache {
  private readonly ttlSeconds: number;

  constructor(private readonly options: MappingCacheOptions) {
    this.ttlSeconds = options.ttlSeconds ?? DEFAULT_CACHE_TTL_SECONDS;
  }

  /** The Redis key for a product mapping in a store. */
  key(storeId: string, fingerprint: string): string {
    return aiMapKey(this.options.keyPrefix, storeId, fingerprint);
  }

  /** The cached mapping, or undefined (also when the entry no longer parses: treated as a miss). */
  async get(storeId: string, fingerprint: string): Promise<CachedMapping | undefined> {
    const raw = await this.options.redis.get(this.key(storeId, fingerprint));
    if (raw === null) return undefined;
    try {
      const parsed = cachedEntrySchema.safeParse(JSON.parse(raw));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  /** Stores a mapping for `ttlSeconds` (or the given TTL). */
  async set(
    storeId: string,
    fingerprint: string,
    entry: Omit<CachedMapping, 'storedAt'>,
    ttlSeconds = this.ttlSeconds,
  ): Promise<void> {
    const value: CachedMapping = { ...entry, storedAt: new Date().toISOString() };
    await this.options.redis.set(this.key(storeId, fingerprint), JSON.stringify(value), 'EX', ttlSeconds);
  }

  /** The Redis key of TikTok's Recommend Category answer for a product in a store. */
  recommendationKey(storeId: string, fingerprint: string): string {
    return aiRecommendationKey(this.options.keyPrefix, storeId, fingerprint);
  }

  /**
   * TikTok's cached recommendation: `{ leafId }` (null when TikTok had none), or undefined when
   * nothing is cached (or the entry no longer parses).
   */
  async getRecommendation(storeId: string, fingerprint: string): Promise<CachedRecommendation | undefined> {
    const raw = await this.options.redis.get(this.recommendationKey(storeId, fingerprint));
    if (raw === null) return undefined;
    try {
      const parsed = cachedRecommendationSchema.safeParse(JSON.parse(raw));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  /** Stores TikTok's recommendation (or its "no match") for `ttlSeconds`, as long as a mapping. */
  async setRecommendation(storeId: string, fingerprint: string, entry: CachedRecommendation): Promise<void> {
    await this.options.redis.set(this.recommendationKey(storeId, fingerprint), JSON.stringify(entry), 'EX', this.ttlSeconds);
  }

  /** Deletes every cached mapping and recommendation of a store (e.g. after changing its prompt settings). */
  async clearStore(storeId: string): Promise<number> {
    const { redis, keyPrefix } = this.options;
    // SCAN sees one server: on a cluster, ask every master (the store's keys share one slot,
    // so one UNLINK of a batch stays within it).
    const servers = redis.isCluster ? (redis as Cluster).nodes('master') : [redis as Redis];
    if (servers.length === 0) throw new Error('the Redis Cluster is not connected yet: no master to scan');
    let deleted = 0;
    for (const server of servers) {
      let cursor = '0';
      do {
        const [next, keys] = await server.scan(cursor, 'MATCH', aiCachePattern(keyPrefix, storeId), 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) deleted += await redis.unlink(...keys);
      } while (cursor !== '0');
    }
    return deleted;
  }
}

/**
 * The cache fingerprint: a hash of the product fields that change the mapping (not price,
 * stock, status or ids), the model, the prompt version, the tree version and the region.
 */
export function mappingFingerprint(
  product: MapperProduct,
  context: { model: string; promptVersion: string; treeVersion: string; region: string },
): string {
  const relevant = {
    title: product.title,
    descriptionHtml: product.descriptionHtml,
    vendor: product.vendor,
    productType: product.productType,
    tags: [...product.tags].sort(),
    category: product.category?.fullName ?? null,
    options: product.options.map((o) => ({ name: o.name, values: o.values })),
  };
  return createHash('sha256')
    .update(JSON.stringify({ relevant, ...context }))
    .digest('hex')
    .slice(0, 32);
}

/**
 * The fingerprint of what TikTok's Recommend Category is asked (title and description) for a
 * tree version: a re-sync of an unchanged product asks TikTok nothing.
 */
export function recommendationFingerprint(product: MapperProduct, treeVersion: string): string {
  return createHash('sha256')
    .update(JSON.stringify({ title: product.title, descriptionHtml: product.descriptionHtml, treeVersion }))
    .digest('hex')
    .slice(0, 32);
}
