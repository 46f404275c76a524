// DOM helpers. Every piece of data reaches the page as a text node or an attribute value set
// through the DOM API, never as markup, so a link title such as `<img onerror=...>` is inert.

// h('tag', {class, text, onclick, ...attrs}, ...children): children are nodes, strings
// (become text nodes), arrays (flattened) or null/undefined/false (skipped).
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'text') {
      el.textContent = String(value);
    } else if (key === 'class') {
      el.className = value;
    } else if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'value' || key === 'checked' || key === 'selected') {
      el[key] = value;  // a property, so a later user edit and a reset agree
    } else if (key === 'dataset') {
      Object.assign(el.dataset, value);
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) {
      append(el, c);
    } else if (c instanceof Node) {
      el.appendChild(c);
    } else {
      el.appendChild(document.createTextNode(String(c)));
    }
  }
}

let nextId = 0;
export function uid(prefix) {
  nextId += 1;
  return `${prefix || 'f'}-${nextId}`;
}

// A labelled form field: <div class=field><label for=id>text</label> input hint</div>.
export function field(labelText, input, hint) {
  if (!input.id) input.id = uid('in');
  const parts = [h('label', {for: input.id, text: labelText}), input];
  if (hint) {
    const hintEl = h('small', {class: 'hint', id: uid('hint'), text: hint});
    input.setAttribute('aria-describedby', hintEl.id);
    parts.push(hintEl);
  }
  return h('div', {class: input.type === 'checkbox' ? 'field check' : 'field'}, parts);
}

export function input(attrs) {
  return h('input', Object.assign({type: 'text'}, attrs));
}

export function select(options, value, attrs) {
  const el = h('select', attrs || {});
  for (const opt of options) {
    const [v, label] = Array.isArray(opt) ? opt : [opt, opt];
    el.appendChild(h('option', {value: v, text: label, selected: v === value}));
  }
  return el;
}

export function button(text, onclick, attrs) {
  return h('button', Object.assign({type: 'button', text, onclick}, attrs || {}));
}

// A table whose body rows come from rows.map(rowFn); wrapped so it scrolls sideways on phones.
export function table(headers, rows, rowFn, caption) {
  // A header is a string, a node, or [label, class] (e.g. ['Clicks', 'num'] right-aligns it).
  const head = h('tr', {}, headers.map((t) => {
    const [label, cls] = Array.isArray(t) ? t : [t, undefined];
    return label instanceof Node ? h('th', {scope: 'col', class: cls}, label) : h('th', {scope: 'col', class: cls, text: label});
  }));
  const body = h('tbody', {}, rows.map(rowFn));
  return h('div', {class: 'table-wrap'},
           h('table', {}, caption ? h('caption', {text: caption}) : null, h('thead', {}, head), body));
}

export function td(value, cls) {
  return h('td', {class: cls, text: value === null || value === undefined ? '' : value});
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

export function fmtNum(n) {
  return typeof n === 'number' ? n.toLocaleString('en-US') : n === undefined || n === null ? '' : String(n);
}

export function fmtTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
}

// A message line for errors and results; role=alert for errors so screen readers announce it.
export function message(text, kind) {
  return h('p', {class: `msg ${kind || 'error'}`, role: kind === 'ok' ? 'status' : 'alert', text});
}

let toastTimer = 0;
export function toast(text) {
  const el = document.getElementById('toast');
  el.textContent = text;
  el.classList.add('show');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => el.classList.remove('show'), 4000);
}

export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    toast('Copied');
  } catch {
    toast('Copy failed: select the text and copy it');
  }
}
