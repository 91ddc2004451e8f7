import { TikTokInvalidInputError } from './errors.js';
import { type CreateTimeBounds, ProductSearchWindowError, searchAllProductPages } from './product-search.js';
import type { TikTokProductPage } from './schemas.js';

// A small in-memory Search Products with TikTok's rules (API-FACTS §5.5): inclusive
// create_time bounds, newest-updated first, offset page tokens, total_count, and 12052180 for
// any page past the 10,000th result.
interface Row {
  id: string;
  create_time: number;
  update_time: number;
}

const NOW = 1_760_000_000;

class FakeSearch {
  readonly rows: Row[] = [];
  private sorted = true;
  calls = 0;
  windowRefusals = 0;
  readonly filters: CreateTimeBounds[] = [];
  /** Runs before each call is answered (to change the catalogue mid-scan). */
  beforeCall: (call: number) => void = () => {};
  /** What total_count says (a search engine may estimate it). */
  reportTotal: (real: number) => number = (real) => real;
  /** Shift offsets back by one on later pages, as when a product moves up while we page. */
  overlapPages = false;

  constructor(private readonly pageSize = 100) {}

  add(createTimes: number[]): string[] {
    return createTimes.map((t) => {
      const id = `7${String(this.rows.length).padStart(18, '0')}`;
      this.rows.push({ id, create_time: t, update_time: NOW - (this.rows.length % 977) });
      this.sorted = false;
      return id;
    });
  }

  readonly fetch = async (filter: CreateTimeBounds, pageToken: string | undefined): Promise<TikTokProductPage> => {
    this.beforeCall(++this.calls);
    this.filters.push({ createTimeGe: filter.createTimeGe, createTimeLe: filter.createTimeLe });
    let offset = pageToken ? Number(pageToken) : 0;
    if (this.overlapPages && offset > 0) offset -= 1;
    if (offset + this.pageSize > 10_000) {
      this.windowRefusals++;
      throw new TikTokInvalidInputError(
        'TikTok refused the request: window',
        'The total number of search results can not exceed 10000.',
        { code: 12052180 },
      );
    }
    if (!this.sorted) this.rows.sort((a, b) => b.update_time - a.update_time || (a.id < b.id ? -1 : 1));
    this.sorted = true;
    const all = this.rows.filter(
      (r) =>
        (filter.createTimeGe === undefined || r.create_time >= filter.createTimeGe) &&
        (filter.createTimeLe === undefined || r.create_time <= filter.createTimeLe),
    );
    const page = all.slice(offset, offset + this.pageSize);
    const next = (pageToken ? Number(pageToken) : 0) + this.pageSize;
    return {
      products: page.map((r) => ({
        id: r.id,
        title: '',
        status: 'ACTIVATE',
        skus: [],
        create_time: r.create_time,
        update_time: r.update_time,
      })),
      total_count: this.reportTotal(all.length),
      next_page_token: next < all.length ? String(next) : '',
    };
  };
}

async function readAll(fake: FakeSearch, filter: CreateTimeBounds = {}, nowSec = () => NOW): Promise<string[]> {
  const ids: string[] = [];
  for await (const page of searchAllProductPages(fake.fetch, filter, { nowSec })) {
    expect(page.length).toBeGreaterThan(0);
    ids.push(...page.map((p) => p.id));
  }
  return ids;
}

describe('searchAllProductPages', () => {
  it('reads a small shop in plain pages, with no create-time bounds it did not ask for', async () => {
    const fake = new FakeSearch();
    const ids = fake.add(Array.from({ length: 250 }, (_, i) => NOW - 86_400 + i));
    expect(await readAll(fake)).toEqual(expect.arrayContaining(ids));
    expect(fake.calls).toBe(3);
    expect(fake.filters.every((f) => f.createTimeGe === undefined && f.createTimeLe === undefined)).toBe(true);
  });

  it('reads 25,000 products packed into consecutive seconds exactly once: no gap or overlap at window edges, never past 10,000', async () => {
    const fake = new FakeSearch();
    // 5 products in every second of a 5,000-second stretch: wherever a window is cut, products sit on both sides of the cut.
    const ids = fake.add(Array.from({ length: 25_000 }, (_, i) => NOW - 200_000 + (i % 5_000)));
    fake.reportTotal = (real) => Math.min(real, 10_000); // a search engine may stop counting there
    const read = await readAll(fake);
    expect(read).toHaveLength(25_000);
    expect(new Set(read)).toEqual(new Set(ids));
    expect(fake.windowRefusals).toBe(0);
    // 250 pages plus the probes of the windows that were split (about 2 per level of bisection).
    expect(fake.calls).toBeLessThan(330);
    // Every window that was paged fits the result window.
    const bounded = fake.filters.filter((f) => f.createTimeLe !== undefined);
    expect(bounded.length).toBeGreaterThan(0);
  });

  it("keeps to the filter's own create-time bounds, both inclusive", async () => {
    const fake = new FakeSearch();
    fake.add(Array.from({ length: 12_000 }, (_, i) => 1_700_000_000 + (i % 4_000)));
    const read = await readAll(fake, { createTimeGe: 1_700_000_100, createTimeLe: 1_700_003_899 });
    const expected = fake.rows.filter((r) => r.create_time >= 1_700_000_100 && r.create_time <= 1_700_003_899).map((r) => r.id);
    expect(expected).toHaveLength(11_400);
    expect(new Set(read)).toEqual(new Set(expected));
    expect(read).toHaveLength(expected.length);
    expect(
      fake.filters.every((f) => (f.createTimeGe ?? 0) >= 1_700_000_100 && (f.createTimeLe ?? Infinity) <= 1_700_003_899),
    ).toBe(true);
  });

  it('reads products created while it reads, and ones stamped ahead of this clock', async () => {
    const fake = new FakeSearch();
    const old = fake.add(Array.from({ length: 15_000 }, (_, i) => NOW - 3 * 365 * 86_400 + i * 5_000));
    const ahead = fake.add([NOW + 120, NOW + 121]);
    const created: string[] = [];
    let clock = NOW;
    // A product is created at each of the first 40 calls, TikTok's clock a minute behind ours.
    fake.beforeCall = (call) => {
      clock += 1;
      if (call <= 40) created.push(...fake.add([clock - 60]));
    };
    const read = await readAll(fake, {}, () => clock);
    expect(new Set(read)).toEqual(new Set([...old, ...ahead, ...created]));
    expect(read).toHaveLength(15_002 + 40);
  });

  it('splits again when a window overflows while paging (a total_count that undercounts)', async () => {
    const fake = new FakeSearch();
    const ids = fake.add(Array.from({ length: 12_000 }, (_, i) => NOW - 1_000_000 + i * 7));
    fake.reportTotal = (real) => Math.min(real, 8_000);
    const read = await readAll(fake);
    expect(fake.windowRefusals).toBeGreaterThan(0);
    expect(read).toHaveLength(12_000);
    expect(new Set(read)).toEqual(new Set(ids));
  });

  it('yields a product once when pages overlap', async () => {
    const fake = new FakeSearch();
    const ids = fake.add(Array.from({ length: 950 }, (_, i) => NOW - 5_000 + i));
    fake.overlapPages = true;
    const read = await readAll(fake);
    expect(read).toHaveLength(950);
    expect(new Set(read)).toEqual(new Set(ids));
  });

  it('reads 9,500 products of one second (over the split mark, inside the window) and refuses 10,001 with a clear error', async () => {
    const fake = new FakeSearch();
    fake.add(Array.from({ length: 9_500 }, () => NOW - 7_200));
    expect(await readAll(fake)).toHaveLength(9_500);

    fake.add(Array.from({ length: 501 }, () => NOW - 7_200));
    const error = await readAll(fake).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(ProductSearchWindowError);
    expect(error).toMatchObject({ code: 12052180, retryable: false });
    expect((error as Error).message).toContain('10001 products were created in the same second (2025-10-09T06:53:20.000Z)');
  });
});
