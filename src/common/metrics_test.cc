#include "common/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace voxsecrets {
namespace {

using ::testing::HasSubstr;

TEST(MetricsTest, UnlabelledCounterRendersAtZeroThenCounts) {
  Metrics metrics;
  Counter& c = metrics.AddCounter("x_total", "Things.").Get();
  EXPECT_EQ(metrics.RenderPrometheus(),
            "# HELP x_total Things.\n# TYPE x_total counter\nx_total 0\n");
  c.Increment();
  c.Increment(4);
  EXPECT_EQ(c.value(), 5u);
  EXPECT_THAT(metrics.RenderPrometheus(), HasSubstr("\nx_total 5\n"));
}

TEST(MetricsTest, LabelledChildrenAreSeparateAndSorted) {
  Metrics metrics;
  CounterFamily& family = metrics.AddCounter("req_total", "Requests.", {"route", "status"});
  family.WithLabels({"health", "200"}).Increment();
  family.WithLabels({"api", "200"}).Increment(2);
  family.WithLabels({"api", "413"}).Increment();
  family.WithLabels({"api", "200"}).Increment();
  EXPECT_EQ(metrics.RenderPrometheus(),
            "# HELP req_total Requests.\n"
            "# TYPE req_total counter\n"
            "req_total{route=\"api\",status=\"200\"} 3\n"
            "req_total{route=\"api\",status=\"413\"} 1\n"
            "req_total{route=\"health\",status=\"200\"} 1\n");
}

TEST(MetricsTest, WithLabelsReturnsAStableHandle) {
  Metrics metrics;
  CounterFamily& family = metrics.AddCounter("a_total", "A.", {"k"});
  Counter* first = &family.WithLabels({"v"});
  for (int i = 0; i < 100; ++i) family.WithLabels({"other" + std::to_string(i)});
  EXPECT_EQ(first, &family.WithLabels({"v"}));
}

TEST(MetricsTest, ReRegistrationReturnsTheSameFamily) {
  Metrics metrics;
  CounterFamily& a = metrics.AddCounter("a_total", "A.", {"k"});
  CounterFamily& b = metrics.AddCounter("a_total", "A.", {"k"});
  EXPECT_EQ(&a, &b);
}

TEST(MetricsTest, FamiliesRenderSortedByName) {
  Metrics metrics;
  metrics.AddGauge("zeta", "Z.").Get().Set(-3);
  metrics.AddCounter("alpha_total", "A.").Get().Increment();
  const std::string text = metrics.RenderPrometheus();
  EXPECT_LT(text.find("alpha_total 1"), text.find("zeta -3"));
  EXPECT_THAT(text, HasSubstr("# TYPE zeta gauge\nzeta -3\n"));
}

TEST(MetricsTest, GaugeGoesUpAndDown) {
  Metrics metrics;
  Gauge& g = metrics.AddGauge("open", "Open.").Get();
  g.Increment();
  g.Increment();
  g.Decrement();
  g.Add(10);
  EXPECT_EQ(g.value(), 11);
  g.Set(2);
  EXPECT_EQ(g.value(), 2);
}

TEST(MetricsTest, HistogramBucketsAreCumulativeWithSumAndCount) {
  Metrics metrics;
  Histogram& h =
      metrics.AddHistogram("lat_seconds", "Latency.", {"route"}, {0.1, 1, 2.5}).WithLabels({"api"});
  h.Observe(0.05);  // le=0.1
  h.Observe(0.1);   // le=0.1 (bounds are inclusive)
  h.Observe(0.5);   // le=1
  h.Observe(7);     // +Inf
  EXPECT_EQ(h.count(), 4u);
  EXPECT_DOUBLE_EQ(h.sum(), 7.65);
  EXPECT_EQ(h.BucketCounts(), (std::vector<uint64_t>{2, 1, 0, 1}));
  EXPECT_EQ(metrics.RenderPrometheus(),
            "# HELP lat_seconds Latency.\n"
            "# TYPE lat_seconds histogram\n"
            "lat_seconds_bucket{route=\"api\",le=\"0.1\"} 2\n"
            "lat_seconds_bucket{route=\"api\",le=\"1\"} 3\n"
            "lat_seconds_bucket{route=\"api\",le=\"2.5\"} 3\n"
            "lat_seconds_bucket{route=\"api\",le=\"+Inf\"} 4\n"
            "lat_seconds_sum{route=\"api\"} 7.65\n"
            "lat_seconds_count{route=\"api\"} 4\n");
}

TEST(MetricsTest, UnlabelledHistogramRendersLeOnly) {
  Metrics metrics;
  metrics.AddHistogram("h", "H.", {}, {1}).Get().Observe(3);
  EXPECT_THAT(metrics.RenderPrometheus(),
              HasSubstr("h_bucket{le=\"1\"} 0\nh_bucket{le=\"+Inf\"} 1\n"
                        "h_sum 3\nh_count 1\n"));
}

TEST(MetricsTest, LabelValuesAndHelpAreEscaped) {
  Metrics metrics;
  metrics.AddCounter("e_total", "Line1\nback\\slash \"q\"", {"v"})
      .WithLabels({"a\"b\\c\nd"})
      .Increment();
  const std::string text = metrics.RenderPrometheus();
  EXPECT_THAT(text, HasSubstr("# HELP e_total Line1\\nback\\\\slash \"q\"\n"));
  EXPECT_THAT(text, HasSubstr("e_total{v=\"a\\\"b\\\\c\\nd\"} 1\n"));
}

TEST(MetricsTest, ConcurrentUpdatesAreNotLost) {
  Metrics metrics;
  CounterFamily& family = metrics.AddCounter("c_total", "C.", {"t"});
  Histogram& h = metrics.AddHistogram("h", "H.", {}, {1}).Get();
  constexpr int kThreads = 4;
  constexpr int kPerThread = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        // Every thread creates and looks up children concurrently, including a shared one.
        family.WithLabels({"shared"}).Increment();
        family.WithLabels({std::to_string(t)}).Increment();
        h.Observe(0.5);
        if (i % 1000 == 0) (void)metrics.RenderPrometheus();
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(family.WithLabels({"shared"}).value(), uint64_t{kThreads} * kPerThread);
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(family.WithLabels({std::to_string(t)}).value(), uint64_t{kPerThread});
  }
  EXPECT_EQ(h.count(), uint64_t{kThreads} * kPerThread);
  EXPECT_DOUBLE_EQ(h.sum(), 0.5 * kThreads * kPerThread);
}

TEST(MetricsDeathTest, MisuseAborts) {
  Metrics metrics;
  metrics.AddCounter("k_total", "K.", {"a"});
  EXPECT_DEATH(metrics.AddGauge("k_total", "K."), "another kind");
  EXPECT_DEATH(metrics.AddCounter("k_total", "K.", {"b"}), "other labels");
  EXPECT_DEATH(metrics.AddCounter("bad-name", "B."), "invalid metric name");
  EXPECT_DEATH(metrics.AddCounter("x", "X.", {"__reserved"}), "invalid label name");
  EXPECT_DEATH(metrics.AddCounter("k_total", "K.", {"a"}).WithLabels({"1", "2"}),
               "wrong number of label values");
  EXPECT_DEATH(metrics.AddHistogram("hh", "H.", {}, {2, 1}), "strictly increasing");
}

}  // namespace
}  // namespace voxsecrets
