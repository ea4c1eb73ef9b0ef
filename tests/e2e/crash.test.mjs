// Durability: an acknowledged write survives `kill -9`.
//
// Fires AddSecret calls from 64 parallel keep-alive connections (so that the group commit puts
// many calls in each durable commit, docs/BENCHMARKS.md), records every secret whose answer
// arrived, SIGKILLs the server while requests are still in flight (some of them inside a batch
// being committed), restarts it on the same data directory and checks that every acknowledged
// secret is there with its exact name and value, and that the audit chain verifies.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import https from 'node:https';
import { after, test } from 'node:test';

import {
  api, assertOk, createApplication, describe as show, mintToken, request, urlencoded,
} from './lib/api.mjs';
import { runCli } from './lib/admin_cli.mjs';
import { startServer } from './lib/server.mjs';

const TOTAL = 3000;
const PARALLEL = 64;
const KILL_AFTER_ACKS = 800;

let server;
after(async () => {
  await server?.cleanup();
});

test('kill -9 mid-stream loses no acknowledged AddSecret', { timeout: 180000 }, async (t) => {
  server = await startServer();
  const app = await createApplication(server);
  const keyIdBefore = server.credentials.key_id;
  const token = mintToken(server.credentials, { ttl: 900 });
  const headers = { Authorization: `Bearer ${token}` };
  const agent = new https.Agent({ keepAlive: true, maxSockets: PARALLEL });

  const acked = new Map(); // secret_id -> {name, value}
  const failuresBeforeKill = [];
  let next = 0;
  let killed = false;
  let killDone = null;
  let inFlightAtKill = 0;
  let inFlight = 0;

  async function worker() {
    while (!killed && next < TOTAL) {
      const i = next;
      next += 1;
      const name = `crash${i}`;
      const value = `value ${i} ${crypto.randomBytes(8).toString('hex')} ✓\n  `;
      inFlight += 1;
      try {
        const res = await request(server, { path: '/platform_api/AddSecret', headers, agent,
          body: urlencoded({ application_id: app.id, secret_name: name, secret_value: value }),
          timeoutMs: 20000 });
        const id = res.json?.result?.[0]?.secret_id;
        if (res.status === 200 && typeof id === 'number') {
          acked.set(id, { name, value });
        } else if (!killed) {
          failuresBeforeKill.push(`${name}: ${show(res)}`);
        }
      } catch (error) {
        if (!killed) failuresBeforeKill.push(`${name}: ${error.message}`);
      } finally {
        inFlight -= 1;
      }
      if (!killed && acked.size >= KILL_AFTER_ACKS) {
        killed = true;
        inFlightAtKill = inFlight;
        killDone = server.kill9();
      }
    }
  }

  await Promise.all(Array.from({ length: PARALLEL }, worker));
  agent.destroy();
  assert.ok(killed, `the server was never killed (acks: ${acked.size})`);
  const killResult = await killDone;
  assert.equal(killResult.signal, 'SIGKILL', `server ended by ${JSON.stringify(killResult)}`);
  assert.deepEqual(failuresBeforeKill, [], 'requests failed before the kill');
  assert.ok(inFlightAtKill > 0, 'no request was in flight at the kill (test did not exercise it)');

  t.diagnostic(`acknowledged ${acked.size} of ${next} sent; ${inFlightAtKill} in flight at the kill`);

  await server.restart();
  assert.equal(server.credentials.key_id, keyIdBefore, 'restart replaced the credentials');

  const lost = [];
  const entries = [...acked.entries()];
  for (let i = 0; i < entries.length; i += PARALLEL) {
    await Promise.all(entries.slice(i, i + PARALLEL).map(async ([id, expected]) => {
      const res = await api(server, 'GetSecretValue', { application_id: app.id, secret_id: id });
      const record = res.json?.result?.[0];
      if (!record) {
        lost.push(`${expected.name} (id ${id}): ${show(res)}`);
      } else if (record.secret_name !== expected.name || record.secret_value !== expected.value) {
        lost.push(`${expected.name} (id ${id}): name or value differs after restart`);
      }
    }));
  }
  assert.deepEqual(lost, [], `${lost.length} of ${acked.size} acknowledged secrets lost`);

  const list = assertOk(await api(server, 'GetSecrets', { application_id: app.id, count: 1000 }),
    'GetSecrets after restart');
  assert.ok(list.total_count >= acked.size, `total_count ${list.total_count} < ${acked.size}`);
  const names = list.result.map((s) => s.secret_name);
  assert.equal(new Set(names).size, names.length, 'duplicate names after restart');

  // Batches cut short by the kill left no half-written chain.
  const verify = await runCli(['audit', 'verify', '--data-dir', server.dataDir,
    ...server.storeArgs()]);
  assert.equal(verify.code, 0, `audit verify after the kill: ${verify.stdout}${verify.stderr}`);

  // The store keeps working, and ids are never reused.
  const fresh = assertOk(await api(server, 'AddSecret', { application_id: app.id,
    secret_name: 'afterRestart', secret_value: 'ok' }), 'AddSecret after restart');
  const maxAcked = Math.max(...acked.keys());
  assert.ok(fresh.result[0].secret_id > maxAcked,
    `new id ${fresh.result[0].secret_id} not above acknowledged ${maxAcked}`);
});
