// The marketer's path through the dashboard: sign in, create a link in the form, click it from
// the test (a plain HTTP GET on the short URL), see the click arrive on the live page and in the
// report's chart, export CSV and check its rows, and screenshot every main page. Also measures
// the link report's load time (navigation start to chart rendered) and prints it.
import {assert, click, pageFetch, parseCsv, signIn, waitFor} from './ui_helpers.mjs';

export const timeoutMs = 240_000;

export async function run(ctx) {
  const {page, baseUrl} = ctx;
  const owner = ctx.createUser('owner@example.com', 'owner');
  await signIn(page, baseUrl, owner.email, owner.password);

  // Create a link through the form.
  await page.click('#new-link');
  await page.waitForSelector('#link-form');
  await page.fill('input[name=destination]', 'https://example.com/spring-sale');
  await page.fill('input[name=title]', 'Spring sale');
  await page.fill('input[name=slug]', 'spring-ui');
  await page.fill('input[name=tags]', 'email, spring');
  await page.fill('input[name=group]', 'campaign-2026');
  await page.fill('input[name=utm_source]', 'newsletter');
  await page.click('#link-form button[type=submit]');
  await page.waitForSelector('#chart[data-rendered]', {timeout: 20000});
  const linkId = Number(page.url().match(/#\/links\/(\d+)/)[1]);
  assert(linkId > 0, `no link id in ${page.url()}`);
  const shortUrl = `${baseUrl}/spring-ui`;
  assert((await page.textContent('main h1')) === 'Spring sale', 'the report is titled after the link');

  // The live page: open the stream, then click the link from the test.
  await page.goto(`${baseUrl}/ui/#/live`);
  await page.waitForSelector('#live-state.green', {timeout: 20000});
  const status = await click(shortUrl);
  assert(status === 302, `short URL answered ${status}, not 302`);
  const row = await page.waitForSelector(`#live-list li[data-link-id="${linkId}"]`, {timeout: 20000});
  const rowText = await row.textContent();
  assert(rowText.includes('/spring-ui'), `live row names the link: ${rowText}`);
  assert((await page.getAttribute('#live-list', 'aria-live')) === 'polite', 'the live list is announced');
  await click(shortUrl);
  await waitFor('a second live row', async () => (await page.$$('#live-list li')).length >= 2);
  await ctx.screenshot('live');

  // The report: the click is in the chart (the series the chart drew sums to the clicks).
  const reportUrl = `${baseUrl}/ui/#/links/${linkId}?range=1h&interval=minute`;
  await waitFor('both clicks in the chart', async () => {
    await page.goto('about:blank');
    await page.goto(reportUrl);
    await page.waitForSelector('#chart[data-rendered]', {timeout: 20000});
    return Number(await page.getAttribute('#chart', 'data-total')) === 2;
  }, 30000, 500);
  assert((await page.$$('#chart canvas')).length > 0, 'uPlot drew a canvas');
  const totals = await page.textContent('#totals');
  assert(totals.includes('Clicks') && totals.includes('2'), `totals show the clicks: ${totals}`);
  await page.waitForSelector('#breakdown-panel table', {timeout: 20000});
  const countryTable = await page.textContent('#breakdown-panel');
  assert(countryTable.includes('2'), `the country breakdown counts the clicks: ${countryTable}`);
  await page.click('#tab-language');
  await waitFor('the language breakdown', async () => (await page.textContent('#breakdown-panel')).includes('de'));
  // Drill down: the language row becomes a filter of the whole report (chart and tables).
  await page.click('#breakdown-panel a:text-is("de")');
  await page.waitForSelector('#filters >> text=language = de');
  await page.waitForSelector('#chart[data-rendered]');
  assert(Number(await page.getAttribute('#chart', 'data-total')) === 2, 'the filtered chart keeps the clicks in German');
  assert(page.url().includes('language=de') && page.url().includes('interval=hour'), `drill-down URL: ${page.url()}`);
  await ctx.screenshot('link-report');

  // CSV of the report's view: the series (t,total,unique,bots...) sums to the clicks.
  const seriesHref = await page.getAttribute('#csv-series', 'href');
  const series = await pageFetch(page, seriesHref);
  assert(series.status === 200, `series CSV answered ${series.status}: ${series.text.slice(0, 200)}`);
  const srows = parseCsv(series.text.trim());
  assert(srows[0][0] === 't' && srows[0][1] === 'total', `series CSV header: ${srows[0]}`);
  const sum = srows.slice(1).reduce((a, r) => a + Number(r[1]), 0);
  assert(sum === 2, `series CSV totals ${sum}, not 2`);

  // Links page: the table counts the clicks; its export CSV has the link's row.
  await page.goto(`${baseUrl}/ui/#/links`);
  const linkRow = await page.waitForSelector(`tr[data-link-id="${linkId}"]`, {timeout: 20000});
  const cells = await linkRow.$$eval('td', (tds) => tds.map((td) => td.textContent));
  assert(cells[0] === 'Spring sale' && cells[5] === '2', `links row: ${cells}`);
  const exportHref = await page.getAttribute('#export-csv', 'href');
  const exp = await pageFetch(page, exportHref);
  assert(exp.status === 200 && exp.type.startsWith('text/csv'), `export answered ${exp.status} ${exp.type}`);
  const rows = parseCsv(exp.text.trim());
  assert(rows[0].join(',') === 'id,short_url,domain,slug,destination,title,tags,group,created_at',
         `export header: ${rows[0]}`);
  const mine = rows.find((r) => r[0] === String(linkId));
  assert(mine && mine[3] === 'spring-ui' && mine[4] === 'https://example.com/spring-sale' && mine[5] === 'Spring sale' &&
         mine[6] === 'email|spring' && mine[7] === 'campaign-2026', `export row: ${mine}`);
  // Search narrows the table in the page.
  await page.fill('input[name=q]', 'no-such-link-anywhere');
  await page.waitForSelector('#links-table >> text=No links match.');
  await page.fill('input[name=q]', 'spring');
  await page.waitForSelector(`tr[data-link-id="${linkId}"]`);
  await ctx.screenshot('links');

  for (const [route, sel, name] of [['conversions', '#deliveries', 'conversions'], ['status', '#stages table', 'status'],
                                    ['settings', '#api-keys table', 'settings']]) {
    await page.goto(`${baseUrl}/ui/#/${route}`);
    await page.waitForSelector(sel, {timeout: 20000});
    await ctx.screenshot(name);
  }

  // Narrow screen: the report still lays out (no horizontal scroll of the page at 375 px).
  await page.setViewportSize({width: 375, height: 800});
  await page.goto('about:blank');
  await page.goto(reportUrl);
  await page.waitForSelector('#chart[data-rendered]', {timeout: 20000});
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert(overflow <= 0, `the report is ${overflow} px wider than a 375 px screen`);
  await ctx.screenshot('link-report-375px');
  await page.setViewportSize({width: 1280, height: 900});

  // Load time of the link report: navigation start to chart rendered, fresh page load, 5 runs.
  const times = [];
  for (let i = 0; i < 5; i++) {
    await page.goto('about:blank');
    await page.goto(reportUrl);
    await page.waitForSelector('#chart[data-rendered]', {timeout: 20000});
    times.push(await page.evaluate(() => performance.getEntriesByName('ct-chart-rendered')[0].startTime));
  }
  times.sort((a, b) => a - b);
  console.log(`link report load (navigation start to chart rendered, headless Chromium, 5 loads): ` +
              `median ${times[2].toFixed(0)} ms, min ${times[0].toFixed(0)} ms, max ${times[4].toFixed(0)} ms`);
}
