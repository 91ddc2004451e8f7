import { createHash } from 'node:crypto';
import { CategoryIndex, type ProductMapper } from '@shoptok/ai-mapper';
import type { TikTokCategory } from '@shoptok/tiktok';
import { defaultWarehouseId } from '../inventory.js';
import type { StoreServices } from '../services.js';
import { loadShopProfile, type ShopProfile } from './shop.js';

/** What every products job of a store needs about its TikTok shop, read once per worker process. */
export interface ProductShopContext {
  profile: ShopProfile;
  /** The shop's category rows by id (the live tree of its version). */
  categories: ReadonlyMap<string, TikTokCategory>;
  /** The mapper over that tree (its category index is the expensive part: built once per tree). */
  mapper: ProductMapper;
  /** Fingerprint of the tree the index was built from. */
  treeVersion: string;
}

export interface ProductContextCacheOptions {
  /** Builds the store's mapper over a category index (the worker passes its AI settings here). */
  makeMapper: (svc: StoreServices, index: CategoryIndex, profile: ShopProfile) => ProductMapper;
  /** How long the shop's market, currency and default warehouse are trusted. Default 10 min. */
  profileTtlMs?: number;
  /** How often the category tree is looked at again (the client caches it in Redis). Default 60 s. */
  treeCheckMs?: number;
  now?: () => number;
}

interface Entry {
  context: ProductShopContext;
  profileAt: number;
  treeAt: number;
}

/**
 * Per worker process and store: the shop profile, the category tree and the mapper with its
 * category index, built once and reused by every products job. The profile is read again after
 * `profileTtlMs` (the mapper is then made afresh over the same index: its per-run state, such as
 * an AI stop after a wrong key, does not outlive that); the tree is compared every `treeCheckMs`
 * and the index rebuilt only when the tree changed (its version, or TikTok's tree itself).
 */
export class ProductContextCache {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<ProductShopContext>>();
  private readonly warehouses = new Map<string, { value: Promise<string | undefined>; at: number }>();
  private readonly profileTtlMs: number;
  private readonly treeCheckMs: number;
  private readonly now: () => number;

  constructor(private readonly options: ProductContextCacheOptions) {
    this.profileTtlMs = options.profileTtlMs ?? 10 * 60_000;
    this.treeCheckMs = options.treeCheckMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /** The store's context; concurrent jobs share one load, a failed load is tried again next time. */
  get(svc: StoreServices): Promise<ProductShopContext> {
    const entry = this.entries.get(svc.storeId);
    const now = this.now();
    if (entry && now - entry.profileAt <= this.profileTtlMs && now - entry.treeAt <= this.treeCheckMs)
      return Promise.resolve(entry.context);
    const inFlight = this.loading.get(svc.storeId);
    if (inFlight) return inFlight;
    const load = this.refresh(svc, entry).finally(() => this.loading.delete(svc.storeId));
    this.loading.set(svc.storeId, load);
    return load;
  }

  /** The shop's default TikTok warehouse, read at most once per `profileTtlMs`. */
  warehouse(svc: StoreServices): Promise<string | undefined> {
    const cached = this.warehouses.get(svc.storeId);
    if (cached && this.now() - cached.at <= this.profileTtlMs) return cached.value;
    const value = defaultWarehouseId(svc).catch((err: unknown) => {
      this.warehouses.delete(svc.storeId);
      throw err;
    });
    this.warehouses.set(svc.storeId, { value, at: this.now() });
    return value;
  }

  private async refresh(svc: StoreServices, previous: Entry | undefined): Promise<ProductShopContext> {
    const now = this.now();
    const profileDue = !previous || now - previous.profileAt > this.profileTtlMs;
    const profile = profileDue ? await loadShopProfile(svc) : previous.context.profile;
    const rows = await svc.tiktok.getCategories({ categoryVersion: profile.categoryVersion });
    const treeVersion = fingerprint(profile.categoryVersion, rows);
    const sameTree = previous?.context.treeVersion === treeVersion;
    let context: ProductShopContext;
    if (sameTree && !profileDue) context = previous.context;
    else {
      const index = sameTree ? previous.context.mapper.index : indexOf(rows);
      const categories = sameTree ? previous.context.categories : new Map(rows.map((c) => [c.id, c]));
      context = { profile, categories, mapper: this.options.makeMapper(svc, index, profile), treeVersion };
      if (!sameTree) svc.logger.info({ treeVersion, categories: rows.length }, 'category index built for this worker process');
    }
    this.entries.set(svc.storeId, {
      context,
      profileAt: profileDue ? now : (previous?.profileAt ?? now),
      treeAt: now,
    });
    return context;
  }
}

function indexOf(rows: readonly TikTokCategory[]): CategoryIndex {
  return CategoryIndex.fromTree(
    rows.map((c) => ({
      id: c.id,
      parentId: c.parent_id,
      name: c.local_name,
      isLeaf: c.is_leaf,
      permissionStatuses: c.permission_statuses,
    })),
  );
}

function fingerprint(version: string, rows: readonly TikTokCategory[]): string {
  const hash = createHash('sha256').update(version);
  for (const c of rows) hash.update(`\n${c.id}|${c.parent_id}|${c.local_name}|${c.is_leaf}|${c.permission_statuses.join(',')}`);
  return hash.digest('hex').slice(0, 16);
}
