// The official Voximplant Node client (@voximplant/apiclient-nodejs 4.11.0, unmodified) against the
// real voxsecrets server: all five secrets methods and the four application methods, through the
// client's own API — with secret versions on (every changed value keeps the previous ones, and
// GetSecretValue answers an extra `version` member the client must ignore). The client runs in a
// child process with NODE_EXTRA_CA_CERTS pointing at the server's dev certificate, exactly as a
// user would trust it.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { DATE_RE, api, assertApiError, assertOk, sleep, uniqueName } from './lib/api.mjs';
import { startOfficialClient } from './lib/client.mjs';
import { startServer } from './lib/server.mjs';

let server;
let client;

before(async () => {
  server = await startServer();
  client = await startOfficialClient(server);
});

after(async () => {
  await client?.close();
  await server?.cleanup();
});

// Shows an answer without secret values.
function show(answer) {
  return JSON.stringify(answer, (key, value) =>
    (key === 'secretValue' || key === 'secret_value' ? '<value>' : value));
}

// A successful call: the promise resolved and the body carried no error.
async function ok(ns, fn, args) {
  const answer = await client.call(ns, fn, args);
  assert.ok(answer.ok, `${ns}.${fn} rejected: ${show(answer)}`);
  assert.equal(answer.value.error, undefined, `${ns}.${fn} returned an error: ${show(answer)}`);
  return answer.value;
}

// An API error as the client surfaces it: the promise resolves with {error: {code, msg, ...}}.
async function apiError(ns, fn, args, code, fieldName) {
  const answer = await client.call(ns, fn, args);
  const context = `${ns}.${fn}(${show(args)})`;
  assert.ok(answer.ok, `${context} rejected instead of returning error ${code}: ${show(answer)}`);
  const { error } = answer.value;
  assert.ok(error, `${context}: expected error ${code}, got ${show(answer)}`);
  assert.equal(error.code, code, `${context}: expected error ${code}, got ${show(answer)}`);
  assert.equal(typeof error.msg, 'string', `${context}: no msg`);
  assert.equal(answer.value.result, undefined, `${context}: error answer carries result`);
  if (fieldName !== undefined) {
    assert.equal(error.field_name, fieldName, `${context}: field_name: ${show(answer)}`);
  }
  return error;
}

async function newApplication(prefix = 'app') {
  const shortName = uniqueName(prefix).toLowerCase();
  const value = await ok('Applications', 'addApplication', { applicationName: shortName });
  return { id: value.applicationId, shortName, fullName: value.applicationName };
}

async function addSecret(app, secretName, secretValue, extra = {}) {
  const value = await ok('Secrets', 'addSecret',
    { applicationId: app.id, secretName, secretValue, ...extra });
  assert.ok(Array.isArray(value.result) && value.result.length === 1,
    `addSecret result: ${show(value)}`);
  assert.equal(typeof value.result[0].secretId, 'number', `addSecret id: ${show(value)}`);
  return value.result[0].secretId;
}

async function readSecret(app, target) {
  const value = await ok('Secrets', 'getSecretValue', { applicationId: app.id, ...target });
  assert.ok(Array.isArray(value.result) && value.result.length === 1,
    `getSecretValue result: ${show(value)}`);
  return value.result[0];
}

async function listAll(app, extra = {}) {
  return ok('Secrets', 'getSecrets', { applicationId: app.id, count: 1000, ...extra });
}

test('TLS is verified: without the dev certificate trusted the client refuses the server',
  async () => {
    const untrusting = await startOfficialClient(server, { trustCert: false });
    try {
      const answer = await untrusting.call('Applications', 'getApplications', {});
      assert.equal(answer.ok, false, `call succeeded without trusting the certificate`);
      assert.match(`${answer.error.code} ${answer.error.message}`, /CERT|certificate/i);
    } finally {
      await untrusting.close();
    }
  });

test('Applications: addApplication, getApplications, setApplicationInfo, delApplication',
  async () => {
    const shortName = uniqueName('appl').toLowerCase();
    const added = await ok('Applications', 'addApplication', { applicationName: shortName });
    assert.equal(added.result, 1);
    assert.equal(typeof added.applicationId, 'number');
    assert.match(added.applicationName, new RegExp(`^${shortName}\\.[^.]+\\.voximplant\\.com$`),
      `full application name: ${added.applicationName}`);
    if (added.secureRecordStorage !== undefined) {
      assert.equal(added.secureRecordStorage, false);
    }

    const byId = await ok('Applications', 'getApplications', { applicationId: added.applicationId });
    assert.equal(byId.result.length, 1, show(byId));
    assert.equal(byId.count, 1);
    assert.equal(byId.totalCount, 1);
    assert.equal(byId.result[0].applicationId, added.applicationId);
    assert.equal(byId.result[0].applicationName, added.applicationName);
    assert.match(String(byId.result[0].modified), DATE_RE);

    const all = await ok('Applications', 'getApplications', { count: 1000 });
    assert.ok(all.result.some((a) => a.applicationId === added.applicationId), show(all));
    assert.equal(all.count, all.result.length);
    assert.ok(all.totalCount >= all.count);

    const byNamePart = await ok('Applications', 'getApplications', { applicationName: shortName });
    assert.ok(byNamePart.result.some((a) => a.applicationId === added.applicationId),
      `application_name filter: ${show(byNamePart)}`);

    const renamed = uniqueName('renamed').toLowerCase();
    const set = await ok('Applications', 'setApplicationInfo',
      { applicationId: added.applicationId, applicationName: renamed });
    assert.equal(set.result, 1);
    const accountPart = added.applicationName.slice(shortName.length);
    assert.equal(set.applicationName, `${renamed}${accountPart}`);
    const afterRename = await ok('Applications', 'getApplications',
      { applicationId: added.applicationId });
    assert.equal(afterRename.result[0].applicationName, `${renamed}${accountPart}`);

    const secure = await ok('Applications', 'addApplication',
      { applicationName: uniqueName('sec').toLowerCase(), secureRecordStorage: true });
    if (secure.secureRecordStorage !== undefined) assert.equal(secure.secureRecordStorage, true);

    const deleted = await ok('Applications', 'delApplication', { applicationId: added.applicationId });
    assert.equal(deleted.result, 1);
    const remaining = await ok('Applications', 'getApplications', { count: 1000 });
    assert.ok(!remaining.result.some((a) => a.applicationId === added.applicationId),
      'deleted application still listed');
    assert.ok(remaining.result.some((a) => a.applicationId === secure.applicationId));
    const deletedByName = await ok('Applications', 'delApplication',
      { applicationName: secure.applicationName });
    assert.equal(deletedByName.result, 1);
  });

test('addSecret/getSecretValue by application id, short name and full name; by id and by name',
  async () => {
    const app = await newApplication();
    const name = uniqueName('Key');
    const id = await addSecret(app, name, 'value-1', { description: 'first key' });

    const viaShort = await ok('Secrets', 'addSecret',
      { applicationName: app.shortName, secretName: `${name}_short`, secretValue: 'v2' });
    const viaFull = await ok('Secrets', 'addSecret',
      { applicationName: app.fullName, secretName: `${name}_full`, secretValue: 'v3' });
    assert.ok(viaShort.result[0].secretId > id, 'ids ascend');
    assert.ok(viaFull.result[0].secretId > viaShort.result[0].secretId, 'ids ascend');

    const byId = await readSecret(app, { secretId: id });
    assert.equal(byId.secretId, id);
    assert.equal(byId.secretName, name);
    assert.ok(byId.secretValue === 'value-1', 'value read by id differs');
    assert.equal(byId.description, 'first key');
    assert.match(String(byId.created), DATE_RE);
    assert.match(String(byId.modified), DATE_RE);

    const byName = await readSecret(app, { secretName: name });
    assert.equal(byName.secretId, id);
    assert.ok(byName.secretValue === 'value-1', 'value read by name differs');

    const byAppName = await ok('Secrets', 'getSecretValue',
      { applicationName: app.fullName, secretName: `${name}_short` });
    assert.ok(byAppName.result[0].secretValue === 'v2', 'value read via full app name differs');
    const byShortAppName = await ok('Secrets', 'getSecretValue',
      { applicationName: app.shortName, secretId: viaFull.result[0].secretId });
    assert.ok(byShortAppName.result[0].secretValue === 'v3', 'value via short app name differs');

    const noDescription = await readSecret(app, { secretName: `${name}_full` });
    assert.equal('description' in noDescription, false, 'absent description must be omitted');
  });

test('values round-trip byte for byte (unicode, emoji, newlines, quotes, spaces)', async () => {
  const app = await newApplication();
  const values = [
    'plain',
    'пароль 密码 كلمة 🔑🗝️ family 👨‍👩‍👧 flag 🇩🇪',
    'line1\nline2\r\nline3\rend\n',
    'quotes "double" \'single\' `back` \\ backslash \\" escaped',
    '  leading and trailing spaces  ',
    ' ',
    '\ttab\tseparated\t',
    '{"looks":"like json","n":[1,2]}',
    'form=meta&chars;a%20b+c?d#e',
    '--------------------------boundary-like\r\n--\r\n',
    'e\u0301 (decomposed) vs \u00e9 (composed), \ufb00 ligature',
    '\ufeffstarts with a BOM',
    'zero\u200bwidth and RTL \u202e mark',
    '<script>alert(1)</script> & &amp;',
  ];
  const ids = [];
  for (const [i, value] of values.entries()) {
    ids.push(await addSecret(app, `rt${i}`, value, { description: `d ${value}`.slice(0, 50) }));
  }
  for (const [i, value] of values.entries()) {
    const record = await readSecret(app, { secretId: ids[i] });
    assert.ok(record.secretValue === value,
      `value #${i} did not round-trip (got ${Buffer.byteLength(String(record.secretValue))} ` +
      `bytes, sent ${Buffer.byteLength(value)})`);
    assert.equal(record.description, `d ${value}`.slice(0, 50), `description #${i}`);
  }
});

test('secret_value length: 8192 code points accepted, 8193 rejected with 477', async () => {
  const app = await newApplication();
  const emoji = '😀'.repeat(8192); // 4 UTF-8 bytes each: counts code points, not bytes
  const ascii = 'a'.repeat(8192);
  const idEmoji = await addSecret(app, 'maxEmoji', emoji);
  const idAscii = await addSecret(app, 'maxAscii', ascii);
  assert.ok((await readSecret(app, { secretId: idEmoji })).secretValue === emoji,
    '8192 emoji did not round-trip');
  assert.ok((await readSecret(app, { secretId: idAscii })).secretValue === ascii,
    '8192 ASCII did not round-trip');

  const tooLong = await apiError('Secrets', 'addSecret',
    { applicationId: app.id, secretName: 'tooLong', secretValue: `${emoji}😀` }, 477);
  assert.match(tooLong.msg, /secret_value/, 'message names the parameter');
  assert.match(tooLong.msg, /8192/, 'message names the limit');
  await apiError('Secrets', 'addSecret',
    { applicationId: app.id, secretName: 'tooLongAscii', secretValue: `${ascii}a` }, 477);
  await apiError('Secrets', 'setSecretInfo',
    { applicationId: app.id, secretId: idAscii, secretValue: `${ascii}b` }, 477);
  await apiError('Secrets', 'getSecretValue', { applicationId: app.id, secretName: 'tooLong' }, 341);
  assert.ok((await readSecret(app, { secretId: idAscii })).secretValue === ascii,
    'rejected SetSecretInfo changed the value');
  await apiError('Secrets', 'addSecret',
    { applicationId: app.id, secretName: 'emptyValue', secretValue: '' }, 485, 'secret_value');
});

test('description: cut to its first 200 code points, omitted when absent or empty', async () => {
  const app = await newApplication();
  const long = 'ä🙂'.repeat(150); // 300 code points
  const id = await addSecret(app, 'described', 'v', { description: long });
  const record = await readSecret(app, { secretId: id });
  assert.equal(record.description, Array.from(long).slice(0, 200).join(''));
  const listed = await listAll(app);
  assert.equal(listed.result[0].description, Array.from(long).slice(0, 200).join(''));

  const idEmpty = await addSecret(app, 'undescribed', 'v', { description: '' });
  const bare = await readSecret(app, { secretId: idEmpty });
  assert.equal('description' in bare, false, `empty description must be omitted: ${show(bare)}`);
  const item = (await listAll(app)).result.find((s) => s.secretId === idEmpty);
  assert.equal('description' in item, false, 'list item carries an empty description');
});

test('errors surface through the client as error.code (and field_name)', async () => {
  const app = await newApplication();
  const other = await newApplication('other');
  const idA = await addSecret(app, 'alpha', 'a');
  const idB = await addSecret(app, 'beta', 'b');

  await apiError('Secrets', 'addSecret',
    { applicationId: app.id, secretName: 'alpha', secretValue: 'again' }, 493);
  await addSecret(app, 'ALPHA', 'names are case-sensitive');
  await addSecret(other, 'alpha', 'same name in another application is fine');
  for (const bad of ['1abc', '_abc', 'has-dash', 'has space', 'ünicode', 'a'.repeat(65)]) {
    await apiError('Secrets', 'addSecret',
      { applicationId: app.id, secretName: bad, secretValue: 'x' }, 496, 'secret_name');
  }
  await addSecret(app, `b${'c'.repeat(63)}`, '64 characters is the limit');
  await apiError('Secrets', 'addSecret', { secretName: 'nope', secretValue: 'x' }, 485,
    'application_id');
  await apiError('Secrets', 'addSecret',
    { applicationId: app.id, secretValue: 'x' }, 485, 'secret_name');
  await apiError('Secrets', 'getSecrets', { applicationId: 999999999 }, 116);
  await apiError('Secrets', 'getSecrets', { applicationName: 'no-such-app-here' }, 558);
  await apiError('Secrets', 'getSecrets',
    { applicationId: app.id, applicationName: other.fullName }, 458);
  await ok('Secrets', 'getSecrets', { applicationId: app.id, applicationName: app.fullName });

  await apiError('Secrets', 'getSecretValue', { applicationId: app.id, secretId: 999999999 }, 341);
  const notFound = await apiError('Secrets', 'getSecretValue',
    { applicationId: app.id, secretName: 'missingName' }, 341);
  assert.match(notFound.msg, /missingName/, '341 names the secret that was not found');
  await apiError('Secrets', 'getSecretValue', { applicationId: app.id }, 485, 'secret_id');
  await apiError('Secrets', 'getSecretValue',
    { applicationId: app.id, secretId: idA, secretName: 'beta' }, 458);
  await apiError('Secrets', 'getSecretValue', { applicationId: other.id, secretId: idB }, 341);
  await apiError('Secrets', 'setSecretInfo',
    { applicationId: app.id, secretId: 999999999, secretValue: 'x' }, 341);
  await apiError('Secrets', 'delSecret', { applicationId: app.id }, 485);

  for (const count of [0, 1001, -1]) {
    await apiError('Secrets', 'getSecrets', { applicationId: app.id, count }, 497);
  }
  await apiError('Secrets', 'getSecrets', { applicationId: app.id, offset: -1 }, 497);
});

test('getSecrets: paging, ascending ids, case-insensitive filter, never a value', async () => {
  const app = await newApplication();
  const names = [];
  for (let i = 0; i < 25; i += 1) {
    names.push(i % 5 === 0 ? `Alpha${i}` : (i % 5 === 1 ? `xALPHAx${i}` : `other${i}`));
  }
  const ids = [];
  for (const name of names) ids.push(await addSecret(app, name, `value of ${name}`));

  const first = await ok('Secrets', 'getSecrets', { applicationId: app.id });
  assert.equal(first.count, 20, 'default page size is 20');
  assert.equal(first.totalCount, 25);
  assert.deepEqual(first.result.map((s) => s.secretId), ids.slice(0, 20));
  for (const item of first.result) {
    assert.equal('secretValue' in item, false, 'GetSecrets item carries a value');
    assert.match(String(item.created), DATE_RE);
    assert.match(String(item.modified), DATE_RE);
  }
  assert.deepEqual(first.result.map((s) => s.secretName), names.slice(0, 20));

  const second = await ok('Secrets', 'getSecrets', { applicationId: app.id, offset: 20 });
  assert.equal(second.count, 5);
  assert.equal(second.totalCount, 25);
  assert.deepEqual(second.result.map((s) => s.secretId), ids.slice(20));

  const window = await ok('Secrets', 'getSecrets', { applicationId: app.id, count: 7, offset: 21 });
  assert.deepEqual(window.result.map((s) => s.secretId), ids.slice(21));
  assert.equal(window.count, 4);

  const past = await ok('Secrets', 'getSecrets', { applicationId: app.id, offset: 25 });
  assert.equal(past.count, 0);
  assert.deepEqual(past.result, []);
  assert.equal(past.totalCount, 25);

  const max = await ok('Secrets', 'getSecrets', { applicationId: app.id, count: 1000 });
  assert.equal(max.count, 25);

  const filtered = await ok('Secrets', 'getSecrets',
    { applicationId: app.id, secretNamePart: 'alpha' });
  const expected = ids.filter((_, i) => /alpha/i.test(names[i]));
  assert.deepEqual(filtered.result.map((s) => s.secretId), expected);
  assert.equal(filtered.totalCount, expected.length);
  const filteredPage = await ok('Secrets', 'getSecrets',
    { applicationId: app.id, secretNamePart: 'ALPHA', count: 3, offset: 2 });
  assert.deepEqual(filteredPage.result.map((s) => s.secretId), expected.slice(2, 5));
  assert.equal(filteredPage.totalCount, expected.length);
  const none = await ok('Secrets', 'getSecrets', { applicationId: app.id, secretNamePart: 'zzz' });
  assert.equal(none.totalCount, 0);
});

test('setSecretInfo: value, rename, description, no-op edits keep modified', async () => {
  const app = await newApplication();
  const id = await addSecret(app, 'original', 'v1', { description: 'd1' });
  await addSecret(app, 'taken', 'v');
  const before = await readSecret(app, { secretId: id });
  await sleep(1100); // timestamps have one-second resolution

  const same = await ok('Secrets', 'setSecretInfo',
    { applicationId: app.id, secretId: id, secretValue: 'v1', description: 'd1',
      newSecretName: 'original' });
  assert.equal(same.result, 1);
  const unchanged = await readSecret(app, { secretId: id });
  assert.equal(unchanged.modified, before.modified, 'a no-op edit moved modified');

  assert.equal((await ok('Secrets', 'setSecretInfo',
    { applicationId: app.id, secretName: 'original', secretValue: 'v2 ✓\n' })).result, 1);
  const changed = await readSecret(app, { secretId: id });
  assert.ok(changed.secretValue === 'v2 ✓\n', 'new value not stored');
  assert.equal(changed.description, 'd1', 'description kept');
  assert.notEqual(changed.modified, before.modified, 'modified did not move on a change');
  assert.equal(changed.created, before.created, 'created must not change');

  assert.equal((await ok('Secrets', 'setSecretInfo',
    { applicationId: app.id, secretId: id, newSecretName: 'Renamed_2', description: ' ' })).result,
  1);
  const renamed = await readSecret(app, { secretName: 'Renamed_2' });
  assert.equal(renamed.secretId, id);
  assert.equal(renamed.description, ' ', 'a single space is a valid description');
  assert.ok(renamed.secretValue === 'v2 ✓\n', 'rename changed the value');
  await apiError('Secrets', 'getSecretValue', { applicationId: app.id, secretName: 'original' },
    341);

  await apiError('Secrets', 'setSecretInfo',
    { applicationId: app.id, secretId: id, newSecretName: 'taken' }, 493);
  await apiError('Secrets', 'setSecretInfo',
    { applicationId: app.id, secretId: id, newSecretName: '9bad' }, 496, 'new_secret_name');
  await apiError('Secrets', 'setSecretInfo', { applicationId: app.id, secretValue: 'x' }, 485,
    'secret_id');
  const emptyDescription = await ok('Secrets', 'setSecretInfo',
    { applicationId: app.id, secretId: id, description: '' });
  assert.equal(emptyDescription.result, 1);
  assert.equal((await readSecret(app, { secretId: id })).description, ' ',
    'an empty description means "not given", not "clear"');
});

test('delSecret: id list, name list, all-or-nothing, all', async () => {
  const app = await newApplication();
  const ids = [];
  for (let i = 0; i < 6; i += 1) ids.push(await addSecret(app, `del${i}`, `v${i}`));

  assert.equal((await ok('Secrets', 'delSecret',
    { applicationId: app.id, secretId: [ids[0], ids[1]] })).result, 1);
  assert.equal((await ok('Secrets', 'delSecret',
    { applicationId: app.id, secretName: 'del2;del3' })).result, 1);
  let left = await listAll(app);
  assert.deepEqual(left.result.map((s) => s.secretId), ids.slice(4));

  const missing = await apiError('Secrets', 'delSecret',
    { applicationId: app.id, secretName: 'del4;doesNotExist' }, 341);
  assert.match(missing.msg, /doesNotExist/);
  await apiError('Secrets', 'delSecret', { applicationId: app.id, secretId: [ids[5], ids[0]] }, 341);
  left = await listAll(app);
  assert.deepEqual(left.result.map((s) => s.secretId), ids.slice(4), 'a failed delete deleted');

  assert.equal((await ok('Secrets', 'delSecret', { applicationId: app.id, secretId: 'all' })).result,
    1);
  left = await listAll(app);
  assert.equal(left.totalCount, 0);
  assert.equal((await ok('Secrets', 'delSecret', { applicationId: app.id, secretId: 'all' })).result,
    1, '`all` on an empty application');
  await apiError('Secrets', 'getSecretValue', { applicationId: app.id, secretId: ids[4] }, 341);
});

test('delApplication deletes the application and its secrets', async () => {
  const app = await newApplication('gone');
  const id = await addSecret(app, 'doomed', 'v');
  assert.equal((await ok('Applications', 'delApplication', { applicationId: app.id })).result, 1);
  await apiError('Secrets', 'getSecretValue', { applicationId: app.id, secretId: id }, 116);
  await apiError('Secrets', 'getSecrets', { applicationName: app.shortName }, 558);

  const again = await ok('Applications', 'addApplication', { applicationName: app.shortName });
  assert.notEqual(again.applicationId, app.id);
  const reborn = { id: again.applicationId };
  assert.equal((await listAll(reborn)).totalCount, 0, 'secrets survived their application');
  await apiError('Secrets', 'getSecretValue', { applicationId: reborn.id, secretId: id }, 341);
  await apiError('Secrets', 'getSecretValue', { applicationId: reborn.id, secretName: 'doomed' },
    341);
  const fresh = await addSecret(reborn, 'doomed', 'v');
  assert.ok(fresh > id, 'secret ids are never reused');
});

test('secret versions under the client: it reads the current value, every version is kept',
  async () => {
    const app = await newApplication('versions');
    const id = await addSecret(app, 'Rotated', 'first value', { description: 'd' });
    await ok('Secrets', 'setSecretInfo',
      { applicationId: app.id, secretId: id, secretValue: 'second value' });
    // A rename and a description are no new version; an unchanged value neither.
    await ok('Secrets', 'setSecretInfo', { applicationId: app.id, secretId: id,
      newSecretName: 'Renamed', description: 'e', secretValue: 'second value' });
    await ok('Secrets', 'setSecretInfo',
      { applicationId: app.id, secretName: 'Renamed', secretValue: 'third value' });
    const current = await readSecret(app, { secretName: 'Renamed' });
    assert.ok(current.secretValue === 'third value', 'the client reads the current value');
    assert.equal(current.secretId, id);
    assert.match(String(current.created), DATE_RE, 'the client parsed the dates');

    // The versions, through the raw API (the client has no such method).
    const versions = assertOk(await api(server, 'GetSecretVersions',
      { application_id: app.id, secret_id: id }), 'GetSecretVersions');
    assert.deepEqual(versions.result.map((v) => [v.version, v.current]),
      [[3, true], [2, false], [1, false]]);
    assert.equal(versions.total_count, 3);
    const first = assertOk(await api(server, 'GetSecretValue',
      { application_id: app.id, secret_id: id, version: 1 }), 'GetSecretValue version=1');
    assert.ok(first.result[0].secret_value === 'first value', 'version 1 kept its value');
    assert.equal(first.result[0].version, 1);

    // A restore is a new version the client reads as the current value.
    assert.deepEqual(assertOk(await api(server, 'RestoreSecretVersion',
      { application_id: app.id, secret_name: 'Renamed', version: 1 }), 'Restore'),
    { result: 1, version: 4 });
    assert.ok((await readSecret(app, { secretId: id })).secretValue === 'first value');
    const listed = await listAll(app);
    assert.deepEqual(listed.result.map((s) => s.secretName), ['Renamed']);

    // DelSecret (through the client) takes every version with it.
    assert.equal((await ok('Secrets', 'delSecret', { applicationId: app.id, secretId: id }))
      .result, 1);
    assertApiError(await api(server, 'GetSecretVersions',
      { application_id: app.id, secret_id: id }), 341, 'secret_id');
    assertApiError(await api(server, 'GetSecretValue',
      { application_id: app.id, secret_id: id, version: 1 }), 341, 'secret_id');
  });
