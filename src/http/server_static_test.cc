// Static assets (the control panel) over real sockets: what the browser gets, header by header
// (docs/PANEL.md "Security model"), and that the API and unknown paths are untouched.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "http/server.h"
#include "http/server_test_util.h"
#include "metrics/prometheus_metrics.h"

namespace voxsecrets::http {
namespace {

using testing::GetRequest;
using ::testing::HasSubstr;
using testing::PostRequest;
using testing::TestConnection;
using testing::TestResponse;

constexpr std::string_view kPanelCsp =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

class FakeAssets final : public StaticAssets {
 public:
  std::optional<StaticAsset> Find(std::string_view path) const override {
    const auto it = files_.find(std::string(path));
    if (it == files_.end()) return std::nullopt;
    return it->second;
  }

 private:
  const std::map<std::string, StaticAsset> files_ = {
      {"/index.html",
       {"text/html; charset=utf-8", "<!doctype html><script src=\"/assets/app-AB12CD34.js\">",
        "\"0000000000000001\"", false}},
      {"/assets/app-AB12CD34.js",
       {"text/javascript; charset=utf-8", "console.log('panel')", "\"0000000000000002\"", true}},
      // Never reached: /platform_api is the API's, whatever the assets hold.
      {"/platform_api/GetSecrets", {"text/plain", "shadow", "\"3\"", false}},
  };
};

class ApiEcho final : public api::ApiHandler {
 public:
  api::ApiResponse Handle(const api::ApiRequest& request) override {
    return api::ApiResponse{"{\"method\":\"" + request.method + "\"}"};
  }
};

class AlwaysReady final : public HealthCheck {
 public:
  bool Ready() override { return true; }
};

class StaticAssetsTest : public ::testing::Test {
 protected:
  void Start(bool with_assets = true) {
    ServerOptions o;
    o.tls = false;
    o.threads = 2;
    o.static_assets = with_assets ? &assets_ : nullptr;
    auto server = HttpServer::Start(o, api_, health_, metrics_);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
  }

  TestResponse Fetch(const std::string& request) {
    auto c = TestConnection::Connect(server_->port());
    EXPECT_NE(c, nullptr);
    if (c == nullptr) return {};
    return c->RoundTrip(request).value_or(TestResponse{});
  }

  static void ExpectPanelHeaders(const TestResponse& r) {
    EXPECT_EQ(r.Header("Content-Security-Policy"), kPanelCsp);
    EXPECT_EQ(r.Header("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(r.Header("Referrer-Policy"), "no-referrer");
    EXPECT_EQ(r.Header("X-Frame-Options"), "DENY");
    EXPECT_EQ(r.Header("Cross-Origin-Opener-Policy"), "same-origin");
    EXPECT_EQ(r.Header("Cross-Origin-Resource-Policy"), "same-origin");
    EXPECT_EQ(r.Header("Set-Cookie"), "");
    EXPECT_EQ(r.Header("Access-Control-Allow-Origin"), "");
    EXPECT_EQ(r.Header("Server"), "");
  }

  FakeAssets assets_;
  ApiEcho api_;
  AlwaysReady health_;
  metrics::PrometheusMetrics metrics_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(StaticAssetsTest, RootServesTheIndexRevalidatedEveryTime) {
  Start();
  for (const char* target : {"/", "/index.html", "/?from=bookmark", "/index.html#x"}) {
    const TestResponse r = Fetch(GetRequest(target));
    EXPECT_EQ(r.status, 200) << target;
    EXPECT_EQ(r.Header("Content-Type"), "text/html; charset=utf-8") << target;
    EXPECT_EQ(r.Header("Cache-Control"), "no-cache") << target;
    EXPECT_EQ(r.Header("ETag"), "\"0000000000000001\"") << target;
    EXPECT_THAT(r.body, HasSubstr("<script src=")) << target;
    ExpectPanelHeaders(r);
  }
}

TEST_F(StaticAssetsTest, HashedAssetsAreCachedForAYear) {
  Start();
  const TestResponse r = Fetch(GetRequest("/assets/app-AB12CD34.js"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(r.Header("Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(r.Header("Content-Length"), "20");
  EXPECT_EQ(r.body, "console.log('panel')");
  ExpectPanelHeaders(r);
}

TEST_F(StaticAssetsTest, MatchingIfNoneMatchIs304WithoutABodyAndTheConnectionGoesOn) {
  Start();
  auto c = TestConnection::Connect(server_->port());
  ASSERT_NE(c, nullptr);
  for (const char* condition :
       {"\"0000000000000002\"", "W/\"0000000000000002\"", "\"other\", \"0000000000000002\"", "*"}) {
    auto r = c->RoundTrip(
        GetRequest("/assets/app-AB12CD34.js", "If-None-Match: " + std::string(condition) + "\r\n"));
    ASSERT_TRUE(r.has_value()) << condition;
    EXPECT_EQ(r->status, 304) << condition;
    EXPECT_EQ(r->body, "");
    EXPECT_EQ(r->Header("Content-Length"), "") << condition;
    EXPECT_EQ(r->Header("ETag"), "\"0000000000000002\"");
    EXPECT_EQ(r->Header("Cache-Control"), "public, max-age=31536000, immutable");
    ExpectPanelHeaders(*r);
  }
  // A tag that does not match: the whole file, on the same keep-alive connection.
  auto r = c->RoundTrip(GetRequest("/assets/app-AB12CD34.js", "If-None-Match: \"stale\"\r\n"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "console.log('panel')");
}

TEST_F(StaticAssetsTest, HeadGetsTheHeadersAndOtherVerbsAre405) {
  Start();
  auto c = TestConnection::Connect(server_->port());
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->Send("HEAD /assets/app-AB12CD34.js HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto head = c->ReadResponse(/*head=*/true);
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->Header("Content-Length"), "20");
  ExpectPanelHeaders(*head);
  auto post = c->RoundTrip(PostRequest("/index.html", "text/plain", "x"));
  ASSERT_TRUE(post.has_value());
  EXPECT_EQ(post->status, 405);
  EXPECT_EQ(post->Header("Allow"), "GET, HEAD");
  EXPECT_EQ(post->Header("Cache-Control"), "no-store");
}

TEST_F(StaticAssetsTest, ApiAndUnknownPathsAreUntouched) {
  Start();
  const TestResponse api = Fetch(GetRequest("/platform_api/GetSecrets"));
  EXPECT_EQ(api.status, 200);
  EXPECT_EQ(api.body, "{\"method\":\"GetSecrets\"}");
  EXPECT_EQ(api.Header("Content-Type"), "application/json; charset=utf-8");
  EXPECT_EQ(api.Header("Cache-Control"), "no-store");
  EXPECT_EQ(api.Header("Content-Security-Policy"), "default-src 'none'; frame-ancestors 'none'");
  EXPECT_EQ(api.Header("ETag"), "");
  for (const char* target : {"/platform_api/Unknown", "/platform_api"}) {
    EXPECT_EQ(Fetch(GetRequest(target)).Header("Content-Type"), "application/json; charset=utf-8")
        << target;
  }
  // Not the page for paths it does not have: no SPA fallback.
  for (const char* target : {"/applications", "/assets/app-OTHER.js", "/index.html/", "/.."}) {
    const TestResponse r = Fetch(GetRequest(target));
    EXPECT_EQ(r.status, 404) << target;
    EXPECT_EQ(r.Header("Content-Type"), "application/json; charset=utf-8") << target;
    EXPECT_EQ(r.Header("Cache-Control"), "no-store") << target;
  }
}

TEST_F(StaticAssetsTest, WithoutAssetsTheRootIs404) {
  Start(/*with_assets=*/false);
  const TestResponse r = Fetch(GetRequest("/"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.Header("Cache-Control"), "no-store");
  EXPECT_EQ(r.Header("Content-Security-Policy"), "default-src 'none'; frame-ancestors 'none'");
}

TEST_F(StaticAssetsTest, AssetRequestsAreCountedAsPanel) {
  Start();
  auto c = TestConnection::Connect(server_->port());
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->RoundTrip(GetRequest("/")).has_value());
  const TestResponse r = c->RoundTrip(GetRequest("/metrics")).value_or(TestResponse{});
  EXPECT_THAT(r.body,
              HasSubstr("voxsecrets_http_requests_total{route=\"panel\",status=\"200\"} 1"));
}

}  // namespace
}  // namespace voxsecrets::http
