import { searchCancellations, sellerCancelOrder } from '../orders.js';
import { route } from './route.js';

/** Return and refund: cancellations (search; the seller cancels an order). */
export const cancellationRoutes = [
  route('POST', '/return_refund/202309/cancellations/search', true, 'json', searchCancellations),
  route('POST', '/return_refund/202309/cancellations', true, 'json', sellerCancelOrder),
];
