// HttpServer's listener and lifecycle: the io_context and its threads, the TLS context, the
// accept loop, the registry of live sessions and the graceful shutdown. The connections themselves
// are in session.cc (the only Beast TU); routing and replies in responder.cc.
//
// ServerCore keeps a registry of live sessions so that Shutdown() can close the idle ones and,
// after the grace period, all of them, and the ConnectionTable that admits new connections and
// picks the ones to close for room (connection_table.h); both under sessions_mu_.
#include "http/server.h"

#include <openssl/ssl.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/mutex.h"
#include "http/connection_table.h"
#include "http/responder.h"
#include "http/session.h"

namespace voxsecrets::http {
namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using internal::ConnectionTable;
using internal::SessionBase;

// Back-off after a failed accept (EMFILE and the like), instead of spinning.
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(50);
// After the grace period: how long to wait for force-closed sessions to unwind.
constexpr auto kForceCloseWait = std::chrono::seconds(1);
// TLS 1.2 suites (Mozilla "intermediate"); TLS 1.3 suites are OpenSSL's defaults.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

auto Redirect(boost::system::error_code& ec) {
  return asio::redirect_error(asio::use_awaitable, ec);
}

Status ConfigureTls(const ServerOptions& options, ssl::context& ctx) {
  boost::system::error_code ec;
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                      ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                      ssl::context::single_dh_use | ssl::context::no_compression,
                  ec);
  SSL_CTX* native = ctx.native_handle();
  if (ec || SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1) {
    return InternalError("Cannot configure the TLS context.");
  }
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION);
  // An encrypted key must fail to load instead of prompting on the terminal.
  ctx.set_password_callback([](size_t, ssl::context::password_purpose) { return std::string(); },
                            ec);
  ctx.use_certificate_chain_file(options.cert_file, ec);
  if (ec) {
    return InvalidArgument("cert_file", "Cannot load the TLS certificate chain from '" +
                                            options.cert_file + "': " + ec.message() + ".");
  }
  ctx.use_private_key_file(options.key_file, ssl::context::pem, ec);
  if (ec) {
    return InvalidArgument("key_file", "Cannot load the TLS private key from '" + options.key_file +
                                           "': " + ec.message() + ".");
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    return InvalidArgument("key_file", "The TLS private key in '" + options.key_file +
                                           "' does not match the certificate in '" +
                                           options.cert_file + "'.");
  }
  return Status::Ok();
}

}  // namespace

namespace internal {

class ServerCore final : public SessionHost {
 public:
  ServerCore(const ServerOptions& options, api::ApiHandler& api, HealthCheck& health,
             Metrics& metrics);
  ~ServerCore();

  Status Listen(ListenSocket socket);
  void StartThreads();
  void Shutdown(std::chrono::seconds grace);
  void Wait();
  uint16_t port() const { return port_; }

  // SessionHost
  const ServerOptions& options() const override { return options_; }
  const Responder& responder() const override { return responder_; }
  asio::thread_pool* handler_pool() override { return handler_pool_ ? &*handler_pool_ : nullptr; }
  bool stopping() const override { return stopping_.load(std::memory_order_acquire); }
  void Register(uint64_t id, const std::shared_ptr<SessionBase>& session) override;
  void Unregister(uint64_t id) override;
  void MarkEvictable(uint64_t id) override;
  void MarkBusy(uint64_t id) override;
  bool BeginApiCall() override;
  void EndApiCall() override {
    pending_calls_.fetch_sub(1, std::memory_order_acq_rel);
    pending_gauge_.Decrement();
  }
  void CountOverloaded(std::string_view reason) override {
    overloaded_.WithLabels({reason}).Increment();
  }
  void RecordRequest(std::string_view route, unsigned status, Clock::time_point started) override;
  void CountTlsFailure() override { tls_failures_.Increment(); }
  Gauge& in_flight() override { return in_flight_; }
  Gauge& connections(ConnectionState state) override {
    return *connections_[static_cast<int>(state)];
  }
  void CallStarted() override EXCLUDES(calls_mu_) {
    MutexLock lock(calls_mu_);
    ++calls_;
  }
  void CallFinished() override EXCLUDES(calls_mu_) {
    MutexLock lock(calls_mu_);
    if (--calls_ == 0) calls_cv_.SignalAll();
  }

 private:
  enum class State { kRunning, kStopping, kStopped };

  asio::awaitable<void> AcceptLoop();
  // Admits a connection from `peer` (ConnectionTable::Admit) and closes the connections it
  // evicts; its id, or nullopt when refused.
  std::optional<uint64_t> Admit(const std::string& peer) EXCLUDES(sessions_mu_);
  // The process is out of file descriptors: closes the connection evictable the longest.
  void EvictForDescriptor() EXCLUDES(sessions_mu_);
  // Evict() on each of `ids` that is still live (outside sessions_mu_).
  void EvictSessions(const std::vector<ConnectionTable::Id>& ids, std::string_view reason)
      EXCLUDES(sessions_mu_);
  std::vector<std::shared_ptr<SessionBase>> LiveSessions() EXCLUDES(sessions_mu_);
  // Waits until no session is left or `deadline` passes; true when none is left.
  bool WaitForSessions(Clock::time_point deadline) EXCLUDES(sessions_mu_);

  const ServerOptions options_;
  const Responder responder_;
  CounterFamily& requests_total_;
  HistogramFamily& request_duration_;
  // The series of voxsecrets_http_requests_total{route,status="200"} and of the duration, per
  // route label (RouteLabel(), "panel", "invalid"), once used: RecordRequest.
  static constexpr std::array<std::string_view, 6> kRecordedRoutes = {
      "api", "health", "metrics", "not_found", "panel", "invalid"};
  struct RouteSeries {
    std::atomic<Counter*> ok{nullptr};
    std::atomic<Histogram*> duration{nullptr};
  };
  std::array<RouteSeries, kRecordedRoutes.size()> route_series_;
  Gauge& open_connections_;
  std::array<Gauge*, kConnectionStates> connections_{};
  Gauge& in_flight_;
  Gauge& pending_gauge_;
  Counter& rejected_connections_;
  CounterFamily& evicted_connections_;
  CounterFamily& overloaded_;
  Counter& tls_failures_;
  // API calls admitted and not finished (BeginApiCall .. EndApiCall), and how many may be.
  std::atomic<size_t> pending_calls_{0};
  const size_t max_pending_calls_;

  std::atomic<bool> stopping_{false};
  Mutex state_mu_;
  CondVar state_cv_;  // signalled when state_ becomes kStopped
  State state_ GUARDED_BY(state_mu_) = State::kRunning;

  Mutex sessions_mu_;
  CondVar sessions_cv_;  // signalled when a session unregisters
  std::unordered_map<uint64_t, std::weak_ptr<SessionBase>> sessions_ GUARDED_BY(sessions_mu_);
  ConnectionTable table_ GUARDED_BY(sessions_mu_);
  uint64_t next_id_ GUARDED_BY(sessions_mu_) = 1;

  Mutex calls_mu_;
  CondVar calls_cv_;                         // signalled when calls_ reaches 0
  int64_t calls_ GUARDED_BY(calls_mu_) = 0;  // API calls whose answer has not been handed back

  // Declared after everything a session touches on destruction: pending session coroutines are
  // destroyed with the io_context.
  ssl::context tls_context_{ssl::context::tls_server};
  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  tcp::acceptor acceptor_{asio::make_strand(io_)};
  uint16_t port_ = 0;
  std::optional<asio::thread_pool> handler_pool_;
  std::vector<std::thread> threads_;
};

}  // namespace internal

using internal::ServerCore;

// ---- ServerCore ----

internal::ServerCore::ServerCore(const ServerOptions& options, api::ApiHandler& api,
                                 HealthCheck& health, Metrics& metrics)
    : options_(options),
      responder_(api, health, metrics, options.trust_forwarded_for, options.static_assets,
                 options.routes),
      requests_total_(metrics.AddCounter("voxsecrets_http_requests_total",
                                         "HTTP requests answered, by route and status.",
                                         {"route", "status"})),
      request_duration_(metrics.AddHistogram(
          "voxsecrets_http_request_duration_seconds",
          "Time from a request's header being read to its response being written.", {"route"})),
      open_connections_(
          metrics.AddGauge("voxsecrets_http_open_connections", "Open client connections.").Get()),
      in_flight_(
          metrics
              .AddGauge("voxsecrets_http_in_flight_requests", "Requests being handled or answered.")
              .Get()),
      pending_gauge_(metrics
                         .AddGauge("voxsecrets_http_pending_api_calls",
                                   "API calls waiting for or running on a handler thread.")
                         .Get()),
      rejected_connections_(
          metrics
              .AddCounter("voxsecrets_http_rejected_connections_total",
                          "Connections closed at once: over a connection limit, none evictable.")
              .Get()),
      evicted_connections_(metrics.AddCounter(
          "voxsecrets_http_evicted_connections_total",
          "Slow or idle connections closed to make room for a new one.", {"reason"})),
      overloaded_(metrics.AddCounter("voxsecrets_http_overloaded_total",
                                     "API calls answered 429 because the server was saturated.",
                                     {"reason"})),
      tls_failures_(metrics
                        .AddCounter("voxsecrets_http_tls_handshake_failures_total",
                                    "TLS handshakes that failed or timed out.")
                        .Get()),
      max_pending_calls_(static_cast<size_t>(options.handler_threads > 0
                                                 ? options.handler_threads
                                                 : std::max(2, options.threads)) +
                         options.max_queued_calls),
      table_(ConnectionTable::Limits{.max_total = options.max_connections,
                                     .max_per_address = options.max_connections_per_address}) {
  GaugeFamily& by_state = metrics.AddGauge(
      "voxsecrets_http_connections",
      "Open client connections by state: handshake, idle, reading, handling, writing, closing.",
      {"state"});
  constexpr std::array<std::string_view, kConnectionStates> kNames = {
      "handshake", "idle", "reading", "handling", "writing", "closing"};
  for (int i = 0; i < kConnectionStates; ++i) connections_[i] = &by_state.WithLabels({kNames[i]});
}

internal::ServerCore::~ServerCore() {
  Shutdown(std::chrono::seconds(0));
  // Sessions still parked in the (stopped) io_context are destroyed with it, before the members
  // they unregister from (declaration order).
}

Status internal::ServerCore::Listen(ListenSocket socket) {
  if (options_.tls) VS_RETURN_IF_ERROR(ConfigureTls(options_, tls_context_));
  boost::system::error_code ec;
  const tcp protocol = socket.family() == AF_INET6 ? tcp::v6() : tcp::v4();
  acceptor_.assign(protocol, socket.fd(), ec);
  if (ec) return Unavailable("Cannot use the listening socket: " + ec.message() + ".");
  socket.Release();  // the acceptor owns it now
  port_ = acceptor_.local_endpoint(ec).port();
  return Status::Ok();
}

void internal::ServerCore::StartThreads() {
  work_.emplace(io_.get_executor());
  if (options_.handler_threads > 0) {
    handler_pool_.emplace(static_cast<size_t>(options_.handler_threads));
  }
  asio::co_spawn(acceptor_.get_executor(), AcceptLoop(), asio::detached);
  const int n = options_.threads > 0
                    ? options_.threads
                    : std::max(2, static_cast<int>(std::thread::hardware_concurrency()));
  for (int i = 0; i < n; ++i) threads_.emplace_back([this] { io_.run(); });
}

asio::awaitable<void> internal::ServerCore::AcceptLoop() {
  for (;;) {
    boost::system::error_code ec;
    tcp::socket socket = co_await acceptor_.async_accept(asio::make_strand(io_), Redirect(ec));
    if (stopping() || !acceptor_.is_open()) co_return;
    if (ec) {
      // Out of file descriptors: a slow or idle connection makes room for the next accept.
      if (ec == asio::error::no_descriptors || ec.value() == ENFILE) EvictForDescriptor();
      asio::steady_timer timer(acceptor_.get_executor(), kAcceptRetryDelay);
      co_await timer.async_wait(Redirect(ec));
      continue;
    }
    const Clock::time_point accepted = Clock::now();
    std::string peer = internal::PeerIp(socket);
    const std::optional<uint64_t> id = Admit(peer);
    if (!id.has_value()) {
      rejected_connections_.Increment();
      socket.close(ec);
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    internal::StartSession(*this, std::move(socket), options_.tls ? &tls_context_ : nullptr, *id,
                           std::move(peer), accepted);
  }
}

std::optional<uint64_t> internal::ServerCore::Admit(const std::string& peer) {
  std::vector<ConnectionTable::Id> evicted;
  size_t for_address = 0;
  uint64_t id = 0;
  {
    MutexLock lock(sessions_mu_);
    id = next_id_++;
    if (table_.Admit(id, peer, &evicted, &for_address) != ConnectionTable::Admission::kAdmitted) {
      return std::nullopt;
    }
  }
  if (!evicted.empty()) {
    const auto split = evicted.begin() + static_cast<std::ptrdiff_t>(for_address);
    EvictSessions({evicted.begin(), split}, "per_address");
    EvictSessions({split, evicted.end()}, "total");
  }
  return id;
}

void internal::ServerCore::EvictForDescriptor() {
  std::vector<ConnectionTable::Id> evicted;
  {
    MutexLock lock(sessions_mu_);
    table_.EvictOldest(&evicted);
  }
  EvictSessions(evicted, "descriptors");
}

void internal::ServerCore::EvictSessions(const std::vector<ConnectionTable::Id>& ids,
                                         std::string_view reason) {
  std::vector<std::shared_ptr<SessionBase>> sessions;
  {
    MutexLock lock(sessions_mu_);
    for (ConnectionTable::Id id : ids) {
      auto it = sessions_.find(id);
      if (it == sessions_.end()) continue;
      if (auto strong = it->second.lock()) sessions.push_back(std::move(strong));
    }
  }
  for (auto& session : sessions) {
    evicted_connections_.WithLabels({reason}).Increment();
    session->Evict();
  }
  // The references die here, outside sessions_mu_ (a destructor unregisters under it).
}

void internal::ServerCore::Register(uint64_t id, const std::shared_ptr<SessionBase>& session) {
  MutexLock lock(sessions_mu_);
  sessions_.emplace(id, session);
  open_connections_.Increment();
}

void internal::ServerCore::Unregister(uint64_t id) {
  MutexLock lock(sessions_mu_);
  sessions_.erase(id);
  table_.Remove(id);
  open_connections_.Decrement();
  sessions_cv_.SignalAll();
}

void internal::ServerCore::MarkEvictable(uint64_t id) {
  MutexLock lock(sessions_mu_);
  table_.MarkEvictable(id);
}

void internal::ServerCore::MarkBusy(uint64_t id) {
  MutexLock lock(sessions_mu_);
  table_.MarkBusy(id);
}

bool internal::ServerCore::BeginApiCall() {
  size_t pending = pending_calls_.load(std::memory_order_acquire);
  do {
    if (pending >= max_pending_calls_) return false;
  } while (!pending_calls_.compare_exchange_weak(pending, pending + 1, std::memory_order_acq_rel));
  pending_gauge_.Increment();
  return true;
}

std::vector<std::shared_ptr<SessionBase>> internal::ServerCore::LiveSessions() {
  std::vector<std::shared_ptr<SessionBase>> out;
  MutexLock lock(sessions_mu_);
  out.reserve(sessions_.size());
  for (auto& [id, weak] : sessions_) {
    if (auto strong = weak.lock()) out.push_back(std::move(strong));
  }
  return out;
}

bool internal::ServerCore::WaitForSessions(Clock::time_point deadline) {
  MutexLock lock(sessions_mu_);
  while (!sessions_.empty()) {
    if (sessions_cv_.WaitUntil(sessions_mu_, deadline) == std::cv_status::timeout) {
      return sessions_.empty();
    }
  }
  return true;
}

void internal::ServerCore::RecordRequest(std::string_view route, unsigned status,
                                         Clock::time_point started) {
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  const auto known = std::find(kRecordedRoutes.begin(), kRecordedRoutes.end(), route);
  if (known == kRecordedRoutes.end()) {
    requests_total_.WithLabels({route, std::to_string(status)}).Increment();
    request_duration_.WithLabels({route}).Observe(seconds);
    return;
  }
  // The common series are looked up once (WithLabels takes the family's lock) and then kept.
  // Created at first use, not up front, so /metrics shows only series that happened.
  RouteSeries& series = route_series_[known - kRecordedRoutes.begin()];
  Histogram* duration = series.duration.load(std::memory_order_acquire);
  if (duration == nullptr) {
    duration = &request_duration_.WithLabels({route});
    series.duration.store(duration, std::memory_order_release);
  }
  duration->Observe(seconds);
  if (status != 200) {
    requests_total_.WithLabels({route, std::to_string(status)}).Increment();
    return;
  }
  Counter* ok = series.ok.load(std::memory_order_acquire);
  if (ok == nullptr) {
    ok = &requests_total_.WithLabels({route, "200"});
    series.ok.store(ok, std::memory_order_release);
  }
  ok->Increment();
}

void internal::ServerCore::Shutdown(std::chrono::seconds grace) {
  {
    MutexLock lock(state_mu_);
    if (state_ != State::kRunning) {
      while (state_ != State::kStopped) state_cv_.Wait(state_mu_);
      return;
    }
    state_ = State::kStopping;
  }
  const Clock::time_point deadline = Clock::now() + grace;
  // Sessions check the flag before waiting for a new request; those already waiting are closed
  // below. A session registered after the snapshot sees the flag when it starts.
  stopping_.store(true, std::memory_order_release);
  asio::post(acceptor_.get_executor(), [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
  });
  for (auto& session : LiveSessions()) session->OnServerStop(/*force=*/false);
  if (!WaitForSessions(deadline)) {
    for (auto& session : LiveSessions()) session->OnServerStop(/*force=*/true);
    WaitForSessions(Clock::now() + kForceCloseWait);
  }
  work_.reset();
  io_.stop();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
  // Answers still on their way (a call past the grace period) are posted to the stopped
  // io_context and dropped with it; wait until none can arrive any more.
  {
    MutexLock lock(calls_mu_);
    while (calls_ != 0) calls_cv_.Wait(calls_mu_);
  }
  // Sessions parked in the stopped io_context (a strand blocked by a handler past the grace
  // period) would keep their sockets open until destruction.
  for (auto& session : LiveSessions()) session->CloseUnsynchronized();
  // The close posted above may not have run if no session needed waiting for.
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  if (handler_pool_) {
    handler_pool_->stop();
    handler_pool_->join();
  }
  MutexLock lock(state_mu_);
  state_ = State::kStopped;
  state_cv_.SignalAll();
}

void internal::ServerCore::Wait() {
  MutexLock lock(state_mu_);
  while (state_ != State::kStopped) state_cv_.Wait(state_mu_);
}

// ---- HttpServer ----

HttpServer::HttpServer(std::unique_ptr<internal::ServerCore> core) : core_(std::move(core)) {}
HttpServer::~HttpServer() = default;

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const ServerOptions& options,
                                                      api::ApiHandler& api, HealthCheck& health,
                                                      Metrics& metrics) {
  VS_ASSIGN_OR_RETURN(ListenSocket socket, ListenSocket::Bind(options.host, options.port));
  return Start(options, std::move(socket), api, health, metrics);
}

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const ServerOptions& options,
                                                      ListenSocket socket, api::ApiHandler& api,
                                                      HealthCheck& health, Metrics& metrics) {
  if (!socket.valid()) return InvalidArgument("socket");
  if (options.max_body_bytes == 0) return InvalidArgument("max_body_bytes");
  if (options.max_header_bytes == 0) return InvalidArgument("max_header_bytes");
  if (options.read_timeout.count() <= 0) return InvalidArgument("read_timeout");
  if (options.head_timeout.count() <= 0) return InvalidArgument("head_timeout");
  if (options.max_queue_wait.count() <= 0) return InvalidArgument("max_queue_wait");
  if (options.idle_timeout.count() <= 0) return InvalidArgument("idle_timeout");
  if (options.max_keepalive_requests == 0) return InvalidArgument("max_keepalive_requests");
  if (options.max_connections == 0) return InvalidArgument("max_connections");
  if (options.threads < 0) return InvalidArgument("threads");
  if (options.handler_threads < 0) return InvalidArgument("handler_threads");
  if (options.tls && options.cert_file.empty()) return MissingArgument("cert_file");
  if (options.tls && options.key_file.empty()) return MissingArgument("key_file");
  ServerOptions normalized = options;
  // The head is part of the request: its deadline is never later than the whole request's.
  normalized.head_timeout = std::min(options.head_timeout, options.read_timeout);
  try {
    auto core = std::make_unique<internal::ServerCore>(normalized, api, health, metrics);
    VS_RETURN_IF_ERROR(core->Listen(std::move(socket)));
    core->StartThreads();
    return std::unique_ptr<HttpServer>(new HttpServer(std::move(core)));
  } catch (const std::exception& e) {
    return InternalError(std::string("Cannot start the HTTP server: ") + e.what());
  }
}

uint16_t HttpServer::port() const { return core_->port(); }
void HttpServer::Shutdown(std::chrono::seconds grace) { core_->Shutdown(grace); }
void HttpServer::Wait() { core_->Wait(); }

}  // namespace voxsecrets::http
