#include "metrics/prometheus_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace voxsecrets::metrics {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(PrometheusMetricsTest, CounterCountsAndRenders) {
  PrometheusMetrics metrics;
  Counter& c = metrics.AddCounter("x_total", "Things.").Get();
  c.Increment();
  c.Increment(4);
  EXPECT_EQ(c.value(), 5);
  const std::string text = metrics.RenderPrometheus();
  EXPECT_THAT(text, HasSubstr("# HELP x_total Things.\n# TYPE x_total counter\nx_total 5\n"));
}

TEST(PrometheusMetricsTest, LabelledChildrenAreSeparateAndSorted) {
  PrometheusMetrics metrics;
  CounterFamily& family = metrics.AddCounter("req_total", "Requests.", {"route", "status"});
  family.WithLabels({"health", "200"}).Increment();
  family.WithLabels({"api", "200"}).Increment(2);
  family.WithLabels({"api", "413"}).Increment();
  family.WithLabels({"api", "200"}).Increment();
  EXPECT_THAT(metrics.RenderPrometheus(),
              HasSubstr("req_total{route=\"api\",status=\"200\"} 3\n"
                        "req_total{route=\"api\",status=\"413\"} 1\n"
                        "req_total{route=\"health\",status=\"200\"} 1\n"));
}

TEST(PrometheusMetricsTest, WithLabelsReturnsAStableHandleAndReRegistrationTheSameFamily) {
  PrometheusMetrics metrics;
  CounterFamily& family = metrics.AddCounter("a_total", "A.", {"k"});
  Counter* first = &family.WithLabels({"v"});
  for (int i = 0; i < 100; ++i) family.WithLabels({"other" + std::to_string(i)});
  EXPECT_EQ(first, &family.WithLabels({"v"}));
  EXPECT_EQ(&family, &metrics.AddCounter("a_total", "A.", {"k"}));
}

TEST(PrometheusMetricsTest, GaugeGoesUpAndDown) {
  PrometheusMetrics metrics;
  Gauge& g = metrics.AddGauge("open", "Open.").Get();
  g.Increment();
  g.Increment();
  g.Decrement();
  g.Add(-0.5);
  EXPECT_EQ(g.value(), 0.5);
  g.Set(7);
  EXPECT_THAT(metrics.RenderPrometheus(), HasSubstr("# TYPE open gauge\nopen 7\n"));
}

TEST(PrometheusMetricsTest, HistogramBucketsAreCumulative) {
  PrometheusMetrics metrics;
  Histogram& h = metrics.AddHistogram("lat_seconds", "Latency.", {"method"}, {0.1, 1})
                     .WithLabels({"GetSecrets"});
  h.Observe(0.05);
  h.Observe(0.1);  // inclusive upper bound
  h.Observe(0.5);
  h.Observe(5);
  EXPECT_EQ(h.count(), 4u);
  EXPECT_DOUBLE_EQ(h.sum(), 5.65);
  const std::string text = metrics.RenderPrometheus();
  EXPECT_THAT(text, HasSubstr("lat_seconds_count{method=\"GetSecrets\"} 4\n"));
  EXPECT_THAT(text, HasSubstr("lat_seconds_bucket{method=\"GetSecrets\",le=\"0.1\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("lat_seconds_bucket{method=\"GetSecrets\",le=\"1\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("lat_seconds_bucket{method=\"GetSecrets\",le=\"+Inf\"} 4\n"));
}

TEST(PrometheusMetricsTest, CallbacksAreReadAtEachRendering) {
  PrometheusMetrics metrics;
  std::atomic<int> hits{3};
  metrics.AddCallback(MetricKind::kCounter, "cache_requests_total", "Lookups.",
                      {{"cache", "token"}, {"result", "hit"}}, [&] { return hits.load(); });
  metrics.AddCallback(MetricKind::kCounter, "cache_requests_total", "Lookups.",
                      {{"cache", "token"}, {"result", "miss"}}, [] { return 1.0; });
  metrics.AddCallback(MetricKind::kGauge, "key_version", "Version.", {}, [] { return 2.0; });
  std::string text = metrics.RenderPrometheus();
  EXPECT_THAT(text, HasSubstr("# TYPE cache_requests_total counter\n"
                              "cache_requests_total{cache=\"token\",result=\"hit\"} 3\n"
                              "cache_requests_total{cache=\"token\",result=\"miss\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE key_version gauge\nkey_version 2\n"));
  hits = 10;
  EXPECT_THAT(metrics.RenderPrometheus(),
              HasSubstr("cache_requests_total{cache=\"token\",result=\"hit\"} 10\n"));
}

TEST(PrometheusMetricsTest, FamiliesAreSortedByName) {
  PrometheusMetrics metrics;
  metrics.AddGauge("b_gauge", "B.").Get().Set(1);
  metrics.AddCounter("c_total", "C.").Get().Increment();
  metrics.AddCallback(MetricKind::kGauge, "a_gauge", "A.", {}, [] { return 1.0; });
  const std::string text = metrics.RenderPrometheus();
  const auto a = text.find("# HELP a_gauge");
  const auto b = text.find("# HELP b_gauge");
  const auto c = text.find("# HELP c_total");
  ASSERT_NE(a, std::string::npos);
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
}

TEST(PrometheusMetricsTest, LabelValuesAreEscaped) {
  PrometheusMetrics metrics;
  metrics.AddCounter("e_total", "E.", {"k"}).WithLabels({"a\"b\\c\nd"}).Increment();
  EXPECT_THAT(metrics.RenderPrometheus(), HasSubstr("e_total{k=\"a\\\"b\\\\c\\nd\"} 1\n"));
}

TEST(PrometheusMetricsTest, ConcurrentUpdatesAreAllCounted) {
  PrometheusMetrics metrics;
  CounterFamily& family = metrics.AddCounter("n_total", "N.", {"t"});
  Histogram& h = metrics.AddHistogram("h_seconds", "H.", {}).Get();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10000; ++i) {
        family.WithLabels({t % 2 == 0 ? "even" : "odd"}).Increment();
        h.Observe(0.001);
        if (i % 1000 == 0) (void)metrics.RenderPrometheus();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(family.WithLabels({"even"}).value(), 20000);
  EXPECT_EQ(family.WithLabels({"odd"}).value(), 20000);
  EXPECT_EQ(h.count(), 40000u);
}

TEST(PrometheusMetricsDeathTest, MisuseAborts) {
  EXPECT_DEATH(
      {
        PrometheusMetrics m;
        m.AddCounter("bad name", "x");
      },
      "invalid metric name");
  EXPECT_DEATH(
      {
        PrometheusMetrics m;
        m.AddCounter("x_total", "x", {"a"}).WithLabels({"1", "2"});
      },
      "wrong number of label values");
  EXPECT_DEATH(
      {
        PrometheusMetrics m;
        m.AddCounter("x_total", "x");
        m.AddGauge("x_total", "x");
      },
      "another kind");
  EXPECT_DEATH(
      {
        PrometheusMetrics m;
        m.AddHistogram("h", "x", {"le"});
      },
      "reserved");
  EXPECT_DEATH(
      {
        PrometheusMetrics m;
        m.AddHistogram("h", "x", {}, {1, 1});
      },
      "strictly increasing");
}

}  // namespace
}  // namespace voxsecrets::metrics
