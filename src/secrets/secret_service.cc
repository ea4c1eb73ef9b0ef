#include "secrets/secret_service.h"

#include <set>
#include <utility>

#include "common/field_rules.h"
#include "secrets/limits.h"
#include "secrets/validation.h"

namespace voxsecrets::secrets {
namespace {

// A stand-in for the sealed value between the insert (which assigns the id the associated data
// must carry) and ReplaceSealed in the same transaction. It never commits: either ReplaceSealed
// overwrites it or the transaction rolls back.
SealedValue Placeholder() { return SealedValue{std::string(1, '\0'), 0}; }

Status SecretIdNotFound(int64_t id) {
  return NotFound("Secret " + std::to_string(id) + " is not found.", "secret_id");
}

Status SecretNameNotFound(std::string_view name) {
  return NotFound("Secret '" + EchoForMessage(name) + "' is not found.", "secret_name");
}

Status NameNotUnique(std::string_view param) {
  return Status(StatusCode::kAlreadyExists, "The '" + std::string(param) + "' is not unique.",
                std::string(param));
}

crypto::ValueContext ContextOf(const store::ApplicationRecord& app, int64_t secret_id) {
  return crypto::ValueContext{app.account_id, app.id, secret_id};
}

}  // namespace

SecretService::SecretService(crypto::ValueSealer& sealer, const Clock& clock)
    : sealer_(sealer), clock_(clock) {}

Result<int64_t> SecretService::Add(store::Tx& tx, const store::ApplicationRecord& app,
                                   const NewSecret& secret) const {
  // Parameter by parameter: the name (format, then uniqueness), the value, the description.
  VS_RETURN_IF_ERROR(CheckSecretName(secret.name.value_or(""), "secret_name"));
  VS_ASSIGN_OR_RETURN(std::optional<store::SecretRecord> existing,
                      tx.secrets().FindByName(app.id, *secret.name));
  if (existing.has_value()) return NameNotUnique("secret_name");
  VS_RETURN_IF_ERROR(CheckSecretValue(secret.value.value_or(""), "secret_value"));
  std::string description;
  if (secret.description.has_value() && !secret.description->empty()) {
    VS_ASSIGN_OR_RETURN(description, NormalizeDescription(*secret.description, "description"));
  }

  // The associated data binds the secret id, known only after the insert: insert a placeholder,
  // seal with the new id, replace — all in this transaction.
  Result<int64_t> id =
      tx.secrets().Insert(app.id, *secret.name, description, Placeholder(), clock_.NowSeconds());
  if (!id.ok()) {
    if (id.status().code() == StatusCode::kAlreadyExists) return NameNotUnique("secret_name");
    return id.status();
  }
  VS_ASSIGN_OR_RETURN(SealedValue sealed, sealer_.Seal(tx, ContextOf(app, *id), *secret.value));
  VS_ASSIGN_OR_RETURN(bool replaced, tx.secrets().ReplaceSealed(app.id, *id, sealed));
  if (!replaced) return InternalError("a secret vanished between its insert and its sealing");
  return *id;
}

Result<store::SecretRecord> SecretService::ResolveSecret(store::Tx& tx,
                                                         const store::ApplicationRecord& app,
                                                         const SecretRef& ref) const {
  if (!ref.id.has_value() && !ref.name.has_value()) return MissingArgument("secret_id");
  if (ref.name.has_value()) VS_RETURN_IF_ERROR(CheckSecretName(*ref.name, "secret_name"));
  std::optional<store::SecretRecord> by_id;
  if (ref.id.has_value()) {
    VS_ASSIGN_OR_RETURN(by_id, tx.secrets().FindById(app.id, *ref.id));
    if (!by_id.has_value()) return SecretIdNotFound(*ref.id);
    if (!ref.name.has_value()) return *std::move(by_id);
  }
  VS_ASSIGN_OR_RETURN(std::optional<store::SecretRecord> by_name,
                      tx.secrets().FindByName(app.id, *ref.name));
  if (!by_name.has_value()) return SecretNameNotFound(*ref.name);
  if (by_id.has_value() && by_id->info.id != by_name->info.id) {
    return Status(StatusCode::kConflictingArguments,
                  "Specify only one of the following parameters: secret_id, secret_name (they "
                  "name different secrets).");
  }
  return *std::move(by_name);
}

Result<SecretValue> SecretService::GetValue(store::Tx& tx, const store::ApplicationRecord& app,
                                            const SecretRef& ref) const {
  VS_ASSIGN_OR_RETURN(store::SecretRecord record, ResolveSecret(tx, app, ref));
  VS_ASSIGN_OR_RETURN(SecureBytes value,
                      sealer_.Open(tx, ContextOf(app, record.info.id), record.value));
  return SecretValue{std::move(record.info), std::move(value)};
}

Result<store::Page<store::SecretInfo>> SecretService::List(store::Tx& tx,
                                                           const store::ApplicationRecord& app,
                                                           const SecretQuery& query) const {
  VS_ASSIGN_OR_RETURN(Paging paging, CheckPaging(query.count, query.offset));
  store::SecretFilter filter;
  filter.name_part = std::string(query.name_part.value_or(""));
  filter.count = paging.count;
  filter.offset = paging.offset;
  return tx.secrets().List(app.id, filter);
}

Result<bool> SecretService::SetInfo(store::Tx& tx, const store::ApplicationRecord& app,
                                    const store::SecretRecord& record,
                                    const SecretChanges& changes) const {
  const int64_t secret_id = record.info.id;
  store::SecretUpdate update;

  if (changes.new_name.has_value() && !changes.new_name->empty()) {
    VS_RETURN_IF_ERROR(CheckSecretName(*changes.new_name, "new_secret_name"));
    if (*changes.new_name != record.info.name) {
      VS_ASSIGN_OR_RETURN(std::optional<store::SecretRecord> clash,
                          tx.secrets().FindByName(app.id, *changes.new_name));
      if (clash.has_value()) return NameNotUnique("new_secret_name");
      update.name = std::string(*changes.new_name);
    }
  }
  if (changes.value.has_value() && !changes.value->empty()) {
    VS_RETURN_IF_ERROR(CheckSecretValue(*changes.value, "secret_value"));
    // Equal to the stored value -> no change. A stored value that no longer opens is replaced
    // (that is how a damaged record is repaired).
    bool same = false;
    Result<SecureBytes> current = sealer_.Open(tx, ContextOf(app, secret_id), record.value);
    if (current.ok()) {
      same = ConstantTimeEquals(current->view(), *changes.value);
    } else if (current.status().code() != StatusCode::kDataLoss) {
      return current.status();
    }
    if (!same) {
      VS_ASSIGN_OR_RETURN(SealedValue sealed,
                          sealer_.Seal(tx, ContextOf(app, secret_id), *changes.value));
      update.value = std::move(sealed);
    }
  }
  if (changes.description.has_value() && !changes.description->empty()) {
    VS_ASSIGN_OR_RETURN(std::string description,
                        NormalizeDescription(*changes.description, "description"));
    if (description != record.info.description) update.description = std::move(description);
  }

  if (!update.name.has_value() && !update.value.has_value() && !update.description.has_value()) {
    return false;
  }
  Result<bool> updated = tx.secrets().Update(app.id, secret_id, update, clock_.NowSeconds());
  if (!updated.ok()) {
    if (updated.status().code() == StatusCode::kAlreadyExists) {
      return NameNotUnique("new_secret_name");
    }
    return updated.status();
  }
  if (!*updated) return InternalError("a resolved secret vanished during the update");
  return true;
}

Result<std::vector<int64_t>> SecretService::Delete(store::Tx& tx,
                                                   const store::ApplicationRecord& app,
                                                   const SecretSelection& selection) const {
  if (!selection.all && selection.ids.empty() && selection.names.empty()) {
    return MissingArgument("secret_id");
  }
  for (const std::string& name : selection.names) {
    VS_RETURN_IF_ERROR(CheckSecretName(name, "secret_name"));
  }
  std::set<int64_t> ids;
  for (int64_t id : selection.ids) {
    VS_ASSIGN_OR_RETURN(std::optional<store::SecretRecord> secret,
                        tx.secrets().FindById(app.id, id));
    if (!secret.has_value()) return SecretIdNotFound(id);
    ids.insert(id);
  }
  for (const std::string& name : selection.names) {
    VS_ASSIGN_OR_RETURN(std::optional<store::SecretRecord> secret,
                        tx.secrets().FindByName(app.id, name));
    if (!secret.has_value()) return SecretNameNotFound(name);
    ids.insert(secret->info.id);
  }
  if (selection.all) {
    store::SecretFilter filter;
    filter.count = kMaxPageSize;
    for (filter.offset = 0;; filter.offset += kMaxPageSize) {
      VS_ASSIGN_OR_RETURN(store::Page<store::SecretInfo> page, tx.secrets().List(app.id, filter));
      for (const store::SecretInfo& info : page.items) ids.insert(info.id);
      if (static_cast<int64_t>(page.items.size()) < kMaxPageSize) break;
    }
    VS_ASSIGN_OR_RETURN(int64_t deleted, tx.secrets().DeleteAll(app.id));
    (void)deleted;
    return std::vector<int64_t>(ids.begin(), ids.end());
  }
  std::vector<int64_t> list(ids.begin(), ids.end());
  VS_ASSIGN_OR_RETURN(int64_t deleted, tx.secrets().Delete(app.id, list));
  if (deleted != static_cast<int64_t>(list.size())) {
    return InternalError("resolved secrets vanished during the delete");
  }
  return list;
}

}  // namespace voxsecrets::secrets
