import { markPackageShipped, updateShippingInfo } from '../orders.js';
import { route } from './route.js';

/** Fulfilment: ship a package, update its tracking. */
export const fulfillmentRoutes = [
  route('POST', '/fulfillment/202309/orders/{order_id}/packages', true, 'json', markPackageShipped),
  route('POST', '/fulfillment/202309/orders/{order_id}/shipping_info/update', true, 'json', updateShippingInfo),
];
