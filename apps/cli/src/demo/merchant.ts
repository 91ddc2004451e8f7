import { type QueueFactory, queueKeys, type RedisConnection } from '@shoptok/queues';
import { StateStore } from '@shoptok/state';
import { metafieldKeyFor } from '@shoptok/sync-core';
import { enqueueKind } from '../commands/enqueue.js';
import { drainQueues } from '../drain.js';
import { listingCounts, type DemoPlatforms } from './observe.js';

export interface MerchantFixContext extends DemoPlatforms {
  queues: QueueFactory;
  connection: RedisConnection;
  prefix: string;
  storeId: string;
  say: (line: string) => void;
  signal: AbortSignal;
}

const REQUIRED = /Category attribute "([^"]+)" is required/;
const VALUE = 'Cotton';

/**
 * The merchant answers "attribute required" from their own data: one product gets a Shopify
 * metafield (as in Shopify admin), the rest of those categories a store default (what
 * `shoptok map default` stores); then a products run. Resolves the held-back counts before and after.
 */
export async function fillMissingAttributes(ctx: MerchantFixContext): Promise<{ before: number; after: number; active: number }> {
  const state = new StateStore(ctx.connection, ctx.prefix, ctx.storeId);
  const before = listingCounts(ctx);
  const [attention, decisions] = await Promise.all([state.needsAttention(), state.categoryDecisions()]);
  const missing = [...attention]
    .map(([productId, a]) => ({ productId, name: a.reasons.map((r) => REQUIRED.exec(r.message)?.[1]).find(Boolean) }))
    .filter((m): m is { productId: string; name: string } => m.name !== undefined && decisions.has(m.productId))
    // Products held back for the attribute alone first: the metafields visibly release them.
    .sort(
      (a, b) =>
        Number(attention.get(b.productId)!.reasons.every((r) => r.code === 'attribute-required')) -
        Number(attention.get(a.productId)!.reasons.every((r) => r.code === 'attribute-required')),
    );
  const [first, second, ...rest] = missing;
  if (first) {
    const id = Number(first.productId.split('/').pop());
    const product = ctx.shopify.state.products.find((p) => p.id === id);
    const key = metafieldKeyFor(first.name);
    const [namespace, field] = key.split('.') as [string, string];
    ctx.shopify.editProduct(id, {
      metafields: [...(product?.metafields ?? []), { namespace, key: field, type: 'single_line_text_field', value: VALUE }],
    });
    ctx.say(`  metafield  ${key} = "${VALUE}" set in Shopify on "${product?.title ?? id}"`);
  }
  // A second product gets the value on each of its variants (variant metafields) instead.
  const onVariants = second
    ? ctx.shopify.state.products.find((p) => p.id === Number(second.productId.split('/').pop()))
    : undefined;
  if (second && onVariants) {
    const key = metafieldKeyFor(second.name);
    const [namespace, field] = key.split('.') as [string, string];
    for (const v of onVariants.variants)
      v.metafields = [...(v.metafields ?? []), { namespace, key: field, type: 'single_line_text_field', value: VALUE }];
    ctx.shopify.editProduct(onVariants.id, {}); // Shopify marks the product updated
    ctx.say(
      `  variant metafield  ${key} = "${VALUE}" set in Shopify on each of the ${onVariants.variants.length} variants of "${onVariants.title}"`,
    );
  } else if (second) rest.unshift(second);
  // One store default per category still missing the attribute (what `shoptok map default` stores).
  const categories = new Map<string, { name: string; leaf: string }>();
  for (const m of rest) {
    const decision = decisions.get(m.productId)!;
    categories.set(decision.categoryId, { name: m.name, leaf: decision.categoryPath.at(-1) ?? '' });
  }
  for (const [categoryId, { name, leaf }] of categories) {
    await state.setAttributeDefault(categoryId, name, VALUE);
    ctx.say(
      `  default    ${name} = "${VALUE}" for TikTok category ${categoryId} "${leaf}" (pnpm shoptok map default --store ${ctx.storeId} --category ${categoryId} --attribute ${name} --value ${VALUE})`,
    );
  }
  await enqueueKind(ctx.queues, 'products', [ctx.storeId], { dryRun: false });
  await drainQueues(ctx.queues, [ctx.storeId], queueKeys, 120_000, ctx.signal);
  // TikTok reviews the new listings in a moment; held back = active and not live on TikTok.
  const reviewEnd = Date.now() + 20_000;
  while (listingCounts(ctx).pendingReview > 0 && Date.now() < reviewEnd) await new Promise((r) => setTimeout(r, 100));
  const after = listingCounts(ctx);
  return { before: before.active - before.listed, after: after.active - after.listed, active: after.active };
}
