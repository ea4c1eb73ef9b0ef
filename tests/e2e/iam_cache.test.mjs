// The identity cache (docs/ARCHITECTURE.md, "Caches") against writes it did not make: the admin
// CLI writes to the data dir's database beside the running server (a process of its own), and
// the server's very next request sees the change, although it served the same token and
// accounts from its cache just before. Runs on SQLite by default and on PostgreSQL with
// VOXSECRETS_TEST_STORE=postgres.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { createAccount, createKey } from './lib/admin_cli.mjs';
import { api, assertApiError, assertOk, mintToken } from './lib/api.mjs';
import { startServer } from './lib/server.mjs';

let server;

before(async () => {
  server = await startServer();
});

after(async () => {
  await server?.cleanup();
});

function as(creds, method, params = {}, tokenOptions = {}, token = undefined) {
  return api(server, method, params, { token: token ?? mintToken(creds, tokenOptions) });
}

test('an account the admin CLI creates is seen at the next request, after a cached refusal',
  async () => {
    const parent = await createAccount(server);
    // Warm the cache with the parent's key and account.
    for (let i = 0; i < 3; i += 1) {
      assertOk(await as(parent.credentials, 'GetApplications'), `parent #${i}`);
    }
    // Acting as an account that does not exist yet (the next id): refused, and remembered.
    const nextId = parent.accountId + 1;
    const asChild = mintToken(parent.credentials, { iss: nextId, ttl: 600 });
    for (let i = 0; i < 3; i += 1) {
      assertApiError(await as(parent.credentials, 'GetApplications', {}, {}, asChild), 100,
        undefined, `not a child yet #${i}`);
    }

    // The CLI, another process, creates it as the parent's child.
    const child = await createAccount(server, { parent: parent.accountId });
    assert.equal(child.accountId, nextId, 'the child got the next account id');

    // The very next request with the very same token acts as the child.
    assertOk(await as(parent.credentials, 'GetApplications', {}, {}, asChild),
      'the same token right after the CLI made the child');
    const info = assertOk(await as(parent.credentials, 'GetAccountInfo', {}, {}, asChild),
      'GetAccountInfo as the child');
    assert.equal(info.result.account_id, nextId);
  });

test('a key the admin CLI creates works at once, beside cached keys of its account', async () => {
  const owner = await createAccount(server);
  for (let i = 0; i < 3; i += 1) assertOk(await as(owner.credentials, 'GetApplications'), `#${i}`);
  const developer = await createKey(server, owner.accountId, ['Developer']);
  assertOk(await as(developer.credentials, 'GetApplications'), 'the new key at once');
  // The new key's roles, not the cached Owner key's: Developer may not manage keys.
  assertApiError(await as(developer.credentials, 'GetKeys'), 104, undefined,
    'Developer may not list keys');
  assertOk(await as(owner.credentials, 'GetKeys'), 'the Owner key still may');
});
