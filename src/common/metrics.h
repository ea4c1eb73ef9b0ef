// Metrics: the seam through which every layer records metrics. No implementation here and no
// third-party type: the registry is made by the composition root (server/) from metrics/
// (PrometheusMetrics, prometheus-cpp core), and the layers only see these interfaces.
//
// Usage: register a family once at start-up and keep the child handles used on the hot path:
//
//   CounterFamily& requests = metrics.AddCounter("voxsecrets_http_requests_total",
//                                                "HTTP requests answered.", {"route", "status"});
//   Counter& api_ok = requests.WithLabels({"api", "200"});   // stable reference, cache it
//   api_ok.Increment();                                       // an atomic add
//
// State that a component keeps anyway (cache hit counts, a queue's length, the master key
// version) is better read when metrics are rendered than pushed on every change: AddCallback().
//
// Names follow Prometheus: metric names match [a-zA-Z_:][a-zA-Z0-9_:]*, label names
// [a-zA-Z_][a-zA-Z0-9_]* (no leading "__"; "le" is reserved for histograms). Label values become
// series forever: never use unbounded or caller-controlled values (ids, names, tokens) as label
// values; map them to a bounded set first (e.g. unknown API methods → "unknown").
//
// Thread-safety: everything may be used from any thread. Updating a child is lock-free;
// WithLabels() takes a shared lock (an exclusive one the first time a label combination appears).
// RenderPrometheus() may run concurrently with updates; it sees each value at some instant, not
// one snapshot of all values.
//
// Ownership/lifetimes: the Metrics owns every family and child; references returned by Add*() and
// WithLabels() stay valid for its lifetime. Misuse (a bad name, a wrong number of label values,
// one name registered twice with another kind, labels or buckets) aborts: it is a programming
// error.
#ifndef VOXSECRETS_COMMON_METRICS_H_
#define VOXSECRETS_COMMON_METRICS_H_

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace voxsecrets {

// A monotonically increasing count.
class Counter {
 public:
  virtual ~Counter() = default;
  virtual void Increment(double n = 1) = 0;  // REQUIRES: n >= 0
  virtual double value() const = 0;
};

// A value that goes up and down (open connections, requests in flight).
class Gauge {
 public:
  virtual ~Gauge() = default;
  virtual void Set(double v) = 0;
  virtual void Add(double n) = 0;
  void Increment() { Add(1); }
  void Decrement() { Add(-1); }
  virtual double value() const = 0;
};

// Counts observations into fixed buckets (upper bounds, inclusive, as Prometheus `le`), plus
// their sum and count.
class Histogram {
 public:
  virtual ~Histogram() = default;
  virtual void Observe(double value) = 0;
  virtual uint64_t count() const = 0;
  virtual double sum() const = 0;
};

// All children of one metric name, one per combination of label values.
template <typename T>
class Family {
 public:
  virtual ~Family() = default;
  // The child for these label values, created (at zero) on first use.
  // REQUIRES: as many values as the family has label names.
  virtual T& WithLabels(std::span<const std::string_view> label_values) = 0;
  T& WithLabels(std::initializer_list<std::string_view> label_values) {
    return WithLabels(std::span<const std::string_view>(label_values.begin(), label_values.size()));
  }
  // The only child of a family registered without labels.
  T& Get() { return WithLabels(std::span<const std::string_view>()); }
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

enum class MetricKind { kCounter, kGauge };

// Fixed label name/value pairs of one callback series.
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class Metrics {
 public:
  virtual ~Metrics() = default;

  // Register a family, or return the one already registered under `name` (REQUIRES: same kind,
  // label names and buckets).
  virtual CounterFamily& AddCounter(std::string_view name, std::string_view help,
                                    std::vector<std::string> label_names = {}) = 0;
  virtual GaugeFamily& AddGauge(std::string_view name, std::string_view help,
                                std::vector<std::string> label_names = {}) = 0;
  // REQUIRES: `upper_bounds` finite and strictly increasing (the +Inf bucket is implicit).
  virtual HistogramFamily& AddHistogram(std::string_view name, std::string_view help,
                                        std::vector<std::string> label_names,
                                        std::vector<double> upper_bounds = LatencyBuckets()) = 0;

  // One series whose value is `read()` at each rendering: a counter (`read` never decreases) or a
  // gauge. Several calls with one name add series (with different `labels`) to one family
  // (REQUIRES: same kind and label names). `read` runs inside RenderPrometheus() only, from any
  // thread: it must be thread-safe, quick and non-blocking, and what it reads must be alive
  // whenever RenderPrometheus() is called.
  virtual void AddCallback(MetricKind kind, std::string_view name, std::string_view help,
                           MetricLabels labels, std::function<double()> read) = 0;

  // Every family in the Prometheus text exposition format (version 0.0.4).
  // Content-Type: "text/plain; version=0.0.4; charset=utf-8".
  virtual std::string RenderPrometheus() const = 0;

  // Seconds, 0.5 ms .. 10 s: request latencies.
  static std::vector<double> LatencyBuckets() {
    return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  }
};

}  // namespace voxsecrets

#endif  // VOXSECRETS_COMMON_METRICS_H_
