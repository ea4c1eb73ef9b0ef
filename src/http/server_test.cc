// Behaviour of HttpServer over real sockets on 127.0.0.1 (plain HTTP; TLS in server_tls_test.cc).
#include "http/server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/mutex.h"
#include "http/server_test_util.h"
#include "metrics/prometheus_metrics.h"

namespace voxsecrets::http {
namespace {

using testing::ChunkedPostRequest;
using testing::GetRequest;
using ::testing::HasSubstr;
using testing::PostRequest;
using testing::TestConnection;
using testing::TestResponse;

// Echoes the decoded request as JSON. The method "Slow" blocks until Release().
class EchoHandler final : public api::ApiHandler {
 public:
  // api::ApiHandler. "Later" is answered by AnswerLater() from another thread, without holding
  // the thread that called HandleAsync; everything else at once.
  void HandleAsync(api::ApiRequest request, Completion done) override {
    if (request.method != "Later") {
      done(Handle(request));
      return;
    }
    calls_.fetch_add(1);
    MutexLock lock(mu_);
    later_.emplace_back(std::move(request), std::move(done));
    cv_.SignalAll();
  }
  api::ApiResponse Handle(const api::ApiRequest& request) override {
    calls_.fetch_add(1);
    if (request.method == "Slow") {
      MutexLock lock(mu_);
      ++slow_entered_;
      cv_.SignalAll();
      while (!released_) cv_.Wait(mu_);
    }
    nlohmann::json params = nlohmann::json::object();
    for (const auto& [name, value] : request.params.all()) params[name] = value;
    {
      MutexLock lock(mu_);
      last_token_ = std::string(request.bearer_token);
    }
    return api::ApiResponse{nlohmann::json{{"method", request.method},
                                           {"params", params},
                                           {"client_ip", request.client_ip},
                                           {"decode_ok", request.decode_status.ok()}}
                                .dump()};
  }

  void WaitForSlowCalls(int n) {
    MutexLock lock(mu_);
    while (slow_entered_ < n) cv_.Wait(mu_);
  }
  void Release() {
    MutexLock lock(mu_);
    released_ = true;
    cv_.SignalAll();
  }
  // Waits until `n` "Later" calls wait for their answer; false after the hang guard.
  bool WaitForLaterCalls(size_t n) {
    const auto deadline = std::chrono::steady_clock::now() + testing::kHangGuard;
    MutexLock lock(mu_);
    while (later_.size() < n) {
      if (cv_.WaitUntil(mu_, deadline) == std::cv_status::timeout) return later_.size() >= n;
    }
    return true;
  }
  // Answers every waiting "Later" call from a thread of its own, echoing its `id` parameter.
  void AnswerLater() {
    std::vector<std::pair<api::ApiRequest, Completion>> calls;
    {
      MutexLock lock(mu_);
      calls.swap(later_);
    }
    std::thread answerer([calls = std::move(calls)]() mutable {
      for (auto& [request, done] : calls) {
        done(api::ApiResponse{
            nlohmann::json{{"method", "Later"}, {"id", request.params.Get("id").value_or("")}}
                .dump()});
      }
    });
    answerer.join();
  }
  int calls() const { return calls_.load(); }
  std::string last_token() {
    MutexLock lock(mu_);
    return last_token_;
  }

 private:
  std::atomic<int> calls_{0};
  Mutex mu_;
  CondVar cv_;
  int slow_entered_ GUARDED_BY(mu_) = 0;
  bool released_ GUARDED_BY(mu_) = false;
  std::string last_token_ GUARDED_BY(mu_);
  std::vector<std::pair<api::ApiRequest, Completion>> later_ GUARDED_BY(mu_);
};

class SwitchableHealth final : public HealthCheck {
 public:
  // HealthCheck
  bool Ready() override { return ready.load(); }
  std::atomic<bool> ready{true};
};

nlohmann::json BodyJson(const TestResponse& r) { return nlohmann::json::parse(r.body); }

// What every response must carry.
void ExpectCommonHeaders(const TestResponse& r) {
  EXPECT_EQ(r.Header("Cache-Control"), "no-store") << r.status;
  EXPECT_EQ(r.Header("Server"), "") << r.status;
  EXPECT_EQ(r.Header("X-Content-Type-Options"), "nosniff") << r.status;
  EXPECT_EQ(r.Header("Referrer-Policy"), "no-referrer") << r.status;
  EXPECT_EQ(r.Header("Content-Security-Policy"), "default-src 'none'; frame-ancestors 'none'")
      << r.status;
  EXPECT_EQ(r.Header("Set-Cookie"), "") << r.status;
  EXPECT_EQ(r.Header("Access-Control-Allow-Origin"), "") << r.status;
  if (r.status != 200 || r.Header("Content-Type").find("text/plain") == std::string::npos) {
    EXPECT_EQ(r.Header("Content-Type"), "application/json; charset=utf-8") << r.status;
    EXPECT_NO_THROW((void)BodyJson(r)) << r.body;
  }
}

class HttpServerTest : public ::testing::TestWithParam<int> {
 protected:
  // Plain HTTP, two I/O threads; the parameter (when used) is handler_threads.
  ServerOptions Options() const {
    ServerOptions o;
    o.tls = false;
    o.threads = 2;
    return o;
  }

  void Start(const ServerOptions& options) {
    auto server = HttpServer::Start(options, handler_, health_, metrics_);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
  }
  void Start() { Start(Options()); }

  std::unique_ptr<TestConnection> Connect() {
    auto c = TestConnection::Connect(server_->port());
    EXPECT_NE(c, nullptr);
    return c;
  }

  // One request on a fresh connection.
  TestResponse Fetch(const std::string& request) {
    auto c = Connect();
    if (c == nullptr) return {};
    auto r = c->RoundTrip(request);
    EXPECT_TRUE(r.has_value()) << request.substr(0, 80);
    return r.value_or(TestResponse{});
  }

  uint64_t Requests(std::string_view route, std::string_view status) {
    return static_cast<uint64_t>(metrics_
                                     .AddCounter("voxsecrets_http_requests_total",
                                                 "HTTP requests answered, by route and status.",
                                                 {"route", "status"})
                                     .WithLabels({route, status})
                                     .value());
  }

  EchoHandler handler_;
  SwitchableHealth health_;
  metrics::PrometheusMetrics metrics_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, ApiGetIsDecodedAndAnswered) {
  Start();
  const TestResponse r = Fetch(GetRequest("/platform_api/GetSecrets/?application_id=7&count=3"));
  EXPECT_EQ(r.status, 200);
  ExpectCommonHeaders(r);
  const nlohmann::json body = BodyJson(r);
  EXPECT_EQ(body["method"], "GetSecrets");
  EXPECT_EQ(body["params"], (nlohmann::json{{"application_id", "7"}, {"count", "3"}}));
  EXPECT_EQ(body["client_ip"], "127.0.0.1");
  server_->Shutdown(std::chrono::seconds(5));  // metrics are recorded after the write
  EXPECT_EQ(Requests("api", "200"), 1u);
}

TEST_F(HttpServerTest, ApiPostBodyAndCmdAreDecoded) {
  Start();
  const TestResponse r = Fetch(PostRequest("/platform_api", "application/x-www-form-urlencoded",
                                           "cmd=AddSecret&secret_name=Db_pass&secret_value=x%20y"));
  EXPECT_EQ(r.status, 200);
  ExpectCommonHeaders(r);
  const nlohmann::json body = BodyJson(r);
  EXPECT_EQ(body["method"], "AddSecret");
  EXPECT_EQ(body["params"]["secret_name"], "Db_pass");
  EXPECT_EQ(body["params"]["secret_value"], "x y");
}

TEST_F(HttpServerTest, BearerTokenReachesTheHandler) {
  Start();
  const TestResponse r =
      Fetch(GetRequest("/platform_api/GetSecrets", "Authorization: bEaReR tok.en\r\n"));
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(handler_.last_token() == "tok.en");
}

TEST_F(HttpServerTest, OtherVerbsAre405WithAllow) {
  Start();
  const TestResponse r =
      Fetch("PUT /platform_api/AddSecret HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nab");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.Header("Allow"), "GET, POST");
  ExpectCommonHeaders(r);
  EXPECT_EQ(handler_.calls(), 0);
}

TEST_F(HttpServerTest, HealthzFollowsTheHealthCheck) {
  Start();
  TestResponse r = Fetch(GetRequest("/healthz"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"status":"ok"})");
  ExpectCommonHeaders(r);
  health_.ready = false;
  r = Fetch(GetRequest("/healthz"));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, R"({"status":"unavailable"})");
  ExpectCommonHeaders(r);
}

TEST_F(HttpServerTest, HeadGetsTheHeaderOnly) {
  Start();
  auto c = Connect();
  ASSERT_TRUE(c->Send("HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r = c->ReadResponse(/*head=*/true);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("Content-Length"), "15");  // {"status":"ok"}
  EXPECT_EQ(r->Header("Content-Type"), "application/json; charset=utf-8");
  EXPECT_EQ(r->Header("Cache-Control"), "no-store");
  // Had a body been sent, it would be read here instead of the next answer.
  r = c->RoundTrip(GetRequest("/nope"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 404);
  ASSERT_TRUE(c->Send("HEAD /platform_api/GetSecrets HTTP/1.1\r\nHost: x\r\n\r\n"));
  r = c->ReadResponse(/*head=*/true);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(handler_.calls(), 0);
}

TEST_F(HttpServerTest, MetricsAreServedAsPrometheusText) {
  Start();
  // One connection: the second request is read only after the first one was fully recorded.
  auto c = Connect();
  ASSERT_TRUE(c->RoundTrip(GetRequest("/healthz")).has_value());
  const TestResponse r = c->RoundTrip(GetRequest("/metrics")).value_or(TestResponse{});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(r.Header("Cache-Control"), "no-store");
  EXPECT_THAT(r.body,
              HasSubstr("voxsecrets_http_requests_total{route=\"health\",status=\"200\"} 1"));
  EXPECT_THAT(r.body, HasSubstr("voxsecrets_http_open_connections 1\n"));
  // This connection, while its /metrics request is handled.
  EXPECT_THAT(r.body, HasSubstr("voxsecrets_http_connections{state=\"handling\"} 1\n"));
  EXPECT_THAT(r.body, HasSubstr("voxsecrets_http_connections{state=\"idle\"} 0\n"));
}

TEST_F(HttpServerTest, ConnectionsAreCountedByState) {
  Start();
  auto idle = Connect();  // accepted, no request yet
  auto c = Connect();
  ASSERT_TRUE(c->RoundTrip(GetRequest("/healthz")).has_value());  // then idle in keep-alive
  auto gauge = [&](std::string_view state) {
    return metrics_.AddGauge("voxsecrets_http_connections", "", {"state"})
        .WithLabels({state})
        .value();
  };
  // The first connection's session may still be starting: poll briefly (no timing assertion).
  for (int i = 0; i < 200 && gauge("idle") != 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(gauge("idle"), 2);
  EXPECT_EQ(gauge("reading"), 0);
  EXPECT_EQ(gauge("handling"), 0);
  idle.reset();
  c.reset();
  server_->Shutdown(std::chrono::seconds(5));
  for (std::string_view state :
       {"handshake", "idle", "reading", "handling", "writing", "closing"}) {
    EXPECT_EQ(gauge(state), 0) << state;
  }
}

TEST_F(HttpServerTest, RoutesLeftOutAreNotFound) {
  ServerOptions only_metrics = Options();
  only_metrics.routes = Routes{.api = false, .metrics = true};
  Start(only_metrics);
  EXPECT_EQ(Fetch(GetRequest("/metrics")).status, 200);
  EXPECT_EQ(Fetch(GetRequest("/healthz")).status, 404);
  EXPECT_EQ(Fetch(PostRequest("/platform_api/GetSecrets", "application/json", "{}")).status, 404);
  EXPECT_EQ(handler_.calls(), 0);
  server_->Shutdown(std::chrono::seconds(5));
  EXPECT_EQ(Requests("not_found", "404"), 2u);
}

TEST_F(HttpServerTest, StartsOnASocketBoundBeforehand) {
  auto socket = ListenSocket::Bind("127.0.0.1", 0);
  ASSERT_TRUE(socket.ok()) << socket.status().ToString();
  const uint16_t port = socket->port();
  ASSERT_NE(port, 0);
  // While the socket is held, nobody else can listen there.
  auto busy = ListenSocket::Bind("127.0.0.1", port);
  ASSERT_FALSE(busy.ok());
  EXPECT_EQ(busy.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(busy.status().message(),
              HasSubstr("Cannot listen on 127.0.0.1:" + std::to_string(port)));
  EXPECT_THAT(busy.status().message(), HasSubstr("in use"));
  auto server =
      HttpServer::Start(Options(), std::move(socket).value(), handler_, health_, metrics_);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  EXPECT_EQ((*server)->port(), port);
  auto c = TestConnection::Connect(port);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->RoundTrip(GetRequest("/healthz")).value_or(TestResponse{}).status, 200);
  (*server)->Shutdown(std::chrono::seconds(5));
}

TEST_F(HttpServerTest, UnknownPathIs404) {
  Start();
  const TestResponse r = Fetch(GetRequest("/v1/secrets"));
  EXPECT_EQ(r.status, 404);
  ExpectCommonHeaders(r);
  server_->Shutdown(std::chrono::seconds(5));  // metrics are recorded after the write
  EXPECT_EQ(Requests("not_found", "404"), 1u);
}

TEST_F(HttpServerTest, ContentLengthOverTheLimitIs413BeforeTheBodyIsSent) {
  Start();
  auto c = Connect();
  // Only the header: the server must answer from Content-Length alone.
  ASSERT_TRUE(
      c->Send("POST /platform_api/AddSecret HTTP/1.1\r\nHost: x\r\nContent-Length: 65537\r\n\r\n"));
  const auto r = c->ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->Header("Connection"), "close");
  ExpectCommonHeaders(*r);
  EXPECT_TRUE(c->WaitForClose());
  EXPECT_EQ(handler_.calls(), 0);
  EXPECT_EQ(Requests("invalid", "413"), 1u);
}

TEST_F(HttpServerTest, BodyOverTheLimitIs413EvenWhenFullySent) {
  Start();
  const std::string body(64 * 1024 + 1, 'a');
  const TestResponse r = Fetch(PostRequest("/platform_api/AddSecret", "text/plain", body));
  EXPECT_EQ(r.status, 413);
  ExpectCommonHeaders(r);
}

TEST_F(HttpServerTest, ChunkedBodyOverTheLimitIs413) {
  Start();
  const std::string body(64 * 1024 + 1, 'a');
  const TestResponse r =
      Fetch(ChunkedPostRequest("/platform_api/AddSecret", "text/plain", body, 4096));
  EXPECT_EQ(r.status, 413);
  ExpectCommonHeaders(r);
  EXPECT_EQ(handler_.calls(), 0);
}

TEST_F(HttpServerTest, BodyExactlyAtTheLimitIsAccepted) {
  Start();
  const std::string prefix = "secret_value=";
  const std::string body = prefix + std::string(64 * 1024 - prefix.size(), 'v');
  ASSERT_EQ(body.size(), 64u * 1024);
  for (const std::string& request :
       {PostRequest("/platform_api/AddSecret", "application/x-www-form-urlencoded", body),
        ChunkedPostRequest("/platform_api/AddSecret", "application/x-www-form-urlencoded", body,
                           1000)}) {
    const TestResponse r = Fetch(request);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(BodyJson(r)["params"]["secret_value"].get<std::string>().size(),
              body.size() - prefix.size());
  }
}

TEST_F(HttpServerTest, OversizedHeaderIs431) {
  Start();
  const std::string big = "X-Big: " + std::string(17 * 1024, 'h') + "\r\n";
  const TestResponse r = Fetch(GetRequest("/healthz", big));
  EXPECT_EQ(r.status, 431);
  ExpectCommonHeaders(r);
}

TEST_F(HttpServerTest, HeaderJustUnderTheLimitIsAccepted) {
  Start();
  const std::string big = "X-Big: " + std::string(15 * 1024, 'h') + "\r\n";
  EXPECT_EQ(Fetch(GetRequest("/healthz", big)).status, 200);
}

TEST_F(HttpServerTest, UnparseableHttpIs400) {
  Start();
  for (const char* request : {"HELLO\r\n\r\n", "GET / HTTP/1.1\r\nBad Header\r\n\r\n",
                              "POST /platform_api HTTP/1.1\r\nContent-Length: x\r\n\r\n"}) {
    const TestResponse r = Fetch(request);
    EXPECT_EQ(r.status, 400) << request;
    ExpectCommonHeaders(r);
  }
}

TEST_F(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  Start();
  auto c = Connect();
  for (int i = 0; i < 3; ++i) {
    const auto r = c->RoundTrip(GetRequest("/platform_api/GetSecrets?i=" + std::to_string(i)));
    ASSERT_TRUE(r.has_value()) << i;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(BodyJson(*r)["params"]["i"], std::to_string(i));
    EXPECT_NE(r->Header("Connection"), "close");
  }
  const auto r = c->RoundTrip(GetRequest("/healthz"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
}

TEST_F(HttpServerTest, ConnectionCloseIsHonoured) {
  Start();
  auto c = Connect();
  const auto r = c->RoundTrip(GetRequest("/healthz", "Connection: close\r\n"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->Header("Connection"), "close");
  EXPECT_TRUE(c->WaitForClose());
}

TEST_F(HttpServerTest, KeepAliveEndsAfterMaxRequests) {
  ServerOptions o = Options();
  o.max_keepalive_requests = 2;
  Start(o);
  auto c = Connect();
  auto r = c->RoundTrip(GetRequest("/healthz"));
  ASSERT_TRUE(r.has_value());
  EXPECT_NE(r->Header("Connection"), "close");
  r = c->RoundTrip(GetRequest("/healthz"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->Header("Connection"), "close");
  EXPECT_TRUE(c->WaitForClose());
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  Start();
  auto c = Connect();
  ASSERT_TRUE(
      c->Send(GetRequest("/platform_api/A") + GetRequest("/platform_api/B") + GetRequest("/nope")));
  auto r = c->ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(BodyJson(*r)["method"], "A");
  r = c->ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(BodyJson(*r)["method"], "B");
  r = c->ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 404);
}

TEST_F(HttpServerTest, ExpectContinueIsHonoured) {
  Start();
  auto c = Connect();
  const std::string body = "secret_name=N";
  ASSERT_TRUE(
      c->Send("POST /platform_api/AddSecret HTTP/1.1\r\nHost: x\r\n"
              "Content-Type: application/x-www-form-urlencoded\r\n"
              "Expect: 100-continue\r\nContent-Length: " +
              std::to_string(body.size()) + "\r\n\r\n"));
  auto r = c->ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 100);
  ASSERT_TRUE(c->Send(body));
  r = c->ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(BodyJson(*r)["params"]["secret_name"], "N");
}

// A slow client: one more byte whenever the server has been silent for 100 ms, starting after
// `prefix`. A per-read timeout would never fire; the request's deadline must. The result: how the
// server ended the trickle (closed without an answer is right).
testing::TestConnection::Peer Trickle(testing::TestConnection& c, const std::string& prefix) {
  using Peer = testing::TestConnection::Peer;
  if (!c.Send(prefix)) return Peer::kClosed;
  Peer peer = Peer::kSilent;
  for (int sent = 0; peer == Peer::kSilent && sent < 10 * testing::kHangGuard.count(); ++sent) {
    if (!c.Send("a")) break;  // closed under our feet: see below
    peer = c.WaitFor(std::chrono::milliseconds(100));
  }
  if (peer == Peer::kSilent) peer = c.WaitForClose() ? Peer::kClosed : Peer::kSentData;
  return peer;
}

TEST_F(HttpServerTest, SlowlorisHeadIsCutOffByTheHeadDeadline) {
  ServerOptions o = Options();
  o.head_timeout = std::chrono::seconds(1);  // read_timeout stays 30 s
  Start(o);
  auto c = Connect();
  EXPECT_EQ(Trickle(*c, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: "),
            testing::TestConnection::Peer::kClosed);  // closed, and without an answer
  EXPECT_EQ(handler_.calls(), 0);
}

TEST_F(HttpServerTest, SlowBodyIsCutOffByTheRequestDeadline) {
  ServerOptions o = Options();
  o.read_timeout = std::chrono::seconds(1);  // the head deadline follows it down
  Start(o);
  auto c = Connect();
  EXPECT_EQ(Trickle(*c,
                    "POST /platform_api/X HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                    "Content-Length: 60000\r\n\r\na=b"),
            testing::TestConnection::Peer::kClosed);
  EXPECT_EQ(handler_.calls(), 0);
}

TEST_F(HttpServerTest, IdleKeepAliveConnectionIsClosedAfterTheIdleTimeout) {
  ServerOptions o = Options();
  o.idle_timeout = std::chrono::seconds(1);
  Start(o);
  auto c = Connect();
  ASSERT_TRUE(c->RoundTrip(GetRequest("/healthz")).has_value());
  EXPECT_TRUE(c->WaitForClose());
}

TEST_F(HttpServerTest, AtTheConnectionLimitTheIdleConnectionMakesRoom) {
  ServerOptions o = Options();
  o.max_connections = 1;
  Start(o);
  auto first = Connect();
  ASSERT_TRUE(first->RoundTrip(GetRequest("/healthz")).has_value());  // answered, now idle
  auto second = Connect();
  EXPECT_TRUE(first->WaitForClose());                        // the idle one is closed ...
  const auto r = second->RoundTrip(GetRequest("/healthz"));  // ... and the new one served
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(metrics_.AddCounter("voxsecrets_http_evicted_connections_total", "", {"reason"})
                .WithLabels({"total"})
                .value(),
            1u);
}

TEST_F(HttpServerTest, AtTheConnectionLimitABusyConnectionStaysAndTheNewOneIsRefused) {
  ServerOptions o = Options();
  o.max_connections = 1;
  Start(o);
  auto busy = Connect();
  ASSERT_TRUE(busy->Send(GetRequest("/platform_api/Slow")));
  handler_.WaitForSlowCalls(1);
  auto second = Connect();
  EXPECT_TRUE(second->WaitForClose());
  handler_.Release();
  const auto r = busy->ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(metrics_.AddCounter("voxsecrets_http_rejected_connections_total", "").Get().value(),
            1u);
}

TEST_F(HttpServerTest, SlowConnectionsOfOneAddressMakeRoomForAPromptClient) {
  ServerOptions o = Options();
  o.max_connections_per_address = 8;
  Start(o);
  // Eight slow clients hold every slot of 127.0.0.1 (half a request each, never completed).
  std::vector<std::unique_ptr<TestConnection>> slow;
  for (int i = 0; i < 8; ++i) {
    slow.push_back(Connect());
    ASSERT_TRUE(slow.back()->Send("GET /healthz HTTP/1.1\r\nHost: x\r\n"));
  }
  // Prompt clients from the same address are served, each new connection pushing out the slow
  // connection that has waited longest. They stay open, idle: the newest in the line.
  std::vector<std::unique_ptr<TestConnection>> prompt;
  for (int request = 0; request < 3; ++request) {
    prompt.push_back(Connect());
    const auto r = prompt.back()->RoundTrip(GetRequest("/healthz"));
    ASSERT_TRUE(r.has_value()) << request;
    EXPECT_EQ(r->status, 200) << request;
  }
  EXPECT_TRUE(slow[0]->WaitForClose());
  EXPECT_TRUE(slow[1]->WaitForClose());
  EXPECT_TRUE(slow[2]->WaitForClose());
  EXPECT_EQ(metrics_.AddCounter("voxsecrets_http_evicted_connections_total", "", {"reason"})
                .WithLabels({"per_address"})
                .value(),
            3u);
  // The youngest slow ones are still open: their request completes and is answered.
  ASSERT_TRUE(slow[7]->Send("\r\n"));
  const auto r = slow[7]->ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  // And so are the prompt ones, on their kept-alive connections.
  for (auto& c : prompt) {
    const auto again = c->RoundTrip(GetRequest("/healthz"));
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->status, 200);
  }
}

// Waits (hang guard only) until `gauge` shows `want`.
int64_t WaitForGauge(Gauge& gauge, int64_t want) {
  const auto give_up = std::chrono::steady_clock::now() + testing::kHangGuard;
  while (gauge.value() != want && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return gauge.value();
}

void ExpectOverloaded(const TestResponse& r) {
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.Header("Retry-After"), "1");
  ExpectCommonHeaders(r);
  EXPECT_EQ(BodyJson(r)["error"]["code"], 340) << r.body;
}

TEST_F(HttpServerTest, ApiCallsBeyondTheBoundedQueueAreAnswered429AtOnce) {
  ServerOptions o = Options();
  o.handler_threads = 1;
  o.max_queued_calls = 1;
  Start(o);
  Gauge& pending = metrics_.AddGauge("voxsecrets_http_pending_api_calls", "").Get();
  auto running = Connect();
  ASSERT_TRUE(running->Send(GetRequest("/platform_api/Slow")));
  handler_.WaitForSlowCalls(1);  // holds the one handler thread
  auto queued = Connect();
  ASSERT_TRUE(queued->Send(GetRequest("/platform_api/Slow")));
  ASSERT_EQ(WaitForGauge(pending, 2), 2);  // waiting for the thread: the queue is full
  ExpectOverloaded(Fetch(GetRequest("/platform_api/Other")));
  EXPECT_EQ(handler_.calls(), 1);  // the refused call never reached the handler
  // Health and metrics do not queue behind API calls.
  EXPECT_EQ(Fetch(GetRequest("/healthz")).status, 200);
  handler_.Release();
  for (auto* c : {running.get(), queued.get()}) {
    const auto r = c->ReadResponse();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200);
  }
  EXPECT_EQ(WaitForGauge(pending, 0), 0);
  EXPECT_EQ(Fetch(GetRequest("/platform_api/Other")).status, 200);  // recovered
  EXPECT_EQ(metrics_.AddCounter("voxsecrets_http_overloaded_total", "", {"reason"})
                .WithLabels({"queue_full"})
                .value(),
            1u);
}

TEST_F(HttpServerTest, AnApiCallThatWaitedPastItsDeadlineIsAnswered429WithoutRunning) {
  ServerOptions o = Options();
  o.handler_threads = 1;
  // Long enough for the first call to reach the idle handler thread however loaded the machine.
  o.max_queue_wait = std::chrono::milliseconds(500);
  Start(o);
  Gauge& pending = metrics_.AddGauge("voxsecrets_http_pending_api_calls", "").Get();
  auto running = Connect();
  ASSERT_TRUE(running->Send(GetRequest("/platform_api/Slow")));
  handler_.WaitForSlowCalls(1);
  auto late = Connect();
  ASSERT_TRUE(late->Send(GetRequest("/platform_api/Late")));
  ASSERT_EQ(WaitForGauge(pending, 2), 2);
  // Past its deadline by construction: it cannot start before the handler thread is free.
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  handler_.Release();
  ASSERT_TRUE(running->ReadResponse().has_value());
  const auto r = late->ReadResponse();
  ASSERT_TRUE(r.has_value());
  ExpectOverloaded(*r);
  EXPECT_EQ(handler_.calls(), 1);
  EXPECT_EQ(metrics_.AddCounter("voxsecrets_http_overloaded_total", "", {"reason"})
                .WithLabels({"queue_wait"})
                .value(),
            1u);
}

TEST_F(HttpServerTest, ForwardedForIsUsedOnlyWhenTrusted) {
  const std::string request =
      GetRequest("/platform_api/X", "X-Forwarded-For: 1.2.3.4, 198.51.100.7\r\n");
  Start();
  EXPECT_EQ(BodyJson(Fetch(request))["client_ip"], "127.0.0.1");
  server_->Shutdown(std::chrono::seconds(5));
  ServerOptions o = Options();
  o.trust_forwarded_for = true;
  Start(o);
  EXPECT_EQ(BodyJson(Fetch(request))["client_ip"], "198.51.100.7");
}

TEST_F(HttpServerTest, StartFailsWhenThePortIsTaken) {
  Start();
  ServerOptions o = Options();
  o.port = server_->port();
  auto second = HttpServer::Start(o, handler_, health_, metrics_);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(second.status().message(), HasSubstr(std::to_string(o.port)));
}

TEST_F(HttpServerTest, StartRejectsBadOptions) {
  ServerOptions o = Options();
  o.max_body_bytes = 0;
  EXPECT_FALSE(HttpServer::Start(o, handler_, health_, metrics_).ok());
  o = Options();
  o.tls = true;  // without cert_file / key_file
  auto r = HttpServer::Start(o, handler_, health_, metrics_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().field_name(), "cert_file");
}

TEST_F(HttpServerTest, ShutdownIsIdempotentAndReleasesWait) {
  Start();
  std::thread waiter([&] { server_->Wait(); });
  server_->Shutdown(std::chrono::seconds(5));
  server_->Shutdown(std::chrono::seconds(5));
  waiter.join();
  EXPECT_EQ(TestConnection::Connect(server_->port()), nullptr);
}

// ---- with and without the handler pool ----

TEST_P(HttpServerTest, ConcurrentClientsAreAllAnswered) {
  ServerOptions o = Options();
  o.handler_threads = GetParam();
  Start(o);
  constexpr int kClients = 8;
  constexpr int kRequests = 50;
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < kClients; ++t) {
    clients.emplace_back([&, t] {
      auto c = TestConnection::Connect(server_->port());
      if (c == nullptr) return;
      for (int i = 0; i < kRequests; ++i) {
        const std::string id = std::to_string(t) + "-" + std::to_string(i);
        const auto r = c->RoundTrip(GetRequest("/platform_api/Echo?id=" + id));
        if (r && r->status == 200 && BodyJson(*r)["params"]["id"] == id) ok.fetch_add(1);
      }
    });
  }
  for (auto& c : clients) c.join();
  EXPECT_EQ(ok.load(), kClients * kRequests);
  EXPECT_EQ(handler_.calls(), kClients * kRequests);
  server_->Shutdown(std::chrono::seconds(5));  // metrics are recorded after the write
  EXPECT_EQ(Requests("api", "200"), uint64_t{kClients} * kRequests);
}

// Calls answered later (as reads waiting for their audit record are) hold no thread: more of
// them wait at once than there are I/O threads, the server keeps answering meanwhile, and each
// answer reaches its own connection.
TEST_P(HttpServerTest, ApiCallsAnsweredLaterHoldNoThread) {
  ServerOptions o = Options();
  o.handler_threads = GetParam();
  Start(o);
  constexpr int kWaiting = 8;  // two I/O threads, two pool threads at most
  std::vector<std::unique_ptr<TestConnection>> waiting;
  for (int i = 0; i < kWaiting; ++i) {
    waiting.push_back(Connect());
    ASSERT_TRUE(waiting.back()->Send(GetRequest("/platform_api/Later?id=" + std::to_string(i))));
  }
  ASSERT_TRUE(handler_.WaitForLaterCalls(kWaiting));
  const TestResponse health = Fetch(GetRequest("/healthz"));
  EXPECT_EQ(health.status, 200);
  const TestResponse echo = Fetch(GetRequest("/platform_api/Echo?id=x"));
  EXPECT_EQ(BodyJson(echo)["params"]["id"], "x");

  handler_.AnswerLater();
  for (int i = 0; i < kWaiting; ++i) {
    const auto r = waiting[static_cast<size_t>(i)]->ReadResponse();
    ASSERT_TRUE(r.has_value()) << i;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(BodyJson(*r)["id"], std::to_string(i));
    ExpectCommonHeaders(*r);
  }
}

TEST_P(HttpServerTest, ShutdownLetsInFlightRequestsFinishAndClosesIdleOnes) {
  ServerOptions o = Options();
  o.handler_threads = GetParam();
  Start(o);
  auto idle = Connect();
  ASSERT_TRUE(idle->RoundTrip(GetRequest("/healthz")).has_value());

  auto busy = Connect();
  ASSERT_TRUE(busy->Send(GetRequest("/platform_api/Slow")));
  handler_.WaitForSlowCalls(1);

  // The grace period is far longer than the test: nothing here may depend on it expiring.
  std::thread stopper([&] { server_->Shutdown(std::chrono::seconds(600)); });

  // While the slow request is still running: the idle connection is closed and no new
  // connection is served. Shutdown raises the stopping flag before it closes idle connections,
  // so once the idle one is closed, a new one is refused (the listener is closed) or accepted
  // and closed at once (the accept loop sees the flag): no retry, no waiting for time.
  EXPECT_TRUE(idle->WaitForClose());
  auto late = TestConnection::Connect(server_->port());
  EXPECT_TRUE(late == nullptr || late->WaitForClose());

  handler_.Release();
  const auto r = busy->ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(BodyJson(*r)["method"], "Slow");
  EXPECT_EQ(r->Header("Connection"), "close");
  EXPECT_TRUE(busy->WaitForClose());
  stopper.join();
  server_->Wait();
}

INSTANTIATE_TEST_SUITE_P(HandlerThreads, HttpServerTest, ::testing::Values(0, 2),
                         [](const ::testing::TestParamInfo<int>& p) {
                           return p.param == 0 ? std::string("Inline") : std::string("Pool");
                         });

}  // namespace
}  // namespace voxsecrets::http
