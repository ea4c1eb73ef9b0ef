#include "api/methods/method_support.h"

#include <string>

#include "api/params.h"
#include "common/field_rules.h"
#include "iam/keys.h"

namespace voxsecrets::api {

Result<store::ApplicationRecord> ResolveApplicationParam(
    const secrets::ApplicationService& applications, CallContext& call, store::Tx& tx,
    std::string_view name_param) {
  secrets::AppRef ref;
  ref.name_param = name_param;
  VS_ASSIGN_OR_RETURN(ref.id,
                      ReadInt64(call.params, ref.id_param, StatusCode::kInvalidApplicationId));
  if (std::optional<std::string_view> name = ReadString(call.params, name_param)) {
    ref.name = std::string(*name);
  }
  VS_ASSIGN_OR_RETURN(store::ApplicationRecord app,
                      applications.ResolveApplication(tx, call.principal.account_id, ref,
                                                      call.principal.application_scope));
  call.audit.application_id = app.id;
  return app;
}

Result<PagingParams> ReadPagingParams(const Params& params) {
  PagingParams paging;
  VS_ASSIGN_OR_RETURN(paging.count, ReadInt64(params, "count"));
  VS_RETURN_IF_ERROR(CheckPaging(paging.count, std::nullopt).status());
  VS_ASSIGN_OR_RETURN(paging.offset, ReadInt64(params, "offset"));
  VS_RETURN_IF_ERROR(CheckPaging(paging.count, paging.offset).status());
  return paging;
}

nlohmann::json ResultOne() {
  nlohmann::json body = nlohmann::json::object();
  body["result"] = 1;
  return body;
}

nlohmann::json IdsJson(std::span<const int> ids) {
  nlohmann::json out = nlohmann::json::array();
  for (int id : ids) out.push_back(id);
  return out;
}

nlohmann::json KeyRolesJson(const std::vector<int>& key_role_ids, bool expanded) {
  nlohmann::json out = nlohmann::json::array();
  for (const iam::KeyRole& role : iam::RolesOfKey(key_role_ids, expanded)) {
    nlohmann::json item = nlohmann::json::object();
    item["role_id"] = role.role_id;
    item["role_name"] = std::string(role.role_name);
    item["inherited"] = role.inherited;
    if (role.inherited) item["parent_role_id"] = IdsJson(role.parent_role_ids);
    out.push_back(std::move(item));
  }
  return out;
}

}  // namespace voxsecrets::api
