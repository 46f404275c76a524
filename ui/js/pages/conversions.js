// Conversions: goals (create, delete), postbacks (create with the secret shown once, pause,
// rotate the secret, delete), recent conversions, and the delivery log with each delivery's
// attempts and replay (one, or every dead one).
import {api} from '../api.js';
import {button, clear, copyText, field, fmtTime, h, input, message, select, table, td} from '../dom.js';
import {canEdit} from '../session.js';

export async function render(root, _params, _query, stale) {
  const goalsBox = h('div', {id: 'goals'});
  const postbacksBox = h('div', {id: 'postbacks'});
  const convBox = h('div', {id: 'conversions'});
  const deliveriesBox = h('div', {id: 'deliveries'});
  root.append(h('h1', {text: 'Conversions'}),
              h('section', {class: 'card'}, h('h2', {text: 'Goals'}), goalsBox),
              h('section', {class: 'card'}, h('h2', {text: 'Postbacks'}), postbacksBox),
              h('section', {class: 'card'}, h('h2', {text: 'Recent conversions'}), convBox),
              h('section', {class: 'card'}, h('h2', {text: 'Delivery log'}), deliveriesBox));
  let goals = [];
  let postbacks = [];
  async function loadGoals() {
    goals = (await api('GET', '/goals')).goals;
    if (stale()) return;
    clear(goalsBox).append(
        goals.length ? table(['Name', ['Value', 'num'], ['Window (s)', 'num'], 'Counting', 'Attribution', 'Pixel URL', ''], goals, (g) =>
          h('tr', {}, td(g.name), td(`${g.value} ${g.currency}`, 'num'), td(g.window, 'num'), td(g.counting),
            td(g.attribution), h('td', {class: 'mono'}, h('span', {text: g.pixel_url}),
                                 button('Copy', () => copyText(g.pixel_url), {class: 'link-button', 'aria-label': `Copy pixel URL of ${g.name}`})),
            h('td', {}, canEdit() ? button('Delete', async () => {
              if (!window.confirm(`Delete goal ${g.name}?`)) return;
              await api('DELETE', `/goals/${g.id}`).catch((e) => goalsBox.append(message(e.message)));
              await loadGoals();
            }, {class: 'link-button danger', 'aria-label': `Delete goal ${g.name}`}) : null)))
          : h('p', {text: 'No goals yet.'}),
        canEdit() ? goalForm(loadGoals) : null);
  }
  async function loadPostbacks() {
    postbacks = (await api('GET', '/postbacks')).postbacks;
    if (stale()) return;
    const out = h('div', {'aria-live': 'polite'});
    clear(postbacksBox).append(out,
        postbacks.length ? table(['Name', 'URL', 'Method', 'Events', 'Secret', 'State', ''], postbacks, (p) =>
          h('tr', {}, td(p.name), td(p.url, 'url'), td(p.method), td((p.events || []).join(', ')),
            td(`${p.secret_prefix}…`, 'mono'),
            td(p.disabled ? `disabled${p.disabled_reason ? `: ${p.disabled_reason}` : ''}` : 'active'),
            h('td', {class: 'actions'}, canEdit() ? [
              button(p.disabled ? 'Enable' : 'Pause', async () => {
                await api('PATCH', `/postbacks/${p.id}`, {disabled: !p.disabled}).catch((e) => out.append(message(e.message)));
                await loadPostbacks();
              }, {class: 'link-button'}),
              button('Rotate secret', async () => {
                try {
                  const r = await api('PATCH', `/postbacks/${p.id}`, {rotate_secret: true});
                  await loadPostbacks();
                  postbacksBox.prepend(secretNotice(r.secret));
                } catch (e) {
                  out.append(message(e.message));
                }
              }, {class: 'link-button'}),
              button('Delete', async () => {
                if (!window.confirm(`Delete postback ${p.name}?`)) return;
                await api('DELETE', `/postbacks/${p.id}`).catch((e) => out.append(message(e.message)));
                await loadPostbacks();
              }, {class: 'link-button danger'})] : null)))
          : h('p', {text: 'No postbacks yet.'}),
        canEdit() ? postbackForm(goals, async (secret) => {
          await loadPostbacks();
          postbacksBox.prepend(secretNotice(secret));
        }) : null);
  }
  async function loadConversions() {
    const r = await api('GET', '/conversions', undefined, {query: {limit: 50}});
    if (stale()) return;
    const goalName = new Map(goals.map((g) => [g.id, g.name]));
    clear(convBox).append(r.conversions.length
        ? table(['Time', 'Goal', 'Status', 'Link', ['Value', 'num'], 'Order'], r.conversions, (c) =>
          h('tr', {}, td(fmtTime(c.time)), td(goalName.get(c.goal_id) || c.goal_id), td(c.status),
            h('td', {}, c.link_id ? h('a', {href: `#/links/${c.link_id}`, text: `link ${c.link_id}`}) : 'unattributed'),
            td(`${c.value} ${c.currency || ''}`, 'num'), td(c.order_id || '')))
        : h('p', {text: 'No conversions yet.'}));
  }
  await Promise.all([loadGoals(), loadPostbacks().catch(() => null)]);
  await Promise.all([loadConversions().catch((e) => convBox.append(message(e.message))),
                     deliveryLog(deliveriesBox, () => postbacks, stale)]);
}

function secretNotice(secret) {
  return h('div', {class: 'notice', role: 'status'},
           h('p', {text: 'The signing secret, shown only now: store it in your receiver.'}),
           h('code', {class: 'secret', text: secret}), button('Copy', () => copyText(secret), {class: 'link-button'}));
}

function goalForm(reload) {
  const name = input({name: 'goal_name', required: true});
  const value = input({name: 'goal_value', inputmode: 'decimal', placeholder: '0'});
  const currency = input({name: 'goal_currency', value: 'USD', maxlength: 3, pattern: '[A-Z]{3}'});
  const windowS = input({type: 'number', name: 'goal_window', min: 60, max: 31536000, value: 2592000});
  const counting = select(['every', 'once_per_click', 'once_per_order'], 'every', {name: 'goal_counting'});
  const attribution = select(['last_click', 'first_click'], 'last_click', {name: 'goal_attribution'});
  const piggy = h('textarea', {name: 'goal_piggyback', rows: 2});
  const out = h('div', {'aria-live': 'polite'});
  const form = h('form', {class: 'inline-form', id: 'goal-form'}, h('h3', {text: 'New goal'}), field('Name', name),
                 field('Default value', value), field('Currency', currency), field('Window (seconds)', windowS),
                 field('Counting', counting), field('Attribution', attribution),
                 field('Piggyback pixel URLs', piggy, 'One per line, at most 10'),
                 h('button', {type: 'submit', text: 'Create goal'}), out);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(out);
    const body = {name: name.value.trim(), currency: currency.value.trim(), window: Number(windowS.value),
                  counting: counting.value, attribution: attribution.value,
                  piggyback_urls: piggy.value.split('\n').map((s) => s.trim()).filter(Boolean)};
    if (value.value.trim()) body.value = value.value.trim();
    try {
      await api('POST', '/goals', body);
      await reload();
    } catch (err) {
      out.append(message(err.message));
    }
  });
  return form;
}

function postbackForm(goals, onCreated) {
  const name = input({name: 'postback_name', required: true});
  const url = input({type: 'url', name: 'postback_url', required: true, placeholder: 'https://receiver.example/hook?cid={click_id}'});
  const method = select(['POST', 'GET'], 'POST', {name: 'postback_method'});
  const events = ['conversion', 'click', 'impression'].map((ev) =>
    input({type: 'checkbox', name: `event_${ev}`, value: ev, checked: ev === 'conversion'}));
  const goalSel = h('select', {name: 'postback_goals', multiple: true, size: Math.min(5, Math.max(2, goals.length))},
                    goals.map((g) => h('option', {value: String(g.id), text: g.name})));
  const attributed = input({type: 'checkbox', name: 'attributed_only', checked: true});
  const out = h('div', {'aria-live': 'polite'});
  const form = h('form', {class: 'inline-form', id: 'postback-form'}, h('h3', {text: 'New postback'}),
                 field('Name', name), field('URL', url, 'Macros such as {click_id} are expanded per event.'),
                 field('Method', method),
                 h('fieldset', {}, h('legend', {text: 'Events'}), events.map((c) => field(c.value, c))),
                 field('Goals (none selected = every goal)', goalSel),
                 field('Attributed conversions only', attributed),
                 h('button', {type: 'submit', text: 'Create postback'}), out);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(out);
    const body = {name: name.value.trim(), url: url.value.trim(), method: method.value,
                  events: events.filter((c) => c.checked).map((c) => c.value),
                  goal_ids: [...goalSel.selectedOptions].map((o) => Number(o.value)), attributed_only: attributed.checked};
    try {
      const r = await api('POST', '/postbacks', body);
      await onCreated(r.secret);
    } catch (err) {
      out.append(message(err.message));
    }
  });
  return form;
}

async function deliveryLog(box, getPostbacks, stale) {
  const stateSel = select([['', 'Any state'], 'pending', 'delivered', 'dead'], '', {name: 'delivery_state'});
  const pbSel = select([['', 'Any postback'], ...getPostbacks().map((p) => [String(p.id), p.name])], '', {name: 'delivery_postback'});
  const out = h('div', {'aria-live': 'polite'});
  const list = h('div', {id: 'delivery-list'});
  const detail = h('div', {id: 'delivery-detail', 'aria-live': 'polite'});
  let cursor = null;
  async function load(reset) {
    if (reset) {
      cursor = null;
      clear(list);
      clear(detail);
    }
    const r = await api('GET', '/deliveries', undefined,
                        {query: {state: stateSel.value, postback_id: pbSel.value, limit: 50, cursor}});
    if (stale()) return;
    cursor = r.next_cursor;
    const t = table(['Created', 'Event', 'State', ['Attempts', 'num'], ['Last status', 'num'], 'Last error', 'URL', ''], r.deliveries, (d) =>
      h('tr', {}, td(fmtTime(d.created_at)), td(d.event), h('td', {}, h('span', {class: `badge ${d.state}`, text: d.state})),
        td(d.attempts, 'num'), td(d.last_status || '', 'num'), td(d.last_error || ''), td(d.url, 'url'),
        h('td', {class: 'actions'},
          button('Attempts', () => showDetail(d.id), {class: 'link-button', 'aria-label': `Attempts of ${d.id}`}),
          canEdit() ? button('Replay', async () => {
            try {
              await api('POST', `/deliveries/${encodeURIComponent(d.id)}/replay`);
              out.replaceChildren(message(`Delivery ${d.id} is pending again.`, 'ok'));
              await load(true);
            } catch (e) {
              out.replaceChildren(message(e.message));
            }
          }, {class: 'link-button', 'aria-label': `Replay ${d.id}`}) : null)));
    list.append(r.deliveries.length || !reset ? t : h('p', {text: 'No deliveries match.'}));
    more.hidden = !cursor;
  }
  async function showDetail(id) {
    try {
      const d = await api('GET', `/deliveries/${encodeURIComponent(id)}`);
      clear(detail).append(h('h3', {text: `Delivery ${d.id}`}),
                           h('p', {}, `${d.method} `, h('span', {class: 'url', text: d.url})),
                           d.body ? h('pre', {class: 'body', text: d.body}) : null,
                           table(['#', 'Started', 'HTTP status', 'Latency (ms)', 'Error'], d.attempt_log || [], (a) =>
                             h('tr', {}, td(a.attempt, 'num'), td(fmtTime(a.started_at)), td(a.http_status || '', 'num'),
                               td(a.latency_ms, 'num'), td(a.error || ''))));
      detail.querySelector('h3').setAttribute('tabindex', '-1');
      detail.querySelector('h3').focus();
    } catch (e) {
      clear(detail).append(message(e.message));
    }
  }
  const more = button('Older deliveries', () => load(false).catch((e) => out.append(message(e.message))), {class: 'secondary'});
  const filters = h('form', {class: 'filters'}, field('State', stateSel), field('Postback', pbSel),
                    h('button', {type: 'submit', text: 'Show'}),
                    canEdit() ? button('Replay every dead delivery', async () => {
                      try {
                        const body = {state: 'dead'};
                        if (pbSel.value) body.postback_id = Number(pbSel.value);
                        const r = await api('POST', '/deliveries/replay', body);
                        out.replaceChildren(message(`${r.replayed} deliveries are pending again.`, 'ok'));
                        await load(true);
                      } catch (e) {
                        out.replaceChildren(message(e.message));
                      }
                    }, {class: 'secondary'}) : null);
  filters.addEventListener('submit', (e) => {
    e.preventDefault();
    load(true).catch((err) => out.append(message(err.message)));
  });
  box.append(filters, out, list, more, detail);
  await load(true).catch((e) => out.append(message(e.message)));
}
