// Conversions page: create a goal and a postback in the forms (the signing secret shown once),
// cause a click event, and follow its delivery in the log: its attempts (the receiver's host does
// not resolve: `.invalid` is reserved, RFC 6761) and a replay that makes it pending again.
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
}
