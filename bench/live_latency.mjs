// Live click stream latency: how long after a click its event arrives on GET /api/v1/live.
// Starts the real binary on 127.0.0.1 (own temp data dir, stopped by PID), opens one stream,
// then clicks N times one after another, each after a random 0-250 ms pause (a click follows
// the event of the one before, which comes right after a poll: the pause spreads the clicks
// over the stream's 250 ms poll cycle), and times click sent -> event received. That is
// an upper bound of commit -> event: it also holds the journal append, the tracker's batch and
// its commit. Not a test: prints p50/p90/p99/max (bench/RESULTS.md).
//
//   node bench/live_latency.mjs build/clicktrail [clicks=200]
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const bin = process.argv[2];
const clicks = Number(process.argv[3] || 200);
if (!bin || !fs.existsSync(bin)) {
  console.error('usage: node bench/live_latency.mjs <clicktrail binary> [clicks]');
  process.exit(2);
}
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clicktrail-live-bench-'));
const dataDir = path.join(tmp, 'data');
const logPath = path.join(tmp, 'serve.log');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const deadline = Date.now() + 300_000;  // the whole run is bounded

const key = spawnSync(bin, ['account', 'create', 'bench', '--data', dataDir], { encoding: 'utf8' })
  .stdout.trim();
const log = fs.openSync(logPath, 'a');
const server = spawn(bin, ['serve', '--data', dataDir, '--listen', '127.0.0.1:0'],
                     { stdio: ['ignore', log, log] });
let streamReq;
try {
  let port = 0;
  while (!port && Date.now() < deadline) {
    const m = /listening on 127\.0\.0\.1:(\d+)/.exec(fs.readFileSync(logPath, 'utf8'));
    if (m) port = Number(m[1]);
    else await sleep(20);
  }
  const base = `http://127.0.0.1:${port}`;
  while ((await fetch(`${base}/readyz`).catch(() => ({}))).status !== 200) await sleep(50);
  const created = await fetch(`${base}/api/v1/links`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ slug: 'bench', destination: 'https://example.com/' }),
  });
  if (created.status !== 201) throw new Error(`create link: ${created.status}`);

  // The stream: each complete event resolves the oldest waiter.
  const waiters = [];
  let buf = '';
  await new Promise((resolve, reject) => {
    streamReq = http.get(`${base}/api/v1/live`, { headers: { Authorization: `Bearer ${key}` } },
                         (res) => {
      if (res.statusCode !== 200) reject(new Error(`live: ${res.statusCode}`));
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        buf += chunk;
        let end;
        while ((end = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          if (/^event: hit$/m.test(block)) waiters.shift()?.(performance.now());
        }
      });
      resolve();
    });
    streamReq.on('error', reject);
  });

  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const click = () => new Promise((resolve, reject) => {
    http.get(`${base}/bench`, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    }).on('error', reject);
  });
  const latencies = [];
  for (let i = 0; i < clicks && Date.now() < deadline; ++i) {
    await sleep(Math.random() * 250);
    const arrived = new Promise((resolve) => waiters.push(resolve));
    const t0 = performance.now();
    const status = await click();
    if (status !== 302) throw new Error(`click: ${status}`);
    const t1 = await Promise.race([arrived, sleep(10_000).then(() => null)]);
    if (t1 === null) throw new Error(`click ${i}: no event within 10 s`);
    latencies.push(t1 - t0);
  }
  latencies.sort((a, b) => a - b);
  const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  console.log(`clicks=${latencies.length} click->event ms: p50=${q(0.5).toFixed(1)} ` +
              `p90=${q(0.9).toFixed(1)} p99=${q(0.99).toFixed(1)} max=${latencies.at(-1).toFixed(1)}`);
  agent.destroy();
} finally {
  streamReq?.destroy();
  server.kill('SIGTERM');
  await Promise.race([new Promise((r) => server.once('exit', r)), sleep(15_000)]);
  if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
  fs.rmSync(tmp, { recursive: true, force: true });
}
