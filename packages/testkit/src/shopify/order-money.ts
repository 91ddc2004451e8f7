// The currencies of an orderCreate input, checked as the Admin API 2026-10 schema describes them:
// - `OrderCreateOrderInput.currency` is the shop-facing currency (the shop's when not given), and
//   every `MoneyBagInput.shopMoney` is money in it (`shopMoney` itself is non-null: the schema
//   already refuses a bag without it before a resolver runs);
// - `presentmentCurrency` "must be specified if any presentment currencies are used in the order";
// - a bag without `presentmentMoney` is taken to be in the shop currency, so an order whose
//   presentment currency differs needs `presentmentMoney` on every bag.
// The messages are the stand-in's wording (Shopify documents the rules, not its error texts).

interface Money {
  amount: string;
  currencyCode: string;
}
interface MoneyBag {
  shopMoney: Money;
  presentmentMoney?: Money | null;
}

export interface OrderMoneyError {
  field: string[];
  message: string;
  code: string;
}

export type OrderCurrencies =
  { ok: true; currencyCode: string; presentmentCurrencyCode: string } | { ok: false; error: OrderMoneyError };

function isMoneyBag(value: unknown): value is MoneyBag {
  return typeof value === 'object' && value !== null && 'shopMoney' in value;
}

/** Every `MoneyBagInput` in the input with its field path (line items, shipping, taxes, transactions, discounts). */
function moneyBags(value: unknown, path: string[], out: { path: string[]; bag: MoneyBag }[] = []) {
  if (Array.isArray(value)) value.forEach((v, i) => moneyBags(v, [...path, String(i)], out));
  else if (isMoneyBag(value)) out.push({ path, bag: value });
  else if (typeof value === 'object' && value !== null)
    for (const [k, v] of Object.entries(value)) moneyBags(v, [...path, k], out);
  return out;
}

/** The order's shop and presentment currencies, or the first money that does not fit them. */
export function orderCurrencies(input: Record<string, unknown>, shopCurrency: string): OrderCurrencies {
  const currencyCode = (input.currency as string | null | undefined) ?? shopCurrency;
  const presentment = (input.presentmentCurrency as string | null | undefined) ?? null;
  const presentmentCurrencyCode = presentment ?? currencyCode;
  for (const { path, bag } of moneyBags(input, ['order'])) {
    if (bag.shopMoney.currencyCode !== currencyCode)
      return {
        ok: false,
        error: {
          field: [...path, 'shopMoney', 'currencyCode'],
          message: `Shop money must be in the order's shop currency ${currencyCode}, not ${bag.shopMoney.currencyCode}`,
          code: 'INVALID',
        },
      };
    const given = bag.presentmentMoney ?? null;
    if (given && presentment === null)
      return {
        ok: false,
        error: {
          field: ['order', 'presentmentCurrency'],
          message: 'Presentment currency must be specified if any presentment currencies are used in the order',
          code: 'INVALID',
        },
      };
    if (given && given.currencyCode !== presentmentCurrencyCode)
      return {
        ok: false,
        error: {
          field: [...path, 'presentmentMoney', 'currencyCode'],
          message: `Presentment money must be in the order's presentment currency ${presentmentCurrencyCode}, not ${given.currencyCode}`,
          code: 'INVALID',
        },
      };
    if (!given && presentmentCurrencyCode !== currencyCode)
      return {
        ok: false,
        error: {
          field: [...path, 'presentmentMoney'],
          message: `Presentment money is required: the order is presented in ${presentmentCurrencyCode}, not the shop currency ${currencyCode}`,
          code: 'INVALID',
        },
      };
  }
  return { ok: true, currencyCode, presentmentCurrencyCode };
}
