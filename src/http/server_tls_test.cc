// HttpServer over TLS, with a throwaway self-signed certificate.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "http/server.h"
#include "http/server_test_util.h"
#include "metrics/prometheus_metrics.h"

namespace voxsecrets::http {
namespace {

using testing::GetRequest;
using ::testing::HasSubstr;
using testing::PostRequest;
using testing::TempCertificate;
using testing::TestConnection;

class OkHandler final : public api::ApiHandler {
 public:
  // api::ApiHandler
  api::ApiResponse Handle(const api::ApiRequest& request) override {
    return api::ApiResponse{"{\"method\":\"" + request.method + "\"}"};
  }
};

class AlwaysReady final : public HealthCheck {
 public:
  // HealthCheck
  bool Ready() override { return true; }
};

struct SslCtxFree {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;

// A client context that trusts exactly `cert_file`, limited to [min_version, max_version].
SslCtxPtr ClientContext(const std::string& cert_file, int min_version, int max_version) {
  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  EXPECT_EQ(SSL_CTX_load_verify_locations(ctx.get(), cert_file.c_str(), nullptr), 1);
  // Let the client offer old versions at all, so that refusing them is the server's doing.
  SSL_CTX_set_security_level(ctx.get(), 0);
  SSL_CTX_set_cipher_list(ctx.get(), "DEFAULT:@SECLEVEL=0");
  SSL_CTX_set_min_proto_version(ctx.get(), min_version);
  SSL_CTX_set_max_proto_version(ctx.get(), max_version);
  return ctx;
}

class HttpServerTlsTest : public ::testing::Test {
 protected:
  ServerOptions Options() const {
    ServerOptions o;
    o.tls = true;
    o.cert_file = cert_.cert_file();
    o.key_file = cert_.key_file();
    o.threads = 2;
    return o;
  }

  TempCertificate cert_;
  OkHandler handler_;
  AlwaysReady health_;
  metrics::PrometheusMetrics metrics_;
};

TEST_F(HttpServerTlsTest, ServesRequestsOverTls12And13WithKeepAlive) {
  auto server = HttpServer::Start(Options(), handler_, health_, metrics_);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  for (int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    SslCtxPtr ctx = ClientContext(cert_.cert_file(), version, version);
    auto c = TestConnection::Connect((*server)->port(), ctx.get());
    ASSERT_NE(c, nullptr) << version;
    auto r = c->RoundTrip(GetRequest("/healthz"));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->Header("Cache-Control"), "no-store");
    r = c->RoundTrip(PostRequest("/platform_api/GetSecrets", "application/json", "{}"));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, R"({"method":"GetSecrets"})");
    EXPECT_EQ(r->Header("Content-Type"), "application/json; charset=utf-8");
  }
  (*server)->Shutdown(std::chrono::seconds(5));
}

// The server counts after the client has seen the outcome (an alert, an answer): wait for the
// count to arrive instead of racing it. The hang guard bounds the wait; it is no timing test.
uint64_t WaitForCount(Counter& counter, uint64_t want) {
  const auto give_up = std::chrono::steady_clock::now() + testing::kHangGuard;
  while (counter.value() < want && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return counter.value();
}

TEST_F(HttpServerTlsTest, RefusesTls11) {
  auto server = HttpServer::Start(Options(), handler_, health_, metrics_);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  SslCtxPtr old = ClientContext(cert_.cert_file(), TLS1_VERSION, TLS1_1_VERSION);
  EXPECT_EQ(TestConnection::Connect((*server)->port(), old.get()), nullptr);
  Counter& failures = metrics_.AddCounter("voxsecrets_http_tls_handshake_failures_total", "").Get();
  EXPECT_EQ(WaitForCount(failures, 1), 1u);
}

TEST_F(HttpServerTlsTest, PlainHttpIsAnsweredWith400SayingToUseHttps) {
  auto server = HttpServer::Start(Options(), handler_, health_, metrics_);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  auto plain = TestConnection::Connect((*server)->port());
  ASSERT_NE(plain, nullptr);
  ASSERT_TRUE(plain->Send(GetRequest("/healthz")));
  const auto r = plain->ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->Header("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(r->Header("Connection"), "close");
  EXPECT_THAT(r->body, HasSubstr("https://"));
  EXPECT_TRUE(plain->WaitForClose());
  Counter& invalid =
      metrics_
          .AddCounter("voxsecrets_http_requests_total",
                      "HTTP requests answered, by route and status.", {"route", "status"})
          .WithLabels({"invalid", "400"});
  EXPECT_EQ(WaitForCount(invalid, 1), 1u);
  // Plain HTTP is not a failed TLS handshake; TLS still works on the port.
  EXPECT_THAT(metrics_.RenderPrometheus(),
              HasSubstr("voxsecrets_http_tls_handshake_failures_total 0\n"));
  SslCtxPtr ctx = ClientContext(cert_.cert_file(), TLS1_2_VERSION, TLS1_3_VERSION);
  auto tls = TestConnection::Connect((*server)->port(), ctx.get());
  ASSERT_NE(tls, nullptr);
  const auto ok = tls->RoundTrip(GetRequest("/healthz"));
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->status, 200);
}

TEST_F(HttpServerTlsTest, MissingCertificateFileIsAClearError) {
  ServerOptions o = Options();
  o.cert_file = cert_.dir() + "/missing.pem";
  auto server = HttpServer::Start(o, handler_, health_, metrics_);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(server.status().field_name(), "cert_file");
  EXPECT_THAT(server.status().message(), HasSubstr("missing.pem"));
}

TEST_F(HttpServerTlsTest, GarbageKeyFileIsAClearError) {
  ServerOptions o = Options();
  o.key_file = cert_.dir() + "/garbage.pem";
  std::ofstream(o.key_file) << "not a key\n";
  auto server = HttpServer::Start(o, handler_, health_, metrics_);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().field_name(), "key_file");
  EXPECT_THAT(server.status().message(), HasSubstr("garbage.pem"));
}

TEST_F(HttpServerTlsTest, KeyOfAnotherCertificateIsRejected) {
  TempCertificate other;
  ServerOptions o = Options();
  o.key_file = other.key_file();
  auto server = HttpServer::Start(o, handler_, health_, metrics_);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().field_name(), "key_file");
  EXPECT_THAT(server.status().message(), HasSubstr(other.key_file()));
  EXPECT_THAT(server.status().message(), HasSubstr("mismatch"));
}

}  // namespace
}  // namespace voxsecrets::http
