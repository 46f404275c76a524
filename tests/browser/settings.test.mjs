// Settings: an owner invites a teammate (the accept URL is shown to copy), the teammate accepts
// it in the browser and is signed in with the invited role; the owner changes that role; the
// teammate changes their own password and signs in with the new one.
import {assert, signIn, waitFor} from './ui_helpers.mjs';

export const timeoutMs = 150_000;

export async function run(ctx) {
  const {page, baseUrl} = ctx;
  page.on('dialog', (d) => d.accept());
  const owner = ctx.createUser('owner@example.com', 'owner');
  await signIn(page, baseUrl, owner.email, owner.password);
  await page.goto(`${baseUrl}/ui/#/settings`);
  await page.waitForSelector('#invite-form');
  await page.fill('input[name=invite_email]', 'mate@example.com');
  await page.selectOption('select[name=invite_role]', 'viewer');
  await page.click('#invite-form button[type=submit]');
  const acceptUrl = (await (await page.waitForSelector('#accept-url')).textContent()).trim();
  const token = acceptUrl.match(/#\/accept\/(.+)$/);
  assert(token, `an accept URL: ${acceptUrl}`);
  assert((await page.textContent('#invitations table')).includes('mate@example.com'), 'the invitation is listed');
  await page.click('#logout');
  await page.waitForSelector('#login-form');

  // The teammate follows the link (on this server), chooses a password and is signed in.
  await page.goto(`${baseUrl}/ui/#/accept/${token[1]}`);
  await page.fill('input[autocomplete=new-password] >> nth=0', 'first-password-1');
  await page.fill('input[autocomplete=new-password] >> nth=1', 'first-password-1');
  await page.click('main form button[type=submit]');
  await page.waitForSelector('#links-table p');
  assert((await page.textContent('#who')).includes('mate@example.com (viewer)'), 'signed in as the invited viewer');
  assert((await page.$$('#new-link')).length === 0, 'a viewer has no New link button');

  // The teammate changes their own password (viewers may).
  await page.goto(`${baseUrl}/ui/#/settings`);
  await page.fill('input[name=current_password]', 'first-password-1');
  await page.fill('input[name=new_password]', 'second-password-2');
  await page.click('#password-form button[type=submit]');
  await page.waitForSelector('#password .msg.ok');
  await page.click('#logout');
  await page.waitForSelector('#login-form');

  // The owner makes the teammate an editor.
  await signIn(page, baseUrl, owner.email, owner.password);
  await page.goto(`${baseUrl}/ui/#/settings`);
  await page.waitForSelector('#users table');
  await page.selectOption('select[aria-label="Role of mate@example.com"]', 'editor');
  await page.waitForSelector('#users .msg.ok');
  const users = await ctx.api('GET', '/api/v1/users');
  assert(users.json.users.find((u) => u.email === 'mate@example.com').role === 'editor', `role stored: ${users.text}`);
  await ctx.screenshot('settings');
  await page.click('#logout');
  await page.waitForSelector('#login-form');

  // The old password no longer works; the new one does, and now with edit controls.
  await page.fill('input[name=email]', 'mate@example.com');
  await page.fill('input[name=password]', 'first-password-1');
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#login-form .msg.error');
  await signIn(page, baseUrl, 'mate@example.com', 'second-password-2');
  await waitFor('the New link button of an editor', async () => (await page.$$('#new-link')).length === 1);
}
