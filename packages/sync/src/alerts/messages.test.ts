import { authorizationMessage, failureBurstMessage, formatDuration, shipByMessage } from './messages.js';

const HOUR = 3_600_000;

describe('alert messages', () => {
  it('a failure burst names the store, queue, job kinds, count, first reasons and links to the failed jobs', () => {
    const { text } = failureBurstMessage(
      {
        store: 'glow',
        queue: 'orders',
        count: 7,
        jobKinds: ['order-import'],
        reasons: ['unknown SKU GHOST-1', 'TikTok   order 5 cannot\nbe imported', 'third', 'fourth'],
        since: Date.UTC(2026, 10, 27, 9, 0),
      },
      { dashboardUrl: 'https://ops.example.com', queueName: 'orders-{glow}' },
    );
    expect(text.split('\n')).toEqual([
      ':rotating_light: shoptok: 7 jobs failed in store *glow*, queue orders (order-import) since 2026-11-27T09:00:00.000Z',
      'First reason: unknown SKU GHOST-1',
      'Also: TikTok order 5 cannot be imported',
      'Also: third',
      'Failed jobs: https://ops.example.com/queues/queue/orders-%7Bglow%7D?status=failed',
    ]);
  });

  it('a follow-up says how many more failed since the first message, and the burst total', () => {
    const { text } = failureBurstMessage(
      {
        store: 'glow',
        queue: 'orders',
        count: 50,
        jobKinds: ['order-import'],
        reasons: ['later'],
        since: Date.UTC(2026, 10, 27, 9, 0),
        alreadyReported: 1,
        moreSince: Date.UTC(2026, 10, 27, 9, 5),
      },
      { queueName: 'orders-{glow}' },
    );
    expect(text.split('\n')[0]).toBe(
      ':rotating_light: shoptok: 50 more jobs failed in store *glow*, queue orders (order-import) since 2026-11-27T09:05:00.000Z (51 in this burst since 2026-11-27T09:00:00.000Z)',
    );
    expect(text.split('\n')[1]).toBe('First reason: later');
  });

  it('a burst without a public dashboard URL says how to get a link, and clips long reasons', () => {
    const { text } = failureBurstMessage(
      { store: 'oak', queue: 'inventory', count: 1, jobKinds: [], reasons: ['x'.repeat(1000)], since: 0 },
      { queueName: 'inventory-{oak}' },
    );
    expect(text).toContain('1 job failed in store *oak*, queue inventory (unknown job kind)');
    expect(text).toContain('set DASHBOARD_PUBLIC_URL');
    expect(text.split('\n')[1]).toHaveLength('First reason: '.length + 300);
  });

  it('ship-by: says when the order is due, or how late it is, and what to do', () => {
    const now = Date.UTC(2026, 10, 27, 12, 0);
    const soon = shipByMessage(
      {
        store: 'glow',
        tiktokOrderId: '576000000000000001',
        shopifyOrderId: 'gid://shopify/Order/9',
        shipBy: now + 5 * HOUR + 30 * 60_000,
        now,
      },
      { dashboardUrl: 'https://ops.example.com' },
    ).text;
    expect(soon).toContain('TikTok order 576000000000000001 of store *glow* has no tracking yet');
    expect(soon).toContain('is due in 5 h 30 min');
    expect(soon).toContain('Fulfil Shopify order gid://shopify/Order/9 with a tracking number');
    expect(soon).toContain('Store overview: https://ops.example.com/stores/glow');
    expect(
      shipByMessage({ store: 'glow', tiktokOrderId: '1', shopifyOrderId: 'x', shipBy: now - 2 * HOUR, now }, {}).text,
    ).toContain('was due 2 h ago');
  });

  it('authorization: expiring with its date, or revoked', () => {
    const now = Date.UTC(2026, 10, 27);
    const expiring = authorizationMessage({ store: 'glow', kind: 'expiring', expiresAt: now + 3 * 24 * HOUR, now }, {}).text;
    expect(expiring).toContain('the TikTok authorization of store *glow* ends in 3 d (2026-11-30T00:00:00.000Z)');
    expect(authorizationMessage({ store: 'glow', kind: 'expiring', now }, {}).text).toContain('ends soon (TikTok says so)');
    expect(expiring).toContain('Renew: run `pnpm shoptok connect tiktok --store glow`');
    const revoked = authorizationMessage({ store: 'glow', kind: 'revoked' }, { dashboardUrl: 'https://ops.example.com' }).text;
    expect(revoked).toContain("the seller revoked shoptok's TikTok authorization for store *glow*");
    expect(revoked).toContain('https://ops.example.com/stores/glow');
  });

  it('formats durations coarsely', () => {
    expect([0, 59_000, 12 * 60_000, HOUR, 26 * HOUR, 48 * HOUR].map(formatDuration)).toEqual([
      '0 min',
      '1 min',
      '12 min',
      '1 h',
      '1 d 2 h',
      '2 d',
    ]);
  });
});
