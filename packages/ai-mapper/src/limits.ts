// TikTok Shop listing limits, from API-FACTS §6 ("Field limits"). Every trim in the mapper
// goes through here so a limit lives in one place.

/** Regions whose titles may be 1-255 chars (API-FACTS §6). */
const TITLE_1_255 = new Set(['DE', 'ES', 'FR', 'IE', 'IT', 'JP', 'UK', 'GB', 'US']);
/** Regions whose titles may be 1-300 chars (API-FACTS §6). */
const TITLE_1_300 = new Set(['BR', 'MX']);

/** Title length bounds for a shop region (API-FACTS §6: other regions are 25-255). */
export function titleLimits(region: string): { min: number; max: number } {
  const r = region.toUpperCase();
  if (TITLE_1_255.has(r)) return { min: 1, max: 255 };
  if (TITLE_1_300.has(r)) return { min: 1, max: 300 };
  return { min: 25, max: 255 };
}

/** Description: HTML, at most 10,000 chars (API-FACTS §6). */
export const DESCRIPTION_MAX_CHARS = 10_000;
/** search_terms: at most 15 terms, 250 chars in total (API-FACTS §6); our keywords fill it. */
export const KEYWORDS_MAX_COUNT = 15;
export const KEYWORDS_MAX_TOTAL_CHARS = 250;
/** Not a TikTok limit: more hashtags than this read as spam, so we stop there. */
export const HASHTAGS_MAX_COUNT = 8;
/** A custom product attribute value is at most 2,000 chars (API-FACTS §6). */
export const ATTRIBUTE_VALUE_MAX_CHARS = 2_000;

const NAMED_ENTITIES: Record<string, string> = {
  nbsp: ' ',
  amp: '&',
  quot: '"',
  apos: "'",
  lt: '<',
  gt: '>',
  ndash: '-',
  mdash: '-',
  hellip: '...',
  rsquo: "'",
  lsquo: "'",
  ldquo: '"',
  rdquo: '"',
  trade: '',
  reg: '',
  copy: '',
};

/** Replaces HTML character references with the characters they stand for. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : '';
    }
    return NAMED_ENTITIES[ref.toLowerCase()] ?? whole;
  });
}

// Title rules (API-FACTS §6, error 12052931 / 12052262): no HTML escapes, no emojis, no ASCII
// control characters, no Chinese characters.
// Pictographs and the joiners/selectors that build emoji sequences, removed one by one.
const EMOJI = /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u{FE0F}|\u{200D}|\u{20E3}/gu;
const CONTROL = /\p{Cc}/gu;
const CJK = /[\p{Script=Han}]/gu;

/** Removes what TikTok rejects in a title and collapses whitespace. */
export function cleanTitleText(text: string): string {
  return decodeEntities(text.replace(/<[^>]*>/g, ' '))
    .replace(CONTROL, ' ')
    .replace(EMOJI, '')
    .replace(CJK, '')
    .replace(/&/g, 'and') // a bare "&" can be read back as an escape; "and" is always safe
    .replace(/\s+/g, ' ')
    .trim();
}

/** Cuts text to `max` chars at a word boundary when one is close, never mid-word otherwise. */
export function cutAtWord(text: string, max: number): string {
  if (text.length <= max) return text;
  const slice = text.slice(0, max + 1);
  const lastSpace = slice.lastIndexOf(' ');
  const cut = lastSpace >= max * 0.6 ? slice.slice(0, lastSpace) : text.slice(0, max);
  return cut.replace(/[\s,;:\-|/]+$/, '');
}

/**
 * A title within the region's limits: cleaned, cut at a word boundary, and padded from
 * `padding` words (the product's own type, vendor, category) when a region needs 25 chars.
 */
export function fitTitle(raw: string, region: string, padding: readonly string[] = []): string {
  const { min, max } = titleLimits(region);
  let title = cutAtWord(cleanTitleText(raw), max);
  for (const extra of padding) {
    if (title.length >= min) break;
    const word = cleanTitleText(extra);
    if (word && !title.toLowerCase().includes(word.toLowerCase())) title = cutAtWord(`${title} ${word}`.trim(), max);
  }
  return title;
}

// Tags we keep in descriptions. TikTok now accepts all valid tags (API-FACTS §6, [D-html]) but
// images must be TikTok-hosted and the older allow-list is unconfirmed (§ "Unconfirmed"), so we
// keep a plain, safe subset and drop attributes (no styles, scripts or foreign image URLs).
const KEPT_TAGS = new Set(['p', 'br', 'ul', 'ol', 'li', 'strong', 'b', 'em', 'i', 'u', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6']);
const DROPPED_WITH_CONTENT = /<(script|style|iframe|object|embed|svg|noscript|template)\b[^>]*>[\s\S]*?<\/\1\s*>/gi;
const BLOCK_TAGS = new Set(['p', 'ul', 'ol', 'li', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6']);

/**
 * Description HTML that TikTok accepts: only simple tags, no attributes or images, no HTML
 * escapes (error 12052932), balanced, and at most 10,000 chars cut at a block boundary.
 */
export function sanitizeDescriptionHtml(html: string, maxChars = DESCRIPTION_MAX_CHARS): string {
  const withoutDangerous = html.replace(/<!--[\s\S]*?-->/g, '').replace(DROPPED_WITH_CONTENT, ' ');
  const out: string[] = [];
  const open: string[] = [];
  const tokenRe = /<\s*(\/?)\s*([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?(\/?)\s*>|([^<]+)|(<)/g;
  for (let m = tokenRe.exec(withoutDangerous); m; m = tokenRe.exec(withoutDangerous)) {
    const [, closing, rawTag, , text, strayLt] = m;
    if (text !== undefined || strayLt !== undefined) {
      const plain = decodeEntities(text ?? '<')
        .replace(CONTROL, ' ')
        .replace(/</g, '‹')
        .replace(/>/g, '›')
        .replace(/&/g, 'and');
      out.push(plain.replace(/[ \t\r\n]+/g, ' '));
      continue;
    }
    const tag = (rawTag ?? '').toLowerCase();
    const mapped = tag === 'div' || tag === 'section' || tag === 'article' ? 'p' : tag;
    if (!KEPT_TAGS.has(mapped)) {
      if (tag === 'tr' || tag === 'td' || tag === 'th') out.push(' ');
      continue;
    }
    if (mapped === 'br') {
      out.push('<br/>');
      continue;
    }
    if (closing) {
      const at = open.lastIndexOf(mapped);
      if (at === -1) continue;
      while (open.length > at) out.push(`</${open.pop()}>`);
    } else {
      // HTML's implied end tags: a new <li> ends the open <li> of the same list, and a block
      // tag ends an open <p> (blocks do not nest in <p>; TikTok rejects bad nesting, 12052349).
      const container = Math.max(open.lastIndexOf('ul'), open.lastIndexOf('ol'));
      const implied = mapped === 'li' ? open.lastIndexOf('li') : BLOCK_TAGS.has(mapped) ? open.lastIndexOf('p') : -1;
      if (implied > container) while (open.length > implied) out.push(`</${open.pop()}>`);
      open.push(mapped);
      out.push(`<${mapped}>`);
    }
  }
  while (open.length) out.push(`</${open.pop()}>`);
  const cleaned = out
    .join('')
    .replace(/<(p|li|strong|b|em|i|u|h[1-6])>\s*<\/\1>/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return cutHtml(cleaned, maxChars);
}

/** Cuts sanitised HTML to `max` chars at the last closing block tag that fits, else as text. */
function cutHtml(html: string, max: number): string {
  if (html.length <= max) return html;
  // Leave room for the closing tags that re-balancing the cut may add.
  const head = html.slice(0, Math.max(0, max - 64));
  const blockEnd = /<\/(p|li|ul|ol|h[1-6])>/g;
  let lastEnd = -1;
  for (let m = blockEnd.exec(head); m; m = blockEnd.exec(head)) lastEnd = m.index + m[0].length;
  if (lastEnd > 0) {
    const balanced = sanitizeDescriptionHtml(head.slice(0, lastEnd), Number.POSITIVE_INFINITY);
    if (balanced.length <= max) return balanced;
  }
  return cutAtWord(htmlToText(html), max);
}

/** Plain text of an HTML fragment (tags to spaces, entities decoded). */
export function htmlToText(html: string): string {
  return decodeEntities(html.replace(DROPPED_WITH_CONTENT, ' ').replace(/<[^>]*>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
}

/** Plain text of an HTML fragment with one line per block (for "Label: value" lines). */
export function htmlToLines(html: string): string {
  const marked = html.replace(DROPPED_WITH_CONTENT, ' ').replace(/<\s*(br|\/p|\/li|\/h[1-6]|\/div|\/tr)\b[^>]*>/gi, '\n');
  return decodeEntities(marked.replace(/<[^>]*>/g, ' '))
    .split('\n')
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .filter(Boolean)
    .join('\n');
}
