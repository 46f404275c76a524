// Hash router and page shell. Each page module exports render(root, params) and may return a
// cleanup function (closing an EventSource, stopping a timer) run when the route changes.
import {api, setUnauthorizedHandler} from './api.js';
import {button, clear, h, message} from './dom.js';
import {loadMe, session, signedOut} from './session.js';

const routes = [
  [/^\/login$/, 'login', () => import('./pages/login.js'), {public: true}],
  [/^\/accept\/([^/]+)$/, 'accept', () => import('./pages/accept.js'), {public: true}],
  [/^\/links$/, 'links', () => import('./pages/links.js')],
  [/^\/links\/new$/, 'links', () => import('./pages/link_form.js')],
  [/^\/links\/(\d+)\/edit$/, 'links', () => import('./pages/link_form.js')],
  [/^\/links\/(\d+)$/, 'links', () => import('./pages/report.js')],
  [/^\/live$/, 'live', () => import('./pages/live.js')],
  [/^\/conversions$/, 'conversions', () => import('./pages/conversions.js')],
  [/^\/status$/, 'status', () => import('./pages/status.js')],
  [/^\/settings$/, 'settings', () => import('./pages/settings.js')],
];

const main = document.getElementById('main');
let cleanup = null;
let generation = 0;

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/links';
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  return {path, query};
}

export function navigate(hash) {
  if (location.hash === hash) {
    route();
  } else {
    location.hash = hash;
  }
}

function renderShell() {
  const nav = document.getElementById('nav');
  const who = clear(document.getElementById('who'));
  nav.hidden = !session.me;
  if (!session.me) return;
  const user = session.me.user;
  who.append(h('span', {class: 'who-name', text: user ? `${user.email} (${session.me.role})` : session.me.role}));
  if (user) {
    who.append(button('Sign out', async () => {
      try {
        await api('DELETE', '/sessions/current');
      } catch {
        // The session may already be gone; sign out locally either way.
      }
      signedOut();
      navigate('#/login');
    }, {class: 'link-button', id: 'logout'}));
  }
}

async function route() {
  const gen = ++generation;
  if (cleanup) {
    try {
      cleanup();
    } catch {
      // A page's cleanup failing must not block the next page.
    }
    cleanup = null;
  }
  const {path, query} = parseHash();
  const match = routes.find(([re]) => re.test(path));
  if (!match) {
    navigate('#/links');
    return;
  }
  const [re, name, load, opts = {}] = match;
  if (!opts.public && !session.me) {
    await loadMe().catch(() => null);
    if (gen !== generation) return;
    if (!session.me) {
      navigate('#/login');
      return;
    }
  }
  renderShell();
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.dataset.route === name) {
      a.setAttribute('aria-current', 'page');
    } else {
      a.removeAttribute('aria-current');
    }
  }
  const params = path.match(re).slice(1);
  clear(main);
  main.setAttribute('aria-busy', 'true');
  try {
    const page = await load();
    if (gen !== generation) return;
    const result = await page.render(main, params, query, () => gen !== generation);
    if (gen !== generation) {
      if (typeof result === 'function') result();
      return;
    }
    cleanup = typeof result === 'function' ? result : null;
  } catch (e) {
    if (gen !== generation) return;
    main.append(message(`Could not load this page: ${e.message}`));
  } finally {
    if (gen === generation) main.removeAttribute('aria-busy');
  }
  const heading = main.querySelector('h1');
  if (heading && !main.contains(document.activeElement)) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({preventScroll: true});
  }
}

setUnauthorizedHandler(() => {
  signedOut();
  if (!parseHash().path.startsWith('/accept/')) navigate('#/login');
});

document.querySelector('.skip').addEventListener('click', (e) => {
  e.preventDefault();
  main.focus();
});

window.addEventListener('hashchange', route);
loadMe()
    .catch(() => null)
    .finally(route);
