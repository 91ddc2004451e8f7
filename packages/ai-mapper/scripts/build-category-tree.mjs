// Builds data/tiktok-categories-en-v1.json: the English TikTok Shop v1 category tree the
// mapper uses when no live tree is given. Run from the package dir:
//   node scripts/build-category-tree.mjs
// Inputs (see packages/testkit/fixtures/tiktok/SOURCE.md): the complete Indonesian v1 tree
// (2026) gives structure, ids and leaf flags; the UK leaf paths (2023) give English names.
// v1 ids are shared across regions, so the two are joined by leaf id.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

const fixtures = new URL('../../testkit/fixtures/tiktok/', import.meta.url);
const idTree = JSON.parse(readFileSync(new URL('id-v1-categories-20260602.json', fixtures), 'utf8')).data.categories;
const ukLeaves = JSON.parse(readFileSync(new URL('uk-v1-leaf-paths-2023.json', fixtures), 'utf8'));

const byId = new Map(idTree.map((c) => [c.id, c]));
const isTestCategory = (name) => /test|tes manual|tes otomatis|catrgory/i.test(name);

// English name votes per node: a node's name is the most common name the UK paths give it
// (four nodes moved between 2023 and 2026, so a few paths disagree with the newer tree).
const votes = new Map();
const stats = { ukLeaves: ukLeaves.length, joined: 0, ukNotInTree: [], depthMismatch: [], test: 0 };
for (const row of ukLeaves) {
  const id = String(row.category_id);
  const parts = row.category_path.split('>').map((p) => p.trim());
  const leaf = byId.get(id);
  if (!leaf || !leaf.is_leaf) {
    stats.ukNotInTree.push(row.category_path.trim());
    continue;
  }
  if (parts.some(isTestCategory)) {
    stats.test++;
    continue;
  }
  const chain = [];
  for (let node = leaf; node; node = byId.get(node.parent_id)) chain.unshift(node);
  if (chain.length !== parts.length) {
    stats.depthMismatch.push(row.category_path);
    continue;
  }
  stats.joined++;
  chain.forEach((node, i) => {
    const counts = votes.get(node.id) ?? new Map();
    counts.set(parts[i], (counts.get(parts[i]) ?? 0) + 1);
    votes.set(node.id, counts);
  });
}
const english = new Map();
const renamed = [];
for (const [id, counts] of votes) {
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  english.set(id, ranked[0][0]);
  if (ranked.length > 1) renamed.push({ id, chosen: ranked[0][0], others: ranked.slice(1).map(([n]) => n) });
}

// Keep only named nodes: leaves with an English name and their (named) ancestors. Leaves
// known only in Indonesian are left out rather than shown to English merchants untranslated.
const categories = idTree
  .filter((c) => english.has(c.id))
  .map((c) => ({
    id: c.id,
    parentId: c.parent_id,
    name: english.get(c.id),
    isLeaf: c.is_leaf,
    permissionStatuses: c.permission_statuses,
  }))
  .sort((a, b) => a.id.localeCompare(b.id));
for (const c of categories) {
  if (c.parentId !== '0' && !english.has(c.parentId)) throw new Error(`ancestor of ${c.id} has no English name`);
}

const body = JSON.stringify(categories);
const version = `en-v1-20260602-${createHash('sha256').update(body).digest('hex').slice(0, 8)}`;
const out = {
  version,
  categoryVersion: 'v1',
  locale: 'en-GB',
  provenance:
    'Structure, ids and leaf flags: TikTok Get Categories v1 (Indonesian shop, 2026-06-02). English names: UK leaf paths (2023), joined by leaf id. See data/SOURCE.md.',
  categories,
};
writeFileSync(new URL('../data/tiktok-categories-en-v1.json', import.meta.url), `${JSON.stringify(out, null, 0)}\n`);
const leaves = categories.filter((c) => c.isLeaf).length;
const idLeaves = idTree.filter((c) => c.is_leaf).length;
console.log(
  JSON.stringify(
    {
      version,
      nodes: categories.length,
      leaves,
      roots: categories.filter((c) => c.parentId === '0').length,
      indonesianLeavesWithoutEnglish: idLeaves - leaves,
      ukLeavesJoined: stats.joined,
      ukLeavesNotInTree: stats.ukNotInTree,
      ukLeavesDepthMismatch: stats.depthMismatch,
      ukTestLeavesSkipped: stats.test,
      nodesWithConflictingNames: renamed,
    },
    null,
    2,
  ),
);
