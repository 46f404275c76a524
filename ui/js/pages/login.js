// Sign in: POST /api/v1/sessions, then GET /api/v1/me for the role and CSRF token.
import {api} from '../api.js';
import {field, h, input, message} from '../dom.js';
import {loadMe} from '../session.js';
import {navigate} from '../app.js';

export async function render(root) {
  const email = input({type: 'email', name: 'email', autocomplete: 'username', required: true});
  const password = input({type: 'password', name: 'password', autocomplete: 'current-password', required: true});
  const status = h('div', {'aria-live': 'polite'});
  const submit = h('button', {type: 'submit', text: 'Sign in'});
  const form = h('form', {class: 'card narrow', id: 'login-form'},
                 field('Email', email), field('Password', password), submit, status);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    status.replaceChildren();
    submit.disabled = true;
    try {
      await api('POST', '/sessions', {email: email.value.trim(), password: password.value}, {noRedirect: true});
      await loadMe();
      navigate('#/links');
    } catch (err) {
      const text = err.code === 'invalid_credentials' ? 'Wrong email or password.'
                 : err.status === 429 ? 'Too many attempts; wait a minute and try again.' : err.message;
      status.append(message(text));
      password.focus();
    } finally {
      submit.disabled = false;
    }
  });
  root.append(h('h1', {text: 'Sign in'}), form);
  email.focus();
}
