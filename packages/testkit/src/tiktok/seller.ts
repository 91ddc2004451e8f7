/**
 * The seller's browser on the stand-in's authorization page: opens the link shoptok printed,
 * picks the shop it is logged in as, clicks Authorize or Cancel, and returns where TikTok
 * redirects (the app's redirect URL with `code` and `state`, or `error=auth_denied`).
 */
export async function sellerDecides(
  link: string,
  options: { decision: 'authorize' | 'deny'; shopName?: string },
): Promise<string> {
  const page = await fetch(link);
  const html = await page.text();
  if (page.status !== 200) throw new Error(`the authorization page answered ${page.status}: ${html.slice(0, 300)}`);
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  const hidden = Object.fromEntries([...html.matchAll(/type="hidden" name="(\w+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]));
  const shops = [...html.matchAll(/<option value="(\d+)">([^<]*) \((\w+)\)<\/option>/g)].map((m) => ({ id: m[1]!, name: m[2]! }));
  const shop = options.shopName ? shops.find((s) => s.name === options.shopName) : shops[0];
  if (!action || !shop) throw new Error(`no consent form or no shop "${options.shopName ?? ''}" on the authorization page`);
  const res = await fetch(new URL(action, link), {
    method: 'POST',
    body: new URLSearchParams({ ...hidden, shop_id: shop.id, decision: options.decision }),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    redirect: 'manual',
  });
  const location = res.headers.get('location');
  await res.arrayBuffer();
  if (res.status !== 302 || !location) throw new Error(`the consent form answered ${res.status} without a redirect`);
  return location;
}
