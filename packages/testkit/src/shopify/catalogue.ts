// A deterministic generator of realistic fashion / beauty / home catalogues for the stand-in.

export interface StandInVariant {
  id: number;
  title: string;
  sku: string | null;
  price: string;
  compareAtPrice: string | null;
  barcode: string | null;
  position: number;
  selectedOptions: { name: string; value: string }[];
  inventoryItemId: number;
  tracked: boolean;
  weight: { unit: 'GRAMS' | 'KILOGRAMS'; value: number } | null;
  /** The variant's metafields (absent: none). */
  metafields?: StandInMetafield[];
}

/** A category of Shopify's Standard Product Taxonomy, as `Product.category` returns it. */
export interface StandInTaxonomyCategory {
  id: string;
  fullName: string;
  name: string;
}

/** A collection the product belongs to (`Product.collections`). */
export interface StandInCollection {
  id: number;
  handle: string;
  title: string;
}

/** A metafield of a product or variant (`metafields` on both; `type` is Shopify's, e.g. `single_line_text_field`). */
export interface StandInMetafield {
  namespace: string;
  key: string;
  type: string;
  value: string;
}

export interface StandInProduct {
  id: number;
  title: string;
  handle: string;
  status: 'ACTIVE' | 'ARCHIVED' | 'DRAFT';
  vendor: string;
  productType: string;
  /** Null when the merchant never categorised the product (common). */
  category?: StandInTaxonomyCategory | null;
  tags: string[];
  descriptionHtml: string;
  createdAt: string;
  updatedAt: string;
  options: { name: string; values: string[] }[];
  media: { id: number; url: string; alt: string | null }[];
  variants: StandInVariant[];
  /** Collections the product is in (absent: none). */
  collections?: StandInCollection[];
  /** The product's metafields (absent: none). */
  metafields?: StandInMetafield[];
}

export interface StandInLocation {
  id: number;
  name: string;
  address?: { address1?: string; city?: string; zip?: string; countryCode?: string };
}

export interface Catalogue {
  products: StandInProduct[];
  locations: StandInLocation[];
  /** inventoryItemId -> locationId -> available */
  stock: Map<number, Map<number, number>>;
}

export interface GenerateCatalogueOptions {
  products: number;
  seed?: number;
  locations?: number;
  /** Share of variants without a SKU. Default 0.05. */
  noSkuRate?: number;
  /** Share of variants reusing another variant's SKU. Default 0.03. */
  duplicateSkuRate?: number;
  /** Timestamp of the first product; later ones are a minute apart. */
  startAt?: Date;
}

/** A small deterministic PRNG (mulberry32) so a seed always gives the same catalogue. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Kind {
  vertical: 'fashion' | 'beauty' | 'home';
  type: string;
  nouns: string[];
  options: { name: string; values: string[] }[];
  price: [number, number];
  grams: [number, number];
  /** Standard Product Taxonomy id (the part after `TaxonomyCategory/`) and full path. */
  category: [string, string];
}

const KINDS: Kind[] = [
  {
    vertical: 'fashion',
    type: 'T-Shirt',
    nouns: ['Organic Cotton Tee', 'Boxy Tee', 'Ribbed Tank'],
    options: [
      { name: 'Size', values: ['XS', 'S', 'M', 'L', 'XL'] },
      { name: 'Color', values: ['Black', 'White', 'Sage', 'Sand'] },
    ],
    price: [18, 45],
    grams: [150, 250],
    category: ['aa-1-13-8', 'Apparel & Accessories > Clothing > Clothing Tops > T-Shirts'],
  },
  {
    vertical: 'fashion',
    type: 'Dress',
    nouns: ['Linen Midi Dress', 'Wrap Dress', 'Slip Dress'],
    options: [
      { name: 'Size', values: ['6', '8', '10', '12', '14'] },
      { name: 'Color', values: ['Ivory', 'Terracotta', 'Navy'] },
    ],
    price: [55, 160],
    grams: [300, 600],
    category: ['aa-1-4', 'Apparel & Accessories > Clothing > Dresses'],
  },
  {
    vertical: 'fashion',
    type: 'Jeans',
    nouns: ['Straight Leg Jean', 'Wide Leg Jean'],
    options: [
      { name: 'Waist', values: ['26', '28', '30', '32', '34'] },
      { name: 'Length', values: ['30', '32'] },
    ],
    price: [60, 140],
    grams: [600, 900],
    category: ['aa-1-12-4', 'Apparel & Accessories > Clothing > Pants > Jeans'],
  },
  {
    vertical: 'fashion',
    type: 'Sneakers',
    nouns: ['Court Sneaker', 'Canvas Trainer'],
    options: [
      { name: 'Size', values: ['36', '37', '38', '39', '40', '41', '42', '43', '44', '45'] },
      { name: 'Color', values: ['White', 'Black', 'Ecru', 'Forest'] },
    ],
    price: [70, 150],
    grams: [700, 1100],
    category: ['aa-8-8', 'Apparel & Accessories > Shoes > Sneakers'],
  },
  {
    vertical: 'beauty',
    type: 'Lipstick',
    nouns: ['Satin Lipstick', 'Matte Lip Colour'],
    options: [{ name: 'Shade', values: ['Rosewood', 'Brick', 'Nude Pink', 'Berry', 'Coral'] }],
    price: [12, 32],
    grams: [20, 40],
    category: ['hb-3-2-6-5-6', 'Health & Beauty > Personal Care > Cosmetics > Makeup > Lip Makeup > Lipsticks'],
  },
  {
    vertical: 'beauty',
    type: 'Serum',
    nouns: ['Vitamin C Serum', 'Hyaluronic Serum', 'Retinol Night Serum'],
    options: [{ name: 'Size', values: ['15 ml', '30 ml', '50 ml'] }],
    price: [19, 75],
    grams: [60, 150],
    category: ['hb-3-2-8-11', 'Health & Beauty > Personal Care > Cosmetics > Skin Care > Facial Serums'],
  },
  {
    vertical: 'beauty',
    type: 'Perfume',
    nouns: ['Eau de Parfum'],
    options: [{ name: 'Size', values: ['30 ml', '50 ml', '100 ml'] }],
    price: [45, 180],
    grams: [150, 400],
    category: ['hb-3-2-7-1', 'Health & Beauty > Personal Care > Cosmetics > Perfumes & Colognes > Perfume'],
  },
  {
    vertical: 'home',
    type: 'Candle',
    nouns: ['Soy Candle', 'Travel Tin Candle'],
    options: [{ name: 'Scent', values: ['Fig', 'Cedar', 'Neroli', 'Tomato Leaf'] }],
    price: [16, 48],
    grams: [200, 500],
    category: ['hg-3-10', 'Home & Garden > Decor > Candles'],
  },
  {
    vertical: 'home',
    type: 'Cushion',
    nouns: ['Linen Cushion Cover', 'Boucle Cushion'],
    options: [
      { name: 'Size', values: ['45x45', '50x50'] },
      { name: 'Color', values: ['Oat', 'Rust', 'Olive'] },
    ],
    price: [25, 70],
    grams: [300, 700],
    category: ['hg-3-66', 'Home & Garden > Decor > Throw Pillows'],
  },
  {
    vertical: 'home',
    type: 'Throw',
    nouns: ['Waffle Throw', 'Merino Throw'],
    options: [{ name: 'Color', values: ['Oat', 'Charcoal', 'Moss'] }],
    price: [60, 190],
    grams: [800, 1500],
    category: ['hg-12-1-2', 'Home & Garden > Linens & Bedding > Bedding > Blankets'],
  },
];
const VENDORS = ['Maison Nord', 'Kinfolk & Co', 'Lumen Beauty', 'Atelier Sol', 'Hearth Studio', 'Paloma Skin'];
const ADJECTIVES = ['Everyday', 'Classic', 'Signature', 'Essential', 'Studio', 'Weekend', 'Coastal', 'Heritage'];

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/**
 * A catalogue of `products` multi-variant fashion, beauty and home products over several
 * locations, with some SKU-less variants and some duplicated SKUs; the same seed gives the
 * same catalogue.
 */
export function generateCatalogue(options: GenerateCatalogueOptions): Catalogue {
  const rand = prng(options.seed ?? 1);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const between = (lo: number, hi: number) => lo + rand() * (hi - lo);
  const locations: StandInLocation[] = Array.from({ length: options.locations ?? 3 }, (_, i) => ({
    id: 70_000_000 + i + 1,
    name: ['Main Warehouse', 'London Shop', 'Leeds Overflow', 'Returns Centre', 'Pop-up'][i] ?? `Location ${i + 1}`,
  }));
  const stock = new Map<number, Map<number, number>>();
  const products: StandInProduct[] = [];
  const usedSkus: string[] = [];
  const start = (options.startAt ?? new Date('2025-01-01T00:00:00Z')).getTime();
  let variantId = 40_000_000;
  let itemId = 50_000_000;
  let mediaId = 30_000_000;
  for (let p = 0; p < options.products; p++) {
    const kind = pick(KINDS);
    const title = `${pick(ADJECTIVES)} ${pick(kind.nouns)}`;
    const id = 10_000_000 + p + 1;
    const at = new Date(start + p * 60_000).toISOString();
    // Use one or all options, and sometimes fewer values, so variant counts vary (1..~40).
    const optionCount = kind.options.length > 1 && rand() < 0.3 ? 1 : kind.options.length;
    const chosen = kind.options
      .slice(0, optionCount)
      .map((o) => ({ name: o.name, values: o.values.slice(0, Math.max(1, Math.ceil(o.values.length * between(0.4, 1)))) }));
    const combos = chosen.reduce<string[][]>((acc, o) => acc.flatMap((c) => o.values.map((v) => [...c, v])), [[]]);
    const basePrice = between(kind.price[0], kind.price[1]);
    const onSale = rand() < 0.25;
    const variants: StandInVariant[] = combos.map((values, i) => {
      const r = rand();
      let sku: string | null =
        `${slug(kind.type).slice(0, 3).toUpperCase()}-${id}-${values.map((v) => slug(v).slice(0, 3).toUpperCase()).join('-')}`;
      if (r < (options.noSkuRate ?? 0.05)) sku = null;
      else if (r < (options.noSkuRate ?? 0.05) + (options.duplicateSkuRate ?? 0.03) && usedSkus.length > 0) sku = pick(usedSkus);
      if (sku) usedSkus.push(sku);
      const invId = ++itemId;
      const levels = new Map<number, number>();
      for (const loc of locations) levels.set(loc.id, rand() < 0.15 ? 0 : Math.floor(rand() * 40));
      stock.set(invId, levels);
      const price = (Math.round(basePrice) - 0.01 + (values.length > 1 && i % 3 === 0 ? 5 : 0)).toFixed(2);
      return {
        id: ++variantId,
        title: values.join(' / '),
        sku,
        price,
        compareAtPrice: onSale ? (Number(price) * 1.3).toFixed(2) : null,
        barcode: rand() < 0.7 ? String(5_000_000_000_000 + Math.floor(rand() * 999_999_999)) : null,
        position: i + 1,
        selectedOptions: values.map((value, k) => ({ name: chosen[k]!.name, value })),
        inventoryItemId: invId,
        tracked: rand() > 0.05,
        weight: { unit: 'GRAMS', value: Math.round(between(kind.grams[0], kind.grams[1])) },
      };
    });
    const mediaCount = 1 + Math.floor(rand() * 4);
    // About one product in six is left uncategorised, as merchants do; chosen by id rather than
    // by the PRNG so existing seeds keep their catalogues.
    const category =
      id % 6 === 0
        ? null
        : {
            id: `gid://shopify/TaxonomyCategory/${kind.category[0]}`,
            fullName: kind.category[1],
            name: kind.category[1].split(' > ').at(-1)!,
          };
    products.push({
      id,
      title,
      handle: `${slug(title)}-${id}`,
      status: rand() < 0.85 ? 'ACTIVE' : rand() < 0.5 ? 'DRAFT' : 'ARCHIVED',
      vendor: pick(VENDORS),
      productType: kind.type,
      category,
      tags: [kind.vertical, slug(kind.type), ...(onSale ? ['sale'] : [])],
      descriptionHtml: `<p>${title} by our ${kind.vertical} studio.</p><ul><li>Made to last</li></ul>`,
      createdAt: at,
      updatedAt: at,
      options: chosen,
      media: Array.from({ length: mediaCount }, (_, k) => ({
        id: ++mediaId,
        url: `https://cdn.shopify.example/s/files/${id}-${k + 1}.jpg`,
        alt: k === 0 ? title : null,
      })),
      variants,
    });
  }
  return { products, locations, stock };
}
