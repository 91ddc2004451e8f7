import type { StandInServices } from './context.js';
import { nowSec, type Product } from './model.js';
import type { ShopState, TikTokStandInState } from './state.js';

// The product audit: a verdict a moment after create or edit (banned words fail it), sent as
// webhooks 5 (status) and 37 (audit status).

/** Starts (or restarts) the audit of a product; the verdict comes after `delayMs`. */
export function scheduleAudit(
  state: TikTokStandInState,
  services: StandInServices,
  delayMs: number,
  shop: ShopState,
  productId: string,
): void {
  const prior = state.pendingAudits.get(productId);
  if (prior) clearTimeout(prior.timer);
  const timer = setTimeout(() => finishAudit(state, services, shop, productId), delayMs);
  state.pendingAudits.set(productId, { shop, productId, timer });
}

/** Finishes every pending audit now. */
export function completeAudits(state: TikTokStandInState, services: StandInServices): void {
  for (const { shop, productId, timer } of [...state.pendingAudits.values()]) {
    clearTimeout(timer);
    finishAudit(state, services, shop, productId);
  }
}

/** Drops the audits in flight without a verdict (the stand-in closes). */
export function cancelAudits(state: TikTokStandInState): void {
  for (const { timer } of state.pendingAudits.values()) clearTimeout(timer);
  state.pendingAudits.clear();
}

function finishAudit(state: TikTokStandInState, services: StandInServices, shop: ShopState, productId: string): void {
  state.pendingAudits.delete(productId);
  const product = shop.products.get(productId);
  if (!product || product.status !== 'PENDING') return;
  const reasons: Product['audit_failed_reasons'] = [];
  for (const [position, text] of [
    ['title', product.title],
    ['description', product.description],
  ] as const) {
    const word = services.bannedWords.find((w) => text.toLowerCase().includes(w));
    if (word) {
      reasons.push({
        position,
        reasons: [`The ${position} contains a prohibited word: "${word}".`],
        suggestions: [`Remove "${word}" from the ${position} and submit again.`],
        listing_platform: 'TIKTOK_SHOP',
      });
    }
  }
  const first = product.create_time === product.update_time;
  product.update_time = Math.max(nowSec(), product.update_time);
  if (reasons.length > 0) {
    product.status = 'FAILED';
    product.audit = { status: 'FAILED' };
    product.audit_failed_reasons = reasons;
    services.emitWebhook(shop, 5, {
      product_id: product.id,
      status: 'PRODUCT_AUDIT_FAILURE',
      suspended_reason: reasons[0]!.reasons[0],
      update_time: product.update_time,
    });
  } else {
    product.status = 'ACTIVATE';
    product.audit = { status: 'APPROVED' };
    product.audit_failed_reasons = [];
    services.emitWebhook(shop, 5, {
      product_id: product.id,
      status: first ? 'PRODUCT_FIRST_PASS_REVIEW' : 'PRODUCT_STATUS_CHANGED',
      suspended_reason: '',
      update_time: product.update_time,
    });
  }
  services.emitWebhook(shop, 37, {
    product_id: product.id,
    audit: { status: product.audit.status },
    update_time: product.update_time,
  });
}
