// The control panel in a real browser (Debian's chromium via playwright-core) against the real
// binary: sign-in (good and malformed files), every page, reveal/hide/copy, edits, deletes with
// confirmation, refused actions shown in words (493, 129), keys of lower roles (controls disabled
// and explained), signing in again without losing typed input, keyboard-only use, sign-out,
// axe-core on every page in light and dark, screenshots, and — over every request every page
// made — that the private key never left the browser and nothing went to another origin; the
// history of a value with restore, and a key limited to one application. Each action is checked
// through the API too, not only on the screen.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { addSecret, api, assertOk, createApplication, getSecretValue } from './lib/api.mjs';
import {
  assertAccessible, cleanupScreenshots, launchBrowser, openPanel, panelUrl, runAxe, screenshot,
  screenshotDir, signIn, waitForText,
} from './lib/browser.mjs';
import { startServer } from './lib/server.mjs';

let server;
let browser;
let owner; // the long-lived Owner session most tests share
let payments; // { id, shortName, fullName }
const sessions = []; // every context opened, for the final request check
const privateKeys = new Set();

before(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  privateKeys.add(server.credentials.private_key);
});

after(async () => {
  for (const s of sessions) await s.close().catch(() => {});
  await browser?.close();
  await server?.cleanup();
  cleanupScreenshots();
});

async function open(options) {
  const s = await openPanel(browser, server, options);
  sessions.push(s);
  return s;
}

// As another key: {...server, credentials} works with lib/api.mjs helpers.
const as = (credentials) => ({ ...server, credentials });

function keyFile(name, credentials) {
  const file = path.join(server.root, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify(credentials), { mode: 0o600 });
  privateKeys.add(credentials.private_key);
  return file;
}

async function goTo(page, hash) {
  // Leave and come back so that the page loads afresh (a hash route mounts on change).
  await page.evaluate(() => { window.location.hash = '#/nowhere'; });
  await page.getByRole('heading', { name: 'Page not found' }).waitFor();
  await page.evaluate((h) => { window.location.hash = h; }, hash);
}

async function auditCount(params) {
  const res = assertOk(await api(server, 'GetAuditLog', { count: 1, ...params }), 'GetAuditLog');
  return res.total_count;
}

const pagerRange = (page) => page.locator('.pager__range');
const notices = (page) => page.locator('.notices');

test('a malformed or refused credentials file gives a clear message, not a blank page', async () => {
  const s = await open();
  const { page } = s;
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await assertAccessible(page, 'sign-in page');
  // The checker itself can fail: an unlabelled field is a critical violation.
  await page.evaluate(() => document.querySelector('main').append(
    Object.assign(document.createElement('input'), { id: 'axe-probe' })));
  assert.ok((await runAxe(page)).some((v) => v.id === 'label'), 'axe sees an unlabelled input');
  await page.evaluate(() => document.getElementById('axe-probe').remove());
  const tryFile = async (text, expected) => {
    await page.getByLabel('Credentials file').setInputFiles({ name: 'credentials.json',
      mimeType: 'application/json', buffer: Buffer.from(text) });
    await page.getByRole('button', { name: 'Sign in' }).click();
    await waitForText(page.locator('#credentials-error'), expected);
    assert.equal(await page.getByRole('button', { name: 'Sign out' }).count(), 0);
  };
  await tryFile('{not json', 'not valid JSON');
  await tryFile(JSON.stringify({ account_id: 1, key_id: 'k' }), 'has no "private_key"');
  await tryFile(JSON.stringify({ account_id: 'x', key_id: 'k', private_key: 'p' }),
    '"account_id" in this file is not a positive number');
  const pkcs1 = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
    .export({ type: 'pkcs1', format: 'pem' });
  await tryFile(JSON.stringify({ account_id: 1, key_id: 'k', private_key: pkcs1 }), 'PKCS#1');
  await tryFile(JSON.stringify({ account_id: 1, key_id: 'k',
    private_key: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n' }),
  'not an RSA private key');

  // Well formed, but a key the server does not know: refused by the server, said in words.
  const stranger = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
    .export({ type: 'pkcs8', format: 'pem' });
  privateKeys.add(stranger);
  const keyId = crypto.randomUUID();
  await tryFile(JSON.stringify({ account_email: 'x@example.test',
    account_id: server.credentials.account_id, key_id: keyId, private_key: stranger }),
  'does not accept this key');
  await waitForText(page.locator('#credentials-error'), '(error 100)');
  // The server was asked (a signed GetAccountInfo) and refused: nothing ran as that key.
  await s.settle();
  assert.ok(s.requests.some((r) => r.url.endsWith('/platform_api/GetAccountInfo')));
  const records = assertOk(await api(server, 'GetAuditLog', { count: 1000 }), 'audit').result;
  assert.deepEqual(records.filter((r) => r.cmd_result.includes(keyId)), []);
  assert.deepEqual(s.problems.filter((p) => !p.includes('status of 404')), []);
});

test('signs in with data/credentials.json and shows the account and the key\'s roles', async () => {
  owner = await open();
  const { page } = owner;
  await signIn(page, server.credentialsPath);
  const info = assertOk(await api(server, 'GetAccountInfo', {}), 'GetAccountInfo').result;
  const header = page.locator('header.topbar');
  await waitForText(header, info.account_name);
  await waitForText(header, 'Owner');
  await page.getByRole('heading', { name: 'Applications' }).waitFor();
  // The key is in memory only: nothing in any storage of the origin, no cookie.
  const stored = await page.evaluate(async () => ({
    local: window.localStorage.length,
    session: window.sessionStorage.length,
    databases: (await window.indexedDB.databases()).length,
  }));
  assert.deepEqual(stored, { local: 0, session: 0, databases: 0 });
  assert.deepEqual(await owner.context.cookies(), []);
  await assertAccessible(page, 'applications page (empty)');
});

test('applications: add (live rule check), refused duplicate in words, rename, delete, search, paging', async () => {
  const { page } = owner;
  await page.getByRole('button', { name: 'Add application' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add application' });
  const name = dialog.getByLabel('Application name');
  await name.fill('Payments');
  await waitForText(dialog, 'starts with a lowercase letter');
  await name.fill('payments');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.waitFor({ state: 'detached' });
  await waitForText(notices(page), 'Application payments added.');
  const listed = assertOk(await api(server, 'GetApplications', { application_name: 'payments' }),
    'GetApplications').result;
  assert.equal(listed.length, 1);
  payments = { id: listed[0].application_id, shortName: 'payments',
    fullName: listed[0].application_name };
  await page.getByRole('link', { name: 'payments', exact: true }).waitFor();

  // The same name again: the server refuses (129) and the panel says so next to the field.
  await page.getByRole('button', { name: 'Add application' }).click();
  await dialog.getByLabel('Application name').fill('payments');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await waitForText(dialog, 'An application with this name already exists. (error 129)');
  assert.equal(await dialog.getByLabel('Application name').getAttribute('aria-invalid'), 'true');
  await assertAccessible(page, 'add application dialog with an error');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.getByRole('button', { name: 'Discard' }).click(); // typed input: asks first
  await dialog.waitFor({ state: 'detached' });
  assert.equal(assertOk(await api(server, 'GetApplications', { application_name: 'payments' }),
    'still one').total_count, 1);

  // Rename and delete a second application.
  await page.getByRole('button', { name: 'Add application' }).click();
  await dialog.getByLabel('Application name').fill('scratch');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.getByRole('button', { name: 'Rename scratch' }).click();
  const rename = page.getByRole('dialog', { name: 'Rename application scratch' });
  await rename.getByLabel('Application name').fill('scratch-renamed');
  await rename.getByRole('button', { name: 'Save' }).click();
  await rename.waitFor({ state: 'detached' });
  const renamed = assertOk(await api(server, 'GetApplications', { application_name: 'scratch' }),
    'renamed').result;
  assert.deepEqual(renamed.map((a) => a.application_name.split('.')[0]), ['scratch-renamed']);
  await page.getByRole('button', { name: 'Delete scratch-renamed' }).click();
  const del = page.getByRole('dialog', { name: 'Delete application scratch-renamed?' });
  await waitForText(del, 'which has no secrets');
  await del.getByRole('button', { name: 'Delete' }).click();
  await del.waitFor({ state: 'detached' });
  assert.equal(assertOk(await api(server, 'GetApplications', { application_name: 'scratch' }),
    'deleted').total_count, 0);

  // Paging and search on the server: 23 more applications.
  await Promise.all(Array.from({ length: 23 }, (_, i) =>
    createApplication(server, `bulk-${String(i + 1).padStart(2, '0')}`)));
  await goTo(page, '#/applications');
  const search = page.getByLabel('Search applications');
  await search.fill('bulk');
  await waitForText(pagerRange(page), '1–20 of 23');
  await page.getByRole('button', { name: 'Next' }).click();
  await waitForText(pagerRange(page), '21–23 of 23');
  await search.fill('bulk-2');
  await waitForText(pagerRange(page), '1–4 of 4'); // the page count follows the filter
  assert.equal(assertOk(await api(server, 'GetApplications', { application_name: 'bulk-2' }),
    'search').total_count, 4);
  await search.fill('');
  await waitForText(pagerRange(page), 'of 24');
});

test('secrets: add with live checks, 493 in words, reveal/hide without layout jump, copy, edit, delete', async () => {
  const { page } = owner;
  await goTo(page, `#/applications/${payments.id}`);
  await page.getByRole('heading', { name: 'Secrets of payments' }).waitFor();
  await waitForText(page.locator('.empty'), 'No secrets in this application yet');
  await assertAccessible(page, 'secrets page (empty)');

  await page.getByRole('button', { name: 'Add secret' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add secret to payments' });
  await dialog.getByLabel('Secret name').fill('db password');
  await waitForText(dialog, 'Only letters, digits and _ are allowed; a space is not.');
  await dialog.getByLabel('Secret name').fill('DB_PASSWORD');
  const value = 'line one\nline two  ';
  await dialog.getByLabel('Secret value', { exact: true }).fill(value);
  await waitForText(dialog, 'starts or ends with whitespace');
  await waitForText(dialog, '19 / 8192');
  await dialog.getByLabel('Description').fill('d'.repeat(205));
  await waitForText(dialog, '205 / 200');
  await waitForText(dialog, 'At most 200 characters (now 205).');
  const requestsBefore = owner.requests.length;
  await dialog.getByRole('button', { name: 'Save' }).click();
  await page.waitForTimeout(200);
  await owner.settle();
  assert.equal(owner.requests.slice(requestsBefore).filter((r) => r.url.includes('AddSecret'))
    .length, 0, 'an invalid form is not sent');
  await dialog.getByLabel('Description').fill('Primary database');
  await assertAccessible(page, 'add secret dialog');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.waitFor({ state: 'detached' });
  await waitForText(notices(page), 'Secret DB_PASSWORD added.');
  const stored = assertOk(await getSecretValue(server, payments, { secret_name: 'DB_PASSWORD' }),
    'GetSecretValue').result[0];
  assert.ok(stored.secret_value === value, 'the value is stored byte for byte (newlines, spaces)');
  assert.equal(stored.description, 'Primary database');

  // A taken name: the server's 493, in words, next to the name; what was typed stays.
  await page.getByRole('button', { name: 'Add secret' }).click();
  await dialog.getByLabel('Secret name').fill('DB_PASSWORD');
  await dialog.getByLabel('Secret value', { exact: true }).fill('another value');
  await dialog.getByRole('button', { name: 'Save' }).click();
  const nameMessage = page.locator('#secret-name-message');
  await waitForText(nameMessage,
    'A secret with this name already exists in this application. (error 493)');
  assert.equal(await dialog.getByLabel('Secret name').getAttribute('aria-invalid'), 'true');
  assert.ok(await dialog.getByLabel('Secret value', { exact: true }).inputValue() ===
    'another value', 'the typed value is kept');
  await page.keyboard.press('Escape');
  await dialog.getByRole('button', { name: 'Discard' }).click();
  await dialog.waitFor({ state: 'detached' });

  // Values are not in the page until revealed; a reveal is one audited GetSecretValue.
  assert.ok(!(await page.content()).includes('line one'), 'no value before Reveal');
  const row = page.getByRole('row', { name: /DB_PASSWORD/ });
  const readsBefore = await auditCount({ filtered_cmd: 'GetSecretValue' });
  const boxBefore = await row.boundingBox();
  const descBefore = await row.getByRole('cell', { name: 'Primary database' }).boundingBox();
  await row.getByRole('button', { name: 'Reveal the value of DB_PASSWORD' }).click();
  await waitForText(row, 'line one⏎line two', { secret: true });
  const boxAfter = await row.boundingBox();
  const descAfter = await row.getByRole('cell', { name: 'Primary database' }).boundingBox();
  assert.deepEqual(boxAfter, boxBefore, 'the row keeps its size');
  assert.deepEqual(descAfter, descBefore, 'the next column does not move');
  assert.equal(await auditCount({ filtered_cmd: 'GetSecretValue' }), readsBefore + 1);
  // The whole value opens from its box; Escape closes and focus returns to the box.
  await row.getByRole('button', { name: /line one/ }).click();
  const view = page.getByRole('dialog', { name: 'Value of DB_PASSWORD' });
  assert.ok(await view.getByLabel('Secret value').inputValue() === value, 'the whole value');
  await page.keyboard.press('Escape');
  await view.waitFor({ state: 'detached' });
  assert.ok(await page.evaluate(() => document.activeElement?.classList.contains('value__box')),
    'focus returns to the value box');
  await row.getByRole('button', { name: 'Hide the value of DB_PASSWORD' }).click();
  await row.getByRole('button', { name: 'Reveal the value of DB_PASSWORD' }).waitFor();
  assert.ok(!(await page.content()).includes('line one'), 'hidden again: gone from the page');
  assert.deepEqual(await row.boundingBox(), boxBefore);

  // Copy without revealing: one more audited read, the value on the clipboard, not in the page.
  await row.getByRole('button', { name: 'Copy the value of DB_PASSWORD' }).click();
  await waitForText(notices(page), 'Copied the value of DB_PASSWORD');
  assert.ok(await page.evaluate(() => navigator.clipboard.readText()) === value,
    'the clipboard holds the value');
  assert.ok(!(await page.content()).includes('line one'));
  assert.equal(await auditCount({ filtered_cmd: 'GetSecretValue' }), readsBefore + 2);

  // Edit: rename and a new value; the description stays.
  await row.getByRole('button', { name: 'Edit DB_PASSWORD' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit secret DB_PASSWORD' });
  await edit.getByLabel('Secret name').fill('DB_MAIN_PASSWORD');
  await edit.getByLabel('Secret value', { exact: true }).fill('rotated-1');
  await edit.getByRole('button', { name: 'Save' }).click();
  await edit.waitFor({ state: 'detached' });
  const edited = assertOk(await getSecretValue(server, payments,
    { secret_name: 'DB_MAIN_PASSWORD' }), 'edited').result[0];
  assert.ok(edited.secret_value === 'rotated-1');
  assert.equal(edited.description, 'Primary database');

  // Delete one row, confirmed in a dialog that names it.
  await addSecret(server, payments, 'TEMP_TOKEN', 'temporary');
  await goTo(page, `#/applications/${payments.id}`);
  await page.getByRole('button', { name: 'Delete TEMP_TOKEN' }).click();
  const del = page.getByRole('dialog', { name: 'Delete secret TEMP_TOKEN?' });
  await waitForText(del, 'This deletes the secret TEMP_TOKEN from the application payments.');
  await assertAccessible(page, 'delete secret dialog');
  await del.getByRole('button', { name: 'Delete' }).click();
  await del.waitFor({ state: 'detached' });
  const gone = await getSecretValue(server, payments, { secret_name: 'TEMP_TOKEN' });
  assert.equal(gone.json.error.code, 341);
  assert.ok(!(await getSecretValue(server, payments, { secret_name: 'DB_MAIN_PASSWORD' })).json.error);
});

test('secrets: bulk delete of a selection across pages names every secret', async () => {
  const { page } = owner;
  for (let i = 1; i <= 30; i += 1) {
    await addSecret(server, payments, `BULK_${String(i).padStart(2, '0')}`, `v${i}`);
  }
  await goTo(page, `#/applications/${payments.id}`);
  await page.getByLabel('Search secrets').fill('BULK');
  await waitForText(pagerRange(page), '1–20 of 30');
  await page.getByRole('checkbox', { name: 'Select BULK_01' }).click();
  await page.getByRole('checkbox', { name: 'Select BULK_05' }).click({ modifiers: ['Shift'] });
  await waitForText(page.locator('.toolbar__count'), '5 selected');
  await page.getByRole('button', { name: 'Next' }).click();
  await waitForText(pagerRange(page), '21–30 of 30');
  await page.getByRole('checkbox', { name: 'Select BULK_21' }).click();
  await waitForText(page.locator('.toolbar__count'), '6 selected');
  await page.getByRole('button', { name: 'Delete selected' }).click();
  const del = page.getByRole('dialog', { name: 'Delete 6 secrets?' });
  for (const n of ['BULK_01', 'BULK_02', 'BULK_03', 'BULK_04', 'BULK_05', 'BULK_21']) {
    await waitForText(del.locator('.name-list'), n);
  }
  await del.getByRole('button', { name: 'Delete' }).click();
  await del.waitFor({ state: 'detached' });
  await waitForText(notices(page), '6 secrets deleted.');
  const left = assertOk(await api(server, 'GetSecrets', { application_id: payments.id,
    secret_name_part: 'BULK', count: 100 }), 'GetSecrets').result.map((s) => s.secret_name);
  assert.equal(left.length, 24);
  for (const n of ['BULK_01', 'BULK_05', 'BULK_21']) assert.ok(!left.includes(n), n);
  assert.ok(left.includes('BULK_06') && left.includes('BULK_22'));
});

test('secrets: thousands stay paged and searchable on the server', async () => {
  const { page } = owner;
  const big = await createApplication(server, 'big');
  const total = 1500;
  for (let start = 0; start < total; start += 50) {
    await Promise.all(Array.from({ length: Math.min(50, total - start) }, (_, i) =>
      addSecret(server, big, `S_${String(start + i).padStart(4, '0')}`, 'x')));
  }
  await goTo(page, `#/applications/${big.id}`);
  await waitForText(pagerRange(page), '1–20 of 1,500');
  await page.getByRole('button', { name: 'Last' }).click();
  await waitForText(pagerRange(page), '1,481–1,500 of 1,500');
  await page.getByRole('row', { name: /S_1499/ }).waitFor();
  await page.getByLabel('Rows per page').selectOption('100');
  await waitForText(pagerRange(page), '1–100 of 1,500');
  await page.getByLabel('Search secrets').fill('s_14');
  const expected = assertOk(await api(server, 'GetSecrets', { application_id: big.id,
    secret_name_part: 's_14', count: 1 }), 'search').total_count;
  assert.equal(expected, 100);
  await waitForText(pagerRange(page), '1–100 of 100');
  await waitForText(page.locator('.pager__page'), 'Page 1 of 1');

  // The error state: the server cannot be reached, the page says so and offers to try again.
  await owner.context.route('**/platform_api/GetSecrets', (route) => route.abort());
  await page.getByLabel('Search secrets').fill('s_13');
  const banner = page.getByRole('alert').filter({ hasText: 'Could not load secrets' });
  await waitForText(banner, 'Cannot reach the server.');
  await assertAccessible(page, 'secrets page with an error');
  await owner.context.unroute('**/platform_api/GetSecrets');
  await banner.getByRole('button', { name: 'Try again' }).click();
  await waitForText(pagerRange(page), '1–100 of 100');
  await page.getByRole('row', { name: /S_1399/ }).waitFor();
});

test('keys: create with roles, credentials.json offered once and working, change roles, delete', async () => {
  const { page } = owner;
  await page.getByRole('link', { name: 'Keys' }).click();
  await page.getByRole('heading', { name: 'Keys' }).waitFor();
  const own = page.getByRole('row', { name: new RegExp(server.credentials.key_id) });
  await waitForText(own, "This tab's key");
  await waitForText(own, 'Owner');
  await assertAccessible(page, 'keys page');

  await page.getByRole('button', { name: 'Create key' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create key' });
  await dialog.getByLabel('Key name').fill('ci-deploy');
  await dialog.getByLabel('Description').fill('Deploys from CI');
  await dialog.getByRole('checkbox', { name: 'Developer' }).check();
  await assertAccessible(page, 'create key dialog');
  await dialog.getByRole('button', { name: 'Create key' }).click();
  const made = page.getByRole('alertdialog', { name: 'Key created' });
  await waitForText(made, 'cannot be shown again');
  // Closing before downloading asks first; the private key is never put in the page.
  await made.getByRole('button', { name: 'Close' }).click();
  await waitForText(made, 'Closing now loses the private key for good');
  await screenshot(page, 'key-created-light');
  const [download] = await Promise.all([page.waitForEvent('download'),
    made.getByRole('button', { name: 'Download credentials.json' }).click()]);
  assert.equal(download.suggestedFilename(), 'credentials.json');
  const credentials = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
  privateKeys.add(credentials.private_key);
  assert.deepEqual(Object.keys(credentials).sort(),
    ['account_email', 'account_id', 'key_id', 'private_key']);
  const pemLine = credentials.private_key.split('\n')[5];
  assert.ok(!(await page.content()).includes(pemLine), 'the private key is not in the page');
  await made.getByRole('button', { name: 'Close' }).click();
  await made.waitFor({ state: 'detached' });
  // The downloaded file works, with exactly the chosen roles.
  const newKey = as(credentials);
  const info = assertOk(await api(newKey, 'GetAccountInfo', {}), 'new key').result;
  assert.deepEqual(info.key.roles.map((r) => r.role_name), ['Developer']);
  assertOk(await api(newKey, 'GetSecrets', { application_id: payments.id }), 'Developer reads');
  const listed = assertOk(await api(server, 'GetKeys', { key_id: credentials.key_id }), 'GetKeys')
    .result[0];
  assert.equal(listed.key_name, 'ci-deploy');
  assert.equal(listed.description, 'Deploys from CI');

  // Change roles.
  const row = page.getByRole('row', { name: /ci-deploy/ });
  await row.getByRole('button', { name: 'Change roles of ci-deploy' }).click();
  const roles = page.getByRole('dialog', { name: 'Change roles of ci-deploy' });
  await roles.getByRole('checkbox', { name: 'Support' }).check();
  await roles.getByRole('button', { name: 'Save' }).click();
  await roles.waitFor({ state: 'detached' });
  const held = assertOk(await api(server, 'GetKeyRoles', { key_id: credentials.key_id }),
    'GetKeyRoles').result.map((r) => r.role_name);
  assert.deepEqual(held.sort(), ['Developer', 'Support']);
  await waitForText(row, 'Support');

  // Deleting the signed-in key warns first.
  await own.getByRole('button', { name: /^Delete/ }).click();
  const ownDelete = page.getByRole('dialog', { name: /^Delete key/ });
  await waitForText(ownDelete, 'This is the key this tab is signed in with.');
  await ownDelete.getByRole('button', { name: 'Cancel' }).click();
  await ownDelete.waitFor({ state: 'detached' });

  // Delete the new key.
  await row.getByRole('button', { name: 'Delete ci-deploy' }).click();
  const del = page.getByRole('dialog', { name: 'Delete key ci-deploy?' });
  await waitForText(del, credentials.key_id);
  await del.getByRole('button', { name: 'Delete' }).click();
  await del.waitFor({ state: 'detached' });
  assert.equal((await api(server, 'GetKeys', { key_id: credentials.key_id })).json.error.code, 433);
  assert.equal((await api(newKey, 'GetAccountInfo', {})).json.error.code, 100);
});

test('secrets: the history of a value, an older version revealed (audited) and restored', async () => {
  const { page } = owner;
  const app = await createApplication(server);
  const id = await addSecret(server, app, 'API_TOKEN', 'token-one-9f2c');
  assertOk(await api(server, 'SetSecretInfo',
    { application_id: app.id, secret_id: id, secret_value: 'token-two-41ab' }), 'SetSecretInfo');
  await goTo(page, `#/applications/${app.id}`);
  const row = page.getByRole('row', { name: /API_TOKEN/ });
  await row.getByRole('button', { name: 'History of API_TOKEN' }).click();
  const dialog = page.getByRole('dialog', { name: 'History of API_TOKEN' });
  await waitForText(dialog, 'Current');
  assert.equal(await dialog.getByRole('button', { name: /^Restore version/ }).count(), 1,
    'only the older version offers a restore');
  assert.ok(!(await page.content()).includes('token-one-9f2c'), 'no value before Reveal');
  await assertAccessible(page, 'secret history dialog');

  const readsBefore = await auditCount({ filtered_cmd: 'GetSecretValue' });
  await dialog.getByRole('button', { name: 'Reveal the value of version 1' }).click();
  await waitForText(dialog, 'token-one-9f2c', { secret: true });
  assert.equal(await auditCount({ filtered_cmd: 'GetSecretValue' }), readsBefore + 1,
    'revealing an older version is one audited GetSecretValue');

  await dialog.getByRole('button', { name: 'Restore version 1' }).click();
  await waitForText(dialog, 'Its value becomes the current one as version 3');
  await dialog.getByRole('button', { name: 'Yes, restore version 1' }).click();
  await waitForText(notices(page), 'Secret API_TOKEN restored: its value is now version 3.');
  const current = assertOk(await getSecretValue(server, app, { secret_id: id }), 'GetSecretValue')
    .result[0];
  assert.ok(current.secret_value === 'token-one-9f2c', 'version 1 is the current value again');
  assert.equal(current.version, 3);
  const versions = assertOk(await api(server, 'GetSecretVersions',
    { application_id: app.id, secret_id: id }), 'GetSecretVersions');
  assert.deepEqual(versions.result.map((v) => v.version), [3, 2, 1]);
  // The dialog follows: version 3 is current, and the revealed value was hidden again.
  await dialog.getByRole('button', { name: 'Restore version 2' }).waitFor();
  assert.equal(await dialog.getByRole('button', { name: /^Restore version/ }).count(), 2);
  assert.ok(!(await dialog.textContent()).includes('token-one-9f2c'), 'values hidden after it');
  // Version 1 again: its value equals the current one (version 3), so nothing changes and the
  // panel says so instead of announcing a version 4.
  await dialog.getByRole('button', { name: 'Restore version 1' }).click();
  await waitForText(dialog, 'If the two values are equal, nothing changes.');
  await dialog.getByRole('button', { name: 'Yes, restore version 1' }).click();
  await waitForText(notices(page),
    'Secret API_TOKEN unchanged: that version holds the current value (version 3).');
  const after = assertOk(await api(server, 'GetSecretVersions',
    { application_id: app.id, secret_id: id }), 'GetSecretVersions');
  assert.deepEqual(after.result.map((v) => v.version), [3, 2, 1], 'no version was made');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await dialog.waitFor({ state: 'detached' });
  assert.ok(!(await page.content()).includes('token-one-9f2c'), 'no value left in the page');
});

test('keys: a SecretsReader key limited to one application, made in the panel', async () => {
  const { page } = owner;
  const mine = await createApplication(server);
  const theirs = await createApplication(server);
  const mineSecret = await addSecret(server, mine, 'SERVICE_PW', 'svc-value-7d1e');
  const theirsSecret = await addSecret(server, theirs, 'OTHER_PW', 'other-value-0c3a');
  await page.getByRole('link', { name: 'Keys' }).click();
  await page.getByRole('heading', { name: 'Keys' }).waitFor();
  const own = page.getByRole('row', { name: new RegExp(server.credentials.key_id) });
  await waitForText(own, 'All applications');

  await page.getByRole('button', { name: 'Create key' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create key' });
  await dialog.getByLabel('Key name').fill('billing-reader');
  await dialog.getByRole('checkbox', { name: 'SecretsReader' }).check();
  await dialog.getByRole('radio', { name: 'Only these applications' }).check();
  await waitForText(dialog, 'Choose at least one application, or every application.');
  assert.ok(await dialog.getByRole('button', { name: 'Create key' }).isDisabled(),
    'a limit without applications cannot be sent');
  await dialog.getByRole('checkbox', { name: mine.shortName, exact: true }).check();
  await assertAccessible(page, 'create key dialog with applications');
  await dialog.getByRole('button', { name: 'Create key' }).click();
  const made = page.getByRole('alertdialog', { name: 'Key created' });
  const [download] = await Promise.all([page.waitForEvent('download'),
    made.getByRole('button', { name: 'Download credentials.json' }).click()]);
  const credentials = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
  privateKeys.add(credentials.private_key);
  await made.getByRole('button', { name: 'Close' }).click();
  await made.waitFor({ state: 'detached' });

  const row = page.getByRole('row', { name: /billing-reader/ });
  await waitForText(row, mine.shortName);
  await waitForText(row, 'SecretsReader');
  const listed = assertOk(await api(server, 'GetKeys', { key_id: credentials.key_id }), 'GetKeys')
    .result[0];
  assert.deepEqual(listed.application_ids, [mine.id]);
  // The key reads its application's values, nothing of the other, and changes nothing.
  const reader = as(credentials);
  const read = assertOk(await api(reader, 'GetSecretValue',
    { application_id: mine.id, secret_id: mineSecret }), 'reader reads');
  assert.ok(read.result[0].secret_value === 'svc-value-7d1e');
  assert.equal((await api(reader, 'GetSecretValue',
    { application_id: theirs.id, secret_id: theirsSecret })).json.error.code, 116);
  assert.equal((await api(reader, 'SetSecretInfo',
    { application_id: mine.id, secret_id: mineSecret, secret_value: 'x' })).json.error.code, 104);

  // Move the key to the other application in the panel (UpdateKey): it applies at the next call.
  await row.getByRole('button', { name: 'Change applications of billing-reader' }).click();
  const scope = page.getByRole('dialog', { name: 'Change applications of billing-reader' });
  assert.ok(await scope.getByRole('checkbox', { name: mine.shortName, exact: true }).isChecked(),
    'the dialog starts from the key\'s applications');
  await scope.getByRole('checkbox', { name: mine.shortName, exact: true }).uncheck();
  await waitForText(scope, 'Choose at least one application, or every application.');
  assert.ok(await scope.getByRole('button', { name: 'Save' }).isDisabled(),
    'a limit without applications cannot be sent');
  await scope.getByRole('checkbox', { name: theirs.shortName, exact: true }).check();
  await assertAccessible(page, 'change applications dialog');
  await scope.getByRole('button', { name: 'Save' }).click();
  await scope.waitFor({ state: 'detached' });
  await waitForText(notices(page), 'Applications of billing-reader changed.');
  await waitForText(row, theirs.shortName);
  assert.deepEqual(assertOk(await api(server, 'GetKeys', { key_id: credentials.key_id }),
    'GetKeys').result[0].application_ids, [theirs.id]);
  assert.equal((await api(reader, 'GetSecretValue',
    { application_id: mine.id, secret_id: mineSecret })).json.error.code, 116);
  assert.ok(assertOk(await api(reader, 'GetSecretValue',
    { application_id: theirs.id, secret_id: theirsSecret }), 'reader reads the other')
    .result[0].secret_value === 'other-value-0c3a');

  // And lift the limit: every application.
  await row.getByRole('button', { name: 'Change applications of billing-reader' }).click();
  await scope.getByRole('radio', { name: 'Every application of the account' }).check();
  await scope.getByRole('button', { name: 'Save' }).click();
  await scope.waitFor({ state: 'detached' });
  await waitForText(row, 'All applications');
  assert.equal(assertOk(await api(server, 'GetKeys', { key_id: credentials.key_id }),
    'GetKeys').result[0].application_ids, undefined, 'no limit left');
  assertOk(await api(reader, 'GetSecretValue',
    { application_id: mine.id, secret_id: mineSecret }), 'reader reads every application again');
  assertOk(await api(server, 'DeleteKey', { key_id: credentials.key_id }), 'DeleteKey');
});

test('audit log: method, IP and date filters, paging, export of the view as JSON lines', async () => {
  const { page } = owner;
  await page.getByRole('link', { name: 'Audit log' }).click();
  await page.getByRole('heading', { name: 'Audit log' }).waitFor();
  await waitForText(pagerRange(page), 'of ');
  await assertAccessible(page, 'audit log page');

  await page.getByLabel('Method').fill('GetSecretValue');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  const reads = await auditCount({ filtered_cmd: 'GetSecretValue' });
  await waitForText(pagerRange(page), `of ${reads}`);
  const methods = await page.locator('tbody td[data-label="Method"]').allTextContents();
  assert.ok(methods.length > 0 && methods.every((m) => m === 'GetSecretValue'), methods.join());

  const [download] = await Promise.all([page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export JSON lines' }).click()]);
  assert.match(download.suggestedFilename(), /^audit-\d{8}-\d{6}\.jsonl$/);
  const lines = fs.readFileSync(await download.path(), 'utf8').trimEnd().split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(lines.length, reads);
  assert.ok(lines.every((r) => r.cmd_name === 'GetSecretValue'));
  assert.ok(lines[0].audit_log_id > lines.at(-1).audit_log_id, 'newest first, as the view');

  await page.getByLabel('IP address').fill('10.9.9.9');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await waitForText(page.locator('.empty'), 'No records match these filters.');
  await page.getByLabel('IP address').fill('127.0.0.1');
  await page.getByLabel('From (UTC)').fill('2000-01-01T00:00:00');
  await page.getByLabel('To (UTC)').fill('2000-12-31T23:59:59');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await waitForText(page.locator('.empty'), 'No records match these filters.');
  await page.getByRole('button', { name: 'Reset' }).click();
  const all = await auditCount({});
  await waitForText(pagerRange(page), /of [\d,]+$/);
  const shown = Number((await pagerRange(page).textContent()).split(' of ')[1].replace(/,/g, ''));
  assert.ok(Math.abs(shown - all) <= 5, `${shown} vs ${all}`);
  await page.getByRole('button', { name: 'Next' }).click();
  await waitForText(pagerRange(page), /^21–40 of/);
});

test('keys without the rights: controls disabled and explained, never refused by the server', async () => {
  const account = server.credentials.account_id;
  for (const role of ['Support', 'Developer']) {
    const made = server.createKey({ account, roles: [role] });
    const file = keyFile(`limited-${role}`, made);
    const s = await open();
    const { page } = s;
    await signIn(page, file);
    await waitForText(page.locator('header.topbar'), role);
    const add = page.getByRole('button', { name: 'Add application' });
    assert.equal(await add.isDisabled(), true, `${role}: Add application`);
    await waitForText(page.locator('main'), 'may not add or rename applications (needs Owner or Admin)');
    assert.equal(await page.getByRole('button', { name: 'Delete payments' }).isDisabled(), true);
    await assertAccessible(page, `applications as ${role}`);

    await page.getByRole('link', { name: 'payments', exact: true }).click();
    await page.getByRole('heading', { name: 'Secrets of payments' }).waitFor();
    const row = page.getByRole('row', { name: /DB_MAIN_PASSWORD/ });
    const reveal = row.getByRole('button', { name: 'Reveal the value of DB_MAIN_PASSWORD' });
    await reveal.waitFor();
    if (role === 'Support') {
      assert.equal(await page.getByRole('button', { name: 'Add secret' }).isDisabled(), true);
      assert.equal(await reveal.isDisabled(), true);
      await waitForText(page.locator('main'), 'may not see secret values');
      await waitForText(page.locator('main'), 'may not add, edit or delete secrets');
    } else {
      assert.equal(await page.getByRole('button', { name: 'Add secret' }).isDisabled(), false);
      await reveal.click();
      await waitForText(row, 'rotated-1', { secret: true });
    }
    await assertAccessible(page, `secrets as ${role}`);

    await page.getByRole('link', { name: 'Keys' }).click();
    await waitForText(page.locator('main'), 'may not manage keys (needs Owner or Admin)');
    assert.equal(await page.getByRole('button', { name: 'Create key' }).isDisabled(), true);
    await assertAccessible(page, `keys as ${role}`);
    await page.getByRole('link', { name: 'Audit log' }).click();
    await waitForText(page.locator('main'), 'may not read the audit log (needs Owner or Admin)');
    await s.settle();

    // Through the API: every call this key made was one it may make — the panel let the server
    // refuse nothing (no 104 in the audit log for this key).
    const allowed = new Set(assertOk(await api(as(made), 'GetAccountInfo', {}), 'info')
      .result.access_entries);
    const called = s.requests.filter((r) => r.url.includes('/platform_api/'))
      .map((r) => new URL(r.url).pathname.split('/').pop());
    assert.ok(called.length > 0);
    assert.deepEqual(called.filter((m) => !allowed.has(m)), [], `${role} called`);
    const records = assertOk(await api(server, 'GetAuditLog', { count: 1000, desc_order: true }),
      'audit').result.filter((r) => JSON.parse(r.cmd_result).key_id === made.key_id);
    assert.ok(records.length > 0);
    assert.deepEqual(records.filter((r) => JSON.parse(r.cmd_result).code !== 0), []);
  }
});

test('a refused key asks to sign in again and keeps what was typed', async () => {
  const made = server.createKey({ account: server.credentials.account_id, roles: ['Owner'] });
  const file = keyFile('soon-deleted', made);
  const s = await open();
  const { page } = s;
  await signIn(page, file);
  await page.getByRole('link', { name: 'payments', exact: true }).click();
  await page.getByRole('button', { name: 'Add secret' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add secret to payments' });
  await dialog.getByLabel('Secret name').fill('TYPED_BEFORE_EXPIRY');
  await dialog.getByLabel('Secret value', { exact: true }).fill('typed\nvalue');
  // Meanwhile the key is deleted: its next call gets 100.
  assertOk(await api(server, 'DeleteKey', { key_id: made.key_id }), 'DeleteKey');
  await dialog.getByRole('button', { name: 'Save' }).click();
  const again = page.getByRole('dialog', { name: 'Sign in again' });
  await waitForText(again, 'no longer accepts the key');
  await assertAccessible(page, 'sign in again dialog');
  await again.getByLabel('Credentials file').setInputFiles(server.credentialsPath);
  await again.getByRole('button', { name: 'Sign in' }).click();
  await again.waitFor({ state: 'detached' });
  await dialog.waitFor({ state: 'detached' });
  await waitForText(notices(page), 'Secret TYPED_BEFORE_EXPIRY added.');
  const stored = assertOk(await getSecretValue(server, payments,
    { secret_name: 'TYPED_BEFORE_EXPIRY' }), 'saved after signing in again').result[0];
  assert.ok(stored.secret_value === 'typed\nvalue');
  await waitForText(page.locator('header.topbar'), 'Owner');
});

async function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    const style = el ? getComputedStyle(el) : null;
    return {
      tag: el?.tagName,
      id: el?.id,
      text: (el?.getAttribute('aria-label') || el?.labels?.[0]?.textContent || el?.textContent ||
        '').trim(),
      outline: style ? `${style.outlineStyle} ${style.outlineWidth}` : '',
    };
  });
}

async function tabTo(page, predicate, max = 60) {
  for (let i = 0; i < max; i += 1) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (predicate(f)) {
      assert.notEqual(f.outline.split(' ')[0], 'none', `visible focus on ${f.text}`);
      assert.notEqual(f.outline.split(' ')[1], '0px', `visible focus on ${f.text}`);
      return f;
    }
  }
  assert.fail('not reachable with Tab');
}

test('keyboard only: sign in, open an application, add a secret, reveal, dialogs, sign out', async () => {
  const s = await open();
  const { page } = s;
  await page.getByLabel('Credentials file').setInputFiles(server.credentialsPath);
  await page.getByLabel('Credentials file').focus();
  await tabTo(page, (f) => f.text === 'Sign in');
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  await tabTo(page, (f) => f.text === 'payments');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Secrets of payments' }).waitFor();
  await tabTo(page, (f) => f.text === 'Add secret');
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Add secret to payments' });
  await dialog.waitFor();
  assert.equal((await focused(page)).id, 'secret-name', 'focus starts in the first field');
  await page.keyboard.type('KEYBOARD_ONLY');
  await page.keyboard.press('Tab');
  assert.equal((await focused(page)).id, 'secret-value');
  await page.keyboard.type('typed by keyboard');
  await page.keyboard.press('Tab'); // "Show value while typing"
  await page.keyboard.press('Tab');
  assert.equal((await focused(page)).id, 'secret-description');
  await page.keyboard.type('entered without a mouse');
  await page.keyboard.press('Enter'); // Enter submits the form
  await dialog.waitFor({ state: 'detached' });
  assert.equal((await focused(page)).text, 'Add secret', 'focus returns to the opener');
  const stored = assertOk(await getSecretValue(server, payments, { secret_name: 'KEYBOARD_ONLY' }),
    'keyboard secret').result[0];
  assert.ok(stored.secret_value === 'typed by keyboard');
  assert.equal(stored.description, 'entered without a mouse');

  // Find it as a person would with many rows: the search box first.
  await tabTo(page, (f) => f.text === 'Search secrets');
  await page.keyboard.type('KEYBOARD');
  await waitForText(pagerRange(page), '1–1 of 1');
  await tabTo(page, (f) => f.text === 'Reveal the value of KEYBOARD_ONLY');
  await page.keyboard.press('Enter');
  const row = page.getByRole('row', { name: /KEYBOARD_ONLY/ });
  await waitForText(row, 'typed by keyboard', { secret: true });
  await tabTo(page, (f) => f.text === 'Delete KEYBOARD_ONLY');
  await page.keyboard.press('Enter');
  const del = page.getByRole('dialog', { name: 'Delete secret KEYBOARD_ONLY?' });
  await del.waitFor();
  assert.equal((await focused(page)).text, 'Cancel', 'a delete dialog starts on Cancel');
  await page.keyboard.press('Escape');
  await del.waitFor({ state: 'detached' });
  assert.equal((await focused(page)).text, 'Delete KEYBOARD_ONLY', 'Escape returns focus');
  await page.keyboard.press('Enter');
  await del.waitFor();
  await page.keyboard.press('Tab'); // Cancel -> Delete
  assert.equal((await focused(page)).text, 'Delete');
  await page.keyboard.press('Enter');
  await del.waitFor({ state: 'detached' });
  assert.equal((await getSecretValue(server, payments, { secret_name: 'KEYBOARD_ONLY' }))
    .json.error.code, 341);

  await tabTo(page, (f) => f.text === 'Sign out', 200);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
});

test('sign out forgets the key: the sign-in page, nothing stored, no call afterwards', async () => {
  const { page } = owner;
  await page.getByRole('link', { name: 'Applications' }).click();
  await page.getByRole('heading', { name: 'Applications' }).waitFor();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await owner.settle();
  const calls = owner.requests.length;
  await page.goBack().catch(() => {});
  await page.waitForTimeout(300);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Sign out' }).count(), 0);
  await owner.settle();
  assert.equal(owner.requests.slice(calls).filter((r) => r.url.includes('/platform_api/')).length,
    0, 'no API call after signing out');
  const stored = await page.evaluate(async () => window.localStorage.length +
    window.sessionStorage.length + (await window.indexedDB.databases()).length);
  assert.equal(stored, 0);
});

test('every page in light and dark: accessible, and screenshots for the docs', async () => {
  // A separate account with realistic names, so the pictures show what a team would see.
  const acme = server.createAccount({ name: 'acme', email: 'ops@acme.example' });
  const acmeFile = keyFile('acme-owner', acme);
  const A = as(acme);
  const apps = {};
  for (const name of ['payments', 'checkout', 'ivr-bot', 'crm-sync', 'call-recording']) {
    apps[name] = await createApplication(A, name);
  }
  const demo = [
    ['DB_PASSWORD', 'correct-horse-battery-staple', 'PostgreSQL, payments primary'],
    ['STRIPE_SECRET_KEY', 'sk_live_51Hx…', 'Stripe live key, rotated quarterly'],
    ['TLS_PRIVATE_KEY', '-----BEGIN PRIVATE KEY-----\nMIIEvQ…\n-----END PRIVATE KEY-----',
      'api.acme.example certificate key'],
    ['WEBHOOK_SIGNING_SECRET', 'whsec_8f2c…', 'Verifies incoming webhooks'],
    ['SMTP_PASSWORD', 'mail-relay-pass', 'Outgoing receipts'],
    ['SIP_TRUNK_PASSWORD', 'trunk-9931', 'Carrier trunk for outbound calls'],
    ['OPENAI_API_KEY', 'sk-proj-…', 'Call summaries'],
    ['REDIS_URL', 'rediss://cache.internal:6380', 'Session cache'],
  ];
  for (const [n, v, d] of demo) await addSecret(A, apps.payments, n, v, { description: d });
  for (const [name, roles] of [['ci-deploy', ['Developer']], ['support-desk', ['Support']],
    ['security-audit', ['Admin']]]) {
    const made = assertOk(await api(A, 'CreateKey', { key_name: name, role_name: roles.join(';'),
      description: `${name.replace('-', ' ')} key` }), 'CreateKey').result[0];
    privateKeys.add(made.private_key);
  }
  await api(A, 'GetSecretValue', { application_id: apps.payments.id, secret_name: 'DB_PASSWORD' });

  for (const scheme of ['light', 'dark']) {
    const s = await open({ colorScheme: scheme });
    const { page } = s;
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await assertAccessible(page, `sign-in (${scheme})`);
    await screenshot(page, `signin-${scheme}`);
    await signIn(page, acmeFile);
    await page.getByRole('link', { name: 'payments', exact: true }).waitFor();
    await assertAccessible(page, `applications (${scheme})`);
    await screenshot(page, `applications-${scheme}`);

    await page.getByRole('link', { name: 'payments', exact: true }).click();
    const row = page.getByRole('row', { name: /DB_PASSWORD/ });
    await row.getByRole('button', { name: 'Reveal the value of DB_PASSWORD' }).click();
    await waitForText(row, 'correct-horse', { secret: true });
    await page.getByRole('checkbox', { name: 'Select SMTP_PASSWORD' }).check();
    await assertAccessible(page, `secrets (${scheme})`);
    await screenshot(page, `secrets-${scheme}`);
    await page.getByRole('button', { name: 'Add secret' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add secret to payments' });
    await dialog.getByLabel('Secret name').fill('SMTP_PASSWORD');
    await dialog.getByLabel('Secret value', { exact: true }).fill('new-relay-password');
    await dialog.getByLabel('Description').fill('Outgoing receipts, new relay');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await waitForText(page.locator('#secret-name-message'), '(error 493)');
    await assertAccessible(page, `add secret dialog with an error (${scheme})`);
    await screenshot(page, `add-secret-${scheme}`);
    await page.keyboard.press('Escape');
    await dialog.getByRole('button', { name: 'Discard' }).click();

    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('heading', { name: 'Secrets of payments' }).waitFor();
    await assertAccessible(page, `secrets, narrow (${scheme})`);
    await screenshot(page, `secrets-narrow-${scheme}`);
    // Narrow too: revealing moves nothing.
    const narrowRow = page.getByRole('row', { name: /SMTP_PASSWORD/ });
    // The row and its Copy button (the last thing on the value's line) stay where they were.
    const box = () => narrowRow.evaluate((el) => {
      const place = (e) => {
        const r = e.getBoundingClientRect();
        return { x: r.x, y: r.y + window.scrollY, width: r.width, height: r.height };
      };
      return { row: place(el), copy: place(el.querySelector('.value__copy')) };
    });
    await narrowRow.scrollIntoViewIfNeeded();
    const before = await box();
    await narrowRow.getByRole('button', { name: 'Reveal the value of SMTP_PASSWORD' }).click();
    await waitForText(narrowRow, 'mail-relay-pass', { secret: true });
    assert.deepEqual(await box(), before, 'revealing moves nothing');
    await page.setViewportSize({ width: 1280, height: 800 });

    await page.getByRole('link', { name: 'Keys' }).click();
    await page.getByRole('row', { name: /security-audit/ }).waitFor();
    await assertAccessible(page, `keys (${scheme})`);
    await screenshot(page, `keys-${scheme}`);
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.locator('tbody tr').first().waitFor();
    await assertAccessible(page, `audit log (${scheme})`);
    await screenshot(page, `audit-${scheme}`);
    await s.settle();
    assert.deepEqual(s.problems, [], `${scheme}: console errors or CSP violations`);
  }
  for (const name of ['signin-light', 'secrets-dark', 'secrets-narrow-light', 'audit-dark']) {
    assert.ok(fs.statSync(path.join(screenshotDir(), `${name}.png`)).size > 10_000, name);
  }
});

test('the private key never leaves the browser, and no request leaves the origin', async () => {
  const origin = panelUrl(server);
  const fragments = [];
  for (const pem of privateKeys) {
    const base64 = pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
    for (let i = 0; i + 40 <= base64.length; i += 40) {
      const piece = base64.slice(i, i + 40);
      fragments.push(piece, encodeURIComponent(piece));
    }
  }
  let total = 0;
  let signed = 0;
  for (const s of sessions) {
    await s.settle();
    for (const r of s.requests) {
      total += 1;
      const url = new URL(r.url);
      assert.ok(url.origin === origin || url.protocol === 'data:' || url.protocol === 'blob:',
        `request outside the origin: ${r.url}`);
      const haystack = `${r.url}\n${JSON.stringify(r.headers)}\n${r.body.toString('latin1')}`;
      assert.ok(!haystack.includes('PRIVATE KEY'), `PEM in a request to ${url.pathname}`);
      for (const f of fragments) {
        assert.ok(!haystack.includes(f), `private key material in a request to ${url.pathname}`);
      }
      if (String(r.headers.authorization ?? '').startsWith('Bearer ey')) signed += 1;
    }
  }
  assert.ok(total > 100 && signed > 50, `${total} requests, ${signed} signed`);
  assert.equal(fragments.length > 100, true);
});
