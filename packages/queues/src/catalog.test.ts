import { jobContract, jobIdFor, jobIds, jobSchema, parseQueueName, queueCatalog, queueKeys, queueNameFor } from './catalog.js';
import { cappedDelayMs, defaultJobOptions, eventualAttempts, retryOptionsFor, shoptokBackoffStrategy } from './job-options.js';

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

describe('job ids from the catalog', () => {
  it('builds domain ids with the occasion appended, and a unique id for a run kind without one', () => {
    const order = { store: 'glow', tiktokOrderId: '5764' };
    expect(jobIdFor('orders', 'order-import', order)).toBe('glow-order-5764');
    expect(jobIdFor('orders', 'order-import', order, { run: 'replay-1-10' })).toBe('glow-order-5764-replay-1-10');
    expect(
      jobIdFor(
        'inventory',
        'inventory-item',
        { store: 'glow', inventoryItemId: 'gid://shopify/InventoryItem/44' },
        { window: 'w9', lead: true },
      ),
    ).toBe('glow-item-44-w9-lead');
    expect(jobIdFor('products', 'listing-status', { store: 'glow', tiktokProductId: '17' }, { next: true })).toBe(
      'glow-listing-17-next',
    );
    const a = jobIdFor('inventory', 'inventory-sync', { store: 'glow' });
    const b = jobIdFor('inventory', 'inventory-sync', { store: 'glow' });
    expect(a).toMatch(/^glow-inventory-sync-run-/);
    expect(a).not.toBe(b);
    expect(jobIdFor('inventory', 'inventory-sync', { store: 'glow' }, { run: 'cli-1' })).toBe('glow-inventory-sync-cli-1');
  });

  it('refuses an occasion that would break the id rules', () => {
    expect(() => jobIdFor('orders', 'order-poll', { store: 'glow' }, { run: 'a:b' })).toThrow(/letters, digits/);
    expect(() => jobIdFor('orders', 'order-teleport', { store: 'glow' })).toThrow(/no job kind/);
  });

  it('declares a contract for every job kind of every queue', () => {
    for (const queue of queueKeys)
      for (const name of Object.keys(queueCatalog[queue].jobs)) expect(jobContract(queue, name)).toBeDefined();
    expect(jobContract('orders', 'toString')).toBeUndefined();
  });

  it('retries the work that must happen eventually through the outage window, the rest by MAX_RETRIES', () => {
    const eventual = queueKeys.flatMap((q) =>
      Object.keys(queueCatalog[q].jobs).filter((name) => jobContract(q, name)?.retry === 'eventual'),
    );
    expect(eventual.sort()).toEqual(['inventory-item', 'order-cancel', 'order-import', 'tracking-push']);
  });
});

describe('retry policies', () => {
  const defaults = { maxRetries: 3, backoffSeconds: 2 };

  it('keeps MAX_RETRIES and RETRY_BACKOFF for standard kinds, and keeps failed jobs', () => {
    const options = defaultJobOptions(defaults);
    expect(options.attempts).toBe(4);
    expect(options.backoff).toEqual({ type: 'exponential', delay: 2000, jitter: 0.2 });
    expect(options.removeOnFail).not.toBe(true);
    expect(options.removeOnFail).toEqual({ age: 30 * 24 * 3600, count: 50_000 });
  });

  it('outlasts a 6-hour outage by default: waits double from RETRY_BACKOFF up to 15 minutes', () => {
    const { attempts, backoff } = retryOptionsFor('eventual', defaults);
    expect(backoff).toEqual({ type: 'capped-exponential:900000', delay: 2000 });
    let shortest = 0;
    for (let retry = 1; retry < (attempts ?? 0); retry++) shortest += cappedDelayMs(retry, 2000, 900_000) * 0.8;
    expect(shortest).toBeGreaterThanOrEqual(6 * 3600 * 1000);
    expect(cappedDelayMs(1, 2000, 900_000)).toBe(2000);
    expect(cappedDelayMs(30, 2000, 900_000)).toBe(900_000);
    expect(eventualAttempts({ ...defaults, maxDelaySeconds: 1, outageWindowSeconds: 4 })).toBe(6);
  });

  it('computes the capped wait in the worker, with jitter that only shortens it', () => {
    const job = { opts: { backoff: { type: 'capped-exponential:5000', delay: 1000 } } } as never;
    for (const [attempt, full] of [
      [1, 1000],
      [3, 4000],
      [4, 5000],
      [20, 5000],
    ] as const) {
      const wait = shoptokBackoffStrategy(attempt, 'capped-exponential:5000', undefined, job) as number;
      expect(wait).toBeLessThanOrEqual(full);
      expect(wait).toBeGreaterThanOrEqual(full * 0.8 - 1);
    }
    expect(() => shoptokBackoffStrategy(1, 'mystery', undefined, job)).toThrow(/unknown backoff type/);
  });
});
