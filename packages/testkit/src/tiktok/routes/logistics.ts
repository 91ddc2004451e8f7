import { ApiFail } from '../context.js';
import { route } from './route.js';

/** Warehouses and the shipping providers of a delivery option. */
export const logisticsRoutes = [
  route('GET', '/logistics/202309/warehouses', true, 'none', (ctx) => ({
    warehouses: ctx.shop.warehouses.map((w) => ({
      id: w.id,
      entity_id: w.id,
      name: w.name,
      effect_status: 'ENABLED',
      type: 'SALES_WAREHOUSE',
      sub_type: 'DOMESTIC_WAREHOUSE',
      is_default: w.isDefault,
      address: { region_code: ctx.shop.region },
    })),
  })),
  route('GET', '/logistics/202309/delivery_options/{delivery_option_id}/shipping_providers', true, 'none', (ctx) => {
    const option = ctx.shop.deliveryOptions.find((d) => d.id === ctx.params.delivery_option_id);
    if (!option) throw new ApiFail(21008116, 'No Subscription without specified delivery option.');
    return { shipping_providers: option.providers };
  }),
];
