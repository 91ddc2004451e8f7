import { jobIds, jobSchema, parseQueueName, queueCatalog, queueKeys, queueNameFor } from './catalog.js';
import { defaultJobOptions } from './job-options.js';

describe('queue catalog', () => {
  it('gives every job kind a schema that requires a store and rejects junk', () => {
    for (const queue of queueKeys) {
      const jobs = Object.keys(queueCatalog[queue].jobs);
      expect(jobs.length).toBeGreaterThan(0);
      for (const name of jobs) {
        const schema = jobSchema(queue, name);
        expect(schema).toBeDefined();
        expect(schema?.safeParse({}).success).toBe(false);
        expect(schema?.safeParse({ store: 'Not A Store!' }).success).toBe(false);
        expect(schema?.safeParse('a string').success).toBe(false);
      }
    }
  });

  it('knows no job kinds outside the catalog', () => {
    expect(jobSchema('orders', 'order-delete-everything')).toBeUndefined();
    expect(jobSchema('orders', 'toString')).toBeUndefined();
  });

  it('parses a payload written before fields with defaults existed (old jobs still in Redis)', () => {
    const parsed = jobSchema('orders', 'order-import')?.parse({ store: 'glow', tiktokOrderId: '576461413038785752' });
    expect(parsed).toEqual({ store: 'glow', tiktokOrderId: '576461413038785752', dryRun: false, trigger: 'schedule' });
  });

  it('keeps TikTok ids as strings and refuses numbers that lost precision', () => {
    const schema = jobSchema('orders', 'order-import');
    expect(schema?.safeParse({ store: 'glow', tiktokOrderId: Number('576461413038785752') }).success).toBe(false);
    expect(schema?.safeParse({ store: 'glow', tiktokOrderId: '5764614130387857520000' }).success).toBe(false);
  });

  it('names queues per store with a Redis Cluster hash tag, and parses them back', () => {
    expect(queueNameFor('inventory', 'glow-beauty')).toBe('inventory-{glow-beauty}');
    expect(parseQueueName('inventory-{glow-beauty}')).toEqual({ queue: 'inventory', store: 'glow-beauty' });
    expect(parseQueueName('nonsense-{x}')).toBeUndefined();
  });

  it('builds domain job ids without ":" and never all digits', () => {
    const ids = [
      jobIds.orderImport('glow', '576461413038785752'),
      jobIds.orderCancel('glow', '576461413038785752', 'shopify'),
      jobIds.trackingPush('glow', '1'),
      jobIds.productOne('glow', 'gid://shopify/Product/123'),
      jobIds.listingStatus('glow', '1729'),
    ];
    for (const id of ids) {
      expect(id).not.toContain(':');
      expect(id).not.toMatch(/^\d+$/);
    }
    expect(jobIds.productOne('glow', 'gid://shopify/Product/123')).toBe('glow-product-123');
  });
});

describe('defaultJobOptions', () => {
  it('derives attempts and exponential backoff from MAX_RETRIES and RETRY_BACKOFF, and keeps failed jobs', () => {
    const options = defaultJobOptions({ maxRetries: 3, backoffSeconds: 2 });
    expect(options.attempts).toBe(4);
    expect(options.backoff).toEqual({ type: 'exponential', delay: 2000, jitter: 0.2 });
    expect(options.removeOnFail).not.toBe(true);
    expect(options.removeOnFail).toEqual({ age: 30 * 24 * 3600, count: 50_000 });
  });
});
