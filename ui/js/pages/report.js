// Link report: one stats call draws the chart and the totals; each breakdown table is a second
// call made after the chart is up (lazily, per tab), so tables never hold the chart back.
import {api, apiUrl} from '../api.js';
import {button, clear, copyText, field, fmtNum, fmtTime, h, input, message, select, table, td} from '../dom.js';
import {drawSeries} from '../chart.js';
import {canEdit} from '../session.js';
import {qrSection} from './link_form.js';

const kPresets = [['1h', 'Last 60 minutes', 3600e3, 'minute'], ['24h', 'Last 24 hours', 86400e3, 'hour'],
                  ['7d', 'Last 7 days', 7 * 86400e3, 'hour'], ['30d', 'Last 30 days', 30 * 86400e3, 'day'],
                  ['90d', 'Last 90 days', 90 * 86400e3, 'day'], ['custom', 'Custom range', 0, '']];
// Filters a report can carry (the stats API's filter parameters), set by clicking a breakdown row.
const kFilters = ['country', 'device', 'os', 'browser', 'referrer', 'language', 'destination', 'bot'];
const kDimensions = [['country', 'Country'], ['device', 'Device'], ['os', 'OS'], ['browser', 'Browser'],
                     ['referrer', 'Referrer'], ['language', 'Language'], ['destination', 'Destination'], ['bot', 'Bots']];

function pct(r) {
  if (r === null || r === undefined) return 'n/a';
  const v = (r - 1) * 100;
  return `${v >= 0 ? '+' : ''}${v.toFixed(1)} %`;
}

function toLocalInput(ms) {
  const d = new Date(ms);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export async function render(root, [id], query, stale) {
  performance.mark('ct-report-start');
  const tz = query.get('tz') || Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  const presetKey = query.get('range') || (query.get('from') ? 'custom' : '7d');
  const preset = kPresets.find((p) => p[0] === presetKey) || kPresets[2];
  const now = Date.now();
  const toMs = query.get('to') ? Date.parse(query.get('to')) : now;
  const fromMs = query.get('from') ? Date.parse(query.get('from')) : toMs - (preset[2] || 7 * 86400e3);
  const interval = query.get('interval') || preset[3] || 'hour';
  const compare = query.get('compare') === '1';
  const q = {from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), interval, tz};
  const filters = {};
  for (const f of kFilters) {
    if (query.has(f)) filters[f] = query.get(f);
  }
  // Filters go to the API as given; an empty value selects "unknown" (for referrer: direct).
  const withFilters = (o) => {
    const out = Object.assign({}, o);
    for (const [k, v] of Object.entries(filters)) out[k] = v;
    return out;
  };

  const head = h('div', {class: 'page-head'});
  const chartBox = h('div', {class: 'chart', id: 'chart', role: 'img', 'aria-label': 'Clicks over time'});
  const cards = h('div', {class: 'cards', id: 'totals'});
  const status = h('div', {'aria-live': 'polite'});
  const csvSeries = h('a', {class: 'button secondary', id: 'csv-series', download: `link-${id}-series.csv`,
                            href: apiUrl(`/links/${id}/stats`, withFilters(Object.assign({format: 'csv'}, q))), text: 'Series CSV'});
  // Not append(null): the DOM would print "null" where no filter chips are.
  root.append(...[head, rangeForm(id, presetKey, fromMs, toMs, interval, tz, compare, filters), filterChips(query, filters), status,
                  cards, h('section', {class: 'card'}, h('h2', {text: 'Clicks over time'}), chartBox,
                           h('div', {class: 'toolbar'}, csvSeries))].filter(Boolean));

  // The link and its series in parallel: the two calls the chart needs.
  const statsQuery = withFilters(Object.assign({}, q, compare ? {compare: 'previous'} : {}));
  const [link, report] = await Promise.all([
    api('GET', `/links/${id}`),
    api('GET', `/links/${id}/stats`, undefined, {query: statsQuery}).catch(async (e) => {
      if (!compare || e.status !== 400) throw e;
      status.append(message('This server cannot compare periods yet; showing this period only.', 'ok'));
      return api('GET', `/links/${id}/stats`, undefined, {query: withFilters(q)});
    }),
  ]);
  if (stale()) return undefined;
  head.append(h('h1', {text: link.title || link.slug}),
              h('p', {class: 'sub'}, h('span', {class: 'mono', text: link.short_url}),
                button('Copy', () => copyText(link.short_url), {class: 'link-button', 'aria-label': 'Copy short URL'}),
                ' → ', h('span', {class: 'url', text: link.destination})),
              h('p', {}, (link.tags || []).map((t) => h('span', {class: 'tag', text: t})),
                link.group ? h('span', {class: 'muted', text: ` group: ${link.group}`}) : null),
              h('div', {class: 'toolbar'},
                canEdit() ? h('a', {class: 'button', href: `#/links/${id}/edit`, id: 'edit-link', text: 'Edit'}) : null,
                h('a', {class: 'button secondary', href: `#/live?link_id=${id}`, text: 'Live clicks'})));

  const destroyChart = drawSeries(chartBox, report);
  performance.mark('ct-chart-rendered');
  renderCards(cards, report);
  if (report.incomplete && report.lagging_stage) {
    status.append(message(`Data after ${fmtTime(report.complete_until)} may still grow: the ${report.lagging_stage} ` +
                          'stage is lagging.', 'ok'));
  }
  root.append(breakdowns(id, withFilters(q), query), qrSection(link));
  return () => destroyChart && destroyChart();
}

function renderCards(cards, r) {
  const card = (label, value, extra) => h('div', {class: 'stat'}, h('div', {class: 'stat-label', text: label}),
                                         h('div', {class: 'stat-value', text: value}),
                                         extra ? h('div', {class: 'stat-extra', text: extra}) : null);
  const change = r.change || {};
  cards.append(card('Clicks', fmtNum(r.total), r.previous ? `${pct(change.total)} vs previous (${fmtNum(r.previous.total)})` : null),
               card('Unique', fmtNum(r.unique), r.previous ? `${pct(change.unique)} vs previous (${fmtNum(r.previous.unique)})` : null),
               card('Bots', fmtNum(r.bots)), card('HEAD requests', fmtNum(r.head)));
  if (r.conversions) {
    cards.append(card('Conversions', fmtNum(r.conversions),
                      r.conversion_rate !== undefined ? `${(r.conversion_rate * 100).toFixed(2)} % of clicks` : null),
                 card('Revenue', r.value ?? '0', r.epc !== undefined ? `EPC ${r.epc}` : null));
  }
}

function rangeForm(id, presetKey, fromMs, toMs, interval, tz, compare, filters) {
  const preset = select(kPresets.map((p) => [p[0], p[1]]), presetKey, {name: 'range'});
  const from = input({type: 'datetime-local', name: 'from', value: toLocalInput(fromMs)});
  const to = input({type: 'datetime-local', name: 'to', value: toLocalInput(toMs)});
  const iv = select([['minute', 'Minute'], ['hour', 'Hour'], ['day', 'Day']], interval, {name: 'interval'});
  const tzIn = input({name: 'tz', value: tz});
  const cmp = input({type: 'checkbox', name: 'compare', checked: compare});
  const custom = h('div', {class: 'custom-range'}, field('From', from), field('To', to));
  const sync = () => { custom.hidden = preset.value !== 'custom'; };
  preset.addEventListener('change', () => {
    const p = kPresets.find((x) => x[0] === preset.value);
    if (p && p[3]) iv.value = p[3];
    sync();
  });
  sync();
  const form = h('form', {class: 'filters', id: 'range-form'}, field('Range', preset), custom, field('Interval', iv),
                 field('Time zone', tzIn), field('Compare to the previous period', cmp),
                 h('button', {type: 'submit', text: 'Show'}));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const p = new URLSearchParams();
    if (preset.value === 'custom') {
      if (from.value) p.set('from', new Date(from.value).toISOString());
      if (to.value) p.set('to', new Date(to.value).toISOString());
    } else {
      p.set('range', preset.value);
    }
    p.set('interval', iv.value === 'minute' && Object.keys(filters).length ? 'hour' : iv.value);
    if (tzIn.value.trim()) p.set('tz', tzIn.value.trim());
    if (cmp.checked) p.set('compare', '1');
    for (const [k, v] of Object.entries(filters)) p.set(k, v);  // the drill-down stays
    location.hash = `#/links/${id}?${p}`;
  });
  return form;
}

// The active filters as chips; removing one reloads the report without it.
function filterChips(query, filters) {
  const entries = Object.entries(filters);
  if (!entries.length) return null;
  return h('div', {class: 'chips', id: 'filters', 'aria-label': 'Filters'}, h('span', {class: 'muted', text: 'Only clicks with '}),
           entries.map(([k, v]) => {
             const label = `${k} = ${v === '' ? '(unknown)' : v}`;
             return h('span', {class: 'chip'}, label, button('×', () => {
               const p = new URLSearchParams(query);
               p.delete(k);
               location.hash = `${location.hash.split('?')[0]}?${p}`;
             }, {class: 'link-button', 'aria-label': `Remove filter ${label}`}));
           }));
}

function drillHref(query, dim, value) {
  const p = new URLSearchParams(query);
  p.set(dim, dim === 'bot' ? String(value === 'bot') : value);
  // Filtered reports read hourly rollups: the API has no filtered minute series.
  if ((p.get('interval') || 'hour') === 'minute') p.set('interval', 'hour');
  return `${location.hash.split('?')[0]}?${p}`;
}

function breakdowns(id, q, query) {
  const panel = h('div', {class: 'breakdown', id: 'breakdown-panel', role: 'tabpanel', 'aria-live': 'polite'});
  const tabs = h('div', {class: 'tabs', role: 'tablist', 'aria-label': 'Breakdowns'});
  const buttons = kDimensions.map(([dim, label]) => h('button', {type: 'button', role: 'tab', text: label,
                                                                 id: `tab-${dim}`, dataset: {dim}}));
  let seq = 0;
  async function show(dim) {
    const mine = ++seq;
    for (const b of buttons) {
      const on = b.dataset.dim === dim;
      b.setAttribute('aria-selected', String(on));
      b.tabIndex = on ? 0 : -1;
    }
    panel.setAttribute('aria-labelledby', `tab-${dim}`);
    clear(panel).append(h('p', {class: 'muted', text: 'Loading…'}));
    const bq = Object.assign({}, q, {group_by: dim, limit: 50});
    try {
      const r = await api('GET', `/links/${id}/stats`, undefined, {query: bq});
      if (mine !== seq) return;
      if (!performance.getEntriesByName('ct-breakdown-rendered').length) performance.mark('ct-breakdown-rendered');
      clear(panel).append(breakdownTable(dim, r.breakdown || [], query),
                          h('a', {class: 'button secondary', href: apiUrl(`/links/${id}/stats`, Object.assign({format: 'csv'}, bq)),
                                  download: `link-${id}-${dim}.csv`, id: 'csv-breakdown', text: `${dim} CSV`}));
    } catch (e) {
      if (mine === seq) clear(panel).append(message(e.message));
    }
  }
  for (const b of buttons) b.addEventListener('click', () => show(b.dataset.dim));
  tabs.addEventListener('keydown', (e) => {
    const i = buttons.indexOf(document.activeElement);
    if (i < 0 || (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft')) return;
    const next = buttons[(i + (e.key === 'ArrowRight' ? 1 : buttons.length - 1)) % buttons.length];
    next.focus();
    show(next.dataset.dim);
  });
  tabs.append(...buttons);
  // After the chart: the first table loads without delaying it.
  setTimeout(() => show('country'), 0);
  return h('section', {class: 'card'}, h('h2', {text: 'Breakdowns'}), tabs, panel);
}

function breakdownTable(dim, rows, query) {
  if (!rows.length) return h('p', {text: 'No clicks in this range.'});
  const max = Math.max(1, ...rows.map((r) => r.total + r.bots));
  const hasConv = rows.some((r) => r.conversions);
  const headers = ['Value', ['Clicks', 'num'], ['Unique', 'num'], ['Bots', 'num'], ''];
  if (hasConv) headers.splice(4, 0, ['Conversions', 'num'], ['Revenue', 'num']);
  return table(headers, rows, (r) => {
    const bar = h('span', {class: 'bar'});
    bar.style.width = `${((r.total + r.bots) / max) * 100}%`;  // CSSOM, allowed by the CSP
    const label = r.value === '' ? (dim === 'referrer' ? '(direct)' : '(unknown)') : r.value;
    const cell = h('td', {class: dim === 'destination' || dim === 'referrer' ? 'url' : ''},
                   h('a', {href: drillHref(query, dim, r.value), title: `Only clicks with ${dim} ${label}`, text: label}));
    return h('tr', {}, cell, td(fmtNum(r.total), 'num'),
             td(fmtNum(r.unique), 'num'), td(fmtNum(r.bots), 'num'),
             hasConv ? td(fmtNum(r.conversions), 'num') : null, hasConv ? td(r.conversion_value, 'num') : null,
             h('td', {class: 'bar-cell', 'aria-hidden': 'true'}, bar));
  }, `Clicks by ${dim}`);
}
