// The dashboard's security promises, seen from a browser: data is never markup (XSS attempts in
// titles, groups, tags and destinations stay text), a viewer gets no edit controls and its
// writes are refused, and a cookie-authenticated write without the CSRF token is refused.
import {assert, pageFetch, signIn} from './ui_helpers.mjs';

const kXssTitle = '<img src=x onerror=window.__xss=1>';
const kXssGroup = '"><svg onload=window.__xss=2>';
// The API refuses < > and spaces in URLs; quotes and = pass, so this one tries an attribute
// break-out (it is shown as text and as a title attribute set through the DOM).
const kXssDest = "https://example.com/'onmouseover='window.__xss=3'";

export const timeoutMs = 180_000;

export async function run(ctx) {
  const {page, baseUrl} = ctx;
  const owner = ctx.createUser('owner@example.com', 'owner');
  const viewer = ctx.createUser('viewer@example.com', 'viewer');

  // Tags accept only A-Z a-z 0-9 space _ . : - , so markup in a tag is refused at the API.
  const badTag = await ctx.api('POST', '/api/v1/links',
                              {destination: 'https://example.com/', tags: ['<b>x</b>']});
  assert(badTag.status === 400, `a tag with markup answered ${badTag.status}`);
  const created = await ctx.api('POST', '/api/v1/links',
                               {destination: kXssDest, title: kXssTitle, group: kXssGroup, tags: ['a:b-c.d_e f']});
  assert(created.status === 201, `creating the XSS link answered ${created.status}: ${created.text}`);
  const link = created.json;

  await signIn(page, baseUrl, owner.email, owner.password);
  const row = await page.waitForSelector(`tr[data-link-id="${link.id}"]`);
  assert((await row.$eval('a.title', (a) => a.textContent)) === kXssTitle, 'the title shows as text');
  assert((await row.$$('img, svg, script')).length === 0, 'no element came from the data');
  assert((await row.textContent()).includes(kXssGroup), 'the group shows as text');
  await page.goto(`${baseUrl}/ui/#/links/${link.id}`);
  await page.waitForSelector('#chart[data-rendered]');
  assert((await page.textContent('main h1')) === kXssTitle, 'the report title shows as text');
  assert((await page.textContent('main .sub .url')) === link.destination, 'the destination shows as text');
  await page.goto(`${baseUrl}/ui/#/links/${link.id}/edit`);
  await page.waitForSelector('#link-form');
  assert((await page.inputValue('input[name=title]')) === kXssTitle, 'the form holds the title as a value');
  assert((await page.$$('main img:not(.qr), main svg, main script')).length === 0, 'no injected element on the edit page');
  assert(await page.evaluate(() => window.__xss === undefined), 'no XSS payload ran');

  // Account isolation through the UI: another account's link is "not found", as in the API.
  const otherKey = ctx.createAccount('other');
  const foreign = await ctx.api('POST', '/api/v1/links', {destination: 'https://other.example/', title: 'theirs'}, otherKey);
  assert(foreign.status === 201, `the other account's link: ${foreign.status}`);
  await page.goto(`${baseUrl}/ui/#/links/${foreign.json.id}`);
  await page.waitForSelector('main .msg.error');
  assert(/not found/i.test(await page.textContent('main')), 'another account\'s link reads as not found');
  assert(!(await page.textContent('main')).includes('theirs'), 'nothing of the other account shows');
  const foreignStats = await pageFetch(page, `/api/v1/links/${foreign.json.id}/stats`);
  assert(foreignStats.status === 404, `another account's stats with the session answered ${foreignStats.status}`);

  // A cookie-authenticated write without X-CSRF-Token is refused (403 csrf), with it accepted.
  const noCsrf = await pageFetch(page, '/api/v1/links', {method: 'POST', headers: {'Content-Type': 'application/json'},
                                                       body: JSON.stringify({destination: 'https://example.com/csrf'})});
  assert(noCsrf.status === 403 && JSON.parse(noCsrf.text).error.code === 'csrf', `CSRF-less write answered ${noCsrf.status} ${noCsrf.text}`);
  const token = await page.evaluate(async () => (await (await fetch('/api/v1/me')).json()).csrf_token);
  const withCsrf = await pageFetch(page, '/api/v1/links', {method: 'POST',
    headers: {'Content-Type': 'application/json', 'X-CSRF-Token': token},
    body: JSON.stringify({destination: 'https://example.com/csrf'})});
  assert(withCsrf.status === 201, `a write with the token answered ${withCsrf.status} ${withCsrf.text}`);
  await page.click('#logout');
  await page.waitForSelector('#login-form');

  // A viewer: no edit controls anywhere, and a write with a valid CSRF token is still refused.
  await signIn(page, baseUrl, viewer.email, viewer.password);
  await page.waitForSelector(`tr[data-link-id="${link.id}"]`);
  assert((await page.$$('#new-link, #import-go, a[href$="/edit"]')).length === 0, 'a viewer sees no edit controls on links');
  await page.goto(`${baseUrl}/ui/#/links/${link.id}`);
  await page.waitForSelector('#chart[data-rendered]');
  assert((await page.$$('#edit-link')).length === 0, 'a viewer sees no edit button on the report');
  await page.goto(`${baseUrl}/ui/#/settings`);
  await page.waitForSelector('#users table');
  assert((await page.$$('#api-keys, #invitations, #users select, #account button')).length === 0,
         'a viewer sees no owner controls in settings');
  await page.goto(`${baseUrl}/ui/#/conversions`);
  await page.waitForSelector('#deliveries');
  assert((await page.$$('#goal-form, #postback-form')).length === 0, 'a viewer sees no conversion forms');
  const vtoken = await page.evaluate(async () => (await (await fetch('/api/v1/me')).json()).csrf_token);
  const vwrite = await pageFetch(page, `/api/v1/links/${link.id}`, {method: 'PATCH',
    headers: {'Content-Type': 'application/json', 'X-CSRF-Token': vtoken}, body: JSON.stringify({title: 'hijacked'})});
  assert(vwrite.status === 403 && JSON.parse(vwrite.text).error.code === 'forbidden', `a viewer's write answered ${vwrite.status} ${vwrite.text}`);
  const after = await ctx.api('GET', `/api/v1/links/${link.id}`);
  assert(after.json.title === kXssTitle, 'the viewer did not change the link');
  assert(await page.evaluate(() => window.__xss === undefined), 'no XSS payload ran');
}
