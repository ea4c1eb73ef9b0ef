// `voxsecrets migrate`: a node on SQLite, with several accounts, keys, applications, deleted
// secrets, rotated data keys and an audit log, is refused while it runs, then copied (stopped)
// into a throwaway PostgreSQL database. A node on PostgreSQL with the same master key then serves
// every secret to the official Node client, with the same ids and values; `audit verify --store`
// passes; new ids continue above the old ones; a second migrate into the (now non-empty) database
// is refused and changes nothing.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, test } from 'node:test';

import { createAccount, createKey, describeCli, runCli } from './lib/admin_cli.mjs';
import { addSecret, api, assertOk, createApplication } from './lib/api.mjs';
import { startOfficialClient } from './lib/client.mjs';
import { createDatabase, pgSkip, requirePg } from './lib/pg.mjs';
import { startServer } from './lib/server.mjs';

const cleanups = [];
after(async () => {
  for (const fn of cleanups.reverse()) await fn();
});

test('SQLite node → empty PostgreSQL: same ids, values and audit chain; the official client ' +
  'reads every secret from a node on PostgreSQL', { skip: pgSkip() }, async () => {
  requirePg();
  // The source is a SQLite node whatever VOXSECRETS_TEST_STORE says.
  const source = await startServer({ store: '' });
  cleanups.push(() => source.cleanup());
  assert.equal(source.store, '');

  // Data worth copying: a second account with its own key, applications, secrets with unicode
  // and binary-looking values, deletions (id gaps), a rotated data key, reads (audit records).
  const other = await createAccount(source, { name: 'migrated-other' });
  await createKey(source, other.accountId, ['Developer']);
  const written = new Map();  // `${appId}/${name}` -> {id, value}
  const apps = [];
  for (let a = 0; a < 3; ++a) {
    const app = await createApplication(source);
    apps.push(app);
    for (let i = 0; i < 12; ++i) {
      const name = `s${i}`;
      const value = `värde ${a}.${i} ✓ ${'x'.repeat(i * 50)}`;
      const id = await addSecret(source, app, name, value);
      written.set(`${app.id}/${name}`, { id, value });
    }
    // Delete two (the highest id among them included): ids must not be reused after the copy.
    for (const name of ['s3', 's11']) {
      assertOk(await api(source, 'DelSecret', { application_id: app.id, secret_name: name }));
      written.delete(`${app.id}/${name}`);
    }
  }
  const rotate = await runCli(['keys', 'rotate-app', '--data-dir', source.dataDir, '--account',
    String(source.credentials.account_id), '--application', apps[0].shortName]);
  assert.equal(rotate.code, 0, describeCli(rotate));
  const after = await addSecret(source, apps[0], 'afterRotation', 'new key version');
  written.set(`${apps[0].id}/afterRotation`, { id: after, value: 'new key version' });
  assertOk(await api(source, 'GetSecretValue', { application_id: apps[1].id, secret_name: 's1' }));
  // The highest secret id ever handed out belongs to a deleted secret.
  const maxSecretId = await addSecret(source, apps[2], 'deletedLast', 'gone');
  assertOk(await api(source, 'DelSecret', { application_id: apps[2].id, secret_name: 'deletedLast' }));

  const db = createDatabase();
  cleanups.push(() => db.drop());

  // Refused while the node runs: nothing is written to the target.
  const running = await runCli(['migrate', '--data-dir', source.dataDir, '--to', db.url]);
  assert.equal(running.code, 1, describeCli(running));
  assert.match(running.stderr, new RegExp(`server is running on .* \\(pid ${source.pid}\\); stop it`));
  assert.equal(db.query("SELECT count(*) FROM pg_tables WHERE tablename = 'secrets'"), '0');

  const stopped = await source.stop();
  assert.equal(stopped.code, 0);
  const originalAudit = await runCli(['audit', 'export', '--data-dir', source.dataDir]);
  assert.equal(originalAudit.code, 0, describeCli(originalAudit));

  const migrated = await runCli(['migrate', '--data-dir', source.dataDir, '--to', db.url]);
  assert.equal(migrated.code, 0, describeCli(migrated));
  assert.match(migrated.stdout, /^ {2}accounts +2$/m, 'progress per kind of row');
  assert.match(migrated.stdout, new RegExp(`^ {2}secrets +${written.size}$`, 'm'));
  assert.match(migrated.stdout, /audit log intact on the target/);
  assert.doesNotMatch(migrated.stdout + migrated.stderr, /password/);

  // The audit log on PostgreSQL: verified, and the same records.
  const verify = await runCli(['audit', 'verify', '--data-dir', source.dataDir, '--store', db.url]);
  assert.equal(verify.code, 0, describeCli(verify));
  const copiedAudit = await runCli(['audit', 'export', '--data-dir', source.dataDir, '--store',
    db.url]);
  assert.equal(copiedAudit.stdout, originalAudit.stdout);

  // A second migrate into the now non-empty database is refused and changes nothing.
  const again = await runCli(['migrate', '--data-dir', source.dataDir, '--to', db.url]);
  assert.equal(again.code, 1, describeCli(again));
  assert.match(again.stderr, /not empty/);
  assert.equal(Number(db.query('SELECT count(*) FROM secrets')), written.size);

  // A node on PostgreSQL with the same master key; the bootstrap credentials of the old node.
  const node = await startServer({ store: db.url, credentials: source.credentials,
    extraArgs: ['--master-key-file', `${source.dataDir}/master.key`] });
  cleanups.push(() => node.cleanup());
  const client = await startOfficialClient(node, { credentialsPath: source.credentialsPath });
  cleanups.push(() => client.close());
  const call = async (ns, fn, args) => {
    const answer = await client.call(ns, fn, args);
    assert.ok(answer.ok && answer.value.error === undefined,
      `${ns}.${fn}: ${JSON.stringify(answer, (k, v) => (k === 'secretValue' ? '<value>' : v))}`);
    return answer.value;
  };
  let seen = 0;
  for (const app of apps) {
    const listed = await call('Secrets', 'getSecrets', { applicationId: app.id, count: 1000 });
    const expected = [...written.entries()].filter(([key]) => key.startsWith(`${app.id}/`));
    assert.equal(listed.result.length, expected.length, `secrets of application ${app.id}`);
    for (const [key, { id, value }] of expected) {
      const name = key.slice(key.indexOf('/') + 1);
      const item = listed.result.find((s) => s.secretName === name);
      assert.ok(item, `${name} listed`);
      assert.equal(item.secretId, id, `${name} keeps its id`);
      const got = await call('Secrets', 'getSecretValue', { applicationId: app.id, secretName: name });
      assert.equal(got.result[0].secretId, id);
      assert.ok(got.result[0].secretValue === value, `value of ${name} differs`);
      seen += 1;
    }
  }
  assert.equal(seen, written.size);
  // The other account and its key came along.
  const otherNode = await runCli(['account', 'list', '--data-dir', node.dataDir, '--store', db.url,
    '--master-key-file', `${source.dataDir}/master.key`]);
  assert.equal(otherNode.code, 0, describeCli(otherNode));
  assert.match(otherNode.stdout, /migrated-other/);

  // New ids go on above every id the SQLite node ever handed out (deleted ones included).
  const fresh = await call('Secrets', 'addSecret',
    { applicationId: apps[0].id, secretName: 'onPostgres', secretValue: 'v' });
  assert.ok(fresh.result[0].secretId > maxSecretId,
    `new secret id ${fresh.result[0].secretId} <= ${maxSecretId}`);
  const app = await call('Applications', 'addApplication', { applicationName: 'onpg' });
  assert.ok(app.applicationId > Math.max(...apps.map((a) => a.id)));
  assert.ok(fs.existsSync(source.dataDir), 'the source is left as it was');
});
