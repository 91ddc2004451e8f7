// A shop bigger than Search Products' 10,000-result window (API-FACTS §5.5), over HTTP.
import { TikTokInvalidInputError } from './errors.js';
import { type Harness, startHarness } from './standin.test-helpers.js';

const SEARCH = 'POST /product/202309/products/search';
const TOTAL = 20_000;
/** 400 products created in one second, so window edges fall among products of the same second. */
const CLUMP_SECOND = 1_700_000_000;
const CLUMP = 400;

let h: Harness;
const seededIds = new Set<string>();

beforeAll(async () => {
  // Pacing is not the subject here: lift both limits so ~300 pages go quickly.
  h = await startHarness('tt-window', { qps: 100_000 });
  for (let i = 0; i < TOTAL; i++) {
    // Seeded straight into the stand-in; create_time defaults to a spread over two years.
    const product = h.tts.admin.seedProduct(h.shop.shopId, {
      title: `P${i}`,
      category_id: '600621',
      ...(i < CLUMP ? { create_time: CLUMP_SECOND, update_time: CLUMP_SECOND + i } : {}),
      skus: [
        {
          id: `18${String(i).padStart(17, '0')}`,
          seller_sku: `W-${i}`,
          price: { amount: '1.00', currency: 'GBP' },
          inventory: [],
          sales_attributes: [],
        },
      ],
    });
    seededIds.add(product.id);
  }
});
afterAll(async () => {
  await h.close();
});

const errors = () => h.tts.counters.total({ api: SEARCH }).errors;

describe('product search past 10,000 products', () => {
  it('paging straight through is refused at the 10,000th result (12052180)', async () => {
    const client = h.client({ qps: 100_000 });
    const first = await client.searchProducts({}, { pageSize: 100 });
    expect(first.total_count).toBe(TOTAL);
    let token = first.next_page_token;
    let read = first.products.length;
    const straight = async () => {
      for (;;) {
        const page = await client.searchProducts({}, { pageSize: 100, pageToken: token });
        read += page.products.length;
        token = page.next_page_token;
      }
    };
    await expect(straight()).rejects.toMatchObject({ code: 12052180 });
    expect(read).toBe(10_000);
  });

  it('searchAllProducts reads every product exactly once in create-time windows, never hitting the window', async () => {
    const client = h.client({ qps: 100_000 });
    const errorsBefore = errors();
    const callsBefore = h.tts.counters.total({ api: SEARCH }).requests;
    const ids: string[] = [];
    let pages = 0;
    for await (const page of client.searchAllProducts({ status: 'ALL' })) {
      pages++;
      expect(page.length).toBeLessThanOrEqual(100);
      ids.push(...page.map((p) => p.id));
    }
    expect(ids).toHaveLength(TOTAL);
    expect(new Set(ids)).toEqual(seededIds);
    expect(errors() - errorsBefore).toBe(0);
    // 200 full pages, a few partial ones at window ends, and the probes of the windows that were split.
    const calls = h.tts.counters.total({ api: SEARCH }).requests - callsBefore;
    expect(pages).toBeGreaterThanOrEqual(200);
    expect(calls).toBeLessThan(300);
  });

  it('create_time bounds are inclusive on both ends, with total_count; a bound that is not Unix seconds is refused', async () => {
    const client = h.client({ qps: 100_000 });
    const clump = await client.searchProducts({ createTimeGe: CLUMP_SECOND, createTimeLe: CLUMP_SECOND }, { pageSize: 100 });
    expect(clump.total_count).toBe(CLUMP);
    expect(clump.products.every((p) => p.create_time === CLUMP_SECOND)).toBe(true);
    const before = await client.searchProducts({ createTimeLe: CLUMP_SECOND - 1 }, { pageSize: 1 });
    const after = await client.searchProducts({ createTimeGe: CLUMP_SECOND + 1 }, { pageSize: 1 });
    expect(before.total_count + CLUMP + after.total_count).toBe(TOTAL);
    await expect(client.searchProducts({ createTimeGe: 1.5 }, { pageSize: 1 })).rejects.toBeInstanceOf(TikTokInvalidInputError);
    await expect(client.searchProducts({ createTimeGe: 1.5 }, { pageSize: 1 })).rejects.toMatchObject({ code: 12052910 });
  });
});
