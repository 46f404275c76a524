// The REST API client: same-origin fetch with the session cookie; writes carry X-CSRF-Token.

let csrfToken = null;
let onUnauthorized = () => {};

export function setCsrf(token) {
  csrfToken = token || null;
}

export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
  }
}

// api('GET', '/links', undefined, {query: {limit: 50}}) -> parsed JSON (or text for CSV).
export async function api(method, path, body, opts = {}) {
  const url = apiUrl(path, opts.query);
  const headers = {Accept: 'application/json'};
  let payload;
  if (body !== undefined) {
    if (opts.contentType) {
      headers['Content-Type'] = opts.contentType;
      payload = body;
    } else {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(body);
    }
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res;
  try {
    res = await fetch(url, {method, headers, body: payload, credentials: 'same-origin'});
  } catch (e) {
    throw new ApiError(0, 'network', `network error: ${e.message}`);
  }
  if (res.status === 204) return null;
  const type = res.headers.get('Content-Type') || '';
  const data = type.includes('json') ? await res.json().catch(() => null) : await res.text();
  if (!res.ok) {
    const err = data && data.error ? data.error : {};
    if (res.status === 401 && !opts.noRedirect) onUnauthorized();
    throw new ApiError(res.status, err.code, err.message || err.code || `HTTP ${res.status}`);
  }
  return data;
}

export function apiUrl(path, query) {
  const url = new URL(`/api/v1${path}`, location.origin);
  for (const [k, v] of Object.entries(query || {})) {
    if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, v);
  }
  return url.pathname + url.search;
}

// Every page of a cursor-paginated list, up to maxItems.
export async function listAll(path, key, query, maxItems) {
  const out = [];
  let cursor = null;
  do {
    const page = await api('GET', path, undefined, {query: Object.assign({}, query, {limit: 1000, cursor})});
    out.push(...page[key]);
    cursor = page.next_cursor;
  } while (cursor && out.length < maxItems);
  return {items: out, more: Boolean(cursor)};
}
