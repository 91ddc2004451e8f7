import type { ShoptokConfig } from '@shoptok/config';
import type { CommandIO } from './enqueue.js';

/** `shoptok connect shopify --store S`. */
export function runConnectShopify(_config: ShoptokConfig, _storeId: string, io: CommandIO): Promise<number> {
  io.stderr.write('connect shopify: not available yet\n');
  return Promise.resolve(70);
}
