import { z } from 'zod';

// GraphQL connections arrive as `{ nodes: [...] }` or `{ edges: [{ node }] }`; accept both and plain arrays.
const unwrapConnection = (v: unknown): unknown => {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const c = v as { nodes?: unknown; edges?: { node?: unknown }[] };
    if (Array.isArray(c.nodes)) return c.nodes;
    if (Array.isArray(c.edges)) return c.edges.map((e) => e?.node);
  }
  return v;
};
const connection = <T extends z.ZodType>(item: T) =>
  z.preprocess(unwrapConnection, z.array(item).nullish()).transform((v) => (v ?? []) as z.output<T>[]);

// Shopify sends `null` for unset fields; treat null and a missing field alike.
const nullishText = z
  .string()
  .nullish()
  .transform((v) => v ?? '');

/**
 * The product the mapper reads: a Shopify product as the Admin GraphQL API (2026-10) returns
 * it. Only `title` is required; everything else is optional because real catalogues leave
 * most of it empty. The integrator adapts the Shopify client's type to this one.
 */
export const mapperProductSchema = z.object({
  id: z.string().min(1).optional(),
  title: z.string().trim().min(1, { error: 'the product has no title' }),
  descriptionHtml: nullishText,
  vendor: nullishText,
  productType: nullishText,
  tags: z
    .union([z.array(z.string()), z.string()])
    .nullish()
    // The REST API and CSV exports give tags as one comma-separated string.
    .transform((v) => (typeof v === 'string' ? v.split(',') : (v ?? [])).map((t) => t.trim()).filter(Boolean)),
  status: z.string().nullish(),
  category: z.object({ fullName: z.string(), name: z.string().nullish(), id: z.string().nullish() }).nullish(),
  options: connection(
    z.object({
      name: z.string(),
      values: z
        .array(z.string())
        .nullish()
        .transform((v) => v ?? []),
    }),
  ),
  variants: connection(
    z.object({
      id: z.string().nullish(),
      sku: z.string().nullish(),
      price: z.union([z.string(), z.number()]).nullish(),
      compareAtPrice: z.union([z.string(), z.number()]).nullish(),
      barcode: z.string().nullish(),
      selectedOptions: z.array(z.object({ name: z.string(), value: z.string() })).nullish(),
      inventoryItem: z
        .object({
          measurement: z.object({ weight: z.object({ value: z.number(), unit: z.string() }).nullish() }).nullish(),
        })
        .nullish(),
    }),
  ),
  images: connection(z.object({ url: z.string(), altText: z.string().nullish() })),
  media: connection(z.object({ url: z.string().optional(), alt: z.string().nullish(), altText: z.string().nullish() })),
});
export type MapperProduct = z.output<typeof mapperProductSchema>;
export type MapperProductInput = z.input<typeof mapperProductSchema>;

/** One row of TikTok's Get Categories, in our casing (API-FACTS §5.2). */
export const categoryNodeSchema = z.object({
  id: z.string().min(1),
  parentId: z.string(),
  name: z.string().min(1),
  isLeaf: z.boolean(),
  permissionStatuses: z.array(z.string()).default(['AVAILABLE']),
});
export type CategoryNode = z.output<typeof categoryNodeSchema>;

/** One attribute of a leaf category (Get Attributes, API-FACTS §5.2). */
export const categoryAttributeSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  type: z.enum(['SALES_PROPERTY', 'PRODUCT_PROPERTY']),
  isRequired: z.boolean(),
  isMultipleSelection: z.boolean().optional(),
  isCustomizable: z.boolean().optional(),
  values: z.array(z.object({ id: z.string(), name: z.string() })).default([]),
});
export type CategoryAttribute = z.output<typeof categoryAttributeSchema>;

/** A filled product attribute, shaped like Create Product's `product_attributes[]` (§5.4). */
export const filledAttributeSchema = z.object({
  id: z.string(),
  name: z.string(),
  values: z.array(z.object({ id: z.string().optional(), name: z.string() })).min(1),
  /** Where the value came from, so a merchant can judge it. */
  source: z.enum(['option', 'tag', 'title', 'description', 'category', 'ai']),
});
export type FilledAttribute = z.output<typeof filledAttributeSchema>;

export const mapperKinds = ['ai', 'cache', 'fallback'] as const;

/** The listing draft the mapper returns; every field already within TikTok's limits. */
export const listingDraftSchema = z.object({
  categoryId: z.string().min(1),
  categoryPath: z.array(z.string()).min(1),
  title: z.string().min(1),
  descriptionHtml: z.string(),
  attributes: z.array(filledAttributeSchema),
  /** Required PRODUCT_PROPERTY attributes we could not fill: the merchant must add them. */
  missingRequiredAttributes: z.array(z.object({ id: z.string(), name: z.string() })),
  keywords: z.array(z.string()),
  hashtags: z.array(z.string().regex(/^#[\p{L}\p{N}_]+$/u)),
});
export type ListingDraft = z.output<typeof listingDraftSchema>;

/** A draft plus which mapper answered and why. */
export const mappingResultSchema = z.object({
  draft: listingDraftSchema,
  mapper: z.enum(mapperKinds),
  /** Plain words: "ai answered", "no OpenAI key", "ai answer invalid twice: ...". */
  reason: z.string(),
  /** 0..1, how sure the lexical retrieval is of its top category (fallback only). */
  confidence: z.number().min(0).max(1).optional(),
  model: z.string().optional(),
  usage: z.object({ calls: z.number(), promptTokens: z.number(), completionTokens: z.number() }).optional(),
});
export type MappingResult = z.output<typeof mappingResultSchema>;
