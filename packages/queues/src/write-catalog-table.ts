// Writes the queue catalog's table into docs/architecture.md (`pnpm docs:catalog`); a test checks it is current.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { withCatalogTable } from './catalog-table.js';

const doc = fileURLToPath(new URL('../../../docs/architecture.md', import.meta.url));
const before = readFileSync(doc, 'utf8');
const after = withCatalogTable(before);
if (after !== before) writeFileSync(doc, after);
console.log(
  after === before ? 'docs/architecture.md: catalog table already current' : 'docs/architecture.md: catalog table updated',
);
