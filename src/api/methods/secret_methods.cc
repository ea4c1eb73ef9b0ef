// AddSecret, GetSecretValue, GetSecrets, SetSecretInfo, DelSecret, and voxsecrets' own
// GetSecretVersions and RestoreSecretVersion (docs/API.md, "Secrets" and "Secret versions").
// Each handler reads its parameters in the order the rules check them: application, secret, then
// the rest; the rules themselves are secrets::SecretService's. Every call that reads or makes a
// version of a value notes it for the audit record.
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "api/methods/method_support.h"
#include "api/methods/methods.h"
#include "api/methods/secret_value_answer.h"
#include "api/params.h"
#include "common/time_format.h"

namespace voxsecrets::api {
namespace {

using nlohmann::json;

// A secret's listing fields; `description` only when there is one.
json SecretInfoJson(const store::SecretInfo& info) {
  json item = json::object();
  item["secret_id"] = info.id;
  item["secret_name"] = info.name;
  if (!info.description.empty()) item["description"] = info.description;
  item["created"] = FormatApiTime(info.created);
  item["modified"] = FormatApiTime(info.modified);
  return item;
}

// `secret_id` (malformed -> kInvalidArgument) and `secret_name`.
Result<secrets::SecretRef> ReadSecretRef(const Params& params) {
  secrets::SecretRef ref;
  VS_ASSIGN_OR_RETURN(ref.id, ReadInt64(params, "secret_id"));
  ref.name = ReadString(params, "secret_name");
  return ref;
}

void NoteSecret(CallContext& call, const store::SecretInfo& info) {
  call.audit.secret_ids = {info.id};
  call.audit.secret_names = {info.name};
}

// The application, then the one secret the call names in it (both noted for the audit record).
struct SecretTarget {
  store::ApplicationRecord app;
  store::SecretRecord secret;
};
Result<SecretTarget> ResolveSecretParams(const Services& s, CallContext& call, store::Tx& tx) {
  SecretTarget target;
  VS_ASSIGN_OR_RETURN(target.app, ResolveApplicationParam(s.applications, call, tx));
  VS_ASSIGN_OR_RETURN(secrets::SecretRef ref, ReadSecretRef(call.params));
  VS_ASSIGN_OR_RETURN(target.secret, s.secrets.ResolveSecret(tx, target.app, ref));
  NoteSecret(call, target.secret.info);
  return target;
}

// A listing answer: {"result":[...],"count":N,"total_count":M}.
json PageBody(json items, int64_t total_count) {
  json body = json::object();
  body["count"] = items.size();
  body["result"] = std::move(items);
  body["total_count"] = total_count;
  return body;
}

Result<json> AddSecret(const Services& s, CallContext& call, store::Tx& tx) {
  VS_ASSIGN_OR_RETURN(store::ApplicationRecord app,
                      ResolveApplicationParam(s.applications, call, tx));
  secrets::NewSecret secret;
  secret.name = ReadString(call.params, "secret_name");
  secret.value = ReadString(call.params, "secret_value");
  secret.description = ReadString(call.params, "description");
  VS_ASSIGN_OR_RETURN(int64_t id, s.secrets.Add(tx, app, secret));
  call.audit.secret_ids = {id};
  call.audit.secret_names = {std::string(*secret.name)};
  call.audit.secret_version = 1;

  json item = json::object();
  item["secret_id"] = id;
  json body = json::object();
  body["result"] = json::array();
  body["result"].push_back(std::move(item));
  return body;
}

Result<json> GetSecretValue(const Services& s, CallContext& call, store::Tx& tx) {
  VS_ASSIGN_OR_RETURN(SecretTarget target, ResolveSecretParams(s, call, tx));
  VS_ASSIGN_OR_RETURN(std::optional<int64_t> version, ReadInt64(call.params, "version"));
  VS_ASSIGN_OR_RETURN(secrets::SecretValue secret,
                      s.secrets.GetValue(tx, target.app, std::move(target.secret), version));
  call.audit.secret_version = secret.version;
  // The answer's bytes, written without a JSON tree: the body is the only copy of the plaintext
  // outside SecureBytes, and the dispatcher wipes it once it is sent.
  VS_ASSIGN_OR_RETURN(call.encoded_body, SecretValueAnswer(secret));
  return json();
}

Result<json> GetSecretVersions(const Services& s, CallContext& call, store::Tx& tx) {
  VS_ASSIGN_OR_RETURN(SecretTarget target, ResolveSecretParams(s, call, tx));
  VS_ASSIGN_OR_RETURN(PagingParams paging, ReadPagingParams(call.params));
  VS_ASSIGN_OR_RETURN(store::Page<secrets::SecretVersion> page,
                      s.secrets.ListVersions(tx, target.app, target.secret,
                                             secrets::VersionQuery{paging.count, paging.offset}));
  json items = json::array();
  for (const secrets::SecretVersion& version : page.items) {
    json item = json::object();
    item["version"] = version.version;
    item["created"] = FormatApiTime(version.created);
    item["current"] = version.current;
    items.push_back(std::move(item));
  }
  return PageBody(std::move(items), page.total_count);
}

Result<json> RestoreSecretVersion(const Services& s, CallContext& call, store::Tx& tx) {
  VS_ASSIGN_OR_RETURN(SecretTarget target, ResolveSecretParams(s, call, tx));
  VS_ASSIGN_OR_RETURN(std::optional<int64_t> version, ReadInt64(call.params, "version"));
  if (!version.has_value()) return MissingArgument("version");
  VS_ASSIGN_OR_RETURN(int64_t current, s.secrets.Restore(tx, target.app, target.secret, *version));
  call.audit.secret_version = current;
  json body = ResultOne();
  body["version"] = current;  // the version now current (an addition to `result`)
  return body;
}

Result<json> GetSecrets(const Services& s, CallContext& call, store::Tx& tx) {
  VS_ASSIGN_OR_RETURN(store::ApplicationRecord app,
                      ResolveApplicationParam(s.applications, call, tx));
  secrets::SecretQuery query;
  query.name_part = ReadString(call.params, "secret_name_part");
  VS_ASSIGN_OR_RETURN(PagingParams paging, ReadPagingParams(call.params));
  query.count = paging.count;
  query.offset = paging.offset;
  VS_ASSIGN_OR_RETURN(store::Page<store::SecretInfo> page, s.secrets.List(tx, app, query));

  json items = json::array();
  for (const store::SecretInfo& info : page.items) items.push_back(SecretInfoJson(info));
  return PageBody(std::move(items), page.total_count);
}

Result<json> SetSecretInfo(const Services& s, CallContext& call, store::Tx& tx) {
  VS_ASSIGN_OR_RETURN(store::ApplicationRecord app,
                      ResolveApplicationParam(s.applications, call, tx));
  VS_ASSIGN_OR_RETURN(secrets::SecretRef ref, ReadSecretRef(call.params));
  secrets::SecretChanges changes;
  changes.new_name = ReadString(call.params, "new_secret_name");
  changes.value = ReadString(call.params, "secret_value");
  changes.description = ReadString(call.params, "description");
  VS_ASSIGN_OR_RETURN(store::SecretRecord target, s.secrets.ResolveSecret(tx, app, ref));
  NoteSecret(call, target.info);
  VS_ASSIGN_OR_RETURN(secrets::SetInfoOutcome outcome, s.secrets.SetInfo(tx, app, target, changes));
  call.audit.secret_version = outcome.version;
  return ResultOne();
}

Result<json> DelSecret(const Services& s, CallContext& call, store::Tx& tx) {
  VS_ASSIGN_OR_RETURN(store::ApplicationRecord app,
                      ResolveApplicationParam(s.applications, call, tx));
  secrets::SecretSelection selection;
  VS_ASSIGN_OR_RETURN(std::optional<IntList> ids,
                      ReadIntList(call.params, "secret_id", /*allow_all=*/true));
  if (ids.has_value()) {
    selection.all = ids->all;
    selection.ids = std::move(ids->ids);
  }
  if (auto names = ReadStringList(call.params, "secret_name")) selection.names = *names;
  VS_ASSIGN_OR_RETURN(std::vector<int64_t> deleted, s.secrets.Delete(tx, app, selection));
  call.audit.secret_ids = std::move(deleted);
  call.audit.secret_names = std::move(selection.names);
  return ResultOne();
}

}  // namespace

void RegisterSecretMethods(MethodTable& table, const Services& s) {
  using enum iam::RoleId;
  const iam::RoleSet writers = {kRoleOwner, kRoleAdmin, kRoleDeveloper};
  const iam::RoleSet value_readers = {kRoleOwner, kRoleAdmin, kRoleDeveloper, kRoleSecretsReader};
  const iam::RoleSet listers = {kRoleOwner, kRoleAdmin, kRoleDeveloper, kRoleSupport,
                                kRoleSecretsReader};
  // Every secrets method works in the application it names.
  constexpr iam::Reach in_app = iam::Reach::kApplications;
  table.Add({"AddSecret", Access::kWrite, writers, in_app, Bind(s, AddSecret)});
  table.Add({"GetSecretValue", Access::kRead, value_readers, in_app, Bind(s, GetSecretValue),
             Prefetch::kSecretValue});
  table.Add(
      {"GetSecrets", Access::kRead, listers, in_app, Bind(s, GetSecrets), Prefetch::kApplication});
  table.Add({"SetSecretInfo", Access::kWrite, writers, in_app, Bind(s, SetSecretInfo)});
  table.Add({"DelSecret", Access::kWrite, writers, in_app, Bind(s, DelSecret)});
  table.Add({"GetSecretVersions", Access::kRead, listers, in_app, Bind(s, GetSecretVersions),
             Prefetch::kSecret});
  table.Add(
      {"RestoreSecretVersion", Access::kWrite, writers, in_app, Bind(s, RestoreSecretVersion)});
}

}  // namespace voxsecrets::api
