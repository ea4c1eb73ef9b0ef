// MethodTable: the registry of API methods. One registration per method declares everything the
// rest of the system derives from it (docs/ADDING_A_METHOD.md):
//   - `name`: the exact, case-sensitive CamelCase name (`cmd` or the path);
//   - `access`: the kind of transaction the handler runs in;
//   - `roles`: who may call it (iam::RoleSet; anyone else gets 104) — the only place a method's
//     role rule is written;
//   - `reach`: what a key limited to some applications may do with it (iam::Reach: only in its
//     applications, not at all (104), or freely) — the only place that rule is written;
//   - `handler`, or `prepare` for a method with slow work to do before its transaction;
//   - `prefetch`: what a read method looks up first (a hint for the store, api/read_hint.h).
// The dispatcher answers 103 for a name not in the table and 104 when `roles` does not allow the
// caller or `reach` does not allow its key's scope; the role, scope and audit tests iterate over
// the table, and docs/API.md's method table is checked against it (api/method_registry_test.cc
// prints it: MethodsMarkdown).
//
// A handler reads its parameters from the CallContext, does its work through the Tx it is given
// and returns the whole success body as a JSON object (e.g. {"result":1}). It returns a non-OK
// Status for any failure; the dispatcher rolls the transaction back and encodes the error.
// Handlers must not have effects outside `tx` (the store may retry a write callback); effects
// after commit go into CallContext::after_commit.
//
// Thread-safety: build the table before the Dispatcher takes it; afterwards it is read-only and
// handlers are called concurrently (they must be safe for that).
#ifndef VOXSECRETS_API_METHOD_TABLE_H_
#define VOXSECRETS_API_METHOD_TABLE_H_

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/call_context.h"
#include "common/app_scope.h"
#include "common/status.h"
#include "iam/roles.h"
#include "iam/scope.h"
#include "store/store.h"

namespace voxsecrets::api {

enum class Access {
  kRead,   // runs in Store::Read (a consistent snapshot)
  kWrite,  // runs in Store::Write; commits when the handler succeeds
};

using MethodHandler = std::function<Result<nlohmann::json>(CallContext& call, store::Tx& tx)>;

// What a read method looks up first besides its caller's identity, so that the store may fetch it
// with the caller's authentication in one round trip (store::Tx::Prefetch, api/read_hint.h).
enum class Prefetch {
  kNothing,
  kApplication,  // the application its application_id or application_name parameter names
  kSecret,       // that application and the secret its secret_id or secret_name parameter names
  // kSecret, and the method reads nothing more unless a `version` parameter asks for a stored
  // version (GetSecretValue): with the caller's identity cached, the prefetch is the whole read
  // (store::ReadHint::complete).
  kSecretValue,
};

// Work a method must do before its write transaction because it is too slow to do while that
// transaction holds the store's writer (CreateKey's RSA key generation): it runs after the
// authentication, role and reach checks, inside the read transaction those ran in (a reader never
// holds the writer), and returns the handler that then runs inside the write transaction (which
// may capture what was prepared, and must allow being run again for a retried transaction). A
// failure is the call's answer; no write transaction is opened.
using MethodPreparer = std::function<Result<MethodHandler>(CallContext& call, store::Tx& tx)>;

struct MethodSpec {
  MethodSpec(std::string name_, Access access_, iam::RoleSet roles_, iam::Reach reach_,
             MethodHandler handler_, Prefetch prefetch_ = Prefetch::kNothing)
      : name(std::move(name_)),
        access(access_),
        roles(roles_),
        reach(reach_),
        handler(std::move(handler_)),
        prefetch(prefetch_) {}
  MethodSpec(std::string name_, Access access_, iam::RoleSet roles_, iam::Reach reach_,
             MethodHandler handler_, MethodPreparer prepare_)
      : name(std::move(name_)),
        access(access_),
        roles(roles_),
        reach(reach_),
        handler(std::move(handler_)),
        prepare(std::move(prepare_)) {}

  std::string name;
  Access access = Access::kRead;
  iam::RoleSet roles;
  // kApplications: the handler reads the caller's application scope (CallContext::principal)
  // through the services, which answer other applications as missing.
  iam::Reach reach = iam::Reach::kAccount;
  MethodHandler handler;   // empty when `prepare` makes it per call
  MethodPreparer prepare;  // optional
  // Only a hint (answers are the same without it); only for kRead methods.
  Prefetch prefetch = Prefetch::kNothing;
};

class MethodTable {
 public:
  // REQUIRES: `spec.name` is not in the table yet and is a CamelCase identifier; `spec.handler`
  // or `spec.prepare` is callable.
  void Add(MethodSpec spec);
  // nullptr when unknown. Exact, case-sensitive match.
  const MethodSpec* Find(std::string_view name) const;
  // Every method, by name.
  std::vector<std::string> Names() const;
  std::vector<const MethodSpec*> Specs() const;

 private:
  std::map<std::string, MethodSpec, std::less<>> methods_;
};

// The names of the methods a caller holding `role_ids` with a key limited to `scope` may call
// (its roles allow them and iam::CheckReach lets its key in), by name. What GetAccountInfo answers
// as `access_entries`.
std::vector<std::string> AllowedMethods(const MethodTable& table, const std::vector<int>& role_ids,
                                        const AppScope& scope = AppScope::Every());

// docs/API.md's method table, one row per method by name:
// `| name | read/write | roles | limited keys |`, the roles by name in id order (or "any valid key"
// for iam::RoleSet::AnyCaller()), and iam::ReachForDocs(reach).
std::string MethodsMarkdown(const MethodTable& table);

}  // namespace voxsecrets::api

#endif  // VOXSECRETS_API_METHOD_TABLE_H_
