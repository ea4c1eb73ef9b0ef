#include "server/metered_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "metrics/prometheus_metrics.h"

namespace voxsecrets::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Answers every method with the error code it is told to for that method (0 = success).
class ScriptedApi final : public api::ApiHandler {
 public:
  api::ApiResponse Handle(const api::ApiRequest& request) override {
    ++calls;
    const auto it = codes.find(request.method);
    const int code = it == codes.end() ? 103 : it->second;
    return api::ApiResponse{code == 0 ? R"({"result":1})" : R"({"error":{}})", code};
  }
  std::map<std::string, int> codes;
  int calls = 0;
};

class MeteredApiTest : public ::testing::Test {
 protected:
  double Count(std::string_view method, std::string_view code) {
    return metrics_.AddCounter("voxsecrets_api_requests_total", "", {"method", "code"})
        .WithLabels({method, code})
        .value();
  }
  uint64_t Observed(std::string_view method) {
    return metrics_.AddHistogram("voxsecrets_api_request_duration_seconds", "", {"method"})
        .WithLabels({method})
        .count();
  }
  api::ApiResponse Call(MeteredApi& metered, std::string method) {
    api::ApiRequest request;
    request.method = std::move(method);
    return metered.Handle(request);
  }

  metrics::PrometheusMetrics metrics_;
  ScriptedApi inner_;
};

TEST_F(MeteredApiTest, CountsEachCallByMethodAndCodeAndTimesIt) {
  inner_.codes = {{"GetSecrets", 0}, {"AddSecret", 493}};
  MeteredApi metered(inner_, {"AddSecret", "GetSecrets", "DelSecret"}, metrics_);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Call(metered, "GetSecrets").error_code, 0);
  api::ApiResponse refused = Call(metered, "AddSecret");
  EXPECT_EQ(refused.error_code, 493);
  EXPECT_EQ(refused.body, R"({"error":{}})");  // passed through untouched
  EXPECT_EQ(inner_.calls, 4);
  EXPECT_EQ(Count("GetSecrets", "0"), 3);
  EXPECT_EQ(Count("AddSecret", "493"), 1);
  EXPECT_EQ(Count("AddSecret", "0"), 0);
  EXPECT_EQ(Observed("GetSecrets"), 3u);
  EXPECT_EQ(Observed("AddSecret"), 1u);
  // A method never called is there with zero calls.
  EXPECT_THAT(metrics_.RenderPrometheus(),
              HasSubstr("voxsecrets_api_request_duration_seconds_count{method=\"DelSecret\"} 0"));
}

TEST_F(MeteredApiTest, UnknownMethodsShareOneLabel) {
  MeteredApi metered(inner_, {"GetSecrets"}, metrics_);
  for (const char* m : {"NoSuchMethod", "", "getsecrets", "x\"y", "DROP TABLE"}) Call(metered, m);
  EXPECT_EQ(Count("unknown", "103"), 5);
  EXPECT_EQ(Observed("unknown"), 5u);
  EXPECT_EQ(metered.MethodLabel("getsecrets"), "unknown");
  EXPECT_EQ(metered.MethodLabel("GetSecrets"), "GetSecrets");
  const std::string text = metrics_.RenderPrometheus();
  EXPECT_THAT(text, Not(HasSubstr("NoSuchMethod")));
  EXPECT_THAT(text, Not(HasSubstr("DROP")));
}

}  // namespace
}  // namespace voxsecrets::server
