// GetAuditLog (docs/AUDIT.md "GetAuditLog"): the audit records of the calling account and of its
// child accounts, with Voximplant's parameters and answer (what the official clients parse):
//
//   from_date, to_date    "YYYY-MM-DD HH:MM:SS" UTC, both inclusive at second resolution
//                         (malformed -> 496); optional
//   audit_log_id          ';'-list of ids, or "any"/"all" (malformed -> 496)
//   filtered_ip           ';'-list of IPs
//   filtered_cmd          ';'-list of method names
//   filtered_admin_user_id  "any", or ids of sub-users: voxsecrets has none, so ids match nothing
//   application_id        ';'-list of application ids (malformed -> 116): records that touched
//                         one of them (also applications deleted since). A key limited to some
//                         applications sees only records that touched its applications and no
//                         other; naming an application outside its list -> 104
//   desc_order            bool, default false (by audit_log_id)
//   with_total_count      bool, default true
//   count, offset         as GetSecrets: count 1..1000 (default 20), offset >= 0
//   timezone              accepted; times are always UTC (the answer says "timezone":"UTC")
// -> {"result":[{"audit_log_id","account_id","requested","ip","cmd_name","cmd_args",
//    "cmd_result"}],"count":N,"total_count":M (when asked),"timezone":"UTC"}
// cmd_args is the masked parameters and cmd_result {"code","key_id","credential",
// "application_ids","secret_ids","secret_versions"}, each a JSON text in a string (the clients type
// both as strings). Records of calls that failed authentication belong to no account and are not
// shown here (`voxsecrets audit export` has them).
#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api/methods/method_support.h"
#include "api/methods/methods.h"
#include "api/params.h"
#include "common/time_format.h"
#include "iam/accounts.h"

namespace voxsecrets::api {
namespace {

using nlohmann::json;

constexpr int64_t kDefaultCount = 20;

bool IsAny(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower == "any" || lower == "all";
}

Result<std::optional<int64_t>> ReadDate(const Params& params, std::string_view name) {
  const std::optional<std::string_view> text = ReadString(params, name);
  if (!text.has_value()) return std::optional<int64_t>();
  const std::optional<int64_t> seconds = ParseApiTime(*text);
  if (!seconds.has_value()) return MalformedParam(name);
  return seconds;
}

// An id list that may be "any": nullopt when absent or "any".
Result<std::optional<std::vector<int64_t>>> ReadIdFilter(const Params& params,
                                                         std::string_view name) {
  const std::optional<std::string_view> text = ReadString(params, name);
  if (!text.has_value() || IsAny(*text)) return std::optional<std::vector<int64_t>>();
  VS_ASSIGN_OR_RETURN(std::optional<IntList> list, ReadIntList(params, name, true));
  if (!list.has_value() || list->all) return std::optional<std::vector<int64_t>>();
  return std::optional<std::vector<int64_t>>(std::move(list->ids));
}

std::string CmdResult(const store::AuditRecord& record) {
  json result = json::parse(record.touched_json, nullptr, false);
  if (!result.is_object()) result = json::object();
  json out = json::object();
  out["code"] = record.result_code;
  out["key_id"] = record.key_id;
  out["credential"] = record.credential;
  out["application_ids"] = result.value("application_ids", json::array());
  out["secret_ids"] = result.value("secret_ids", json::array());
  out["secret_versions"] = result.value("secret_versions", json::array());
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

// A key limited to some applications sees the records about its applications only: the
// `application_id` filter defaults to its list and may not name others (104: the rest of the
// account's log is beyond its scope).
Status LimitToScope(const AppScope& scope, store::AuditQuery& query) {
  if (!scope.limited()) return Status::Ok();
  if (!query.application_ids.has_value()) {
    query.application_ids = *scope.ids;
  } else {
    for (int64_t id : *query.application_ids) {
      if (!scope.Reaches(id)) {
        return Status(StatusCode::kPermissionDenied,
                      "Forbidden command: application " + std::to_string(id) +
                          " is not one of the applications this key is limited to.");
      }
    }
  }
  query.only_these_applications = true;
  return Status::Ok();
}

Result<json> GetAuditLog(const Services&, CallContext& call, store::Tx& tx) {
  const Params& params = call.params;
  store::AuditQuery query;
  VS_ASSIGN_OR_RETURN(std::optional<int64_t> from, ReadDate(params, "from_date"));
  VS_ASSIGN_OR_RETURN(std::optional<int64_t> to, ReadDate(params, "to_date"));
  if (from.has_value()) query.from_ms = *from * 1000;
  if (to.has_value()) query.to_ms = (*to + 1) * 1000;  // the whole last second
  VS_ASSIGN_OR_RETURN(query.ids, ReadIdFilter(params, "audit_log_id"));
  VS_ASSIGN_OR_RETURN(std::optional<std::vector<int64_t>> admin_users,
                      ReadIdFilter(params, "filtered_admin_user_id"));
  query.ips = ReadStringList(params, "filtered_ip");
  query.methods = ReadStringList(params, "filtered_cmd");
  VS_ASSIGN_OR_RETURN(std::optional<IntList> applications,
                      ReadIntList(params, "application_id", /*allow_all=*/false,
                                  StatusCode::kInvalidApplicationId));
  if (applications.has_value()) query.application_ids = std::move(applications->ids);
  VS_RETURN_IF_ERROR(LimitToScope(call.principal.application_scope, query));
  VS_ASSIGN_OR_RETURN(std::optional<bool> desc, ReadBool(params, "desc_order"));
  query.descending = desc.value_or(false);
  VS_ASSIGN_OR_RETURN(std::optional<bool> with_total, ReadBool(params, "with_total_count"));
  query.with_total_count = with_total.value_or(true);
  VS_ASSIGN_OR_RETURN(PagingParams paging, ReadPagingParams(params));
  query.count = paging.count.value_or(kDefaultCount);
  query.offset = paging.offset.value_or(0);

  if (admin_users.has_value()) {
    query.account_ids = std::vector<int64_t>();  // no sub-users: nothing matches
  } else {
    VS_ASSIGN_OR_RETURN(query.account_ids, iam::AccountAndChildren(tx, call.principal.account_id));
  }
  VS_ASSIGN_OR_RETURN(store::Page<store::AuditRecord> page, tx.audit().Query(query));

  json items = json::array();
  for (const store::AuditRecord& record : page.items) {
    json item = json::object();
    item["audit_log_id"] = record.id;
    item["account_id"] = record.account_id.value_or(0);
    item["requested"] = FormatApiTime(record.time_ms / 1000);
    item["ip"] = record.ip;
    item["cmd_name"] = record.method;
    item["cmd_args"] = record.args_json;
    item["cmd_result"] = CmdResult(record);
    items.push_back(std::move(item));
  }
  json body = json::object();
  body["result"] = std::move(items);
  body["count"] = page.items.size();
  if (query.with_total_count) body["total_count"] = page.total_count;
  body["timezone"] = "UTC";
  return body;
}

}  // namespace

void RegisterAuditMethods(MethodTable& table, const Services& s) {
  using enum iam::RoleId;
  table.Add({"GetAuditLog",
             Access::kRead,
             {kRoleOwner, kRoleAdmin},
             iam::Reach::kApplications,
             Bind(s, GetAuditLog)});
}

}  // namespace voxsecrets::api
