#include "secrets/application_service.h"

#include <algorithm>
#include <set>
#include <utility>

#include "common/ascii.h"
#include "common/field_rules.h"
#include "secrets/limits.h"
#include "secrets/validation.h"

namespace voxsecrets::secrets {
namespace {

Status InvalidApplicationName(std::string_view param, size_t max_tail) {
  return Status(StatusCode::kInvalidApplicationName,
                "Invalid application name: use 2 to " + std::to_string(max_tail + 1) +
                    " characters [a-z0-9-], starting with a letter.",
                std::string(param));
}

Status ApplicationNameTaken(std::string_view param) {
  return Status(StatusCode::kApplicationNameTaken, "Application name is not unique.",
                std::string(param));
}

Status UnknownApplicationId(std::string_view param) {
  return Status(StatusCode::kInvalidApplicationId,
                "The '" + std::string(param) + "' parameter is invalid.", std::string(param));
}

}  // namespace

ApplicationService::ApplicationService(const Clock& clock, SecretsOptions options)
    : clock_(clock), options_(std::move(options)) {}

Result<std::string> ApplicationService::AccountName(store::Tx& tx, int64_t account_id) const {
  VS_ASSIGN_OR_RETURN(std::optional<store::AccountRecord> account,
                      tx.accounts().FindById(account_id));
  if (!account.has_value()) return InternalError("the calling account does not exist");
  return account->name;
}

std::optional<std::string> ApplicationService::ShortName(std::string_view name,
                                                         std::string_view account_name) const {
  const size_t dot = name.find('.');
  if (dot == std::string_view::npos) return std::string(name);
  const std::string_view short_part = name.substr(0, dot);
  const std::string_view rest = name.substr(dot + 1);
  const std::string suffix = std::string(account_name) + "." + options_.application_domain;
  if (short_part.empty() || !EqualsIgnoreAsciiCase(rest, suffix)) return std::nullopt;
  return std::string(short_part);
}

Result<std::string> ApplicationService::FullNameSuffix(store::Tx& tx, int64_t account_id) const {
  VS_ASSIGN_OR_RETURN(std::string account_name, AccountName(tx, account_id));
  return "." + account_name + "." + options_.application_domain;
}

Result<std::string> ApplicationService::FullName(store::Tx& tx, int64_t account_id,
                                                 std::string_view short_name) const {
  VS_ASSIGN_OR_RETURN(std::string suffix, FullNameSuffix(tx, account_id));
  return std::string(short_name) + suffix;
}

Result<store::ApplicationRecord> ApplicationService::FindByName(store::Tx& tx, int64_t account_id,
                                                                std::string_view account_name,
                                                                std::string_view name,
                                                                std::string_view param,
                                                                const AppScope& scope) const {
  const std::optional<std::string> short_name = ShortName(name, account_name);
  if (short_name.has_value()) {
    VS_ASSIGN_OR_RETURN(std::optional<store::ApplicationRecord> app,
                        tx.applications().FindByName(account_id, *short_name));
    if (app.has_value() && scope.Reaches(app->id)) return *std::move(app);
  }
  return Status(StatusCode::kApplicationNotFound,
                "Application '" + EchoForMessage(name) + "' is not found.", std::string(param));
}

Result<store::ApplicationRecord> ApplicationService::ResolveApplication(
    store::Tx& tx, int64_t account_id, const AppRef& ref, const AppScope& scope) const {
  if (!ref.id.has_value() && !ref.name.has_value()) return MissingArgument(ref.id_param);
  std::optional<store::ApplicationRecord> by_id;
  if (ref.id.has_value()) {
    VS_ASSIGN_OR_RETURN(by_id, tx.applications().FindById(account_id, *ref.id));
    if (!by_id.has_value() || !scope.Reaches(by_id->id)) return UnknownApplicationId(ref.id_param);
    if (!ref.name.has_value()) return *std::move(by_id);
  }
  // Only a full name ("short.account.domain") needs the account's name: a short one is looked up
  // as it is (one query less on the GetSecretValue path).
  std::string account_name;
  if (ref.name->find('.') != std::string::npos) {
    VS_ASSIGN_OR_RETURN(account_name, AccountName(tx, account_id));
  }
  VS_ASSIGN_OR_RETURN(store::ApplicationRecord by_name,
                      FindByName(tx, account_id, account_name, *ref.name, ref.name_param, scope));
  if (by_id.has_value() && by_id->id != by_name.id) {
    return Status(StatusCode::kConflictingArguments,
                  "Specify only one of the following parameters: " + std::string(ref.id_param) +
                      ", " + std::string(ref.name_param) + " (they name different applications).");
  }
  return by_name;
}

Result<std::string> ApplicationService::CheckNewName(store::Tx& tx, int64_t account_id,
                                                     std::optional<std::string_view> name) const {
  constexpr std::string_view kParam = "application_name";
  if (!name.has_value() || name->empty()) return MissingArgument(kParam);
  VS_ASSIGN_OR_RETURN(std::string account_name, AccountName(tx, account_id));
  std::optional<std::string> short_name = ShortName(*name, account_name);
  if (!short_name.has_value() ||
      !IsValidApplicationShortName(*short_name, kMaxNewApplicationNameTail)) {
    return InvalidApplicationName(kParam, kMaxNewApplicationNameTail);
  }
  VS_ASSIGN_OR_RETURN(std::optional<store::ApplicationRecord> existing,
                      tx.applications().FindByName(account_id, *short_name));
  if (existing.has_value()) return ApplicationNameTaken(kParam);
  return *std::move(short_name);
}

Result<store::ApplicationRecord> ApplicationService::Add(store::Tx& tx, int64_t account_id,
                                                         const NewApplication& app) const {
  VS_ASSIGN_OR_RETURN(std::string short_name, CheckNewName(tx, account_id, app.name));
  store::ApplicationRecord record;
  record.account_id = account_id;
  record.name = std::move(short_name);
  record.secure_record_storage = app.secure_record_storage;
  record.created = clock_.NowSeconds();
  record.modified = record.created;
  Result<int64_t> id = tx.applications().Insert(record);
  if (!id.ok()) {
    if (id.status().code() == StatusCode::kAlreadyExists) {
      return ApplicationNameTaken("application_name");
    }
    return id.status();
  }
  record.id = *id;
  return record;
}

Result<store::Page<store::ApplicationRecord>> ApplicationService::List(
    store::Tx& tx, int64_t account_id, const ApplicationQuery& query, const AppScope& scope) const {
  VS_ASSIGN_OR_RETURN(Paging paging, CheckPaging(query.count, query.offset));
  store::ApplicationFilter filter;
  filter.id = query.id;
  filter.ids = scope.ids;
  filter.count = paging.count;
  filter.offset = paging.offset;
  if (query.name_part.has_value()) {
    std::string part(*query.name_part);
    if (part.find('.') != std::string::npos) {
      VS_ASSIGN_OR_RETURN(std::string account_name, AccountName(tx, account_id));
      const std::optional<std::string> short_name = ShortName(part, account_name);
      if (short_name.has_value()) part = *short_name;
    }
    filter.name_part = std::move(part);
  }
  return tx.applications().List(account_id, filter);
}

Result<std::optional<std::string>> ApplicationService::CheckRename(
    store::Tx& tx, const store::ApplicationRecord& app, std::string_view name,
    const AppScope& scope) const {
  constexpr std::string_view kParam = "application_name";
  if (scope.limited()) {
    return Status(StatusCode::kPermissionDenied,
                  "Forbidden command: a key limited to some applications cannot rename them.");
  }
  VS_ASSIGN_OR_RETURN(std::string account_name, AccountName(tx, app.account_id));
  std::optional<std::string> short_name = ShortName(name, account_name);
  if (!short_name.has_value() ||
      !IsValidApplicationShortName(*short_name, kMaxRenamedApplicationNameTail)) {
    return InvalidApplicationName(kParam, kMaxRenamedApplicationNameTail);
  }
  if (*short_name == app.name) return std::optional<std::string>();
  VS_ASSIGN_OR_RETURN(std::optional<store::ApplicationRecord> existing,
                      tx.applications().FindByName(app.account_id, *short_name));
  if (existing.has_value()) return ApplicationNameTaken(kParam);
  return short_name;
}

Result<store::ApplicationRecord> ApplicationService::Update(store::Tx& tx,
                                                            const store::ApplicationRecord& app,
                                                            const ApplicationChanges& changes,
                                                            const AppScope& scope) const {
  store::ApplicationUpdate update;
  if (changes.name.has_value() && !changes.name->empty()) {
    VS_ASSIGN_OR_RETURN(update.name, CheckRename(tx, app, *changes.name, scope));
  }
  if (changes.secure_record_storage.has_value() &&
      *changes.secure_record_storage != app.secure_record_storage) {
    update.secure_record_storage = changes.secure_record_storage;
  }
  if (!update.name.has_value() && !update.secure_record_storage.has_value()) return app;

  const int64_t now = clock_.NowSeconds();
  Result<bool> updated = tx.applications().Update(app.account_id, app.id, update, now);
  if (!updated.ok()) {
    if (updated.status().code() == StatusCode::kAlreadyExists) {
      return ApplicationNameTaken("application_name");
    }
    return updated.status();
  }
  if (!*updated) return InternalError("the resolved application vanished during the update");
  store::ApplicationRecord result = app;
  if (update.name.has_value()) result.name = *update.name;
  if (update.secure_record_storage.has_value()) {
    result.secure_record_storage = *update.secure_record_storage;
  }
  result.modified = now;
  return result;
}

Result<std::vector<int64_t>> ApplicationService::Select(store::Tx& tx, int64_t account_id,
                                                        const ApplicationSelection& selection,
                                                        const AppScope& scope,
                                                        std::string_view id_param,
                                                        std::string_view name_param) const {
  if (!selection.all && selection.ids.empty() && selection.names.empty()) {
    return MissingArgument(id_param);
  }
  std::set<int64_t> ids;
  for (int64_t id : selection.ids) {
    VS_ASSIGN_OR_RETURN(std::optional<store::ApplicationRecord> app,
                        tx.applications().FindById(account_id, id));
    if (!app.has_value() || !scope.Reaches(id)) {
      return Status(StatusCode::kInvalidApplicationId,
                    "Application " + std::to_string(id) + " is not found.", std::string(id_param));
    }
    ids.insert(id);
  }
  if (!selection.names.empty()) {
    VS_ASSIGN_OR_RETURN(std::string account_name, AccountName(tx, account_id));
    for (const std::string& name : selection.names) {
      VS_ASSIGN_OR_RETURN(store::ApplicationRecord app,
                          FindByName(tx, account_id, account_name, name, name_param, scope));
      ids.insert(app.id);
    }
  }
  if (selection.all) {
    // Page through every application of the account inside the scope.
    store::ApplicationFilter filter;
    filter.ids = scope.ids;
    filter.count = kMaxPageSize;
    for (filter.offset = 0;; filter.offset += kMaxPageSize) {
      VS_ASSIGN_OR_RETURN(store::Page<store::ApplicationRecord> page,
                          tx.applications().List(account_id, filter));
      for (const store::ApplicationRecord& app : page.items) ids.insert(app.id);
      if (static_cast<int64_t>(page.items.size()) < kMaxPageSize) break;
    }
  }
  return std::vector<int64_t>(ids.begin(), ids.end());
}

Result<std::vector<int64_t>> ApplicationService::Delete(store::Tx& tx, int64_t account_id,
                                                        const ApplicationSelection& selection,
                                                        const AppScope& scope) const {
  VS_ASSIGN_OR_RETURN(std::vector<int64_t> ids, Select(tx, account_id, selection, scope));
  for (int64_t id : ids) {
    VS_ASSIGN_OR_RETURN(bool deleted, tx.applications().Delete(account_id, id));
    if (!deleted) return InternalError("a resolved application vanished during the delete");
  }
  return ids;
}

}  // namespace voxsecrets::secrets
