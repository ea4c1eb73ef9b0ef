// Helpers shared by the method handlers: reading the parameters every method family uses, in the
// order the rules check them. Internal to api/methods.
#ifndef VOXSECRETS_API_METHODS_METHOD_SUPPORT_H_
#define VOXSECRETS_API_METHODS_METHOD_SUPPORT_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <vector>

#include "api/call_context.h"
#include "common/status.h"
#include "secrets/application_service.h"
#include "store/records.h"
#include "store/store.h"

namespace voxsecrets::api {

// Reads `application_id` (malformed -> kInvalidApplicationId) and `name_param`, then resolves the
// application of the calling account inside the caller's application scope (one outside it is
// answered like one that does not exist) and notes it in the audit facts.
Result<store::ApplicationRecord> ResolveApplicationParam(
    const secrets::ApplicationService& applications, CallContext& call, store::Tx& tx,
    std::string_view name_param = "application_name");

// `count` then `offset`, each parsed (malformed -> kInvalidArgument) and range-checked
// (-> kOutOfRange) before the next is read.
struct PagingParams {
  std::optional<int64_t> count;
  std::optional<int64_t> offset;
};
Result<PagingParams> ReadPagingParams(const Params& params);

// `{"result":1}`
nlohmann::json ResultOne();

// [1,2,3]
nlohmann::json IdsJson(std::span<const int> ids);

// The roles of a key as RoleViews (GetKeys, GetKeyRoles, GetAccountInfo): {role_id, role_name,
// inherited}, and parent_role_id when inherited (only with `expanded`).
nlohmann::json KeyRolesJson(const std::vector<int>& key_role_ids, bool expanded);

}  // namespace voxsecrets::api

#endif  // VOXSECRETS_API_METHODS_METHOD_SUPPORT_H_
