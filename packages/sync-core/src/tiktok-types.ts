// Plain shapes of the TikTok Shop data sync-core reads (Open API 202309, API-FACTS §5.8).
// Field names are TikTok's own (snake_case) so the TikTok client's parsed objects fit as they are.
import type { TikTokOrderStatus } from './rules.js';

/** One order line: always ONE unit (API-FACTS §5.8: line items have no quantity). */
export interface TikTokOrderLineItem {
  id: string;
  sku_id: string;
  product_id?: string;
  product_name?: string;
  sku_name?: string;
  seller_sku?: string | null;
  /** Unit price after seller and platform discounts. */
  sale_price?: string;
  /** Unit price before discounts. */
  original_price?: string;
  seller_discount?: string;
  platform_discount?: string;
  currency?: string;
  display_status?: string;
  package_id?: string;
  package_status?: string;
  tracking_number?: string;
  is_gift?: boolean;
  cancel_reason?: string;
}

/** `recipient_address.district_info[]`: L0 country, L1 state/nation, L2 county, L3 city (US, UK). */
export interface TikTokDistrictInfo {
  address_level?: string;
  address_level_name?: string;
  address_name?: string;
}

export interface TikTokRecipientAddress {
  name?: string;
  first_name?: string;
  last_name?: string;
  phone_number?: string;
  full_address?: string;
  address_line1?: string;
  address_line2?: string;
  address_line3?: string;
  address_line4?: string;
  postal_code?: string;
  region_code?: string;
  district_info?: readonly TikTokDistrictInfo[];
}

export interface TikTokOrderPayment {
  currency: string;
  sub_total?: string;
  shipping_fee?: string;
  seller_discount?: string;
  platform_discount?: string;
  total_amount?: string;
  original_total_product_price?: string;
  tax?: string;
}

/** A TikTok order (Get Order Detail / Search Orders). */
export interface TikTokOrder {
  id: string;
  status: TikTokOrderStatus | (string & {});
  /** Unix seconds. */
  create_time?: number;
  update_time?: number;
  paid_time?: number;
  /** Anonymised by TikTok; kept as given. */
  buyer_email?: string;
  buyer_message?: string;
  fulfillment_type?: string;
  shipping_type?: string;
  delivery_option_id?: string;
  delivery_option_name?: string;
  is_cod?: boolean;
  is_sample_order?: boolean;
  is_on_hold_order?: boolean;
  /** Absent when TikTok sent none: order translation then refuses the order (`no-payment`). */
  payment?: TikTokOrderPayment;
  recipient_address?: TikTokRecipientAddress;
  line_items: readonly TikTokOrderLineItem[];
}

/** Get Shipping Providers item (API-FACTS §5.7). */
export interface TikTokShippingProvider {
  id: string;
  name: string;
}
