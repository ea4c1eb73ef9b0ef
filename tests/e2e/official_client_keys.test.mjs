// The official Node client (@voximplant/apiclient-nodejs, unmodified) with keys: it creates a key
// with RoleSystem.createKey, the key it got works in a new client (with exactly its roles), the
// client's key and role methods and Accounts.getAccountInfo parse our answers, and its `accountId`
// option acts as a child account made with `voxsecrets account create --parent`. A SecretsReader
// key limited to one application, made through the API, reads there with the client and changes
// nothing.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';

import { createAccount, createKey, runCli } from './lib/admin_cli.mjs';
import {
  addSecret, api, assertApiError, assertOk, createApplication, mintToken, uniqueName,
} from './lib/api.mjs';
import { redact, startServer } from './lib/server.mjs';

const RUNNER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'official_client_calls.mjs');

let server;

before(async () => {
  server = await startServer();
});

after(async () => {
  await server?.cleanup();
});

// The calls' outcomes through the official client with `credentialsPath` (and `accountId`).
function clientCalls(credentialsPath, calls, accountId) {
  const env = { ...process.env, NODE_EXTRA_CA_CERTS: server.certPath };
  delete env.VOXIMPLANT_CREDENTIALS;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [RUNNER, credentialsPath, `127.0.0.1:${server.port}`,
      accountId === undefined ? '-' : String(accountId), JSON.stringify(calls)],
    { env, timeout: 60000 }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`official client failed: ${redact(String(stderr))}`));
        return;
      }
      resolve(JSON.parse(String(stdout)));
    });
  });
}

// Shows an outcome without private keys or secret values.
const show = (x) => redact(JSON.stringify(x, (k, v) => (k === 'secretValue' ? '<value>' : v)));

function value(outcome, what) {
  assert.ok(outcome.ok, `${what} rejected: ${show(outcome)}`);
  assert.equal(outcome.value.error, undefined, `${what} returned an error: ${show(outcome)}`);
  return outcome.value;
}

function errorCode(outcome, what) {
  assert.ok(outcome.ok, `${what} rejected: ${show(outcome)}`);
  assert.ok(outcome.value.error, `${what}: expected an error, got ${show(outcome)}`);
  return outcome.value.error.code;
}

test('a key made by RoleSystem.createKey works in the official client', async () => {
  const appName = uniqueName('keys').toLowerCase();
  const [created, app, roles, info] = await clientCalls(server.credentialsPath, [
    { ns: 'RoleSystem', fn: 'createKey', args: { roleName: 'Developer', keyName: 'from-client',
      description: 'made by the official client' } },
    { ns: 'Applications', fn: 'addApplication', args: { applicationName: appName } },
    { ns: 'RoleSystem', fn: 'getRoles', args: {} },
    { ns: 'Accounts', fn: 'getAccountInfo', args: {} },
  ]);
  const made = value(created, 'createKey').result;
  assert.ok(Array.isArray(made) && made.length === 1, `createKey result: ${show(created)}`);
  const { accountEmail, accountId, keyId, privateKey } = made[0];
  assert.equal(accountId, server.credentials.account_id);
  assert.equal(accountEmail, server.credentials.account_email);
  assert.match(privateKey, /^-----BEGIN PRIVATE KEY-----\n/);
  const appId = value(app, 'addApplication').applicationId;
  const roleList = value(roles, 'getRoles').result;
  assert.equal(roleList.length, 17);
  assert.deepEqual(roleList.find((r) => r.roleId === 3),
    { roleName: 'Support', roleId: 3, inherited: true, parentRoleId: [1, 2], guiOnly: false });
  // voxsecrets' own role (id 17) parses like Voximplant's.
  assert.deepEqual(roleList.find((r) => r.roleId === 17),
    { roleName: 'SecretsReader', roleId: 17, inherited: false, guiOnly: false });
  const account = value(info, 'getAccountInfo').result;
  assert.equal(account.accountId, server.credentials.account_id);
  assert.equal(account.active, true);
  assert.equal(account.frozen, false);
  // access_entries is Voximplant's own member (string[]); voxsecrets' `key` member (the calling
  // key's roles, for the control panel) is unknown to the client, which leaves it out.
  assert.ok(Array.isArray(account.accessEntries) && account.accessEntries.includes('AddSecret') &&
    account.accessEntries.includes('GetAuditLog'), `accessEntries: ${show(info)}`);
  assert.equal(account.key, undefined);

  // Saved as credentials.json (the client's camelCase back to the file's members).
  const credentialsPath = path.join(server.root, 'client-made.json');
  fs.writeFileSync(credentialsPath, JSON.stringify({ account_email: accountEmail,
    account_id: accountId, key_id: keyId, private_key: privateKey }), { mode: 0o600 });
  const [added, listed, forbidden] = await clientCalls(credentialsPath, [
    { ns: 'Secrets', fn: 'addSecret', args: { applicationId: appId, secretName: 'FromNewKey',
      secretValue: 'v' } },
    { ns: 'Secrets', fn: 'getSecrets', args: { applicationId: appId } },
    { ns: 'Applications', fn: 'addApplication', args: { applicationName: `${appName}x` } },
  ]);
  assert.equal(typeof value(added, 'addSecret').result[0].secretId, 'number');
  assert.equal(value(listed, 'getSecrets').totalCount, 1);
  assert.equal(errorCode(forbidden, 'addApplication as Developer'), 104);

  // The key and role methods parse our answers.
  const [keys, keyRoles, updated, removed, set] = await clientCalls(server.credentialsPath, [
    { ns: 'RoleSystem', fn: 'getKeys', args: { keyId, withRoles: true } },
    { ns: 'RoleSystem', fn: 'getKeyRoles', args: { keyId, withExpandedRoles: true } },
    { ns: 'RoleSystem', fn: 'updateKey', args: { keyId, keyName: 'renamed', description: 'd' } },
    { ns: 'RoleSystem', fn: 'removeKeyRoles', args: { keyId, roleName: 'Developer' } },
    { ns: 'RoleSystem', fn: 'setKeyRoles', args: { keyId, roleId: [3, 5] } },
  ]);
  // (The client passes the roles nested in a KeyView through its request-side transformer, so
  // they keep their wire names.)
  assert.deepEqual(value(keys, 'getKeys').result, [{ keyId, keyName: 'from-client',
    description: 'made by the official client',
    roles: [{ role_id: 5, role_name: 'Developer', inherited: false }] }]);
  assert.deepEqual(value(keyRoles, 'getKeyRoles').result,
    [{ roleId: 5, roleName: 'Developer', inherited: false }]);
  assert.equal(value(updated, 'updateKey').result, 1);
  assert.equal(value(removed, 'removeKeyRoles').result, 1);
  assert.equal(value(set, 'setKeyRoles').result, 1);
  const [after, deleted, gone] = await clientCalls(server.credentialsPath, [
    { ns: 'RoleSystem', fn: 'getKeyRoles', args: { keyId } },
    { ns: 'RoleSystem', fn: 'deleteKey', args: { keyId } },
    { ns: 'RoleSystem', fn: 'getKeys', args: { keyId } },
  ]);
  assert.deepEqual(value(after, 'getKeyRoles').result.map((r) => r.roleId), [3, 5]);
  assert.equal(value(deleted, 'deleteKey').result, 1);
  assert.equal(errorCode(gone, 'getKeys of a deleted key'), 433);
  const [refused] = await clientCalls(credentialsPath, [
    { ns: 'Secrets', fn: 'getSecrets', args: { applicationId: appId } }]);
  assert.equal(errorCode(refused, 'the deleted key'), 100);
});

test('the client option accountId acts as a child account', async () => {
  const parentId = server.credentials.account_id;
  const child = await createAccount(server, { parent: parentId });
  const stranger = await createAccount(server);
  const appName = uniqueName('child').toLowerCase();
  const [info, app] = await clientCalls(server.credentialsPath, [
    { ns: 'Accounts', fn: 'getAccountInfo', args: {} },
    { ns: 'Applications', fn: 'addApplication', args: { applicationName: appName } },
  ], child.accountId);
  assert.equal(value(info, 'getAccountInfo as child').result.accountId, child.accountId);
  assert.equal(value(info, 'getAccountInfo as child').result.accountName, child.name);
  const created = value(app, 'addApplication as child');
  assert.equal(created.applicationName, `${appName}.${child.name}.voximplant.com`);
  const [added, keyMade] = await clientCalls(server.credentialsPath, [
    { ns: 'Secrets', fn: 'addSecret', args: { applicationId: created.applicationId,
      secretName: 'ChildSecret', secretValue: 'child-value' } },
    { ns: 'RoleSystem', fn: 'createKey', args: { roleName: 'Support' } },
  ], child.accountId);
  value(added, 'addSecret as child');
  assert.equal(value(keyMade, 'createKey as child').result[0].accountId, child.accountId);

  // The child's own key (made by the CLI) sees it; the parent's own account does not.
  const res = await api(server, 'GetSecretValue', { application_id: created.applicationId,
    secret_name: 'ChildSecret' }, { token: mintToken(child.credentials) });
  assert.ok(assertOk(res, 'child reads').result[0].secret_value === 'child-value');
  assertApiError(await api(server, 'GetSecrets', { application_id: created.applicationId }), 116);
  // accountId of an account that is not a child of the key's account.
  const [refused] = await clientCalls(server.credentialsPath, [
    { ns: 'Accounts', fn: 'getAccountInfo', args: {} }], stranger.accountId);
  assert.equal(errorCode(refused, 'accountId of a stranger'), 100);
});

test('a SecretsReader key limited to its application reads with the client and cannot write',
  async () => {
    const mine = await createApplication(server);
    const theirs = await createApplication(server);
    const mineSecret = await addSecret(server, mine, 'DbPassword', 'reader-can-see-this');
    await addSecret(server, theirs, 'OtherPassword', 'not-for-the-reader');
    // The recommended setup (docs/AUTH.md): a reader key per service, limited to its application.
    const made = assertOk(await api(server, 'CreateKey', { role_name: 'SecretsReader',
      application_names: mine.shortName, key_name: 'billing-service' }), 'CreateKey');
    const credentials = made.result[0];
    const keys = assertOk(await api(server, 'GetKeys',
      { key_id: credentials.key_id, with_roles: true }), 'GetKeys');
    assert.deepEqual(keys.result[0].application_ids, [mine.id]);
    assert.deepEqual(keys.result[0].roles, [{ role_id: 17, role_name: 'SecretsReader',
      inherited: false }]);
    const credentialsPath = path.join(server.root, 'reader.json');
    fs.writeFileSync(credentialsPath, JSON.stringify(credentials), { mode: 0o600 });

    const [read, list, apps, roles, add, set, del, other, addApp, delApp] = await clientCalls(
      credentialsPath, [
        { ns: 'Secrets', fn: 'getSecretValue', args: { applicationId: mine.id,
          secretId: mineSecret } },
        { ns: 'Secrets', fn: 'getSecrets', args: { applicationName: mine.fullName } },
        { ns: 'Applications', fn: 'getApplications', args: {} },
        { ns: 'RoleSystem', fn: 'getRoles', args: {} },
        { ns: 'Secrets', fn: 'addSecret', args: { applicationId: mine.id, secretName: 'New',
          secretValue: 'x' } },
        { ns: 'Secrets', fn: 'setSecretInfo', args: { applicationId: mine.id,
          secretId: mineSecret, secretValue: 'overwritten' } },
        { ns: 'Secrets', fn: 'delSecret', args: { applicationId: mine.id, secretId: mineSecret } },
        { ns: 'Secrets', fn: 'getSecretValue', args: { applicationId: theirs.id,
          secretName: 'OtherPassword' } },
        { ns: 'Applications', fn: 'addApplication', args: { applicationName: uniqueName('r')
          .toLowerCase() } },
        { ns: 'Applications', fn: 'delApplication', args: { applicationId: mine.id } },
      ]);
    assert.ok(value(read, 'getSecretValue').result[0].secretValue === 'reader-can-see-this',
      'the reader reads its value');
    assert.equal(value(list, 'getSecrets').totalCount, 1);
    assert.deepEqual(value(apps, 'getApplications').result.map((a) => a.applicationId), [mine.id]);
    assert.equal(value(roles, 'getRoles').result.length, 17);
    assert.equal(errorCode(add, 'addSecret as reader'), 104);
    assert.equal(errorCode(set, 'setSecretInfo as reader'), 104);
    assert.equal(errorCode(del, 'delSecret as reader'), 104);
    assert.equal(errorCode(other, 'another application'), 116);
    assert.equal(errorCode(addApp, 'addApplication as reader'), 104);
    assert.equal(errorCode(delApp, 'delApplication as reader'), 104);
    // Nothing changed.
    const check = assertOk(await api(server, 'GetSecretValue',
      { application_id: mine.id, secret_id: mineSecret }), 'GetSecretValue as owner');
    assert.ok(check.result[0].secret_value === 'reader-can-see-this');
    assert.equal(check.result[0].version, 1);
    // Raw calls of the reader: versions are readable, a restore is not.
    const token = mintToken(credentials);
    assertOk(await api(server, 'GetSecretVersions',
      { application_id: mine.id, secret_id: mineSecret }, { token }), 'GetSecretVersions');
    assertApiError(await api(server, 'RestoreSecretVersion',
      { application_id: mine.id, secret_id: mineSecret, version: 1 }, { token }), 104);
  });

test('voxsecrets key create --application makes a key limited to those applications', async () => {
  const mine = await createApplication(server);
  const theirs = await createApplication(server);
  const mineSecret = await addSecret(server, mine, 'CliKeyPassword', 'cli-reader-value');
  const theirsSecret = await addSecret(server, theirs, 'CliKeyOther', 'not-for-this-key');
  const key = await createKey(server, server.credentials.account_id, ['SecretsReader'],
    { applications: [mine.fullName] });
  const token = mintToken(key.credentials);
  const apps = assertOk(await api(server, 'GetApplications', {}, { token }), 'GetApplications');
  assert.deepEqual(apps.result.map((a) => a.application_id), [mine.id]);
  const read = assertOk(await api(server, 'GetSecretValue',
    { application_id: mine.id, secret_id: mineSecret }, { token }), 'GetSecretValue');
  assert.ok(read.result[0].secret_value === 'cli-reader-value');
  assertApiError(await api(server, 'GetSecretValue',
    { application_id: theirs.id, secret_id: theirsSecret }, { token }), 116, 'application_id');
  assertApiError(await api(server, 'SetSecretInfo',
    { application_id: mine.id, secret_id: mineSecret, secret_value: 'x' }, { token }), 104);
  const keys = assertOk(await api(server, 'GetKeys', { key_id: key.keyId }), 'GetKeys');
  assert.deepEqual(keys.result[0].application_ids, [mine.id]);

  // An application the account does not have: refused, naming it, and no key is made.
  const before = assertOk(await api(server, 'GetKeys', {}), 'GetKeys').total_count;
  const refused = await runCli(['key', 'create', '--data-dir', server.dataDir,
    ...server.storeArgs(), '--account', String(server.credentials.account_id), '--role',
    'SecretsReader', '--application', mine.shortName, '--application', 'nosuchapp',
    '--credentials-out', `${server.root}/refused.json`]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /no application 'nosuchapp'/);
  assert.equal(assertOk(await api(server, 'GetKeys', {}), 'GetKeys').total_count, before);
});
