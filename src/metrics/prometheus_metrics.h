// PrometheusMetrics: the Metrics registry (common/metrics.h) implemented with prometheus-cpp's
// core library (counters, gauges and histograms with atomic updates; TextSerializer for the
// exposition). prometheus-cpp enters the project here and nowhere else: its `pull` part (an
// embedded civetweb HTTP server) is not used; our own HTTP server answers GET /metrics with
// RenderPrometheus().
//
// Only the composition root (server/) makes one; tests of the layers may too.
//
// Thread-safety, ownership and misuse: as common/metrics.h says. Families are rendered sorted by
// name, then children by label values.
#ifndef VOXSECRETS_METRICS_PROMETHEUS_METRICS_H_
#define VOXSECRETS_METRICS_PROMETHEUS_METRICS_H_

#include <memory>

#include "common/metrics.h"

namespace voxsecrets::metrics {

class PrometheusMetrics final : public Metrics {
 public:
  PrometheusMetrics();
  ~PrometheusMetrics() override;
  PrometheusMetrics(const PrometheusMetrics&) = delete;
  PrometheusMetrics& operator=(const PrometheusMetrics&) = delete;

  CounterFamily& AddCounter(std::string_view name, std::string_view help,
                            std::vector<std::string> label_names = {}) override;
  GaugeFamily& AddGauge(std::string_view name, std::string_view help,
                        std::vector<std::string> label_names = {}) override;
  HistogramFamily& AddHistogram(std::string_view name, std::string_view help,
                                std::vector<std::string> label_names,
                                std::vector<double> upper_bounds = LatencyBuckets()) override;
  void AddCallback(MetricKind kind, std::string_view name, std::string_view help,
                   MetricLabels labels, std::function<double()> read) override;
  std::string RenderPrometheus() const override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace voxsecrets::metrics

#endif  // VOXSECRETS_METRICS_PROMETHEUS_METRICS_H_
