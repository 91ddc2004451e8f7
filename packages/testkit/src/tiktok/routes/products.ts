import { ApiFail, type HandlerContext } from '../context.js';
import { imageSize, parseMultipart } from '../multipart.js';
import * as products from '../products.js';
import { route } from './route.js';

/** Image upload, products, and their prices and inventory. */
export const productRoutes = [
  route('POST', '/product/202309/images/upload', false, 'multipart', uploadImage),
  route('POST', '/product/202309/products', true, 'json', products.createProduct),
  route('DELETE', '/product/202309/products', true, 'json', products.deleteProducts),
  route('POST', '/product/202309/products/search', true, 'json', products.searchProducts),
  route('POST', '/product/202309/products/activate', true, 'json', products.activateProducts),
  route('POST', '/product/202309/products/deactivate', true, 'json', products.deactivateProducts),
  route('GET', '/product/202309/products/{product_id}', true, 'none', products.getProduct),
  route('PUT', '/product/202309/products/{product_id}', true, 'json', products.editProduct),
  route('POST', '/product/202309/products/{product_id}/partial_edit', true, 'json', products.partialEditProduct),
  route('POST', '/product/202309/products/{product_id}/prices/update', true, 'json', products.updatePrice),
  route('POST', '/product/202309/products/{product_id}/inventory/update', true, 'json', products.updateInventory),
];

function uploadImage(ctx: HandlerContext): unknown {
  const parts = parseMultipart(ctx.raw, ctx.contentType);
  if (!parts) throw new ApiFail(12038002, 'Invalid upload file. Please ensure you are passing the correct file data.');
  const file = parts.find((p) => p.name === 'data');
  if (!file || file.data.length === 0)
    throw new ApiFail(12038002, 'Invalid upload file. Please ensure you are passing the correct file data.');
  if (file.data.length > 10 * 1024 * 1024) throw new ApiFail(12038005, 'The file size exceeds the maximum allowed size.');
  const useCase = parts.find((p) => p.name === 'use_case')?.data.toString('utf8') ?? 'MAIN_IMAGE';
  if (!['MAIN_IMAGE', 'ATTRIBUTE_IMAGE', 'DESCRIPTION_IMAGE', 'CERTIFICATION_IMAGE', 'SIZE_CHART_IMAGE'].includes(useCase))
    throw new ApiFail(11050001, 'invalid param: use_case');
  const size = imageSize(file.data) ?? { width: 800, height: 800 };
  if (size.width < 100 || size.height < 100 || size.width > 20000 || size.height > 20000)
    throw new ApiFail(
      12038014,
      'The image dimensions exceed the allowed limits. Allowed dimensions (width x height in pixels): 100x100 to 20000x20000',
    );
  const { uri, url } = products.registerImage(ctx.shop);
  return { uri, url, width: size.width, height: size.height, use_case: useCase };
}
