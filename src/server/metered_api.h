// MeteredApi: an api::ApiHandler that records, for every API call it passes to the handler it
// wraps (the Dispatcher), the per-method metrics:
//
//   voxsecrets_api_requests_total{method,code}         counter: calls answered, by method and
//                                                       Voximplant error code ("0" = success)
//   voxsecrets_api_request_duration_seconds{method}    histogram: time in the handler (the
//                                                       database, the audit record's commit and
//                                                       the crypto included; not the network)
//
// `method` is bounded: a name of the method table, or "unknown" for anything else (a missing or
// misspelt method, attacker-chosen strings), so callers cannot grow the series. `code` is bounded
// by the error table. Every known method's histogram exists from the start, so a method never
// called shows 0 rather than nothing.
//
// Thread-safety: Handle and HandleAsync may be called concurrently (as ApiHandler requires).
// Lifetimes: `inner` and `metrics` must outlive it.
#ifndef VOXSECRETS_SERVER_METERED_API_H_
#define VOXSECRETS_SERVER_METERED_API_H_

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "api/api_types.h"
#include "common/metrics.h"

namespace voxsecrets::server {

class MeteredApi final : public api::ApiHandler {
 public:
  MeteredApi(api::ApiHandler& inner, const std::vector<std::string>& method_names,
             Metrics& metrics);
  MeteredApi(const MeteredApi&) = delete;
  MeteredApi& operator=(const MeteredApi&) = delete;

  api::ApiResponse Handle(const api::ApiRequest& request) override;
  // Passes the call on through the inner handler's HandleAsync (so that an answer waiting for
  // its audit record's group commit holds no thread here either) and records it when answered.
  void HandleAsync(api::ApiRequest request, Completion done) override;

  // The label a request's method is counted under.
  const std::string& MethodLabel(const std::string& method) const;

 private:
  struct PerMethod {
    std::string label;
    Histogram* duration = nullptr;
    Counter* ok = nullptr;  // code 0, the common case: no label lookup
  };
  const PerMethod& Find(const std::string& method) const;
  void Record(const PerMethod& m, std::chrono::steady_clock::time_point started,
              const api::ApiResponse& response) const;

  api::ApiHandler& inner_;
  CounterFamily& requests_;
  std::map<std::string, PerMethod, std::less<>> methods_;  // read-only after construction
  PerMethod unknown_;
};

}  // namespace voxsecrets::server

#endif  // VOXSECRETS_SERVER_METERED_API_H_
