// Create or edit a link with every option the API has: destination or rotation (mode, weights,
// caps), targeting rules (each a destination or its own rotation), expiry, max clicks, fallback,
// password, forward_query, UTM, tags, group, title, domain, slug; QR downloads when editing.
import {api, apiUrl} from '../api.js';
import {button, field, h, input, message, select} from '../dom.js';
import {rotationEditor} from '../rotation_editor.js';
import {canEdit} from '../session.js';
import {navigate} from '../app.js';

const kDevices = 'desktop mobile tablet tv console bot other';
const kOs = 'windows macos ios android linux chromeos other';

const list = (s) => s.split(/[,\s]+/).map((x) => x.trim()).filter(Boolean);

// datetime-local wants local "YYYY-MM-DDTHH:MM".
function toLocalInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function ruleEditor(container, rule, n) {
  const countries = input({value: (rule.countries || []).join(', '), name: 'countries', placeholder: 'US, CA'});
  const devices = input({value: (rule.devices || []).join(', '), name: 'devices'});
  const os = input({value: (rule.os || []).join(', '), name: 'os'});
  const languages = input({value: (rule.languages || []).join(', '), name: 'languages', placeholder: 'en, fr'});
  const dest = input({type: 'url', value: rule.destination || '', name: 'rule_destination', placeholder: 'https://'});
  const useRotation = input({type: 'checkbox', checked: Boolean(rule.rotation), name: 'rule_rotates'});
  const rot = rotationEditor(`Rule ${n} rotation`, rule.rotation || [], rule.rotation_mode);
  if (!rule.rotation) {
    rot.addRow(null);
    rot.addRow(null);
  }
  const destField = field(`Rule ${n} destination`, dest);
  const sync = () => {
    rot.el.hidden = !useRotation.checked;
    destField.hidden = useRotation.checked;
  };
  useRotation.addEventListener('change', sync);
  const box = h('fieldset', {class: 'rule'}, h('legend', {text: `Rule ${n}`}),
                field('Countries', countries, 'ISO codes, comma-separated'),
                field('Devices', devices, kDevices), field('OS', os, kOs),
                field('Languages', languages, '2–3 letter codes'),
                field('This rule rotates between several URLs', useRotation), destField, rot.el,
                button(`Remove rule ${n}`, () => box.remove(), {class: 'link-button'}));
  sync();
  box._get = () => {
    const r = {};
    if (countries.value.trim()) r.countries = list(countries.value).map((c) => c.toUpperCase());
    if (devices.value.trim()) r.devices = list(devices.value);
    if (os.value.trim()) r.os = list(os.value);
    if (languages.value.trim()) r.languages = list(languages.value);
    if (useRotation.checked) {
      const v = rot.value();
      r.rotation = v.entries;
      r.rotation_mode = v.mode;
    } else {
      r.destination = dest.value.trim();
    }
    return r;
  };
  container.append(box);
}

export async function render(root, params) {
  const id = params[0];
  const link = id ? await api('GET', `/links/${id}`) : null;
  const domains = await api('GET', '/domains').then((r) => r.domains).catch(() => []);
  root.append(h('h1', {text: link ? `Edit ${link.title || link.slug}` : 'New link'}));
  if (!canEdit()) {
    root.append(message('Your role can view links but not change them.'));
    return;
  }
  const l = link || {tags: [], rules: [], utm: {}, forward_query: false};
  const destination = input({type: 'url', name: 'destination', value: l.destinations ? '' : l.destination || '',
                             placeholder: 'https://example.com/page'});
  const rotating = input({type: 'checkbox', name: 'rotating', checked: Boolean(l.destinations)});
  const rot = rotationEditor('Destinations (rotation)', l.destinations || [], l.rotation_mode);
  if (!l.destinations) {
    rot.addRow(null);
    rot.addRow(null);
  }
  const destField = field('Destination URL', destination);
  const syncRot = () => {
    rot.el.hidden = !rotating.checked;
    destField.hidden = rotating.checked;
    destination.required = !rotating.checked;
  };
  rotating.addEventListener('change', syncRot);
  syncRot();

  const title = input({name: 'title', value: l.title || '', maxlength: 256});
  const slug = input({name: 'slug', value: l.slug || '', pattern: '[A-Za-z0-9_\\-]{1,64}', placeholder: 'random if empty'});
  const domain = select([['', 'Default domain'], ...domains.map((d) => [d.host, d.host])], l.domain || '',
                        {name: 'domain', disabled: Boolean(link)});
  const tags = input({name: 'tags', value: (l.tags || []).join(', ')});
  const group = input({name: 'group', value: l.group || '', maxlength: 64});
  const expires = input({type: 'datetime-local', name: 'expires_at', value: toLocalInput(l.expires_at)});
  const maxClicks = input({type: 'number', min: 1, name: 'max_clicks', value: l.max_clicks || ''});
  const fallback = input({type: 'url', name: 'fallback_url', value: l.fallback_url || '', placeholder: 'https://'});
  const password = input({type: 'password', name: 'link_password', autocomplete: 'new-password', minlength: 4, maxlength: 128});
  const removePassword = input({type: 'checkbox', name: 'remove_password'});
  const forward = input({type: 'checkbox', name: 'forward_query', checked: Boolean(l.forward_query)});
  const utm = {};
  for (const k of ['source', 'medium', 'campaign', 'term', 'content']) {
    utm[k] = input({name: `utm_${k}`, value: (l.utm || {})[k] || ''});
  }
  const rules = h('div', {class: 'rules'});
  let ruleCount = 0;
  for (const r of l.rules || []) ruleEditor(rules, r, ++ruleCount);
  const status = h('div', {'aria-live': 'polite'});
  const form = h('form', {class: 'card', id: 'link-form'},
      h('fieldset', {}, h('legend', {text: 'Where it goes'}), destField,
        field('Rotate between several destinations', rotating), rot.el,
        field('Forward the query string to the destination', forward)),
      h('fieldset', {class: 'grid'}, h('legend', {text: 'Link'}), field('Title', title), field('Domain', domain),
        field('Slug', slug, 'Letters, digits, _ and -; a slug is never reused.'),
        field('Tags', tags, 'Comma-separated'), field('Group', group)),
      h('fieldset', {}, h('legend', {text: 'Targeting rules (first match wins)'}), rules,
        button('Add rule', () => ruleEditor(rules, {}, ++ruleCount), {class: 'secondary'})),
      h('fieldset', {class: 'grid'}, h('legend', {text: 'Limits'}), field('Expires at', expires), field('Max clicks', maxClicks),
        field('Fallback URL', fallback, 'Where clicks go after expiry or max clicks (else 410 Gone).')),
      h('fieldset', {}, h('legend', {text: 'Password'}),
        field(link && link.password_protected ? 'New password (set)' : 'Password', password, '4–128 characters; empty keeps it.'),
        link && link.password_protected ? field('Remove the password', removePassword) : null),
      h('fieldset', {class: 'grid'}, h('legend', {text: 'UTM parameters'}),
        Object.entries(utm).map(([k, el]) => field(`utm_${k}`, el))),
      h('div', {class: 'toolbar'}, h('button', {type: 'submit', text: link ? 'Save' : 'Create link'}),
        h('a', {href: link ? `#/links/${link.id}` : '#/links', class: 'button secondary', text: 'Cancel'})),
      status);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    status.replaceChildren();
    const body = {title: title.value, tags: tags.value.split(',').map((t) => t.trim()).filter(Boolean),
                  group: group.value.trim(), forward_query: forward.checked,
                  rules: [...rules.children].map((r) => r._get())};
    const u = {};
    for (const [k, el] of Object.entries(utm)) if (el.value.trim()) u[k] = el.value.trim();
    body.utm = u;
    if (rotating.checked) {
      const v = rot.value();
      body.destinations = v.entries;
      body.rotation_mode = v.mode;
    } else {
      body.destination = destination.value.trim();
      if (link && link.destinations) body.destinations = [];
    }
    const exp = expires.value ? new Date(expires.value).toISOString().replace(/\.\d+Z$/, 'Z') : null;
    const max = maxClicks.value ? Number(maxClicks.value) : null;
    const fb = fallback.value.trim() || null;
    if (link) {
      body.expires_at = exp;
      body.max_clicks = max;
      body.fallback_url = fb;
      if (slug.value.trim() && slug.value.trim() !== link.slug) body.slug = slug.value.trim();
      if (removePassword.checked) body.password = null;
    } else {
      if (exp) body.expires_at = exp;
      if (max) body.max_clicks = max;
      if (fb) body.fallback_url = fb;
      if (slug.value.trim()) body.slug = slug.value.trim();
      if (domain.value) body.domain = domain.value;
    }
    if (password.value) body.password = password.value;
    try {
      const saved = link ? await api('PATCH', `/links/${link.id}`, body) : await api('POST', '/links', body);
      navigate(`#/links/${saved.id}`);
    } catch (err) {
      status.append(message(`Not saved: ${err.message}`));
    }
  });
  root.append(form);
  if (link) root.append(qrSection(link), deleteSection(link));
}

export function qrSection(link) {
  const size = select(['128', '256', '512', '1024', '2048'], '512', {name: 'qr_size'});
  const png = h('a', {class: 'button secondary', download: `${link.slug}.png`, text: 'Download QR (PNG)', id: 'qr-png'});
  const svg = h('a', {class: 'button secondary', download: `${link.slug}.svg`, text: 'Download QR (SVG)', id: 'qr-svg'});
  const preview = h('img', {alt: `QR code for ${link.short_url}`, width: 128, height: 128, class: 'qr'});
  const sync = () => {
    png.href = apiUrl(`/links/${link.id}/qr`, {format: 'png', size: size.value});
    svg.href = apiUrl(`/links/${link.id}/qr`, {format: 'svg', size: size.value});
    preview.src = apiUrl(`/links/${link.id}/qr`, {format: 'png', size: 128});
  };
  size.addEventListener('change', sync);
  sync();
  return h('section', {class: 'card'}, h('h2', {text: 'QR code'}), preview, field('Size (px)', size),
           h('div', {class: 'toolbar'}, png, svg));
}

function deleteSection(link) {
  const status = h('div', {'aria-live': 'polite'});
  return h('section', {class: 'card danger'}, h('h2', {text: 'Delete'}),
           h('p', {text: 'The slug stays reserved; its clicks stay in the account report.'}),
           button('Delete this link', async () => {
             if (!window.confirm(`Delete ${link.short_url}?`)) return;
             try {
               await api('DELETE', `/links/${link.id}`);
               navigate('#/links');
             } catch (err) {
               status.append(message(err.message));
             }
           }, {class: 'danger'}), status);
}
