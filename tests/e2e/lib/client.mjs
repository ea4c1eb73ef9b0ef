// Test-side handle on client_driver.mjs: the official Node client in a child process.
//
//   const client = await startOfficialClient(server);          // dev cert trusted
//   const answer = await client.call('Secrets', 'addSecret', {...});
//   // answer = {ok: true, value} | {ok: false, error: {message, code, status, data}}
//   await client.close();
//
// options.trustCert = false starts the client without NODE_EXTRA_CA_CERTS (to prove TLS is
// verified); options.credentialsPath picks another credentials.json; options.accountId sets the
// client's accountId option (act on a child account). The child is killed when the test process exits.

import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const DRIVER = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'client_driver.mjs');
const CALL_TIMEOUT_MS = 30000;
const READY_TIMEOUT_MS = 15000;

const liveChildren = new Set();
process.on('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL');
});

export async function startOfficialClient(server, options = {}) {
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  delete env.VOXIMPLANT_CREDENTIALS; // the client would prefer it over pathToCredentials
  if (options.trustCert !== false) env.NODE_EXTRA_CA_CERTS = server.certPath;
  const child = spawn(process.execPath,
    [DRIVER, options.credentialsPath ?? server.credentialsPath, `127.0.0.1:${server.port}`,
      ...(options.accountId !== undefined ? [String(options.accountId)] : [])],
    { env, stdio: ['pipe', 'pipe', 'pipe'] });
  liveChildren.add(child);
  let stderr = '';
  child.stderr.on('data', (chunk) => { if (stderr.length < 65536) stderr += chunk; });

  const pending = new Map();
  let nextId = 1;
  let readyResolve;
  let readyReject;
  const ready = new Promise((resolve, reject) => { readyResolve = resolve; readyReject = reject; });
  const lines = readline.createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    let message;
    try {
      message = JSON.parse(line);
    } catch {
      return;
    }
    if (message.ready) {
      readyResolve();
      return;
    }
    const entry = pending.get(message.id);
    if (!entry) return;
    pending.delete(message.id);
    clearTimeout(entry.timer);
    entry.resolve(message);
  });
  child.on('exit', (code, signal) => {
    liveChildren.delete(child);
    const error = new Error(`client driver exited (code ${code}, signal ${signal}): ${stderr}`);
    readyReject(error);
    for (const entry of pending.values()) {
      clearTimeout(entry.timer);
      entry.reject(error);
    }
    pending.clear();
  });

  const readyTimer = setTimeout(
    () => readyReject(new Error(`client driver not ready: ${stderr}`)), READY_TIMEOUT_MS);
  try {
    await ready;
  } finally {
    clearTimeout(readyTimer);
  }

  return {
    call(ns, fn, args = {}) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`official client ${ns}.${fn} did not answer in ${CALL_TIMEOUT_MS} ms`));
        }, CALL_TIMEOUT_MS);
        pending.set(id, { resolve, reject, timer });
        child.stdin.write(`${JSON.stringify({ id, ns, fn, args })}\n`);
      });
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
