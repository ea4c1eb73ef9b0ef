// AddApplication, GetApplications, SetApplicationInfo, DelApplication (docs/API.md,
// "Applications"). Names are answered in full form ("myapp.<account>.<domain>"); the rules are
// secrets::ApplicationService's.
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "api/methods/method_support.h"
#include "api/methods/methods.h"
#include "api/params.h"
#include "common/time_format.h"

namespace voxsecrets::api {
namespace {

using nlohmann::json;

Result<json> AddApplication(const Services& s, CallContext& call, store::Tx& tx) {
  const int64_t account_id = call.principal.account_id;
  const std::optional<std::string_view> name = ReadString(call.params, "application_name");
  // application_name is checked before secure_record_storage (order of checks).
  VS_RETURN_IF_ERROR(s.applications.CheckNewName(tx, account_id, name).status());
  VS_ASSIGN_OR_RETURN(std::optional<bool> secure, ReadBool(call.params, "secure_record_storage"));
  secrets::NewApplication request;
  request.name = name;
  request.secure_record_storage = secure.value_or(false);
  VS_ASSIGN_OR_RETURN(store::ApplicationRecord app, s.applications.Add(tx, account_id, request));
  call.audit.application_id = app.id;
  VS_ASSIGN_OR_RETURN(std::string full_name, s.applications.FullName(tx, account_id, app.name));

  json body = json::object();
  body["result"] = 1;
  body["application_id"] = app.id;
  body["application_name"] = std::move(full_name);
  body["secure_record_storage"] = app.secure_record_storage;
  return body;
}

Result<json> GetApplications(const Services& s, CallContext& call, store::Tx& tx) {
  const int64_t account_id = call.principal.account_id;
  secrets::ApplicationQuery query;
  VS_ASSIGN_OR_RETURN(query.id,
                      ReadInt64(call.params, "application_id", StatusCode::kInvalidApplicationId));
  query.name_part = ReadString(call.params, "application_name");
  VS_ASSIGN_OR_RETURN(std::optional<bool> with_rules, ReadBool(call.params, "with_rules"));
  VS_ASSIGN_OR_RETURN(std::optional<bool> with_scenarios, ReadBool(call.params, "with_scenarios"));
  VS_ASSIGN_OR_RETURN(PagingParams paging, ReadPagingParams(call.params));
  query.count = paging.count;
  query.offset = paging.offset;
  VS_ASSIGN_OR_RETURN(store::Page<store::ApplicationRecord> page,
                      s.applications.List(tx, account_id, query, call.principal.application_scope));
  VS_ASSIGN_OR_RETURN(std::string suffix, s.applications.FullNameSuffix(tx, account_id));
  // voxsecrets has no rules or scenarios: asking for them yields an empty `rules` array.
  const bool rules = with_rules.value_or(false) || with_scenarios.value_or(false);

  json items = json::array();
  for (const store::ApplicationRecord& app : page.items) {
    json item = json::object();
    item["application_id"] = app.id;
    item["application_name"] = app.name + suffix;
    item["created"] = FormatApiTime(app.created);
    item["modified"] = FormatApiTime(app.modified);
    item["secure_record_storage"] = app.secure_record_storage;
    if (rules) item["rules"] = json::array();
    items.push_back(std::move(item));
  }
  json body = json::object();
  body["result"] = std::move(items);
  body["count"] = page.items.size();
  body["total_count"] = page.total_count;
  return body;
}

Result<json> SetApplicationInfo(const Services& s, CallContext& call, store::Tx& tx) {
  VS_ASSIGN_OR_RETURN(
      store::ApplicationRecord app,
      ResolveApplicationParam(s.applications, call, tx, "required_application_name"));
  secrets::ApplicationChanges changes;
  changes.name = ReadString(call.params, "application_name");
  if (changes.name.has_value()) {
    // The new name is checked before secure_record_storage (order of checks).
    VS_RETURN_IF_ERROR(
        s.applications.CheckRename(tx, app, *changes.name, call.principal.application_scope)
            .status());
  }
  VS_ASSIGN_OR_RETURN(changes.secure_record_storage,
                      ReadBool(call.params, "secure_record_storage"));
  VS_ASSIGN_OR_RETURN(store::ApplicationRecord updated,
                      s.applications.Update(tx, app, changes, call.principal.application_scope));
  VS_ASSIGN_OR_RETURN(std::string full_name,
                      s.applications.FullName(tx, call.principal.account_id, updated.name));

  json body = json::object();
  body["result"] = 1;
  body["application_name"] = std::move(full_name);
  body["secure_record_storage"] = updated.secure_record_storage;
  return body;
}

Result<json> DelApplication(const Services& s, CallContext& call, store::Tx& tx) {
  secrets::ApplicationSelection selection;
  VS_ASSIGN_OR_RETURN(std::optional<IntList> ids,
                      ReadIntList(call.params, "application_id", /*allow_all=*/true,
                                  StatusCode::kInvalidApplicationId));
  if (ids.has_value()) {
    selection.all = ids->all;
    selection.ids = std::move(ids->ids);
  }
  if (auto names = ReadStringList(call.params, "application_name")) selection.names = *names;
  VS_ASSIGN_OR_RETURN(std::vector<int64_t> deleted,
                      s.applications.Delete(tx, call.principal.account_id, selection,
                                            call.principal.application_scope));
  call.audit.application_ids = deleted;
  crypto::ValueSealer& sealer = s.sealer;
  call.after_commit.push_back([&sealer, deleted = std::move(deleted)] {
    for (int64_t id : deleted) sealer.ForgetApplication(id);
  });
  return ResultOne();
}

}  // namespace

void RegisterApplicationMethods(MethodTable& table, const Services& s) {
  using enum iam::RoleId;
  using iam::Reach;
  // A new application is beyond any key's list of applications: limited keys cannot add one.
  table.Add({"AddApplication",
             Access::kWrite,
             {kRoleOwner, kRoleAdmin},
             Reach::kAccount,
             Bind(s, AddApplication)});
  table.Add({"GetApplications",
             Access::kRead,
             {kRoleOwner, kRoleAdmin, kRoleDeveloper, kRoleSupport, kRoleSecretsReader},
             Reach::kApplications,
             Bind(s, GetApplications)});
  table.Add({"SetApplicationInfo",
             Access::kWrite,
             {kRoleOwner, kRoleAdmin},
             Reach::kApplications,
             Bind(s, SetApplicationInfo)});
  table.Add({"DelApplication",
             Access::kWrite,
             {kRoleOwner},
             Reach::kApplications,
             Bind(s, DelApplication)});
}

MethodTable BuildMethodTable(const Services& services) {
  MethodTable table;
  RegisterSecretMethods(table, services);
  RegisterApplicationMethods(table, services);
  RegisterKeyMethods(table, services);
  RegisterAccountMethods(table, services);
  RegisterAuditMethods(table, services);
  return table;
}

}  // namespace voxsecrets::api
