#include "server/serve.h"

#include <signal.h>

#include <atomic>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "api/dispatcher.h"
#include "api/methods/methods.h"
#include "auth/authenticator.h"
#include "auth/key_cache.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/metrics.h"
#include "crypto/openssl_random.h"
#include "crypto/process_hardening.h"
#include "crypto/self_signed_cert.h"
#include "http/server.h"
#include "secrets/application_service.h"
#include "secrets/secret_service.h"
#include "server/accounts_admin.h"
#include "server/store_key_directory.h"

namespace voxsecrets::server {
namespace {

namespace fs = std::filesystem;

// /healthz: ready while the store answers and the server is not draining.
class StoreHealthCheck final : public http::HealthCheck {
 public:
  explicit StoreHealthCheck(store::Store& store) : store_(store) {}
  bool Ready() override {
    if (draining_.load()) return false;
    return store_.Read([](store::Tx& tx) { return tx.meta().Get("schema.probe").status(); }).ok();
  }
  void SetDraining() { draining_ = true; }

 private:
  store::Store& store_;
  std::atomic<bool> draining_{false};
};

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
  VS_ASSIGN_OR_RETURN(CreatedAccount created, CreateAccount(store, account, random, clock));
  VS_RETURN_IF_ERROR(WritePrivateFile(paths.credentials, created.owner_key.credentials_json.view()));
  log.Info("bootstrap account created",
           {{"account_id", created.account_id},
            {"account_name", options.bootstrap_account},
            {"key_id", created.owner_key.key_id},
            {"credentials", paths.credentials}});
  *made = true;
  return Status::Ok();
}

void PrintBanner(const ServeOptions& options, const DataDirPaths& paths, const OpenedData& data,
                 const std::string& scheme, const std::string& host, uint16_t port,
                 const std::string& cert) {
  const std::string base = scheme + "://" + (host.find(':') != std::string::npos ? "[" + host + "]"
                                                                                  : host) +
                           ":" + std::to_string(port);
  std::printf("voxsecrets serving %s/platform_api\n", base.c_str());
  std::printf("  data dir:     %s\n", paths.root.c_str());
  std::printf("  database:     %s (sqlite)\n", paths.database.c_str());
  std::printf("  master key:   %s\n", data.master_key_description.c_str());
  if (scheme == "https") std::printf("  tls cert:     %s\n", cert.c_str());
  const bool have_creds = fs::exists(paths.credentials);
  if (have_creds) std::printf("  credentials:  %s\n", paths.credentials.c_str());
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
  secrets::SecretService secret_service(*data.keyring, clock);
  StoreKeyDirectory directory(*data.store);
  auth::KeyCache key_cache;
  auth::Authenticator authenticator(directory, key_cache, clock);
  api::Services services{applications, secret_service, *data.keyring};
  api::Dispatcher dispatcher(*data.store, authenticator, clock, api::BuildMethodTable(services));
  Metrics metrics;
  StoreHealthCheck health(*data.store);

  http::ServerOptions http_options;
  http_options.host = host;
  http_options.port = port;
  http_options.tls = !options.plain_http;
  http_options.cert_file = cert;
  http_options.key_file = key;
  http_options.threads = options.threads;
  http_options.trust_forwarded_for = options.trust_forwarded_for;
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
                       {"master_key_version", int64_t{data.master_key_version}}});
  PrintBanner(options, paths, data, options.plain_http ? "http" : "https", host, bound, cert);

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
