// Raw HTTPS requests against the real server, shaped like the other official clients (Go, PHP,
// Java multipart to /platform_api/<Method>; Python urlencoded with `cmd`), the documentation's curl
// examples (query string + JSON body `{}`), and the old GET style; plus the transport rules and the
// bearer-token rules of docs/DECISIONS.md (HTTP 413, headers, error envelope,
// 100/102/103/447/454/455/456).

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import {
  addSecret, api, assertApiError, assertOk, assertTransportHeaders, describe as show, jsonBody,
  mintToken, multipart, nowSeconds, queryString, request, uniqueName, urlencoded, createApplication,
} from './lib/api.mjs';
import { startServer } from './lib/server.mjs';

let server;
let app;

before(async () => {
  server = await startServer();
  app = await createApplication(server);
});

after(async () => {
  await server?.cleanup();
});

const auth = (options) => ({ Authorization: `Bearer ${mintToken(server.credentials, options)}` });

async function valueOf(params) {
  const res = await api(server, 'GetSecretValue', { application_id: app.id, ...params });
  const json = assertOk(res, 'GetSecretValue');
  return json.result[0];
}

describe('official client request styles', () => {
  test('Go: multipart to /platform_api/<Method>, unset fields sent as empty strings', async () => {
    const name = uniqueName('go');
    const res = await request(server, {
      path: '/platform_api/AddSecret', headers: auth(),
      body: multipart({ application_id: String(app.id), application_name: '', secret_name: name,
        secret_value: 'go value ✓', description: '' }, 'go'),
    });
    const json = assertOk(res, 'Go AddSecret');
    assertTransportHeaders(res, 'Go AddSecret');
    const id = json.result[0].secret_id;
    const read = await request(server, {
      path: '/platform_api/GetSecretValue', headers: auth(),
      body: multipart({ application_id: String(app.id), application_name: '', secret_id: '',
        secret_name: name }, 'go'),
    });
    const record = assertOk(read, 'Go GetSecretValue').result[0];
    assert.equal(record.secret_id, id);
    assert.ok(record.secret_value === 'go value ✓', 'Go-style value did not round-trip');
    assert.equal('description' in record, false, 'empty description must mean "not given"');
  });

  test('PHP: hand-built multipart with a -------------<uniqid> boundary', async () => {
    const name = uniqueName('php');
    const body = multipart({ application_id: app.id, secret_name: name,
      secret_value: 'php «value»\r\n', description: 'from php' }, 'php');
    assert.match(body.boundary, /^-------------[0-9a-f]{13}$/);
    const res = await request(server, { path: '/platform_api/AddSecret', headers: auth(), body });
    const id = assertOk(res, 'PHP AddSecret').result[0].secret_id;
    const read = await request(server, { path: '/platform_api/GetSecretValue', headers: auth(),
      body: multipart({ application_id: app.id, secret_id: id }, 'php') });
    const record = assertOk(read, 'PHP GetSecretValue').result[0];
    assert.ok(record.secret_value === 'php «value»\r\n', 'PHP-style value did not round-trip');
    assert.equal(record.description, 'from php');
  });

  test('Java: per-part Content-Type ISO-8859-1, account_id field, string iss, no typ',
    async () => {
      const name = uniqueName('java');
      const javaToken = () => auth({ iss: String(server.credentials.account_id), typ: null,
        iat: nowSeconds() - 5 });
      const res = await request(server, {
        path: '/platform_api/AddSecret', headers: javaToken(),
        body: multipart({ secret_name: name, secret_value: 'java value', application_id: app.id,
          account_id: server.credentials.account_id }, 'java'),
      });
      const id = assertOk(res, 'Java AddSecret').result[0].secret_id;
      const read = await request(server, {
        path: '/platform_api/GetSecretValue', headers: javaToken(),
        body: multipart({ application_id: app.id, secret_id: id,
          account_id: server.credentials.account_id }, 'java'),
      });
      assert.ok(assertOk(read, 'Java GetSecretValue').result[0].secret_value === 'java value');
      // With a bearer token the account_id parameter is ignored, whatever it says.
      const other = await request(server, {
        path: '/platform_api/GetSecretValue', headers: javaToken(),
        body: multipart({ application_id: app.id, secret_id: id, account_id: 424242424 }, 'java'),
      });
      assertOk(other, 'Java GetSecretValue with a foreign account_id');
    });

  test('Node form-data: multipart POST to /platform_api with cmd first', async () => {
    const name = uniqueName('node');
    const res = await request(server, { path: '/platform_api', headers: auth({ ttl: 64 }),
      body: multipart({ cmd: 'AddSecret', secret_name: name, secret_value: 'n', application_id:
        app.id }, 'node') });
    assertOk(res, 'Node AddSecret');
    assert.ok((await valueOf({ secret_name: name })).secret_value === 'n');
  });

  test('Python: urlencoded POST to /platform_api with cmd (spaces as +)', async () => {
    const name = uniqueName('py');
    const value = 'a b+c&d=e %20 ü';
    const res = await request(server, { path: '/platform_api',
      headers: auth({ iat: nowSeconds() - 5, ttl: 29 }),
      body: urlencoded({ cmd: 'AddSecret', application_id: app.id, secret_name: name,
        secret_value: value }) });
    assertOk(res, 'Python AddSecret');
    const read = await request(server, { path: '/platform_api', headers: auth(),
      body: urlencoded({ cmd: 'GetSecretValue', application_id: app.id, secret_name: name }) });
    assert.ok(assertOk(read, 'Python GetSecretValue').result[0].secret_value === value,
      'urlencoded value did not round-trip');
  });

  test('docs: POST with parameters in the query string and a JSON body {}', async () => {
    const name = uniqueName('docs');
    await addSecret(server, app, name, 'before');
    const list = await request(server, {
      path: `/platform_api/GetSecrets${queryString({ application_id: app.id })}`,
      headers: auth(), body: jsonBody({}),
    });
    const json = assertOk(list, 'docs GetSecrets');
    assert.ok(json.result.some((s) => s.secret_name === name));
    assert.equal(typeof json.total_count, 'number');
    assert.equal(json.count, json.result.length);
    const set = await request(server, {
      path: `/platform_api/SetSecretInfo?application_id=${app.id}&secret_name=${name}` +
        '&secret_value=s3cr3tP%40ssw0rd2024!&description=Updated%20description',
      headers: auth(), body: jsonBody({}),
    });
    assert.equal(assertOk(set, 'docs SetSecretInfo').result, 1);
    const record = await valueOf({ secret_name: name });
    assert.ok(record.secret_value === 's3cr3tP@ssw0rd2024!', 'docs-style value not stored');
    assert.equal(record.description, 'Updated description');
  });

  test('old GET style with a trailing slash', async () => {
    const name = uniqueName('get');
    await addSecret(server, app, name, 'got it');
    const list = await request(server, { method: 'GET', headers: auth(),
      path: `/platform_api/GetSecrets/?application_id=${app.id}&secret_name_part=${name}` });
    const json = assertOk(list, 'GET GetSecrets/');
    assert.deepEqual(json.result.map((s) => s.secret_name), [name]);
    const read = await request(server, { method: 'GET', headers: auth(),
      path: `/platform_api/GetSecretValue?application_name=${app.shortName}&secret_name=${name}` });
    assert.ok(assertOk(read, 'GET GetSecretValue').result[0].secret_value === 'got it');
    const viaCmd = await request(server, { method: 'GET', headers: auth(),
      path: `/platform_api/?cmd=GetSecrets&application_id=${app.id}` });
    assertOk(viaCmd, 'GET /platform_api/?cmd=');
  });

  test('JSON object body: scalar members are parameters', async () => {
    const name = uniqueName('json');
    const res = await request(server, { path: '/platform_api/AddSecret', headers: auth(),
      body: jsonBody({ application_id: app.id, secret_name: name, secret_value: 'from "json"\n' }) });
    assertOk(res, 'JSON AddSecret');
    assert.ok((await valueOf({ secret_name: name })).secret_value === 'from "json"\n');
  });

  test('body wins over the query string; the path wins over cmd; empty means not given',
    async () => {
      const right = uniqueName('right');
      const wrong = uniqueName('wrong');
      await addSecret(server, app, right, 'R');
      await addSecret(server, app, wrong, 'W');
      const res = await request(server, { headers: auth(),
        path: `/platform_api/GetSecretValue?application_id=${app.id}&secret_name=${wrong}`,
        body: urlencoded({ secret_name: right }) });
      assert.ok(assertOk(res, 'body vs query').result[0].secret_value === 'R', 'query won');

      const pathWins = await request(server, { path: '/platform_api/GetSecrets', headers: auth(),
        body: urlencoded({ cmd: 'AddSecret', application_id: app.id, secret_name: 'x',
          secret_value: 'y' }) });
      const json = assertOk(pathWins, 'path vs cmd');
      assert.ok(Array.isArray(json.result) && typeof json.total_count === 'number',
        `path did not win: ${show(pathWins)}`);

      const empty = await api(server, 'GetSecretValue',
        { application_id: app.id, application_name: '', secret_id: '', secret_name: right });
      assert.ok(assertOk(empty, 'empty = not given').result[0].secret_value === 'R');
    });

  test('booleans: True/False/1/0 (Python, PHP) on AddApplication', async () => {
    for (const [text, expected] of [['True', true], ['False', false], ['1', true], ['0', false],
      ['TRUE', true]]) {
      const res = await api(server, 'AddApplication', { application_name: uniqueName('b')
        .toLowerCase(), secure_record_storage: text });
      const json = assertOk(res, `secure_record_storage=${text}`);
      if ('secure_record_storage' in json) {
        assert.equal(json.secure_record_storage, expected, `secure_record_storage=${text}`);
      }
    }
  });
});

describe('transport rules', () => {
  test('GET /healthz answers {"status":"ok"}', async () => {
    const res = await request(server, { method: 'GET', path: '/healthz' });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { status: 'ok' });
  });

  test('every API response: HTTP 200, application/json, Cache-Control no-store', async () => {
    const cases = [
      ['success', () => api(server, 'GetSecrets', { application_id: app.id })],
      ['API error', () => api(server, 'GetSecrets', {})],
      ['unknown method', () => api(server, 'NoSuchMethod', {})],
      ['no method', () => request(server, { path: '/platform_api', headers: auth(),
        body: urlencoded({}) })],
      ['no credentials', () => api(server, 'GetSecrets', {}, { token: null })],
      ['GET', () => request(server, { method: 'GET', headers: auth(),
        path: `/platform_api/GetSecrets?application_id=${app.id}` })],
    ];
    for (const [label, call] of cases) {
      const res = await call();
      assert.equal(res.status, 200, `${label}: ${show(res)}`);
      assertTransportHeaders(res, label);
      assert.ok(res.json && typeof res.json === 'object', `${label}: body is not JSON`);
    }
  });

  test('request body above 64 KiB -> HTTP 413 (Content-Length and chunked)', async () => {
    const big = urlencoded({ application_id: app.id, secret_name: 'big',
      secret_value: 'x'.repeat(70 * 1024) });
    const res = await request(server, { path: '/platform_api/AddSecret', headers: auth(),
      body: big });
    assert.equal(res.status, 413, `Content-Length body: ${show(res)}`);
    const chunked = await request(server, { path: '/platform_api/AddSecret', headers: auth(),
      body: big, chunked: true });
    assert.equal(chunked.status, 413, `chunked body: ${show(chunked)}`);
    // Just under the limit is parsed normally (the value itself is then too long: 477).
    const under = await request(server, { path: '/platform_api/AddSecret', headers: auth(),
      body: urlencoded({ application_id: app.id, secret_name: 'big',
        secret_value: 'x'.repeat(60 * 1024) }) });
    assertApiError(under, 477, 'secret_value', '60 KiB body');
    // The server keeps serving.
    assertOk(await api(server, 'GetSecrets', { application_id: app.id }), 'after 413');
  });

  test('413 responses carry the JSON headers too', async () => {
    const res = await request(server, { path: '/platform_api/AddSecret', headers: auth(),
      body: urlencoded({ v: 'y'.repeat(65 * 1024 + 10) }) });
    assert.equal(res.status, 413);
    assertTransportHeaders(res, '413');
  });

  test('method naming: 103 unknown / wrong case, 102 none; checked before credentials',
    async () => {
      assertApiError(await api(server, 'NoSuchMethod', {}), 103);
      assertApiError(await api(server, 'getsecrets', { application_id: app.id }), 103,
        undefined, 'lowercase method name');
      assertApiError(await api(server, 'NoSuchMethod', {}, { token: null }), 103,
        undefined, 'unknown method without credentials');
      assertApiError(await request(server, { path: '/platform_api', headers: auth(),
        body: urlencoded({ application_id: app.id }) }), 102);
      assertApiError(await request(server, { method: 'GET', path: '/platform_api/' }), 102,
        undefined, 'GET /platform_api/ without credentials');
      assertApiError(await request(server, { path: '/platform_api', headers: auth(),
        body: urlencoded({ cmd: 'Bogus' }) }), 103, undefined, 'cmd=Bogus');
    });

  test('no credentials -> 100', async () => {
    assertApiError(await api(server, 'GetSecrets', { application_id: app.id }, { token: null }),
      100);
    assertApiError(await request(server, { method: 'GET',
      path: `/platform_api/GetSecrets?application_id=${app.id}` }), 100);
  });

  test('malformed JSON body -> 101', async () => {
    const res = await request(server, { path: '/platform_api/GetSecrets', headers: auth(),
      body: { body: Buffer.from('{"application_id": '), contentType: 'application/json' } });
    assertApiError(res, 101);
  });

  test('invalid UTF-8 or NUL in secret_value -> 496; messages never echo a value', async () => {
    const invalid = multipart({ application_id: String(app.id), secret_name: 'badUtf8',
      secret_value: Buffer.from([0x61, 0xff, 0xfe, 0x62]) }, 'go');
    assertApiError(await request(server, { path: '/platform_api/AddSecret', headers: auth(),
      body: invalid }), 496, 'secret_value', 'invalid UTF-8');
    const overlong = multipart({ application_id: String(app.id), secret_name: 'overlong',
      secret_value: Buffer.from([0xc0, 0xaf]) }, 'go');
    assertApiError(await request(server, { path: '/platform_api/AddSecret', headers: auth(),
      body: overlong }), 496, 'secret_value', 'overlong UTF-8');
    const marker = 'MarkerValue7e3f';
    const nul = await api(server, 'AddSecret', { application_id: app.id, secret_name: 'nul',
      secret_value: `${marker}\u0000tail` });
    const error = assertApiError(nul, 496, 'secret_value', 'NUL');
    assert.ok(!nul.text.includes(marker), 'error message echoes the value');
    assertApiError(await api(server, 'GetSecretValue', { application_id: app.id,
      secret_name: 'nul' }), 341);
    assert.ok(error);

    const name = uniqueName('dup');
    await addSecret(server, app, name, `${marker}1`);
    const dup = await api(server, 'AddSecret', { application_id: app.id, secret_name: name,
      secret_value: `${marker}2` });
    assertApiError(dup, 493);
    assert.ok(!dup.text.includes(marker), 'duplicate-name error echoes a value');
    const long = await api(server, 'AddSecret', { application_id: app.id, secret_name: 'lng',
      secret_value: marker.repeat(600) });
    assertApiError(long, 477, 'secret_value');
    assert.ok(!long.text.includes(marker), 'length error echoes the value');
  });

  test('malformed numbers and ranges: 116, 496, 497', async () => {
    assertApiError(await api(server, 'GetSecrets', { application_id: 'abc' }), 116);
    assertApiError(await api(server, 'GetSecretValue', { application_id: app.id,
      secret_id: 'x1' }), 496, 'secret_id');
    assertApiError(await api(server, 'GetSecrets', { application_id: app.id, count: 'ten' }), 496,
      'count');
    assertApiError(await api(server, 'GetSecrets', { application_id: app.id, offset: 'z' }), 496,
      'offset');
    assertApiError(await api(server, 'GetSecrets', { application_id: app.id, offset: -1 }), 497,
      'offset');
    assertApiError(await api(server, 'GetSecrets', { application_id: app.id, count: 1001 }), 497,
      'count');
  });

  test('order of checks: application before secret, one error per request', async () => {
    assertApiError(await api(server, 'AddSecret', { secret_name: '1bad', secret_value: '' }), 485,
      'application_id');
    assertApiError(await api(server, 'AddSecret', { application_id: 999999999,
      secret_name: '1bad' }), 116);
    assertApiError(await api(server, 'AddSecret', { application_id: app.id,
      secret_name: '1bad' }), 496, 'secret_name');
  });

  test('DelSecret lists: trimmed, empty items ignored, duplicates collapsed, bad name 496',
    async () => {
      const a = await addSecret(server, app, uniqueName('la'), '1');
      const bName = uniqueName('lb');
      await addSecret(server, app, bName, '2');
      assert.equal(assertOk(await api(server, 'DelSecret', { application_id: app.id,
        secret_id: ` ${a} ;;${a}; ` }), 'id list').result, 1);
      assertApiError(await api(server, 'DelSecret', { application_id: app.id,
        secret_name: `${bName};bad-name` }), 496, 'secret_name');
      assertApiError(await api(server, 'DelSecret', { application_id: app.id,
        secret_name: 'all' }), 341, undefined, '`all` is a plain name in secret_name');
      assert.ok((await valueOf({ secret_name: bName })).secret_value === '2',
        'a rejected DelSecret deleted something');
      assert.equal(assertOk(await api(server, 'DelSecret', { application_id: app.id,
        secret_name: ` ${bName} ; ${bName};` }), 'name list').result, 1);
      assertApiError(await api(server, 'GetSecretValue', { application_id: app.id,
        secret_name: bName }), 341);
    });
});

describe('bearer tokens', () => {
  const otherKey = crypto.generateKeyPairSync('rsa', { modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey;
  const call = (token) => api(server, 'GetSecrets', { application_id: app.id }, { token });
  const tok = (options) => mintToken(server.credentials, options);

  test('accepted: Node/Python/Go/PHP/Java shapes, reuse until expiry, exp-iat = 3600, small skew',
    async () => {
      const now = nowSeconds();
      const shapes = {
        node: tok({ iat: now, exp: now + 64 }),
        python: tok({ iat: now - 5, exp: now + 24 }),
        php: tok({ iat: now, exp: now + 60, header: { typ: 'JWT' } }),
        java: tok({ iat: now - 5, exp: now + 60, typ: null, iss: String(server.credentials.account_id) }),
        docs: tok({ iat: now, exp: now + 3600 }),
        skew: tok({ iat: now + 30, exp: now + 90 }),
      };
      for (const [label, token] of Object.entries(shapes)) {
        assertOk(await call(token), `${label} token`);
      }
      const reused = tok({ ttl: 120 });
      assertOk(await call(reused), 'first use');
      assertOk(await call(reused), 'second use of the same token');
    });

  test('expired -> 456', async () => {
    const now = nowSeconds();
    assertApiError(await call(tok({ iat: now - 120, exp: now - 60 })), 456);
  });

  test('exp - iat > 3600 -> 454', async () => {
    const now = nowSeconds();
    assertApiError(await call(tok({ iat: now, exp: now + 3601 })), 454);
    assertApiError(await call(tok({ iat: now - 10, exp: now + 86400 })), 454);
  });

  test('iat 120 s in the future -> 455', async () => {
    const now = nowSeconds();
    assertApiError(await call(tok({ iat: now + 120, exp: now + 180 })), 455);
  });

  test('undecodable or missing claims -> 447', async () => {
    for (const garbage of ['garbage', 'a.b.c', 'eyJ.eyJ.', '...', `${tok()}x`.split('.')[0]]) {
      assertApiError(await call(garbage), 447, undefined, `token ${JSON.stringify(garbage)}`);
    }
    assertApiError(await call(tok({ omit: ['exp'] })), 447, undefined, 'no exp');
    assertApiError(await call(tok({ omit: ['iat'] })), 447, undefined, 'no iat');
    assertApiError(await call(tok({ iss: 'not-a-number' })), 447, undefined, 'non-numeric iss');
  });

  test('alg none, other algorithms, unknown kid, foreign key, tampering -> 100', async () => {
    assertApiError(await call(tok({ alg: 'none' })), 100, undefined, 'alg none');
    const hs = tok({ alg: 'HS256' }); // header says HS256, signed RS256: alg must be refused
    assertApiError(await call(hs), 100, undefined, 'alg HS256');
    assertApiError(await call(tok({ kid: crypto.randomUUID() })), 100, undefined, 'unknown kid');
    assertApiError(await call(tok({ privateKey: otherKey })), 100, undefined, 'foreign key');
    const [h, c, s] = tok().split('.');
    const claims = JSON.parse(Buffer.from(c, 'base64url'));
    claims.exp += 1;
    const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
    assertApiError(await call(forged), 100, undefined, 'tampered claims');
    assertApiError(await call(tok({ iss: server.credentials.account_id + 987654 })), 100,
      undefined, 'iss of an unrelated account');
  });

  test('order of token checks: 447 -> 100 -> 454 -> 455 -> 456', async () => {
    const now = nowSeconds();
    assertApiError(await call(tok({ privateKey: otherKey, iat: now - 120, exp: now - 60 })), 100,
      undefined, 'bad signature and expired');
    assertApiError(await call(tok({ iat: now - 7200, exp: now - 60 })), 454, undefined,
      'too long and expired');
    assertApiError(await call(tok({ iat: now + 120, exp: now + 7200 })), 454, undefined,
      'too long and in the future');
    assertApiError(await call(tok({ privateKey: otherKey, omit: ['exp'] })), 447, undefined,
      'no exp and bad signature');
  });
});
