// A soak run against the real binary (scripts/soak MINUTES): a mixed load for MINUTES minutes,
// printing the server's resident memory, open files and threads every minute, then a verdict.
//
// The load, all at once, on one server (SQLite in a fresh data dir, default limits):
//  - writers: AddSecret and SetSecretInfo in a few applications (4 concurrent);
//  - readers: GetSecretValue and GetSecrets, checking every value read (8 concurrent);
//  - refused calls: anonymous AddSecret with 16 KiB of junk parameters (2 concurrent);
//  - slow clients: tests/e2e/lib/slow_clients.mjs holding 600 slow and idle connections;
//  - rotations: `keys rotate-app` every 2 minutes and `keys rotate-master` every 5 minutes.
// It fails (exit 1) when a request gets an answer other than the expected result (error 340 or
// HTTP 429 counts as expected under load, and is counted), when a value reads back wrong, or when
// memory, open files or threads grow after the warm-up: the last sample above 1.25 × the one
// after minute 2 (+16 MiB of slack), open files above minute 1's + 64, threads at all.
// Values and tokens are never printed.

import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { api, createApplication, request, sleep, urlencoded } from '../e2e/lib/api.mjs';
import { serverBinary, startServer } from '../e2e/lib/server.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const minutes = Number(process.argv[2] ?? 30);
assert.ok(minutes >= 1, 'usage: soak.mjs MINUTES');

const counts = { write: 0, read: 0, refused: 0, busy: 0, rotations: 0, failures: 0 };
const failures = [];
let stopping = false;

function fail(what) {
  counts.failures += 1;
  if (failures.length < 20) failures.push(what);
}

function sample(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)[1]);
  return { rssKiB: field('VmRSS'), threads: field('Threads'),
    files: fs.readdirSync(`/proc/${pid}/fd`).length };
}

function busy(res) {
  return res.status === 429 || res.json?.error?.code === 340;
}

function runCli(args) {
  return new Promise((resolve) => {
    execFile(serverBinary(), args, { encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ code: error ? (error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

const server = await startServer();
const apps = [];
for (let i = 0; i < 4; ++i) apps.push(await createApplication(server));
const values = new Map();  // `${appId}/${secretId}` -> value
const setting = new Map();  // `${appId}/${secretId}` -> a value being set right now

async function writer(n) {
  // The secrets this writer made (no other writer uses its names): `${appId}/${name}` -> id.
  const ids = new Map();
  for (let i = 0; !stopping; ++i) {
    const app = apps[(n + i) % apps.length];
    const value = crypto.randomBytes(24).toString('base64');
    const name = `soak_${n}_${i % 500}`;
    let res;
    try {
      res = await api(server, 'AddSecret', { application_id: app.id, secret_name: name,
        secret_value: value });
    } catch (error) {
      fail(`AddSecret: ${error.code ?? error.message}`);
      continue;
    }
    if (busy(res)) { counts.busy += 1; continue; }
    if (res.json?.error?.code === 493) {
      // Already there (the names cycle): set its value instead. (GetSecrets has no exact name
      // filter: asking it with secret_name listed the application's first secrets, so four
      // writers set the same secret at once and readers saw each other's values.)
      const id = ids.get(`${app.id}/${name}`);
      if (id === undefined) { fail(`AddSecret ${name}: 493 for a name this writer never added`); continue; }
      setting.set(`${app.id}/${id}`, value);
      const set = await api(server, 'SetSecretInfo', { application_id: app.id, secret_id: id,
        secret_value: value });
      setting.delete(`${app.id}/${id}`);
      if (busy(set)) { counts.busy += 1; continue; }
      if (set.json?.result !== 1) { fail(`SetSecretInfo ${set.status} ${set.json?.error?.code}`); continue; }
      values.set(`${app.id}/${id}`, value);
    } else if (Array.isArray(res.json?.result)) {
      ids.set(`${app.id}/${name}`, res.json.result[0].secret_id);
      values.set(`${app.id}/${res.json.result[0].secret_id}`, value);
    } else {
      fail(`AddSecret ${res.status} ${res.json?.error?.code}`);
      continue;
    }
    counts.write += 1;
  }
}

async function reader() {
  while (!stopping) {
    const keys = [...values.keys()];
    if (keys.length === 0) { await sleep(50); continue; }
    const key = keys[Math.floor(Math.random() * keys.length)];
    const expected = values.get(key);
    const pending = setting.get(key);
    const [appId, secretId] = key.split('/').map(Number);
    let res;
    try {
      res = await api(server, 'GetSecretValue', { application_id: appId, secret_id: secretId });
    } catch (error) {
      fail(`GetSecretValue: ${error.code ?? error.message}`);
      continue;
    }
    if (busy(res)) { counts.busy += 1; continue; }
    const got = res.json?.result?.[0]?.secret_value;
    // A writer may be setting a newer value meanwhile: that one, or the one now expected, is
    // right too.
    if (![expected, pending, setting.get(key), values.get(key)].includes(got)) {
      // Never the value itself in the output: what came instead, by kind.
      const what = got === undefined
        ? `HTTP ${res.status}, error ${res.json?.error?.code} ${res.json?.error?.msg ?? ''}`
        : 'another value';
      fail(`GetSecretValue ${key}: wrong value (${what})`);
    }
    counts.read += 1;
  }
}

async function refuser() {
  const junk = crypto.randomBytes(12 * 1024).toString('base64');
  for (let i = 0; !stopping; ++i) {
    try {
      const res = await request(server, { method: 'POST', path: '/platform_api/AddSecret',
        body: urlencoded({ application_id: '1', secret_name: 'x', junk: `${i}${junk}` }) });
      if (res.json?.error?.code === 100) counts.refused += 1;
      else if (busy(res)) counts.busy += 1;
      else fail(`anonymous AddSecret ${res.status} ${res.json?.error?.code}`);
    } catch (error) {
      fail(`anonymous AddSecret: ${error.code ?? error.message}`);
    }
  }
}

async function rotations() {
  const accountId = String(server.credentials.account_id);
  for (let minute = 1; !stopping; ++minute) {
    for (let s = 0; s < 60 && !stopping; ++s) await sleep(1000);
    if (stopping) break;
    if (minute % 2 === 0) {
      const app = apps[minute % apps.length];
      const r = await runCli(['keys', 'rotate-app', '--data-dir', server.dataDir,
        ...server.storeArgs(), '--account', accountId, '--application', app.shortName]);
      if (r.code !== 0) fail(`keys rotate-app: ${r.stderr.trim().slice(0, 200)}`);
      else counts.rotations += 1;
    }
    if (minute % 5 === 0) {
      const r = await runCli(['keys', 'rotate-master', '--data-dir', server.dataDir,
        ...server.storeArgs()]);
      if (r.code !== 0) fail(`keys rotate-master: ${r.stderr.trim().slice(0, 200)}`);
      else counts.rotations += 1;
    }
  }
}

const slow = spawn('sh', ['-c', 'ulimit -n 16384 2>/dev/null; exec "$0" "$@"', process.execPath,
  path.join(HERE, '../e2e/lib/slow_clients.mjs'), String(server.port), '600', '50'],
{ stdio: ['ignore', 'pipe', 'inherit'] });
let slowLatest = '{}';
slow.stdout.on('data', (chunk) => {
  const lines = String(chunk).trim().split('\n');
  slowLatest = lines[lines.length - 1];
});

const workers = [
  ...Array.from({ length: 4 }, (_, n) => writer(n)),
  ...Array.from({ length: 8 }, () => reader()),
  refuser(), refuser(), rotations(),
];

const samples = [];
const started = Date.now();
console.log(`soak: ${minutes} min against pid ${server.pid} (data dir ${server.dataDir})`);
console.log('minute  rss_MiB  files  threads  writes  reads  refused  busy  rotations  failures  slow_clients');
for (let minute = 0; minute <= minutes; ++minute) {
  if (minute > 0) await sleep(Math.max(0, started + minute * 60000 - Date.now()));
  const s = sample(server.pid);
  samples.push(s);
  console.log(`${String(minute).padStart(6)}  ${(s.rssKiB / 1024).toFixed(1).padStart(7)}  ` +
    `${String(s.files).padStart(5)}  ${String(s.threads).padStart(7)}  ` +
    `${String(counts.write).padStart(6)}  ${String(counts.read).padStart(5)}  ` +
    `${String(counts.refused).padStart(7)}  ${String(counts.busy).padStart(4)}  ` +
    `${String(counts.rotations).padStart(9)}  ${String(counts.failures).padStart(8)}  ${slowLatest}`);
}
stopping = true;
slow.kill('SIGTERM');
await Promise.all(workers);
const verify = await runCli(['audit', 'verify', '--data-dir', server.dataDir, ...server.storeArgs()]);
const stop = await server.stop();
await server.cleanup();

const problems = [...failures];
if (verify.code !== 0) problems.push(`audit verify: ${verify.stdout}${verify.stderr}`);
if (stop.code !== 0) problems.push(`the server exited with ${stop.code} ${stop.signal}`);
const warm = samples[Math.min(2, samples.length - 1)];
const last = samples[samples.length - 1];
if (last.rssKiB > warm.rssKiB * 1.25 + 16 * 1024) {
  problems.push(`memory grew from ${warm.rssKiB} KiB (minute 2) to ${last.rssKiB} KiB`);
}
// Under load from minute 1 on (the slow clients hold a few hundred connections).
const loaded = samples[Math.min(1, samples.length - 1)];
if (last.files > loaded.files + 64) {
  problems.push(`open files grew from ${loaded.files} (minute 1) to ${last.files}`);
}
if (last.threads > loaded.threads) {
  problems.push(`threads grew from ${loaded.threads} (minute 1) to ${last.threads}`);
}
if (counts.write === 0 || counts.read === 0 || counts.refused === 0) {
  problems.push(`the load did not run every kind of call: ${JSON.stringify(counts)}`);
}
if (problems.length > 0) {
  console.log(`soak: FAILED\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`soak: ok; memory ${(warm.rssKiB / 1024).toFixed(1)} MiB at minute 2, ` +
  `${(last.rssKiB / 1024).toFixed(1)} MiB at the end; ${JSON.stringify(counts)}`);
