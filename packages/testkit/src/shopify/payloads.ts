import type { StandInProduct } from './catalogue.js';
import { gid, type StandInOrder, type StandInState } from './state.js';

// Webhook payloads: the REST shapes Shopify sends (snake_case, numeric ids beside the GID).

export function productPayload(store: StandInState, p: StandInProduct) {
  return {
    id: p.id,
    admin_graphql_api_id: gid('Product', p.id),
    title: p.title,
    handle: p.handle,
    status: p.status.toLowerCase(),
    vendor: p.vendor,
    product_type: p.productType,
    tags: p.tags.join(', '),
    created_at: p.createdAt,
    updated_at: p.updatedAt,
    variants: p.variants.map((v) => ({
      id: v.id,
      product_id: p.id,
      admin_graphql_api_id: gid('ProductVariant', v.id),
      title: v.title,
      sku: v.sku,
      price: v.price,
      position: v.position,
      inventory_item_id: v.inventoryItemId,
      inventory_quantity: [...(store.stock.get(v.inventoryItemId)?.values() ?? [])].reduce((a, b) => a + b, 0),
    })),
  };
}

function lineItemPayload(li: StandInOrder['lineItems'][number]) {
  return {
    id: li.id,
    admin_graphql_api_id: gid('LineItem', li.id),
    variant_id: li.variantId,
    sku: li.sku,
    title: li.title,
    quantity: li.quantity,
    price: li.price,
  };
}

export function fulfillmentPayload(o: StandInOrder, f: StandInOrder['fulfillments'][number], index: number) {
  return {
    id: f.id,
    admin_graphql_api_id: gid('Fulfillment', f.id),
    order_id: o.id,
    name: `${o.name}.${index + 1}`,
    status: f.status.toLowerCase(),
    service: 'manual',
    created_at: f.createdAt,
    updated_at: f.createdAt,
    shipment_status: null,
    tracking_company: f.trackingInfo[0]?.company ?? null,
    tracking_number: f.trackingInfo[0]?.number ?? null,
    tracking_numbers: f.trackingInfo.map((t) => t.number).filter((n): n is string => n !== null),
    tracking_url: f.trackingInfo[0]?.url ?? null,
    tracking_urls: f.trackingInfo.map((t) => t.url).filter((u): u is string => u !== null),
    line_items: o.lineItems.map(lineItemPayload),
  };
}

export function orderPayload(o: StandInOrder) {
  return {
    id: o.id,
    admin_graphql_api_id: gid('Order', o.id),
    name: o.name,
    created_at: o.createdAt,
    updated_at: o.updatedAt,
    source_name: o.sourceName,
    source_identifier: o.sourceIdentifier,
    cancelled_at: o.cancelledAt,
    cancel_reason: o.cancelReason?.toLowerCase() ?? null,
    fulfillment_status: o.fulfillments.some((f) => f.status === 'SUCCESS') ? 'fulfilled' : null,
    tags: o.tags.join(', '),
    line_items: o.lineItems.map(lineItemPayload),
    fulfillments: o.fulfillments.map((f, i) => fulfillmentPayload(o, f, i)),
  };
}

export function levelPayload(itemId: number, locationId: number, available: number) {
  return {
    inventory_item_id: itemId,
    location_id: locationId,
    available,
    updated_at: new Date().toISOString(),
    admin_graphql_api_id: `gid://shopify/InventoryLevel/${locationId}?inventory_item_id=${itemId}`,
  };
}
