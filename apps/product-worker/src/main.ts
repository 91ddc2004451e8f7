import { bootApp, startWorkerProcess } from '@shoptok/sync';

// Shopify products to TikTok listings for every store: map, pre-flight, images, create or edit, review.
const { config, logger, shutdown } = bootApp('product-worker', process.env, process.cwd());
await startWorkerProcess({ app: 'product-worker', config, logger, shutdown, queues: ['products'] });
logger.info('product worker running');
