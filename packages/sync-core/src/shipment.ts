import type { StoreRules } from './rules.js';
import type { TikTokOrder, TikTokOrderLineItem, TikTokShippingProvider } from './tiktok-types.js';

/** A Shopify fulfilment (`Fulfillment`: status, trackingInfo, fulfillmentLineItems) in plain form. */
export interface ShopifyFulfillment {
  id: string;
  /** `FulfillmentStatus`: SUCCESS, CANCELLED, ERROR, FAILURE, OPEN, PENDING. */
  status?: string;
  trackingInfo: readonly { company?: string | null; number?: string | null; url?: string | null }[];
  lineItems: readonly { sku?: string | null; quantity: number }[];
}

/** Body of Mark Package As Shipped: `POST /fulfillment/202309/orders/{order_id}/packages` (API-FACTS §5.9). */
export interface TikTokShipmentBody {
  tracking_number: string;
  shipping_provider_id: string;
  order_line_item_ids: string[];
}

export type ShipmentRejectReason =
  | { code: 'fulfilment-not-successful'; status: string; message: string }
  | { code: 'no-tracking-number'; message: string }
  | { code: 'no-carrier'; message: string }
  | { code: 'carrier-unmapped'; carrier: string; providers: string[]; message: string }
  | { code: 'carrier-ambiguous'; carrier: string; providers: string[]; message: string }
  | { code: 'override-unknown-provider'; carrier: string; override: string; message: string }
  | { code: 'already-shipped'; message: string }
  | { code: 'no-matching-lines'; skus: string[]; message: string };

export type ShipmentResult =
  | {
      ok: true;
      orderId: string;
      body: TikTokShipmentBody;
      provider: { id: string; name: string | null; matchedBy: 'override' | 'name' | 'alias' };
      warnings: string[];
    }
  | { ok: false; reasons: ShipmentRejectReason[] };

const COMPANY_WORDS = new Set(['inc', 'llc', 'ltd', 'limited', 'co', 'corp', 'corporation', 'plc', 'gmbh', 'sa', 'bv']);

// Carriers known under more than one name; each list is one carrier. Kept short on purpose:
// a wrong provider is worse than a clear "no mapping" the merchant can fix with an override.
const CARRIER_ALIASES: readonly (readonly string[])[] = [
  ['usps', 'unitedstatespostalservice', 'uspostalservice'],
  ['ups', 'unitedparcelservice'],
  ['fedex', 'federalexpress'],
  ['evri', 'hermes', 'hermesuk'],
  ['parcelforce', 'parcelforceworldwide'],
  ['royalmail', 'royalmailgroup'],
  ['dpd', 'dpduk'],
  ['ontrac', 'ontracshipping'],
  ['lasership', 'lasershipinc'],
];

/** Lower-case letters and digits only, "&" read as "and", company suffixes dropped: "FedEx, Inc." -> "fedex". */
export function normaliseCarrierName(name: string): string {
  const words = name
    .toLowerCase()
    .replace(/&/g, ' and ')
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  while (words.length > 1 && COMPANY_WORDS.has(words[words.length - 1] ?? '')) words.pop();
  return words.join('');
}

function canonicalCarrier(name: string): string {
  const normal = normaliseCarrierName(name);
  return CARRIER_ALIASES.find((names) => names.includes(normal))?.[0] ?? normal;
}

type ProviderMatch =
  | { ok: true; id: string; name: string | null; matchedBy: 'override' | 'name' | 'alias'; warning?: string }
  | { ok: false; reason: ShipmentRejectReason };

/**
 * The TikTok shipping provider for a Shopify carrier name: the store's override first, then the
 * same name, then a known alias. No guess beyond that.
 */
export function mapCarrierToProvider(
  carrier: string,
  providers: readonly TikTokShippingProvider[],
  rules: StoreRules,
): ProviderMatch {
  const names = providers.map((p) => p.name);
  const wanted = normaliseCarrierName(carrier);
  const override = Object.entries(rules.shipping.carrierOverrides).find(([from]) => normaliseCarrierName(from) === wanted)?.[1];
  if (override) {
    const byId = providers.find((p) => p.id === override);
    if (byId) return { ok: true, id: byId.id, name: byId.name, matchedBy: 'override' };
    const byName = providers.filter((p) => normaliseCarrierName(p.name) === normaliseCarrierName(override));
    if (byName.length === 1 && byName[0]) return { ok: true, id: byName[0].id, name: byName[0].name, matchedBy: 'override' };
    // An id outside the list may be right (the list depends on the delivery option): trust ids, flag it.
    if (/^\d+$/.test(override)) {
      return {
        ok: true,
        id: override,
        name: null,
        matchedBy: 'override',
        warning: `Override provider id ${override} for "${carrier}" is not among the shop's providers for this delivery option; TikTok may refuse it.`,
      };
    }
    return {
      ok: false,
      reason: {
        code: 'override-unknown-provider',
        carrier,
        override,
        message: `rules.shipping.carrierOverrides maps "${carrier}" to "${override}", which is not one of this shop's TikTok shipping providers (${names.join(', ') || 'none listed'}).`,
      },
    };
  }
  const exact = providers.filter((p) => normaliseCarrierName(p.name) === wanted);
  const aliased = exact.length > 0 ? exact : providers.filter((p) => canonicalCarrier(p.name) === canonicalCarrier(carrier));
  const matchedBy = exact.length > 0 ? 'name' : 'alias';
  if (aliased.length === 1 && aliased[0]) return { ok: true, id: aliased[0].id, name: aliased[0].name, matchedBy };
  if (aliased.length > 1) {
    return {
      ok: false,
      reason: {
        code: 'carrier-ambiguous',
        carrier,
        providers: aliased.map((p) => p.name),
        message: `Carrier "${carrier}" matches several TikTok providers (${aliased.map((p) => p.name).join(', ')}); pick one in rules.shipping.carrierOverrides.`,
      },
    };
  }
  return {
    ok: false,
    reason: {
      code: 'carrier-unmapped',
      carrier,
      providers: names,
      message: `Carrier "${carrier}" has no TikTok shipping provider; add it to rules.shipping.carrierOverrides (providers: ${names.join(', ') || 'none listed'}).`,
    },
  };
}

// Line statuses that mean TikTok already has it shipped (display_status of §5.8 line items).
const SHIPPED_LINE_STATUSES = new Set(['AWAITING_COLLECTION', 'IN_TRANSIT', 'DELIVERED', 'COMPLETED']);

function isShippable(line: TikTokOrderLineItem): boolean {
  if (line.cancel_reason || line.display_status === 'CANCELLED') return false;
  if (line.tracking_number) return false;
  return !line.display_status || !SHIPPED_LINE_STATUSES.has(line.display_status);
}

/**
 * Translates a Shopify fulfilment into TikTok's Mark Package As Shipped body: its tracking number,
 * the carrier mapped to the shop's TikTok shipping provider id, and one TikTok line item per unit
 * shipped (matched by SKU among the lines not shipped yet).
 */
export function buildTikTokShipment(
  fulfilment: ShopifyFulfillment,
  tiktokOrder: Pick<TikTokOrder, 'id' | 'line_items'>,
  providers: readonly TikTokShippingProvider[],
  rules: StoreRules,
): ShipmentResult {
  const reasons: ShipmentRejectReason[] = [];
  const warnings: string[] = [];
  if (fulfilment.status && fulfilment.status !== 'SUCCESS') {
    return {
      ok: false,
      reasons: [
        {
          code: 'fulfilment-not-successful',
          status: fulfilment.status,
          message: `Shopify fulfilment ${fulfilment.id} is ${fulfilment.status}; only successful fulfilments are sent to TikTok.`,
        },
      ],
    };
  }

  const tracked = fulfilment.trackingInfo.filter((t) => t.number?.trim());
  const tracking = tracked[0];
  const trackingNumber = tracking?.number?.trim();
  if (!trackingNumber)
    reasons.push({
      code: 'no-tracking-number',
      message: `Shopify fulfilment ${fulfilment.id} has no tracking number; TikTok needs one to mark the order shipped.`,
    });
  if (tracked.length > 1)
    warnings.push(
      `Fulfilment ${fulfilment.id} has ${tracked.length} tracking numbers; TikTok takes one per package, sent ${trackingNumber}.`,
    );

  const carrier = (tracking ?? fulfilment.trackingInfo[0])?.company?.trim();
  let provider: ProviderMatch | undefined;
  if (!carrier)
    reasons.push({
      code: 'no-carrier',
      message: `Shopify fulfilment ${fulfilment.id} has no carrier name; set the shipping carrier so it can be mapped to a TikTok provider.`,
    });
  else {
    provider = mapCarrierToProvider(carrier, providers, rules);
    if (!provider.ok) reasons.push(provider.reason);
    else if (provider.warning) warnings.push(provider.warning);
  }

  // One TikTok line per unit: take as many unshipped lines of each SKU as Shopify shipped.
  const open = tiktokOrder.line_items.filter(isShippable);
  if (open.length === 0) {
    const anyLive = tiktokOrder.line_items.some((l) => !l.cancel_reason && l.display_status !== 'CANCELLED');
    reasons.push(
      anyLive
        ? { code: 'already-shipped', message: `TikTok order ${tiktokOrder.id} is already shipped.` }
        : {
            code: 'no-matching-lines',
            skus: [],
            message: `TikTok order ${tiktokOrder.id} has no line left to ship (all cancelled).`,
          },
    );
    return { ok: false, reasons };
  }
  const used = new Set<string>();
  const missing: string[] = [];
  for (const item of fulfilment.lineItems) {
    const sku = item.sku?.trim();
    if (!sku) continue;
    const candidates = open.filter((l) => l.seller_sku?.trim() === sku && !used.has(l.id));
    if (candidates.length === 0) {
      missing.push(sku);
      continue;
    }
    const take = candidates.slice(0, Math.max(0, item.quantity));
    if (take.length < item.quantity)
      warnings.push(`Shopify shipped ${item.quantity} of "${sku}" but TikTok had ${take.length} unshipped; sent ${take.length}.`);
    for (const l of take) used.add(l.id);
  }
  if (used.size === 0) {
    const skus = fulfilment.lineItems.map((l) => l.sku?.trim()).filter((s): s is string => Boolean(s));
    reasons.push({
      code: 'no-matching-lines',
      skus,
      message: `None of the fulfilled SKUs (${skus.join(', ') || 'none'}) is an unshipped line of TikTok order ${tiktokOrder.id}.`,
    });
  } else if (missing.length > 0) {
    warnings.push(
      `SKUs ${missing.join(', ')} of the fulfilment are not open lines of TikTok order ${tiktokOrder.id}; sent the others.`,
    );
  }

  if (reasons.length > 0 || !provider?.ok || !trackingNumber) return { ok: false, reasons };
  return {
    ok: true,
    orderId: tiktokOrder.id,
    body: {
      tracking_number: trackingNumber,
      shipping_provider_id: provider.id,
      order_line_item_ids: open.filter((l) => used.has(l.id)).map((l) => l.id),
    },
    provider: { id: provider.id, name: provider.name, matchedBy: provider.matchedBy },
    warnings,
  };
}
