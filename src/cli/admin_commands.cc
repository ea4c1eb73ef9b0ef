#include "cli/admin_commands.h"

#include <cstdio>

#include "common/clock.h"
#include "common/time_format.h"
#include "crypto/openssl_random.h"
#include "iam/roles.h"
#include "server/accounts_admin.h"

namespace voxsecrets::cli {
namespace {

int Fail(const char* command, const Status& status) {
  std::fprintf(stderr, "voxsecrets %s: %s\n", command, status.message().c_str());
  return 1;
}

void AddDataOptions(CLI::App* cmd, server::DataOptions* data,
                    AdminCommands::MasterKeyOptionAdder add_master_key_options) {
  cmd->add_option("--data-dir", data->data_dir, "Data directory of the server")->required();
  cmd->add_option("--store", data->store_url,
                  "Database URL of the server (postgresql://...; default: DIR/voxsecrets.db)");
  add_master_key_options(cmd, &data->master_key);
}

}  // namespace

void AdminCommands::Register(CLI::App& app, MasterKeyOptionAdder add_master_key_options) {
  auto* account = app.add_subcommand("account", "Create and list accounts");
  account->require_subcommand(1);
  account_create_ = account->add_subcommand("create", "Create an account with an Owner key");
  AddDataOptions(account_create_, &data_, add_master_key_options);
  account_create_
      ->add_option("--name", name_,
                   "Account name (lower case, used in full "
                   "application names)")
      ->required();
  account_create_->add_option("--email", email_, "Account email")->required();
  account_create_->add_option("--parent", parent_, "Make it a child of this account id");
  account_create_->add_option("--credentials-out", credentials_out_,
                              "Write the Owner key's credentials.json here (mode 0600)");

  account_list_ = account->add_subcommand("list", "List accounts");
  AddDataOptions(account_list_, &data_, add_master_key_options);

  auto* key = app.add_subcommand("key", "Manage service-account keys");
  key->require_subcommand(1);
  key_create_ = key->add_subcommand("create",
                                    "Create a key with roles for an account (optionally limited to "
                                    "some of its applications)");
  AddDataOptions(key_create_, &data_, add_master_key_options);
  key_create_->add_option("--account", account_, "Account id")->required();
  key_create_->add_option("--role", roles_, "Role name (repeatable), e.g. Owner, Developer")
      ->required();
  key_create_->add_option("--key-name", key_name_, "Key name");
  key_create_->add_option("--application", applications_,
                          "Limit the key to this application: id, short or full name "
                          "(repeatable; default: every application of the account)");
  key_create_
      ->add_option("--credentials-out", credentials_out_,
                   "Write the key's credentials.json here (mode 0600)")
      ->required();
}

int AdminCommands::Run() {
  if (account_create_ && account_create_->parsed()) return AccountCreate();
  if (account_list_ && account_list_->parsed()) return AccountList();
  if (key_create_ && key_create_->parsed()) return KeyCreate();
  return 2;
}

int AdminCommands::AccountCreate() {
  SystemClock clock;
  crypto::OpenSslRandom random;
  auto data = server::OpenData(data_, random, clock);
  if (!data.ok()) return Fail("account create", data.status());
  server::NewAccount account{name_, email_, std::nullopt};
  if (parent_ != 0) account.parent_id = parent_;
  auto created = server::CreateAccount(*data->store, account, random, clock);
  if (!created.ok()) return Fail("account create", created.status());
  if (!credentials_out_.empty()) {
    Status s =
        server::WritePrivateFile(credentials_out_, created->owner_key.credentials_json.view());
    if (!s.ok()) return Fail("account create", s);
  }
  std::printf("account_id: %lld\n", static_cast<long long>(created->account_id));
  std::printf("api_key: %.*s\n", static_cast<int>(created->api_key.size()),
              reinterpret_cast<const char*>(created->api_key.data()));
  std::printf("owner key_id: %s\n", created->owner_key.key_id.c_str());
  if (!credentials_out_.empty()) std::printf("credentials: %s\n", credentials_out_.c_str());
  return 0;
}

int AdminCommands::AccountList() {
  SystemClock clock;
  crypto::OpenSslRandom random;
  auto data = server::OpenData(data_, random, clock);
  if (!data.ok()) return Fail("account list", data.status());
  std::vector<store::AccountRecord> accounts;
  Status s = data->store->Read([&](store::Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(accounts, tx.accounts().List());
    return Status::Ok();
  });
  if (!s.ok()) return Fail("account list", s);
  std::printf("%-10s %-10s %-24s %-32s %s\n", "id", "parent", "name", "email", "created");
  for (const auto& a : accounts) {
    std::printf("%-10lld %-10s %-24s %-32s %s\n", static_cast<long long>(a.id),
                a.parent_id ? std::to_string(*a.parent_id).c_str() : "-", a.name.c_str(),
                a.email.c_str(), FormatApiTime(a.created).c_str());
  }
  return 0;
}

int AdminCommands::KeyCreate() {
  std::vector<int> role_ids;
  for (const auto& name : roles_) {
    const iam::Role* role = iam::FindRoleByName(name);
    if (role == nullptr) {
      return Fail("key create", Status(StatusCode::kInvalidRoleName,
                                       "unknown role '" + name + "' (see GetRoles)"));
    }
    role_ids.push_back(role->id);
  }
  SystemClock clock;
  crypto::OpenSslRandom random;
  auto data = server::OpenData(data_, random, clock);
  if (!data.ok()) return Fail("key create", data.status());
  auto key = server::CreateKey(*data->store, account_, role_ids, key_name_, "", random, clock,
                               applications_);
  if (!key.ok()) return Fail("key create", key.status());
  Status s = server::WritePrivateFile(credentials_out_, key->credentials_json.view());
  if (!s.ok()) return Fail("key create", s);
  std::printf("key_id: %s\ncredentials: %s\n", key->key_id.c_str(), credentials_out_.c_str());
  return 0;
}

}  // namespace voxsecrets::cli
