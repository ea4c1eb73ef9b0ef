// The token snippets of docs/AUTH.md, run as a user would run them: each fenced block marked
// title="make-token" (bash, Node, Python) is written to a file and executed with a real
// credentials.json; the token it prints must work against the real server, for the key's own
// account and, with the optional account-id argument, for a child account.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { createAccount } from './lib/admin_cli.mjs';
import { api, assertOk } from './lib/api.mjs';
import { REPO_ROOT, redact, startServer } from './lib/server.mjs';

const DOC = path.join(REPO_ROOT, 'docs', 'AUTH.md');

// The fenced blocks of `language` marked title="make-token".
function snippets(language) {
  const text = fs.readFileSync(DOC, 'utf8');
  const re = new RegExp('```' + language + ' title="make-token"\\n([\\s\\S]*?)```', 'g');
  return [...text.matchAll(re)].map((m) => m[1]);
}

function run(command, args) {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: 30000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (error.code ?? -1) : 0, stdout: String(stdout),
        stderr: redact(String(stderr)) });
    });
  });
}

function hasCommand(command) {
  return new Promise((resolve) => {
    execFile(command, ['--version'], (error) => resolve(!error));
  });
}

let server;
let parent;
let child;

before(async () => {
  server = await startServer();
  parent = await createAccount(server);
  child = await createAccount(server, { parent: parent.accountId });
});

after(async () => {
  await server?.cleanup();
});

const RUNNERS = [
  { language: 'bash', file: 'make-token.sh', command: 'bash' },
  { language: 'js', file: 'make-token.mjs', command: process.execPath },
  { language: 'python', file: 'make-token.py', command: 'python3' },
];

for (const runner of RUNNERS) {
  test(`docs/AUTH.md ${runner.language} snippet makes working tokens`, async (t) => {
    const blocks = snippets(runner.language);
    assert.equal(blocks.length, 1, `docs/AUTH.md should have one ${runner.language} make-token block`);
    if (!(await hasCommand(runner.command))) {
      t.skip(`${runner.command} is not installed`);
      return;
    }
    const script = path.join(server.root, runner.file);
    fs.writeFileSync(script, blocks[0], { mode: 0o700 });

    // Own account, default arguments but the credentials path.
    const own = await run(runner.command, [script, parent.credentialsPath]);
    assert.equal(own.code, 0, `snippet failed: ${own.stderr}`);
    const token = own.stdout.trim();
    assert.match(token, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'one JWT line');
    const info = assertOk(await api(server, 'GetAccountInfo', {}, { token }), 'own account');
    assert.equal(info.result.account_id, parent.accountId);
    const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    assert.equal(header.alg, 'RS256');
    assert.equal(header.kid, parent.keyId);
    assert.equal(claims.exp - claims.iat, 60, 'default ttl');

    // A given ttl, acting as the child account.
    const asChild = await run(runner.command,
      [script, parent.credentialsPath, '3600', String(child.accountId)]);
    assert.equal(asChild.code, 0, `snippet failed: ${asChild.stderr}`);
    const childToken = asChild.stdout.trim();
    const childInfo = assertOk(await api(server, 'GetAccountInfo', {}, { token: childToken }),
      'as the child');
    assert.equal(childInfo.result.account_id, child.accountId);
    const childClaims = JSON.parse(Buffer.from(childToken.split('.')[1], 'base64url').toString());
    assert.equal(childClaims.exp - childClaims.iat, 3600);
  });
}
