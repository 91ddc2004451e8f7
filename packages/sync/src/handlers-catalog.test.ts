import { jobContract, queueCatalog, queueKeys } from '@shoptok/queues';
import * as sync from './index.js';

// The catalog names each kind's handler (queues may not import sync): the name must be a function
// this package exports, so the table in docs/architecture.md leads to real code.
describe('the catalog names a real handler for every job kind', () => {
  const kinds = queueKeys.flatMap((queue) => Object.keys(queueCatalog[queue].jobs).map((name) => [queue, name] as const));

  it.each(kinds)('%s/%s', (queue, name) => {
    const handler = jobContract(queue, name)?.handler;
    expect(handler).toMatch(/^run[A-Z]/);
    expect(typeof (sync as Record<string, unknown>)[handler as string]).toBe('function');
  });

  it('names each handler once', () => {
    const names = kinds.map(([queue, name]) => jobContract(queue, name)?.handler);
    expect(new Set(names).size).toBe(kinds.length);
  });
});
