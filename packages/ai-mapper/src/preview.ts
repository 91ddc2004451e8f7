import { MapperInputError } from './errors.js';
import type { ProductMapper } from './product-mapper.js';
import type { FilledAttribute } from './schemas.js';

/** One output line of the preview: the draft, flattened for reading, or why the line failed. */
export type PreviewLine =
  | {
      line: number;
      ok: true;
      productId: string | null;
      mapper: 'ai' | 'cache' | 'fallback';
      reason: string;
      confidence?: number;
      categoryId: string;
      categoryPath: string;
      title: string;
      attributes: FilledAttribute[];
      missingRequiredAttributes: { id: string; name: string }[];
      keywords: string[];
      hashtags: string[];
      descriptionHtml: string;
    }
  | { line: number; ok: false; productId: string | null; error: string };

export interface PreviewOptions {
  storeId?: string;
  /** Called with each output object as soon as it is ready (the CLI writes it as a JSON line). */
  onResult: (result: PreviewLine) => void | Promise<void>;
}

/**
 * The preview path (`shoptok map`, and the eval): reads Shopify-shaped product JSON, one product
 * a line, maps each and reports one result per non-empty line. A bad line is reported and
 * skipped; it does not stop the run. Returns how many lines mapped and failed.
 */
export async function mapProductLines(
  lines: AsyncIterable<string> | Iterable<string>,
  mapper: ProductMapper,
  options: PreviewOptions,
): Promise<{ mapped: number; failed: number }> {
  let lineNo = 0;
  let mapped = 0;
  let failed = 0;
  for await (const raw of lines) {
    lineNo += 1;
    const text = raw.trim();
    if (!text) continue;
    let productId: string | null = null;
    try {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw new MapperInputError('the line is not JSON (expected one product object per line)');
      }
      // Accept `{ "product": {...} }` (a GraphQL `product` query) as well as the bare product.
      if (value && typeof value === 'object' && 'product' in value && !('title' in value))
        value = (value as { product: unknown }).product;
      if (value && typeof value === 'object' && typeof (value as { id?: unknown }).id === 'string')
        productId = (value as { id: string }).id;
      const result = await mapper.map(value, { storeId: options.storeId });
      const { draft } = result;
      mapped += 1;
      await options.onResult({
        line: lineNo,
        ok: true,
        productId,
        mapper: result.mapper,
        reason: result.reason,
        ...(result.confidence !== undefined ? { confidence: result.confidence } : {}),
        categoryId: draft.categoryId,
        categoryPath: draft.categoryPath.join(' > '),
        title: draft.title,
        attributes: draft.attributes,
        missingRequiredAttributes: draft.missingRequiredAttributes,
        keywords: draft.keywords,
        hashtags: draft.hashtags,
        descriptionHtml: draft.descriptionHtml,
      });
    } catch (err) {
      if (!(err instanceof MapperInputError)) throw err;
      failed += 1;
      await options.onResult({ line: lineNo, ok: false, productId, error: err.message });
    }
  }
  return { mapped, failed };
}
