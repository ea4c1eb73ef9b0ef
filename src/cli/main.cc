// The `voxsecrets` binary: the server and the operator's commands.
//
//   voxsecrets serve --data-dir DIR --listen HOST:PORT [...]
//   voxsecrets token --credentials FILE [--ttl S] [--account-id N]
//   voxsecrets account create|list ...   voxsecrets key create ...
//   voxsecrets keys rotate-master|rotate-app|status ...
//   voxsecrets backup --data-dir DIR --out FILE   voxsecrets restore --in FILE --data-dir NEW ...
//   voxsecrets migrate --data-dir DIR --to postgresql://...
//   voxsecrets version | --version
// Options of serve and the data options of the admin commands also come from the environment and
// a config file (--config FILE): cli/settings.h.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <climits>
#include <cstdio>
#include <string>

#include "cli/admin_commands.h"
#include "cli/audit_command.h"
#include "cli/backup_command.h"
#include "cli/build_info.h"
#include "cli/keys_command.h"
#include "cli/migrate_command.h"
#include "cli/settings.h"
#include "cli/token_command.h"
#include "common/clock.h"
#include "server/serve.h"

namespace {

std::string SelfPath(const char* argv0) {
  char buf[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n > 0) return std::string(buf, static_cast<size_t>(n));
  return argv0;
}

void AddMasterKeyOptions(CLI::App* cmd, voxsecrets::server::MasterKeySource* source) {
  cmd->add_option("--master-key-file", source->file,
                  "Master key file (64 hex characters; default DIR/master.key)");
  cmd->add_option("--master-key-env", source->env,
                  "Read the master key from this environment variable");
  cmd->add_option("--master-key-command", source->command,
                  "Run this shell command and read the master key from its output (KMS/HSM hook)");
}

}  // namespace

int main(int argc, char** argv) {
  using namespace voxsecrets;
  CLI::App app{"voxsecrets: a self-hosted secret store speaking Voximplant's Management API"};
  app.require_subcommand(1);
  const std::string version_text = cli::VersionText(cli::GetBuildInfo());
  app.set_version_flag("--version", version_text.substr(0, version_text.size() - 1),
                       "Print the version, git commit and build type, then exit");
  auto* version_cmd = app.add_subcommand("version", "Print the version, git commit and build type");

  server::ServeOptions serve;
  serve.self_path = SelfPath(argv[0]);
  serve.version = cli::GetBuildInfo().version;
  serve.commit = cli::GetBuildInfo().commit;
  auto* serve_cmd = app.add_subcommand("serve", "Run the HTTPS API server");
  serve_cmd->add_option("--data-dir", serve.data.data_dir, "Data directory")->required();
  serve_cmd->add_option("--store", serve.data.store_url,
                        "Database URL: postgresql://... (shared by many nodes) or sqlite:///PATH "
                        "(default: DIR/voxsecrets.db)");
  serve_cmd->add_option("--listen", serve.listen, "HOST:PORT to listen on (port 0 = any free)")
      ->capture_default_str();
  serve_cmd->add_option("--metrics-listen", serve.metrics_listen,
                        "HOST:PORT of a plain-HTTP listener serving only /metrics (the main "
                        "listener then no longer serves it)");
  serve_cmd->add_option("--port-file", serve.port_file, "Write the bound port to this file");
  serve_cmd->add_option("--tls-cert", serve.tls_cert, "TLS certificate chain (PEM)");
  serve_cmd->add_option("--tls-key", serve.tls_key, "TLS private key (PEM)");
  serve_cmd->add_flag("--plain-http", serve.plain_http,
                      "Serve plain HTTP (only behind a TLS-terminating proxy)");
  serve_cmd->add_flag("--trust-forwarded-for", serve.trust_forwarded_for,
                      "Take the client IP from X-Forwarded-For (behind a proxy)");
  serve_cmd->add_flag("--no-panel", serve.no_panel,
                      "Do not serve the control panel (the API stays at /platform_api)");
  serve_cmd
      ->add_option("--application-domain", serve.application_domain,
                   "Domain of full application names")
      ->capture_default_str();
  serve_cmd
      ->add_option("--secret-versions", serve.secret_versions,
                   "Versions of each secret's value kept, the current one included (older "
                   "ones are deleted with their ciphertext)")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  serve_cmd
      ->add_option("--bootstrap-account", serve.bootstrap_account,
                   "Name of the account made on first start")
      ->capture_default_str();
  serve_cmd
      ->add_option("--bootstrap-email", serve.bootstrap_email,
                   "Email of the account made on first start")
      ->capture_default_str();
  serve_cmd->add_option("--threads", serve.threads, "I/O threads (0 = cores)");
  serve_cmd
      ->add_option("--shutdown-grace", serve.shutdown_grace_seconds,
                   "Seconds in-flight requests get on shutdown")
      ->capture_default_str();
  serve_cmd->add_flag("--allow-core-dumps", serve.allow_core_dumps,
                      "Keep core dumps enabled (they may contain keys)");
  serve_cmd->add_option("--audit-export", serve.audit_export,
                        "Append every audit record as a JSON line to this file ('-' = stdout)");
  serve_cmd
      ->add_option("--handler-threads", serve.handler_threads,
                   "Threads running API calls (0 = on the I/O threads; -1 = 0 on SQLite, " +
                       std::to_string(server::kPgHandlerThreads) + " on PostgreSQL)")
      ->capture_default_str();
#ifdef VOXSECRETS_BENCH_SWITCHES
  serve_cmd->add_flag("--bench-without-audit", serve.bench.without_audit,
                      "Benchmark only: write no audit records");
  serve_cmd->add_flag("--bench-without-decryption", serve.bench.without_decryption,
                      "Benchmark only: GetSecretValue returns a fixed value, decrypts nothing");
  serve_cmd->add_flag("--bench-audit-elsewhere", serve.bench.audit_elsewhere,
                      "Benchmark only: records of reads go to a second SQLite file");
#endif
  serve_cmd->add_flag("--audit-sync-reads", serve.audit_sync_reads,
                      "fsync every batch of read audit records before answering");
  serve_cmd
      ->add_option("--audit-retention-days", serve.audit_retention_days,
                   "Delete audit records older than this many days (0 = keep forever)")
      ->capture_default_str();
  // Limits (docs/SECURITY.md "Limits and their defaults").
  serve_cmd
      ->add_option("--max-connections", serve.max_connections,
                   "Open connections at most; at the limit the longest-idle or slowest one "
                   "makes room")
      ->capture_default_str();
  serve_cmd
      ->add_option("--max-connections-per-ip", serve.max_connections_per_ip,
                   "Open connections from one client address at most (0 = no limit; raise "
                   "it behind a proxy)")
      ->capture_default_str();
  serve_cmd
      ->add_option("--head-timeout", serve.head_timeout_seconds,
                   "Seconds for the TLS handshake plus a request's head, one deadline")
      ->capture_default_str();
  serve_cmd
      ->add_option("--read-timeout", serve.read_timeout_seconds,
                   "Seconds for a whole request, body included")
      ->capture_default_str();
  serve_cmd
      ->add_option("--max-queued-calls", serve.max_queued_calls,
                   "API calls waiting for a handler thread at most; more get HTTP 429")
      ->capture_default_str();
  serve_cmd
      ->add_option("--max-queue-wait-ms", serve.max_queue_wait_ms,
                   "A call that waited this long for a handler thread gets HTTP 429")
      ->capture_default_str();
  serve_cmd
      ->add_option("--rate-limit-ip", serve.rate_limit_ip,
                   "API calls per second per client address (token bucket, burst 2 s; "
                   "0 = off); beyond: error 340")
      ->capture_default_str();
  serve_cmd
      ->add_option("--rate-limit-key", serve.rate_limit_key,
                   "API calls per second per key or legacy account (0 = off); beyond: "
                   "error 340")
      ->capture_default_str();
  AddMasterKeyOptions(serve_cmd, &serve.data.master_key);

  cli::TokenOptions token;
  auto* token_cmd = app.add_subcommand("token", "Print a bearer JWT made from credentials.json");
  token_cmd->add_option("--credentials", token.credentials_path, "credentials.json")->required();
  token_cmd->add_option("--ttl", token.ttl_seconds, "Lifetime in seconds (1..3600)")
      ->capture_default_str();
  token_cmd->add_option("--account-id", token.account_id,
                        "Act as this child account (iss); default: the key's account");

  cli::AdminCommands admin;
  admin.Register(app, AddMasterKeyOptions);
  cli::AuditCommands audit;
  audit.Register(app);
  cli::KeysCommands keys;
  keys.Register(app, AddMasterKeyOptions);
  cli::BackupCommands backup;
  backup.Register(app, AddMasterKeyOptions);
  cli::MigrateCommand migrate;
  migrate.Register(app);

  cli::Settings settings;
  settings.Attach(app, serve_cmd);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (version_cmd->parsed()) {
    std::fputs(version_text.c_str(), stdout);
    return 0;
  }
  if (Status s = settings.Apply(); !s.ok()) {
    std::fprintf(stderr, "voxsecrets: %s\n", s.message().c_str());
    return 2;
  }

  if (serve_cmd->parsed()) return server::RunServe(serve);
  if (token_cmd->parsed()) {
    SystemClock clock;
    auto jwt = cli::MakeToken(token, clock);
    if (!jwt.ok()) {
      std::fprintf(stderr, "voxsecrets token: %s\n", jwt.status().message().c_str());
      return 1;
    }
    std::printf("%s\n", jwt->c_str());
    return 0;
  }
  if (keys.Parsed()) return keys.Run();
  if (backup.Parsed()) return backup.Run();
  if (migrate.Parsed()) return migrate.Run();
  if (audit.Parsed()) return audit.Run();
  return admin.Run();
}
