// The `orderCreate(order: OrderCreateOrderInput!, options: OrderCreateOptionsInput)` variables
// that order translation builds. One type, owned by the Shopify client (its zod schema checks
// every order before it is sent and is tested against the Admin API 2026-10 schema): these are
// names for it, imported as types only, so sync-core still runs nothing of another package.
import type {
  OrderCreateDiscountCodeInput,
  OrderCreateLineItemInput,
  OrderCreateMailingAddressInput,
  OrderCreateMoneyBagInput,
  OrderCreateMoneyInput,
  OrderCreateShippingLineInput,
  OrderCreateTaxLineInput,
  OrderCreateTransactionInput,
  OrderCreateVariables,
} from '@shoptok/shopify';

/** `MoneyInput` */
export type ShopifyMoneyInput = OrderCreateMoneyInput;
/** `MoneyBagInput` */
export type ShopifyMoneyBagInput = OrderCreateMoneyBagInput;
/** `OrderCreateLineItemInput` */
export type ShopifyOrderCreateLineItemInput = OrderCreateLineItemInput;
/** `OrderCreateTaxLineInput` */
export type ShopifyOrderCreateTaxLineInput = OrderCreateTaxLineInput;
/** `OrderCreateShippingLineInput` */
export type ShopifyOrderCreateShippingLineInput = OrderCreateShippingLineInput;
/** `MailingAddressInput` */
export type ShopifyMailingAddressInput = OrderCreateMailingAddressInput;
/** `OrderCreateOrderTransactionInput` */
export type ShopifyOrderCreateTransactionInput = OrderCreateTransactionInput;
/** `OrderCreateDiscountCodeInput` */
export type ShopifyOrderCreateDiscountCodeInput = OrderCreateDiscountCodeInput;
/** `OrderCreateOrderInput` */
export type ShopifyOrderCreateOrderInput = OrderCreateVariables['order'];
/** `OrderCreateOptionsInput` */
export type ShopifyOrderCreateOptionsInput = OrderCreateVariables['options'];
/** The variables of the `orderCreate` mutation. */
export type ShopifyOrderCreateVariables = OrderCreateVariables;
