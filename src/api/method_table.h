// MethodTable: API method name -> handler and the kind of transaction it runs in.
//
// A handler reads its parameters from the CallContext, does its work through the Tx it is given
// and returns the whole success body as a JSON object (e.g. {"result":1}). It returns a non-OK
// Status for any failure; the dispatcher rolls the transaction back and encodes the error.
// Handlers must not have effects outside `tx` (the store may retry a write callback); effects
// after commit go into CallContext::after_commit.
//
// Which roles may call a method is auth's table (auth/roles.h MethodAllowed), not this one's.
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
#include <vector>

#include "api/call_context.h"
#include "common/status.h"
#include "store/store.h"

namespace voxsecrets::api {

enum class Access {
  kRead,   // runs in Store::Read (a consistent snapshot)
  kWrite,  // runs in Store::Write; commits when the handler succeeds
};

using MethodHandler = std::function<Result<nlohmann::json>(CallContext& call, store::Tx& tx)>;

struct MethodSpec {
  Access access = Access::kRead;
  MethodHandler handler;
};

class MethodTable {
 public:
  // REQUIRES: `name` is not in the table yet; `handler` is callable.
  void Add(std::string name, Access access, MethodHandler handler);
  // nullptr when unknown. Exact, case-sensitive match.
  const MethodSpec* Find(std::string_view name) const;
  std::vector<std::string> Names() const;

 private:
  std::map<std::string, MethodSpec, std::less<>> methods_;
};

}  // namespace voxsecrets::api

#endif  // VOXSECRETS_API_METHOD_TABLE_H_
