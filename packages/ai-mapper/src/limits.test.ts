import { DESCRIPTION_MAX_CHARS, fitTitle, htmlToText, sanitizeDescriptionHtml, titleLimits } from './limits.js';
import { fitKeywords } from './words-out.js';

describe('TikTok limits (API-FACTS §6)', () => {
  it('knows the title bounds per region', () => {
    expect(titleLimits('GB')).toEqual({ min: 1, max: 255 });
    expect(titleLimits('us')).toEqual({ min: 1, max: 255 });
    expect(titleLimits('BR')).toEqual({ min: 1, max: 300 });
    expect(titleLimits('ID')).toEqual({ min: 25, max: 255 });
  });

  it('trims a long title to 255 chars at a word boundary', () => {
    const long = Array.from({ length: 80 }, (_, i) => `word${i}`).join(' ');
    const title = fitTitle(long, 'GB');
    expect(title.length).toBeLessThanOrEqual(255);
    expect(long.startsWith(title)).toBe(true);
    expect(title.endsWith(' ')).toBe(false);
    expect(long.charAt(title.length)).toBe(' '); // cut between words, not inside one
  });

  it('removes emojis, HTML escapes, control and Chinese characters from titles', () => {
    expect(fitTitle('Cosy\u0007 Hoodie 🔥✨ &nbsp;Soft &amp; Warm 卫衣', 'GB')).toBe('Cosy Hoodie Soft and Warm');
  });

  it("pads a short title from the product's own words where the region needs 25 chars", () => {
    const title = fitTitle('Tote', 'ID', ['Canvas Tote Bag', 'Loom & Linen']);
    expect(title.length).toBeGreaterThanOrEqual(25);
    expect(title).toBe('Tote Canvas Tote Bag Loom and Linen');
  });

  it('keeps only simple tags and drops scripts, styles, images and attributes', () => {
    const html =
      '<div class="x" style="color:red"><p onclick="evil()">Soft <b>cotton</b> &nbsp;tee</p><script>alert(1)</script><img src="https://cdn.shopify.com/a.jpg"><ul><li>Machine wash<li>Tumble dry</ul></div>';
    const out = sanitizeDescriptionHtml(html);
    expect(out).not.toMatch(/script|style|onclick|<img|class=|&nbsp;/);
    expect(out).toContain('<b>cotton</b>');
    expect(out).toContain('<li>Machine wash</li>');
    expect(htmlToText(out)).toBe('Soft cotton tee Machine wash Tumble dry');
  });

  it('cuts a long description at a block boundary, within 10,000 chars, balanced', () => {
    const para = `<p>${'Lovely soft fabric that lasts. '.repeat(20)}</p>`;
    const out = sanitizeDescriptionHtml(`<ul><li>one</li></ul>${para.repeat(40)}`);
    expect(out.length).toBeLessThanOrEqual(DESCRIPTION_MAX_CHARS);
    expect(out.endsWith('</p>')).toBe(true);
    expect((out.match(/<p>/g) ?? []).length).toBe((out.match(/<\/p>/g) ?? []).length);
  });

  it('keeps keywords within 15 terms and 250 chars', () => {
    const kws = fitKeywords(Array.from({ length: 40 }, (_, i) => `keyword number ${i}`));
    expect(kws.length).toBeLessThanOrEqual(15);
    expect(kws.join('').length).toBeLessThanOrEqual(250);
  });
});
