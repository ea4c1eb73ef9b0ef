#include "server/serve.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "api/audit_recorder.h"
#include "api/dispatcher.h"
#include "api/methods/methods.h"
#include "audit/audit_exporter.h"
#include "audit/audit_log.h"
#include "audit/audit_pruner.h"
#include "auth/authenticator.h"
#include "auth/key_cache.h"
#include "auth/rsa_key_pair_source.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/metrics.h"
#include "crypto/logging_sealer.h"
#include "crypto/openssl_random.h"
#include "crypto/process_hardening.h"
#include "crypto/self_signed_cert.h"
#include "http/server.h"
#include "iam/keys.h"
#include "secrets/application_service.h"
#include "secrets/secret_service.h"
#include "server/accounts_admin.h"
#include "server/master_key_watcher.h"
#include "server/panel_assets.h"
#include "server/store_health.h"
#include "server/store_key_directory.h"

namespace voxsecrets::server {
namespace {

namespace fs = std::filesystem;

bool ParseListen(const std::string& listen, std::string* host, uint16_t* port) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  *host = listen.substr(0, colon);
  if (host->size() > 2 && host->front() == '[' && host->back() == ']') {
    *host = host->substr(1, host->size() - 2);
  }
  const std::string p = listen.substr(colon + 1);
  unsigned v = 0;
  auto r = std::from_chars(p.data(), p.data() + p.size(), v);
  if (r.ec != std::errc() || r.ptr != p.data() + p.size() || v > 65535) return false;
  *port = static_cast<uint16_t>(v);
  return true;
}

// First start of an empty store: an account and its Owner key in credentials.json.
Status Bootstrap(const ServeOptions& options, const DataDirPaths& paths, store::Store& store,
                 SecureRandom& random, const Clock& clock, Logger& log, bool* made) {
  *made = false;
  bool empty = false;
  VS_RETURN_IF_ERROR(store.Read([&](store::Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(auto accounts, tx.accounts().List());
    empty = accounts.empty();
    return Status::Ok();
  }));
  if (!empty) return Status::Ok();
  NewAccount account{options.bootstrap_account, options.bootstrap_email, std::nullopt};
  auto made_account = CreateAccount(store, account, random, clock);
  if (!made_account.ok() && made_account.status().code() == StatusCode::kAlreadyExists) {
    // Another node sharing the database (PostgreSQL) bootstrapped at the same moment.
    log.Info("bootstrap account made by another node", {{"account_name", account.name}});
    return Status::Ok();
  }
  VS_ASSIGN_OR_RETURN(CreatedAccount created, std::move(made_account));
  VS_RETURN_IF_ERROR(
      WritePrivateFile(paths.credentials, created.owner_key.credentials_json.view()));
  log.Info("bootstrap account created", {{"account_id", created.account_id},
                                         {"account_name", options.bootstrap_account},
                                         {"key_id", created.owner_key.key_id},
                                         {"credentials", paths.credentials}});
  *made = true;
  return Status::Ok();
}

void PrintBanner(const ServeOptions& options, const DataDirPaths& paths, const OpenedData& data,
                 const std::string& scheme, const std::string& host, uint16_t port,
                 const std::string& cert, bool panel) {
  const std::string base = scheme + "://" +
                           (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
                           std::to_string(port);
  std::printf("voxsecrets serving %s/platform_api\n", base.c_str());
  std::printf("  data dir:     %s\n", paths.root.c_str());
  std::printf("  database:     %s\n", data.store_description.c_str());
  std::printf("  master key:   %s\n", data.master_key_description.c_str());
  if (scheme == "https") std::printf("  tls cert:     %s\n", cert.c_str());
  const bool have_creds = fs::exists(paths.credentials);
  if (have_creds) std::printf("  credentials:  %s\n", paths.credentials.c_str());
  if (panel) {
    std::printf("Control panel: %s/  (open it, pick %s to sign in)\n", base.c_str(),
                have_creds ? paths.credentials.c_str() : "a credentials.json");
  } else {
    std::printf("Control panel: off (%s)\n",
                options.no_panel ? "--no-panel" : "built with -DVOXSECRETS_PANEL=OFF");
  }
  std::printf("Try it:\n");
  if (have_creds) {
    std::printf("  TOKEN=$(%s token --credentials %s)\n", options.self_path.c_str(),
                paths.credentials.c_str());
  }
  std::printf("  curl %s-H \"Authorization: Bearer $TOKEN\" \"%s/platform_api/GetApplications\"\n",
              scheme == "https" ? ("--cacert " + cert + " ").c_str() : "", base.c_str());
  std::fflush(stdout);
}

}  // namespace

int RunServe(const ServeOptions& options) {
  SystemClock clock;
  JsonLineLogger log(stderr, clock);
  crypto::OpenSslRandom random;

  // Block the shutdown signals before any thread starts so that only sigwait() sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  if (!options.allow_core_dumps) {
    Status s = crypto::DisableCoreDumps();
    if (!s.ok()) log.Warn("could not disable core dumps", {{"error", s.message()}});
  }

  std::string host;
  uint16_t port = 0;
  if (!ParseListen(options.listen, &host, &port)) {
    log.Error("--listen must be HOST:PORT", {{"listen", options.listen}});
    return 2;
  }

  DataOptions data_options = options.data;
  data_options.create = true;
  auto opened = OpenData(data_options, random, clock);
  if (!opened.ok()) {
    log.Error("cannot start", {{"error", opened.status().message()}});
    std::fprintf(stderr, "voxsecrets: %s\n", opened.status().message().c_str());
    return 1;
  }
  OpenedData& data = opened.value();
  const DataDirPaths paths(data_options.data_dir);
  if (data.keyring->memory_lock_degraded()) {
    log.Warn("key memory could not be mlock()ed; keys may be swapped (raise RLIMIT_MEMLOCK)");
  }
  // Follow `voxsecrets keys rotate-master` without a restart; log values that fail to open.
  MasterKeyWatcher key_watcher(*data.store, *data.keyring, paths, data_options.master_key, log);
  data.keyring->SetMasterKeyReloader(&key_watcher);
  key_watcher.Start();
  crypto::LoggingSealer sealer(*data.keyring, log);

  std::string cert = options.tls_cert;
  std::string key = options.tls_key;
  if (!options.plain_http && cert.empty()) {
    cert = paths.tls_cert;
    key = paths.tls_key;
    std::error_code ec;
    if (!fs::exists(cert, ec) || !fs::exists(key, ec)) {
      fs::create_directories(paths.tls_dir, ec);
      Status s = crypto::WriteSelfSignedCert(cert, key, clock, random);
      if (!s.ok()) {
        log.Error("cannot create the dev TLS certificate", {{"error", s.message()}});
        return 1;
      }
      log.Info("self-signed dev certificate created", {{"cert", cert}});
    }
  }

  bool bootstrapped = false;
  if (Status s = Bootstrap(options, paths, *data.store, random, clock, log, &bootstrapped);
      !s.ok()) {
    log.Error("bootstrap failed", {{"error", s.message()}});
    return 1;
  }

  secrets::SecretsOptions secrets_options;
  secrets_options.application_domain = options.application_domain;
  secrets::ApplicationService applications(clock, secrets_options);
  secrets::SecretService secret_service(sealer, clock);
  StoreKeyDirectory directory(*data.store);
  auth::KeyCache key_cache;
  auth::Authenticator authenticator(directory, key_cache, clock);
  auth::RsaKeyPairSource key_pairs;
  iam::KeyService keys(key_pairs, random, clock);
  api::Services services{applications, secret_service, keys, sealer};
  // The audit log: this process's chain, optional JSON-lines export, optional retention.
  std::unique_ptr<audit::JsonLinesExporter> audit_exporter;
  if (options.audit_export == "-") {
    audit_exporter = audit::JsonLinesExporter::ToStream(stdout);
  } else if (!options.audit_export.empty()) {
    auto exporter = audit::JsonLinesExporter::OpenFile(options.audit_export);
    if (!exporter.ok()) {
      log.Error("cannot open the audit export", {{"error", exporter.status().message()}});
      return 1;
    }
    audit_exporter = std::move(exporter).value();
  }
  char host_name[256] = {};
  ::gethostname(host_name, sizeof(host_name) - 1);
  audit::AuditLogOptions audit_options;
  audit_options.label = std::string(host_name) + ":" + std::to_string(::getpid());
  audit_options.created_ms = clock.NowMillis();
  audit_options.exporter = audit_exporter.get();
  audit_options.sync_every_batch = options.audit_sync_reads;
  audit_options.logger = &log;
  auto audit_log = audit::AuditLog::Open(*data.store, audit_options);
  if (!audit_log.ok()) {
    log.Error("cannot open the audit log", {{"error", audit_log.status().message()}});
    return 1;
  }
  std::unique_ptr<audit::AuditPruner> audit_pruner;
  if (options.audit_retention_days > 0) {
    audit::AuditPrunerOptions pruner_options;
    pruner_options.retention = std::chrono::hours(24 * options.audit_retention_days);
    audit_pruner = std::make_unique<audit::AuditPruner>(*data.store, clock, &log, pruner_options);
  }
  api::AuditRecorder audit_recorder(**audit_log, clock);
  api::Dispatcher dispatcher(*data.store, authenticator, clock, api::BuildMethodTable(services),
                             &audit_recorder);
  Metrics metrics;
  // /healthz: probed in the background, so a database that stopped answering never holds an I/O
  // thread; not ready while the store is unreachable, ready again when it is back.
  StoreHealthProbe health(*data.store, clock, log);
  health.Start();

  http::ServerOptions http_options;
  http_options.host = host;
  http_options.port = port;
  http_options.tls = !options.plain_http;
  http_options.cert_file = cert;
  http_options.key_file = key;
  http_options.threads = options.threads;
  // Reads wait for their audit record (group commit): run API calls on a pool so that many can
  // wait together and share one fsync, while the I/O threads keep serving.
  http_options.handler_threads = options.handler_threads;
  http_options.trust_forwarded_for = options.trust_forwarded_for;
  // The control panel: static files of the binary itself, calling only the public API.
  PanelAssets panel_assets;
  const bool panel = !options.no_panel && PanelAssets::Built();
  if (panel) http_options.static_assets = &panel_assets;
  auto server = http::HttpServer::Start(http_options, dispatcher, health, metrics);
  if (!server.ok()) {
    log.Error("cannot listen", {{"error", server.status().message()}});
    std::fprintf(stderr, "voxsecrets: %s\n", server.status().message().c_str());
    return 1;
  }
  const uint16_t bound = server.value()->port();
  if (!options.port_file.empty()) {
    Status s = WritePrivateFile(options.port_file, std::to_string(bound) + "\n");
    if (!s.ok()) log.Warn("cannot write the port file", {{"error", s.message()}});
  }
  log.Info("serving", {{"host", host},
                       {"port", int64_t{bound}},
                       {"tls", !options.plain_http},
                       {"panel", panel},
                       {"master_key_version", int64_t{data.master_key_version}}});
  PrintBanner(options, paths, data, options.plain_http ? "http" : "https", host, bound, cert,
              panel);

  int sig = 0;
  sigwait(&signals, &sig);
  log.Info("shutting down", {{"signal", int64_t{sig}}});
  health.SetDraining();
  server.value()->Shutdown(std::chrono::seconds(options.shutdown_grace_seconds));
  server.value()->Wait();
  server.value().reset();
  log.Info("stopped");
  return 0;
}

}  // namespace voxsecrets::server
