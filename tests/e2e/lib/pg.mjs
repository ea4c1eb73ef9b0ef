// PostgreSQL for the end-to-end tests.
//
// - The shared test server: scripts/test starts a throwaway cluster and exports PGHOST / PGPORT /
//   PGUSER (/ PGDATABASE). pgConfigured() tells whether it is there; pgSkip() is the `skip` option
//   for tests that need it: a reason to skip when it is absent, except under CI=true, where it is
//   false (the test runs and fails: CI must never go green by skipping). requirePg() throws then.
// - createDatabase(): a fresh database `vs_<random>` on that server, for one test file, with
//   `url` (what `voxsecrets --store` takes) and `drop()`.
// - startCluster(): a private throwaway cluster (its own temp dir and port; the recipe of
//   scripts/test: initdb, pg_ctl start, createdb) that a test may stop and start at will (outages).
//   initdb runs as the `postgres` user through runuser when we are root.
// Every cluster started here is stopped (immediate mode) when the test process exits.

import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const CI = process.env.CI === 'true';

export function pgConfigured() {
  return Boolean(process.env.PGHOST || process.env.PGPORT);
}

// For test(name, { skip: pgSkip() }, fn).
export function pgSkip() {
  if (pgConfigured() || CI) return false;
  return 'no PostgreSQL configured (PGHOST/PGPORT; scripts/test starts one)';
}

export function requirePg() {
  if (!pgConfigured()) {
    throw new Error('no PostgreSQL for the tests: set PGHOST/PGPORT (scripts/test starts one); ' +
      'CI=true: the PostgreSQL tests must run, not skip');
  }
}

function psql(sql, { host, port, user, database } = {}) {
  const env = { ...process.env };
  if (host) env.PGHOST = host;
  if (port) env.PGPORT = String(port);
  if (user) env.PGUSER = user;
  return execFileSync('psql', ['-X', '-qAt', '-v', 'ON_ERROR_STOP=1', '-d', database ?? 'postgres',
    '-c', sql], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30000 });
}

function serverOf(server = {}) {
  return {
    host: server.host ?? process.env.PGHOST ?? '127.0.0.1',
    port: Number(server.port ?? process.env.PGPORT ?? 5432),
    user: server.user ?? process.env.PGUSER ?? 'postgres',
  };
}

// A store URL for `voxsecrets --store`. A socket-directory host goes in the query string.
export function storeUrl({ host, port, user }, database, extra = '') {
  const query = [];
  let authority = `${encodeURIComponent(user)}@`;
  if (host.startsWith('/')) {
    query.push(`host=${encodeURIComponent(host)}`, `port=${port}`);
  } else {
    authority += `${host}:${port}`;
  }
  if (extra) query.push(extra);
  return `postgresql://${authority}/${database}${query.length ? `?${query.join('&')}` : ''}`;
}

// A fresh database on `server` (default: the one PG* names).
export function createDatabase(server) {
  const where = serverOf(server);
  const name = `vs_${crypto.randomBytes(6).toString('hex')}`;
  psql(`CREATE DATABASE ${name}`, where);
  return {
    name,
    url: storeUrl(where, name),
    query(sql) {
      return psql(sql, { ...where, database: name }).trim();
    },
    drop() {
      try {
        psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`, where);
      } catch {
        // the server may be gone already (its cluster deleted)
      }
    },
  };
}

function pgBinDir() {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root)
    .filter((v) => fs.existsSync(path.join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(a) - Number(b)) : [];
  if (versions.length === 0) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql');
  return path.join(root, versions[versions.length - 1], 'bin');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const liveClusters = new Set();
process.on('exit', () => {
  for (const cluster of liveClusters) cluster.stopSync('immediate');
});

// A throwaway cluster: { host, port, user, url(db), createDatabase(), stop(mode), start(),
// running(), destroy() }. Durability as in production for commits (synchronous_commit=on); fsync
// off (a stopped or killed server keeps what it wrote to the OS, which is all these tests need).
export async function startCluster() {
  const bin = pgBinDir();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'voxsecrets-e2e-pg-'));
  const runas = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
  if (runas.length) execFileSync('chown', ['postgres:postgres', dir]);
  fs.chmodSync(dir, 0o700);
  const run = (tool, args) => {
    const [cmd, ...rest] = runas.length ? [...runas, path.join(bin, tool), ...args]
      : [path.join(bin, tool), ...args];
    return execFileSync(cmd, rest, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60000 });
  };
  const data = path.join(dir, 'data');
  run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-instructions',
    '--no-sync']);
  const port = await freePort();
  const cluster = {
    host: '127.0.0.1',
    port,
    user: 'postgres',
    dir,
    start() {
      run('pg_ctl', ['-D', data, '-l', path.join(dir, 'pg.log'), '-w', '-t', '60', '-o',
        `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off ` +
        '-c full_page_writes=off', 'start']);
      liveClusters.add(cluster);
    },
    // 'fast' (clean shutdown, sessions terminated) or 'immediate' (like a crash).
    stop(mode = 'fast') {
      run('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '60', 'stop']);
      liveClusters.delete(cluster);
    },
    stopSync(mode) {
      try {
        run('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '30', 'stop']);
      } catch {
        // not running
      }
    },
    running() {
      return fs.existsSync(path.join(data, 'postmaster.pid'));
    },
    createDatabase() {
      return createDatabase(cluster);
    },
    log() {
      try {
        return fs.readFileSync(path.join(dir, 'pg.log'), 'utf8');
      } catch {
        return '';
      }
    },
    destroy() {
      if (cluster.running()) cluster.stopSync('immediate');
      liveClusters.delete(cluster);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  cluster.start();
  return cluster;
}
