/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

const PRODUCTS: Array<[string, string, string]> = [
  ['Wireless earbuds Pro', '49.90', '#5b8def'],
  ['USB-C charger 65 W', '29.00', '#36b37e'],
  ['Smart LED strip 5 m', '24.50', '#ff8b00'],
  ['Phone gimbal', '59.00', '#6554c0'],
];

/**
 * A fake shop page that embeds the chat widget exactly as a seller would: one script tag
 * with the store id. For manual checks and the browser test (GET /widget/demo).
 */
export function demoPage(opts: { storeId: string; storeName: string; lang?: string }): string {
  const lang = opts.lang && /^[a-z]{2}(-[A-Za-z]{2})?$/.test(opts.lang) ? opts.lang : null;
  const cards = PRODUCTS.map(
    ([name, price, colour]) => `
      <article class="card">
        <div class="pic" style="background:${colour}"></div>
        <h2>${escapeHtml(name)}</h2>
        <p class="price">€ ${price}</p>
        <button type="button">Add to cart</button>
      </article>`,
  ).join('');
  return `<!doctype html>
<html lang="${escapeHtml(lang ?? 'en')}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(opts.storeName)} — demo shop</title>
<style>
  body { margin: 0; font-family: Georgia, 'Times New Roman', serif; background: #faf7f2; color: #2b2b2b; }
  header { padding: 18px 32px; background: #1f2933; color: #fff; display: flex; justify-content: space-between; align-items: center; }
  header h1 { margin: 0; font-size: 22px; }
  main { padding: 32px; display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 24px; max-width: 1000px; }
  .card { background: #fff; border-radius: 6px; padding: 16px; box-shadow: 0 1px 3px rgba(0,0,0,.12); }
  .pic { height: 120px; border-radius: 4px; opacity: .8; }
  .price { font-weight: bold; }
  /* shop styles that must not leak into the widget (it lives in a shadow root) */
  button { font-family: 'Comic Sans MS', cursive; background: hotpink; border: 3px dashed #000; }
  p, h2 { text-transform: uppercase; }
  footer { padding: 32px; color: #666; font-size: 13px; }
</style>
</head>
<body>
<header><h1>${escapeHtml(opts.storeName)}</h1><span>Free shipping to the EU from €40</span></header>
<main>${cards}
</main>
<footer>This is a demo shop page for the crossdesk chat widget. Store id: <code>${escapeHtml(opts.storeId)}</code></footer>
<script src="/widget.js" data-store="${escapeHtml(opts.storeId)}"${lang ? ` data-lang="${escapeHtml(lang)}"` : ''} async></script>
</body>
</html>
`;
}
