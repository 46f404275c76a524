// ui_report_load: how long the dashboard's link report takes to load in headless Chromium for a
// link with many clicks (default 10 M over 90 days), from navigation start to the chart drawn
// (performance mark "ct-chart-rendered"), and to the first breakdown table shown.
//
// Fill (not timed): the link's rollups are written at rollup level with the sqlite3 CLI while the
// server is stopped (hour and day rollups, dimension rollups, dimension combinations, the
// account's rollups), as report_bench does for the API; reports never read raw hits.
// Then the real binary serves /ui/ and the API on 127.0.0.1, a user signs in through the login
// form, and each report view is loaded N times in a fresh document.
//
//   CLICKTRAIL_BIN=build/clicktrail node bench/ui_report_load.mjs [--clicks 10000000] [--days 90] [--runs 7]
import {spawn, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {createRequire} from 'node:module';
import {fileURLToPath} from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const {chromium} = createRequire(path.join(here, '../tests/browser/package.json'))('playwright-core');
const args = Object.fromEntries(process.argv.slice(2).reduce((a, v, i, all) => (i % 2 ? a : [...a, [v.replace(/^--/, ''), all[i + 1]]]), []));
const clicks = Number(args.clicks || 10_000_000);
const days = Number(args.days || 90);
const runs = Number(args.runs || 7);
const bin = process.env.CLICKTRAIL_BIN;
if (!bin || !fs.existsSync(bin)) throw new Error('set CLICKTRAIL_BIN to the clicktrail binary');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ui-report-load-'));
const data = path.join(tmp, 'data');
const cli = (a, input) => {
  const r = spawnSync(bin, a, {input: input ?? '', encoding: 'utf8', timeout: 60_000});
  if (r.status !== 0) throw new Error(`clicktrail ${a.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
};

async function serve() {
  const log = path.join(tmp, 'serve.log');
  fs.writeFileSync(log, '');
  const fd = fs.openSync(log, 'a');
  const child = spawn(bin, ['serve', '--data', data, '--listen', '127.0.0.1:0', '--set', 'ui.secure_cookie=false'],
                      {stdio: ['ignore', fd, fd]});
  fs.closeSync(fd);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const m = /listening on 127\.0\.0\.1:(\d+)/.exec(fs.readFileSync(log, 'utf8'));
    if (m) {
      const base = `http://127.0.0.1:${m[1]}`;
      for (;;) {
        if (Date.now() > deadline) break;
        const ok = await fetch(`${base}/readyz`).then((r) => r.ok).catch(() => false);
        if (ok) return {child, base};
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`server did not start: ${fs.readFileSync(log, 'utf8').slice(-1000)}`);
}

async function stop(s) {
  s.child.kill('SIGTERM');
  await new Promise((r) => (s.child.exitCode !== null ? r() : s.child.once('exit', r)));
}

function fillSql(linkId, dest) {
  const hours = days * 24;
  const perHour = Math.floor(clicks / hours);
  const first = (Math.floor(Date.now() / 3600e3) - hours + 1) * 3600e6;
  // Shares per dimension value (thousandths); destination has one value.
  const dims = [[0, [['US', 400], ['DE', 200], ['GB', 150], ['FR', 100], ['IN', 80], ['BR', 40], ['JP', 20], ['CA', 10]]],
                [1, [['mobile', 600], ['desktop', 350], ['tablet', 50]]],
                [2, [['ios', 350], ['android', 250], ['windows', 250], ['macos', 150]]],
                [3, [['safari', 350], ['chrome', 450], ['firefox', 120], ['edge', 80]]],
                [4, [['t.co', 300], ['google.com', 300], ['facebook.com', 200], ['news.example.org', 200]]],
                [5, [['en', 600], ['de', 200], ['fr', 120], ['es', 80]]],
                [6, [[dest, 1000]]]];
  const dv = dims.flatMap(([d, vals]) => vals.map(([v, s]) => `(${d}, '${v.replace(/'/g, "''")}', ${s})`)).join(', ');
  // Eight combinations per hour, 1/8 of the hour each.
  const combos = [['US', 'mobile', 'ios', 'safari', 't.co', 'en'], ['US', 'desktop', 'windows', 'chrome', 'google.com', 'en'],
                  ['DE', 'mobile', 'android', 'chrome', 'facebook.com', 'de'], ['GB', 'desktop', 'macos', 'safari', 'google.com', 'en'],
                  ['FR', 'mobile', 'ios', 'safari', 'news.example.org', 'fr'], ['IN', 'mobile', 'android', 'chrome', 't.co', 'en'],
                  ['BR', 'tablet', 'android', 'firefox', '', 'es'], ['JP', 'desktop', 'windows', 'edge', '', 'en']]
      .map((c) => `(${c.map((v) => `'${v}'`).join(', ')})`).join(', ');
  const bots = Math.floor(perHour / 20);
  const human = perHour - bots;
  const uniq = Math.floor(human * 0.7);
  return `PRAGMA synchronous = OFF; BEGIN;
WITH RECURSIVE h(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM h WHERE i < ${hours - 1})
INSERT INTO rollups (link_id, granularity, bucket_start_us, total, unique_count, head, bots, conversions, value_micros)
  SELECT ${linkId}, 3600, ${first} + i * 3600000000, ${human}, ${uniq}, 0, ${bots}, 0, 0 FROM h;
INSERT INTO rollups (link_id, granularity, bucket_start_us, total, unique_count, head, bots, conversions, value_micros)
  SELECT link_id, 86400, bucket_start_us / 86400000000 * 86400000000, SUM(total), SUM(unique_count), 0, SUM(bots), 0, 0
  FROM rollups WHERE link_id = ${linkId} AND granularity = 3600 GROUP BY 3;
INSERT INTO account_rollups (account_id, granularity, bucket_start_us, total, unique_count, bots, head, conversions, value_micros)
  SELECT 1, granularity, bucket_start_us, total, unique_count, bots, 0, 0, 0 FROM rollups WHERE link_id = ${linkId};
WITH dv(dim, value, share) AS (VALUES ${dv})
INSERT INTO dim_rollups (link_id, dim, bucket_start_us, value, total, unique_count, bots, conversions, value_micros)
  SELECT ${linkId}, dv.dim, r.bucket_start_us, dv.value, r.total * dv.share / 1000, r.unique_count * dv.share / 1000,
         r.bots * dv.share / 1000, 0, 0
  FROM rollups r, dv WHERE r.link_id = ${linkId} AND r.granularity = 3600;
INSERT INTO account_dim_rollups
  SELECT 1, dim, 3600, bucket_start_us, value, total, unique_count, bots, 0, 0 FROM dim_rollups WHERE link_id = ${linkId};
INSERT INTO account_dim_rollups
  SELECT 1, dim, 86400, bucket_start_us / 86400000000 * 86400000000, value, SUM(total), SUM(unique_count), SUM(bots), 0, 0
  FROM dim_rollups WHERE link_id = ${linkId} GROUP BY 2, 4, 5;
WITH c(country, device, os, browser, referrer, language) AS (VALUES ${combos})
INSERT INTO combo_rollups
  SELECT r.bucket_start_us, ${linkId}, c.country, c.device, c.os, c.browser, c.referrer, c.language, '${dest}',
         r.total / 8, r.unique_count / 8, r.bots / 8, 0, 0
  FROM rollups r, c WHERE r.link_id = ${linkId} AND r.granularity = 3600;
COMMIT;`;
}

const key = cli(['account', 'create', 'bench', '--data', data]);
let s = await serve();
const made = await fetch(`${s.base}/api/v1/links`, {method: 'POST', headers: {Authorization: `Bearer ${key}`, 'Content-Type': 'application/json'},
                                                   body: JSON.stringify({destination: 'https://example.com/big', slug: 'big', title: 'Big campaign'})});
const link = await made.json();
await stop(s);
const fillStart = Date.now();
const r = spawnSync('sqlite3', [path.join(data, 'clicktrail.db')], {input: fillSql(link.id, link.destination), encoding: 'utf8'});
if (r.status !== 0) throw new Error(`sqlite3: ${r.stderr}`);
console.error(`ui_report_load: filled in ${((Date.now() - fillStart) / 1000).toFixed(1)} s`);
cli(['user', 'create', 'bench@example.com', '--account', '1', '--role', 'owner', '--data', data], 'bench-password-1\n');
s = await serve();
const browser = await chromium.launch({executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync']});
try {
  const page = await browser.newPage({viewport: {width: 1280, height: 900}});
  const stats = await (await fetch(`${s.base}/api/v1/links/${link.id}/stats?from=${new Date(Date.now() - days * 86400e3).toISOString()}&interval=day`,
                                   {headers: {Authorization: `Bearer ${key}`}})).json();
  console.log(`ui_report_load: link ${link.id} has ${(stats.total + stats.bots).toLocaleString('en-US')} clicks over ${days} days`);
  await page.goto(`${s.base}/ui/#/login`);
  await page.fill('input[name=email]', 'bench@example.com');
  await page.fill('input[name=password]', 'bench-password-1');
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#links-table p', {timeout: 60_000});
  for (const [view, q] of [['7 days by hour', 'range=7d&interval=hour'], ['90 days by day', 'range=90d&interval=day'],
                           ['90 days by hour', 'range=90d&interval=hour&compare=1']]) {
    const chart = [];
    const table = [];
    for (let i = 0; i < runs; i++) {
      await page.goto('about:blank');
      await page.goto(`${s.base}/ui/#/links/${link.id}?${q}`);
      await page.waitForSelector('#breakdown-panel table', {timeout: 60_000});
      chart.push(await page.evaluate(() => performance.getEntriesByName('ct-chart-rendered')[0].startTime));
      table.push(await page.evaluate(() => performance.getEntriesByName('ct-breakdown-rendered')[0].startTime));
    }
    const med = (a) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
    console.log(`ui_report_load: ${view}: chart rendered median ${med(chart).toFixed(0)} ms (max ${Math.max(...chart).toFixed(0)}), ` +
                `first breakdown table ${med(table).toFixed(0)} ms (n=${runs})`);
  }
} finally {
  await browser.close();
  await stop(s);
  fs.rmSync(tmp, {recursive: true, force: true});
}
