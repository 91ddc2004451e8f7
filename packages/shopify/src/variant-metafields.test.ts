import { ShopifyResponseShapeError } from './errors.js';
import { assembleBulkVariantMetafields, attachVariantMetafields } from './variant-metafields.js';
import type { ShopifyProduct } from './types.js';

const V1 = 'gid://shopify/ProductVariant/11';
const V2 = 'gid://shopify/ProductVariant/12';

describe('the variant metafield bulk export', () => {
  it('collects metafield lines under the variant their __parentId names, in file order; variant lines carry nothing', () => {
    const jsonl = [
      JSON.stringify({ id: V1 }),
      JSON.stringify({
        id: 'gid://shopify/Metafield/1',
        namespace: 'custom',
        key: 'material',
        type: 'single_line_text_field',
        value: 'Linen',
        __parentId: V1,
      }),
      JSON.stringify({ id: V2 }),
      JSON.stringify({
        id: 'gid://shopify/Metafield/2',
        namespace: 'custom',
        key: 'care',
        type: 'list.single_line_text_field',
        value: '["Hand wash"]',
        __parentId: V1,
      }),
      '',
    ].join('\n');
    const byVariant = assembleBulkVariantMetafields(jsonl);
    expect([...byVariant.keys()]).toEqual([V1]);
    expect(byVariant.get(V1)!.map((m) => m.key)).toEqual(['material', 'care']);
    const product = { variants: [{ id: V1 }, { id: V2 }] } as unknown as ShopifyProduct;
    attachVariantMetafields([product], byVariant);
    expect(product.variants[0]!.metafields).toHaveLength(2);
    expect(product.variants[1]!.metafields).toEqual([]); // read, and none
  });

  it('refuses a line that is not JSON or a metafield line of another shape, naming the line', () => {
    expect(() => assembleBulkVariantMetafields(`${JSON.stringify({ id: V1 })}\n{"__parentId": oops`)).toThrow(
      new ShopifyResponseShapeError('Bulk variant metafield line 2 is not JSON.'),
    );
    expect(() =>
      assembleBulkVariantMetafields(JSON.stringify({ id: 'gid://shopify/Metafield/3', namespace: 'custom', __parentId: V1 })),
    ).toThrow(/line 1 has an unexpected shape/);
  });
});
