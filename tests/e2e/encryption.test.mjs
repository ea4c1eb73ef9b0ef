// Encryption at rest, end to end against the real binary (issue 4):
//  - leak scan: distinctive values (long, unicode, 8192 code points) written through the API are
//    found nowhere on disk (database, WAL, every file of the data dir) nor in the server's
//    output, neither raw nor as base64 / base64url / hex / percent-encoding; the same for the
//    master key bytes outside master.key;
//  - tampering with the stored records (swapped, bit-flipped, moved to another application) gives
//    a clean API error for those secrets only, and a log line naming the secret, not the value;
//  - `keys rotate-app` and `keys rotate-master` under a concurrent read/write load: no failed
//    request, every value readable afterwards and after a restart on the new key, the old key
//    refused;
//  - a wrong, missing or too-open master key: `serve` and `account list` exit non-zero with a
//    clear message.
// Values, tokens and keys never appear in assertion messages.

import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';

import { addSecret, api, assertApiError, assertOk, bearer, createApplication,
  describe as describeRes, multipart, request, sleep, uniqueName } from './lib/api.mjs';
import { serverBinary, startServer } from './lib/server.mjs';

const API_ERROR_FOR_DATA_LOSS = 2;  // src/api/error_codes.cc: kDataLoss -> 2 "Internal error."

const servers = [];
after(async () => {
  for (const server of servers) await server.cleanup();
});

async function newServer() {
  const server = await startServer();
  servers.push(server);
  return server;
}

// Runs the voxsecrets CLI; resolves {code, stdout, stderr} (never rejects on a non-zero exit).
function runCli(args, { timeoutMs = 60000, env } = {}) {
  return new Promise((resolve) => {
    execFile(serverBinary(), args, { timeout: timeoutMs, env: env ?? process.env,
      maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (error.code ?? 'signal') : 0, stdout, stderr });
    });
  });
}

// Starts `serve` and waits for it to exit by itself (it must refuse); bounded.
function serveExpectingRefusal(dataDir, extraArgs, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(serverBinary(), ['serve', '--data-dir', dataDir, '--listen',
      '127.0.0.1:0', ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env });
    let output = '';
    child.stdout.on('data', (c) => { output += c; });
    child.stderr.on('data', (c) => { output += c; });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('serve did not refuse within 20 s'));
    }, 20000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    });
  });
}

function sqlite(dbPath, sql) {
  return new Promise((resolve, reject) => {
    execFile('sqlite3', [dbPath, sql], (error, stdout, stderr) => {
      if (error) reject(new Error(`sqlite3 failed: ${stderr}`));
      else resolve(stdout.trim());
    });
  });
}

function filesUnder(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(full));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

// The forms a value could leak in: raw UTF-8 and its encodings, for the whole value and for a
// prefix (so that a truncated copy is found too).
function needlesOf(label, bytes) {
  const forms = (name, b) => [
    [`${name} raw`, b],
    [`${name} base64`, Buffer.from(b.toString('base64').replace(/=+$/, ''))],
    [`${name} base64url`, Buffer.from(b.toString('base64url'))],
    [`${name} hex`, Buffer.from(b.toString('hex'))],
    [`${name} HEX`, Buffer.from(b.toString('hex').toUpperCase())],
    [`${name} percent`, Buffer.from(encodeURIComponent(b.toString('utf8')))],
  ];
  const prefix = bytes.subarray(0, 24);
  return [...forms(label, bytes), ...forms(`${label} first 24 bytes`, prefix)]
    .filter(([, b]) => b.length >= 16);
}

// Every hit of any needle in the given files and texts, as "what in where" (no content).
function scan(needles, files, texts = {}) {
  const hits = [];
  const haystacks = [
    ...files.map((f) => [f, fs.readFileSync(f)]),
    ...Object.entries(texts).map(([name, text]) => [name, Buffer.from(text, 'utf8')]),
  ];
  for (const [where, data] of haystacks) {
    for (const [what, needle] of needles) {
      if (data.indexOf(needle) !== -1) hits.push(`${what} in ${where}`);
    }
  }
  return hits;
}

function distinctiveValues() {
  const tag = () => crypto.randomBytes(8).toString('hex');
  const long = `LONGCANARY${tag()}` + Array.from({ length: 400 }, (_, i) =>
    `${i}-${tag()}`).join('|');
  const maxPrefix = `MAXCANARY${tag()}`;
  const max = maxPrefix + '\u{1D11E}'.repeat(8192 - maxPrefix.length);  // 8192 code points
  assert.equal([...max].length, 8192);
  return {
    ascii: `ASCIICANARY-${tag()}-p@ss:w0rd;`,
    long: long.slice(0, 8000),
    unicode: `ÜNÏCØDË-канарейка-金丝雀-🐤-${tag()}-ẞ`,
    max,
    replaced: `OLDVALUECANARY-${tag()}`,  // overwritten by SetSecretInfo: must not linger
    replacement: `NEWVALUECANARY-${tag()}`,
  };
}

// multipart/form-data, as the Node client sends it: large values stay under the body limit
// (urlencoding triples every non-ASCII byte).
function apiMultipart(server, method, params) {
  return request(server, { method: 'POST', path: `/platform_api/${method}`,
    headers: bearer(server), body: multipart(params) });
}

async function getValue(server, appId, secretId) {
  return api(server, 'GetSecretValue', { application_id: appId, secret_id: secretId });
}

function valueOf(res) {
  const json = assertOk(res, 'GetSecretValue');
  return json.result[0].secret_value;
}

function masterKeyBytes(dataDir) {
  const text = fs.readFileSync(path.join(dataDir, 'master.key'), 'utf8').trim();
  assert.match(text, /^[0-9a-f]{64}$/, 'master.key is 64 hex digits');
  return Buffer.from(text, 'hex');
}

describe('encryption at rest', { concurrency: false }, () => {
  test('no value and no master key byte reaches the disk or the logs', async () => {
    const server = await newServer();
    const values = distinctiveValues();
    const app = await createApplication(server);
    const ids = {};
    for (const [name, value] of Object.entries(values)) {
      if (name === 'replacement') continue;
      const res = await apiMultipart(server, 'AddSecret',
        { application_id: app.id, secret_name: `leak_${name}`, secret_value: value });
      ids[name] = assertOk(res, `AddSecret ${name}`).result[0].secret_id;
    }
    assertOk(await apiMultipart(server, 'SetSecretInfo', { application_id: app.id,
      secret_id: ids.replaced, secret_value: values.replacement }), 'SetSecretInfo');
    // They round-trip (the scan below would be meaningless if nothing was stored).
    for (const [name, id] of Object.entries(ids)) {
      const expected = name === 'replaced' ? values.replacement : values[name];
      assert.ok(valueOf(await getValue(server, app.id, id)) === expected, `${name} round-trips`);
    }

    const needles = [];
    for (const [name, value] of Object.entries(values)) {
      needles.push(...needlesOf(name, Buffer.from(value, 'utf8')));
    }
    const key = masterKeyBytes(server.dataDir);
    const keyNeedles = [
      ['master key raw', key],
      ['master key base64', Buffer.from(key.toString('base64').replace(/=+$/, ''))],
      ['master key base64url', Buffer.from(key.toString('base64url'))],
      ['master key HEX', Buffer.from(key.toString('hex').toUpperCase())],
    ];
    const keyTextNeedle = [['master key hex', Buffer.from(key.toString('hex'))]];

    const check = (phase) => {
      const files = filesUnder(server.dataDir);
      const db = files.filter((f) => path.basename(f).startsWith('voxsecrets.db'));
      assert.ok(db.length >= 1, `${phase}: the database is there`);
      const texts = { 'server output': server.output() };
      assert.deepEqual(scan(needles, files, texts), [], `${phase}: values leaked`);
      const notKeyFile = files.filter((f) => path.basename(f) !== 'master.key');
      assert.deepEqual(scan([...keyNeedles, ...keyTextNeedle], notKeyFile, texts), [],
        `${phase}: master key leaked`);
      return files;
    };
    // While running: the WAL holds the recent writes.
    const running = check('while serving');
    assert.ok(running.some((f) => f.endsWith('voxsecrets.db-wal')), 'WAL present while serving');
    // The scan can find things: the master key's own file holds its hex form.
    assert.equal(scan(keyTextNeedle, [path.join(server.dataDir, 'master.key')]).length, 1);

    const stopped = await server.stop();
    assert.equal(stopped.code, 0);
    check('after stop');
  });

  test('DelApplication destroys its data key and values on disk', async () => {
    const server = await newServer();
    const doomed = await createApplication(server);
    const kept = await createApplication(server);
    const doomedValue = `DOOMEDCANARY-${crypto.randomBytes(8).toString('hex')}`;
    await addSecret(server, doomed, 'a', doomedValue);
    await addSecret(server, kept, 'b', 'kept value');
    const db = path.join(server.dataDir, 'voxsecrets.db');
    // Read beside the running server (WAL mode allows it).
    const wrappedHex = await sqlite(db,
      `SELECT hex(wrapped_key) FROM data_keys WHERE application_id = ${doomed.id};`);
    const blobHex = await sqlite(db,
      `SELECT hex(value) FROM secrets WHERE application_id = ${doomed.id};`);
    assert.match(wrappedHex, /^[0-9A-F]{154}$/, 'one 77-byte wrapped data key');
    assertOk(await api(server, 'DelApplication', { application_id: doomed.id }), 'DelApplication');
    assert.equal(await sqlite(db,
      `SELECT count(*) FROM data_keys WHERE application_id = ${doomed.id};`), '0');
    assert.equal((await server.stop()).code, 0);
    // After the shutdown checkpoint, neither the wrapped key nor the ciphertext is anywhere.
    const needles = [
      ['wrapped data key', Buffer.from(wrappedHex, 'hex')],
      ['wrapped data key body', Buffer.from(wrappedHex, 'hex').subarray(17)],
      ['sealed value', Buffer.from(blobHex, 'hex').subarray(17)],
      ...needlesOf('value', Buffer.from(doomedValue)),
    ];
    assert.deepEqual(scan(needles, filesUnder(server.dataDir)), []);
    await server.restart();
    const other = await api(server, 'GetSecretValue', { application_id: kept.id,
      secret_name: 'b' });
    assert.ok(valueOf(other) === 'kept value', 'the other application is intact');
  });

  test('tampered records give a clean error for those secrets only', async () => {
    const server = await newServer();
    const appA = await createApplication(server);
    const appB = await createApplication(server);
    const values = {};
    const idsA = {};
    for (const name of ['swap1', 'swap2', 'flip', 'moved', 'intact']) {
      values[name] = `TAMPER-${name}-${crypto.randomBytes(8).toString('hex')}`;
      idsA[name] = await addSecret(server, appA, name, values[name]);
    }
    values.other = `TAMPER-other-${crypto.randomBytes(8).toString('hex')}`;
    const otherId = await addSecret(server, appB, 'other', values.other);
    assert.equal((await server.stop()).code, 0);

    const db = path.join(server.dataDir, 'voxsecrets.db');
    // Swap two rows' ciphertexts.
    const blob1 = await sqlite(db, `SELECT hex(value) FROM secrets WHERE id = ${idsA.swap1};`);
    const blob2 = await sqlite(db, `SELECT hex(value) FROM secrets WHERE id = ${idsA.swap2};`);
    assert.notEqual(blob1, blob2);
    await sqlite(db, `UPDATE secrets SET value = X'${blob2}' WHERE id = ${idsA.swap1};
      UPDATE secrets SET value = X'${blob1}' WHERE id = ${idsA.swap2};`);
    // Flip one bit in the middle of a ciphertext.
    const hex = await sqlite(db, `SELECT hex(value) FROM secrets WHERE id = ${idsA.flip};`);
    const blob = Buffer.from(hex, 'hex');
    blob[Math.floor(blob.length / 2)] ^= 0x04;
    await sqlite(db, `UPDATE secrets SET value = X'${blob.toString('hex')}' WHERE id = ${idsA.flip};`);
    // Move application B's value (and its key version) into a row of application A.
    await sqlite(db, `UPDATE secrets SET
        value = (SELECT value FROM secrets WHERE id = ${otherId}),
        key_version = (SELECT key_version FROM secrets WHERE id = ${otherId})
      WHERE id = ${idsA.moved};`);

    await server.restart();
    for (const name of ['swap1', 'swap2', 'flip', 'moved']) {
      const res = await getValue(server, appA.id, idsA[name]);
      assertApiError(res, API_ERROR_FOR_DATA_LOSS, undefined, `GetSecretValue of ${name}`);
      assert.ok(!res.text.includes('TAMPER-'), `${name}: no value in the error`);
    }
    assert.ok(valueOf(await getValue(server, appA.id, idsA.intact)) === values.intact,
      'the untouched secret of the same application still opens');
    assert.ok(valueOf(await getValue(server, appB.id, otherId)) === values.other,
      'the source of the moved value still opens in its own row');
    // Listing still works, and the server keeps serving.
    const list = assertOk(await api(server, 'GetSecrets', { application_id: appA.id }), 'GetSecrets');
    assert.equal(list.total_count, 5, describeRes({ json: list, text: '' }));
    // The damaged record is repaired by writing a new value.
    assertOk(await api(server, 'SetSecretInfo', { application_id: appA.id,
      secret_id: idsA.flip, secret_value: 'repaired value' }), 'SetSecretInfo repairs');
    assert.ok(valueOf(await getValue(server, appA.id, idsA.flip)) === 'repaired value');

    const log = server.output();
    for (const name of ['swap1', 'swap2', 'flip', 'moved']) {
      const line = log.split('\n').find((l) => l.includes('stored secret value cannot be opened') &&
        l.includes(`"secret_id":${idsA[name]},`));
      assert.ok(line, `a log line names secret ${idsA[name]} (${name})`);
      assert.ok(line.includes(`"application_id":${appA.id}`), 'and its application');
      assert.ok(line.includes('data_loss'), 'and the code');
    }
    for (const value of Object.values(values)) {
      assert.ok(!log.includes(value), 'no value in the server output');
    }
  });

  test('rotations under concurrent load: no failed request, old key refused', async () => {
    const server = await newServer();
    const dataDir = server.dataDir;
    const accountId = String(server.credentials.account_id);
    const apps = [];
    const expected = new Map();  // `${appId}/${secretId}` -> value
    for (let a = 0; a < 3; a += 1) {
      const app = await createApplication(server);
      apps.push(app);
      for (let s = 0; s < 12; s += 1) {
        const value = `rot-${a}-${s}-${crypto.randomBytes(6).toString('hex')}-ключ`;
        const id = await addSecret(server, app, `s${s}`, value);
        expected.set(`${app.id}/${id}`, value);
      }
    }
    const oldKeyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'voxsecrets-oldkey-'));
    const oldKeyFile = path.join(oldKeyDir, 'old.key');
    fs.copyFileSync(path.join(dataDir, 'master.key'), oldKeyFile);
    fs.chmodSync(oldKeyFile, 0o600);

    // The load: workers each owning their secrets, so expectations are exact.
    const failures = [];
    const counts = { get: 0, add: 0, set: 0, newApp: 0 };
    let stop = false;
    const entries = [...expected.keys()];
    const WORKERS = 4;
    const deadline = Date.now() + 90000;  // hard bound whatever happens
    const worker = async (w) => {
      const mine = entries.filter((_, i) => i % WORKERS === w);
      let n = 0;
      while (!stop && Date.now() < deadline) {
        n += 1;
        const key = mine[n % mine.length];
        const [appId, secretId] = key.split('/').map(Number);
        try {
          if (n % 7 === 0) {
            const value = `set-${w}-${n}-${crypto.randomBytes(4).toString('hex')}`;
            const res = await api(server, 'SetSecretInfo',
              { application_id: appId, secret_id: secretId, secret_value: value });
            if (res.json?.result !== 1) failures.push(`SetSecretInfo: ${describeRes(res)}`);
            else expected.set(key, value);
            counts.set += 1;
          } else if (n % 11 === 0) {
            const value = `add-${w}-${n}`;
            const res = await api(server, 'AddSecret', { application_id: appId,
              secret_name: uniqueName(`w${w}n${n}`), secret_value: value });
            const id = res.json?.result?.[0]?.secret_id;
            if (typeof id !== 'number') failures.push(`AddSecret: ${describeRes(res)}`);
            else expected.set(`${appId}/${id}`, value);
            counts.add += 1;
          } else if (n % 29 === 0) {
            // A new application: its first value makes a data key (wrapped by the current
            // master key, which changes under our feet).
            const res = await api(server, 'AddApplication',
              { application_name: uniqueName('rot').toLowerCase() });
            const newAppId = res.json?.application_id;
            if (typeof newAppId !== 'number') {
              failures.push(`AddApplication: ${describeRes(res)}`);
            } else {
              const value = `newapp-${w}-${n}`;
              const r2 = await api(server, 'AddSecret',
                { application_id: newAppId, secret_name: 'first', secret_value: value });
              const id = r2.json?.result?.[0]?.secret_id;
              if (typeof id !== 'number') failures.push(`AddSecret (new app): ${describeRes(r2)}`);
              else expected.set(`${newAppId}/${id}`, value);
            }
            counts.newApp += 1;
          } else {
            const res = await getValue(server, appId, secretId);
            const got = res.json?.result?.[0]?.secret_value;
            if (got === undefined) failures.push(`GetSecretValue: ${describeRes(res)}`);
            else if (got !== expected.get(key)) failures.push(`GetSecretValue ${key}: wrong value`);
            counts.get += 1;
          }
        } catch (error) {
          failures.push(`request error: ${error.message}`);
        }
      }
    };
    const load = Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));

    const steps = [];
    const cli = async (label, args) => {
      const r = await runCli(args);
      steps.push(label);
      assert.equal(r.code, 0, `${label} failed: ${r.stderr}`);
      return r;
    };
    try {
      await sleep(500);
      for (const app of apps) {
        await cli(`rotate-app ${app.id}`, ['keys', 'rotate-app', '--data-dir', dataDir,
          '--account', accountId, '--application', app.shortName]);
      }
      const master = await cli('rotate-master', ['keys', 'rotate-master', '--data-dir', dataDir]);
      assert.match(master.stdout, /version 1 -> 2/);
      assert.match(master.stdout, /nothing needs it any more/);
      assert.ok(!fs.existsSync(path.join(dataDir, 'master.key.new')), 'master.key.new renamed');
      // Data keys made after the master rotation, and a rotation under the new master key.
      await sleep(1500);
      await cli(`rotate-app ${apps[0].id} again`, ['keys', 'rotate-app', '--data-dir', dataDir,
        '--account', accountId, '--application', String(apps[0].id)]);
      await sleep(1000);
    } finally {
      stop = true;
      await load;
    }
    assert.deepEqual(failures, [], `failed requests during ${steps.join(', ')}`);
    assert.ok(counts.get > 0 && counts.set > 0 && counts.add > 0 && counts.newApp > 0,
      `the load ran every kind of request: ${JSON.stringify(counts)}`);

    // Every value readable now, and after a restart on the new key file.
    const readAll = async (phase) => {
      for (const [key, value] of expected) {
        const [appId, secretId] = key.split('/').map(Number);
        const res = await getValue(server, appId, secretId);
        assert.ok(res.json?.result?.[0]?.secret_value === value, `${phase}: ${key} reads back`);
      }
    };
    await readAll('after the rotations');
    assert.match(server.output(), /now using the rotated master key/);
    await server.restart();
    await readAll('after a restart on the new key');

    // Nothing is wrapped by the old master key any more, and it is refused everywhere.
    const db = path.join(dataDir, 'voxsecrets.db');
    assert.equal(await sqlite(db, 'SELECT DISTINCT master_key_version FROM data_keys;'), '2');
    const status = await runCli(['keys', 'status', '--data-dir', dataDir]);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /master key: version 2/);
    assert.equal((await server.stop()).code, 0);
    const refused = await serveExpectingRefusal(dataDir, ['--master-key-file', oldKeyFile]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.output, /master key version 1, which was rotated out/);
    const list = await runCli(['account', 'list', '--data-dir', dataDir,
      '--master-key-file', oldKeyFile]);
    assert.notEqual(list.code, 0);
    assert.match(list.stderr, /rotated out/);
    fs.rmSync(oldKeyDir, { recursive: true, force: true });
  });

  test('a wrong, missing or too-open master key is refused with a clear message', async () => {
    const server = await newServer();
    const dataDir = server.dataDir;
    await addSecret(server, await createApplication(server), 'x', 'value');
    assert.equal((await server.stop()).code, 0);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'voxsecrets-wrongkey-'));
    try {
      const wrong = path.join(dir, 'wrong.key');
      fs.writeFileSync(wrong, `${crypto.randomBytes(32).toString('hex')}\n`, { mode: 0o600 });

      const serveWrong = await serveExpectingRefusal(dataDir, ['--master-key-file', wrong]);
      assert.notEqual(serveWrong.code, 0, 'serve with a wrong key exits non-zero');
      assert.match(serveWrong.output, /master key does not match this data/);
      const listWrong = await runCli(['account', 'list', '--data-dir', dataDir,
        '--master-key-file', wrong]);
      assert.notEqual(listWrong.code, 0);
      assert.match(listWrong.stderr, /master key does not match this data/);

      const missing = await serveExpectingRefusal(dataDir,
        ['--master-key-file', path.join(dir, 'absent.key')]);
      assert.notEqual(missing.code, 0);
      assert.match(missing.output, /cannot load the master key/);

      const open = path.join(dir, 'open.key');
      fs.copyFileSync(path.join(dataDir, 'master.key'), open);
      fs.chmodSync(open, 0o644);
      const tooOpen = await serveExpectingRefusal(dataDir, ['--master-key-file', open]);
      assert.notEqual(tooOpen.code, 0);
      assert.match(tooOpen.output, /cannot load the master key/);

      const env = { ...process.env, VOXSECRETS_TEST_WRONG_KEY: crypto.randomBytes(32).toString('hex') };
      const envWrong = await serveExpectingRefusal(dataDir,
        ['--master-key-env', 'VOXSECRETS_TEST_WRONG_KEY'], env);
      assert.notEqual(envWrong.code, 0);
      assert.match(envWrong.output, /does not match/);

      const commandWrong = await serveExpectingRefusal(dataDir,
        ['--master-key-command', `echo ${crypto.randomBytes(32).toString('hex')}`]);
      assert.notEqual(commandWrong.code, 0);
      assert.match(commandWrong.output, /does not match/);

      // The right key still works (nothing was changed by the refusals).
      await server.restart();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
