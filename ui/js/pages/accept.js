// Accept an invitation: the token comes from the URL an owner shared; choose a password.
import {api} from '../api.js';
import {field, h, input, message} from '../dom.js';
import {loadMe} from '../session.js';
import {navigate} from '../app.js';

export async function render(root, [token]) {
  const password = input({type: 'password', autocomplete: 'new-password', minlength: 10, maxlength: 128, required: true});
  const confirm = input({type: 'password', autocomplete: 'new-password', required: true});
  const status = h('div', {'aria-live': 'polite'});
  const form = h('form', {class: 'card narrow'},
                 h('p', {text: 'You were invited to a clicktrail account. Choose a password to join.'}),
                 field('New password', password, 'At least 10 characters.'),
                 field('Repeat password', confirm),
                 h('button', {type: 'submit', text: 'Join'}), status);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    status.replaceChildren();
    if (password.value !== confirm.value) {
      status.append(message('The two passwords differ.'));
      return;
    }
    try {
      await api('POST', '/invitations/accept', {token: decodeURIComponent(token), password: password.value},
                {noRedirect: true});
      await loadMe();
      navigate('#/links');
    } catch (err) {
      const text = err.status === 404 || err.status === 410
          ? 'This invitation is used or expired; ask for a new one.' : err.message;
      status.append(message(text));
    }
  });
  root.append(h('h1', {text: 'Accept invitation'}), form);
}
