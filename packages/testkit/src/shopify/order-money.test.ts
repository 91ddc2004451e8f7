// orderCreate with presentment money, over HTTP against the stand-in (which executes the real
// Admin 2026-10 schema): what the schema and its documented rules refuse is refused, and a
// consistent order is stored with both currencies.
import { startShopifyStandIn, type ShopifyStandIn } from './server.js';

const CREATE =
  'mutation M($order: OrderCreateOrderInput!) { orderCreate(order: $order) { order { id currencyCode presentmentCurrencyCode } userErrors { field message code } } }';

describe('orderCreate presentment money (stand-in)', () => {
  let shop: ShopifyStandIn;
  beforeAll(async () => {
    shop = await startShopifyStandIn({ catalogue: { products: 2, seed: 7, locations: 1 }, currency: 'USD' });
  });
  afterAll(async () => {
    await shop.close();
  });

  const create = async (order: Record<string, unknown>) => {
    const res = await fetch(`${shop.url}/admin/api/2026-10/graphql.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-shopify-access-token': shop.accessToken },
      body: JSON.stringify({ query: CREATE, variables: { order } }),
    });
    return (await res.json()) as {
      data?: {
        orderCreate: {
          order: { id: string; currencyCode: string; presentmentCurrencyCode: string } | null;
          userErrors: { field: string[] | null; message: string; code: string }[];
        };
      };
      errors?: { message: string }[];
    };
  };
  const usd = (amount: string) => ({ amount, currencyCode: 'USD' });
  const gbp = (amount: string) => ({ amount, currencyCode: 'GBP' });
  const line = (priceSet: Record<string, unknown>) => ({ title: 'Mug', quantity: 2, priceSet });

  it('refuses presentment money without shop money (the schema requires shopMoney)', async () => {
    const answer = await create({ presentmentCurrency: 'GBP', lineItems: [line({ presentmentMoney: gbp('10.00') })] });
    expect(answer.data).toBeUndefined();
    expect(answer.errors?.[0]?.message).toMatch(/shopMoney/);
  });

  it('refuses presentment money when the order names no presentment currency', async () => {
    const answer = await create({ lineItems: [line({ shopMoney: usd('12.66'), presentmentMoney: gbp('10.00') })] });
    expect(answer.data?.orderCreate.order).toBeNull();
    expect(answer.data?.orderCreate.userErrors).toEqual([
      expect.objectContaining({ field: ['order', 'presentmentCurrency'], code: 'INVALID' }),
    ]);
  });

  it('refuses shop money in another currency than the shop’s, and a bag without presentment money in a GBP order', async () => {
    const wrongShop = await create({ lineItems: [line({ shopMoney: gbp('10.00') })] });
    expect(wrongShop.data?.orderCreate.userErrors[0]).toMatchObject({
      field: ['order', 'lineItems', '0', 'priceSet', 'shopMoney', 'currencyCode'],
    });
    const half = await create({
      presentmentCurrency: 'GBP',
      lineItems: [line({ shopMoney: usd('12.66'), presentmentMoney: gbp('10.00') })],
      shippingLines: [{ title: 'Standard', priceSet: { shopMoney: usd('2.53') } }],
    });
    expect(half.data?.orderCreate.userErrors[0]).toMatchObject({
      field: ['order', 'shippingLines', '0', 'priceSet', 'presentmentMoney'],
    });
    expect(shop.state.orders).toHaveLength(0);
  });

  it('stores an order with both currencies and each line’s presentment price', async () => {
    const answer = await create({
      currency: 'USD',
      presentmentCurrency: 'GBP',
      lineItems: [line({ shopMoney: usd('12.66'), presentmentMoney: gbp('10.00') })],
      transactions: [
        {
          kind: 'SALE',
          status: 'SUCCESS',
          gateway: 'tiktok',
          amountSet: { shopMoney: usd('25.32'), presentmentMoney: gbp('20.00') },
        },
      ],
    });
    expect(answer.data?.orderCreate.userErrors).toEqual([]);
    expect(answer.data?.orderCreate.order).toMatchObject({ currencyCode: 'USD', presentmentCurrencyCode: 'GBP' });
    const stored = shop.state.orders.at(-1)!;
    expect(stored.lineItems[0]).toMatchObject({ price: '12.66', presentmentPrice: '10.00' });
  });
});
