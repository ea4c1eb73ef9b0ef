#include "iam/accounts.h"

#include <optional>
#include <regex>
#include <string>
#include <utility>

namespace voxsecrets::iam {

Result<store::AccountRecord> CallingAccount(store::Tx& tx, int64_t account_id) {
  VS_ASSIGN_OR_RETURN(std::optional<store::AccountRecord> account,
                      tx.accounts().FindById(account_id));
  if (!account.has_value()) return InternalError("the calling account is missing");
  return std::move(*account);
}

Result<std::vector<int64_t>> AccountAndChildren(store::Tx& tx, int64_t account_id) {
  std::vector<int64_t> ids = {account_id};
  VS_ASSIGN_OR_RETURN(std::vector<store::AccountRecord> accounts, tx.accounts().List());
  for (const store::AccountRecord& account : accounts) {
    if (account.parent_id == account_id) ids.push_back(account.id);
  }
  return ids;
}

Status CheckAccountName(std::string_view name) {
  static const std::regex kPattern("^[a-z][a-z0-9-]{0,39}$");
  if (!std::regex_match(name.begin(), name.end(), kPattern)) {
    return Status(StatusCode::kInvalidArgument,
                  "Account names are 1-40 characters: a lower-case letter, then lower-case "
                  "letters, digits or '-'.",
                  "name");
  }
  return Status::Ok();
}

Result<int64_t> InsertAccount(store::Tx& tx, const store::AccountRecord& account,
                              store::KeyRecord owner_key) {
  if (account.parent_id) {
    VS_ASSIGN_OR_RETURN(auto parent, tx.accounts().FindById(*account.parent_id));
    if (!parent) {
      return Status(StatusCode::kInvalidAccountId,
                    "No parent account " + std::to_string(*account.parent_id) + ".");
    }
    if (parent->parent_id) {
      return Status(StatusCode::kInvalidAccountId,
                    "Account " + std::to_string(*account.parent_id) +
                        " is itself a child account; children cannot have children.");
    }
  }
  auto inserted = tx.accounts().Insert(account);
  if (!inserted.ok() && inserted.status().code() == StatusCode::kAlreadyExists) {
    return Status(StatusCode::kAlreadyExists,
                  "An account named '" + account.name + "' already exists.", "name");
  }
  VS_ASSIGN_OR_RETURN(int64_t id, std::move(inserted));
  owner_key.account_id = id;
  VS_RETURN_IF_ERROR(tx.keys().Insert(owner_key));
  return id;
}

}  // namespace voxsecrets::iam
