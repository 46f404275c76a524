// API keys from the settings page: create one (shown once), use it, revoke it, and see it
// refused at once (401 with Bearer) while the listing keeps only its prefix.
import {assert, signIn, waitFor} from './ui_helpers.mjs';

export async function run(ctx) {
  const {page, baseUrl} = ctx;
  const owner = ctx.createUser('owner@example.com', 'owner');
  await signIn(page, baseUrl, owner.email, owner.password);
  await page.goto(`${baseUrl}/ui/#/settings`);
  await page.waitForSelector('#key-form');
  await page.fill('input[name=key_name]', 'browser test key');
  await page.click('#key-form button[type=submit]');
  const key = (await (await page.waitForSelector('#new-key')).textContent()).trim();
  assert(/^ct_[A-Za-z0-9]{40,}$/.test(key), `the new key looks like a key: ${key}`);
  const ok = await ctx.api('GET', '/api/v1/links', undefined, key);
  assert(ok.status === 200, `the new key answered ${ok.status}`);

  const row = await page.waitForSelector('#api-keys tr:has-text("browser test key")');
  const rowText = await row.textContent();
  assert(!rowText.includes(key), 'the listing shows the prefix, never the key');
  page.once('dialog', (d) => d.accept());
  await row.$eval('button', (b) => b.click());
  await waitFor('the key shown as revoked', async () =>
    (await page.textContent('#api-keys tr:has-text("browser test key")')).includes('revoked'));
  const refused = await ctx.api('GET', '/api/v1/links', undefined, key);
  assert(refused.status === 401, `the revoked key answered ${refused.status}, not 401`);
  assert((await page.$$('#new-key')).length === 0, 'the key is not shown again');
}
