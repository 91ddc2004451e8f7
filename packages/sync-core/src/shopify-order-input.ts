// The `orderCreate(order: OrderCreateOrderInput!, options: OrderCreateOptionsInput)` variables,
// typed with exactly the field names of the Admin GraphQL API 2026-10 schema
// (packages/testkit/fixtures/shopify/admin_2026-10.json.gz). Only the fields we fill are listed.

/** `MoneyInput` */
export interface ShopifyMoneyInput {
  /** `Decimal` as a string, e.g. "12.99". */
  amount: string;
  /** `CurrencyCode` */
  currencyCode: string;
}

/** `MoneyBagInput` (we send shop money only: the order currency must be the shop's). */
export interface ShopifyMoneyBagInput {
  shopMoney: ShopifyMoneyInput;
}

/** `OrderCreateLineItemInput` */
export interface ShopifyOrderCreateLineItemInput {
  variantId?: string;
  sku?: string;
  title?: string;
  variantTitle?: string;
  vendor?: string;
  quantity: number;
  priceSet: ShopifyMoneyBagInput;
  requiresShipping?: boolean;
  taxable?: boolean;
  properties?: { name: string; value: string }[];
}

/** `OrderCreateTaxLineInput` */
export interface ShopifyOrderCreateTaxLineInput {
  title: string;
  /** `Decimal`: the proportion, e.g. "0.0825". */
  rate: string;
  priceSet: ShopifyMoneyBagInput;
  channelLiable: boolean;
}

/** `OrderCreateShippingLineInput` */
export interface ShopifyOrderCreateShippingLineInput {
  title: string;
  code?: string;
  source?: string;
  priceSet: ShopifyMoneyBagInput;
}

/** `MailingAddressInput` */
export interface ShopifyMailingAddressInput {
  firstName?: string;
  lastName?: string;
  address1?: string;
  address2?: string;
  city?: string;
  province?: string;
  /** `CountryCode` */
  countryCode?: string;
  zip?: string;
  phone?: string;
}

/** `OrderCreateOrderTransactionInput` */
export interface ShopifyOrderCreateTransactionInput {
  kind: 'SALE';
  status: 'SUCCESS';
  gateway: string;
  amountSet: ShopifyMoneyBagInput;
  processedAt?: string;
}

/** `OrderCreateDiscountCodeInput` (fixed amount on the items). */
export interface ShopifyOrderCreateDiscountCodeInput {
  itemFixedDiscountCode: { code: string; amountSet: ShopifyMoneyBagInput };
}

/** `OrderCreateOrderInput` */
export interface ShopifyOrderCreateOrderInput {
  currency: string;
  email?: string;
  phone?: string;
  name?: string;
  note?: string;
  processedAt?: string;
  sourceIdentifier: string;
  sourceName?: string;
  tags: string[];
  taxesIncluded: boolean;
  financialStatus: 'PAID';
  lineItems: ShopifyOrderCreateLineItemInput[];
  shippingLines: ShopifyOrderCreateShippingLineInput[];
  taxLines?: ShopifyOrderCreateTaxLineInput[];
  discountCode?: ShopifyOrderCreateDiscountCodeInput;
  shippingAddress?: ShopifyMailingAddressInput;
  billingAddress?: ShopifyMailingAddressInput;
  customAttributes: { key: string; value: string }[];
  transactions: ShopifyOrderCreateTransactionInput[];
}

/** `OrderCreateOptionsInput` */
export interface ShopifyOrderCreateOptionsInput {
  inventoryBehaviour: 'BYPASS' | 'DECREMENT_IGNORING_POLICY' | 'DECREMENT_OBEYING_POLICY';
  sendReceipt: boolean;
  sendFulfillmentReceipt: boolean;
}

/** The variables of the `orderCreate` mutation. */
export interface ShopifyOrderCreateVariables {
  order: ShopifyOrderCreateOrderInput;
  options: ShopifyOrderCreateOptionsInput;
}
