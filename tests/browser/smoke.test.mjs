// The harness and the embedded UI's ground rules: /ui/ carries the contract's security headers,
// the vendored uPlot loads and draws under that policy, and an inline script does not run.
import assert from 'node:assert/strict';

const kCsp =
  "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
  "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

export async function run(ctx) {
  const { page } = ctx;
  const resp = await page.goto(`${ctx.baseUrl}/ui/`);
  assert.ok(resp, 'no response for /ui/');
  const h = resp.headers();
  assert.equal(h['content-security-policy'], kCsp);
  assert.equal(h['x-content-type-options'], 'nosniff');
  assert.equal(h['referrer-policy'], 'same-origin');
  if (resp.status() === 200) assert.equal(h['cache-control'], 'no-cache');

  // uPlot from /ui/vendor/ (a 'self' script and stylesheet) draws a chart into a canvas.
  await page.addStyleTag({ url: '/ui/vendor/uPlot.min.css' });
  await page.addScriptTag({ url: '/ui/vendor/uPlot.iife.min.js' });
  const drawn = await page.evaluate(() => {
    const el = document.createElement('div');
    document.body.appendChild(el);
    const chart = new window.uPlot(
      { width: 400, height: 200, series: [{}, { label: 'clicks', stroke: 'blue' }] },
      [[1, 2, 3], [5, 1, 4]], el);
    return { version: typeof window.uPlot, canvas: el.querySelectorAll('canvas').length,
             width: chart.width };
  });
  assert.equal(drawn.version, 'function');
  assert.equal(drawn.canvas, 1);
  assert.equal(drawn.width, 400);
  await ctx.screenshot('uplot');

  // An injected inline script is refused by the policy (reported as a violation, never run).
  const inline = await page.evaluate(
    () => new Promise((resolve) => {
      document.addEventListener('securitypolicyviolation',
                                (e) => resolve({ ran: window.__inlineRan === true,
                                                 directive: e.effectiveDirective }),
                                { once: true });
      const s = document.createElement('script');
      s.textContent = 'window.__inlineRan = true;';
      document.body.appendChild(s);
    }));
  assert.deepEqual(inline, { ran: false, directive: 'script-src-elem' });
}
