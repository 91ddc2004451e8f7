import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** One row of the served tree, shaped as Get Categories returns it (API-FACTS §5.2). */
export interface StandInCategory {
  id: string;
  parent_id: string;
  local_name: string;
  is_leaf: boolean;
  permission_statuses: string[];
}

export interface StandInAttribute {
  id: string;
  name: string;
  type: 'SALES_PROPERTY' | 'PRODUCT_PROPERTY';
  is_requried: boolean; // sic: the real API's spelling
  is_multiple_selection: boolean;
  is_customizable: boolean;
  value_data_format: string;
  values: { id: string; name: string }[];
}

export interface CategoryTree {
  categories: StandInCategory[];
  byId: Map<string, StandInCategory>;
  /** Root-first chain of a category. */
  chain(id: string): StandInCategory[];
  /** The top-level (root) English name of a category. */
  topName(id: string): string | undefined;
}

const fixtureDir = fileURLToPath(new URL('../../fixtures/tiktok/', import.meta.url));

const idTreeSchema = z.object({
  data: z.object({
    categories: z.array(
      z.object({
        id: z.string(),
        parent_id: z.string(),
        local_name: z.string(),
        is_leaf: z.boolean(),
        permission_statuses: z.array(z.string()),
      }),
    ),
  }),
});
const ukPathsSchema = z.array(
  z.object({ category_id: z.union([z.number(), z.string()]).transform(String), category_path: z.string() }),
);

let cached: CategoryTree | undefined;

/**
 * The English v1 tree: the Indonesian dump gives ids and parents, the UK leaf paths give
 * English names (joined by leaf id, then walked up). Only categories that get an English name
 * are served, so every served parent exists and every name is English.
 */
export function loadCategoryTree(): CategoryTree {
  if (cached) return cached;
  const full = idTreeSchema.parse(JSON.parse(readFileSync(`${fixtureDir}id-v1-categories-20260602.json`, 'utf8'))).data
    .categories;
  const uk = ukPathsSchema.parse(JSON.parse(readFileSync(`${fixtureDir}uk-v1-leaf-paths-2023.json`, 'utf8')));
  const rows = new Map(full.map((c) => [c.id, c]));
  const english = new Map<string, string>();
  for (const leaf of uk) {
    const names = leaf.category_path.split('>').map((n) => n.trim());
    const ids: string[] = [];
    let cursor = rows.get(leaf.category_id);
    if (!cursor?.is_leaf) continue;
    while (cursor) {
      ids.unshift(cursor.id);
      cursor = cursor.parent_id === '0' ? undefined : rows.get(cursor.parent_id);
    }
    if (ids.length !== names.length) continue; // the two trees disagree on depth: skip rather than mislabel
    ids.forEach((id, i) => {
      if (!english.has(id)) english.set(id, names[i]!);
    });
  }
  const categories: StandInCategory[] = [];
  for (const row of full) {
    const name = english.get(row.id);
    if (name === undefined) continue;
    categories.push({
      id: row.id,
      parent_id: row.parent_id,
      local_name: name,
      is_leaf: row.is_leaf,
      permission_statuses: [...row.permission_statuses],
    });
  }
  const byId = new Map(categories.map((c) => [c.id, c]));
  const chain = (id: string): StandInCategory[] => {
    const out: StandInCategory[] = [];
    let cursor = byId.get(id);
    while (cursor) {
      out.unshift(cursor);
      cursor = cursor.parent_id === '0' ? undefined : byId.get(cursor.parent_id);
    }
    return out;
  };
  cached = { categories, byId, chain, topName: (id) => chain(id)[0]?.local_name };
  return cached;
}

// Deterministic attributes and rules (the real ones are per category and not in our data).
const MATERIAL_REQUIRED_TOPS = new Set([
  'Womenswear & Underwear',
  'Menswear & Underwear',
  "Kids' Fashion",
  'Textiles & Soft Furnishings',
]);
const DIMENSIONS_REQUIRED_TOPS = new Set(['Furniture', 'Household Appliances']);

export const MATERIAL_ATTRIBUTE_ID = '100701';
export const WARRANTY_ATTRIBUTE_ID = '100702';
export const COLOUR_ATTRIBUTE_ID = '100000';
export const SIZE_ATTRIBUTE_ID = '100007';

/** Attributes of a leaf: Material is required under clothing and textile roots; Colour and Size are sales properties everywhere. */
export function attributesFor(tree: CategoryTree, categoryId: string): StandInAttribute[] {
  const top = tree.topName(categoryId) ?? '';
  const fashion = MATERIAL_REQUIRED_TOPS.has(top);
  return [
    {
      id: MATERIAL_ATTRIBUTE_ID,
      name: 'Material',
      type: 'PRODUCT_PROPERTY',
      is_requried: fashion,
      is_multiple_selection: true,
      is_customizable: true,
      value_data_format: 'POSITIVE_INT_OR_DECIMAL',
      values: [
        { id: '1000001', name: 'Cotton' },
        { id: '1000002', name: 'Polyester' },
        { id: '1000003', name: 'Wool' },
        { id: '1000004', name: 'Plastic' },
        { id: '1000005', name: 'Metal' },
      ],
    },
    {
      id: WARRANTY_ATTRIBUTE_ID,
      name: 'Warranty Period',
      type: 'PRODUCT_PROPERTY',
      is_requried: false,
      is_multiple_selection: false,
      is_customizable: false,
      value_data_format: 'POSITIVE_INT_OR_DECIMAL',
      values: [
        { id: '1000101', name: '6 months' },
        { id: '1000102', name: '1 year' },
        { id: '1000103', name: '2 years' },
      ],
    },
    {
      id: COLOUR_ATTRIBUTE_ID,
      name: 'Colour',
      type: 'SALES_PROPERTY',
      is_requried: false,
      is_multiple_selection: false,
      is_customizable: true,
      value_data_format: 'POSITIVE_INT_OR_DECIMAL',
      values: [],
    },
    {
      id: SIZE_ATTRIBUTE_ID,
      name: 'Size',
      type: 'SALES_PROPERTY',
      is_requried: false,
      is_multiple_selection: false,
      is_customizable: true,
      value_data_format: 'POSITIVE_INT_OR_DECIMAL',
      values: [],
    },
  ];
}

/** Rules of a leaf, shaped as Get Category Rules: package dimensions required under Furniture and Household Appliances. */
export function rulesFor(tree: CategoryTree, categoryId: string): Record<string, unknown> {
  const top = tree.topName(categoryId) ?? '';
  const fashion = MATERIAL_REQUIRED_TOPS.has(top);
  return {
    product_certifications:
      top === 'Toys & Hobbies'
        ? [
            {
              id: '7000001',
              name: 'CE Marking',
              is_required: false,
              sample_image_url: '',
              requirement_conditions: [],
              expiration_date: { is_required: false },
            },
          ]
        : [],
    size_chart: { is_supported: fashion, is_required: false },
    cod: { is_supported: false },
    package_dimension: { is_required: DIMENSIONS_REQUIRED_TOPS.has(top) },
    epr: { is_required: false },
    responsible_person: { is_required: false },
    manufacturer: { is_required: false },
    allowed_special_product_types: [],
  };
}

export function requiresDimensions(tree: CategoryTree, categoryId: string): boolean {
  return DIMENSIONS_REQUIRED_TOPS.has(tree.topName(categoryId) ?? '');
}
