// Raw HTTPS access to a running voxsecrets server, shaped like the official clients' requests.
//
// - mintToken(): RS256 JWTs made here from credentials.json, so tests control kid/iss/iat/exp/alg.
// - encoders: urlencoded (Python requests), multipart in the Node form-data / Go / PHP / Java
//   flavours, JSON.
// - request(): one HTTPS request with the server's dev certificate trusted; returns status, headers,
//   raw text and parsed JSON.
// - api(): the common case, POST /platform_api/<Method> urlencoded with a fresh bearer token.
//
// Nothing here prints tokens or secret values.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import https from 'node:https';

export const b64url = (data) => Buffer.from(data).toString('base64url');

export const nowSeconds = () => Math.floor(Date.now() / 1000);

// options: iat, exp (absolute seconds), ttl (exp = iat + ttl), alg ('RS256' | 'none' | other),
// kid, iss, typ (null = omit), omit: ['iat'|'exp'|'iss'|'kid'], privateKey (PEM, to sign with a
// foreign key), header/claims: extra members.
export function mintToken(credentials, options = {}) {
  const iat = options.iat ?? nowSeconds();
  const exp = options.exp ?? iat + (options.ttl ?? 60);
  const alg = options.alg ?? 'RS256';
  const header = { alg };
  if (options.typ !== null) header.typ = options.typ ?? 'JWT';
  header.kid = options.kid ?? credentials.key_id;
  Object.assign(header, options.header ?? {});
  const claims = { iss: options.iss ?? credentials.account_id, iat, exp, ...(options.claims ?? {}) };
  for (const name of options.omit ?? []) {
    delete claims[name];
    delete header[name];
  }
  const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  if (alg === 'none') return `${signingInput}.`;
  const signature = crypto.sign('sha256', Buffer.from(signingInput),
    options.privateKey ?? credentials.private_key);
  return `${signingInput}.${b64url(signature)}`;
}

export function bearer(server, options) {
  return { Authorization: `Bearer ${mintToken(server.credentials, options)}` };
}

// ---- body encoders --------------------------------------------------------------------------

// application/x-www-form-urlencoded the way Python's requests (urlencode/quote_plus) does it.
export function urlencoded(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) search.append(name, String(value));
  return { body: Buffer.from(search.toString(), 'utf8'),
    contentType: 'application/x-www-form-urlencoded' };
}

const MULTIPART_FLAVOURS = {
  // npm form-data 2.5 (the Node client): 26 dashes + 24 digits; part = headers, value, CRLF.
  node: {
    boundary: () => '-'.repeat(26) + Array.from({ length: 24 },
      () => Math.floor(Math.random() * 10)).join(''),
    partHeaders: () => [],
    encode: (value) => Buffer.from(value, 'utf8'),
  },
  // Go mime/multipart Writer.WriteField: boundary = 30 random bytes in hex.
  go: {
    boundary: () => crypto.randomBytes(30).toString('hex'),
    partHeaders: () => [],
    encode: (value) => Buffer.from(value, 'utf8'),
  },
  // apiclient-php Http/Curl.php: '-------------' . uniqid() (13 hex digits), hand-built parts.
  php: {
    boundary: () => {
      const micros = process.hrtime.bigint() / 1000n;
      const seconds = (micros / 1000000n).toString(16).padStart(8, '0');
      return `-------------${seconds}${(micros % 1000000n).toString(16).padStart(5, '0')}`;
    },
    partHeaders: () => [],
    encode: (value) => Buffer.from(value, 'utf8'),
  },
  // Apache httpmime MultipartEntityBuilder (the Java client): every text part carries its own
  // Content-Type (ISO-8859-1, the Apache default) and Content-Transfer-Encoding.
  java: {
    boundary: () => {
      const alphabet = '-_1234567890abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
      const length = 30 + crypto.randomInt(11);
      return Array.from({ length }, () => alphabet[crypto.randomInt(alphabet.length)]).join('');
    },
    partHeaders: () => ['Content-Type: text/plain; charset=ISO-8859-1',
      'Content-Transfer-Encoding: 8bit'],
    encode: (value) => Buffer.from(value, 'latin1'),
  },
};

// params: object of name -> string | Buffer (a Buffer is sent as raw bytes).
// Every flavour writes: --B CRLF headers CRLF CRLF value CRLF ... --B-- CRLF.
export function multipart(params, flavour = 'node') {
  const f = MULTIPART_FLAVOURS[flavour];
  assert.ok(f, `unknown multipart flavour ${flavour}`);
  const boundary = f.boundary();
  const chunks = [];
  for (const [name, value] of Object.entries(params)) {
    const headers = [`Content-Disposition: form-data; name="${name}"`, ...f.partHeaders(name)];
    chunks.push(Buffer.from(`--${boundary}\r\n${headers.join('\r\n')}\r\n\r\n`, 'utf8'));
    chunks.push(Buffer.isBuffer(value) ? value : f.encode(String(value)));
    chunks.push(Buffer.from('\r\n', 'utf8'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`, 'utf8'));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}`,
    boundary };
}

export function jsonBody(object) {
  return { body: Buffer.from(JSON.stringify(object), 'utf8'), contentType: 'application/json' };
}

export function queryString(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) search.append(name, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

// ---- transport ------------------------------------------------------------------------------

// options: method, path, headers, body (Buffer|string|{body, contentType}), chunked (send the body
// with Transfer-Encoding: chunked instead of Content-Length), timeoutMs, localAddress (the client
// address to connect from, e.g. another 127.x.y.z).
export function request(server, options) {
  const method = options.method ?? 'POST';
  const headers = { ...(options.headers ?? {}) };
  let body = options.body ?? null;
  if (body && !Buffer.isBuffer(body) && typeof body === 'object') {
    headers['Content-Type'] = body.contentType;
    body = body.body;
  }
  if (typeof body === 'string') body = Buffer.from(body, 'utf8');
  if (body && !options.chunked) headers['Content-Length'] = String(body.length);
  if (body && options.chunked) headers['Transfer-Encoding'] = 'chunked';
  return new Promise((resolve, reject) => {
    const req = https.request({
      host: '127.0.0.1', port: server.port, method, path: options.path, headers,
      ca: server.ca, agent: options.agent ?? false, timeout: options.timeoutMs ?? 30000,
      localAddress: options.localAddress,
    }, (res) => {
      const parts = [];
      res.on('data', (chunk) => parts.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const raw = Buffer.concat(parts);
        const text = raw.toString('utf8');
        let json;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode, headers: res.headers, raw, text, json });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`request ${options.path} timed out`)));
    req.on('error', reject);
    if (body && options.chunked) {
      const step = 16 * 1024;
      for (let i = 0; i < body.length; i += step) req.write(body.subarray(i, i + step));
      req.end();
    } else {
      req.end(body ?? undefined);
    }
  });
}

// The common case: POST /platform_api/<Method>, urlencoded body, fresh bearer token.
// options.token: a token string, or null for no Authorization header; options.tokenOptions for
// mintToken.
export function api(server, method, params = {}, options = {}) {
  const headers = { ...(options.headers ?? {}) };
  if (options.token !== null) {
    headers.Authorization = `Bearer ${options.token ??
      mintToken(server.credentials, options.tokenOptions)}`;
  }
  return request(server, { method: 'POST', path: `/platform_api/${method}`, headers,
    body: urlencoded(params) });
}

// ---- assertions -----------------------------------------------------------------------------

// Describes a response for assertion messages without leaking secret values.
export function describe(res) {
  const copy = res.json === undefined ? res.text.slice(0, 300) : JSON.stringify(res.json,
    (key, value) => (key === 'secret_value' ? '<value>' : value));
  return `HTTP ${res.status} ${copy}`;
}

export function assertTransportHeaders(res, context = '') {
  assert.match(String(res.headers['content-type']), /^application\/json(;\s*charset=utf-8)?$/i,
    `${context} Content-Type was ${res.headers['content-type']}`);
  assert.equal(res.headers['cache-control'], 'no-store',
    `${context} Cache-Control was ${res.headers['cache-control']}`);
}

export function assertOk(res, context = '') {
  assert.equal(res.status, 200, `${context}: ${describe(res)}`);
  assert.ok(res.json && typeof res.json === 'object', `${context}: not JSON: ${describe(res)}`);
  assert.equal(res.json.error, undefined, `${context}: unexpected error ${describe(res)}`);
  assert.ok('result' in res.json, `${context}: no result: ${describe(res)}`);
  return res.json;
}

// An API error: HTTP 200, {"error":{"code","msg"[,"field_name"]}}, no result.
export function assertApiError(res, code, fieldName, context = '') {
  assert.equal(res.status, 200, `${context}: expected HTTP 200 with error ${code}, got ` +
    describe(res));
  assert.ok(res.json && typeof res.json.error === 'object',
    `${context}: expected error ${code}, got ${describe(res)}`);
  assert.equal(res.json.error.code, code, `${context}: expected error ${code}, got ${describe(res)}`);
  assert.equal(typeof res.json.error.msg, 'string', `${context}: msg missing: ${describe(res)}`);
  assert.ok(res.json.error.msg.length > 0, `${context}: empty msg`);
  assert.equal('result' in res.json, false, `${context}: error response carries result`);
  if (fieldName !== undefined) {
    assert.equal(res.json.error.field_name, fieldName,
      `${context}: field_name: ${describe(res)}`);
  }
  return res.json.error;
}

// ---- fixtures -------------------------------------------------------------------------------

let counter = 0;
export function uniqueName(prefix = 'e2e') {
  counter += 1;
  return `${prefix}${process.pid}x${counter}${crypto.randomBytes(2).toString('hex')}`;
}

// Creates an application (short name: lowercase letters, digits, '-') and returns
// { id, shortName, fullName, accountName }.
export async function createApplication(server, shortName = uniqueName('app')) {
  const name = shortName.toLowerCase();
  const res = await api(server, 'AddApplication', { application_name: name });
  const json = assertOk(res, 'AddApplication');
  assert.equal(json.result, 1, `AddApplication: ${describe(res)}`);
  assert.equal(typeof json.application_id, 'number', `AddApplication: ${describe(res)}`);
  const fullName = json.application_name;
  assert.ok(typeof fullName === 'string' && fullName.startsWith(`${name}.`) &&
    fullName.endsWith('.voximplant.com'), `AddApplication full name: ${describe(res)}`);
  const accountName = fullName.slice(name.length + 1, -'.voximplant.com'.length);
  return { id: json.application_id, shortName: name, fullName, accountName };
}

export async function addSecret(server, app, name, value, extra = {}) {
  const res = await api(server, 'AddSecret',
    { application_id: app.id, secret_name: name, secret_value: value, ...extra });
  const json = assertOk(res, `AddSecret ${name}`);
  assert.ok(Array.isArray(json.result) && json.result.length === 1 &&
    typeof json.result[0].secret_id === 'number', `AddSecret ${name}: ${describe(res)}`);
  return json.result[0].secret_id;
}

export async function getSecretValue(server, app, params) {
  const res = await api(server, 'GetSecretValue', { application_id: app.id, ...params });
  return res;
}

export const DATE_RE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
