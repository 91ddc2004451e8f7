import { getOrderDetail, searchOrders } from '../orders.js';
import { route } from './route.js';

/** Orders: search and detail. */
export const orderRoutes = [
  route('POST', '/order/202309/orders/search', true, 'json', searchOrders),
  route('GET', '/order/202309/orders', true, 'none', getOrderDetail),
];
