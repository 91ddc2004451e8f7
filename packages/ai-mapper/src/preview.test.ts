import { bundledCategoryIndex } from './default-tree.js';
import { mapProductLines, type PreviewLine } from './preview.js';
import { ProductMapper } from './product-mapper.js';

describe('preview path (shoptok map)', () => {
  it('maps one product a line, reports bad lines and keeps going', async () => {
    const lines = [
      JSON.stringify({
        id: 'gid://shopify/Product/1',
        title: 'Linen Button-Down Shirt for Men',
        productType: 'Shirts',
        tags: 'linen, summer',
      }),
      '',
      '{not json',
      JSON.stringify({
        product: {
          id: 'gid://shopify/Product/2',
          title: 'Portable Bluetooth Speaker',
          options: { nodes: [{ name: 'Color', values: ['Black'] }] },
        },
      }),
      JSON.stringify({ id: 'gid://shopify/Product/3', descriptionHtml: 'no title' }),
    ];
    const out: PreviewLine[] = [];
    const counts = await mapProductLines(lines, new ProductMapper({ index: bundledCategoryIndex() }), {
      onResult: (r) => void out.push(r),
    });
    expect(counts).toEqual({ mapped: 2, failed: 2 });
    expect(out.map((r) => r.line)).toEqual([1, 3, 4, 5]);
    const [shirt, bad, speaker, untitled] = out;
    expect(shirt).toMatchObject({
      ok: true,
      productId: 'gid://shopify/Product/1',
      mapper: 'fallback',
      reason: 'fallback mapper: no OpenAI key or base URL configured',
      categoryPath: "Menswear & Underwear > Men's Tops > Shirts",
    });
    expect(bad).toMatchObject({ ok: false, error: expect.stringMatching(/not JSON/) });
    expect(speaker).toMatchObject({
      ok: true,
      productId: 'gid://shopify/Product/2',
      categoryPath: 'Phones & Electronics > Audio & Video > Speakers',
    });
    expect(untitled).toMatchObject({ ok: false, productId: 'gid://shopify/Product/3', error: expect.stringMatching(/title/) });
  });
});
