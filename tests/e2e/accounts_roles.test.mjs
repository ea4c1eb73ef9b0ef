// Roles, account isolation and child accounts, end to end. Accounts and keys are made with the
// binary's own admin commands (`voxsecrets account create`, `voxsecrets key create`) on the running
// server's data directory; calls go over HTTPS with tokens made from the resulting credentials.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  api, assertApiError, assertOk, createApplication, mintToken, uniqueName,
} from './lib/api.mjs';
import { startOfficialClient } from './lib/client.mjs';
import { startServer } from './lib/server.mjs';

let server;
let owner; // bootstrap Owner credentials
let app; // an application of the bootstrap account
let secretId;

before(async () => {
  server = await startServer();
  owner = server.credentials;
  app = await createApplication(server);
  const res = await api(server, 'AddSecret', { application_id: app.id, secret_name: 'shared',
    secret_value: 'owner value' });
  secretId = assertOk(res, 'AddSecret').result[0].secret_id;
});

after(async () => {
  await server?.cleanup();
});

// A call made with `credentials`, optionally acting as account `iss`.
function as(credentials, method, params, iss) {
  return api(server, method, params,
    { token: mintToken(credentials, iss === undefined ? {} : { iss }) });
}

describe('roles (docs/DECISIONS.md: a key without a permitted role gets 104)', () => {
  // [method, params maker, allowed roles]
  const calls = [
    ['AddSecret', () => ({ application_id: app.id, secret_name: uniqueName('r'),
      secret_value: 'v' }), ['Owner', 'Admin', 'Developer']],
    ['GetSecretValue', () => ({ application_id: app.id, secret_id: secretId }),
      ['Owner', 'Admin', 'Developer']],
    ['SetSecretInfo', () => ({ application_id: app.id, secret_id: secretId,
      description: 'touched' }), ['Owner', 'Admin', 'Developer']],
    ['DelSecret', () => ({ application_id: app.id, secret_name: 'doesNotExist' }),
      ['Owner', 'Admin', 'Developer']],
    ['GetSecrets', () => ({ application_id: app.id }), ['Owner', 'Admin', 'Developer', 'Support']],
    ['GetApplications', () => ({}), ['Owner', 'Admin', 'Developer', 'Support']],
    ['AddApplication', () => ({ application_name: uniqueName('ra').toLowerCase() }),
      ['Owner', 'Admin']],
    ['SetApplicationInfo', () => ({ application_id: app.id }), ['Owner', 'Admin']],
    ['DelApplication', () => ({ application_name: 'no-such-application' }), ['Owner']],
  ];

  for (const role of ['Admin', 'Developer', 'Support']) {
    test(`${role} key`, async () => {
      const key = server.createKey({ account: owner.account_id, roles: [role] });
      for (const [method, params, allowed] of calls) {
        const res = await as(key, method, params());
        if (allowed.includes(role)) {
          assert.notEqual(res.json?.error?.code, 104, `${role} may call ${method}`);
          assert.notEqual(res.json?.error?.code, 100, `${role} key rejected on ${method}`);
        } else {
          assertApiError(res, 104, undefined, `${role} calling ${method}`);
        }
      }
      // The role is checked before the parameters.
      if (role === 'Support') {
        assertApiError(await as(key, 'AddSecret', {}), 104, undefined, 'role before parameters');
      }
    });
  }

  test('a key with several roles has the union of their rights', async () => {
    const key = server.createKey({ account: owner.account_id, roles: ['Support', 'Developer'] });
    const res = await as(key, 'GetSecretValue', { application_id: app.id, secret_id: secretId });
    assert.ok(assertOk(res, 'Support+Developer GetSecretValue').result[0].secret_value ===
      'owner value');
    assertApiError(await as(key, 'AddApplication', { application_name: 'nope' }), 104);
  });
});

describe('accounts are isolated', () => {
  test('another account sees none of this account\'s applications or secrets', async () => {
    const other = server.createAccount({ name: uniqueName('other').toLowerCase() });
    assert.notEqual(other.account_id, owner.account_id);
    const list = assertOk(await as(other, 'GetApplications', { count: 1000 }), 'GetApplications');
    assert.ok(!list.result.some((a) => a.application_id === app.id), 'foreign app listed');
    // Answered exactly like an application that does not exist.
    assertApiError(await as(other, 'GetSecrets', { application_id: app.id }), 116);
    assertApiError(await as(other, 'GetSecretValue', { application_id: app.id,
      secret_id: secretId }), 116);
    assertApiError(await as(other, 'GetSecrets', { application_name: app.fullName }), 558);
    assertApiError(await as(other, 'AddSecret', { application_id: app.id, secret_name: 'x',
      secret_value: 'y' }), 116);
    const ownApp = assertOk(await as(other, 'AddApplication', { application_name: app.shortName }),
      'the same short name in another account');
    assert.notEqual(ownApp.application_name, app.fullName);
    assertApiError(await as(other, 'GetSecretValue', { application_id: ownApp.application_id,
      secret_id: secretId }), 341);
    assertApiError(await as(other, 'DelSecret', { application_id: ownApp.application_id,
      secret_id: secretId }), 341);
    // Still there for its owner.
    assertOk(await api(server, 'GetSecretValue', { application_id: app.id, secret_id: secretId }),
      'owner still reads its secret');
    // A key cannot act as an unrelated account.
    assertApiError(await as(other, 'GetApplications', {}, owner.account_id), 100);
    assertApiError(await as(owner, 'GetApplications', {}, other.account_id), 100);
  });
});

describe('child accounts (iss names a child of the key\'s account)', () => {
  test('the parent\'s key acts as the child; the child\'s key cannot act as the parent',
    async () => {
      const childName = uniqueName('child').toLowerCase();
      const child = server.createAccount({ name: childName, parent: owner.account_id });
      const added = assertOk(await as(owner, 'AddApplication',
        { application_name: 'kidapp' }, child.account_id), 'AddApplication as the child');
      assert.equal(added.application_name, `kidapp.${childName}.voximplant.com`);
      const kidSecret = assertOk(await as(owner, 'AddSecret', { application_name: 'kidapp',
        secret_name: 'kid', secret_value: 'child value' }, String(child.account_id)),
      'AddSecret as the child (iss as a string)').result[0].secret_id;

      const childView = assertOk(await as(child, 'GetSecretValue',
        { application_id: added.application_id, secret_id: kidSecret }), 'child reads');
      assert.ok(childView.result[0].secret_value === 'child value');
      const parentView = assertOk(await as(owner, 'GetApplications', { count: 1000 }),
        'parent lists its own');
      assert.ok(!parentView.result.some((a) => a.application_id === added.application_id),
        'the child\'s application is listed for the parent itself');
      assertApiError(await as(owner, 'GetSecrets', { application_id: added.application_id }), 116,
        undefined, 'parent acting as itself on the child\'s app');
      assertApiError(await as(child, 'GetApplications', {}, owner.account_id), 100,
        undefined, 'child key acting as the parent');
    });

  test('the official client\'s accountId option reaches the child', async () => {
    const childName = uniqueName('kid').toLowerCase();
    const child = server.createAccount({ name: childName, parent: owner.account_id });
    const client = await startOfficialClient(server, { accountId: child.account_id });
    try {
      const answer = await client.call('Applications', 'addApplication',
        { applicationName: 'viaclient' });
      assert.ok(answer.ok && !answer.value.error, JSON.stringify(answer));
      assert.equal(answer.value.applicationName, `viaclient.${childName}.voximplant.com`);
      const secret = await client.call('Secrets', 'addSecret', {
        applicationName: 'viaclient', secretName: 'childSecret', secretValue: 'c' });
      assert.ok(secret.ok && !secret.value.error, 'addSecret as the child');
      const listed = assertOk(await as(child, 'GetSecrets',
        { application_id: answer.value.applicationId }), 'child lists');
      assert.deepEqual(listed.result.map((s) => s.secret_name), ['childSecret']);
    } finally {
      await client.close();
    }
  });
});
