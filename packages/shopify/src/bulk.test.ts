import { assembleBulkProducts } from './bulk.js';
import { ShopifyResponseShapeError } from './errors.js';

const product = (id: number) => ({
  id: `gid://shopify/Product/${id}`,
  title: `P${id}`,
  handle: `p${id}`,
  status: 'ACTIVE',
  vendor: 'V',
  productType: 'T',
  category:
    id === 1
      ? {
          id: 'gid://shopify/TaxonomyCategory/aa-1-13-8',
          fullName: 'Apparel & Accessories > Clothing > Clothing Tops > T-Shirts',
          name: 'T-Shirts',
        }
      : null,
  tags: [],
  descriptionHtml: '',
  updatedAt: '2026-01-01T00:00:00Z',
  options: [{ name: 'Size', position: 1, values: ['S', 'M'] }],
});
const variant = (id: number, parent: number, position: number, sku: string | null) => ({
  id: `gid://shopify/ProductVariant/${id}`,
  title: 'S',
  sku,
  price: '10.00',
  compareAtPrice: null,
  barcode: '',
  position,
  selectedOptions: [{ name: 'Size', value: 'S' }],
  inventoryItem: { id: `gid://shopify/InventoryItem/${id}`, tracked: true, measurement: { weight: null } },
  __parentId: `gid://shopify/Product/${parent}`,
});

describe('assembleBulkProducts', () => {
  it('attaches children to parents in any line order (groupObjects: false) and orders variants', () => {
    const lines = [
      variant(12, 2, 2, 'B'),
      product(1),
      variant(11, 1, 1, ''),
      product(2),
      variant(13, 2, 1, 'A'),
      { id: 'gid://shopify/MediaImage/9', alt: null, image: { url: 'https://x/i.jpg' }, __parentId: 'gid://shopify/Product/1' },
    ];
    const products = assembleBulkProducts(lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    expect(products.map((p) => [p.id, p.variants.map((v) => v.sku), p.images.length])).toEqual([
      ['gid://shopify/Product/1', [null], 1],
      ['gid://shopify/Product/2', ['A', 'B'], 0],
    ]);
    expect(products[0]!.variants[0]!.barcode).toBeNull();
    expect(products.map((p) => p.category?.name ?? null)).toEqual(['T-Shirts', null]);
  });

  it('refuses a variant whose product is missing, and a broken line', () => {
    expect(() => assembleBulkProducts(JSON.stringify(variant(1, 99, 1, 'X')))).toThrow(ShopifyResponseShapeError);
    expect(() => assembleBulkProducts('{"id": "gid://shopify/Product/1"')).toThrow(/line 1 is not JSON/);
  });
});
