import { bootApp, startWorkerProcess } from '@shoptok/sync';

// TikTok orders into Shopify exactly once, tracking back to TikTok, cancellations, for every store.
const { config, logger, shutdown } = bootApp('order-worker', process.env, process.cwd());
await startWorkerProcess({ app: 'order-worker', config, logger, shutdown, queues: ['orders', 'fulfilment'] });
logger.info('order worker running');
