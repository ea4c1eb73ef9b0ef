// The operator's commands of the real binary (voxsecrets account|key|token), run on a test server's
// data dir while it serves (docs/AUTH.md "Operator commands").
//
//   runCli(args)                          -> {code, stdout, stderr} (never throws on exit code)
//   createAccount(server, {name, email, parent}) -> {accountId, apiKey, keyId, credentialsPath,
//                                                    credentials}
//   createKey(server, accountId, roles, {applications}) -> {keyId, credentialsPath, credentials}
//                                         (applications: `--application` values, optional)
//
// Output handed back to tests has api_keys and private keys redacted from `stdout`/`stderr` for
// messages; the values themselves are returned in their own fields.

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { uniqueName } from './api.mjs';
import { redact, serverBinary } from './server.mjs';

export function runCli(args, options = {}) {
  return new Promise((resolve) => {
    execFile(serverBinary(), args, { timeout: 60000, env: options.env ?? process.env },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      });
  });
}

export function describeCli(result) {
  return `exit ${result.code}; stdout: ${redact(result.stdout).replace(/api_key: \S+/, 'api_key: <redacted>')}; ` +
    `stderr: ${redact(result.stderr)}`;
}

export async function createAccount(server, { name = uniqueName('acct').toLowerCase(),
  email = 'ops@example.test', parent } = {}) {
  const credentialsPath = path.join(server.root, `${name}.json`);
  const args = ['account', 'create', '--data-dir', server.dataDir, ...server.storeArgs(), '--name',
    name, '--email', email, '--credentials-out', credentialsPath];
  if (parent !== undefined) args.push('--parent', String(parent));
  const result = await runCli(args);
  if (result.code !== 0) throw new Error(`account create failed: ${describeCli(result)}`);
  const accountId = Number(/^account_id: (\d+)$/m.exec(result.stdout)?.[1]);
  const apiKey = /^api_key: (\S+)$/m.exec(result.stdout)?.[1];
  const keyId = /key_id: (\S+)$/m.exec(result.stdout)?.[1];
  if (!accountId || !apiKey || !keyId) {
    throw new Error(`account create printed no account_id/api_key/key_id: ${describeCli(result)}`);
  }
  const credentials = JSON.parse(fs.readFileSync(credentialsPath, 'utf8'));
  return { name, accountId, apiKey, keyId, credentialsPath, credentials };
}

export async function createKey(server, accountId, roles, { applications = [] } = {}) {
  const credentialsPath = path.join(server.root, `key-${uniqueName('k')}.json`);
  const args = ['key', 'create', '--data-dir', server.dataDir, ...server.storeArgs(), '--account',
    String(accountId), '--credentials-out', credentialsPath];
  for (const role of roles) args.push('--role', role);
  for (const application of applications) args.push('--application', String(application));
  const result = await runCli(args);
  if (result.code !== 0) throw new Error(`key create failed: ${describeCli(result)}`);
  const credentials = JSON.parse(fs.readFileSync(credentialsPath, 'utf8'));
  return { keyId: credentials.key_id, credentialsPath, credentials };
}
