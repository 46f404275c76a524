// Live clicks: an EventSource on /api/v1/live (the session cookie goes with it), newest first,
// capped so a busy account cannot grow the page without bound.
import {apiUrl} from '../api.js';
import {button, clear, field, fmtTime, h, input} from '../dom.js';

const kMaxRows = 200;

export async function render(root, _params, query) {
  const linkId = query.get('link_id') || '';
  const state = h('span', {class: 'badge', id: 'live-state', text: 'connecting'});
  const count = h('span', {class: 'muted', id: 'live-count', text: '0 hits'});
  const list = h('ol', {class: 'live-list', id: 'live-list', 'aria-live': 'polite', 'aria-relevant': 'additions',
                        'aria-label': 'Hits, newest first'});
  const linkFilter = input({type: 'number', min: 1, name: 'link_id', value: linkId, placeholder: 'all links'});
  const filter = h('form', {class: 'filters narrow-filters'}, field('Only link id', linkFilter), h('button', {type: 'submit', text: 'Follow'}));
  filter.addEventListener('submit', (e) => {
    e.preventDefault();
    location.hash = linkFilter.value ? `#/live?link_id=${encodeURIComponent(linkFilter.value)}` : '#/live';
  });
  let paused = false;
  const pause = button('Pause', () => {
    paused = !paused;
    pause.textContent = paused ? 'Resume' : 'Pause';
    pause.setAttribute('aria-pressed', String(paused));
  }, {class: 'secondary', 'aria-pressed': 'false'});
  root.append(h('div', {class: 'page-head'}, h('h1', {text: 'Live clicks'}), state),
              h('p', {class: 'muted', text: 'Hits appear here as they are committed. '}, count),
              filter, h('div', {class: 'toolbar'}, pause, button('Clear', () => clear(list), {class: 'secondary'})), list);

  let seen = 0;
  const es = new EventSource(apiUrl('/live', linkId ? {link_id: linkId} : {}));
  es.addEventListener('open', () => { state.textContent = 'live'; state.className = 'badge green'; });
  es.addEventListener('error', () => {
    // EventSource reconnects by itself (with Last-Event-ID), so this is usually transient.
    state.textContent = es.readyState === EventSource.CLOSED ? 'disconnected' : 'reconnecting';
    state.className = 'badge amber';
  });
  es.addEventListener('hit', (ev) => {
    if (paused) return;
    let hit;
    try {
      hit = JSON.parse(ev.data);
    } catch {
      return;
    }
    seen += 1;
    count.textContent = `${seen} hit${seen === 1 ? '' : 's'}`;
    list.prepend(hitRow(hit));
    while (list.children.length > kMaxRows) list.lastElementChild.remove();
  });
  return () => es.close();
}

function hitRow(hit) {
  const flags = [];
  if (hit.kind === 'head') flags.push('HEAD');
  if (hit.bot) flags.push('bot');
  if (hit.unique) flags.push('unique');
  const where = [hit.country, hit.device, hit.os, hit.browser, hit.language].filter(Boolean).join(' · ');
  return h('li', {class: 'hit', dataset: {clickId: hit.click_id || '', linkId: hit.link_id ?? ''}},
           h('time', {datetime: hit.time, text: fmtTime(hit.time)}),
           h('a', {href: `#/links/${hit.link_id}`, class: 'mono', text: hit.short_url || hit.slug || `link ${hit.link_id}`}),
           flags.map((f) => h('span', {class: `tag ${f === 'bot' ? 'amber' : ''}`, text: f})),
           h('span', {class: 'muted', text: where || 'unknown'}),
           hit.referrer_domain ? h('span', {class: 'muted', text: `from ${hit.referrer_domain}`}) : null,
           hit.destination ? h('span', {class: 'url', text: `→ ${hit.destination}`}) : null);
}
