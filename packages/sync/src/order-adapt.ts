import type { TikTokOrder as CoreTikTokOrder, TikTokOrderLineItem as CoreTikTokOrderLineItem } from '@shoptok/sync-core';
import type { TikTokOrder as ApiTikTokOrder, TikTokOrderLineItem as ApiTikTokOrderLineItem } from '@shoptok/tiktok';

// TikTok orders cross from the TikTok client into sync-core here, field by field, so the
// compiler checks each one (no cast). The client already parsed TikTok's answer with zod
// (packages/tiktok/src/schemas.ts); what changes is only the shape sync-core reads:
// a blank name is absent, and an order without `payment` stays without one (order
// translation refuses it with its own reason instead of failing on a missing field).

const present = (value: string | undefined): string | undefined => (value?.trim() ? value : undefined);

function toCoreLine(line: ApiTikTokOrderLineItem): CoreTikTokOrderLineItem {
  return {
    id: line.id,
    sku_id: line.sku_id,
    product_id: line.product_id,
    product_name: present(line.product_name),
    sku_name: present(line.sku_name),
    seller_sku: present(line.seller_sku) ?? null,
    sale_price: line.sale_price,
    original_price: line.original_price,
    seller_discount: line.seller_discount,
    platform_discount: line.platform_discount,
    currency: line.currency,
    display_status: line.display_status,
    package_id: line.package_id,
    package_status: line.package_status,
    tracking_number: line.tracking_number,
    is_gift: line.is_gift,
    cancel_reason: present(line.cancel_reason),
  };
}

/** A TikTok order as the TikTok client returns it, in the shape sync-core's order logic reads. */
export function toCoreTikTokOrder(order: ApiTikTokOrder): CoreTikTokOrder {
  const address = order.recipient_address;
  return {
    id: order.id,
    status: order.status,
    create_time: order.create_time,
    update_time: order.update_time,
    paid_time: order.paid_time,
    buyer_email: order.buyer_email,
    buyer_message: order.buyer_message,
    fulfillment_type: order.fulfillment_type,
    shipping_type: order.shipping_type,
    delivery_option_id: order.delivery_option_id,
    delivery_option_name: present(order.delivery_option_name),
    is_cod: order.is_cod,
    is_sample_order: order.is_sample_order,
    is_on_hold_order: order.is_on_hold_order,
    payment: order.payment && {
      currency: order.payment.currency,
      sub_total: order.payment.sub_total,
      shipping_fee: order.payment.shipping_fee,
      seller_discount: order.payment.seller_discount,
      platform_discount: order.payment.platform_discount,
      total_amount: order.payment.total_amount,
      tax: order.payment.tax,
    },
    recipient_address: address && {
      name: address.name,
      first_name: address.first_name,
      last_name: address.last_name,
      phone_number: address.phone_number,
      full_address: address.full_address,
      address_line1: address.address_line1,
      address_line2: address.address_line2,
      postal_code: address.postal_code,
      region_code: address.region_code,
      district_info: address.district_info,
    },
    line_items: order.line_items.map(toCoreLine),
  };
}
