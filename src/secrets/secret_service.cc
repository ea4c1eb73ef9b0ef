#include "secrets/secret_service.h"

#include <algorithm>
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

crypto::ValueContext ContextOf(const store::ApplicationRecord& app, int64_t secret_id,
                               int64_t version) {
  return crypto::ValueContext{app.account_id, app.id, secret_id, version};
}

// Applies `update` to the secret, with the API's error for a name taken meanwhile.
Status ApplyUpdate(store::Tx& tx, int64_t application_id, int64_t secret_id,
                   const store::SecretUpdate& update, int64_t now) {
  Result<bool> updated = tx.secrets().Update(application_id, secret_id, update, now);
  if (!updated.ok()) {
    if (updated.status().code() == StatusCode::kAlreadyExists) {
      return NameNotUnique("new_secret_name");
    }
    return updated.status();
  }
  if (!*updated) return InternalError("a resolved secret vanished during the update");
  return Status::Ok();
}

}  // namespace

SecretService::SecretService(crypto::ValueSealer& sealer, const Clock& clock,
                             const SecretsOptions& options)
    : sealer_(sealer),
      clock_(clock),
      versions_kept_(std::clamp<int64_t>(options.secret_versions, 1, kMaxSecretVersions)) {}

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
  VS_ASSIGN_OR_RETURN(SealedValue sealed,
                      sealer_.Seal(tx, ContextOf(app, *id, /*version=*/1), *secret.value));
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
                                            const SecretRef& ref,
                                            std::optional<int64_t> version) const {
  VS_ASSIGN_OR_RETURN(store::SecretRecord record, ResolveSecret(tx, app, ref));
  return GetValue(tx, app, std::move(record), version);
}

Result<SecretValue> SecretService::GetValue(store::Tx& tx, const store::ApplicationRecord& app,
                                            store::SecretRecord secret,
                                            std::optional<int64_t> version) const {
  const int64_t wanted = version.value_or(secret.info.version);
  VS_ASSIGN_OR_RETURN(SecureBytes value, OpenVersion(tx, app, secret, wanted));
  return SecretValue{std::move(secret.info), std::move(value), wanted};
}

Result<SecureBytes> SecretService::OpenVersion(store::Tx& tx, const store::ApplicationRecord& app,
                                               const store::SecretRecord& secret,
                                               int64_t version) const {
  const int64_t id = secret.info.id;
  if (version == secret.info.version) {
    return sealer_.Open(tx, ContextOf(app, id, version), secret.value);
  }
  std::optional<store::SecretVersionRecord> older;
  if (version >= 1 && version < secret.info.version) {
    VS_ASSIGN_OR_RETURN(older, tx.secret_versions().Find(app.id, id, version));
  }
  if (!older.has_value()) {
    // Kept versions are consecutive and end with the current one.
    VS_ASSIGN_OR_RETURN(store::Page<store::SecretVersionInfo> kept,
                        tx.secret_versions().List(app.id, id, 0, 0));
    const int64_t oldest = secret.info.version - kept.total_count;
    std::string message = "Version " + std::to_string(version) + " of secret '" +
                          EchoForMessage(secret.info.name) + "' is not found; ";
    message += oldest == secret.info.version
                   ? "it keeps only version " + std::to_string(oldest) + "."
                   : "it keeps versions " + std::to_string(oldest) + " to " +
                         std::to_string(secret.info.version) + ".";
    return NotFound(std::move(message), "version");
  }
  return sealer_.Open(tx, ContextOf(app, id, version), older->value);
}

Result<store::Page<SecretVersion>> SecretService::ListVersions(store::Tx& tx,
                                                               const store::ApplicationRecord& app,
                                                               const store::SecretRecord& secret,
                                                               const VersionQuery& query) const {
  VS_ASSIGN_OR_RETURN(Paging paging, CheckPaging(query.count, query.offset));
  // The current version is item 0; the kept older ones follow, newest first.
  const bool with_current = paging.offset == 0;
  VS_ASSIGN_OR_RETURN(
      store::Page<store::SecretVersionInfo> older,
      tx.secret_versions().List(app.id, secret.info.id, paging.count - (with_current ? 1 : 0),
                                with_current ? 0 : paging.offset - 1));
  store::Page<SecretVersion> page;
  page.total_count = older.total_count + 1;
  if (with_current) {
    page.items.push_back(SecretVersion{secret.info.version, secret.info.version_created, true});
  }
  for (const store::SecretVersionInfo& info : older.items) {
    page.items.push_back(SecretVersion{info.version, info.created, false});
  }
  return page;
}

Result<int64_t> SecretService::NewVersion(store::Tx& tx, const store::ApplicationRecord& app,
                                          const store::SecretRecord& secret, std::string_view value,
                                          store::SecretUpdate update) const {
  const int64_t id = secret.info.id;
  const int64_t next = secret.info.version + 1;
  const int64_t drop_up_to = next - versions_kept_;  // versions <= this one go
  if (secret.info.version > drop_up_to) {
    store::SecretVersionRecord older;
    older.info = store::SecretVersionInfo{id, secret.info.version, secret.info.version_created};
    older.value = secret.value;
    VS_RETURN_IF_ERROR(tx.secret_versions().Insert(app.id, older));
  }
  VS_ASSIGN_OR_RETURN(SealedValue sealed, sealer_.Seal(tx, ContextOf(app, id, next), value));
  update.value = std::move(sealed);
  update.version = next;
  VS_RETURN_IF_ERROR(ApplyUpdate(tx, app.id, id, update, clock_.NowSeconds()));
  if (drop_up_to >= 1) {
    VS_RETURN_IF_ERROR(tx.secret_versions().DeleteUpTo(app.id, id, drop_up_to).status());
  }
  return next;
}

Result<int64_t> SecretService::Restore(store::Tx& tx, const store::ApplicationRecord& app,
                                       const store::SecretRecord& secret, int64_t version) const {
  const int64_t current = secret.info.version;
  if (version == current) return current;
  VS_ASSIGN_OR_RETURN(SecureBytes restored, OpenVersion(tx, app, secret, version));
  // Equal to the current value: no change (as SetInfo). A current value that no longer opens is
  // replaced.
  Result<SecureBytes> now = sealer_.Open(tx, ContextOf(app, secret.info.id, current), secret.value);
  if (now.ok()) {
    if (ConstantTimeEquals(now->view(), restored.view())) return current;
  } else if (now.status().code() != StatusCode::kDataLoss) {
    return now.status();
  }
  return NewVersion(tx, app, secret, restored.view(), store::SecretUpdate{});
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

Result<SetInfoOutcome> SecretService::SetInfo(store::Tx& tx, const store::ApplicationRecord& app,
                                              const store::SecretRecord& record,
                                              const SecretChanges& changes) const {
  const int64_t secret_id = record.info.id;
  store::SecretUpdate update;
  std::optional<std::string_view> new_value;

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
    Result<SecureBytes> current =
        sealer_.Open(tx, ContextOf(app, secret_id, record.info.version), record.value);
    if (current.ok()) {
      same = ConstantTimeEquals(current->view(), *changes.value);
    } else if (current.status().code() != StatusCode::kDataLoss) {
      return current.status();
    }
    if (!same) new_value = *changes.value;
  }
  if (changes.description.has_value() && !changes.description->empty()) {
    VS_ASSIGN_OR_RETURN(std::string description,
                        NormalizeDescription(*changes.description, "description"));
    if (description != record.info.description) update.description = std::move(description);
  }

  if (new_value.has_value()) {
    VS_ASSIGN_OR_RETURN(int64_t version,
                        NewVersion(tx, app, record, *new_value, std::move(update)));
    return SetInfoOutcome{true, version};
  }
  if (!update.name.has_value() && !update.description.has_value()) {
    return SetInfoOutcome{false, record.info.version};
  }
  VS_RETURN_IF_ERROR(ApplyUpdate(tx, app.id, secret_id, update, clock_.NowSeconds()));
  return SetInfoOutcome{true, record.info.version};
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
