import { type CategoryAttribute, fillAttributes, type FilledAttribute, parseProduct } from '@shoptok/ai-mapper';
import type { ShopifyProduct } from '@shoptok/shopify';
import { attributeKey, type ListingDraft, type MerchantAttributeValue, type TikTokCategoryAttribute } from '@shoptok/sync-core';
import type { TikTokAttribute } from '@shoptok/tiktok';
import { toMapperInput } from './adapt.js';

/** The live attributes in sync-core's shape (unknown attribute types are left out). */
export function toPreflightAttributes(live: readonly TikTokAttribute[]): TikTokCategoryAttribute[] {
  return live
    .filter(
      (a): a is TikTokAttribute & { type: TikTokCategoryAttribute['type'] } =>
        a.type === 'PRODUCT_PROPERTY' || a.type === 'SALES_PROPERTY',
    )
    .map((a) => ({
      id: a.id,
      name: a.name,
      type: a.type,
      is_requried: a.is_requried,
      ...(a.is_multiple_selection === undefined ? {} : { is_multiple_selection: a.is_multiple_selection }),
      ...(a.is_customizable === undefined ? {} : { is_customizable: a.is_customizable }),
      ...(a.requirement_conditions ? { requirement_conditions: a.requirement_conditions } : {}),
      values: a.values.map((v) => ({ id: v.id, name: v.name })),
    }));
}

function toMapperAttribute(a: TikTokAttribute): CategoryAttribute {
  return {
    id: a.id,
    name: a.name,
    type: 'PRODUCT_PROPERTY',
    isRequired: a.is_requried,
    ...(a.is_multiple_selection === undefined ? {} : { isMultipleSelection: a.is_multiple_selection }),
    ...(a.is_customizable === undefined ? {} : { isCustomizable: a.is_customizable }),
    values: a.values.map((v) => ({ id: v.id, name: v.name })),
  };
}

/**
 * The product attributes to send, checked against the category's LIVE attributes: the
 * merchant's own values first (`merchant`: metafields, options, `name:value` tags, store
 * defaults; a text matching one of TikTok's listed values by name takes that value's id), then
 * the mapper's (its tree may be older than the shop's), then whatever is still empty, filled
 * from the product against the live list. A value TikTok does not list becomes a custom value
 * where the attribute takes them, else it is dropped (preflight then names a required attribute
 * that is still missing). `sources` says where each merchant value came from, by attribute name.
 */
export function productAttributesFor(
  product: ShopifyProduct,
  mapped: readonly FilledAttribute[],
  live: readonly TikTokAttribute[],
  merchant: readonly MerchantAttributeValue[] = [],
): { productAttributes: ListingDraft['productAttributes']; sources: Record<string, string> } {
  const props = live.filter((a) => a.type === 'PRODUCT_PROPERTY');
  const out = new Map<string, { id?: string; name?: string }[]>();
  const sources: Record<string, string> = {};
  const adopt = (attr: TikTokAttribute, values: readonly { id?: string; name: string }[]): boolean => {
    const known = new Set(attr.values.map((v) => v.id));
    const kept = values.flatMap((v): { id?: string; name?: string }[] => {
      if (v.id && (known.size === 0 || known.has(v.id))) return [{ id: v.id }];
      return attr.is_customizable && v.name.trim() ? [{ name: v.name.trim() }] : [];
    });
    const single = attr.is_multiple_selection ? kept : kept.slice(0, 1);
    if (single.length > 0) out.set(attr.id, single);
    return single.length > 0;
  };
  const byId = new Map(props.map((a) => [a.id, a]));
  const byName = new Map(props.map((a) => [attributeKey(a.name), a]));
  for (const m of merchant) {
    const attr = byName.get(attributeKey(m.attributeName));
    if (!attr || out.has(attr.id)) continue;
    const values = m.values.map((text) => {
      const listed = attr.values.find((v) => attributeKey(v.name) === attributeKey(text));
      return listed ? { id: listed.id, name: listed.name } : { name: text };
    });
    if (adopt(attr, values)) sources[attr.name] = m.from;
  }
  for (const a of mapped) {
    if (out.has(a.id)) continue;
    const attr = byId.get(a.id);
    if (attr) adopt(attr, a.values);
  }
  const missing = props.filter((a) => !out.has(a.id));
  if (missing.length > 0) {
    const { filled } = fillAttributes(parseProduct(toMapperInput(product)), missing.map(toMapperAttribute));
    for (const a of filled) {
      const attr = byId.get(a.id);
      if (attr) adopt(attr, a.values);
    }
  }
  return { productAttributes: [...out].map(([id, values]) => ({ id, values })), sources };
}
