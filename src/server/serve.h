// `voxsecrets serve`: the composition root. Binds the listen address(es) first (a busy or
// forbidden port fails before anything is created), locks the data dir (server/data_dir_lock.h),
// opens (on first start: creates) the data, builds store → keyring → services → dispatcher →
// metered API → HTTP server, serves until SIGTERM/SIGINT, then shuts down gracefully (no new
// connections; in-flight requests are answered; every acknowledged write is already durable in
// the store). There is no reload: SIGHUP is not handled (its default action ends the process),
// the master key watcher follows key rotation by itself, and a changed config needs a restart.
#ifndef VOXSECRETS_SERVER_SERVE_H_
#define VOXSECRETS_SERVER_SERVE_H_

#include <string>

#include "server/data_dir.h"

namespace voxsecrets::server {

// Benchmark switches (docs/BENCHMARKS.md, "What each guarantee costs"): obeyed only by a binary
// built with -DVOXSECRETS_BENCH_SWITCHES=ON (never a product build), which says so when it
// starts; elsewhere `serve` has no flags to set them.
struct BenchSwitches {
  bool without_audit = false;       // no audit record at all (no AuditHook)
  bool without_decryption = false;  // GetSecretValue hands out a fixed value, opens nothing
  // Records of reads and failed calls go to a second SQLite file in the data dir
  // (bench-audit.db, a chain of their own): what a trail outside the readers' database would cost
  bool audit_elsewhere = false;
};

struct ServeOptions {
  DataOptions data;                       // data.create is forced on
  std::string listen = "127.0.0.1:8443";  // HOST:PORT; port 0 picks a free one
  // HOST:PORT of a plain-HTTP listener that serves only GET /metrics; the main listener then no
  // longer answers /metrics. Empty = /metrics on the main listener.
  std::string metrics_listen;
  std::string port_file;             // when set, the bound port is written here once serving
  std::string tls_cert;              // a real certificate (PEM chain) ...
  std::string tls_key;               // ... and its key; default: DIR/tls/*.pem (self-signed)
  bool plain_http = false;           // no TLS (behind a TLS-terminating proxy)
  bool trust_forwarded_for = false;  // client IP from X-Forwarded-For (proxy only)
  bool no_panel = false;             // do not serve the control panel (docs/PANEL.md)
  std::string application_domain = "voximplant.com";
  // Versions of each secret's value kept, the current one included (docs/API.md "Secret
  // versions"); 1..1000.
  int secret_versions = 10;
  std::string bootstrap_account = "dev";  // first start: the account made for credentials.json
  std::string bootstrap_email = "dev@localhost";
  int threads = 0;  // I/O threads; 0 = number of cores (min 2)
  int shutdown_grace_seconds = 20;
  bool allow_core_dumps = false;  // core dumps are off by default (key material)
  std::string self_path;          // this binary, for the printed example
  std::string version;            // "0.1.0", logged and exported (voxsecrets_build_info)
  std::string commit;             // the git commit of the build
  // Audit log (docs/AUDIT.md): export every committed record as a JSON line to this file
  // (appended, created 0600), or to stdout when "-". Empty = no export.
  std::string audit_export;
  // Delete audit records older than this many days (checked hourly). 0 = keep forever.
  int audit_retention_days = 0;
  // fsync every batch of read/failed-call audit records (default: they reach the database log
  // before the answer and disk with the next mutation or checkpoint; see docs/AUDIT.md).
  bool audit_sync_reads = false;
  // Threads that run API calls; 0 = on the I/O threads; -1 (default) = chosen by the store: 0 on
  // SQLite (a read is in-process and its answer waits for the audit group commit without holding
  // a thread; writes run on the group committer), kPgHandlerThreads on PostgreSQL (each
  // statement waits for the database).
  int handler_threads = -1;
  BenchSwitches bench;
  // Limits (docs/SECURITY.md "Limits and their defaults"; http::ServerOptions has the details).
  size_t max_connections = 4096;
  size_t max_connections_per_ip = 256;
  int head_timeout_seconds = 10;
  int read_timeout_seconds = 30;
  size_t max_queued_calls = 1024;
  int max_queue_wait_ms = 2000;
  // Token buckets (api/rate_limiter.h): whole calls per second, 0 = off.
  int rate_limit_ip = 0;
  int rate_limit_key = 0;
};

// Handler threads on PostgreSQL by default: as many as the default session pool (PgOptions::
// pool_size), so that every session can be busy (docs/BENCHMARKS.md, "Pool size").
inline constexpr int kPgHandlerThreads = 4;

// Runs the server; returns the process exit code (0 after a clean shutdown).
int RunServe(const ServeOptions& options);

}  // namespace voxsecrets::server

#endif  // VOXSECRETS_SERVER_SERVE_H_
