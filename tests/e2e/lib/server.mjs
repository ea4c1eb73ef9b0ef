// Starts the real voxsecrets binary for end-to-end tests.
//
// startServer() creates a fresh temporary data directory, runs
//   voxsecrets serve --data-dir DIR --listen 127.0.0.1:0 --port-file DIR/../port
// waits (bounded) until GET /healthz answers 200 over HTTPS with the server's own dev certificate
// trusted, and returns a handle:
//   { port, dataDir, certPath, ca, credentialsPath, credentials, pid,
//     stop(signal = 'SIGTERM') -> {code, signal}   graceful stop, waits for exit (bounded)
//     kill9()                  -> {code, signal}   SIGKILL, waits for exit
//     restart()                -> same handle, new port, same data dir
//     output()                 -> the server's stdout+stderr so far (bearer tokens redacted)
//     cleanup()                -> kill (if running) and delete the temp directory
//     admin(...args)           -> runs `voxsecrets <args> --data-dir DIR [--store URL]` (e.g.
//                                 account create), returns stdout
//     store                    -> the --store URL (undefined: SQLite in the data dir)
//     storeArgs()              -> ['--store', URL] or [] (for commands a test spawns itself)
//     createAccount({name, email, parent}) / createKey({account, roles})
//                              -> the new Owner key's / key's credentials.json, parsed, plus
//                                 credentialsPath }
//
// startServer(options): options.extraArgs (more `serve` arguments); options.env (more environment
// for the server process); options.omitArgs (of '--data-dir', '--listen': leave them out because a
// config file or the environment gives them — it must give DIR/data and a free port);
// options.root (an empty directory made by the test, to use instead of a fresh temporary one,
// so that a config file can name DIR/data before the start; deleted by cleanup());
// options.store (a --store URL,
// e.g. from lib/pg.mjs); options.credentials (credentials.json, parsed, to use when this node did
// not bootstrap: a second node on a shared database). With env VOXSECRETS_TEST_STORE=postgres and
// no options.store, the server runs on a fresh PostgreSQL database (lib/pg.mjs createDatabase,
// dropped by cleanup()), so any suite can run against PostgreSQL.
//
// The binary: env VOXSECRETS_BIN (absolute, or relative to the current directory), default
// build/src/cli/voxsecrets under the repository root. Every started process is SIGKILLed when the
// test process exits, whatever happens, so no server outlives its test file.

import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { createDatabase } from './pg.mjs';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const STARTUP_TIMEOUT_MS = Number(process.env.VOXSECRETS_E2E_STARTUP_MS ?? 20000);
const STOP_TIMEOUT_MS = 15000;
const OUTPUT_LIMIT = 256 * 1024;

const liveChildren = new Set();
process.on('exit', () => {
  for (const child of liveChildren) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
});

export function serverBinary() {
  const fromEnv = process.env.VOXSECRETS_BIN;
  if (fromEnv) return path.resolve(process.cwd(), fromEnv);
  return path.join(REPO_ROOT, 'build/src/cli/voxsecrets');
}

// Never let a bearer token or a private key reach test output.
export function redact(text) {
  return String(text)
    .replace(/eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g, '<jwt redacted>')
    .replace(
      /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
      '<private key redacted>',
    );
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function healthz(port, ca) {
  return new Promise((resolve) => {
    const req = https.request(
      { host: '127.0.0.1', port, path: '/healthz', method: 'GET', ca, agent: false, timeout: 2000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => { body += chunk; });
        res.on('end', () => resolve({ status: res.statusCode, body }));
        res.on('error', (error) => resolve({ error }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('healthz timeout')));
    req.on('error', (error) => resolve({ error }));
    req.end();
  });
}

function waitForExit(child, timeoutMs) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode, timedOut: false });
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve({ code: null, signal: null, timedOut: true });
    }, timeoutMs);
    function onExit(code, signal) {
      clearTimeout(timer);
      resolve({ code, signal, timedOut: false });
    }
    child.once('exit', onExit);
  });
}

class ServerHandle {
  constructor({ root, extraArgs, store, credentials, env, omitArgs }) {
    this.root = root;
    this.dataDir = path.join(root, 'data');
    this.portFile = path.join(root, 'port');
    this.certPath = path.join(this.dataDir, 'tls', 'cert.pem');
    this.credentialsPath = path.join(this.dataDir, 'credentials.json');
    this.extraArgs = extraArgs;
    this.env = env;
    this.omitArgs = omitArgs ?? [];
    this.store = store;
    this.presetCredentials = credentials;
    this.child = null;
    this.log = '';
    this.port = null;
  }

  output() {
    return redact(this.log);
  }

  storeArgs() {
    return this.store ? ['--store', this.store] : [];
  }

  get pid() {
    return this.child?.pid;
  }

  running() {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start() {
    const bin = serverBinary();
    if (!fs.existsSync(bin)) {
      throw new Error(`voxsecrets binary not found at ${bin} (build it, or set VOXSECRETS_BIN)`);
    }
    fs.rmSync(this.portFile, { force: true });
    const args = ['serve'];
    if (!this.omitArgs.includes('--data-dir')) args.push('--data-dir', this.dataDir);
    if (!this.omitArgs.includes('--listen')) args.push('--listen', '127.0.0.1:0');
    args.push('--port-file', this.portFile, ...this.storeArgs(), ...this.extraArgs);
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'],
      env: this.env ? { ...process.env, ...this.env } : process.env });
    this.child = child;
    liveChildren.add(child);
    child.on('exit', () => liveChildren.delete(child));
    const collect = (chunk) => {
      if (this.log.length < OUTPUT_LIMIT) this.log += chunk.toString('utf8');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    let spawnError = null;
    child.on('error', (error) => { spawnError = error; });

    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    let lastProblem = 'no port file yet';
    while (Date.now() < deadline) {
      if (spawnError) throw new Error(`cannot start ${bin}: ${spawnError.message}`);
      if (!this.running()) {
        throw new Error(`server exited during startup (code ${child.exitCode}, signal ` +
          `${child.signalCode}); output:\n${this.output()}`);
      }
      if (this.port === null || this.port === undefined) {
        let text = '';
        try {
          text = fs.readFileSync(this.portFile, 'utf8').trim();
        } catch {
          // not written yet
        }
        if (/^\d+$/.test(text) && Number(text) > 0) this.port = Number(text);
      }
      if (this.port && fs.existsSync(this.certPath)) {
        const ca = fs.readFileSync(this.certPath);
        const answer = await healthz(this.port, ca);
        if (answer.status === 200) {
          this.ca = ca;
          this.credentials = fs.existsSync(this.credentialsPath) || !this.presetCredentials
            ? JSON.parse(fs.readFileSync(this.credentialsPath, 'utf8'))
            : this.presetCredentials;
          this.healthBody = answer.body;
          return this;
        }
        lastProblem = answer.error ? answer.error.message : `healthz answered ${answer.status}`;
      }
      await sleep(50);
    }
    const out = this.output();
    child.kill('SIGKILL');
    await waitForExit(child, STOP_TIMEOUT_MS);
    throw new Error(`server not healthy within ${STARTUP_TIMEOUT_MS} ms (${lastProblem}); ` +
      `output:\n${out}`);
  }

  // Graceful stop. Resolves with how the process ended; timedOut=true if it did not end in time
  // (the process is then SIGKILLed so nothing leaks).
  async stop(signal = 'SIGTERM', timeoutMs = STOP_TIMEOUT_MS) {
    if (!this.child) return { code: null, signal: null, timedOut: false };
    const child = this.child;
    if (this.running()) child.kill(signal);
    const result = await waitForExit(child, timeoutMs);
    if (result.timedOut) {
      child.kill('SIGKILL');
      await waitForExit(child, STOP_TIMEOUT_MS);
    }
    this.port = null;
    return result;
  }

  async kill9() {
    return this.stop('SIGKILL');
  }

  // Starts again on the same data directory (a new port). Stops first if still running.
  async restart() {
    if (this.running()) await this.stop();
    this.port = null;
    this.log += '\n----- restart -----\n';
    return this.start();
  }

  admin(...args) {
    return execFileSync(serverBinary(), [...args, '--data-dir', this.dataDir, ...this.storeArgs()],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30000 });
  }

  createAccount({ name, email = `${name}@example.com`, parent }) {
    const out = path.join(this.root, `account-${name}.json`);
    const args = ['account', 'create', '--name', name, '--email', email, '--credentials-out', out];
    if (parent !== undefined) args.push('--parent', String(parent));
    this.admin(...args);
    return { ...JSON.parse(fs.readFileSync(out, 'utf8')), credentialsPath: out };
  }

  createKey({ account, roles }) {
    this.keyCount = (this.keyCount ?? 0) + 1;
    const out = path.join(this.root, `key-${this.keyCount}.json`);
    const args = ['key', 'create', '--account', String(account), '--credentials-out', out];
    for (const role of roles) args.push('--role', role);
    this.admin(...args);
    return { ...JSON.parse(fs.readFileSync(out, 'utf8')), credentialsPath: out };
  }

  async cleanup() {
    if (this.running()) {
      this.child.kill('SIGKILL');
      await waitForExit(this.child, STOP_TIMEOUT_MS);
    }
    fs.rmSync(this.root, { recursive: true, force: true });
    this.ownDatabase?.drop();
    this.ownDatabase = undefined;
  }
}

// options: see the top of this file.
export async function startServer(options = {}) {
  const root = options.root ?? fs.mkdtempSync(path.join(os.tmpdir(), 'voxsecrets-e2e-'));
  let { store } = options;
  let ownDatabase;
  if (store === undefined && process.env.VOXSECRETS_TEST_STORE === 'postgres') {
    ownDatabase = createDatabase();
    store = ownDatabase.url;
  }
  const handle = new ServerHandle({ root, extraArgs: options.extraArgs ?? [], store,
    credentials: options.credentials, env: options.env, omitArgs: options.omitArgs });
  handle.ownDatabase = ownDatabase;
  try {
    await handle.start();
  } catch (error) {
    await handle.cleanup();
    throw error;
  }
  return handle;
}
