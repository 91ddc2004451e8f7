import type { StoreConfig } from '@shoptok/config';
import { defaultStoreRules } from '@shoptok/sync-core';
import { StoreDirectory } from './directory.js';

function store(id: string, appKey: string, shopCipher?: string): StoreConfig {
  return {
    id,
    name: id,
    enabled: true,
    shopify: { domain: `${id}.myshopify.com`, accessToken: 'shpat_x', apiSecret: 's', apiBase: undefined },
    tiktok: { appKey, appSecret: `secret-of-${appKey}`, accessToken: 'ROW_a', refreshToken: undefined, shopCipher },
    syncIntervalSeconds: 300,
    batchSize: 50,
    dryRun: false,
    mode: 'live',
    rules: defaultStoreRules(),
  };
}

// "This app signed the body"; the real check (verifyWebhookSignature) runs in the Redis test.
const signedBy = (signer: string) => (appKey: string, appSecret: string) =>
  appKey === signer && appSecret === `secret-of-${signer}`;

describe('StoreDirectory', () => {
  const a = store('brand-a', 'agency-app', 'CIPHER_A');
  const b = store('brand-b', 'agency-app', 'CIPHER_B');
  const solo = store('solo', 'solo-app');

  it('routes Shopify deliveries by shop domain, case-insensitively', () => {
    const d = new StoreDirectory([a, solo]);
    expect(d.shopifyStore('Brand-A.myshopify.com')?.id).toBe('brand-a');
    expect(d.shopifyStore('other.myshopify.com')).toBeUndefined();
  });

  it('maps each store to its own shop among the shops its token may act for', async () => {
    const d = new StoreDirectory([a, b]);
    const shops = [
      { id: '100', cipher: 'CIPHER_A' },
      { id: '200', cipher: 'CIPHER_B' },
    ];
    expect(await d.resolveTikTokShops(async () => shops)).toEqual([]);
    expect(d.tiktokStore('100', signedBy('agency-app'))?.id).toBe('brand-a');
    expect(d.tiktokStore('200', signedBy('agency-app'))?.id).toBe('brand-b');
    expect(d.tiktokStore('300', signedBy('agency-app'))).toBeUndefined();
    expect(d.unresolvedCount()).toBe(0);
  });

  it('before or without a lookup, takes an event by app key only when one store uses that app', async () => {
    const d = new StoreDirectory([a, b, solo]);
    expect(d.tiktokStore('999', signedBy('solo-app'))?.id).toBe('solo');
    expect(d.tiktokStore('999', signedBy('agency-app'))).toBeUndefined();
    const problems = await d.resolveTikTokShops(async (s) => {
      if (s.id === 'solo') throw new Error('TikTok did not answer');
      return [{ id: s.id === 'brand-a' ? '100' : '200', cipher: s.tiktok.shopCipher ?? '' }];
    });
    expect(problems).toEqual([{ store: 'solo', problem: 'TikTok did not answer' }]);
    expect(d.tiktokStore('999', signedBy('solo-app'))?.id).toBe('solo');
    expect(d.anyAppSigned(signedBy('agency-app'))).toBe(true);
    expect(d.anyAppSigned(signedBy('nobody'))).toBe(false);
  });

  it('refuses to guess when a token without a cipher may act for several shops', async () => {
    const d = new StoreDirectory([solo]);
    const problems = await d.resolveTikTokShops(async () => [
      { id: '1', cipher: 'X' },
      { id: '2', cipher: 'Y' },
    ]);
    expect(problems[0]?.problem).toMatch(/2 shop/);
  });
});
