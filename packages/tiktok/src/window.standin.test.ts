import { type Harness, startHarness } from './standin.test-helpers.js';

let h: Harness;
beforeAll(async () => {
  // Pacing is not the subject here: lift both limits so ~100 pages go quickly.
  h = await startHarness('tt-window', { qps: 100_000 });
});
afterAll(async () => {
  await h.close();
});

describe('product search window', () => {
  it('splits a result above 10,000 by update time so every product is read once', async () => {
    const total = 10_050;
    const base = 1_600_000_000;
    for (let i = 0; i < total; i++) {
      h.tts.admin.seedProduct(h.shop.shopId, {
        title: `P${i}`,
        category_id: '600621',
        update_time: base + i,
        skus: [{ id: `18${String(i).padStart(17, '0')}`, seller_sku: `W-${i}`, price: { amount: '1.00', currency: 'GBP' }, inventory: [], sales_attributes: [] }],
      });
    }
    const client = h.client({ qps: 100_000 });
    // Paging straight through would hit 12052180 at offset 10,000.
    await expect(
      (async () => {
        let token: string | undefined;
        for (let read = 0; read <= total; read += 100) token = (await client.searchProducts({}, { pageSize: 100, pageToken: token })).next_page_token;
      })(),
    ).rejects.toMatchObject({ code: 12052180 });
    const seen = new Set<string>();
    for await (const p of client.iterateProducts({ updateTimeGe: base, updateTimeLe: base + total }, 100)) seen.add(p.id);
    expect(seen.size).toBe(total);
  });
});
