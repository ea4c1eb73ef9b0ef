// The binary as an operator meets it: `--version`, the TOML config file with its precedence
// (command line > VOXSECRETS_* environment > file > defaults) and its errors, admin commands
// reading the same file, and a busy port refused before anything is created.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

import { describeCli, runCli } from './lib/admin_cli.mjs';
import { api, assertOk, request } from './lib/api.mjs';
import { REPO_ROOT, startServer } from './lib/server.mjs';

const servers = [];
const dirs = [];
after(async () => {
  for (const server of servers) await server.cleanup();
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'voxsecrets-e2e-cfg-'));
  dirs.push(dir);
  return dir;
}

// A port something else listens on, for as long as the returned server is open.
function occupyPort() {
  return new Promise((resolve, reject) => {
    const blocker = net.createServer();
    blocker.on('error', reject);
    blocker.listen(0, '127.0.0.1', () => resolve(blocker));
  });
}

// Environment without any VOXSECRETS_* variable the developer may have set.
function cleanEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('VOXSECRETS_') || k === 'VOXSECRETS_BIN') env[k] = v;
  }
  return { ...env, ...extra };
}

test('--version and version print the version, commit and build type', async () => {
  const flag = await runCli(['--version']);
  const command = await runCli(['version']);
  assert.equal(flag.code, 0, describeCli(flag));
  assert.equal(command.code, 0, describeCli(command));
  assert.equal(flag.stdout, command.stdout);
  const m = /^voxsecrets (\d+\.\d+\.\d+)\ncommit: ([0-9a-f]{12}(?:-dirty)?|unknown)\nbuild type: (\w+)\n$/
    .exec(flag.stdout);
  assert.ok(m, `unexpected version text: ${JSON.stringify(flag.stdout)}`);
  const project = /project\(voxsecrets VERSION (\d+\.\d+\.\d+)/.exec(
    fs.readFileSync(path.join(REPO_ROOT, 'CMakeLists.txt'), 'utf8'));
  assert.equal(m[1], project[1], 'the version is CMake project()\'s');
  assert.notEqual(m[3], '');
  if (fs.existsSync(path.join(REPO_ROOT, '.git')) && m[2] !== 'unknown') {
    const head = execFileSync('git', ['-C', REPO_ROOT, 'rev-parse', '--short=12', 'HEAD'],
      { encoding: 'utf8' }).trim();
    assert.equal(m[2].slice(0, 12), head, 'the commit is the checkout\'s HEAD');
  }
});

test('config file, environment and command line: each level beats the next', async () => {
  const root = tempDir();
  const blocker = await occupyPort();
  try {
    const busy = blocker.address().port;
    const config = path.join(root, 'voxsecrets.toml');
    fs.writeFileSync(config, [
      '# the file alone: data-dir and bootstrap-account come from here',
      `data-dir = "${path.join(root, 'data')}"`,
      'bootstrap-account = "fromfile"',
      `listen = "127.0.0.1:${busy}"          # beaten by VOXSECRETS_LISTEN (else: port in use)`,
      'application-domain = "file.example"  # beaten by the environment and the command line',
      'shutdown-grace = 5',
      'no-panel = true                      # a flag as a key: serve --no-panel',
      '',
    ].join('\n'));
    const server = await startServer({
      root,
      omitArgs: ['--data-dir', '--listen'],
      env: cleanEnv({ VOXSECRETS_LISTEN: '127.0.0.1:0',
        VOXSECRETS_APPLICATION_DOMAIN: 'env.example' }),
      extraArgs: ['--config', config, '--application-domain', 'cmd.example'],
    });
    servers.push(server);
    assert.notEqual(server.port, busy);
    const added = assertOk(await api(server, 'AddApplication', { application_name: 'cfg' }));
    assert.equal(added.application_name, 'cfg.fromfile.cmd.example',
      'account from the file, domain from the command line');
    assert.match(server.output(), /Control panel: off/, 'no-panel from the file');
    assert.equal((await request(server, { method: 'GET', path: '/' })).status, 404);

    // An admin command reads the same file: same data dir, hence the same accounts.
    const listed = await runCli(['account', 'list', '--config', config], { env: cleanEnv() });
    assert.equal(listed.code, 0, describeCli(listed));
    assert.match(listed.stdout, /\bfromfile\b/);

    // Without the command-line option the environment wins over the file.
    await server.stop();
    server.extraArgs = ['--config', config];
    await server.restart();
    const second = assertOk(await api(server, 'AddApplication', { application_name: 'cfg2' }));
    assert.equal(second.application_name, 'cfg2.fromfile.env.example');

    // And with neither, the file's value is used.
    await server.stop();
    server.env = cleanEnv({ VOXSECRETS_LISTEN: '127.0.0.1:0' });
    await server.restart();
    const third = assertOk(await api(server, 'AddApplication', { application_name: 'cfg3' }));
    assert.equal(third.application_name, 'cfg3.fromfile.file.example');
  } finally {
    blocker.close();
  }
});

test('config file errors name the file, line and key, and nothing is created', async () => {
  const root = tempDir();
  const dataDir = path.join(root, 'data');
  const cases = [
    { text: `data-dir = "${dataDir}"\nlisten = "127.0.0.1:0"\nlistn = "0.0.0.0:1"\n`,
      message: /:3: unknown key 'listn'/ },
    { text: `data-dir = "${dataDir}"\n\nthreads = "four"\n`,
      message: /:3: key 'threads' must be an integer/ },
    { text: `data-dir = "${dataDir}"\nplain-http = "yes"\n`,
      message: /:2: key 'plain-http' must be a boolean/ },
    { text: `data-dir = "${dataDir}"\n[serve]\nlisten = "x"\n`,
      message: /:2: unknown section 'serve'/ },
    { text: `data-dir = "${dataDir}"\nlisten = \n`, message: /:2: invalid TOML/ },
  ];
  for (const [i, c] of cases.entries()) {
    const config = path.join(root, `bad-${i}.toml`);
    fs.writeFileSync(config, c.text);
    const result = await runCli(['serve', '--config', config], { env: cleanEnv() });
    assert.equal(result.code, 2, `case ${i}: ${describeCli(result)}`);
    assert.ok(result.stderr.includes(config), `case ${i} names the file: ${result.stderr}`);
    assert.match(result.stderr, c.message, `case ${i}`);
    assert.equal(fs.existsSync(dataDir), false, `case ${i}: nothing may be created`);
  }
  // Admin commands refuse the same typo.
  const admin = await runCli(['account', 'list', '--config', path.join(root, 'bad-0.toml')],
    { env: cleanEnv() });
  assert.equal(admin.code, 2, describeCli(admin));
  assert.match(admin.stderr, /:3: unknown key 'listn'/);
  // No data dir from any source.
  const none = await runCli(['serve', '--listen', '127.0.0.1:0'], { env: cleanEnv() });
  assert.equal(none.code, 2, describeCli(none));
  assert.match(none.stderr, /--data-dir .*VOXSECRETS_DATA_DIR.*is required/);
  const missing = await runCli(['serve', '--config', path.join(root, 'nope.toml')],
    { env: cleanEnv() });
  assert.equal(missing.code, 2, describeCli(missing));
  assert.match(missing.stderr, /cannot read the config file .*nope\.toml/);
});

test('a busy port is refused before a data dir, database, key or credentials exist', async () => {
  const root = tempDir();
  const dataDir = path.join(root, 'data');
  const blocker = await occupyPort();
  try {
    const busy = blocker.address().port;
    const result = await runCli(['serve', '--data-dir', dataDir, '--listen', `127.0.0.1:${busy}`],
      { env: cleanEnv() });
    assert.equal(result.code, 1, describeCli(result));
    assert.match(result.stderr, new RegExp(`Cannot listen on 127\\.0\\.0\\.1:${busy}: Address already in use`));
    assert.equal(fs.existsSync(dataDir), false, 'the data dir was created for a server that ' +
      `could not run: ${fs.existsSync(dataDir) ? fs.readdirSync(dataDir) : ''}`);
    // The same for the metrics listener.
    const metrics = await runCli(['serve', '--data-dir', dataDir, '--listen', '127.0.0.1:0',
      '--metrics-listen', `127.0.0.1:${busy}`], { env: cleanEnv() });
    assert.equal(metrics.code, 1, describeCli(metrics));
    assert.match(metrics.stderr, /--metrics-listen/);
    assert.equal(fs.existsSync(dataDir), false);
  } finally {
    blocker.close();
  }
});

test('a second server on the same data dir is refused while the first runs', async () => {
  const server = await startServer();
  servers.push(server);
  const second = await runCli(['serve', '--data-dir', server.dataDir, '--listen', '127.0.0.1:0',
    ...server.storeArgs()], { env: cleanEnv() });
  assert.equal(second.code, 1, describeCli(second));
  assert.match(second.stderr, new RegExp(`in use by another voxsecrets server \\(pid ${server.pid}\\)`));
  // The first one is unharmed.
  assertOk(await api(server, 'GetApplications', {}));
});

test('the packaged config file documents every serve option and parses', async () => {
  const help = await runCli(['serve', '--help']);
  assert.equal(help.code, 0, describeCli(help));
  const options = [...help.stdout.matchAll(/^ {2}(?:-\w,)?--([a-z][a-z-]*)/gm)].map((m) => m[1])
    .filter((name) => name !== 'help' && name !== 'config');
  assert.ok(options.length > 20, `options from --help: ${options}`);
  const file = path.join(REPO_ROOT, 'packaging/voxsecrets.toml');
  const text = fs.readFileSync(file, 'utf8');
  for (const name of options) {
    assert.match(text, new RegExp(`^(# )?${name} = `, 'm'), `${name} is not in ${file}`);
  }
  // Its active keys parse and name this machine's default data dir; an admin command reading it
  // gets past the file (it then finds no database, exit 1, not a config error, exit 2).
  const root = tempDir();
  const copy = path.join(root, 'voxsecrets.toml');
  fs.writeFileSync(copy, text.replace('data-dir = "/var/lib/voxsecrets"',
    `data-dir = "${path.join(root, 'data')}"`));
  const listed = await runCli(['account', 'list', '--config', copy], { env: cleanEnv() });
  assert.equal(listed.code, 1, describeCli(listed));
  assert.match(listed.stderr, /no voxsecrets database at/);
  // Every commented option, uncommented, is still a valid config (types and names right).
  const all = path.join(root, 'all.toml');
  fs.writeFileSync(all, text.split('\n').map((line) => {
    const m = /^# ([a-z][a-z-]*) = (.*)$/.exec(line);
    if (!m) return line;
    if (['master-key-env', 'master-key-command', 'store'].includes(m[1])) return line;  // one source
    return `${m[1]} = ${m[2]}`;
  }).join('\n'));
  const parsed = await runCli(['account', 'list', '--config', all], { env: cleanEnv() });
  assert.notEqual(parsed.code, 2, describeCli(parsed));
});
