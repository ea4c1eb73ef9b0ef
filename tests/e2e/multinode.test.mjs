// Two `voxsecrets serve` nodes on one PostgreSQL database (docs/DEPLOYMENT.md, "Many nodes").
//
// Node A starts first on a fresh database and bootstraps it (account, Owner key, master key);
// node B gets its own data dir (own TLS certificate), the same --store URL and A's master key.
// Shown here:
//   - a write on one node is read on the other (and the other way round);
//   - the same AddSecret name sent to both at once: exactly one succeeds, the other gets 493;
//   - DeleteKey / SetKeyRoles on one node apply on the other at its very next request (the bound
//     documented in DEPLOYMENT.md is "the next request"), also for a token, key and account the
//     other node serves from its caches (the identity cache is checked against the database's
//     change counter in every call's transaction; docs/ARCHITECTURE.md, "Caches");
//   - an account the admin CLI creates (a third process) is seen by both nodes at once;
//   - a key limited to applications: a change of its applications on one node (UpdateKey, and
//     DelApplication of its last one, which changes only key_applications) applies on the other
//     at its very next request, also for a token and key the other node serves from its caches;
//   - secret versions made on one node are read and restored on the other;
//   - the audit chain verifies (`voxsecrets audit verify --store URL`) after concurrent writes
//     on both nodes.
// Needs the PostgreSQL of scripts/test (PGHOST/PGPORT): skipped without it, failed under CI=true.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
  addSecret, api, assertApiError, assertOk, createApplication, describe as show, mintToken,
  uniqueName,
} from './lib/api.mjs';
import { createAccount } from './lib/admin_cli.mjs';
import { createDatabase, pgSkip, requirePg } from './lib/pg.mjs';
import { serverBinary, startServer } from './lib/server.mjs';

const skip = pgSkip();
let db;
let a;
let b;

before(async () => {
  if (skip) return;
  requirePg();
  db = createDatabase();
  a = await startServer({ store: db.url });
  b = await startServer({
    store: db.url,
    extraArgs: ['--master-key-file', path.join(a.dataDir, 'master.key')],
    credentials: a.credentials,
  });
});

after(async () => {
  await a?.cleanup();
  await b?.cleanup();
  db?.drop();
});

function secretValueOf(res, context) {
  const json = assertOk(res, context);
  assert.ok(Array.isArray(json.result) && json.result.length === 1, `${context}: ${show(res)}`);
  return json.result[0].secret_value;
}

test('the second node joined without bootstrapping and serves the same data', { skip }, () => {
  assert.equal(b.output().includes('bootstrap account created'), false);
  assert.ok(a.output().includes('(postgresql)'), 'node A banner names the PostgreSQL store');
  assert.ok(b.output().includes('(postgresql)'), 'node B banner names the PostgreSQL store');
  assert.equal(a.output().includes(db.url), true);
});

test('a write on one node is read on the other', { skip }, async () => {
  const app = await createApplication(a);
  const name = uniqueName('s');
  const value = `multi-node \u00e9\u{1F511} ${uniqueName('v')}`;
  const id = await addSecret(a, app, name, value);

  const onB = await api(b, 'GetSecretValue', { application_id: app.id, secret_name: name });
  assert.ok(secretValueOf(onB, 'GetSecretValue on B') === value, 'B reads the value A wrote');

  const changed = `${value} (changed on B)`;
  assertOk(await api(b, 'SetSecretInfo',
    { application_id: app.id, secret_id: id, secret_value: changed }), 'SetSecretInfo on B');
  const onA = await api(a, 'GetSecretValue', { application_id: app.id, secret_id: id });
  assert.ok(secretValueOf(onA, 'GetSecretValue on A') === changed, 'A reads the value B wrote');

  // Applications made on B are seen by A, ids come from the database.
  const app2 = await createApplication(b);
  assert.ok(app2.id > app.id, 'application ids increase across nodes');
  const listed = assertOk(await api(a, 'GetApplications', { application_id: app2.id }),
    'GetApplications on A');
  assert.equal(listed.result.length, 1);

  assertOk(await api(b, 'DelSecret', { application_id: app.id, secret_id: id }), 'DelSecret on B');
  assertApiError(await api(a, 'GetSecretValue', { application_id: app.id, secret_id: id }), 341,
    undefined, 'GetSecretValue on A after DelSecret on B');
});

test('the same AddSecret name sent to both nodes at once: one succeeds, the other gets 493',
  { skip }, async () => {
    const app = await createApplication(a);
    const ROUNDS = 20;
    const ids = [];
    for (let i = 0; i < ROUNDS; i += 1) {
      const name = uniqueName('race');
      const params = { application_id: app.id, secret_name: name, secret_value: `v${i}` };
      const answers = await Promise.all([api(a, 'AddSecret', params), api(b, 'AddSecret', params)]);
      const won = answers.filter((res) => res.status === 200 && res.json?.error === undefined);
      const lost = answers.filter((res) => res.status === 200 && res.json?.error?.code === 493);
      assert.equal(won.length, 1, `round ${i}: exactly one success: ${answers.map(show)}`);
      assert.equal(lost.length, 1, `round ${i}: the other gets 493: ${answers.map(show)}`);
      ids.push(won[0].json.result[0].secret_id);
    }
    assert.equal(new Set(ids).size, ROUNDS, 'every secret id is new');
    const listed = assertOk(await api(b, 'GetSecrets', { application_id: app.id, count: 1000 }),
      'GetSecrets');
    assert.equal(listed.total_count, ROUNDS, 'one secret per name, none twice');
  });

test('DeleteKey and role changes on one node apply on the other at its next request',
  { skip }, async () => {
    const app = await createApplication(a);
    const created = assertOk(await api(a, 'CreateKey', { role_name: 'Developer' }), 'CreateKey');
    const key = Array.isArray(created.result) ? created.result[0] : created.result;
    assert.equal(typeof key.key_id, 'string', `CreateKey: ${JSON.stringify(Object.keys(key))}`);
    const credentials = { account_id: a.credentials.account_id, key_id: key.key_id,
      private_key: key.private_key };
    const token = mintToken(credentials, { ttl: 600 });
    const asKey = (node, method, params) => api(node, method, params, { token });

    // B verifies the token once and caches it, with the key and its roles: the later calls
    // are served from B's caches.
    for (let i = 0; i < 5; i += 1) {
      assertOk(await asKey(b, 'GetSecrets', { application_id: app.id }), `Developer key on B #${i}`);
    }

    // Roles changed on A: B's very next request with the cached token sees Support only.
    assertOk(await api(a, 'SetKeyRoles', { key_id: key.key_id, role_name: 'Support' }),
      'SetKeyRoles on A');
    for (let i = 0; i < 3; i += 1) {  // and keeps seeing it from its refreshed cache
      assertApiError(await asKey(b, 'GetSecretValue', { application_id: app.id, secret_name: 'x' }),
        104, undefined, `Support may not read values on B #${i}`);
    }
    assertOk(await asKey(b, 'GetSecrets', { application_id: app.id }), 'Support may list on B');
    assertApiError(await asKey(b, 'AddSecret',
      { application_id: app.id, secret_name: uniqueName('s'), secret_value: 'x' }), 104,
    undefined, 'Support may not AddSecret on B');

    // Deleted on A: refused on B at once, with the cached token and with a fresh one.
    assertOk(await api(a, 'DeleteKey', { key_id: key.key_id }), 'DeleteKey on A');
    assertApiError(await asKey(b, 'GetSecrets', { application_id: app.id }), 100, undefined,
      'cached token of a deleted key on B');
    assertApiError(await api(b, 'GetSecrets', { application_id: app.id },
      { token: mintToken(credentials) }), 100, undefined, 'fresh token of a deleted key on B');
    assertApiError(await asKey(a, 'GetSecrets', { application_id: app.id }), 100, undefined,
      'deleted key on A');
  });

test('an account the admin CLI creates is seen by both nodes at their next request',
  { skip }, async () => {
    const creds = a.credentials;
    const nextToken = (iss) => mintToken(creds, { iss, ttl: 600 });
    // Both nodes serve the bootstrap key from their caches, and refuse (and remember refusing)
    // an account that does not exist yet.
    const probe = await createAccount(a);  // learns the next free id
    const nextId = probe.accountId + 1;
    for (const node of [a, b]) {
      for (let i = 0; i < 3; i += 1) {
        assertOk(await api(node, 'GetApplications'), `warm #${i}`);
        assertApiError(await api(node, 'GetApplications', {}, { token: nextToken(nextId) }), 100,
          undefined, `not yet an account #${i}`);
      }
    }
    // Made a child of the bootstrap account by the CLI (a third process) on the shared database.
    const child = await createAccount(a, { parent: creds.account_id });
    assert.equal(child.accountId, nextId, 'the child got the next account id');
    for (const node of [b, a]) {
      const info = assertOk(await api(node, 'GetAccountInfo', {}, { token: nextToken(nextId) }),
        'the same token acts as the child at once');
      assert.equal(info.result.account_id, nextId);
    }
  });

test('a change of a key\'s applications on one node applies on the other at its next request',
  { skip }, async () => {
    const first = await createApplication(a);
    const second = await createApplication(b);
    const firstSecret = await addSecret(a, first, uniqueName('S'), 'first-app-value');
    const secondSecret = await addSecret(b, second, uniqueName('S'), 'second-app-value');
    const made = assertOk(await api(a, 'CreateKey', { role_name: 'SecretsReader',
      application_ids: first.id }), 'CreateKey limited to the first application on A');
    const key = made.result[0];
    const token = mintToken({ account_id: a.credentials.account_id, key_id: key.key_id,
      private_key: key.private_key }, { ttl: 600 });
    const read = (node, app, id) => api(node, 'GetSecretValue',
      { application_id: app.id, secret_id: id }, { token });

    // On B (twice: the second call is a cache hit of the token): the first application only.
    for (let i = 0; i < 2; i += 1) {
      const got = assertOk(await read(b, first, firstSecret), `first application on B #${i}`);
      assert.ok(got.result[0].secret_value === 'first-app-value');
      assertApiError(await read(b, second, secondSecret), 116, 'application_id',
        `second application on B #${i}`);
    }
    const listed = assertOk(await api(b, 'GetApplications', {}, { token }), 'GetApplications on B');
    assert.deepEqual(listed.result.map((x) => x.application_id), [first.id]);

    // Moved to the second application on A: B's very next request follows.
    assertOk(await api(a, 'UpdateKey', { key_id: key.key_id, application_ids: second.id }),
      'UpdateKey on A');
    assertApiError(await read(b, first, firstSecret), 116, 'application_id',
      'first application on B after the change');
    assert.ok(assertOk(await read(b, second, secondSecret), 'second application on B')
      .result[0].secret_value === 'second-app-value');

    // Its last application deleted on A: refused on B at once, with the reason.
    assertOk(await api(a, 'DelApplication', { application_id: second.id }), 'DelApplication on A');
    const refused = assertApiError(await api(b, 'GetApplications', {}, { token }), 104, undefined,
      'a key left without applications on B');
    assert.match(refused.msg, /^Forbidden command: every application this key was limited to/);
    // Given an application again (on B), it works on A.
    assertOk(await api(b, 'UpdateKey', { key_id: key.key_id, application_ids: first.id }),
      'UpdateKey on B');
    assertOk(await read(a, first, firstSecret), 'first application on A again');
  });

test('secret versions made on one node are read and restored on the other', { skip }, async () => {
  const app = await createApplication(a);
  const id = await addSecret(a, app, uniqueName('S'), 'version one');
  assertOk(await api(b, 'SetSecretInfo',
    { application_id: app.id, secret_id: id, secret_value: 'version two' }), 'SetSecretInfo on B');
  const versions = assertOk(await api(a, 'GetSecretVersions',
    { application_id: app.id, secret_id: id }), 'GetSecretVersions on A');
  assert.deepEqual(versions.result.map((v) => v.version), [2, 1]);
  assert.deepEqual(assertOk(await api(a, 'RestoreSecretVersion',
    { application_id: app.id, secret_id: id, version: 1 }), 'Restore on A'),
  { result: 1, version: 3 });
  const onB = assertOk(await api(b, 'GetSecretValue', { application_id: app.id, secret_id: id }),
    'GetSecretValue on B');
  assert.ok(onB.result[0].secret_value === 'version one');
  assert.equal(onB.result[0].version, 3);
});

test('the audit chain verifies after concurrent writes on both nodes', { skip }, async (t) => {
  const app = await createApplication(a);
  const PER_NODE = 30;
  const writes = [];
  for (let i = 0; i < PER_NODE; i += 1) {
    for (const [node, tag] of [[a, 'a'], [b, 'b']]) {
      writes.push(api(node, 'AddSecret',
        { application_id: app.id, secret_name: `${tag}${i}x${uniqueName('w')}`, secret_value: 'v' }));
    }
  }
  const answers = await Promise.all(writes);
  answers.forEach((res, i) => assertOk(res, `concurrent AddSecret #${i}`));

  const verify = spawnSync(serverBinary(),
    ['audit', 'verify', '--data-dir', a.dataDir, '--store', db.url],
    { encoding: 'utf8', timeout: 60000 });
  assert.equal(verify.status, 0, `audit verify: ${verify.stdout}${verify.stderr}`);
  const match = /audit log intact: (\d+) chain\(s\), (\d+) record\(s\)/.exec(verify.stdout);
  assert.ok(match, `audit verify output: ${verify.stdout}`);
  t.diagnostic(verify.stdout.trim());
  assert.ok(Number(match[2]) >= 2 * PER_NODE,
    `the chain holds the concurrent writes (${match[2]} records)`);
  const audited = Number(db.query(
    "SELECT count(*) FROM audit_log WHERE method = 'AddSecret'"));
  assert.ok(audited >= 2 * PER_NODE, `AddSecret audit records: ${audited}`);
});
