// Who is signed in: the answer of GET /api/v1/me, and what their role may do.
import {api, setCsrf} from './api.js';

export const session = {me: null};

export async function loadMe() {
  try {
    session.me = await api('GET', '/me', undefined, {noRedirect: true});
  } catch (e) {
    if (e.status !== 401) throw e;
    session.me = null;
  }
  setCsrf(session.me ? session.me.csrf_token : null);
  return session.me;
}

export function signedOut() {
  session.me = null;
  setCsrf(null);
}

export function role() {
  return session.me ? session.me.role : 'viewer';
}

// Viewers only read; the server refuses their writes anyway (403), this keeps the UI honest.
export function canEdit() {
  return role() === 'owner' || role() === 'editor';
}

export function isOwner() {
  return role() === 'owner';
}
