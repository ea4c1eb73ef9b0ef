// CallContext: what a method handler knows about the call it serves, and what it hands back to
// the dispatcher besides its response (facts for the audit record, work to do after commit).
//
// Lifetimes: built by the Dispatcher for one call; the references point to the request and to
// dispatcher-owned objects that outlive the call. Not shared between threads.
#ifndef VOXSECRETS_API_CALL_CONTEXT_H_
#define VOXSECRETS_API_CALL_CONTEXT_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/api_types.h"
#include "auth/principal.h"
#include "common/clock.h"
#include "common/secure_bytes.h"

namespace voxsecrets::api {

class MethodTable;  // method_table.h

// What a call touched, for the audit record. Never values, tokens or keys.
struct AuditFacts {
  std::optional<int64_t> application_id;
  std::vector<int64_t> application_ids;  // DelApplication
  std::vector<int64_t> secret_ids;
  std::vector<std::string> secret_names;
  // The version of a secret's value the call read or made (GetSecretValue, AddSecret,
  // SetSecretInfo, RestoreSecretVersion).
  std::optional<int64_t> secret_version;
};

struct CallContext {
  std::string_view method;
  const auth::Principal& principal;
  const Params& params;
  const Clock& clock;
  std::string_view client_ip;
  // The registry the call was dispatched from (GetAccountInfo lists what the caller may call).
  // Set by the dispatcher; outlives the call.
  const MethodTable* methods = nullptr;

  // Filled by handlers.
  AuditFacts audit;
  // Run by the dispatcher, in order, after the write transaction committed (never after a
  // rollback). For effects outside the store, e.g. ValueSealer::ForgetApplication.
  std::vector<std::function<void()>> after_commit;
  // The answer's body, when the handler wrote its bytes itself instead of returning a JSON tree
  // (GetSecretValue, api/methods/secret_value_answer.h): it then returns a null json, and the
  // dispatcher sends this as it is. May hold a secret value: whoever drops it wipes it first.
  std::string encoded_body;

  // The store may run a write callback more than once (serialization retries); the dispatcher
  // calls this before every attempt so nothing of a failed attempt survives.
  void ResetForAttempt() {
    audit = AuditFacts();
    after_commit.clear();
    SecureWipe(encoded_body.data(), encoded_body.size());
    encoded_body.clear();
  }
};

}  // namespace voxsecrets::api

#endif  // VOXSECRETS_API_CALL_CONTEXT_H_
