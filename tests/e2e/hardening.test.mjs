// Hardening (docs/SECURITY.md) against the real binary: slow and idle connections from one address
// do not keep a normal client out, saturation is answered at once with the rate-limit error and
// recovers, an anonymous flood of large junk grows the audit log by a small fixed size per call,
// plain HTTP on the TLS port gets a 400 that says to use https, the dev certificate is a leaf, and
// the audit export refuses a symbolic link.
//
// Latency bounds here are deliberately generous (the one second, measured per request on
// a loaded 2-core machine) and are about the server's behaviour under attack, not its speed.

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { api, describe as describeRes, request, urlencoded } from './lib/api.mjs';
import { serverBinary, startServer } from './lib/server.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Bytes of every file below `dir`.
function treeBytes(dir) {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    total += entry.isDirectory() ? treeBytes(full) : fs.statSync(full).size;
  }
  return total;
}

// Runs lib/slow_clients.mjs against `port` (its own process, with room for its sockets); resolves
// to a handle with the attacker's latest counts and stop().
function startAttacker(port, total, rate) {
  const script = path.join(HERE, 'lib', 'slow_clients.mjs');
  const child = spawn('sh', ['-c', 'ulimit -n 16384 2>/dev/null; exec "$0" "$@"', process.execPath,
    script, String(port), String(total), String(rate)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const handle = { latest: { opened: 0, open: 0, closed: 0, errors: 0 } };
  let pending = '';
  child.stdout.on('data', (chunk) => {
    pending += chunk;
    let nl;
    while ((nl = pending.indexOf('\n')) >= 0) {
      handle.latest = JSON.parse(pending.slice(0, nl));
      pending = pending.slice(nl + 1);
    }
  });
  handle.stop = async () => {
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
  };
  return handle;
}

// A normal client: one GET /healthz and one authenticated API call per round, each on a fresh
// connection (TLS handshake included); returns each request's latency in ms.
async function normalClient(server, rounds, pauseMs) {
  const latencies = [];
  for (let i = 0; i < rounds; ++i) {
    let started = performance.now();
    const health = await request(server, { method: 'GET', path: '/healthz', timeoutMs: 20000 });
    latencies.push(performance.now() - started);
    assert.equal(health.status, 200, `round ${i}: ${describeRes(health)}`);
    started = performance.now();
    const apps = await api(server, 'GetApplications', {});
    latencies.push(performance.now() - started);
    assert.ok(apps.json?.result, `round ${i}: ${describeRes(apps)}`);
    await sleep(pauseMs);
  }
  return latencies;
}

describe('slow and idle connections from one address', () => {
  let server;
  before(async () => {
    server = await startServer();  // default limits: 4096 connections, 256 per address
  });
  after(async () => server?.cleanup());

  test('a normal client from the same address is answered within a second throughout', async () => {
    const attacker = startAttacker(server.port, 3000, 200);
    try {
      // Let the attacker fill the address's slots and more before measuring.
      const fillDeadline = Date.now() + 30000;
      while (attacker.latest.opened < 1500 && Date.now() < fillDeadline) await sleep(200);
      assert.ok(attacker.latest.opened >= 1500, `attacker opened ${attacker.latest.opened}`);
      // The normal client keeps going until the attacker has made thousands of connections.
      const latencies = [];
      const clientDeadline = Date.now() + 60000;
      while ((latencies.length < 40 || attacker.latest.opened < 3000) &&
        Date.now() < clientDeadline) {
        latencies.push(...await normalClient(server, 1, 100));
      }
      const worst = Math.max(...latencies);
      const sorted = [...latencies].sort((a, b) => a - b);
      console.log(`attacker ${JSON.stringify(attacker.latest)}; normal client: ` +
        `${latencies.length} requests, median ${sorted[sorted.length >> 1].toFixed(0)} ms, ` +
        `worst ${worst.toFixed(0)} ms`);
      assert.ok(attacker.latest.opened >= 3000,
        `the attacker kept opening connections (${attacker.latest.opened})`);
      assert.ok(attacker.latest.closed >= 1000,
        `the server closed the slow and idle ones to make room (${attacker.latest.closed})`);
      assert.ok(worst < 1000, `every request within a second; worst ${worst.toFixed(0)} ms`);
    } finally {
      await attacker.stop();
    }
    const metrics = await request(server, { method: 'GET', path: '/metrics' });
    assert.match(metrics.text, /voxsecrets_http_evicted_connections_total\{reason="per_address"\} [1-9]/);
  });
});

describe('the whole server at its connection limit', () => {
  let server;
  before(async () => {
    server = await startServer({ extraArgs: ['--max-connections', '600',
      '--max-connections-per-ip', '0'] });
  });
  after(async () => server?.cleanup());

  test('slow connections beyond max-connections make room instead of refusing', async () => {
    const attacker = startAttacker(server.port, 1200, 200);
    try {
      const fillDeadline = Date.now() + 30000;
      while (attacker.latest.opened < 900 && Date.now() < fillDeadline) await sleep(200);
      const latencies = await normalClient(server, 10, 100);
      const worst = Math.max(...latencies);
      console.log(`attacker ${JSON.stringify(attacker.latest)}; worst ${worst.toFixed(0)} ms`);
      assert.ok(worst < 1000, `every request within a second; worst ${worst.toFixed(0)} ms`);
    } finally {
      await attacker.stop();
    }
    const metrics = await request(server, { method: 'GET', path: '/metrics' });
    assert.match(metrics.text, /voxsecrets_http_evicted_connections_total\{reason="total"\} [1-9]/);
  });
});

describe('saturation', () => {
  let server;
  before(async () => {
    // One handler thread and room for two waiting calls: CreateKey's key generation (tens of
    // milliseconds) saturates it with a few dozen concurrent calls.
    server = await startServer({ extraArgs: ['--handler-threads', '1', '--max-queued-calls', '2',
      '--max-queue-wait-ms', '3000'] });
  });
  after(async () => server?.cleanup());

  test('is answered at once with 429 and error 340, then the server recovers', async () => {
    const calls = Array.from({ length: 40 }, async () => {
      const started = performance.now();
      const res = await api(server, 'CreateKey', { role_name: 'Developer' });
      return { res, ms: performance.now() - started };
    });
    const results = await Promise.all(calls);
    const created = results.filter(({ res }) => res.status === 200 && res.json?.result);
    const refused = results.filter(({ res }) => res.status === 429);
    for (const { res } of results) {
      assert.ok(res.status === 200 || res.status === 429, describeRes(res));
    }
    assert.ok(created.length >= 1, 'some calls were served');
    assert.ok(refused.length >= 20, `most were refused at once (${refused.length})`);
    for (const { res, ms } of refused) {
      assert.equal(res.json?.error?.code, 340, describeRes(res));
      assert.equal(res.headers['retry-after'], '1');
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.ok(ms < 1000, `a refusal took ${ms.toFixed(0)} ms`);
    }
    console.log(`saturation: ${created.length} created, ${refused.length} refused; slowest ` +
      `refusal ${Math.max(...refused.map(({ ms }) => ms)).toFixed(0)} ms`);
    // Recovery: with the burst over, calls are served again.
    const again = await api(server, 'CreateKey', { role_name: 'Developer' });
    assert.equal(again.status, 200, describeRes(again));
    assert.ok(again.json?.result, describeRes(again));
    const metrics = await request(server, { method: 'GET', path: '/metrics' });
    assert.match(metrics.text, /voxsecrets_http_overloaded_total\{reason="queue_full"\} [1-9]/);
  });
});

describe('per-address request rate (token bucket, off by default)', () => {
  let server;
  before(async () => {
    server = await startServer({ extraArgs: ['--rate-limit-ip', '5'] });
  });
  after(async () => server?.cleanup());

  test('calls beyond the burst get error 340 in the usual envelope (HTTP 200)', async () => {
    const answers = [];
    for (let i = 0; i < 20; ++i) answers.push(await api(server, 'GetApplications', {}));
    const limited = answers.filter((res) => res.json?.error?.code === 340);
    assert.ok(limited.length >= 5, `limited ${limited.length} of 20`);
    for (const res of limited) assert.equal(res.status, 200, describeRes(res));
    await sleep(1500);
    const later = await api(server, 'GetApplications', {});
    assert.ok(later.json?.result, describeRes(later));
  });
});

describe('an anonymous flood of large junk', () => {
  // The documented worst case per refused call (docs/AUDIT.md "Refused calls", docs/SECURITY.md).
  const WORST_BYTES_PER_REFUSED_CALL = 1024;
  let server;
  before(async () => {
    server = await startServer();
  });
  after(async () => server?.cleanup());

  async function flood(calls, addressOf) {
    const junk = crypto.randomBytes(36 * 1024).toString('base64');  // 48 KiB of parameters
    for (let i = 0; i < calls; i += 25) {
      await Promise.all(Array.from({ length: Math.min(25, calls - i) }, (_, j) => {
        const n = i + j;
        const body = urlencoded({ application_id: '1', secret_name: 'x', junk: `${n}${junk}` });
        return request(server, { method: 'POST', path: '/platform_api/AddSecret', body,
          localAddress: addressOf(n) }).then((res) => {
          assert.equal(res.json?.error?.code, 100, describeRes(res));
        });
      }));
    }
  }

  test('grows the data dir by at most the documented worst case per call', async () => {
    await server.stop();
    const before = treeBytes(server.dataDir);
    await server.restart();
    // Every call from an address of its own: no aggregation, each call's own record.
    const calls = 500;
    await flood(calls, (n) => `127.0.${1 + Math.floor(n / 250)}.${1 + (n % 250)}`);
    await server.stop();  // a clean stop checkpoints the WAL into the database file
    const grown = treeBytes(server.dataDir) - before;
    console.log(`${calls} anonymous calls of 48 KiB from distinct addresses grew the data dir by ` +
      `${grown} bytes (${(grown / calls).toFixed(0)} per call)`);
    assert.ok(grown <= calls * WORST_BYTES_PER_REFUSED_CALL,
      `${grown} bytes for ${calls} calls exceeds ${WORST_BYTES_PER_REFUSED_CALL} per call`);
    await server.restart();
    // One address: the burst is aggregated into a record or two per second.
    await server.stop();
    const before2 = treeBytes(server.dataDir);
    await server.restart();
    await flood(calls, () => '127.0.0.1');
    await server.stop();
    const grown2 = treeBytes(server.dataDir) - before2;
    console.log(`${calls} anonymous calls from one address grew it by ${grown2} bytes`);
    assert.ok(grown2 <= calls * WORST_BYTES_PER_REFUSED_CALL / 10,
      `a burst from one address is aggregated (${grown2} bytes)`);
    await server.restart();
    // Nothing of the junk is stored, and the chain is intact.
    const exported = server.admin('audit', 'export');
    assert.doesNotMatch(exported, /junk/);
    const lines = exported.trim().split('\n').map((line) => JSON.parse(line));
    const refused = lines.filter((line) => line.cmd_args.refused);
    const counted = refused.reduce((sum, line) => sum + line.cmd_args.refused.count, 0);
    assert.equal(counted, 2 * calls, 'every refused call is counted in the trail');
    for (const line of refused) {
      assert.equal(line.cmd_name, 'AddSecret');
      assert.equal(line.result_code, 100);
      assert.equal(line.credential, 'none');
      assert.match(line.cmd_args.refused.sha256, /^[0-9a-f]{64}$/);
    }
    assert.match(server.admin('audit', 'verify'), /intact/);
  });
});

describe('plain HTTP, the certificate, the export', () => {
  let server;
  before(async () => {
    server = await startServer();
  });
  after(async () => server?.cleanup());

  test('plain HTTP on the HTTPS port gets a 400 that says to use https', async () => {
    const answer = await new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port: server.port });
      let text = '';
      socket.on('connect', () => socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n'));
      socket.on('data', (chunk) => { text += chunk.toString('latin1'); });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
      socket.setTimeout(15000, () => reject(new Error('no answer')));
    });
    assert.match(answer, /^HTTP\/1\.1 400 /);
    assert.match(answer, /\r\nContent-Type: text\/plain/i);
    assert.match(answer, /\r\nConnection: close\r\n/i);
    assert.match(answer, /https:\/\//);
    // HTTPS on the same port is unaffected.
    const health = await request(server, { method: 'GET', path: '/healthz' });
    assert.equal(health.status, 200);
  });

  test('the dev certificate is a leaf for TLS servers, not a CA', () => {
    const pem = fs.readFileSync(server.certPath);
    const cert = new crypto.X509Certificate(pem);
    assert.equal(cert.ca, false);
    assert.ok(cert.keyUsage.includes('1.3.6.1.5.5.7.3.1'), 'extendedKeyUsage serverAuth');
    assert.ok(cert.checkHost('localhost'));
    assert.ok(cert.checkIP('127.0.0.1'));
    const text = execFileSync('openssl', ['x509', '-in', server.certPath, '-noout', '-ext',
      'basicConstraints,keyUsage'], { encoding: 'utf8' });
    assert.match(text, /CA:FALSE/);
    assert.match(text, /Digital Signature, Key Encipherment/);
    assert.doesNotMatch(text, /Certificate Sign/);
  });

  test('audit export refuses a symbolic link and leaves its target alone', async () => {
    // A record to export.
    assert.ok((await api(server, 'GetApplications', {})).json?.result);
    const target = path.join(server.root, 'elsewhere.txt');
    fs.writeFileSync(target, 'keep\n');
    const link = path.join(server.root, 'audit.jsonl');
    fs.symlinkSync(target, link);
    let failure;
    try {
      execFileSync(serverBinary(), ['audit', 'export', '--data-dir', server.dataDir,
        ...server.storeArgs(), '--out', link], { encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      failure = error;
    }
    assert.ok(failure, 'the export must fail');
    assert.equal(failure.status, 2);
    assert.match(failure.stderr, /symbolic link/);
    assert.equal(fs.readFileSync(target, 'utf8'), 'keep\n');
    // A real file is fine, and is made private.
    const out = path.join(server.root, 'real.jsonl');
    fs.writeFileSync(out, '');
    fs.chmodSync(out, 0o644);
    execFileSync(serverBinary(), ['audit', 'export', '--data-dir', server.dataDir,
      ...server.storeArgs(), '--out', out], { stdio: 'pipe' });
    assert.equal(fs.statSync(out).mode & 0o777, 0o600);
    assert.ok(fs.readFileSync(out, 'utf8').length > 0);
  });
});
