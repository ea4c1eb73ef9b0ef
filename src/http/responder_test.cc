#include "http/responder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "metrics/prometheus_metrics.h"

namespace voxsecrets::http {
namespace {

using ::testing::HasSubstr;

class RecordingHandler final : public api::ApiHandler {
 public:
  // api::ApiHandler
  api::ApiResponse Handle(const api::ApiRequest& request) override {
    last = request;
    ++calls;
    if (throw_next) throw std::runtime_error("boom");
    return api::ApiResponse{R"({"result":1})"};
  }
  api::ApiRequest last;
  int calls = 0;
  bool throw_next = false;
};

class FixedHealth final : public HealthCheck {
 public:
  // HealthCheck
  bool Ready() override { return ready; }
  bool ready = true;
};

class ResponderTest : public ::testing::Test {
 protected:
  HttpReply Respond(HttpRequestView view) const {
    return responder_.Respond(RouteOf(view.target), view);
  }

  RecordingHandler handler_;
  FixedHealth health_;
  metrics::PrometheusMetrics metrics_;
  Responder responder_{handler_, health_, metrics_, /*trust_forwarded_for=*/false};
};

TEST_F(ResponderTest, ApiGetAndPostReachTheHandler) {
  for (std::string_view verb : {"GET", "POST"}) {
    const HttpReply reply = Respond(
        {.verb = verb, .target = "/platform_api/GetSecrets?count=5", .peer_ip = "10.0.0.7"});
    EXPECT_EQ(reply.status, 200u) << verb;
    EXPECT_EQ(reply.content_type, kJsonContentType);
    EXPECT_EQ(reply.body, R"({"result":1})");
    EXPECT_EQ(handler_.last.method, "GetSecrets");
    EXPECT_EQ(handler_.last.params.Get("count"), "5");
    EXPECT_EQ(handler_.last.client_ip, "10.0.0.7");
  }
  EXPECT_EQ(handler_.calls, 2);
}

TEST_F(ResponderTest, ApiBodyIsDecoded) {
  Respond({.verb = "POST",
           .target = "/platform_api/AddSecret",
           .content_type = "application/x-www-form-urlencoded",
           .body = "secret_name=A&application_id=3"});
  EXPECT_EQ(handler_.last.method, "AddSecret");
  EXPECT_EQ(handler_.last.params.Get("secret_name"), "A");
  EXPECT_EQ(handler_.last.params.Get("application_id"), "3");
}

TEST_F(ResponderTest, BearerTokenIsPassedOn) {
  Respond({.verb = "GET", .target = "/platform_api/GetSecrets", .authorization = "bearer abc.def"});
  EXPECT_TRUE(handler_.last.bearer_token == "abc.def");
  Respond({.verb = "GET", .target = "/platform_api/GetSecrets", .authorization = "Basic abc"});
  EXPECT_TRUE(handler_.last.bearer_token.empty());
}

TEST_F(ResponderTest, OtherVerbsOnTheApiAre405WithAllow) {
  for (std::string_view verb : {"PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"}) {
    const HttpReply reply = Respond({.verb = verb, .target = "/platform_api/GetSecrets"});
    EXPECT_EQ(reply.status, 405u) << verb;
    EXPECT_EQ(reply.allow, "GET, POST");
    EXPECT_EQ(reply.content_type, kJsonContentType);
  }
  EXPECT_EQ(handler_.calls, 0);
}

TEST_F(ResponderTest, HealthFollowsTheCheck) {
  HttpReply reply = Respond({.verb = "GET", .target = "/healthz"});
  EXPECT_EQ(reply.status, 200u);
  EXPECT_EQ(reply.body, R"({"status":"ok"})");
  health_.ready = false;
  reply = Respond({.verb = "GET", .target = "/healthz"});
  EXPECT_EQ(reply.status, 503u);
  EXPECT_EQ(reply.body, R"({"status":"unavailable"})");
  reply = Respond({.verb = "POST", .target = "/healthz"});
  EXPECT_EQ(reply.status, 405u);
  EXPECT_EQ(reply.allow, "GET, HEAD");
  health_.ready = true;
  reply = Respond({.verb = "HEAD", .target = "/healthz"});
  EXPECT_EQ(reply.status, 200u);
}

TEST_F(ResponderTest, MetricsRendersTheRegistry) {
  metrics_.AddCounter("test_things_total", "Things.").Get().Increment(7);
  const HttpReply reply = Respond({.verb = "GET", .target = "/metrics"});
  EXPECT_EQ(reply.status, 200u);
  EXPECT_EQ(reply.content_type, kPrometheusContentType);
  EXPECT_THAT(reply.body, HasSubstr("test_things_total 7\n"));
}

TEST_F(ResponderTest, RoutesLeftOutAnswer404) {
  Responder metrics_only{handler_, health_, metrics_,
                         false,    nullptr, Routes{.api = false, .metrics = true}};
  for (const char* target : {"/platform_api/GetSecrets", "/healthz"}) {
    const HttpRequestView request{.verb = "GET", .target = target};
    EXPECT_EQ(metrics_only.Respond(RouteOf(target), request).status, 404u) << target;
    EXPECT_EQ(metrics_only.Served(RouteOf(target)), Route::kNotFound) << target;
  }
  EXPECT_EQ(metrics_only.Served(Route::kMetrics), Route::kMetrics);
  Responder api_only{handler_, health_, metrics_,
                     false,    nullptr, Routes{.api = true, .metrics = false}};
  const HttpRequestView metrics_request{.verb = "GET", .target = "/metrics"};
  EXPECT_EQ(api_only.Respond(Route::kMetrics, metrics_request).status, 404u);
  EXPECT_EQ(api_only.Served(Route::kHealth), Route::kHealth);
}

TEST_F(ResponderTest, UnknownPathIs404Json) {
  const HttpReply reply = Respond({.verb = "GET", .target = "/platform_apix/GetSecrets"});
  EXPECT_EQ(reply.status, 404u);
  EXPECT_EQ(reply.content_type, kJsonContentType);
  EXPECT_EQ(reply.body, R"({"error":{"http_status":404,"msg":"Not found."}})");
  EXPECT_EQ(handler_.calls, 0);
}

TEST_F(ResponderTest, HandlerExceptionBecomes500) {
  handler_.throw_next = true;
  const HttpReply reply = Respond({.verb = "GET", .target = "/platform_api/GetSecrets"});
  EXPECT_EQ(reply.status, 500u);
  EXPECT_THAT(reply.body, ::testing::Not(HasSubstr("boom")));
}

TEST(TransportErrorReplyTest, EscapesQuotesAndBackslashes) {
  const HttpReply reply = TransportErrorReply(400, R"(a "b" \c)");
  EXPECT_EQ(reply.status, 400u);
  EXPECT_EQ(reply.body, R"({"error":{"http_status":400,"msg":"a \"b\" \\c"}})");
}

TEST(BearerTokenTest, SchemeIsCaseInsensitiveAndBlanksAreTrimmed) {
  EXPECT_EQ(BearerToken("Bearer tok"), "tok");
  EXPECT_EQ(BearerToken("BEARER tok"), "tok");
  EXPECT_EQ(BearerToken("  bEaReR \t tok  "), "tok");
}

TEST(BearerTokenTest, RejectsOtherSchemesAndMalformedHeaders) {
  EXPECT_EQ(BearerToken(""), "");
  EXPECT_EQ(BearerToken("Bearer"), "");
  EXPECT_EQ(BearerToken("Bearer   "), "");
  EXPECT_EQ(BearerToken("Bearertok"), "");
  EXPECT_EQ(BearerToken("Basic dXNlcjpwYXNz"), "");
  EXPECT_EQ(BearerToken("Bearer a b"), "");
  EXPECT_EQ(BearerToken("Bearer a\tb"), "");
}

TEST(ClientIpTest, PeerUnlessForwardedForIsTrusted) {
  EXPECT_EQ(ClientIp("10.0.0.1", "203.0.113.9", /*trust_forwarded_for=*/false), "10.0.0.1");
  EXPECT_EQ(ClientIp("10.0.0.1", "203.0.113.9", /*trust_forwarded_for=*/true), "203.0.113.9");
  EXPECT_EQ(ClientIp("10.0.0.1", "", /*trust_forwarded_for=*/true), "10.0.0.1");
}

TEST(ClientIpTest, TakesTheRightmostAddressAddedByTheProxy) {
  // The client forged the first entry; the proxy appended the address it saw.
  EXPECT_EQ(ClientIp("10.0.0.1", "1.2.3.4, 198.51.100.20", true), "198.51.100.20");
  EXPECT_EQ(ClientIp("10.0.0.1", "1.2.3.4,2001:db8::1 ", true), "2001:db8::1");
}

TEST(ClientIpTest, IgnoresInvalidForwardedFor) {
  EXPECT_EQ(ClientIp("10.0.0.1", "unknown", true), "10.0.0.1");
  EXPECT_EQ(ClientIp("10.0.0.1", "1.2.3.4, ", true), "10.0.0.1");
  EXPECT_EQ(ClientIp("10.0.0.1", "1.2.3.4:8080", true), "10.0.0.1");
  EXPECT_EQ(ClientIp("10.0.0.1", "<script>", true), "10.0.0.1");
}

TEST(RouteLabelTest, NamesEveryRoute) {
  EXPECT_EQ(RouteLabel(Route::kApi), "api");
  EXPECT_EQ(RouteLabel(Route::kHealth), "health");
  EXPECT_EQ(RouteLabel(Route::kMetrics), "metrics");
  EXPECT_EQ(RouteLabel(Route::kNotFound), "not_found");
}

TEST(IfNoneMatch, WeakComparisonOverTheList) {
  const std::string_view tag = "\"abc\"";
  EXPECT_TRUE(IfNoneMatchMatches("\"abc\"", tag));
  EXPECT_TRUE(IfNoneMatchMatches("W/\"abc\"", tag));
  EXPECT_TRUE(IfNoneMatchMatches("\"x\", \"abc\"", tag));
  EXPECT_TRUE(IfNoneMatchMatches(" \"x\" ,W/\"abc\" ", tag));
  EXPECT_TRUE(IfNoneMatchMatches("*", tag));
  EXPECT_FALSE(IfNoneMatchMatches("", tag));
  EXPECT_FALSE(IfNoneMatchMatches("\"abcd\"", tag));
  EXPECT_FALSE(IfNoneMatchMatches("abc", tag));  // unquoted is another tag
  EXPECT_FALSE(IfNoneMatchMatches(",,", tag));
  EXPECT_FALSE(IfNoneMatchMatches("*", ""));  // no tag: nothing matches
}

TEST_F(ResponderTest, WithoutStaticAssetsEveryOtherPathIs404) {
  const HttpReply reply = Respond({.verb = "GET", .target = "/"});
  EXPECT_EQ(reply.status, 404u);
  EXPECT_EQ(reply.cache_control, kNoStore);
  EXPECT_EQ(reply.security_headers.data(), kApiSecurityHeaders);
}

}  // namespace
}  // namespace voxsecrets::http
