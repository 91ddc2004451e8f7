import { bootApp, startWorkerProcess } from '@shoptok/sync';

// Stock from Shopify to TikTok for every store, plus reconcile and token upkeep.
const { config, logger, shutdown } = bootApp('inventory-worker', process.env, process.cwd());
await startWorkerProcess({ app: 'inventory-worker', config, logger, shutdown, queues: ['inventory', 'maintenance'] });
logger.info('inventory worker running');
