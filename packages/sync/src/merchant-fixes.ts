import type { ShoptokConfig, StoreConfig } from '@shoptok/config';
import type { Logger } from '@shoptok/logger';
import type { QueueFactory, RedisConnection } from '@shoptok/queues';
import { StateStore } from '@shoptok/state';
import { checkCategoryLeaf } from './products/shop.js';
import { createStoreServices } from './services.js';

/**
 * Checks a category against a store's live TikTok tree: undefined when it is a leaf there, else
 * the refusal naming the store and the id (what `shoptok map pin` prints).
 */
export type CategoryLeafCheck = (store: string, categoryId: string) => Promise<string | undefined>;

/**
 * The live-tree check of `shoptok map pin`, for a process that holds the stores' config (the
 * dashboard): builds the store's services for the one check and closes them again (the client
 * keeps the tree in Redis, so a second check reads no tree from TikTok).
 */
export function liveCategoryLeafCheck(deps: {
  config: Pick<ShoptokConfig, 'queuePrefix' | 'tiktok' | 'shopify'>;
  stores: readonly StoreConfig[];
  redis: RedisConnection;
  queues: QueueFactory;
  logger: Logger;
}): CategoryLeafCheck {
  return async (storeId, categoryId) => {
    const store = deps.stores.find((s) => s.id === storeId);
    if (!store) return `no store "${storeId}" in the configuration`;
    const svc = await createStoreServices({ ...deps, store });
    try {
      const checked = await checkCategoryLeaf(svc, categoryId);
      return 'problem' in checked ? checked.problem : undefined;
    } finally {
      svc.close();
    }
  };
}

/** What a pin from the dashboard did: stored, or refused (nothing stored) with the reason. */
export type PinOutcome = { pinned: number } | { refused: string };

/**
 * The dashboard's one-click fixes write exactly what `shoptok map pin` and `shoptok map default`
 * write (the merchant's records in packages/state); the caller then queues the products again.
 * With `checkLeaf` a pin is checked against the shop's live tree first, as the CLI does, and a
 * category that is not a leaf there is refused; without it (no TikTok access) such a pin holds
 * its product back at the next run with that reason.
 */
export function merchantFixes(redis: RedisConnection, prefix: string, options: { checkLeaf?: CategoryLeafCheck } = {}) {
  return {
    async pinCategory(store: string, productIds: readonly string[], categoryId: string): Promise<PinOutcome> {
      const refused = await options.checkLeaf?.(store, categoryId);
      if (refused) return { refused };
      const state = new StateStore(redis, prefix, store);
      for (const productId of productIds) await state.pinCategory(productId, categoryId);
      return { pinned: productIds.length };
    },
    async setAttributeDefault(store: string, categoryId: string, attribute: string, value: string): Promise<void> {
      await new StateStore(redis, prefix, store).setAttributeDefault(categoryId, attribute, value);
    },
  };
}
