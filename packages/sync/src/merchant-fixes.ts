import type { RedisConnection } from '@shoptok/queues';
import { StateStore } from '@shoptok/state';

/**
 * The dashboard's one-click fixes write exactly what `shoptok map pin` and `shoptok map default`
 * write (the merchant's records in packages/state); the caller then queues the products again.
 * A pin naming a category that is not a leaf of the shop's tree holds its product back at the
 * next run with that reason (the CLI refuses it up front, as it reads the live tree).
 */
export function merchantFixes(redis: RedisConnection, prefix: string) {
  return {
    async pinCategory(store: string, productIds: readonly string[], categoryId: string): Promise<void> {
      const state = new StateStore(redis, prefix, store);
      for (const productId of productIds) await state.pinCategory(productId, categoryId);
    },
    async setAttributeDefault(store: string, categoryId: string, attribute: string, value: string): Promise<void> {
      await new StateStore(redis, prefix, store).setAttributeDefault(categoryId, attribute, value);
    },
  };
}
