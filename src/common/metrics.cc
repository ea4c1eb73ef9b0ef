#include "common/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <type_traits>
#include <variant>

namespace voxsecrets {
namespace {

[[noreturn]] void Misuse(std::string_view what, std::string_view name) {
  std::fprintf(stderr, "voxsecrets: metrics misuse: %.*s (%.*s)\n", static_cast<int>(what.size()),
               what.data(), static_cast<int>(name.size()), name.data());
  std::abort();
}

bool IsMetricName(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

bool IsLabelName(std::string_view s) {
  if (s.empty() || s.substr(0, 2) == "__") return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

// Prometheus float syntax: shortest round-trip decimal, "+Inf", "-Inf", "NaN".
void AppendDouble(double v, std::string* out) {
  if (std::isnan(v)) {
    out->append("NaN");
  } else if (std::isinf(v)) {
    out->append(v > 0 ? "+Inf" : "-Inf");
  } else {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
    out->append(buf, ec == std::errc() ? end : buf);
  }
}

// HELP text escapes backslash and newline; label values also escape the double quote.
void AppendEscaped(std::string_view s, bool quote, std::string* out) {
  for (char c : s) {
    if (c == '\\') {
      out->append("\\\\");
    } else if (c == '\n') {
      out->append("\\n");
    } else if (quote && c == '"') {
      out->append("\\\"");
    } else {
      out->push_back(c);
    }
  }
}

// `{a="x",b="y"` plus an optional extra label, then `}`; nothing when there are no labels.
void AppendLabels(const std::vector<std::string>& names, const std::vector<std::string>& values,
                  std::string_view extra_name, std::string_view extra_value, std::string* out) {
  if (names.empty() && extra_name.empty()) return;
  out->push_back('{');
  bool first = true;
  for (size_t i = 0; i < names.size(); ++i) {
    if (!first) out->push_back(',');
    first = false;
    out->append(names[i]).append("=\"");
    AppendEscaped(values[i], /*quote=*/true, out);
    out->push_back('"');
  }
  if (!extra_name.empty()) {
    if (!first) out->push_back(',');
    out->append(extra_name).append("=\"").append(extra_value).push_back('"');
  }
  out->push_back('}');
}

template <typename T>
constexpr std::string_view TypeName() {
  if constexpr (std::is_same_v<T, Counter>) {
    return "counter";
  } else if constexpr (std::is_same_v<T, Gauge>) {
    return "gauge";
  } else {
    return "histogram";
  }
}

}  // namespace

// ---- Histogram ----

Histogram::Histogram(std::vector<double> upper_bounds)
    : upper_bounds_(std::move(upper_bounds)),
      buckets_(new std::atomic<uint64_t>[upper_bounds_.size() + 1]) {
  for (size_t i = 0; i <= upper_bounds_.size(); ++i) buckets_[i].store(0);
  for (size_t i = 0; i < upper_bounds_.size(); ++i) {
    if (!std::isfinite(upper_bounds_[i]) || (i > 0 && upper_bounds_[i] <= upper_bounds_[i - 1])) {
      Misuse("histogram bounds must be finite and strictly increasing", "");
    }
  }
}

void Histogram::Observe(double value) {
  // Buckets are few (~14): lower_bound is as cheap as a linear scan and handles any size.
  const size_t i = static_cast<size_t>(
      std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), value) - upper_bounds_.begin());
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

std::vector<uint64_t> Histogram::BucketCounts() const {
  std::vector<uint64_t> out(upper_bounds_.size() + 1);
  for (size_t i = 0; i < out.size(); ++i) out[i] = buckets_[i].load(std::memory_order_relaxed);
  return out;
}

uint64_t Histogram::count() const {
  uint64_t n = 0;
  for (size_t i = 0; i <= upper_bounds_.size(); ++i) {
    n += buckets_[i].load(std::memory_order_relaxed);
  }
  return n;
}

std::vector<double> Histogram::LatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

// ---- label ordering ----

namespace metrics_internal {
namespace {
template <typename A, typename B>
bool Less(const A& a, const B& b) {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                      [](std::string_view x, std::string_view y) { return x < y; });
}
}  // namespace

bool LabelValuesLess::operator()(const std::vector<std::string>& a,
                                 const std::vector<std::string>& b) const {
  return Less(a, b);
}
bool LabelValuesLess::operator()(const std::vector<std::string>& a,
                                 std::span<const std::string_view> b) const {
  return Less(a, b);
}
bool LabelValuesLess::operator()(std::span<const std::string_view> a,
                                 const std::vector<std::string>& b) const {
  return Less(a, b);
}
}  // namespace metrics_internal

// ---- Family ----

template <typename T>
Family<T>::Family(std::string name, std::string help, std::vector<std::string> label_names,
                  std::vector<double> bucket_bounds)
    : name_(std::move(name)),
      help_(std::move(help)),
      label_names_(std::move(label_names)),
      bucket_bounds_(std::move(bucket_bounds)) {
  // A family without labels has exactly one child; create it now so it renders as 0 at once.
  if (label_names_.empty()) children_.emplace(std::vector<std::string>(), MakeChild());
}

template <typename T>
std::unique_ptr<T> Family<T>::MakeChild() const {
  if constexpr (std::is_same_v<T, Histogram>) {
    return std::make_unique<Histogram>(bucket_bounds_);
  } else {
    return std::make_unique<T>();
  }
}

template <typename T>
T& Family<T>::WithLabels(std::span<const std::string_view> label_values) {
  if (label_values.size() != label_names_.size()) Misuse("wrong number of label values", name_);
  {
    ReaderMutexLock lock(mu_);
    auto it = children_.find(label_values);
    if (it != children_.end()) return *it->second;
  }
  WriterMutexLock lock(mu_);
  auto it = children_.find(label_values);
  if (it == children_.end()) {
    it = children_
             .emplace(std::vector<std::string>(label_values.begin(), label_values.end()),
                      MakeChild())
             .first;
  }
  return *it->second;
}

template <typename T>
void Family<T>::Render(std::string* out) const {
  out->append("# HELP ").append(name_).push_back(' ');
  AppendEscaped(help_, /*quote=*/false, out);
  out->append("\n# TYPE ").append(name_).push_back(' ');
  out->append(TypeName<T>()).push_back('\n');

  ReaderMutexLock lock(mu_);
  for (const auto& [values, child] : children_) {
    if constexpr (std::is_same_v<T, Histogram>) {
      const std::vector<uint64_t> counts = child->BucketCounts();
      uint64_t cumulative = 0;
      for (size_t i = 0; i < counts.size(); ++i) {
        cumulative += counts[i];
        std::string le;
        if (i < bucket_bounds_.size()) {
          AppendDouble(bucket_bounds_[i], &le);
        } else {
          le = "+Inf";
        }
        out->append(name_).append("_bucket");
        AppendLabels(label_names_, values, "le", le, out);
        out->append(" ").append(std::to_string(cumulative)).push_back('\n');
      }
      out->append(name_).append("_sum");
      AppendLabels(label_names_, values, "", "", out);
      out->push_back(' ');
      AppendDouble(child->sum(), out);
      out->push_back('\n');
      out->append(name_).append("_count");
      AppendLabels(label_names_, values, "", "", out);
      out->append(" ").append(std::to_string(cumulative)).push_back('\n');
    } else {
      out->append(name_);
      AppendLabels(label_names_, values, "", "", out);
      out->append(" ").append(std::to_string(child->value())).push_back('\n');
    }
  }
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

// ---- Metrics ----

struct Metrics::Entry {
  std::variant<std::unique_ptr<CounterFamily>, std::unique_ptr<GaugeFamily>,
               std::unique_ptr<HistogramFamily>>
      family;
};

Metrics::Metrics() = default;
Metrics::~Metrics() = default;

template <typename T>
Family<T>& Metrics::Add(std::string_view name, std::string_view help,
                        std::vector<std::string> label_names, std::vector<double> bounds) {
  if (!IsMetricName(name)) Misuse("invalid metric name", name);
  for (const std::string& label : label_names) {
    if (!IsLabelName(label)) Misuse("invalid label name", label);
    if (std::is_same_v<T, Histogram> && label == "le") Misuse("'le' is reserved", name);
  }
  MutexLock lock(mu_);
  auto it = families_.find(name);
  if (it != families_.end()) {
    auto* existing = std::get_if<std::unique_ptr<Family<T>>>(&it->second->family);
    if (existing == nullptr) Misuse("re-registered with another kind", name);
    Family<T>& family = **existing;
    if (family.label_names_ != label_names || family.bucket_bounds_ != bounds) {
      Misuse("re-registered with other labels or buckets", name);
    }
    return family;
  }
  auto entry = std::make_unique<Entry>();
  // The constructor is private (Metrics is a friend), so make_unique cannot be used.
  auto family = std::unique_ptr<Family<T>>(new Family<T>(
      std::string(name), std::string(help), std::move(label_names), std::move(bounds)));
  Family<T>& ref = *family;
  entry->family = std::move(family);
  families_.emplace(std::string(name), std::move(entry));
  return ref;
}

CounterFamily& Metrics::AddCounter(std::string_view name, std::string_view help,
                                   std::vector<std::string> label_names) {
  return Add<Counter>(name, help, std::move(label_names), {});
}

GaugeFamily& Metrics::AddGauge(std::string_view name, std::string_view help,
                               std::vector<std::string> label_names) {
  return Add<Gauge>(name, help, std::move(label_names), {});
}

HistogramFamily& Metrics::AddHistogram(std::string_view name, std::string_view help,
                                       std::vector<std::string> label_names,
                                       std::vector<double> upper_bounds) {
  // Validate here too so that the error names the family.
  for (size_t i = 0; i < upper_bounds.size(); ++i) {
    if (!std::isfinite(upper_bounds[i]) || (i > 0 && upper_bounds[i] <= upper_bounds[i - 1])) {
      Misuse("histogram bounds must be finite and strictly increasing", name);
    }
  }
  return Add<Histogram>(name, help, std::move(label_names), std::move(upper_bounds));
}

std::string Metrics::RenderPrometheus() const {
  std::string out;
  MutexLock lock(mu_);
  for (const auto& [name, entry] : families_) {
    std::visit([&out](const auto& family) { family->Render(&out); }, entry->family);
  }
  return out;
}

}  // namespace voxsecrets
