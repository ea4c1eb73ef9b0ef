#include "metrics/prometheus_metrics.h"

#include <prometheus/check_names.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <variant>

#include "common/mutex.h"

namespace voxsecrets::metrics {
namespace {

[[noreturn]] void Misuse(std::string_view what, std::string_view name) {
  std::fprintf(stderr, "voxsecrets: metrics misuse: %.*s (%.*s)\n", static_cast<int>(what.size()),
               what.data(), static_cast<int>(name.size()), name.data());
  std::abort();
}

void CheckNames(std::string_view name, const std::vector<std::string>& label_names,
                bool histogram) {
  if (!prometheus::CheckMetricName(std::string(name))) Misuse("invalid metric name", name);
  for (const std::string& label : label_names) {
    if (!prometheus::CheckLabelName(label)) Misuse("invalid label name", label);
    if (histogram && label == "le") Misuse("'le' is reserved for histograms", name);
  }
}

// Adapters from prometheus-cpp's metric types to the seam's.
class CounterAdapter final : public Counter {
 public:
  explicit CounterAdapter(prometheus::Counter& c) : c_(c) {}
  void Increment(double n) override { c_.Increment(n); }
  double value() const override { return c_.Value(); }

 private:
  prometheus::Counter& c_;
};

class GaugeAdapter final : public Gauge {
 public:
  explicit GaugeAdapter(prometheus::Gauge& g) : g_(g) {}
  void Set(double v) override { g_.Set(v); }
  void Add(double n) override {
    if (n >= 0) {
      g_.Increment(n);
    } else {
      g_.Decrement(-n);
    }
  }
  double value() const override { return g_.Value(); }

 private:
  prometheus::Gauge& g_;
};

class HistogramAdapter final : public Histogram {
 public:
  explicit HistogramAdapter(prometheus::Histogram& h) : h_(h) {}
  void Observe(double v) override { h_.Observe(v); }
  uint64_t count() const override { return h_.Collect().histogram.sample_count; }
  double sum() const override { return h_.Collect().histogram.sample_sum; }

 private:
  prometheus::Histogram& h_;
};

template <typename P>
struct AdapterOf;
template <>
struct AdapterOf<prometheus::Counter> {
  using Seam = Counter;
  using Type = CounterAdapter;
};
template <>
struct AdapterOf<prometheus::Gauge> {
  using Seam = Gauge;
  using Type = GaugeAdapter;
};
template <>
struct AdapterOf<prometheus::Histogram> {
  using Seam = Histogram;
  using Type = HistogramAdapter;
};

// Orders label-value tuples and compares a stored tuple with a lookup span (no allocation).
struct LabelValuesLess {
  using is_transparent = void;
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    return std::lexicographical_compare(
        a.begin(), a.end(), b.begin(), b.end(),
        [](std::string_view x, std::string_view y) { return x < y; });
  }
};

// One family: prometheus-cpp's, plus a cache of adapted children so that the hot path is a shared
// lock and a map lookup (prometheus-cpp's Family::Add locks a mutex and hashes a std::map).
template <typename P>
class FamilyImpl final : public Family<typename AdapterOf<P>::Seam> {
 public:
  using Seam = typename AdapterOf<P>::Seam;
  using Adapter = typename AdapterOf<P>::Type;

  FamilyImpl(prometheus::Family<P>& family, std::vector<std::string> label_names,
             std::vector<double> bounds)
      : family_(family), label_names_(std::move(label_names)), bounds_(std::move(bounds)) {}

  Seam& WithLabels(std::span<const std::string_view> values) override {
    if (values.size() != label_names_.size()) {
      Misuse("wrong number of label values", family_.GetName());
    }
    {
      ReaderMutexLock lock(mu_);
      auto it = children_.find(values);
      if (it != children_.end()) return *it->second;
    }
    WriterMutexLock lock(mu_);
    auto it = children_.find(values);
    if (it != children_.end()) return *it->second;
    prometheus::Labels labels;
    for (size_t i = 0; i < values.size(); ++i) labels.emplace(label_names_[i], values[i]);
    P* metric = nullptr;
    if constexpr (std::is_same_v<P, prometheus::Histogram>) {
      metric = &family_.Add(labels, prometheus::Histogram::BucketBoundaries(bounds_));
    } else {
      metric = &family_.Add(labels);
    }
    auto inserted = children_.emplace(std::vector<std::string>(values.begin(), values.end()),
                                      std::make_unique<Adapter>(*metric));
    return *inserted.first->second;
  }

  const std::vector<std::string>& label_names() const { return label_names_; }
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  prometheus::Family<P>& family_;
  const std::vector<std::string> label_names_;
  const std::vector<double> bounds_;
  SharedMutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<Adapter>, LabelValuesLess> children_
      GUARDED_BY(mu_);
};

struct CallbackSeries {
  MetricLabels labels;
  std::function<double()> read;
};

struct CallbackFamily {
  MetricKind kind = MetricKind::kGauge;
  std::string help;
  std::vector<std::string> label_names;
  std::vector<CallbackSeries> series;
};

}  // namespace

struct PrometheusMetrics::Impl {
  // prometheus-cpp's registry refuses nothing we need; our own map checks re-registration.
  prometheus::Registry registry;
  mutable Mutex mu;
  std::map<std::string,
           std::variant<std::unique_ptr<FamilyImpl<prometheus::Counter>>,
                        std::unique_ptr<FamilyImpl<prometheus::Gauge>>,
                        std::unique_ptr<FamilyImpl<prometheus::Histogram>>>,
           std::less<>>
      families GUARDED_BY(mu);
  std::map<std::string, CallbackFamily, std::less<>> callbacks GUARDED_BY(mu);

  template <typename P, typename Builder>
  FamilyImpl<P>& Add(std::string_view name, std::string_view help,
                     std::vector<std::string> label_names, std::vector<double> bounds,
                     Builder builder) {
    CheckNames(name, label_names, std::is_same_v<P, prometheus::Histogram>);
    MutexLock lock(mu);
    if (callbacks.count(name) != 0) Misuse("registered twice with another kind", name);
    auto it = families.find(name);
    if (it != families.end()) {
      auto* existing = std::get_if<std::unique_ptr<FamilyImpl<P>>>(&it->second);
      if (existing == nullptr) Misuse("registered twice with another kind", name);
      if ((*existing)->label_names() != label_names || (*existing)->bounds() != bounds) {
        Misuse("registered twice with other labels or buckets", name);
      }
      return **existing;
    }
    prometheus::Family<P>& family =
        builder().Name(std::string(name)).Help(std::string(help)).Register(registry);
    auto impl = std::make_unique<FamilyImpl<P>>(family, std::move(label_names), std::move(bounds));
    FamilyImpl<P>& ref = *impl;
    families.emplace(std::string(name), std::move(impl));
    return ref;
  }
};

PrometheusMetrics::PrometheusMetrics() : impl_(std::make_unique<Impl>()) {}
PrometheusMetrics::~PrometheusMetrics() = default;

CounterFamily& PrometheusMetrics::AddCounter(std::string_view name, std::string_view help,
                                             std::vector<std::string> label_names) {
  return impl_->Add<prometheus::Counter>(name, help, std::move(label_names), {},
                                         [] { return prometheus::BuildCounter(); });
}

GaugeFamily& PrometheusMetrics::AddGauge(std::string_view name, std::string_view help,
                                         std::vector<std::string> label_names) {
  return impl_->Add<prometheus::Gauge>(name, help, std::move(label_names), {},
                                       [] { return prometheus::BuildGauge(); });
}

HistogramFamily& PrometheusMetrics::AddHistogram(std::string_view name, std::string_view help,
                                                 std::vector<std::string> label_names,
                                                 std::vector<double> upper_bounds) {
  for (size_t i = 0; i < upper_bounds.size(); ++i) {
    if (!std::isfinite(upper_bounds[i]) || (i > 0 && upper_bounds[i] <= upper_bounds[i - 1])) {
      Misuse("histogram bounds must be finite and strictly increasing", name);
    }
  }
  return impl_->Add<prometheus::Histogram>(name, help, std::move(label_names),
                                           std::move(upper_bounds),
                                           [] { return prometheus::BuildHistogram(); });
}

void PrometheusMetrics::AddCallback(MetricKind kind, std::string_view name, std::string_view help,
                                    MetricLabels labels, std::function<double()> read) {
  std::vector<std::string> label_names;
  for (const auto& [label, value] : labels) label_names.push_back(label);
  CheckNames(name, label_names, /*histogram=*/false);
  if (!read) Misuse("callback without a function", name);
  MutexLock lock(impl_->mu);
  if (impl_->families.count(name) != 0) Misuse("registered twice with another kind", name);
  auto it = impl_->callbacks.find(name);
  if (it == impl_->callbacks.end()) {
    it = impl_->callbacks
             .emplace(std::string(name), CallbackFamily{kind, std::string(help), label_names, {}})
             .first;
  } else if (it->second.kind != kind || it->second.label_names != label_names) {
    Misuse("registered twice with another kind or labels", name);
  }
  for (const CallbackSeries& s : it->second.series) {
    if (s.labels == labels) Misuse("callback series registered twice", name);
  }
  it->second.series.push_back(CallbackSeries{std::move(labels), std::move(read)});
}

std::string PrometheusMetrics::RenderPrometheus() const {
  std::vector<prometheus::MetricFamily> families = impl_->registry.Collect();
  {
    MutexLock lock(impl_->mu);
    for (const auto& [name, family] : impl_->callbacks) {
      prometheus::MetricFamily out;
      out.name = name;
      out.help = family.help;
      out.type = family.kind == MetricKind::kCounter ? prometheus::MetricType::Counter
                                                     : prometheus::MetricType::Gauge;
      for (const CallbackSeries& s : family.series) {
        prometheus::ClientMetric metric;
        for (const auto& [label, value] : s.labels) metric.label.push_back({label, value});
        std::sort(metric.label.begin(), metric.label.end());
        const double v = s.read();
        if (family.kind == MetricKind::kCounter) {
          metric.counter.value = v;
        } else {
          metric.gauge.value = v;
        }
        out.metric.push_back(std::move(metric));
      }
      families.push_back(std::move(out));
    }
  }
  std::sort(families.begin(), families.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  for (auto& family : families) {
    std::sort(family.metric.begin(), family.metric.end(),
              [](const auto& a, const auto& b) { return a.label < b.label; });
  }
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace voxsecrets::metrics
