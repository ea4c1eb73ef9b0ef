// The rules of accounts (docs/AUTH.md "Accounts and child accounts"): the account a call acts as,
// and how an account is made — with the operator's commands only, never through the API.
//
// Pure rules over the caller's store::Tx: no HTTP, no JSON, no error numbers, no key material
// (the operator's side, server/accounts_admin.h, makes the api_key and the Owner key's pair).
// Thread-safety: free functions; safe from any thread.
#ifndef VOXSECRETS_IAM_ACCOUNTS_H_
#define VOXSECRETS_IAM_ACCOUNTS_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/records.h"
#include "store/store.h"

namespace voxsecrets::iam {

// The account a call acts as. Authentication found it a moment ago and accounts are never
// deleted, so a missing one is kInternal (our fault, not the caller's).
Result<store::AccountRecord> CallingAccount(store::Tx& tx, int64_t account_id);

// The accounts whose data a call acting as `account_id` may see beyond its own (GetAuditLog): the
// account itself, then its direct children, by id.
Result<std::vector<int64_t>> AccountAndChildren(store::Tx& tx, int64_t account_id);

// Account names are ^[a-z][a-z0-9-]{0,39}$ (they are part of full application names); else
// kInvalidArgument blaming `name`.
Status CheckAccountName(std::string_view name);

// Inserts `account` (a child of account.parent_id when set) together with its first key
// `owner_key` (account_id is filled in), in `tx`: never an account without its key. Refuses a
// parent that does not exist or is itself a child (children cannot have children; both
// kInvalidAccountId) and a taken name (kAlreadyExists blaming `name`). Returns the new id.
// REQUIRES: CheckAccountName(account.name) is OK.
Result<int64_t> InsertAccount(store::Tx& tx, const store::AccountRecord& account,
                              store::KeyRecord owner_key);

}  // namespace voxsecrets::iam

#endif  // VOXSECRETS_IAM_ACCOUNTS_H_
