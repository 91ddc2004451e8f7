import { generateCatalogue } from './catalogue.js';
import { startShopifyStandIn, type ShopifyStandIn } from './server.js';

describe('generateCatalogue', () => {
  it('is deterministic by seed, multi-variant, with SKU-less and duplicated SKUs over several locations', () => {
    const a = generateCatalogue({ products: 200, seed: 42, locations: 4 });
    const b = generateCatalogue({ products: 200, seed: 42, locations: 4 });
    expect(JSON.stringify(a.products)).toBe(JSON.stringify(b.products));
    expect(JSON.stringify(generateCatalogue({ products: 200, seed: 43 }).products)).not.toBe(JSON.stringify(a.products));
    const variants = a.products.flatMap((p) => p.variants);
    const skus = variants.map((v) => v.sku).filter((s): s is string => s !== null);
    expect(variants.some((v) => v.sku === null)).toBe(true);
    expect(new Set(skus).size).toBeLessThan(skus.length);
    expect(a.products.filter((p) => p.variants.length > 1).length).toBeGreaterThan(150);
    expect(new Set(a.products.map((p) => p.tags[0]))).toEqual(new Set(['fashion', 'beauty', 'home']));
    expect(a.locations).toHaveLength(4);
    expect([...a.stock.values()].every((levels) => levels.size === 4)).toBe(true);
  });
});

describe('Shopify stand-in over HTTP', () => {
  let shop: ShopifyStandIn;
  beforeAll(async () => {
    shop = await startShopifyStandIn({ catalogue: { products: 3, seed: 1 }, bucket: { maximumAvailable: 60, restoreRate: 10 } });
  });
  afterAll(() => shop.close());

  const post = async (query: string, token = shop.accessToken) => {
    const res = await fetch(`${shop.url}/admin/api/2026-10/graphql.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-shopify-access-token': token },
      body: JSON.stringify({ query }),
    });
    return {
      status: res.status,
      body: (await res.json()) as {
        data?: unknown;
        errors?: unknown;
        extensions?: { cost: { requestedQueryCost: number; throttleStatus: { currentlyAvailable: number } } };
      },
    };
  };

  it('refuses a wrong token with 401', async () => {
    expect((await post('{ shop { name } }', 'shpat_nope')).status).toBe(401);
  });

  it('charges the bucket, refuses over-cost queries and throttles when empty', async () => {
    const ok = await post('query Small { products(first: 2) { nodes { id title } } }');
    expect(ok.body.data).toEqual({
      products: { nodes: shop.state.products.slice(0, 2).map((p) => ({ id: `gid://shopify/Product/${p.id}`, title: p.title })) },
    });
    expect(ok.body.extensions!.cost.requestedQueryCost).toBe(4);
    const huge = await post('query Huge { products(first: 250) { nodes { variants(first: 250) { nodes { id } } } } }');
    expect(huge.body.errors).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'MAX_COST_EXCEEDED' }) }),
    ]);
    const big = await post('query Big { products(first: 100) { nodes { id } } }');
    expect(big.body.errors).toEqual([
      expect.objectContaining({ message: 'Throttled', extensions: expect.objectContaining({ code: 'THROTTLED' }) }),
    ]);
    expect(shop.counters.throttled).toBe(1);
  });
});
