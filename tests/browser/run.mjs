// Browser end-to-end tests: runs every tests/browser/*.test.mjs (each exports
// `async function run(ctx)`) against the real binary in headless Chromium (Debian's chromium,
// driven by playwright-core with executablePath). Each test gets its own server (a fresh temp
// data dir, 127.0.0.1 on a port the kernel picks, stopped by PID at the end), a demo account
// with an API key, and a fresh browser profile; so tests share nothing and may run in any order.
//
//   CLICKTRAIL_BIN=build/clicktrail ARTIFACTS_DIR=build/browser-artifacts \
//     node tests/browser/run.mjs [name-substring...]
//
// Exit 0 when every test passed; 1 with each failing test's name and message otherwise.
// Screenshots (ctx.screenshot, and one of the page when a test fails) and the failing test's
// server log go to ARTIFACTS_DIR.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = process.env.CLICKTRAIL_BIN;
const artifacts = path.resolve(process.env.ARTIFACTS_DIR || 'browser-artifacts');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const testTimeoutMs = Number(process.env.BROWSER_TEST_TIMEOUT_MS || 90_000);

// Everything this run started, so a signal (ctest's timeout) or a crash still stops it by PID.
const children = new Set();
const cleanups = new Set();
function killChildren() {
  for (const c of children) {
    try {
      process.kill(c.pid, 'SIGKILL');
    } catch {}
  }
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    killChildren();
    process.exit(1);
  });
}
process.on('exit', killChildren);

function fail(msg) {
  console.error(`browser_tests: ${msg}`);
  process.exit(1);
}

let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch (e) {
  fail(`playwright-core is not installed in ${here}/node_modules (run scripts/install-deps.sh): ${e.message}`);
}
if (!bin || !fs.existsSync(bin)) fail(`CLICKTRAIL_BIN (${bin}) is not the clicktrail binary`);
if (!fs.existsSync(chromiumPath)) fail(`${chromiumPath} is missing (apt-get install chromium)`);
fs.mkdirSync(artifacts, { recursive: true });

// Rejects after `ms` with `what` in the message; the timer never keeps the process alive.
function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function runCli(args, input) {
  const r = spawnSync(bin, args, { input: input ?? '', encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) {
    throw new Error(`clicktrail ${args.join(' ')} exited ${r.status}: ${r.stderr || r.error}`);
  }
  return r.stdout.trim();
}

// `clicktrail serve` on 127.0.0.1:0; resolves once the log names the port and /readyz is 200.
async function startServer(dataDir, logPath) {
  const log = fs.openSync(logPath, 'a');
  const child = spawn(bin, ['serve', '--data', dataDir, '--listen', '127.0.0.1:0'], {
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  children.add(child);
  const exited = new Promise((resolve) => child.once('exit', (code, sig) => resolve(code ?? sig)));
  const deadline = Date.now() + 30_000;
  let port = 0;
  while (Date.now() < deadline && child.exitCode === null) {
    const m = /listening on 127\.0\.0\.1:(\d+)/.exec(fs.readFileSync(logPath, 'utf8'));
    if (m) {
      port = Number(m[1]);
      break;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const server = { child, exited, port, baseUrl: `http://127.0.0.1:${port}` };
  while (port && Date.now() < deadline && child.exitCode === null) {
    try {
      const r = await fetch(`${server.baseUrl}/readyz`);
      if (r.status === 200) return server;
    } catch {}
    await new Promise((r) => setTimeout(r, 50));
  }
  await stopServer(server);
  throw new Error(`server did not become ready: ${fs.readFileSync(logPath, 'utf8').slice(-2000)}`);
}

// SIGTERM by PID, then SIGKILL if it has not exited within 15 s.
async function stopServer(server) {
  if (server.child.exitCode === null && server.child.signalCode === null) {
    server.child.kill('SIGTERM');
    try {
      await withTimeout(server.exited, 15_000, 'server stop');
    } catch {
      server.child.kill('SIGKILL');
      await server.exited;
    }
  }
  children.delete(server.child);
}

async function runOne(file) {
  const name = path.basename(file, '.test.mjs');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `clicktrail-browser-${name}-`));
  const dataDir = path.join(tmp, 'data');
  const logPath = path.join(tmp, 'serve.log');
  let server;
  let context;
  let page;
  try {
    const apiKey = runCli(['account', 'create', 'demo', '--data', dataDir]);
    server = await startServer(dataDir, logPath);
    const base = server.baseUrl;
    // A Bearer call of the public API, JSON in and out: for setting up what a test looks at.
    const api = async (method, urlPath, body, key = apiKey) => {
      const r = await fetch(base + urlPath, {
        method,
        headers: {
          Authorization: `Bearer ${key}`,
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await r.text();
      let json = null;
      try {
        json = JSON.parse(text);
      } catch {}
      return { status: r.status, headers: r.headers, json, text };
    };
    const account = await api('GET', '/api/v1/account');
    if (account.status !== 200) throw new Error(`GET /api/v1/account: ${account.status} ${account.text}`);
    context = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
      executablePath: chromiumPath,
      headless: true,
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ],
      viewport: { width: 1280, height: 800 },
    });
    context.setDefaultTimeout(15_000);
    page = context.pages()[0] ?? (await context.newPage());
    const ctx = {
      name,
      baseUrl: base,
      port: server.port,
      dataDir,
      apiKey,
      accountId: account.json.id,
      api,
      browser: context,
      page,
      // A user of the demo account (the CLI reads the password from stdin); returns
      // {id, email, password, role}.
      createUser(email, role = 'owner', password = `pw-${randomBytes(9).toString('base64url')}`) {
        const out = runCli(
          ['user', 'create', email, '--account', String(account.json.id), '--role', role,
           '--data', dataDir],
          `${password}\n`);
        return { id: Number(out.split('\n').pop()), email, password, role };
      },
      // Another account (for isolation tests); returns its API key.
      createAccount(accountName) {
        return runCli(['account', 'create', accountName, '--data', dataDir]);
      },
      // Saves <ARTIFACTS_DIR>/<test>-<shot>.png of the whole page (or of `p`).
      async screenshot(shot, p = page) {
        const file = path.join(artifacts, `${name}-${shot}.png`);
        await p.screenshot({ path: file, fullPage: true });
        return file;
      },
      // Registers a function run after the test, before the server stops (e.g. closing
      // connections the test opened).
      defer(fn) {
        cleanups.add(fn);
      },
    };
    const mod = await import(pathToFileURL(file).href);
    if (typeof mod.run !== 'function') throw new Error('does not export async function run(ctx)');
    await withTimeout(mod.run(ctx), mod.timeoutMs ?? testTimeoutMs, name);
    return null;
  } catch (e) {
    if (page) {
      await withTimeout(page.screenshot({ path: path.join(artifacts, `${name}-FAILED.png`) }),
                        10_000, 'failure screenshot').catch(() => {});
    }
    if (fs.existsSync(logPath)) fs.copyFileSync(logPath, path.join(artifacts, `${name}-serve.log`));
    return e;
  } finally {
    for (const fn of cleanups) await Promise.resolve(fn()).catch(() => {});
    cleanups.clear();
    if (context) await withTimeout(context.close(), 15_000, 'browser close').catch(() => {});
    if (server) await stopServer(server);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

const filters = process.argv.slice(2);
const files = fs
  .readdirSync(here)
  .filter((f) => f.endsWith('.test.mjs'))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort()
  .map((f) => path.join(here, f));
if (files.length === 0) fail(`no tests matched in ${here}`);

const failures = [];
for (const file of files) {
  const name = path.basename(file, '.test.mjs');
  const started = Date.now();
  const err = await runOne(file);
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (err) {
    failures.push(name);
    console.log(`FAIL ${name} (${secs} s): ${err.stack || err}`);
  } else {
    console.log(`ok   ${name} (${secs} s)`);
  }
}
console.log(`${files.length - failures.length}/${files.length} browser tests passed; artifacts in ${artifacts}`);
if (failures.length) {
  console.log(`failed: ${failures.join(', ')}`);
  process.exit(1);
}
