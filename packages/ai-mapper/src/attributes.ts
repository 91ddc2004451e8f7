import { ATTRIBUTE_VALUE_MAX_CHARS, htmlToLines } from './limits.js';
import type { CategoryAttribute, FilledAttribute, MapperProduct } from './schemas.js';
import { stem, words } from './text.js';

// Attribute names TikTok uses vs the option names merchants use in Shopify.
const NAME_ALIASES: Record<string, string[]> = {
  colour: ['colour', 'color', 'shade', 'colourway'],
  size: ['size', 'sizes', 'fit size'],
  material: ['material', 'fabric', 'composition', 'materials'],
  pattern: ['pattern', 'print'],
  style: ['style'],
  scent: ['scent', 'fragrance'],
  flavour: ['flavour', 'flavor', 'taste'],
  capacity: ['capacity', 'volume'],
};

function canonical(name: string): string {
  const w = words(name).map(stem).join(' ');
  for (const [key, aliases] of Object.entries(NAME_ALIASES))
    if (aliases.some((a) => words(a).map(stem).join(' ') === w)) return key;
  return w;
}

function containsPhrase(haystackWords: readonly string[], phrase: string): boolean {
  const needle = words(phrase).map(stem);
  if (needle.length === 0) return false;
  outer: for (let i = 0; i + needle.length <= haystackWords.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystackWords[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/**
 * Fills a category's PRODUCT_PROPERTY attributes from the product: a matching Shopify option
 * first, then a listed value named in the title, tags or description, then a "Name: value" line
 * in the description. SALES_PROPERTY attributes are per SKU and built from variants elsewhere.
 * Returns the filled attributes and the required ones we could not fill.
 */
export function fillAttributes(
  product: MapperProduct,
  attributes: readonly CategoryAttribute[],
): { filled: FilledAttribute[]; missingRequired: { id: string; name: string }[] } {
  const filled: FilledAttribute[] = [];
  const missingRequired: { id: string; name: string }[] = [];
  const description = htmlToLines(product.descriptionHtml);
  const sources: { source: FilledAttribute['source']; words: string[] }[] = [
    { source: 'title', words: words(product.title).map(stem) },
    { source: 'tag', words: words(product.tags.join(' | ')).map(stem) },
    { source: 'category', words: words(`${product.productType} ${product.category?.fullName ?? ''}`).map(stem) },
    { source: 'description', words: words(description).map(stem) },
  ];
  for (const attr of attributes) {
    if (attr.type !== 'PRODUCT_PROPERTY') continue;
    const result = fillOne(product, attr, sources, description);
    if (result) filled.push(result);
    else if (attr.isRequired) missingRequired.push({ id: attr.id, name: attr.name });
  }
  return { filled, missingRequired };
}

function fillOne(
  product: MapperProduct,
  attr: CategoryAttribute,
  sources: { source: FilledAttribute['source']; words: string[] }[],
  description: string,
): FilledAttribute | undefined {
  const key = canonical(attr.name);
  const multiple = attr.isMultipleSelection ?? false;
  const customizable = attr.isCustomizable ?? attr.values.length === 0;
  const pick = (names: readonly string[], source: FilledAttribute['source']): FilledAttribute | undefined => {
    const values: { id?: string; name: string }[] = [];
    for (const name of names) {
      const listed = attr.values.find((v) => canonical(v.name) === canonical(name));
      if (listed) values.push({ id: listed.id, name: listed.name });
      else if (customizable) values.push({ name: name.slice(0, ATTRIBUTE_VALUE_MAX_CHARS) });
      if (values.length > 0 && !multiple) break;
    }
    return values.length > 0 ? { id: attr.id, name: attr.name, values, source } : undefined;
  };

  // 1. A Shopify option with the same meaning ("Color" for "Colour").
  const option = product.options.find((o) => canonical(o.name) === key);
  if (option && option.values.length > 0) {
    const hit = pick(option.values, 'option');
    if (hit) return hit;
  }
  // 2. A listed value the product names (longest value first: "Light Blue" before "Blue").
  if (attr.values.length > 0) {
    const byLength = [...attr.values].sort((a, b) => b.name.length - a.name.length);
    for (const { source, words: haystack } of sources) {
      const found = byLength.filter((v) => containsPhrase(haystack, v.name));
      if (found.length > 0)
        return {
          id: attr.id,
          name: attr.name,
          values: (multiple ? found : found.slice(0, 1)).map((v) => ({ id: v.id, name: v.name })),
          source,
        };
    }
  }
  // 3. "Material: 100% cotton" in the description.
  if (customizable) {
    const aliases = NAME_ALIASES[key] ?? [attr.name];
    for (const alias of aliases) {
      const m = new RegExp(`\\b${alias.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*[:：-]\\s*([^.;\\n|]{1,80})`, 'i').exec(
        description,
      );
      // Stop where the next "Label:" starts ("100% cotton Care: machine wash").
      const value = m?.[1]?.split(/\s+\p{Lu}[\p{Ll}]+(?:\s\p{L}+)?\s*[:：]/u)[0]?.trim();
      if (value)
        return {
          id: attr.id,
          name: attr.name,
          values: [{ name: value.slice(0, ATTRIBUTE_VALUE_MAX_CHARS) }],
          source: 'description',
        };
    }
  }
  return undefined;
}
