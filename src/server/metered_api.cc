#include "server/metered_api.h"

#include <chrono>
#include <string>
#include <utility>

namespace voxsecrets::server {

MeteredApi::MeteredApi(api::ApiHandler& inner, const std::vector<std::string>& method_names,
                       Metrics& metrics)
    : inner_(inner),
      requests_(metrics.AddCounter("voxsecrets_api_requests_total",
                                   "API calls answered, by method and Voximplant error code "
                                   "(0 = success; unknown methods count as method=\"unknown\").",
                                   {"method", "code"})) {
  HistogramFamily& durations =
      metrics.AddHistogram("voxsecrets_api_request_duration_seconds",
                           "Time an API call spends in the server (store, audit, crypto), by "
                           "method.",
                           {"method"});
  auto make = [&](const std::string& label) {
    PerMethod m;
    m.label = label;
    m.duration = &durations.WithLabels({label});
    m.ok = &requests_.WithLabels({label, "0"});
    return m;
  };
  for (const std::string& name : method_names) methods_.emplace(name, make(name));
  unknown_ = make("unknown");
}

const MeteredApi::PerMethod& MeteredApi::Find(const std::string& method) const {
  auto it = methods_.find(method);
  return it == methods_.end() ? unknown_ : it->second;
}

const std::string& MeteredApi::MethodLabel(const std::string& method) const {
  return Find(method).label;
}

api::ApiResponse MeteredApi::Handle(const api::ApiRequest& request) {
  const auto started = std::chrono::steady_clock::now();
  api::ApiResponse response = inner_.Handle(request);
  Record(Find(request.method), started, response);
  return response;
}

void MeteredApi::HandleAsync(api::ApiRequest request, Completion done) {
  const auto started = std::chrono::steady_clock::now();
  const PerMethod& m = Find(request.method);
  inner_.HandleAsync(std::move(request),
                     [this, &m, started, done = std::move(done)](api::ApiResponse response) {
                       Record(m, started, response);
                       done(std::move(response));
                     });
}

void MeteredApi::Record(const PerMethod& m, std::chrono::steady_clock::time_point started,
                        const api::ApiResponse& response) const {
  m.duration->Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  if (response.error_code == 0) {
    m.ok->Increment();
  } else {
    requests_.WithLabels({m.label, std::to_string(response.error_code)}).Increment();
  }
}

}  // namespace voxsecrets::server
