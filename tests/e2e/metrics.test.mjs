// GET /metrics after real calls: per-method request counts by error code and the per-method
// latency histogram with the right counts, the state series (caches, audit, store pool, master
// key, connections), and --metrics-listen moving /metrics to a plain-HTTP listener of its own.

import assert from 'node:assert/strict';
import http from 'node:http';
import { after, test } from 'node:test';

import { addSecret, api, assertApiError, assertOk, createApplication, request } from './lib/api.mjs';
import { startServer } from './lib/server.mjs';

const servers = [];
after(async () => {
  for (const server of servers) await server.cleanup();
});

// Prometheus text → Map of `name{labels}` → number (labels as printed, sorted by the server).
function parseMetrics(text) {
  const samples = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(\S+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    assert.ok(m, `not a sample line: ${line}`);
    samples.set(m[1], Number(m[2]));
  }
  return samples;
}

function sample(samples, key) {
  assert.ok(samples.has(key), `no series ${key}`);
  return samples.get(key);
}

function plainGet(port, path) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    }).on('error', reject);
  });
}

test('per-method counts by code and the latency histogram match the calls made', async () => {
  const server = await startServer();
  servers.push(server);
  const app = await createApplication(server);                                  // AddApplication 0
  await addSecret(server, app, 'one', 'v1');                                    // AddSecret 0
  await addSecret(server, app, 'two', 'v2');                                    // AddSecret 0
  assertApiError(await api(server, 'AddSecret',
    { application_id: app.id, secret_name: 'one', secret_value: 'x' }), 493);  // AddSecret 493
  for (let i = 0; i < 3; ++i) {
    assertOk(await api(server, 'GetSecrets', { application_id: app.id }));     // GetSecrets 0
  }
  assertApiError(await api(server, 'GetSecrets', { application_id: app.id }, { token: null }),
    100);                                                                       // GetSecrets 100
  const value = assertOk(await api(server, 'GetSecretValue',
    { application_id: app.id, secret_name: 'two' }));                          // GetSecretValue 0
  assert.equal(value.result[0].secret_value, 'v2');
  assertApiError(await api(server, 'NoSuchMethod', {}), 103);                   // unknown 103
  assertApiError(await api(server, encodeURIComponent('Evil"Method\nx'), {}), 103);  // unknown 103

  const res = await request(server, { method: 'GET', path: '/metrics' });
  assert.equal(res.status, 200);
  assert.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/);
  const m = parseMetrics(res.text);
  const count = (method, code) =>
    sample(m, `voxsecrets_api_requests_total{code="${code}",method="${method}"}`);
  assert.equal(count('AddApplication', 0), 1);
  assert.equal(count('AddSecret', 0), 2);
  assert.equal(count('AddSecret', 493), 1);
  assert.equal(count('GetSecrets', 0), 3);
  assert.equal(count('GetSecrets', 100), 1);
  assert.equal(count('unknown', 103), 2);
  assert.equal(count('GetSecretValue', 0), 1);
  assert.equal(count('DelSecret', 0), 0);
  const hist = (method, suffix, le) => sample(m, `voxsecrets_api_request_duration_seconds_${suffix}` +
    `{${le === undefined ? '' : ''}method="${method}"${le === undefined ? '' : `,le="${le}"`}}`);
  assert.equal(hist('GetSecrets', 'count'), 4);
  assert.equal(hist('AddSecret', 'count'), 3);
  assert.equal(hist('unknown', 'count'), 2);
  assert.equal(hist('GetSecretValue', 'count'), 1);
  assert.equal(hist('DelSecret', 'count'), 0);
  assert.equal(hist('GetSecrets', 'bucket', '+Inf'), 4);
  assert.ok(hist('GetSecrets', 'sum') > 0);
  // Buckets are cumulative and never exceed the count.
  let previous = 0;
  for (const le of ['0.0005', '0.001', '0.0025', '0.005', '0.01', '0.025', '0.05', '0.1', '0.25',
    '0.5', '1', '2.5', '5', '10', '+Inf']) {
    const v = hist('AddSecret', 'bucket', le);
    assert.ok(v >= previous && v <= 3, `bucket le=${le}: ${v}`);
    previous = v;
  }
  assert.equal(previous, 3);
  // No caller-chosen method name became a label.
  assert.doesNotMatch(res.text, /NoSuchMethod|Evil/);

  // The state series are there, with values that follow from the calls.
  assert.equal(sample(m, 'voxsecrets_master_key_version'), 1);
  assert.ok(sample(m, 'voxsecrets_cache_requests_total{cache="data_key",result="hit"}') +
    sample(m, 'voxsecrets_cache_requests_total{cache="data_key",result="miss"}') >= 1);
  // Every call with a bearer token looks it up (8 of them; identical tokens minted within one
  // second are hits).
  assert.ok(sample(m, 'voxsecrets_cache_requests_total{cache="verified_token",result="hit"}') +
    sample(m, 'voxsecrets_cache_requests_total{cache="verified_token",result="miss"}') >= 8);
  assert.ok(m.has('voxsecrets_cache_requests_total{cache="public_key",result="hit"}'));
  assert.ok(sample(m, 'voxsecrets_audit_records_total') >= 10);
  assert.ok(sample(m, 'voxsecrets_audit_batch_size_count') >= 1);
  assert.equal(sample(m, 'voxsecrets_audit_queue_length'), 0);
  const pool = server.store ? 'postgresql' : 'sqlite_write';
  assert.ok(sample(m, `voxsecrets_store_pool_wait_seconds_count{pool="${pool}"}`) >= 3);
  assert.equal(sample(m, 'voxsecrets_http_connections{state="handling"}'), 1, 'this scrape');
  assert.ok(m.has('voxsecrets_http_connections{state="idle"}'));
  assert.match(res.text, /voxsecrets_build_info\{commit="[^"]+",version="\d+\.\d+\.\d+"\} 1/);
});

test('--metrics-listen serves /metrics over plain HTTP and takes it off the main port', async () => {
  const server = await startServer({ extraArgs: ['--metrics-listen', '127.0.0.1:0'] });
  servers.push(server);
  const port = Number(/metrics: +http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(server.output())?.[1]);
  assert.ok(port > 0, `no metrics address in the banner:\n${server.output()}`);
  assertOk(await api(server, 'GetApplications', {}));

  const main = await request(server, { method: 'GET', path: '/metrics' });
  assert.equal(main.status, 404, 'the clients\' port no longer serves /metrics');
  const health = await request(server, { method: 'GET', path: '/healthz' });
  assert.equal(health.status, 200);

  const scraped = await plainGet(port, '/metrics');
  assert.equal(scraped.status, 200);
  const m = parseMetrics(scraped.body);
  assert.equal(sample(m, 'voxsecrets_api_requests_total{code="0",method="GetApplications"}'), 1);
  assert.equal(sample(m, 'voxsecrets_http_requests_total{route="not_found",status="404"}'), 1);
  for (const path of ['/platform_api/GetApplications', '/healthz']) {
    assert.equal((await plainGet(port, path)).status, 404, `${path} on the metrics port`);
  }
});
