// Conversions page: create a goal and a postback in the forms (the signing secret shown once),
// cause a click event, and follow its delivery in the log: its attempts (the receiver's host does
// not resolve: `.invalid` is reserved, RFC 6761) and a replay that makes it pending again. Then a
// server-to-server conversion credited to that click shows in the link report: a conversions line
// in the chart, the conversions and revenue cards.
import {assert, click, signIn, waitFor} from './ui_helpers.mjs';

export const timeoutMs = 150_000;

export async function run(ctx) {
  const {page, baseUrl} = ctx;
  const owner = ctx.createUser('owner@example.com', 'owner');
  await signIn(page, baseUrl, owner.email, owner.password);
  await page.goto(`${baseUrl}/ui/#/conversions`);
  await page.waitForSelector('#goal-form');
  await page.fill('input[name=goal_name]', 'Purchase');
  await page.fill('input[name=goal_value]', '12.5');
  await page.click('#goal-form button[type=submit]');
  await page.waitForSelector('#goals table >> text=Purchase');
  const goals = await ctx.api('GET', '/api/v1/goals');
  assert(goals.json.goals.length === 1 && goals.json.goals[0].value === '12.5', `goal stored: ${goals.text}`);

  await page.fill('input[name=postback_name]', 'CRM');
  await page.fill('input[name=postback_url]', 'https://receiver.invalid/hook?cid={click_id}');
  await page.check('input[name=event_click]');
  await page.click('#postback-form button[type=submit]');
  const secret = (await (await page.waitForSelector('#postbacks .secret')).textContent()).trim();
  assert(secret.startsWith('whsec_'), `the secret is shown once: ${secret}`);
  const listed = await page.textContent('#postbacks table');
  assert(!listed.includes(secret), 'the table shows only the secret prefix');

  const link = await ctx.api('POST', '/api/v1/links', {destination: 'https://example.com/pb', slug: 'pb'});
  assert(link.status === 201, `link: ${link.status}`);
  assert(await click(`${baseUrl}/pb`) === 302, 'the click redirected');

  await waitFor('a delivery with a failed attempt', async () => {
    await page.goto('about:blank');
    await page.goto(`${baseUrl}/ui/#/conversions`);
    await page.waitForSelector('#deliveries form');
    const row = await page.$('#delivery-list tbody tr');
    return row && Number((await row.$$eval('td', (tds) => tds[3].textContent))) >= 1;
  }, 60000, 1000);
  await page.click('#delivery-list button:has-text("Attempts")');
  const detail = await (await page.waitForSelector('#delivery-detail table')).textContent();
  assert(/resolve/i.test(detail), `the attempt log names the failure: ${detail}`);
  await page.click('#delivery-list button:has-text("Replay")');
  await page.waitForSelector('#deliveries .msg.ok >> text=pending again');
  await ctx.screenshot('conversions');

  const hits = await ctx.api('GET', `/api/v1/links/${link.json.id}/hits`);
  const clickId = hits.json.hits && hits.json.hits[0] && hits.json.hits[0].click_id;
  assert(clickId, `the click is listed with its id: ${hits.text}`);
  const conv = await ctx.api('POST', '/api/v1/conversions',
                             {goal: goals.json.goals[0].id, click_id: clickId, value: '12.5', order_id: 'o-1'});
  assert(conv.status < 300, `conversion: ${conv.status} ${conv.text}`);
  await waitFor('the conversion in the report chart', async () => {
    await page.goto('about:blank');
    await page.goto(`${baseUrl}/ui/#/links/${link.json.id}?range=1h&interval=minute`);
    await page.waitForSelector('#chart[data-rendered]', {timeout: 20000});
    return Number(await page.getAttribute('#chart', 'data-conversions')) === 1;
  }, 30000, 500);
  const cards = await page.textContent('#totals');
  assert(cards.includes('Conversions') && cards.includes('12.5'), `conversion cards: ${cards}`);
  const mainText = await page.textContent('main');
  assert(!/\b(null|undefined|NaN)\b/.test(mainText), `no placeholder leaks into the page: ${mainText.slice(0, 300)}`);
  await ctx.screenshot('report-conversions');
}
