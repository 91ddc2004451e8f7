import { rulesFor } from '../categories.js';
import { ApiFail } from '../context.js';
import * as products from '../products.js';
import { recommendCategory } from '../recommend.js';
import { route } from './route.js';

/** Categories, their attributes and rules, category recommendation and brands. */
export const categoryRoutes = [
  route('GET', '/product/202309/categories', true, 'none', products.getCategories),
  route('GET', '/product/202309/categories/{category_id}/attributes', true, 'none', products.getAttributes),
  route('GET', '/product/202309/categories/{category_id}/rules', true, 'none', (ctx) => {
    if ((ctx.query.get('category_version') ?? 'v1') !== 'v1')
      throw new ApiFail(12052217, "Incorrect category version. This shop's tree is 'v1'.");
    const c = ctx.tree.byId.get(ctx.params.category_id ?? '');
    if (!c) throw new ApiFail(12052023, 'Category does not exist');
    if (!c.is_leaf) throw new ApiFail(12052024, 'Category is not final category');
    return rulesFor(ctx.tree, c.id);
  }),
  route('POST', '/product/202309/categories/recommend', true, 'json', recommendCategory),
  route('GET', '/product/202309/brands', true, 'none', products.getBrands),
];
