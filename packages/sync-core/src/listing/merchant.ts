// What the merchant decides about a listing, before any mapper: category rules, and attribute
// values from the product's own data (metafields, options, `name:value` tags) and per-store defaults.
import type { AttributeDefaults, CategoryRule } from '../rules.js';

/** The parts of a Shopify product the category rules and attribute sources read. */
export interface MerchantProductFacts {
  title: string;
  productType?: string | null;
  vendor?: string | null;
  tags: readonly string[];
  collections: readonly { id: string; handle: string }[];
  /** Shopify Standard Product Taxonomy category, when the merchant set one. */
  category?: { id: string; fullName: string } | null;
  options?: readonly { name: string; values: readonly string[] }[];
  metafields?: readonly MerchantMetafield[];
  /** The variants the listing sends (not every variant of the product), with their metafields. */
  variants?: readonly { sku?: string | null; metafields?: readonly MerchantMetafield[] }[];
}

/** A Shopify metafield as the attribute sources read it (`type` is Shopify's). */
export interface MerchantMetafield {
  namespace: string;
  key: string;
  type: string;
  value: string;
}

/** The first category rule that matched a product. */
export interface CategoryRuleMatch {
  /** Position in `rules.listing.categories` (0-based, as the stores file path names it). */
  ruleIndex: number;
  categoryId: string;
  /** Which conditions matched, in words. */
  reason: string;
}

const norm = (v: string) => v.trim().toLowerCase();
const numericTail = (id: string) => id.replace(/^gid:\/\/shopify\/\w+\//, '');

function conditionsOf(rule: CategoryRule, product: MerchantProductFacts): { ok: boolean; said: string[] } {
  const said: string[] = [];
  const m = rule.match;
  const any = (wanted: readonly string[] | undefined, test: (w: string) => boolean, what: string): boolean => {
    if (!wanted) return true;
    const hit = wanted.find((w) => test(norm(w)));
    if (hit !== undefined) said.push(`${what} "${hit}"`);
    return hit !== undefined;
  };
  const tags = new Set(product.tags.map(norm));
  const title = ` ${norm(product.title).replace(/[^\p{L}\p{N}]+/gu, ' ')} `;
  const titleOk = m.titleWords === undefined || m.titleWords.every((w) => title.includes(` ${norm(w)} `));
  if (m.titleWords && titleOk) said.push(`title words "${m.titleWords.join(' ')}"`);
  const ok =
    titleOk &&
    any(
      m.shopifyCategory,
      (w) =>
        !!product.category &&
        (norm(product.category.id) === w ||
          norm(numericTail(product.category.id)) === w ||
          norm(product.category.fullName) === w ||
          norm(product.category.fullName).startsWith(`${w} >`)),
      'Shopify category',
    ) &&
    any(m.productType, (w) => norm(product.productType ?? '') === w, 'product type') &&
    any(m.tag, (w) => tags.has(w), 'tag') &&
    any(
      m.collection,
      (w) => product.collections.some((c) => norm(c.handle) === w || norm(c.id) === w || numericTail(c.id) === w),
      'collection',
    ) &&
    any(m.vendor, (w) => norm(product.vendor ?? '') === w, 'vendor');
  return { ok, said };
}

/**
 * The first of the store's category rules (`rules.listing.categories`, in order) that the
 * product matches: every condition a rule gives must hold. Undefined when none does.
 */
export function matchCategoryRule(product: MerchantProductFacts, rules: readonly CategoryRule[]): CategoryRuleMatch | undefined {
  for (const [ruleIndex, rule] of rules.entries()) {
    const { ok, said } = conditionsOf(rule, product);
    if (ok)
      return {
        ruleIndex,
        categoryId: rule.category,
        reason: `rules.listing.categories[${ruleIndex}] matched ${said.join(', ')}`,
      };
  }
  return undefined;
}

/** Where an attribute value came from, in the order they are tried. */
export type AttributeValueSource = 'metafield' | 'variant-metafield' | 'option' | 'tag' | 'store-default';

/** One attribute value the merchant's own data gives, with where it came from. */
export interface MerchantAttributeValue {
  attributeName: string;
  values: string[];
  source: AttributeValueSource;
  /** e.g. `metafield custom.material`, `variant metafield custom.material (3 of 3 variants)`, `option Colour`, `tag material:cotton`, `rules.listing.attributes[0]`. */
  from: string;
}

/** `Material`, `material`, `pattern_type` and `Pattern Type` are one name. */
export function attributeKey(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** The metafield key a merchant sets for a TikTok attribute: `Pattern Type` -> `custom.pattern_type`. */
export function metafieldKeyFor(attributeName: string): string {
  return `custom.${attributeKey(attributeName).replace(/ /g, '_')}`;
}

// Shopify list metafields hold a JSON array; other text types hold the text itself.
function metafieldValues(m: { type: string; value: string }): string[] {
  if (m.type.startsWith('list.')) {
    try {
      const parsed: unknown = JSON.parse(m.value);
      if (Array.isArray(parsed)) return parsed.map((v) => String(v).trim()).filter(Boolean);
    } catch {
      return [];
    }
  }
  const text = m.value.trim();
  return text ? [text] : [];
}

// Only text-like metafields carry a value a TikTok attribute can take as it is.
const TEXT_TYPES = /^(list\.)?(single_line_text_field|multi_line_text_field|number_integer|number_decimal|boolean)$/;

const custom = (m: MerchantMetafield) => Number(m.namespace === 'custom');

/** The text metafield named like the attribute (`custom` first), when it has a value. */
function metafieldFor(list: readonly MerchantMetafield[] | undefined, key: string): MerchantMetafield | undefined {
  return [...(list ?? [])]
    .filter((m) => TEXT_TYPES.test(m.type))
    .sort((a, b) => custom(b) - custom(a))
    .find((m) => attributeKey(m.key) === key && metafieldValues(m).length > 0);
}

/** What the listing's variants say for one attribute in their metafields. */
export interface VariantMetafieldReading {
  /** `custom.material` (the first variant's; they may differ in namespace). */
  name: string;
  /** Each variant that has a value, with it. */
  perVariant: { sku: string; values: string[] }[];
  /** How many variants the listing sends. */
  variantCount: number;
  /** Every value, once (first spelling kept), in variant order. */
  distinct: string[];
  /** True when every variant with a value has the same value(s). */
  agree: boolean;
}

/** The listing's variant metafields named like `attributeName`, or undefined when no variant has one. */
export function variantMetafieldReading(
  product: MerchantProductFacts,
  attributeName: string,
): VariantMetafieldReading | undefined {
  const key = attributeKey(attributeName);
  const variants = product.variants ?? [];
  const perVariant: VariantMetafieldReading['perVariant'] = [];
  let name: string | undefined;
  for (const v of variants) {
    const m = metafieldFor(v.metafields, key);
    if (!m) continue;
    name ??= `${m.namespace}.${m.key}`;
    perVariant.push({ sku: (v.sku ?? '').trim(), values: metafieldValues(m) });
  }
  if (!name) return undefined;
  const seen = new Map<string, string>();
  for (const v of perVariant) for (const text of v.values) if (!seen.has(attributeKey(text))) seen.set(attributeKey(text), text);
  const norm = (values: string[]) => values.map(attributeKey).sort().join('\u0000');
  const agree = perVariant.every((v) => norm(v.values) === norm(perVariant[0]!.values));
  return { name, perVariant, variantCount: variants.length, distinct: [...seen.values()], agree };
}

/** An attribute asked for: its TikTok name, and whether it takes several values. */
export type AttributeWanted = string | { name: string; multiple?: boolean };

/**
 * Values for the named attributes from the merchant's own data, first source that has one wins:
 * a product metafield whose key is the attribute's name (any namespace, `custom` first); the
 * listing's variant metafields of that name when every variant that has one agrees (an attribute
 * that takes several values takes them all; disagreeing variants give a single-value attribute
 * nothing, and pre-flight says so); a product option of that name with one value; a tag written
 * `name:value`; then the store's defaults for the category (`defaults`, the stores file's
 * `rules.listing.attributes` with the CLI's stored ones merged over them).
 */
export function merchantAttributeValues(
  product: MerchantProductFacts,
  attributes: readonly AttributeWanted[],
  categoryId: string,
  defaults: readonly (AttributeDefaults & { from: string })[],
): MerchantAttributeValue[] {
  const out: MerchantAttributeValue[] = [];
  for (const wanted of attributes) {
    const name = typeof wanted === 'string' ? wanted : wanted.name;
    const multiple = typeof wanted === 'string' ? false : wanted.multiple === true;
    const key = attributeKey(name);
    const metafield = metafieldFor(product.metafields, key);
    if (metafield) {
      out.push({
        attributeName: name,
        values: metafieldValues(metafield),
        source: 'metafield',
        from: `metafield ${metafield.namespace}.${metafield.key}`,
      });
      continue;
    }
    const fromVariants = variantMetafieldReading(product, name);
    if (fromVariants && (fromVariants.agree || multiple)) {
      out.push({
        attributeName: name,
        values: fromVariants.agree ? fromVariants.perVariant[0]!.values : fromVariants.distinct,
        source: 'variant-metafield',
        from: `variant metafield ${fromVariants.name} (${fromVariants.perVariant.length} of ${fromVariants.variantCount} variants)`,
      });
      continue;
    }
    const option = product.options?.find((o) => attributeKey(o.name) === key && o.values.length > 0);
    // An option with one value describes the whole product; several values are per SKU (sales attributes).
    if (option && option.values.length === 1) {
      out.push({ attributeName: name, values: [...option.values], source: 'option', from: `option ${option.name}` });
      continue;
    }
    const tagged = product.tags
      .map((t) => /^([^:]+):(.+)$/.exec(t))
      .filter((m): m is RegExpExecArray => m !== null && attributeKey(m[1]!) === key)
      .map((m) => ({ tag: m[0], value: m[2]!.trim() }));
    if (tagged.length > 0) {
      out.push({
        attributeName: name,
        values: tagged.map((t) => t.value),
        source: 'tag',
        from: `tag ${tagged.map((t) => t.tag).join(', ')}`,
      });
      continue;
    }
    for (const d of defaults) {
      if (d.category !== categoryId) continue;
      const entry = Object.entries(d.values).find(([k]) => attributeKey(k) === key);
      if (entry) {
        out.push({ attributeName: name, values: [entry[1]], source: 'store-default', from: d.from });
        break;
      }
    }
  }
  return out;
}

/** Where a merchant sets a missing attribute, in words for a pre-flight reason. */
export function whereToSetAttribute(store: string, categoryId: string, attributeName: string): string {
  return `Set it on the product as metafield ${metafieldKeyFor(attributeName)} (or the same value on its variants as variant metafield ${metafieldKeyFor(attributeName)}) or a tag "${attributeKey(attributeName).replace(/ /g, '_')}:<value>", or for every product of category ${categoryId}: rules.listing.attributes (category ${categoryId}, values: { ${attributeName}: <value> }) or pnpm shoptok map default --store ${store} --category ${categoryId} --attribute "${attributeName}" --value <value>.`;
}

/**
 * Why the listing's variant metafields gave a single-value attribute nothing, in words for a
 * pre-flight reason; undefined when they did not disagree.
 */
export function variantMetafieldDisagreement(product: MerchantProductFacts, attributeName: string): string | undefined {
  const reading = variantMetafieldReading(product, attributeName);
  if (!reading || reading.agree) return undefined;
  const said = reading.perVariant
    .slice(0, 4)
    .map((v) => `"${v.values.join(', ')}" on SKU ${v.sku || '(none)'}`)
    .join(', ');
  return `Its variants disagree: variant metafield ${reading.name} is ${said}${reading.perVariant.length > 4 ? ', ...' : ''}; "${attributeName}" takes one value per TikTok product, so set it on the product (metafield ${metafieldKeyFor(attributeName)}) or give every variant the same value.`;
}
