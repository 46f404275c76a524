// Editor for a rotation (a link's destinations, or a rule's rotation): mode + rows of
// url / weight / cap. value() returns {entries, mode} in the API's shape.
import {button, field, h, input, select, uid} from './dom.js';

export const kModes = [['weighted', 'Weighted (random by weight)'], ['sequential', 'Sequential (round-robin)'],
                       ['random', 'Random (uniform)'], ['spillover', 'Spillover (fill caps in order)']];

export function rotationEditor(legend, entries, mode) {
  const modeSel = select(kModes, mode || 'weighted', {name: 'rotation_mode'});
  const rows = h('div', {class: 'rows'});
  const box = h('fieldset', {class: 'rotation'}, h('legend', {text: legend}), field('Rotation mode', modeSel), rows);
  const capsShown = () => modeSel.value === 'spillover';

  function addRow(e) {
    const n = rows.children.length + 1;
    const url = input({type: 'url', value: e ? e.url : '', name: 'rotation_url', placeholder: 'https://'});
    const weight = input({type: 'number', min: 1, max: 1000, value: e && e.weight ? e.weight : 1, name: 'weight'});
    const cap = input({type: 'number', min: 1, max: 1e9, value: e && e.cap ? e.cap : '', name: 'cap'});
    const capField = field(`Cap ${n}`, cap);
    capField.hidden = !capsShown();
    const row = h('div', {class: 'row', id: uid('rot')}, field(`URL ${n}`, url), field(`Weight ${n}`, weight), capField,
                  button('Remove', () => row.remove(), {class: 'link-button', 'aria-label': `Remove URL ${n}`}));
    row._get = () => {
      const out = {url: url.value.trim(), weight: Number(weight.value) || 1};
      if (capsShown() && cap.value) out.cap = Number(cap.value);
      return out;
    };
    row._cap = capField;
    rows.append(row);
  }
  for (const e of entries || []) addRow(e);
  box.append(button('Add URL', () => addRow(null), {class: 'secondary'}));
  modeSel.addEventListener('change', () => {
    for (const r of rows.children) r._cap.hidden = !capsShown();
  });
  return {
    el: box,
    addRow,
    value() {
      const list = [...rows.children].map((r) => r._get()).filter((e) => e.url);
      return {entries: list, mode: modeSel.value};
    },
  };
}
