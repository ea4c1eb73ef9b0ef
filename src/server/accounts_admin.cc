#include "server/accounts_admin.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <regex>

#include "auth/api_key_hash.h"
#include "auth/credentials.h"
#include "auth/roles.h"

namespace voxsecrets::server {
namespace {

bool ValidAccountName(const std::string& name) {
  static const std::regex kPattern("^[a-z][a-z0-9-]{0,39}$");
  return std::regex_match(name, kPattern);
}

// 32 random bytes as 64 lower-case hex characters.
SecureBytes NewApiKey(SecureRandom& random) {
  std::array<uint8_t, 32> raw{};
  random.Fill(raw);
  static constexpr char kHex[] = "0123456789abcdef";
  SecureBytes out(raw.size() * 2);
  for (size_t i = 0; i < raw.size(); ++i) {
    out.data()[2 * i] = static_cast<uint8_t>(kHex[raw[i] >> 4]);
    out.data()[2 * i + 1] = static_cast<uint8_t>(kHex[raw[i] & 0x0f]);
  }
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

Result<CreatedKey> CreateKey(store::Store& store, int64_t account_id,
                             const std::vector<int>& role_ids, const std::string& key_name,
                             const std::string& description, SecureRandom& random,
                             const Clock& clock) {
  for (int id : role_ids) {
    if (auth::FindRoleById(id) == nullptr) {
      return Status(StatusCode::kInvalidRoleId, "Unknown role id " + std::to_string(id) + ".");
    }
  }
  VS_ASSIGN_OR_RETURN(auth::KeyPair pair, auth::GenerateRsaKeyPair());
  store::KeyRecord key;
  key.key_id = random.Uuid();
  key.account_id = account_id;
  key.public_key_pem = pair.public_key_pem;
  key.name = key_name;
  key.description = description;
  key.role_ids = role_ids;
  std::sort(key.role_ids.begin(), key.role_ids.end());
  key.role_ids.erase(std::unique(key.role_ids.begin(), key.role_ids.end()), key.role_ids.end());
  key.created = clock.NowSeconds();

  std::string email;
  VS_RETURN_IF_ERROR(store.Write([&](store::Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(auto account, tx.accounts().FindById(account_id));
    if (!account) {
      return Status(StatusCode::kInvalidAccountId,
                    "No account " + std::to_string(account_id) + ".");
    }
    email = account->email;
    return tx.keys().Insert(key);
  }));

  auth::Credentials creds;
  creds.account_email = email;
  creds.account_id = account_id;
  creds.key_id = key.key_id;
  creds.private_key_pem = std::move(pair.private_key_pem);
  VS_ASSIGN_OR_RETURN(SecureBytes json, auth::BuildCredentialsJson(creds));
  return CreatedKey{key.key_id, account_id, std::move(json)};
}

Result<CreatedAccount> CreateAccount(store::Store& store, const NewAccount& account,
                                     SecureRandom& random, const Clock& clock) {
  if (!ValidAccountName(account.name)) {
    return Status(StatusCode::kInvalidArgument,
                  "Account names are 1-40 characters: a lower-case letter, then lower-case "
                  "letters, digits or '-'.",
                  "name");
  }
  SecureBytes api_key = NewApiKey(random);
  VS_ASSIGN_OR_RETURN(std::string api_key_hash, auth::HashApiKey(api_key.view()));
  store::AccountRecord record;
  record.name = account.name;
  record.email = account.email;
  record.parent_id = account.parent_id;
  record.api_key_hash = api_key_hash;
  record.created = clock.NowSeconds();

  int64_t id = 0;
  VS_RETURN_IF_ERROR(store.Write([&](store::Tx& tx) -> Status {
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
    auto inserted = tx.accounts().Insert(record);
    if (!inserted.ok() && inserted.status().code() == StatusCode::kAlreadyExists) {
      return Status(StatusCode::kAlreadyExists,
                    "An account named '" + account.name + "' already exists.", "name");
    }
    VS_ASSIGN_OR_RETURN(id, std::move(inserted));
    return Status::Ok();
  }));

  VS_ASSIGN_OR_RETURN(CreatedKey key,
                      CreateKey(store, id, {auth::kRoleOwner}, "owner",
                                "Owner key made with the account", random, clock));
  CreatedAccount out;
  out.account_id = id;
  out.api_key = std::move(api_key);
  out.owner_key = std::move(key);
  return out;
}

}  // namespace voxsecrets::server
