import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderCatalogTable, withCatalogTable } from './catalog-table.js';

describe('the catalog table in docs/architecture.md', () => {
  it('is the one generated from the catalog (run `pnpm docs:catalog` after changing the catalog)', () => {
    const doc = readFileSync(fileURLToPath(new URL('../../../docs/architecture.md', import.meta.url)), 'utf8');
    expect(withCatalogTable(doc)).toBe(doc);
  });

  it('lists every job kind with its id and retry class', () => {
    const table = renderCatalogTable();
    expect(table).toContain('| orders (2) | `order-import` | one TikTok order into Shopify | `glow-order-5764` | eventual:');
    expect(table).toContain('| inventory (4) | `inventory-sync` | every mapped SKU | `glow-inventory-sync-<run>` | standard:');
  });
});
