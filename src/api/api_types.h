// Transport-neutral request and response between http/ and the API dispatcher.
#ifndef VOXSECRETS_API_API_TYPES_H_
#define VOXSECRETS_API_API_TYPES_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/secure_bytes.h"
#include "common/status.h"

namespace voxsecrets::api {

// Request parameters, merged from the query string and the body (the body wins). Values are raw
// bytes as sent (already percent-decoded). An empty value is never stored: empty means "not
// given", so Get() of an empty parameter returns nullopt.
//
// Values may be secrets (secret_value, api_key): every value is wiped (SecureWipe) before its
// memory is released — when the Params is destroyed or assigned over, and when a value is
// replaced or erased.
class Params {
 public:
  Params() = default;
  Params(const Params&) = default;
  Params(Params&&) noexcept = default;
  Params& operator=(const Params& other) {
    if (this != &other) {
      WipeAll();
      map_ = other.map_;
    }
    return *this;
  }
  Params& operator=(Params&& other) noexcept {
    if (this != &other) {
      WipeAll();
      map_ = std::move(other.map_);
      other.map_.clear();
    }
    return *this;
  }
  ~Params() { WipeAll(); }

  // Sets `name` to `value`, replacing an earlier value; an empty value erases the parameter.
  void Set(std::string name, std::string value) {
    if (value.empty()) {
      Erase(name);
      return;
    }
    auto it = map_.find(name);
    if (it == map_.end()) {
      map_.emplace(std::move(name), std::move(value));
    } else {
      Wipe(it->second);
      it->second = std::move(value);
    }
  }
  std::optional<std::string_view> Get(std::string_view name) const {
    auto it = map_.find(name);
    if (it == map_.end()) return std::nullopt;
    return std::string_view(it->second);
  }
  bool Has(std::string_view name) const { return map_.find(name) != map_.end(); }
  void Erase(std::string_view name) {
    auto it = map_.find(name);
    if (it == map_.end()) return;
    Wipe(it->second);
    map_.erase(it);
  }
  size_t size() const { return map_.size(); }
  // Sorted by name.
  const std::map<std::string, std::string, std::less<>>& all() const { return map_; }

 private:
  static void Wipe(std::string& value) {
    SecureWipe(value.data(), value.size());
    value.clear();
  }
  void WipeAll() {
    for (auto& [name, value] : map_) Wipe(value);
  }

  std::map<std::string, std::string, std::less<>> map_;
};

struct ApiRequest {
  // The method from the path (`/platform_api/AddSecret`) or else from `cmd`; empty when neither
  // names one. `cmd` itself is removed from `params`.
  std::string method;
  Params params;
  // Non-OK when the body could not be decoded (e.g. malformed JSON); the dispatcher answers with
  // it after the method check.
  Status decode_status;
  // The token of an `Authorization: Bearer <token>` header; empty when absent. A credential: its
  // memory is wiped when released.
  WipingString bearer_token;
  // The peer's address as text ("127.0.0.1").
  std::string client_ip;
};

struct ApiResponse {
  std::string body;    // a JSON object, UTF-8
  int error_code = 0;  // 0 on success, else the Voximplant error code the body carries
  // The server is saturated (a bounded queue is full): the transport answers HTTP 429 with
  // Retry-After instead of 200; the body is still the API's error envelope (error 340).
  bool overloaded = false;
};

// What http/ calls for every API request.
//
// Thread-safety: Handle and HandleAsync may be called concurrently from every I/O thread.
class ApiHandler {
 public:
  using Completion = std::function<void(ApiResponse)>;

  virtual ~ApiHandler() = default;
  // Answers `request`; blocks until the answer is ready.
  virtual ApiResponse Handle(const ApiRequest& request) = 0;
  // Answers `request` through `done`, called exactly once: on the calling thread before
  // HandleAsync returns, or later on another thread (e.g. once the call's audit record is
  // committed). `done` must not block. The default answers synchronously with Handle.
  // NOLINTNEXTLINE(performance-unnecessary-value-param): overrides keep both past the call.
  virtual void HandleAsync(ApiRequest request, Completion done) { done(Handle(request)); }
};

}  // namespace voxsecrets::api

#endif  // VOXSECRETS_API_API_TYPES_H_
