// The audit trail end to end: the official Node client's History.getAuditLog reads the records of
// the calls it made, with Voximplant's filters and paging; values never appear in the records,
// their export file or the answer; `voxsecrets audit verify` passes on the live data dir and
// names the record an intruder edited.
//
// The server runs with `--audit-export <file>` (JSON lines written as records commit).

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { DATE_RE, uniqueName } from './lib/api.mjs';
import { startOfficialClient } from './lib/client.mjs';
import { serverBinary, startServer } from './lib/server.mjs';

const VALUE = `audit-e2e-${uniqueName('v')}-\u00e9\u{1F511}`;

let server;
let client;
let exportDir;
let exportPath;

before(async () => {
  exportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'voxsecrets-audit-export-'));
  exportPath = path.join(exportDir, 'audit.jsonl');
  server = await startServer({ extraArgs: ['--audit-export', exportPath] });
  client = await startOfficialClient(server);
});

after(async () => {
  await client?.close();
  await server?.cleanup();
  if (exportDir) fs.rmSync(exportDir, { recursive: true, force: true });
});

async function ok(ns, fn, args) {
  const answer = await client.call(ns, fn, args);
  assert.ok(answer.ok, `${ns}.${fn} rejected: ${answer.error?.message}`);
  assert.equal(answer.value.error, undefined, `${ns}.${fn} returned ${JSON.stringify(answer.value.error)}`);
  return answer.value;
}

const date = (ms) => ({ $date: new Date(ms).toISOString() });

test('History.getAuditLog reads the calls, filtered and paged, without values', async () => {
  const started = Date.now();
  const appName = uniqueName('audit').toLowerCase();
  const app = await ok('Applications', 'addApplication', { applicationName: appName });
  const added = await ok('Secrets', 'addSecret',
    { applicationId: app.applicationId, secretName: 'AuditedSecret', secretValue: VALUE });
  const secretId = added.result[0].secretId;
  const read = await ok('Secrets', 'getSecretValue',
    { applicationId: app.applicationId, secretId });
  assert.ok(read.result[0].secretValue === VALUE, 'the value round-trips');
  await ok('Secrets', 'getSecrets', { applicationId: app.applicationId });

  const window = { fromDate: date(started - 60_000), toDate: date(Date.now() + 60_000) };
  const all = await ok('History', 'getAuditLog', { ...window, withTotalCount: true });
  assert.ok(Array.isArray(all.result));
  assert.equal(all.timezone, 'UTC');
  assert.equal(all.count, all.result.length);
  assert.ok(all.totalCount >= 4, `totalCount ${all.totalCount}`);
  const names = all.result.map((item) => item.cmdName);
  for (const name of ['AddApplication', 'AddSecret', 'GetSecretValue', 'GetSecrets']) {
    assert.ok(names.includes(name), `${name} is in the log: ${names}`);
  }
  for (const item of all.result) {
    assert.equal(typeof item.auditLogId, 'number');
    assert.equal(item.accountId, server.credentials.account_id);
    assert.match(item.requested, DATE_RE);
    assert.equal(item.ip, '127.0.0.1');
    assert.equal(typeof item.cmdArgs, 'string');
    assert.equal(typeof item.cmdResult, 'string');
  }
  const addRecord = all.result.find((item) => item.cmdName === 'AddSecret');
  const args = JSON.parse(addRecord.cmdArgs);
  assert.equal(args.secret_value, '***');
  assert.equal(args.secret_name, 'AuditedSecret');
  const result = JSON.parse(addRecord.cmdResult);
  assert.equal(result.code, 0);
  assert.deepEqual(result.secret_ids, [secretId]);
  assert.equal(result.credential, 'service_key');
  assert.equal(result.key_id, server.credentials.key_id);

  // filtered_cmd, audit_log_id, desc_order, count and offset.
  const reads = await ok('History', 'getAuditLog', { ...window, filteredCmd: 'GetSecretValue' });
  assert.equal(reads.result.length, 1);
  assert.deepEqual(JSON.parse(reads.result[0].cmdResult).secret_ids, [secretId]);
  const byId = await ok('History', 'getAuditLog', { auditLogId: addRecord.auditLogId });
  assert.deepEqual(byId.result.map((item) => item.auditLogId), [addRecord.auditLogId]);
  const desc = await ok('History', 'getAuditLog', { ...window, descOrder: true, count: 2 });
  assert.equal(desc.result.length, 2);
  assert.ok(desc.result[0].auditLogId > desc.result[1].auditLogId);
  const page = await ok('History', 'getAuditLog', { ...window, count: 1, offset: 1 });
  assert.equal(page.result[0].auditLogId, all.result[1].auditLogId);
  const byIp = await ok('History', 'getAuditLog', { ...window, filteredIp: '10.9.9.9' });
  assert.equal(byIp.result.length, 0);

  // No answer of getAuditLog and no line of the export carries the value.
  assert.ok(!JSON.stringify(all).includes(VALUE), 'getAuditLog answer carries no value');
  const exported = fs.readFileSync(exportPath, 'utf8');
  assert.ok(exported.length > 0, 'records are exported as they commit');
  assert.ok(!exported.includes(VALUE), 'the export carries no value');
  const lines = exported.trim().split('\n').map((line) => JSON.parse(line));
  assert.ok(lines.some((line) => line.cmd_name === 'GetSecretValue'
    && line.cmd_args.secret_id === String(secretId)));
});

test('audit verify passes on the live data dir and names an edited record', async (t) => {
  const bin = serverBinary();
  const intact = spawnSync(bin,
    ['audit', 'verify', '--data-dir', server.dataDir, ...server.storeArgs()], { encoding: 'utf8' });
  assert.equal(intact.status, 0, intact.stdout + intact.stderr);
  assert.match(intact.stdout, /audit log intact/);

  if (server.store) {
    t.skip('the tamper half edits the SQLite file (the server runs on --store)');
    return;
  }
  // An intruder edits a record with the sqlite3 shell.
  const db = path.join(server.dataDir, 'voxsecrets.db');
  const sql = "UPDATE audit_log SET ip = '10.6.6.6' WHERE id = (SELECT min(id) FROM audit_log)";
  let edited = false;
  try {
    execFileSync('sqlite3', [db, sql]);
    edited = true;
  } catch {
    // no sqlite3 shell
  }
  if (!edited) {
    t.skip('the sqlite3 shell is not installed: tamper half skipped');
    return;
  }
  const broken = spawnSync(bin, ['audit', 'verify', '--data-dir', server.dataDir],
    { encoding: 'utf8' });
  assert.equal(broken.status, 1, broken.stdout + broken.stderr);
  assert.match(broken.stdout, /first broken record: \d+/);
});
