// The control panel as HTTP sees it, against the real binary (no browser): the page and its
// hashed assets with the security headers of docs/PANEL.md, caching that keeps assets cacheable
// but never an API answer, no cookie and no CORS anywhere, no page for unknown paths or
// /platform_api paths, `serve --no-panel`, and GetAccountInfo's access_entries and key roles (what
// the panel reads to disable what a key may not do).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { api, assertOk, request } from './lib/api.mjs';
import { startServer } from './lib/server.mjs';

const PANEL_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
const API_CSP = "default-src 'none'; frame-ancestors 'none'";

let server;
let noPanel;

before(async () => {
  [server, noPanel] = await Promise.all([startServer(),
    startServer({ extraArgs: ['--no-panel'] })]);
});

after(async () => {
  await Promise.all([server?.cleanup(), noPanel?.cleanup()]);
});

const get = (srv, path, headers = {}) => request(srv, { method: 'GET', path, headers });

function assertNoCookiesNoCors(res, what) {
  assert.equal(res.headers['set-cookie'], undefined, `${what}: Set-Cookie`);
  for (const name of Object.keys(res.headers)) {
    assert.ok(!name.startsWith('access-control-'), `${what}: CORS header ${name}`);
  }
}

function assetPaths(html) {
  return [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
}

test('the page and its assets come with strict security headers and the right caching', async () => {
  const page = await get(server, '/');
  assert.equal(page.status, 200);
  assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
  assert.equal(page.headers['content-security-policy'], PANEL_CSP);
  assert.equal(page.headers['x-content-type-options'], 'nosniff');
  assert.equal(page.headers['referrer-policy'], 'no-referrer');
  assert.equal(page.headers['x-frame-options'], 'DENY');
  assert.equal(page.headers['cache-control'], 'no-cache');
  assert.match(page.headers.etag, /^"[0-9a-f]{16}"$/);
  assertNoCookiesNoCors(page, 'index');
  assert.doesNotMatch(page.text, /<script(?![^>]*\ssrc=)[^>]*>/, 'no inline script');
  assert.doesNotMatch(page.text, /<style|\sstyle=/, 'no inline style');

  const paths = assetPaths(page.text);
  assert.equal(paths.length, 3, `script, stylesheet and icon: ${paths}`);
  for (const path of paths) {
    assert.match(path, /^\/assets\/[a-z]+-[A-Za-z0-9_-]{8,}\.(js|css|svg)$/, 'same origin, hashed');
    const asset = await get(server, path);
    assert.equal(asset.status, 200, path);
    assert.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable', path);
    assert.equal(asset.headers['content-security-policy'], PANEL_CSP, path);
    assert.equal(asset.headers['x-content-type-options'], 'nosniff', path);
    assertNoCookiesNoCors(asset, path);
    const again = await get(server, path, { 'If-None-Match': asset.headers.etag });
    assert.equal(again.status, 304, `${path} revalidated`);
    assert.equal(again.raw.length, 0);
  }
  const js = await get(server, paths.find((p) => p.endsWith('.js')));
  assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
  // Nothing in the bundle reaches another origin.
  assert.doesNotMatch(js.text, /https?:\/\/(?!www\.w3\.org\/)[a-z0-9.-]+\.[a-z]{2,}\//i,
    'the bundle names no foreign URL');
});

test('API answers keep no-store and gain no panel headers; no page for other paths', async () => {
  const answer = await api(server, 'GetApplications', {});
  assertOk(answer, 'GetApplications');
  assert.equal(answer.headers['cache-control'], 'no-store');
  assert.equal(answer.headers['content-security-policy'], API_CSP);
  assert.equal(answer.headers['x-content-type-options'], 'nosniff');
  assert.equal(answer.headers.etag, undefined);
  assertNoCookiesNoCors(answer, 'API');
  // A browser's CORS preflight gets no CORS headers (and no 2xx).
  const preflight = await request(server, { method: 'OPTIONS', path: '/platform_api/GetSecrets',
    headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' } });
  assert.equal(preflight.status, 405);
  assertNoCookiesNoCors(preflight, 'preflight');

  for (const path of ['/platform_api/', '/platform_api/index.html', '/applications',
    '/assets/app-NOPE1234.js', '/index.html/x']) {
    const res = await get(server, path);
    assert.notEqual(res.headers['content-type'], 'text/html; charset=utf-8', path);
    assert.equal(res.headers['cache-control'], 'no-store', path);
  }
  assert.equal((await get(server, '/applications')).status, 404);
});

test('serve --no-panel serves no page, and the API still works', async () => {
  const res = await get(noPanel, '/');
  assert.equal(res.status, 404);
  assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
  assert.equal((await get(noPanel, '/index.html')).status, 404);
  assertOk(await api(noPanel, 'GetAccountInfo', {}), 'API with --no-panel');
  assert.match(noPanel.output(), /Control panel: off \(--no-panel\)/);
  assert.match(server.output(), /Control panel: https:\/\/127\.0\.0\.1:\d+\//);
});

test('GetAccountInfo tells any key its roles and the methods it may call', async () => {
  const owner = assertOk(await api(server, 'GetAccountInfo', {}), 'owner').result;
  assert.equal(owner.key.key_id, server.credentials.key_id);
  assert.deepEqual(owner.key.roles, [{ role_id: 1, role_name: 'Owner', inherited: false }]);
  assert.equal(owner.access_entries.length, 21);

  const support = server.createKey({ account: server.credentials.account_id, roles: ['Support'] });
  const info = assertOk(await api({ ...server, credentials: support }, 'GetAccountInfo', {}),
    'support').result;
  assert.deepEqual(info.key.roles, [{ role_id: 3, role_name: 'Support', inherited: false }]);
  assert.deepEqual(info.access_entries,
    ['GetAccountInfo', 'GetApplications', 'GetRoles', 'GetSecretVersions', 'GetSecrets']);
  // The list is the server's own rule: what it leaves out is refused.
  const refused = await api({ ...server, credentials: support }, 'AddApplication',
    { application_name: 'nope' });
  assert.equal(refused.json.error.code, 104);
});
