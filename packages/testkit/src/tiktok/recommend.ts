// Recommend Category (POST /product/202309/categories/recommend, API-FACTS §5.2 and its error
// table). TikTok's real recommender is a trained model that also looks at images; the stand-in's
// is a plain word match of the title (and a little of the description) against the real tree's
// names. That makes it plausible (a "Plastic storage box" lands among storage boxes) and
// sometimes wrong (a "Tote bag" can land on any leaf that says "bag"), which is what a mapper
// that takes it as one vote among several must cope with. It never sees any labels.
import { ApiFail, type Handler, obj, str } from './context.js';
import type { CategoryTree, StandInCategory } from './categories.js';

const TITLE_MAX = 255;
const DESCRIPTION_MAX = 10_000;
const NO_MATCH_MESSAGE =
  'No matching categories. Provide the full name of your product, edit its product properties, and try again.';

/** Lowercase words of 3+ letters, with a plural "s" dropped (the tree says "Boxes", titles say "box"). */
function words(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/<[^>]*>/g, ' ')
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 2)
    .map((w) => (/(ss|x|ch|sh)es$/.test(w) ? w.slice(0, -2) : w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w));
}

function listable(c: StandInCategory, includeProhibited: boolean): boolean {
  return includeProhibited || c.permission_statuses.length === 0 || c.permission_statuses.includes('AVAILABLE');
}

/** The leaf whose name shares most words with the product (title words count fully, description words a little). */
export function recommendLeaf(
  tree: CategoryTree,
  input: { title: string; description?: string; includeProhibited?: boolean },
): StandInCategory | undefined {
  const title = new Set(words(input.title));
  const description = new Set(words(input.description ?? '').slice(0, 60));
  let best: { category: StandInCategory; score: number; size: number } | undefined;
  for (const c of tree.categories) {
    if (!c.is_leaf || !listable(c, input.includeProhibited ?? false)) continue;
    const name = [...new Set(words(c.local_name))];
    if (name.length === 0) continue;
    let score = 0;
    for (const w of name) score += title.has(w) ? 1 : description.has(w) ? 0.25 : 0;
    if (score <= 0) continue;
    // On a tie the shorter name wins (it is explained more fully); then the tree's order.
    if (!best || score > best.score || (score === best.score && name.length < best.size))
      best = { category: c, score, size: name.length };
  }
  return best?.category;
}

export const recommendCategory: Handler = (ctx) => {
  const body = obj(ctx.body);
  const title = str(body.product_title)?.trim();
  if (!title) throw new ApiFail(12052261, 'product name is empty');
  if (title.length > TITLE_MAX) throw new ApiFail(12052051, 'The product name exceed max limit characters');
  if (/[\u4e00-\u9fff]/.test(title)) throw new ApiFail(12052262, 'Chinese characters are not supported in product name');
  // The real API refuses non-English titles (12052266); letters outside Latin script are the sign here.
  if (/[^\p{Script=Latin}\P{L}]/u.test(title)) throw new ApiFail(12052266, 'The product name contains non-English characters.');
  const description = str(body.description) ?? '';
  if (description.length > DESCRIPTION_MAX)
    throw new ApiFail(12052013, 'The product description cannot exceed maximum characters');
  if ((str(body.category_version) ?? 'v1') !== 'v1')
    throw new ApiFail(12052217, "Incorrect category version. This shop's tree is 'v1'.");
  const found = recommendLeaf(ctx.tree, {
    title,
    description,
    includeProhibited: body.include_prohibited_categories === true,
  });
  if (!found) throw new ApiFail(12019064, NO_MATCH_MESSAGE);
  return {
    leaf_category_id: found.id,
    categories: ctx.tree.chain(found.id).map((c, i) => ({
      id: c.id,
      name: c.local_name,
      level: i + 1,
      is_leaf: c.is_leaf,
      permission_statuses: c.permission_statuses,
    })),
  };
};
