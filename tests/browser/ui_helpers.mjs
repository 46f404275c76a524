// Helpers shared by the dashboard's browser tests (not a test file: run.mjs runs *.test.mjs).

export function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

// Polls fn until it returns a truthy value or the deadline passes (generous: the machine is
// shared); returns that value or throws naming what was awaited.
export async function waitFor(what, fn, timeoutMs = 20000, stepMs = 200) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, stepMs));
  }
  throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
}

// Signs in through the login form and waits for the links page.
export async function signIn(page, baseUrl, email, password) {
  await page.goto(`${baseUrl}/ui/#/login`);
  await page.waitForSelector('#login-form');
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#links-table p', {timeout: 20000});
}

// A click on a short URL from the test itself: GET without following the redirect.
export async function click(shortUrl, headers) {
  const res = await fetch(shortUrl, {redirect: 'manual', headers: Object.assign({'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36', 'Accept-Language': 'de-DE,de;q=0.9'}, headers || {})});
  await res.arrayBuffer();
  return res.status;
}

// fetch() from inside the page: same origin, with the session cookie (and a CSRF header when
// given). Returns {status, text}.
export async function pageFetch(page, path, init) {
  return page.evaluate(async ([p, i]) => {
    const res = await fetch(p, i || {});
    return {status: res.status, text: await res.text(), type: res.headers.get('Content-Type')};
  }, [path, init || null]);
}

// Parses RFC 4180 CSV (quoted cells, doubled quotes, CRLF or LF).
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else {
      cell += c;
    }
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}
