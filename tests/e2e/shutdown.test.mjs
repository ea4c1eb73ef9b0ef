// Graceful shutdown: SIGTERM/SIGINT let in-flight requests finish, the process exits 0 promptly, and
// the data is intact after a restart.

import assert from 'node:assert/strict';
import https from 'node:https';
import { after, test } from 'node:test';

import {
  addSecret, api, assertOk, createApplication, describe as show, mintToken, request, sleep,
  urlencoded,
} from './lib/api.mjs';
import { RawConnection } from './lib/raw_connection.mjs';
import { startServer } from './lib/server.mjs';

const PROMPT_EXIT_MS = 10000;

const servers = [];
after(async () => {
  for (const server of servers) await server.cleanup();
});

async function freshServer() {
  const server = await startServer();
  servers.push(server);
  return server;
}

function waitExit(server, timeoutMs) {
  const child = server.child;
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ timedOut: true }), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

test('SIGTERM: requests whose bodies are still arriving are answered; exit 0; data intact',
  { timeout: 60000 }, async () => {
    const server = await freshServer();
    const app = await createApplication(server);
    const existing = await addSecret(server, app, 'existing', 'kept across restart');
    const token = mintToken(server.credentials, { ttl: 300 });
    const N = 6;

    // N keep-alive connections, each proven accepted by a complete first request.
    const connections = [];
    for (let i = 0; i < N; i += 1) {
      const conn = await RawConnection.open(server);
      conn.send('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      const res = await conn.readResponse();
      assert.equal(res.status, 200, `warm-up request ${i}`);
      connections.push(conn);
    }
    // On each, an AddSecret whose headers and first half of the body are sent now...
    const bodies = connections.map((_, i) => urlencoded({ application_id: app.id,
      secret_name: `inflight${i}`, secret_value: `in flight ${i} ✓` }).body);
    connections.forEach((conn, i) => {
      conn.send(`POST /platform_api/AddSecret HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
        `Authorization: Bearer ${token}\r\n` +
        'Content-Type: application/x-www-form-urlencoded\r\n' +
        `Content-Length: ${bodies[i].length}\r\n\r\n`);
      conn.send(bodies[i].subarray(0, 10));
    });
    await sleep(500); // the server has read the headers by now (they follow a served request)
    // ...then the server is told to stop, and only then the rest of each body arrives.
    const exited = waitExit(server, PROMPT_EXIT_MS + 20000);
    const termAt = Date.now();
    server.child.kill('SIGTERM');
    await sleep(200);
    connections.forEach((conn, i) => conn.send(bodies[i].subarray(10)));

    const answers = await Promise.allSettled(connections.map((conn) => conn.readResponse(15000)));
    connections.forEach((conn) => conn.close());
    answers.forEach((answer, i) => {
      assert.equal(answer.status, 'fulfilled',
        `in-flight request ${i} got no answer: ${answer.reason?.message}`);
      const res = answer.value;
      assert.equal(res.status, 200, `in-flight request ${i}: ${show(res)}`);
      assert.equal(typeof res.json?.result?.[0]?.secret_id, 'number',
        `in-flight request ${i}: ${show(res)}`);
    });

    const result = await exited;
    const tookMs = Date.now() - termAt;
    assert.ok(!result.timedOut, 'the server did not exit after SIGTERM');
    assert.deepEqual(result, { code: 0, signal: null }, `exit status ${JSON.stringify(result)}`);
    assert.ok(tookMs < PROMPT_EXIT_MS, `exit took ${tookMs} ms`);

    await server.restart();
    const kept = assertOk(await api(server, 'GetSecretValue', { application_id: app.id,
      secret_id: existing }), 'existing secret after restart');
    assert.ok(kept.result[0].secret_value === 'kept across restart', 'existing value changed');
    for (let i = 0; i < N; i += 1) {
      const res = await api(server, 'GetSecretValue', { application_id: app.id,
        secret_name: `inflight${i}` });
      assert.ok(assertOk(res, `inflight${i}`).result[0].secret_value === `in flight ${i} ✓`,
        `inflight${i} value differs after restart`);
    }
  });

test('SIGTERM under load: every answer is a real answer, acknowledged writes persist',
  { timeout: 90000 }, async (t) => {
    const server = await freshServer();
    const app = await createApplication(server);
    const token = mintToken(server.credentials, { ttl: 300 });
    const agent = new https.Agent({ keepAlive: true, maxSockets: 8 });
    const acked = new Map();
    const badAnswers = [];
    let terminated = false;
    let exited = null;
    let next = 0;

    async function worker() {
      while (!terminated && next < 200) {
        const i = next;
        next += 1;
        try {
          const res = await request(server, { path: '/platform_api/AddSecret', agent,
            headers: { Authorization: `Bearer ${token}` }, timeoutMs: 20000,
            body: urlencoded({ application_id: app.id, secret_name: `load${i}`,
              secret_value: `load value ${i}` }) });
          const id = res.json?.result?.[0]?.secret_id;
          if (res.status === 200 && typeof id === 'number') acked.set(id, i);
          else badAnswers.push(`load${i}: ${show(res)}`);
        } catch (error) {
          // After the stop a refused/reset connection is fine (not an answer, not acknowledged).
          if (!terminated) badAnswers.push(`load${i}: ${error.message}`);
        }
        if (!terminated && acked.size >= 20) {
          terminated = true;
          exited = waitExit(server, PROMPT_EXIT_MS + 20000);
          server.child.kill('SIGTERM');
        }
      }
    }
    await Promise.all(Array.from({ length: 8 }, worker));
    agent.destroy();
    assert.ok(terminated, 'never reached the point of sending SIGTERM');
    assert.deepEqual(badAnswers, [], 'answers that were neither success nor connection loss');
    const result = await exited;
    assert.ok(!result.timedOut, 'the server did not exit after SIGTERM');
    assert.deepEqual(result, { code: 0, signal: null });
    t.diagnostic(`acknowledged ${acked.size} of ${next} sent before the server exited`);

    await server.restart();
    for (const [id, i] of acked) {
      const res = await api(server, 'GetSecretValue', { application_id: app.id, secret_id: id });
      assert.ok(assertOk(res, `load${i}`).result[0].secret_value === `load value ${i}`,
        `load${i} value differs after restart`);
    }
  });

test('SIGINT on an idle server: exit 0 promptly, restart keeps credentials and data',
  { timeout: 60000 }, async () => {
    const server = await freshServer();
    const app = await createApplication(server);
    const id = await addSecret(server, app, 'idle', 'idle value');
    const keyId = server.credentials.key_id;
    const started = Date.now();
    const result = await server.stop('SIGINT', PROMPT_EXIT_MS);
    assert.ok(!result.timedOut, `no exit within ${PROMPT_EXIT_MS} ms of SIGINT`);
    assert.equal(result.code, 0, `exit status ${JSON.stringify(result)}`);
    assert.ok(Date.now() - started < PROMPT_EXIT_MS);
    await server.restart();
    assert.equal(server.credentials.key_id, keyId, 'credentials were regenerated');
    const res = await api(server, 'GetSecretValue', { application_id: app.id, secret_id: id });
    assert.ok(assertOk(res, 'after SIGINT restart').result[0].secret_value === 'idle value');
  });
