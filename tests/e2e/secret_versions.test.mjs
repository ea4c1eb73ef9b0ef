// `serve --secret-versions N` on the real binary: the server keeps the last N versions of each
// secret's value (the current one included) and answers older ones as not kept (341,
// field_name version); a restore is a new version and retention applies to it too. A value
// outside 1..1000 is refused at start. The versions methods themselves: the C++ tests
// (src/api/api_versions_test.cc, src/server/versions_backends_test.cc) and official_client.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
  addSecret, api, assertApiError, assertOk, createApplication, uniqueName,
} from './lib/api.mjs';
import { serverBinary, startServer } from './lib/server.mjs';

let server;

before(async () => {
  server = await startServer({ extraArgs: ['--secret-versions', '2'] });
});

after(async () => {
  await server?.cleanup();
});

test('serve --secret-versions 2 keeps the last two versions of each value', async () => {
  const app = await createApplication(server);
  const id = await addSecret(server, app, uniqueName('S'), 'value 1');
  for (const value of ['value 2', 'value 3']) {
    assertOk(await api(server, 'SetSecretInfo',
      { application_id: app.id, secret_id: id, secret_value: value }), `SetSecretInfo ${value}`);
  }
  const versions = assertOk(await api(server, 'GetSecretVersions',
    { application_id: app.id, secret_id: id }), 'GetSecretVersions');
  assert.deepEqual(versions.result.map((v) => [v.version, v.current]), [[3, true], [2, false]]);
  assert.equal(versions.total_count, 2);
  assertApiError(await api(server, 'GetSecretValue',
    { application_id: app.id, secret_id: id, version: 1 }), 341, 'version');
  const kept = assertOk(await api(server, 'GetSecretValue',
    { application_id: app.id, secret_id: id, version: 2 }), 'version 2');
  assert.ok(kept.result[0].secret_value === 'value 2', 'version 2 keeps its value');

  assert.deepEqual(assertOk(await api(server, 'RestoreSecretVersion',
    { application_id: app.id, secret_id: id, version: 2 }), 'Restore'), { result: 1, version: 4 });
  const after = assertOk(await api(server, 'GetSecretVersions',
    { application_id: app.id, secret_id: id }), 'GetSecretVersions after the restore');
  assert.deepEqual(after.result.map((v) => v.version), [4, 3]);
});

test('serve refuses a number of versions outside 1..1000', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'voxsecrets-e2e-versions-'));
  try {
    for (const bad of ['0', '1001', 'many']) {
      const run = spawnSync(serverBinary(), ['serve', '--data-dir', dataDir, '--listen',
        '127.0.0.1:0', '--secret-versions', bad], { encoding: 'utf8', timeout: 30000 });
      assert.notEqual(run.status, 0, `--secret-versions ${bad} must be refused`);
      assert.match(run.stderr, /secret-versions/, `--secret-versions ${bad}: ${run.stderr}`);
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
