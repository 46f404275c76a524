// Links: the account's links with click counts (last 30 days, GET /links/counts: every link with
// clicks, from the rollups), searched, filtered and sorted in the page; tag/group/domain filters
// go to the API so export uses the same selection. Bulk import (CSV upload) and export (CSV download).
import {api, apiUrl, listAll} from '../api.js';
import {button, clear, field, fmtNum, fmtTime, h, input, message, select, table, td, toast} from '../dom.js';
import {canEdit} from '../session.js';

const kMaxLinks = 20000;  // a page shows at most this many; the filters narrow the rest
const kCountDays = 30;

const columns = [
  ['title', 'Title'], ['short_url', 'Short URL'], ['destination', 'Destination'], ['tags', 'Tags'],
  ['group', 'Group'], ['clicks', `Clicks (${kCountDays} d)`], ['unique', 'Unique'], ['created_at', 'Created'],
];

export async function render(root, _params, query, stale) {
  const state = {
    q: query.get('q') || '', tag: query.get('tag') || '', group: query.get('group') || '',
    domain: query.get('domain') ?? '', from: query.get('created_from') || '', to: query.get('created_to') || '',
    sort: query.get('sort') || 'created_at', dir: query.get('dir') || 'desc',
  };
  const header = h('div', {class: 'page-head'}, h('h1', {text: 'Links'}),
                   canEdit() ? h('a', {class: 'button', href: '#/links/new', id: 'new-link', text: 'New link'}) : null);
  const status = h('div', {'aria-live': 'polite'});
  const listEl = h('div', {id: 'links-table'});
  root.append(header, status);

  const domains = await api('GET', '/domains').then((r) => r.domains).catch(() => []);
  const search = input({type: 'search', value: state.q, name: 'q', placeholder: 'title, slug, URL'});
  const tag = input({value: state.tag, name: 'tag'});
  const group = input({value: state.group, name: 'group'});
  const domain = select([['', 'Default domain'], ['*', 'All domains'], ...domains.map((d) => [d.host, d.host])],
                        state.domain === '' && !query.has('domain') ? '*' : state.domain, {name: 'domain'});
  const from = input({type: 'date', value: state.from, name: 'created_from'});
  const to = input({type: 'date', value: state.to, name: 'created_to'});
  const filters = h('form', {class: 'filters', role: 'search'},
                    field('Search', search), field('Tag', tag), field('Group', group), field('Domain', domain),
                    field('Created from', from), field('Created to', to),
                    h('button', {type: 'submit', text: 'Apply'}));
  const serverQuery = () => ({tag: tag.value.trim(), group: group.value.trim(),
                              domain: domain.value === '*' ? undefined : domain.value});
  const exportLink = h('a', {class: 'button secondary', id: 'export-csv', download: 'links.csv', text: 'Export CSV'});
  const tools = h('div', {class: 'toolbar'}, exportLink, canEdit() ? importControl(status, () => load()) : null);
  root.append(filters, tools, listEl);

  let links = [];
  let counts = new Map();
  let more = false;

  function syncHash() {
    const p = new URLSearchParams();
    if (search.value) p.set('q', search.value);
    for (const [k, el] of [['tag', tag], ['group', group], ['created_from', from], ['created_to', to]]) {
      if (el.value) p.set(k, el.value);
    }
    if (domain.value !== '*') p.set('domain', domain.value);
    if (state.sort !== 'created_at' || state.dir !== 'desc') {
      p.set('sort', state.sort);
      p.set('dir', state.dir);
    }
    const s = p.toString();
    history.replaceState(null, '', `#/links${s ? `?${s}` : ''}`);
  }

  async function load() {
    clear(status);
    const sq = serverQuery();
    const exportQuery = Object.assign({}, sq);
    // The export endpoint reads domain= alone as "default domain"; "all" is no domain param.
    exportLink.href = apiUrl('/links/export', exportQuery);
    const now = new Date();
    const statsFrom = new Date(now.getTime() - kCountDays * 86400e3);
    const [list, stats] = await Promise.all([
      listAll('/links', 'links', sq, kMaxLinks),
      api('GET', '/links/counts', undefined, {query: {from: statsFrom.toISOString(), to: now.toISOString()}})
          .catch(() => null),
    ]);
    if (stale()) return;
    links = list.items;
    more = list.more;
    counts = new Map((stats && stats.counts ? stats.counts : []).map((t) => [t.id, t]));
    draw();
  }

  function visible() {
    const q = search.value.trim().toLowerCase();
    const fromT = from.value ? new Date(`${from.value}T00:00:00`).getTime() : -Infinity;
    const toT = to.value ? new Date(`${to.value}T00:00:00`).getTime() + 86400e3 : Infinity;
    const rows = links.filter((l) => {
      const t = new Date(l.created_at).getTime();
      if (t < fromT || t >= toT) return false;
      if (!q) return true;
      return [l.title, l.slug, l.short_url, l.destination, l.group, ...(l.tags || [])]
          .some((s) => (s || '').toLowerCase().includes(q));
    });
    const key = (l) => {
      const c = counts.get(l.id);
      if (state.sort === 'clicks') return c ? c.total : 0;
      if (state.sort === 'unique') return c ? c.unique : 0;
      if (state.sort === 'tags') return (l.tags || []).join(',').toLowerCase();
      const v = l[state.sort];
      return typeof v === 'string' ? v.toLowerCase() : v ?? '';
    };
    const sign = state.dir === 'asc' ? 1 : -1;
    rows.sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      return (ka < kb ? -1 : ka > kb ? 1 : a.id - b.id) * sign;
    });
    return rows;
  }

  function sortHeader(key, label) {
    const active = state.sort === key;
    const b = button(label + (active ? (state.dir === 'asc' ? ' ▲' : ' ▼') : ''), () => {
      if (state.sort === key) {
        state.dir = state.dir === 'asc' ? 'desc' : 'asc';
      } else {
        state.sort = key;
        state.dir = key === 'clicks' || key === 'unique' || key === 'created_at' ? 'desc' : 'asc';
      }
      syncHash();
      draw();
      listEl.querySelector(`[data-sort="${key}"]`)?.focus();
    }, {class: 'sort', dataset: {sort: key}});
    return b;
  }

  function draw() {
    const rows = visible();
    const head = columns.map(([k, label]) => [sortHeader(k, label), k === 'clicks' || k === 'unique' ? 'num' : undefined]);
    head.push('');
    const t = table(head, rows, (l) => {
      const c = counts.get(l.id);
      return h('tr', {dataset: {linkId: l.id}},
               h('td', {}, h('a', {href: `#/links/${l.id}`, class: 'title', text: l.title || l.slug})),
               td(l.short_url, 'mono'),
               h('td', {class: 'url'}, h('span', {text: l.destination, title: l.destination})),
               h('td', {}, (l.tags || []).map((tg) => h('span', {class: 'tag', text: tg}))),
               td(l.group),
               td(fmtNum(c ? c.total : 0), 'num'),
               td(fmtNum(c ? c.unique : 0), 'num'),
               td(fmtTime(l.created_at)),
               h('td', {class: 'actions'},
                 h('a', {href: `#/links/${l.id}`, text: 'Report'}),
                 canEdit() ? h('a', {href: `#/links/${l.id}/edit`, text: 'Edit'}) : null));
    });
    const th = t.querySelectorAll('th');
    columns.forEach(([k], i) => {
      th[i].setAttribute('aria-sort', state.sort === k ? (state.dir === 'asc' ? 'ascending' : 'descending') : 'none');
    });
    clear(listEl).append(
        h('p', {class: 'muted', text: `${rows.length} of ${links.length} links${more ? ` (first ${links.length} loaded; narrow the filters)` : ''}`}),
        rows.length ? t : h('p', {text: 'No links match.'}));
  }

  filters.addEventListener('submit', (e) => {
    e.preventDefault();
    syncHash();
    load().catch((err) => status.append(message(err.message)));
  });
  search.addEventListener('input', () => draw());
  await load();
}

function importControl(status, reload) {
  const file = input({type: 'file', accept: '.csv,text/csv', id: 'import-file'});
  const go = button('Import CSV', async () => {
    clear(status);
    if (!file.files.length) {
      status.append(message('Choose a CSV file first (columns: destination, slug, domain, title, tags, group).'));
      return;
    }
    try {
      const text = await file.files[0].text();
      const r = await api('POST', '/links/import', text, {contentType: 'text/csv'});
      status.append(message(`Imported ${r.created} links.`, 'ok'));
      toast(`Imported ${r.created} links`);
      file.value = '';
      await reload();
    } catch (err) {
      status.append(message(`Import failed (nothing was imported): ${err.message}`));
    }
  }, {id: 'import-go', class: 'secondary'});
  return h('div', {class: 'import'}, field('Import links from CSV', file), go);
}
