// `voxsecrets backup` of a node while a writer keeps adding secrets, then `voxsecrets restore`
// into a new data dir: a node started on it serves every value acknowledged before the backup
// began (and nothing torn), byte for byte, and its audit log is the original's, record for record.
// The backup holds no master key and no plaintext value; restore refuses a non-empty target and
// a wrong master key.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

import { describeCli, runCli } from './lib/admin_cli.mjs';
import { api, assertOk, createApplication } from './lib/api.mjs';
import { startServer } from './lib/server.mjs';

const servers = [];
const dirs = [];
after(async () => {
  for (const server of servers) await server.cleanup();
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'voxsecrets-e2e-backup-'));
  dirs.push(dir);
  return dir;
}

const mode = (p) => fs.statSync(p).mode & 0o777;

async function auditLines(dataDir) {
  const result = await runCli(['audit', 'export', '--data-dir', dataDir]);
  assert.equal(result.code, 0, describeCli(result));
  const byId = new Map();
  for (const line of result.stdout.split('\n').filter(Boolean)) {
    byId.set(JSON.parse(line).audit_log_id, line);
  }
  return byId;
}

test('backup under a running writer restores into a new dir with every value and the audit ' +
  'log identical', async (t) => {
  const server = await startServer();
  servers.push(server);
  if (server.store) {
    const refused = await runCli(['backup', '--data-dir', server.dataDir, ...server.storeArgs(),
      '--out', path.join(server.root, 'x.db')]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /pg_dump/);
    t.skip('SQLite only (PostgreSQL: pg_dump, checked above)');
    return;
  }
  const app = await createApplication(server);
  const sent = new Map();   // name -> value, every AddSecret sent
  const acked = new Set();  // names acknowledged
  let stop = false;
  const writer = (async () => {
    for (let i = 0; !stop; ++i) {
      const name = `w${i}`;
      const value = `value ${i} ${crypto.randomBytes(12).toString('hex')} ✓`;
      sent.set(name, value);
      const res = await api(server, 'AddSecret',
        { application_id: app.id, secret_name: name, secret_value: value });
      assertOk(res, `AddSecret ${name}`);
      acked.add(name);
      if (i % 5 === 0) {  // reads leave audit records through the group commit
        assertOk(await api(server, 'GetSecretValue', { application_id: app.id, secret_name: name }));
      }
    }
  })();
  while (acked.size < 30) await new Promise((r) => setTimeout(r, 10));

  const backupFile = path.join(tempDir(), 'vs-backup.db');
  const ackedBefore = new Set(acked);
  const backup = await runCli(['backup', '--data-dir', server.dataDir, '--out', backupFile]);
  const ackedAfterBackup = acked.size;
  while (acked.size < ackedAfterBackup + 15) await new Promise((r) => setTimeout(r, 10));
  stop = true;
  await writer;
  t.diagnostic(`acked before the backup: ${ackedBefore.size}, after it: ${ackedAfterBackup}, at the end: ${acked.size}`);
  assert.equal(backup.code, 0, describeCli(backup));
  assert.match(backup.stdout, /backup written: /);
  assert.equal(mode(backupFile), 0o600);

  // No master key and no plaintext value in the backup.
  const bytes = fs.readFileSync(backupFile);
  const keyHex = fs.readFileSync(path.join(server.dataDir, 'master.key'), 'utf8').trim();
  assert.equal(bytes.includes(Buffer.from(keyHex)), false, 'master key (hex) in the backup');
  assert.equal(bytes.includes(Buffer.from(keyHex, 'hex')), false, 'master key (raw) in the backup');
  for (const value of sent.values()) {
    assert.equal(bytes.includes(Buffer.from(value)), false, 'a plaintext value in the backup');
  }

  // Restore: refused into a non-empty dir and with a wrong key, then done properly.
  const root = tempDir();
  const target = path.join(root, 'data');
  const masterKey = path.join(server.dataDir, 'master.key');
  fs.mkdirSync(target);
  fs.writeFileSync(path.join(target, 'something'), 'x');
  const nonEmpty = await runCli(['restore', '--in', backupFile, '--data-dir', target,
    '--master-key-file', masterKey]);
  assert.equal(nonEmpty.code, 1, describeCli(nonEmpty));
  assert.match(nonEmpty.stderr, /not an empty directory/);
  fs.rmSync(target, { recursive: true });

  const wrongKey = path.join(root, 'wrong.key');
  fs.writeFileSync(wrongKey, `${crypto.randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  const wrong = await runCli(['restore', '--in', backupFile, '--data-dir', target,
    '--master-key-file', wrongKey]);
  assert.equal(wrong.code, 1, describeCli(wrong));
  assert.match(wrong.stderr, /master key .* was refused/);
  assert.equal(fs.existsSync(target), false, 'a refused restore leaves nothing');

  const noKey = await runCli(['restore', '--in', backupFile, '--data-dir', target]);
  assert.equal(noKey.code, 1, describeCli(noKey));
  assert.match(noKey.stderr, /give the master key/);

  const restore = await runCli(['restore', '--in', backupFile, '--data-dir', target,
    '--master-key-file', masterKey]);
  assert.equal(restore.code, 0, describeCli(restore));
  assert.match(restore.stdout, /audit log intact/);
  assert.equal(mode(target), 0o700);
  assert.equal(mode(path.join(target, 'voxsecrets.db')), 0o600);
  assert.equal(fs.existsSync(path.join(target, 'master.key')), false, 'no key copied into it');

  // The audit log: the restored records are exactly the original's first ones.
  const original = await auditLines(server.dataDir);
  const restored = await auditLines(target);
  assert.ok(restored.size > 30, `restored audit records: ${restored.size}`);
  const maxId = Math.max(...restored.keys());
  for (const [id, line] of original) {
    if (id <= maxId) assert.equal(restored.get(id), line, `audit record ${id}`);
  }
  assert.equal(restored.size, [...original.keys()].filter((id) => id <= maxId).length);
  const verify = await runCli(['audit', 'verify', '--data-dir', target]);
  assert.equal(verify.code, 0, describeCli(verify));

  // A node on the restored dir serves every value, as written.
  const node = await startServer({ root, credentials: server.credentials,
    extraArgs: ['--master-key-file', masterKey] });
  servers.push(node);
  const listed = assertOk(await api(node, 'GetSecrets', { application_id: app.id, count: 1000 }));
  const names = listed.result.map((s) => s.secret_name);
  for (const name of ackedBefore) assert.ok(names.includes(name), `${name} acked before the backup`);
  assert.ok(names.length <= ackedAfterBackup + 1, `${names.length} secrets restored`);
  for (const name of names) {
    const got = assertOk(await api(node, 'GetSecretValue',
      { application_id: app.id, secret_name: name }));
    assert.equal(got.result[0].secret_value, sent.get(name), `value of ${name}`);
  }
  // The original node is unharmed and still has everything.
  const all = assertOk(await api(server, 'GetSecrets', { application_id: app.id, count: 1000 }));
  assert.equal(all.result.length, acked.size);
});
