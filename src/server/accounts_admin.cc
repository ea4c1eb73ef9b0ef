#include "server/accounts_admin.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "auth/api_key_hash.h"
#include "auth/credentials.h"
#include "common/app_scope.h"
#include "common/encoding.h"
#include "iam/accounts.h"
#include "iam/roles.h"

namespace voxsecrets::server {
namespace {

// 32 random bytes as 64 lower-case hex characters.
SecureBytes NewApiKey(SecureRandom& random) {
  std::array<uint8_t, 32> raw{};
  random.Fill(raw);
  SecureBytes out(HexSize(raw.size()));
  HexEncodeTo(raw, out.span());
  SecureWipe(raw.data(), raw.size());
  return out;
}

}  // namespace

Status WritePrivateFile(const std::string& path, std::string_view contents) {
  const std::string tmp = path + ".tmp";
  ::unlink(tmp.c_str());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Status(StatusCode::kUnavailable, "cannot create " + tmp + ": " + std::strerror(errno));
  }
  size_t done = 0;
  while (done < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string err = std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      return Status(StatusCode::kUnavailable, "cannot write " + tmp + ": " + err);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return Status(StatusCode::kUnavailable, "cannot write " + path + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

namespace {

// A key ready to be stored: its record (account_id still to be set) and its private half.
struct PreparedKey {
  store::KeyRecord record;
  SecureBytes private_key_pem;
};

// Checks the roles and generates the key pair (tens of milliseconds: done before any
// transaction, so that no write lock is held meanwhile).
Result<PreparedKey> PrepareKey(const std::vector<int>& role_ids, const std::string& key_name,
                               const std::string& description, SecureRandom& random,
                               const Clock& clock) {
  for (int id : role_ids) {
    if (iam::FindRoleById(id) == nullptr) {
      return Status(StatusCode::kInvalidRoleId, "Unknown role id " + std::to_string(id) + ".");
    }
  }
  VS_ASSIGN_OR_RETURN(auth::KeyPair pair, auth::GenerateRsaKeyPair());
  PreparedKey key;
  key.record.key_id = random.Uuid();
  key.record.public_key_pem = std::move(pair.public_key_pem);
  key.record.name = key_name;
  key.record.description = description;
  key.record.role_ids = role_ids;
  std::sort(key.record.role_ids.begin(), key.record.role_ids.end());
  key.record.role_ids.erase(std::unique(key.record.role_ids.begin(), key.record.role_ids.end()),
                            key.record.role_ids.end());
  key.record.created = clock.NowSeconds();
  key.private_key_pem = std::move(pair.private_key_pem);
  return key;
}

Result<CreatedKey> Finish(PreparedKey key, const std::string& email) {
  auth::Credentials creds;
  creds.account_email = email;
  creds.account_id = key.record.account_id;
  creds.key_id = key.record.key_id;
  creds.private_key_pem = std::move(key.private_key_pem);
  VS_ASSIGN_OR_RETURN(SecureBytes json, auth::BuildCredentialsJson(creds));
  return CreatedKey{key.record.key_id, key.record.account_id, std::move(json)};
}

}  // namespace

Result<store::ApplicationRecord> FindApplicationOf(store::Tx& tx, int64_t account_id,
                                                   std::string_view id_or_name) {
  std::optional<store::ApplicationRecord> found;
  const bool numeric = !id_or_name.empty() && id_or_name.size() <= 18 &&
                       id_or_name.find_first_not_of("0123456789") == std::string_view::npos;
  if (numeric) {
    VS_ASSIGN_OR_RETURN(
        found, tx.applications().FindById(account_id, std::stoll(std::string(id_or_name))));
  } else {
    VS_ASSIGN_OR_RETURN(found, tx.applications().FindByName(
                                   account_id, id_or_name.substr(0, id_or_name.find('.'))));
  }
  if (!found) {
    return NotFound("account " + std::to_string(account_id) + " has no application '" +
                    std::string(id_or_name) + "'");
  }
  return *std::move(found);
}

Result<CreatedKey> CreateKey(store::Store& store, int64_t account_id,
                             const std::vector<int>& role_ids, const std::string& key_name,
                             const std::string& description, SecureRandom& random,
                             const Clock& clock, const std::vector<std::string>& applications) {
  VS_ASSIGN_OR_RETURN(PreparedKey key, PrepareKey(role_ids, key_name, description, random, clock));
  key.record.account_id = account_id;
  std::string email;
  VS_RETURN_IF_ERROR(store.Write([&](store::Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(auto account, tx.accounts().FindById(account_id));
    if (!account) {
      return Status(StatusCode::kInvalidAccountId,
                    "No account " + std::to_string(account_id) + ".");
    }
    email = account->email;
    if (!applications.empty()) {
      std::vector<int64_t> ids;
      for (const std::string& application : applications) {
        VS_ASSIGN_OR_RETURN(store::ApplicationRecord app,
                            FindApplicationOf(tx, account_id, application));
        ids.push_back(app.id);
      }
      key.record.application_ids = AppScope::Only(std::move(ids)).ids;
    }
    return tx.keys().Insert(key.record);
  }));
  return Finish(std::move(key), email);
}

Result<CreatedAccount> CreateAccount(store::Store& store, const NewAccount& account,
                                     SecureRandom& random, const Clock& clock) {
  VS_RETURN_IF_ERROR(iam::CheckAccountName(account.name));
  SecureBytes api_key = NewApiKey(random);
  VS_ASSIGN_OR_RETURN(std::string api_key_hash, auth::HashApiKey(api_key.view()));
  store::AccountRecord record;
  record.name = account.name;
  record.email = account.email;
  record.parent_id = account.parent_id;
  record.api_key_hash = api_key_hash;
  record.created = clock.NowSeconds();
  VS_ASSIGN_OR_RETURN(
      PreparedKey key,
      PrepareKey({iam::kRoleOwner}, "owner", "Owner key made with the account", random, clock));

  // The account and its Owner key in one transaction: never an account without its key.
  int64_t id = 0;
  VS_RETURN_IF_ERROR(store.Write([&](store::Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(id, iam::InsertAccount(tx, record, key.record));
    return Status::Ok();
  }));
  key.record.account_id = id;

  VS_ASSIGN_OR_RETURN(CreatedKey owner_key, Finish(std::move(key), account.email));
  CreatedAccount out;
  out.account_id = id;
  out.api_key = std::move(api_key);
  out.owner_key = std::move(owner_key);
  return out;
}

}  // namespace voxsecrets::server
