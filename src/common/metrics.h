// Metrics: a small in-process registry of counters, gauges and histograms, rendered in the
// Prometheus text exposition format (version 0.0.4) for `GET /metrics`.
//
// Usage: register a family once at start-up and keep the child handles you use on the hot path:
//
//   CounterFamily& requests = metrics.AddCounter("voxsecrets_http_requests_total",
//                                                "HTTP requests answered.", {"route", "status"});
//   Counter& api_ok = requests.WithLabels({"api", "200"});   // stable reference, cache it
//   api_ok.Increment();                                       // one relaxed atomic add
//
// Thread-safety: everything here may be used from any thread. Updating a child is a relaxed
// atomic operation. WithLabels() takes a shared lock for lookup (an exclusive one the first time
// a label combination appears). RenderPrometheus() may run concurrently with updates; it sees each
// value at some instant but not one consistent snapshot of all values.
//
// Ownership/lifetimes: Metrics owns every family and child. References returned by AddCounter(),
// AddGauge(), AddHistogram() and WithLabels() stay valid for the lifetime of the Metrics object;
// children are never removed. Label values become part of the exposition forever, so never use
// unbounded or caller-controlled values (ids, names, tokens) as label values.
#ifndef VOXSECRETS_COMMON_METRICS_H_
#define VOXSECRETS_COMMON_METRICS_H_

#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/mutex.h"

namespace voxsecrets {

// A monotonically increasing count.
class Counter {
 public:
  void Increment(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A value that goes up and down (open connections, requests in flight).
class Gauge {
 public:
  void Set(int64_t v) { value_.store(v, std::memory_order_relaxed); }
  void Add(int64_t n) { value_.fetch_add(n, std::memory_order_relaxed); }
  void Increment() { Add(1); }
  void Decrement() { Add(-1); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

// Counts observations into fixed buckets (upper bounds, inclusive, as Prometheus `le`), plus
// their sum and count.
class Histogram {
 public:
  // REQUIRES: `upper_bounds` is strictly increasing and finite; it may be empty (then only the
  // implicit +Inf bucket exists).
  explicit Histogram(std::vector<double> upper_bounds);

  void Observe(double value);

  const std::vector<double>& upper_bounds() const { return upper_bounds_; }
  // Per-bucket (non-cumulative) counts; the last entry is the +Inf bucket.
  std::vector<uint64_t> BucketCounts() const;
  uint64_t count() const;
  double sum() const { return sum_.load(std::memory_order_relaxed); }

  // Seconds: 0.5 ms .. 10 s, suitable for request latencies.
  static std::vector<double> LatencyBuckets();

 private:
  const std::vector<double> upper_bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // upper_bounds_.size() + 1 entries
  std::atomic<double> sum_{0.0};
};

namespace metrics_internal {
// Orders label-value tuples; also compares a stored tuple with a lookup span (no allocation).
struct LabelValuesLess {
  using is_transparent = void;
  bool operator()(const std::vector<std::string>& a, const std::vector<std::string>& b) const;
  bool operator()(const std::vector<std::string>& a, std::span<const std::string_view> b) const;
  bool operator()(std::span<const std::string_view> a, const std::vector<std::string>& b) const;
};
}  // namespace metrics_internal

// All children of one metric name, one per combination of label values.
template <typename T>
class Family {
 public:
  Family(const Family&) = delete;
  Family& operator=(const Family&) = delete;

  // The child for these label values, created (at zero) on first use.
  // REQUIRES: label_values.size() equals the number of label names given at registration
  // (checked; a mismatch aborts, as it is a programming error).
  T& WithLabels(std::span<const std::string_view> label_values);
  T& WithLabels(std::initializer_list<std::string_view> label_values) {
    return WithLabels(std::span<const std::string_view>(label_values.begin(), label_values.size()));
  }
  // The only child of a family registered without labels.
  T& Get() { return WithLabels(std::span<const std::string_view>()); }

  const std::string& name() const { return name_; }
  const std::vector<std::string>& label_names() const { return label_names_; }

 private:
  friend class Metrics;
  Family(std::string name, std::string help, std::vector<std::string> label_names,
         std::vector<double> bucket_bounds);
  std::unique_ptr<T> MakeChild() const;
  // Appends the HELP/TYPE lines and every sample to `out`.
  void Render(std::string* out) const;

  const std::string name_;
  const std::string help_;
  const std::vector<std::string> label_names_;
  const std::vector<double> bucket_bounds_;  // histograms only
  mutable SharedMutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<T>, metrics_internal::LabelValuesLess>
      children_ GUARDED_BY(mu_);
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

extern template class Family<Counter>;
extern template class Family<Gauge>;
extern template class Family<Histogram>;

// The registry. Typically one per process, created by the wiring code and passed by reference.
class Metrics {
 public:
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Registers a family, or returns the one already registered under `name`.
  // REQUIRES: `name` matches [a-zA-Z_:][a-zA-Z0-9_:]*, each label name matches
  // [a-zA-Z_][a-zA-Z0-9_]* without a leading "__", and a repeated registration uses the same
  // kind, label names (and buckets). Violations abort: they are programming errors.
  CounterFamily& AddCounter(std::string_view name, std::string_view help,
                            std::vector<std::string> label_names = {});
  GaugeFamily& AddGauge(std::string_view name, std::string_view help,
                        std::vector<std::string> label_names = {});
  HistogramFamily& AddHistogram(std::string_view name, std::string_view help,
                                std::vector<std::string> label_names,
                                std::vector<double> upper_bounds = Histogram::LatencyBuckets());

  // The whole registry in the Prometheus text format, families sorted by name, children by label
  // values. Content-Type: "text/plain; version=0.0.4; charset=utf-8".
  std::string RenderPrometheus() const;

 private:
  struct Entry;
  template <typename T>
  Family<T>& Add(std::string_view name, std::string_view help, std::vector<std::string> label_names,
                 std::vector<double> bounds);

  mutable Mutex mu_;
  std::map<std::string, std::unique_ptr<Entry>, std::less<>> families_ GUARDED_BY(mu_);
};

}  // namespace voxsecrets

#endif  // VOXSECRETS_COMMON_METRICS_H_
