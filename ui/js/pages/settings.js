// Settings: the account (unique definition), own password, users and roles, invitations (with a
// copyable accept URL), API keys (prefix only; a new key is shown once; revoke).
import {api} from '../api.js';
import {button, clear, copyText, field, fmtTime, h, input, message, select, table, td} from '../dom.js';
import {isOwner, session} from '../session.js';

const kRoles = ['owner', 'editor', 'viewer'];

export async function render(root, _params, _query, stale) {
  root.append(h('h1', {text: 'Settings'}));
  const account = h('section', {class: 'card', id: 'account'});
  const password = h('section', {class: 'card', id: 'password'});
  const users = h('section', {class: 'card', id: 'users'});
  root.append(account, password, users);
  const invitations = isOwner() ? h('section', {class: 'card', id: 'invitations'}) : null;
  const keys = isOwner() ? h('section', {class: 'card', id: 'api-keys'}) : null;
  if (invitations) root.append(invitations, keys);
  await Promise.all([accountSection(account), passwordSection(password), usersSection(users, stale),
                     invitations ? invitationsSection(invitations, stale) : null, keys ? keysSection(keys, stale) : null]
                        .map((p) => p && p.catch((e) => root.append(message(e.message)))));
}

async function accountSection(box) {
  const a = await api('GET', '/account');
  const def = select([['per_visitor_day', 'Per visitor and UTC day (default)'], ['ip_30min', 'Per IP, 30 minutes (ClickMeter)']],
                     a.unique_definition, {name: 'unique_definition', disabled: !isOwner()});
  const out = h('div', {'aria-live': 'polite'});
  const form = h('form', {class: 'inline-form'}, field('Unique clicks are counted', def,
                                                       'A change applies to clicks committed from then on.'),
                 isOwner() ? h('button', {type: 'submit', text: 'Save'}) : null, out);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await api('PATCH', '/account', {unique_definition: def.value});
      out.replaceChildren(message('Saved.', 'ok'));
    } catch (err) {
      out.replaceChildren(message(err.message));
    }
  });
  box.append(h('h2', {text: 'Account'}), h('p', {}, 'Name: ', h('strong', {text: a.name}), ` · id ${a.id}`), form);
}

async function passwordSection(box) {
  if (!session.me.user) return;  // signed in with an API key: no password to change
  const current = input({type: 'password', name: 'current_password', autocomplete: 'current-password', required: true});
  const next = input({type: 'password', name: 'new_password', autocomplete: 'new-password', minlength: 10, maxlength: 128, required: true});
  const out = h('div', {'aria-live': 'polite'});
  const form = h('form', {class: 'inline-form', id: 'password-form'}, field('Current password', current),
                 field('New password', next, '10–128 characters; your other sessions are signed out.'),
                 h('button', {type: 'submit', text: 'Change password'}), out);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await api('POST', '/users/me/password', {current_password: current.value, new_password: next.value});
      form.reset();
      out.replaceChildren(message('Password changed.', 'ok'));
    } catch (err) {
      out.replaceChildren(message(err.message));
    }
  });
  box.append(h('h2', {text: 'Your password'}), form);
}

async function usersSection(box, stale) {
  const r = await api('GET', '/users');
  if (stale()) return;
  const out = h('div', {'aria-live': 'polite'});
  const me = session.me.user ? session.me.user.id : null;
  clear(box).append(h('h2', {text: 'Users'}), out, table(['Email', 'Role', 'Since', ''], r.users, (u) => {
    let roleCell = td(u.role);
    if (isOwner()) {
      const sel = select(kRoles, u.role, {'aria-label': `Role of ${u.email}`});
      sel.addEventListener('change', async () => {
        try {
          await api('PATCH', `/users/${u.id}`, {role: sel.value});
          out.replaceChildren(message(`${u.email} is now ${sel.value}.`, 'ok'));
        } catch (err) {
          sel.value = u.role;
          out.replaceChildren(message(err.code === 'last_owner' ? 'An account keeps at least one owner.' : err.message));
        }
      });
      roleCell = h('td', {}, sel);
    }
    return h('tr', {}, td(u.email + (u.id === me ? ' (you)' : '')), roleCell, td(fmtTime(u.created_at)),
             h('td', {}, isOwner() && u.id !== me ? button('Remove', async () => {
               if (!window.confirm(`Remove ${u.email}?`)) return;
               try {
                 await api('DELETE', `/users/${u.id}`);
                 await usersSection(box, stale);
               } catch (err) {
                 out.replaceChildren(message(err.code === 'last_owner' ? 'An account keeps at least one owner.' : err.message));
               }
             }, {class: 'link-button danger', 'aria-label': `Remove ${u.email}`}) : null));
  }));
}

async function invitationsSection(box, stale) {
  const r = await api('GET', '/invitations');
  if (stale()) return;
  const email = input({type: 'email', name: 'invite_email', required: true});
  const role = select(kRoles, 'editor', {name: 'invite_role'});
  const out = h('div', {'aria-live': 'polite'});
  const form = h('form', {class: 'inline-form', id: 'invite-form'}, field('Email', email), field('Role', role),
                 h('button', {type: 'submit', text: 'Invite'}));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const inv = await api('POST', '/invitations', {email: email.value.trim(), role: role.value});
      await invitationsSection(box, stale);
      box.querySelector('.msgs').append(
          h('div', {class: 'notice', role: 'status'},
            h('p', {text: `Send this link to ${inv.email} (valid until ${fmtTime(inv.expires_at)}):`}),
            h('code', {class: 'secret', id: 'accept-url', text: inv.accept_url}),
            button('Copy', () => copyText(inv.accept_url), {class: 'link-button'})));
    } catch (err) {
      out.replaceChildren(message(err.message));
    }
  });
  clear(box).append(h('h2', {text: 'Invitations'}), h('div', {class: 'msgs'}), out,
      r.invitations.length ? table(['Email', 'Role', 'Expires', ''], r.invitations, (i) =>
        h('tr', {}, td(i.email), td(i.role), td(fmtTime(i.expires_at)),
          h('td', {}, button('Withdraw', async () => {
            await api('DELETE', `/invitations/${i.id}`).catch((err) => out.replaceChildren(message(err.message)));
            await invitationsSection(box, stale);
          }, {class: 'link-button danger', 'aria-label': `Withdraw invitation of ${i.email}`}))))
        : h('p', {text: 'No open invitations.'}), form);
}

async function keysSection(box, stale) {
  const r = await api('GET', '/api-keys');
  if (stale()) return;
  const name = input({name: 'key_name', required: true, placeholder: 'e.g. reporting script'});
  const out = h('div', {'aria-live': 'polite'});
  const form = h('form', {class: 'inline-form', id: 'key-form'}, field('Key name', name), h('button', {type: 'submit', text: 'Create key'}));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const k = await api('POST', '/api-keys', {name: name.value.trim()});
      await keysSection(box, stale);
      box.querySelector('.msgs').append(
          h('div', {class: 'notice', role: 'status'},
            h('p', {text: `The key "${k.name}", shown only now: copy it into your script.`}),
            h('code', {class: 'secret', id: 'new-key', text: k.key}), button('Copy', () => copyText(k.key), {class: 'link-button'})));
    } catch (err) {
      out.replaceChildren(message(err.message));
    }
  });
  clear(box).append(h('h2', {text: 'API keys'}), h('div', {class: 'msgs'}), out,
      table(['Name', 'Prefix', 'Created', 'State', ''], r.api_keys, (k) =>
        h('tr', {dataset: {keyId: k.id}}, td(k.name || '(unnamed)'), td(`${k.prefix}…`, 'mono'), td(fmtTime(k.created_at)),
          td(k.revoked_at ? `revoked ${fmtTime(k.revoked_at)}` : 'active'),
          h('td', {}, k.revoked_at ? null : button('Revoke', async () => {
            if (!window.confirm(`Revoke the key ${k.name}? Scripts using it stop working at once.`)) return;
            try {
              await api('DELETE', `/api-keys/${k.id}`);
              await keysSection(box, stale);
            } catch (err) {
              out.replaceChildren(message(err.message));
            }
          }, {class: 'link-button danger', 'aria-label': `Revoke key ${k.name}`})))),
      form);
}
