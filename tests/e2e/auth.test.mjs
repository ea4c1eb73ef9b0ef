// Identity and access end to end (docs/AUTH.md): the operator commands on a running server's data
// dir, keys made by CreateKey, roles, child accounts through `iss`, isolation between accounts,
// and the token attacks, all over HTTPS against the real binary.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { createAccount, createKey, describeCli, runCli } from './lib/admin_cli.mjs';
import {
  api, assertApiError, assertOk, b64url, describe, mintToken, nowSeconds, uniqueName,
} from './lib/api.mjs';
import { startServer } from './lib/server.mjs';

let server;

before(async () => {
  server = await startServer();
});

after(async () => {
  await server?.cleanup();
});

// A request with the credentials `creds` (a credentials.json object); tokenOptions for mintToken.
function as(creds, method, params = {}, tokenOptions = {}) {
  return api(server, method, params, { token: mintToken(creds, tokenOptions) });
}

async function newApp(creds, tokenOptions = {}) {
  const name = uniqueName('app').toLowerCase();
  const json = assertOk(await as(creds, 'AddApplication', { application_name: name }, tokenOptions),
    'AddApplication');
  return { id: json.application_id, shortName: name, fullName: json.application_name };
}

test('account create writes 0600 credentials that work, and lists the account', async () => {
  const acme = await createAccount(server, { email: 'ops@acme.test' });
  assert.equal(fs.statSync(acme.credentialsPath).mode & 0o777, 0o600);
  assert.deepEqual(Object.keys(acme.credentials),
    ['account_email', 'account_id', 'key_id', 'private_key']);
  assert.equal(acme.credentials.account_id, acme.accountId);
  assert.equal(acme.credentials.key_id, acme.keyId);
  assert.match(acme.credentials.private_key, /^-----BEGIN PRIVATE KEY-----\n/);

  const info = assertOk(await as(acme.credentials, 'GetAccountInfo'), 'GetAccountInfo');
  assert.equal(info.result.account_id, acme.accountId);
  assert.equal(info.result.account_name, acme.name);
  assert.equal(info.result.account_email, 'ops@acme.test');
  // The printed api_key is a working legacy credential.
  const legacy = await api(server, 'GetAccountInfo',
    { account_id: acme.accountId, api_key: acme.apiKey }, { token: null });
  assert.equal(assertOk(legacy, 'legacy GetAccountInfo').result.account_id, acme.accountId);
  const flipped = `${acme.apiKey.slice(0, -1)}${acme.apiKey.endsWith('0') ? '1' : '0'}`;
  assertApiError(await api(server, 'GetAccountInfo',
    { account_id: acme.accountId, api_key: flipped }, { token: null }), 100);

  const list = await runCli(['account', 'list', '--data-dir', server.dataDir, ...server.storeArgs()]);
  assert.equal(list.code, 0, describeCli(list));
  assert.match(list.stdout, new RegExp(`^${acme.accountId}\\s+-\\s+${acme.name}\\s`, 'm'));
});

test('admin commands refuse a wrong data dir or master key clearly', async () => {
  const empty = fs.mkdtempSync(path.join(server.root, 'empty-'));
  for (const args of [
    ['account', 'list', '--data-dir', empty],
    ['account', 'create', '--data-dir', path.join(server.root, 'nope'), '--name', 'x', '--email', 'e'],
    ['key', 'create', '--data-dir', empty, '--account', '1', '--role', 'Owner',
      '--credentials-out', path.join(server.root, 'never.json')],
  ]) {
    const result = await runCli(args);
    assert.equal(result.code, 1, describeCli(result));
    assert.match(result.stderr, /no voxsecrets database/, describeCli(result));
  }
  assert.equal(fs.existsSync(path.join(server.root, 'never.json')), false);
  const badKey = await runCli(['account', 'list', '--data-dir', server.dataDir, ...server.storeArgs(),
    '--master-key-env', 'VS_E2E_WRONG_KEY'], { env: { ...process.env, VS_E2E_WRONG_KEY: '0'.repeat(64) } });
  assert.equal(badKey.code, 1, describeCli(badKey));
  assert.match(badKey.stderr, /master key/i, describeCli(badKey));
  const badRole = await runCli(['key', 'create', '--data-dir', server.dataDir, ...server.storeArgs(),
    '--account', '1',
    '--role', 'Wizard', '--credentials-out', path.join(server.root, 'never.json')]);
  assert.equal(badRole.code, 1, describeCli(badRole));
  assert.match(badRole.stderr, /unknown role 'Wizard'/);
});

test('key create gives a key with exactly its roles; DeleteKey stops it at once', async () => {
  const acme = await createAccount(server);
  const dev = await createKey(server, acme.accountId, ['Developer', 'CallList Manager']);
  const app = await newApp(acme.credentials);
  // Developer may read and write secrets, not create applications or keys.
  const token = mintToken(dev.credentials, { ttl: 600 });
  const added = await api(server, 'AddSecret',
    { application_id: app.id, secret_name: 'Token', secret_value: 'v1' }, { token });
  assertOk(added, 'AddSecret as Developer');
  assertApiError(await api(server, 'AddApplication', { application_name: 'nope' }, { token }), 104);
  assertApiError(await api(server, 'CreateKey', {}, { token }), 104);
  const roles = assertOk(await as(acme.credentials, 'GetKeyRoles', { key_id: dev.keyId }));
  assert.deepEqual(roles.result.map((r) => r.role_name), ['Developer', 'CallList Manager']);

  // The same token keeps working until the key is deleted, then fails on the next request.
  assertOk(await api(server, 'GetSecrets', { application_id: app.id }, { token }), 'reused');
  assertOk(await as(acme.credentials, 'DeleteKey', { key_id: dev.keyId }), 'DeleteKey');
  assertApiError(await api(server, 'GetSecrets', { application_id: app.id }, { token }), 100);
  assertApiError(await as(dev.credentials, 'GetSecrets', { application_id: app.id }), 100);
});

test('CreateKey returns a usable credentials.json; roles change on the next request', async () => {
  const acme = await createAccount(server);
  const app = await newApp(acme.credentials);
  assertOk(await as(acme.credentials, 'AddSecret',
    { application_id: app.id, secret_name: 'S', secret_value: 'x' }), 'AddSecret');
  const made = assertOk(await as(acme.credentials, 'CreateKey',
    { role_name: 'Support', key_name: 'support-bot' }), 'CreateKey');
  assert.ok(Array.isArray(made.result) && made.result.length === 1, 'CreateKey: an array of one');
  assert.deepEqual(Object.keys(made.result[0]),
    ['account_email', 'account_id', 'key_id', 'private_key']);
  const creds = made.result[0];
  assert.equal(creds.account_id, acme.accountId);
  const token = mintToken(creds, { ttl: 600 });
  assertOk(await api(server, 'GetSecrets', { application_id: app.id }, { token }), 'Support reads');
  assertApiError(await api(server, 'GetSecretValue', { application_id: app.id, secret_name: 'S' },
    { token }), 104);
  assertOk(await as(acme.credentials, 'SetKeyRoles', { key_id: creds.key_id, role_name: 'Developer' }));
  const value = await api(server, 'GetSecretValue', { application_id: app.id, secret_name: 'S' },
    { token });
  assert.notEqual(value.json?.error?.code, 104, describe(value));
  // Admin cannot grant Owner.
  const admin = assertOk(await as(acme.credentials, 'CreateKey', { role_id: '2' })).result[0];
  assertApiError(await as(admin, 'CreateKey', { role_name: 'Owner' }), 435);
  assertApiError(await as(admin, 'CreateKey', { role_id: '1', role_name: 'Owner' }), 449);
  assertApiError(await as(admin, 'CreateKey', { role_id: '999' }), 440, 'role_id');
  assertApiError(await as(admin, 'CreateKey', { role_name: 'Wizard' }), 441, 'role_name');
  assertApiError(await as(admin, 'CreateKey', { key_name: 'k'.repeat(51) }), 477, 'key_name');
  assertApiError(await as(admin, 'DeleteKey', { key_id: crypto.randomUUID() }), 433, 'key_id');
});

test('a parent key acts as its child through iss, and nothing crosses accounts', async () => {
  const parent = await createAccount(server);
  const child = await createAccount(server, { parent: parent.accountId });
  const stranger = await createAccount(server);
  const asChild = { iss: child.accountId };
  const childApp = await newApp(parent.credentials, asChild);
  const parentApp = await newApp(parent.credentials);
  const strangerApp = await newApp(stranger.credentials);
  await api(server, 'AddSecret', { application_id: childApp.id, secret_name: 'C',
    secret_value: 'child-value' }, { token: mintToken(parent.credentials, asChild) });

  // The child's own key sees what the parent made as the child.
  const value = assertOk(await as(child.credentials, 'GetSecretValue',
    { application_id: childApp.id, secret_name: 'C' }));
  assert.ok(value.result[0].secret_value === 'child-value', 'child value');
  // Acting as the child, the parent's own application does not exist (116 like any unknown id).
  const missing = await as(parent.credentials, 'GetSecrets', { application_id: 987654321 }, asChild);
  const hidden = await as(parent.credentials, 'GetSecrets', { application_id: parentApp.id }, asChild);
  assertApiError(hidden, 116, 'application_id');
  assert.equal(hidden.json.error.msg.replace(String(parentApp.id), 'ID'),
    missing.json.error.msg.replace('987654321', 'ID'));
  // No key reaches an unrelated account, and a child's key never reaches its parent.
  assertApiError(await as(parent.credentials, 'GetSecrets', { application_id: strangerApp.id },
    { iss: stranger.accountId }), 100);
  assertApiError(await as(child.credentials, 'GetSecrets', { application_id: parentApp.id },
    { iss: parent.accountId }), 100);
  assertApiError(await as(stranger.credentials, 'GetSecrets', { application_id: childApp.id },
    { iss: child.accountId }), 100);
  assertApiError(await as(stranger.credentials, 'GetSecrets', { application_id: childApp.id }), 116);
  // The parent's api_key does not open the child.
  assertApiError(await api(server, 'GetSecrets', { application_id: childApp.id,
    account_id: child.accountId, api_key: parent.apiKey }, { token: null }), 100);
  // A key made by the parent acting as the child belongs to the child.
  const childKey = assertOk(await as(parent.credentials, 'CreateKey', { role_name: 'Developer' },
    asChild)).result[0];
  assert.equal(childKey.account_id, child.accountId);
  assertOk(await as(childKey, 'GetSecrets', { application_id: childApp.id }), 'child key');
});

test('token attacks are refused with the right codes', async () => {
  const acme = await createAccount(server);
  const other = await createAccount(server);
  const creds = acme.credentials;
  const good = mintToken(creds);
  assertOk(await as(creds, 'GetAccountInfo'), 'good token');
  const [h, p, s] = good.split('.');
  const cases = [
    ['alg none', mintToken(creds, { alg: 'none' }), 100],
    ['HS256 with the public key', (() => {
      const publicPem = crypto.createPublicKey(creds.private_key).export({ type: 'spki', format: 'pem' });
      const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: creds.key_id }));
      const payload = b64url(JSON.stringify({ iss: creds.account_id, iat: nowSeconds(), exp: nowSeconds() + 60 }));
      const mac = crypto.createHmac('sha256', publicPem).update(`${header}.${payload}`).digest();
      return `${header}.${payload}.${b64url(mac)}`;
    })(), 100],
    ['swapped kid', mintToken(creds, { kid: other.keyId }), 100],
    ['foreign key under our kid', mintToken(creds, { privateKey: other.credentials.private_key }), 100],
    ['tampered payload', `${h}.${b64url(JSON.stringify({ iss: other.accountId, iat: nowSeconds(), exp: nowSeconds() + 60 }))}.${s}`, 100],
    ['tampered signature', `${h}.${p}.${s.slice(0, 10)}${s[10] === 'A' ? 'B' : 'A'}${s.slice(11)}`, 100],
    ['iss of an unrelated account', mintToken(creds, { iss: other.accountId }), 100],
    ['expired', mintToken(creds, { iat: nowSeconds() - 120, exp: nowSeconds() - 60 }), 456],
    ['issued in the future', mintToken(creds, { iat: nowSeconds() + 300, ttl: 60 }), 455],
    ['too long', mintToken(creds, { ttl: 3601 }), 454],
    ['no exp', mintToken(creds, { omit: ['exp'] }), 447],
    ['garbage', 'not-a-token', 447],
  ];
  for (const [what, token, code] of cases) {
    const res = await api(server, 'GetAccountInfo', {}, { token });
    assertApiError(res, code, undefined, what);
  }
  // A deleted key: the token that worked a moment ago fails on the very next request.
  const key = assertOk(await as(creds, 'CreateKey', { role_name: 'Admin' })).result[0];
  const token = mintToken(key, { ttl: 600 });
  assertOk(await api(server, 'GetKeys', {}, { token }), 'before delete');
  assertOk(await api(server, 'DeleteKey', { key_id: key.key_id }, { token }), 'deletes itself');
  assertApiError(await api(server, 'GetKeys', {}, { token }), 100);
});
