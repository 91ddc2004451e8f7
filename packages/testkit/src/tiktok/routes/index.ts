import { authorizationRoutes } from './authorization.js';
import { cancellationRoutes } from './cancellations.js';
import { categoryRoutes } from './categories.js';
import { eventRoutes } from './events.js';
import { fulfillmentRoutes } from './fulfillment.js';
import { logisticsRoutes } from './logistics.js';
import { orderRoutes } from './orders.js';
import { productRoutes } from './products.js';
import type { Route } from './route.js';

export { pathParams, type Route } from './route.js';

/** Every Open API endpoint the stand-in serves, by area (each area's file lists its own). */
export const ROUTES: readonly Route[] = [
  ...authorizationRoutes,
  ...categoryRoutes,
  ...productRoutes,
  ...logisticsRoutes,
  ...orderRoutes,
  ...fulfillmentRoutes,
  ...cancellationRoutes,
  ...eventRoutes,
];
