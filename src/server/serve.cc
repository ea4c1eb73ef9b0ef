#include "server/serve.h"

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>

#include "api/audit_recorder.h"
#include "api/dispatcher.h"
#include "api/methods/methods.h"
#include "api/rate_limiter.h"
#include "audit/audit_exporter.h"
#include "audit/audit_log.h"
#include "audit/audit_pruner.h"
#include "audit/refusal_log.h"
#include "auth/authenticator.h"
#include "auth/key_cache.h"
#include "auth/rsa_key_pair_source.h"
#include "common/clock.h"
#include "common/log.h"
#include "crypto/logging_sealer.h"
#include "crypto/openssl_random.h"
#include "crypto/process_hardening.h"
#include "crypto/self_signed_cert.h"
#include "http/listen_socket.h"
#include "http/server.h"
#include "iam/keys.h"
#include "metrics/prometheus_metrics.h"
#include "secrets/application_service.h"
#include "secrets/secret_service.h"
#include "server/accounts_admin.h"
#include "server/data_dir_lock.h"
#include "server/master_key_watcher.h"
#include "server/metered_api.h"
#include "server/name_index_merger.h"
#include "server/panel_assets.h"
#include "server/store_health.h"

#ifdef VOXSECRETS_BENCH_SWITCHES
#include "store/sqlite/sqlite_store.h"  // --bench-audit-elsewhere
#endif
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

// File descriptors kept for everything but client connections: the database and its pool, the
// log, the export file, the listener.
constexpr rlim_t kReservedDescriptors = 256;

// Every connection holds a descriptor: the soft RLIMIT_NOFILE (often 1024) would refuse
// connections long before max_connections. Raises it up to the hard limit; if that is still too
// low, lowers `*max_connections` to fit and says so.
void FitOpenFilesLimit(size_t* max_connections, Logger& log) {
  struct rlimit limit {};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  const rlim_t wanted = static_cast<rlim_t>(*max_connections) + kReservedDescriptors;
  const rlim_t before = limit.rlim_cur;
  if (limit.rlim_cur < wanted) {
    const rlim_t raised =
        limit.rlim_max == RLIM_INFINITY ? wanted : std::min(wanted, limit.rlim_max);
    struct rlimit next = limit;
    next.rlim_cur = raised;
    if (::setrlimit(RLIMIT_NOFILE, &next) == 0) limit.rlim_cur = raised;
  }
  if (limit.rlim_cur != before) {
    log.Info("open files limit raised", {{"from", static_cast<int64_t>(before)},
                                         {"to", static_cast<int64_t>(limit.rlim_cur)}});
  }
  if (limit.rlim_cur < wanted) {
    const size_t fitted = limit.rlim_cur > kReservedDescriptors + 64
                              ? static_cast<size_t>(limit.rlim_cur - kReservedDescriptors)
                              : 64;
    log.Warn(
        "the open files limit is too low for --max-connections; lowered it (raise "
        "LimitNOFILE / ulimit -n)",
        {{"open_files_limit", static_cast<int64_t>(limit.rlim_cur)},
         {"max_connections", static_cast<int64_t>(fitted)}});
    *max_connections = fitted;
  }
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

std::string HostPort(const std::string& host, uint16_t port) {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
         std::to_string(port);
}

// Binds `listen` (HOST:PORT) for `what` ("--listen"); on failure logs, says so on stderr and
// sets `*exit_code` (2: malformed, 1: cannot listen).
std::optional<http::ListenSocket> BindOrExplain(const std::string& listen, const char* what,
                                                Logger& log, std::string* host, uint16_t* port,
                                                int* exit_code) {
  *exit_code = 2;
  if (!ParseListen(listen, host, port)) {
    log.Error(std::string(what) + " must be HOST:PORT", {{"listen", listen}});
    std::fprintf(stderr, "voxsecrets: %s must be HOST:PORT (got '%s')\n", what, listen.c_str());
    return std::nullopt;
  }
  *exit_code = 1;
  auto socket = http::ListenSocket::Bind(*host, *port);
  if (!socket.ok()) {
    log.Error("cannot listen", {{"error", socket.status().message()}});
    std::fprintf(stderr, "voxsecrets: %s (%s %s); nothing was created or changed\n",
                 socket.status().message().c_str(), what, listen.c_str());
    return std::nullopt;
  }
  *port = socket->port();
  return std::move(socket).value();
}

// What the process exports about itself and the state its parts keep (read at each scrape).
void AddStateMetrics(Metrics& metrics, const ServeOptions& options, const crypto::Keyring& keyring,
                     const auth::KeyCache& key_cache, const auth::Authenticator& authenticator,
                     const audit::AuditLog& audit_log) {
  metrics.AddCallback(
      MetricKind::kGauge, "voxsecrets_build_info", "Always 1; the labels say which build runs.",
      {{"version", options.version}, {"commit", options.commit}}, [] { return 1.0; });
  metrics.AddCallback(MetricKind::kGauge, "voxsecrets_master_key_version",
                      "The master key version new data keys are wrapped with.", {},
                      [&keyring] { return static_cast<double>(keyring.master_key_version()); });
  constexpr std::string_view kCache = "voxsecrets_cache_requests_total";
  constexpr std::string_view kCacheHelp =
      "Cache lookups by cache (verified_token, public_key, data_key) and result (hit, miss).";
  auto cache = [&](const char* name, std::function<double()> hits, std::function<double()> misses) {
    metrics.AddCallback(MetricKind::kCounter, kCache, kCacheHelp,
                        {{"cache", name}, {"result", "hit"}}, std::move(hits));
    metrics.AddCallback(MetricKind::kCounter, kCache, kCacheHelp,
                        {{"cache", name}, {"result", "miss"}}, std::move(misses));
  };
  if (const auth::VerifiedTokenCache* tokens = authenticator.token_cache()) {
    cache(
        "verified_token", [tokens] { return static_cast<double>(tokens->hits()); },
        [tokens] { return static_cast<double>(tokens->misses()); });
  }
  cache(
      "public_key", [&key_cache] { return static_cast<double>(key_cache.hits()); },
      [&key_cache] { return static_cast<double>(key_cache.misses()); });
  cache(
      "data_key", [&keyring] { return static_cast<double>(keyring.cache_hits()); },
      [&keyring] { return static_cast<double>(keyring.cache_misses()); });
  metrics.AddCallback(MetricKind::kGauge, "voxsecrets_audit_queue_length",
                      "Audit records (reads, failed calls) waiting for the group committer.", {},
                      [&audit_log] { return static_cast<double>(audit_log.stats().queued); });
  metrics.AddCallback(MetricKind::kCounter, "voxsecrets_audit_records_total",
                      "Audit records committed by this process.", {},
                      [&audit_log] { return static_cast<double>(audit_log.stats().records); });
  metrics.AddCallback(MetricKind::kCounter, "voxsecrets_audit_failures_total",
                      "Audit appends that failed (their calls were failed too).", {},
                      [&audit_log] { return static_cast<double>(audit_log.stats().failures); });
  metrics.AddCallback(MetricKind::kCounter, "voxsecrets_audit_export_failures_total",
                      "Audit records whose export (--audit-export) failed.", {}, [&audit_log] {
                        return static_cast<double>(audit_log.stats().export_failures);
                      });
}

void PrintBanner(const ServeOptions& options, const DataDirPaths& paths, const OpenedData& data,
                 const std::string& scheme, const std::string& host, uint16_t port,
                 const std::string& cert, bool panel, const std::string& metrics_url) {
  const std::string base = scheme + "://" + HostPort(host, port);
  std::printf("voxsecrets serving %s/platform_api\n", base.c_str());
  std::printf("  data dir:     %s\n", paths.root.c_str());
  std::printf("  database:     %s\n", data.store_description.c_str());
  std::printf("  master key:   %s\n", data.master_key_description.c_str());
  if (scheme == "https") std::printf("  tls cert:     %s\n", cert.c_str());
  std::printf("  metrics:      %s\n",
              (metrics_url.empty() ? base + "/metrics" : metrics_url).c_str());
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

#ifdef VOXSECRETS_BENCH_SWITCHES
// --bench-audit-elsewhere: write calls go to `writes` (their records in their own batch
// transaction), everything recorded on its own (reads, failed and refused calls) to `reads`.
class SplitAuditHook final : public api::AuditHook {
 public:
  SplitAuditHook(api::AuditHook& writes, api::AuditHook& reads) : writes_(writes), reads_(reads) {}
  Status InTransaction(api::CallContext& call, store::Tx& tx) override {
    return writes_.InTransaction(call, tx);
  }
  Status Record(const api::AuditCall& call, const Status& outcome) override {
    return reads_.Record(call, outcome);
  }
  void RecordAsync(const api::AuditCall& call, const Status& outcome, RecordDone done) override {
    reads_.RecordAsync(call, outcome, std::move(done));
  }
  bool SubmitWrite(store::TxFn run, std::function<api::AuditCall()> describe,
                   WriteDone done) override {
    return writes_.SubmitWrite(std::move(run), std::move(describe), std::move(done));
  }

 private:
  api::AuditHook& writes_;
  api::AuditHook& reads_;
};

// --bench-without-decryption: Open hands out a fixed value without reading a data key or opening
// anything, so that a benchmark shows what decryption costs. Seal is the real one.
class NoDecryptionSealer final : public crypto::ValueSealer {
 public:
  explicit NoDecryptionSealer(crypto::ValueSealer& inner) : inner_(inner) {}
  Result<SealedValue> Seal(store::Tx& tx, const crypto::ValueContext& ctx,
                           std::string_view plaintext) override {
    return inner_.Seal(tx, ctx, plaintext);
  }
  Result<SecureBytes> Open(store::Tx&, const crypto::ValueContext&, const SealedValue&) override {
    return SecureBytes::FromView("benchmark value without decryption");
  }
  void ForgetApplication(int64_t application_id) override {
    inner_.ForgetApplication(application_id);
  }

 private:
  crypto::ValueSealer& inner_;
};
constexpr bool kBenchSwitchesBuilt = true;
#else
constexpr bool kBenchSwitchesBuilt = false;
#endif

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

  // The addresses first: a port that is taken or forbidden must not leave a data dir, a
  // database, keys or credentials behind for a server that never ran.
  std::string host;
  uint16_t port = 0;
  int exit_code = 0;
  std::optional<http::ListenSocket> socket =
      BindOrExplain(options.listen, "--listen", log, &host, &port, &exit_code);
  if (!socket) return exit_code;
  std::string metrics_host;
  uint16_t metrics_port = 0;
  std::optional<http::ListenSocket> metrics_socket;
  if (!options.metrics_listen.empty()) {
    metrics_socket = BindOrExplain(options.metrics_listen, "--metrics-listen", log, &metrics_host,
                                   &metrics_port, &exit_code);
    if (!metrics_socket) return exit_code;
  }

  // One server per data dir; `voxsecrets migrate` looks for this lock.
  if (options.data.data_dir.empty()) {
    std::fprintf(stderr, "voxsecrets: --data-dir is required\n");
    return 2;
  }
  if (Status s = EnsurePrivateDir(options.data.data_dir); !s.ok()) {
    log.Error("cannot start", {{"error", s.message()}});
    std::fprintf(stderr, "voxsecrets: %s\n", s.message().c_str());
    return 1;
  }
  auto dir_lock = DataDirLock::Acquire(options.data.data_dir);
  if (!dir_lock.ok()) {
    log.Error("cannot start", {{"error", dir_lock.status().message()}});
    std::fprintf(stderr, "voxsecrets: %s\n", dir_lock.status().message().c_str());
    return 1;
  }

  metrics::PrometheusMetrics metrics;
  DataOptions data_options = options.data;
  data_options.create = true;
  data_options.metrics = &metrics;
  auto opened = OpenData(data_options, random, clock);
  if (!opened.ok()) {
    log.Error("cannot start", {{"error", opened.status().message()}});
    std::fprintf(stderr, "voxsecrets: %s\n", opened.status().message().c_str());
    return 1;
  }
  OpenedData& data = opened.value();
  const DataDirPaths paths(data_options.data_dir);
  for (const std::string& warning : data.store->Warnings()) {
    log.Warn("store", {{"warning", warning}});
  }
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
  secrets_options.secret_versions = options.secret_versions;
  secrets::ApplicationService applications(clock, secrets_options);
  crypto::ValueSealer* value_sealer = &sealer;
  const bool without_audit = kBenchSwitchesBuilt && options.bench.without_audit;
#ifdef VOXSECRETS_BENCH_SWITCHES
  NoDecryptionSealer no_decryption(sealer);
  if (options.bench.without_decryption) value_sealer = &no_decryption;
  log.Warn("built with benchmark switches: not for production",
           {{"without_audit", options.bench.without_audit},
            {"without_decryption", options.bench.without_decryption},
            {"audit_elsewhere", options.bench.audit_elsewhere}});
#endif
  secrets::SecretService secret_service(*value_sealer, clock, secrets_options);
  auth::KeyCache key_cache;
  // The key and account lookups happen in each call's own transaction (api/tx_key_directory.h).
  auth::Authenticator authenticator(key_cache, clock);
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
  audit_options.batch_sizes =
      &metrics
           .AddHistogram("voxsecrets_audit_batch_size",
                         "Records per group commit of the audit log (reads and failed calls).", {},
                         {1, 2, 4, 8, 16, 32, 64, 128, 256})
           .Get();
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
  // Keeps name searches quick as secrets are written: SQLite's name index gains a segment per
  // write transaction (server/name_index_merger.h). PostgreSQL's needs no such care.
  std::unique_ptr<NameIndexMerger> name_index_merger;
  if (data.store->BackendName() == "sqlite") {
    name_index_merger =
        std::make_unique<NameIndexMerger>(*data.store, &log, NameIndexMergerOptions{});
  }
  // Write calls join the audit log's group commit (one durable commit for all concurrent writes):
  // SQLite has one writer, and on PostgreSQL each write would otherwise hold this node's audit
  // chain row until its own commit, so one node's writes paid one WAL flush each, one after
  // another (docs/BENCHMARKS.md, "Group commit on PostgreSQL": 2.5 to 3.6 times the AddSecret
  // rate at 64 connections).
  const bool sqlite = data.store->BackendName() == "sqlite";
  // Refused calls leave compact records, bursts aggregated (docs/AUDIT.md "Refused calls").
  audit::RefusalLog refusal_log(**audit_log, clock);
  api::AuditRecorder audit_recorder(**audit_log, clock, /*batch_writes=*/true, &refusal_log);
  api::RateLimiter ip_limiter(
      api::RateLimit{.per_second = static_cast<double>(options.rate_limit_ip)}, clock);
  api::RateLimiter key_limiter(
      api::RateLimit{.per_second = static_cast<double>(options.rate_limit_key)}, clock);
  api::DispatcherOptions dispatcher_options;
  if (ip_limiter.enabled()) dispatcher_options.limits.per_address = &ip_limiter;
  if (key_limiter.enabled()) dispatcher_options.limits.per_key = &key_limiter;
  api::AuditHook* audit_hook = without_audit ? nullptr : &audit_recorder;
#ifdef VOXSECRETS_BENCH_SWITCHES
  std::unique_ptr<store::Store> bench_audit_store;
  std::unique_ptr<audit::AuditLog> bench_audit_log;
  std::unique_ptr<api::AuditRecorder> bench_read_recorder;
  std::unique_ptr<SplitAuditHook> bench_split;
  if (options.bench.audit_elsewhere && audit_hook != nullptr) {
    store::SqliteOptions bench_store_options;
    bench_store_options.path = (fs::path(data_options.data_dir) / "bench-audit.db").string();
    auto bench_opened = store::OpenSqliteStore(bench_store_options);
    if (!bench_opened.ok()) {
      log.Error("cannot open the benchmark audit file",
                {{"error", bench_opened.status().message()}});
      return 1;
    }
    bench_audit_store = std::move(bench_opened).value();
    audit::AuditLogOptions elsewhere = audit_options;
    elsewhere.exporter = nullptr;
    auto opened_log = audit::AuditLog::Open(*bench_audit_store, elsewhere);
    if (!opened_log.ok()) {
      log.Error("cannot open the benchmark audit log", {{"error", opened_log.status().message()}});
      return 1;
    }
    bench_audit_log = std::move(opened_log).value();
    bench_read_recorder = std::make_unique<api::AuditRecorder>(*bench_audit_log, clock,
                                                               /*batch_writes=*/true, nullptr);
    bench_split = std::make_unique<SplitAuditHook>(audit_recorder, *bench_read_recorder);
    audit_hook = bench_split.get();
  }
#endif
  api::Dispatcher dispatcher(*data.store, authenticator, clock, api::BuildMethodTable(services),
                             audit_hook, dispatcher_options);
  MeteredApi metered(dispatcher, dispatcher.methods().Names(), metrics);
  AddStateMetrics(metrics, options, *data.keyring, key_cache, authenticator, **audit_log);
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
  http_options.handler_threads = options.handler_threads >= 0 ? options.handler_threads
                                 : sqlite                     ? 0
                                                              : kPgHandlerThreads;
  http_options.trust_forwarded_for = options.trust_forwarded_for;
  // The control panel: static files of the binary itself, calling only the public API.
  PanelAssets panel_assets;
  const bool panel = !options.no_panel && PanelAssets::Built();
  if (panel) http_options.static_assets = &panel_assets;
  http_options.routes.metrics = !metrics_socket.has_value();
  http_options.max_connections = options.max_connections;
  FitOpenFilesLimit(&http_options.max_connections, log);
  http_options.max_connections_per_address = options.max_connections_per_ip;
  http_options.head_timeout = std::chrono::seconds(options.head_timeout_seconds);
  http_options.read_timeout = std::chrono::seconds(options.read_timeout_seconds);
  http_options.max_queued_calls = options.max_queued_calls;
  http_options.max_queue_wait = std::chrono::milliseconds(options.max_queue_wait_ms);
  auto server = http::HttpServer::Start(http_options, std::move(*socket), metered, health, metrics);
  if (!server.ok()) {
    log.Error("cannot start the HTTP server", {{"error", server.status().message()}});
    std::fprintf(stderr, "voxsecrets: %s\n", server.status().message().c_str());
    return 1;
  }
  // /metrics on its own plain-HTTP listener (for Prometheus on an internal network only).
  std::unique_ptr<http::HttpServer> metrics_server;
  if (metrics_socket) {
    http::ServerOptions metrics_options;
    metrics_options.host = metrics_host;
    metrics_options.port = metrics_port;
    metrics_options.tls = false;
    metrics_options.threads = 1;
    metrics_options.routes = http::Routes{.api = false, .metrics = true};
    auto started = http::HttpServer::Start(metrics_options, std::move(*metrics_socket), metered,
                                           health, metrics);
    if (!started.ok()) {
      log.Error("cannot start the metrics listener", {{"error", started.status().message()}});
      std::fprintf(stderr, "voxsecrets: %s\n", started.status().message().c_str());
      return 1;
    }
    metrics_server = std::move(started).value();
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
                       {"metrics", metrics_server ? HostPort(metrics_host, metrics_server->port())
                                                  : std::string("on the main listener")},
                       {"version", options.version},
                       {"commit", options.commit},
                       {"master_key_version", int64_t{data.master_key_version}}});
  PrintBanner(options, paths, data, options.plain_http ? "http" : "https", host, bound, cert, panel,
              metrics_server
                  ? "http://" + HostPort(metrics_host, metrics_server->port()) + "/metrics"
                  : std::string());

  int sig = 0;
  sigwait(&signals, &sig);
  log.Info("shutting down", {{"signal", int64_t{sig}}});
  health.SetDraining();
  server.value()->Shutdown(std::chrono::seconds(options.shutdown_grace_seconds));
  server.value()->Wait();
  server.value().reset();
  if (metrics_server) metrics_server->Shutdown(std::chrono::seconds(1));
  metrics_server.reset();
  const audit::AuditLogStats audit_stats = (*audit_log)->stats();
  log.Info("stopped", {{"audit_records", audit_stats.records},
                       {"audit_batches", audit_stats.batches},
                       {"audit_failed_batches", audit_stats.failed_batches},
                       {"batched_writes", audit_stats.runs},
                       {"largest_batch", audit_stats.largest_batch}});
  return 0;
}

}  // namespace voxsecrets::server
