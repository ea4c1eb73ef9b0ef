#include "api/methods/method_support.h"

#include <string>

#include "api/params.h"
#include "common/field_rules.h"

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
                      applications.ResolveApplication(tx, call.principal.account_id, ref));
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

}  // namespace voxsecrets::api
