// Status: GET /api/v1/status every 2 s: each stage's health and lag, active alarms, and how far
// reports are complete.
import {api} from '../api.js';
import {clear, fmtTime, h, message, table, td} from '../dom.js';

export async function render(root) {
  const banner = h('div', {'aria-live': 'polite'});
  const stages = h('div', {id: 'stages'});
  const alarms = h('div', {id: 'alarms'});
  const updated = h('p', {class: 'muted'});
  root.append(h('h1', {text: 'Status'}), banner, h('section', {class: 'card'}, h('h2', {text: 'Stages'}), stages),
              h('section', {class: 'card'}, h('h2', {text: 'Alarms'}), alarms), updated);
  let timer = 0;
  let stopped = false;
  async function tick() {
    try {
      const s = await api('GET', '/status');
      if (stopped) return;
      clear(banner);
      if (s.incomplete) {
        banner.append(message(`Reports are incomplete after ${fmtTime(s.complete_until)}: the ${s.lagging_stage} stage is lagging` +
                              (s.lagging_reason ? ` (${s.lagging_reason})` : '') + '.'));
      }
      clear(stages).append(table(['Stage', 'State', 'Lag (s)', 'Detail', 'Last error'], s.stages || [], (st) =>
        h('tr', {}, td(st.name), h('td', {}, h('span', {class: `badge ${st.state}`, text: st.state})),
          td(Number(st.lag_seconds || 0).toFixed(1), 'num'), td(st.detail), td(st.last_error || ''))));
      const list = s.alarms || [];
      clear(alarms).append(list.length
          ? table(['Alarm', 'State', 'Since', 'Summary', 'Value'], list, (a) =>
              h('tr', {}, td(a.name), h('td', {}, h('span', {class: 'badge red', text: a.state})), td(fmtTime(a.since)),
                td(a.summary), td(a.value ?? '', 'num')))
          : h('p', {text: 'No active alarms.'}));
      updated.textContent = `Complete until ${fmtTime(s.complete_until)} · updated ${new Date().toLocaleTimeString()}`;
    } catch (e) {
      if (!stopped) clear(banner).append(message(`Status unavailable: ${e.message}`));
    }
    if (!stopped) timer = setTimeout(tick, 2000);
  }
  await tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
