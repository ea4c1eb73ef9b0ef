#include "tests/testing/api_fixture.h"

#include <stdlib.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>

#include "auth/api_key_hash.h"
#include "common/encoding.h"
#include "common/mutex.h"
#include "crypto/key_check.h"
#include "crypto/master_key.h"
#include "crypto/openssl_random.h"
#include "store/sqlite/sqlite_store.h"

namespace voxsecrets::api {
namespace {

// auth::KeyDirectory over the stack's store (the production one lives in server/; this keeps the
// fixture independent of the HTTP server's build).
class StoreDirectory final : public auth::KeyDirectory {
 public:
  explicit StoreDirectory(store::Store& store) : store_(store) {}

  Result<std::optional<auth::KeyInfo>> FindKey(std::string_view key_id) override {
    std::optional<auth::KeyInfo> found;
    VS_RETURN_IF_ERROR(store_.Read([&](store::Tx& tx) -> Status {
      found.reset();
      VS_ASSIGN_OR_RETURN(std::optional<store::KeyRecord> key, tx.keys().FindById(key_id));
      if (key.has_value()) {
        found = auth::KeyInfo{key->key_id, key->account_id, key->public_key_pem, key->role_ids,
                              AppScope{key->application_ids}};
      }
      return Status::Ok();
    }));
    return found;
  }
  Result<auth::AccountLink> FindAccount(int64_t account_id) override {
    auth::AccountLink link;
    VS_RETURN_IF_ERROR(store_.Read([&](store::Tx& tx) -> Status {
      VS_ASSIGN_OR_RETURN(std::optional<store::AccountRecord> account,
                          tx.accounts().FindById(account_id));
      link =
          account.has_value() ? auth::AccountLink{true, account->parent_id} : auth::AccountLink{};
      return Status::Ok();
    }));
    return link;
  }
  Result<std::optional<std::string>> FindApiKeyHash(int64_t account_id) override {
    std::optional<std::string> hash;
    VS_RETURN_IF_ERROR(store_.Read([&](store::Tx& tx) -> Status {
      hash.reset();
      VS_ASSIGN_OR_RETURN(std::optional<store::AccountRecord> account,
                          tx.accounts().FindById(account_id));
      if (account.has_value() && !account->api_key_hash.empty()) hash = account->api_key_hash;
      return Status::Ok();
    }));
    return hash;
  }

 private:
  store::Store& store_;
};

std::string RandomHex(SecureRandom& random, size_t bytes) {
  std::vector<uint8_t> raw(bytes);
  random.Fill(raw);
  return HexEncode(raw);
}

}  // namespace

const auth::KeyPair& SharedTestKeyPair(size_t index) {
  static Mutex mu;
  static std::map<size_t, std::unique_ptr<auth::KeyPair>> pairs GUARDED_BY(mu);  // never destroyed
  MutexLock lock(mu);
  std::unique_ptr<auth::KeyPair>& slot = pairs[index];
  if (!slot) {
    Result<auth::KeyPair> pair = auth::GenerateRsaKeyPair();
    if (!pair.ok()) {
      std::fprintf(stderr, "RSA key generation failed: %s\n", pair.status().ToString().c_str());
      std::abort();
    }
    slot = std::make_unique<auth::KeyPair>(std::move(pair).value());
  }
  return *slot;
}

ApiStack::ApiStack(ApiStackOptions options) : options_(std::move(options)), clock_(options_.now) {}

ApiStack::~ApiStack() {
  dispatcher_.reset();
  authenticator_.reset();
  directory_.reset();
  keyring_.reset();
  store_.reset();
  if (!dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

Result<std::unique_ptr<ApiStack>> ApiStack::Create(ApiStackOptions options) {
  std::unique_ptr<ApiStack> stack(new ApiStack(std::move(options)));
  const char* tmp = getenv("TEST_TMPDIR");
  std::string pattern =
      std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/voxsecrets-api-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) return InternalError("mkdtemp failed");
  stack->dir_ = pattern;

  if (stack->options_.make_store) {
    VS_ASSIGN_OR_RETURN(stack->store_, stack->options_.make_store());
  } else {
    store::SqliteOptions sqlite;
    sqlite.path = stack->dir_ + "/voxsecrets.db";
    sqlite.vfs = stack->options_.sqlite_vfs;
    VS_ASSIGN_OR_RETURN(stack->store_, store::OpenSqliteStore(sqlite));
  }
  if (stack->options_.faulty_audit_store) {
    auto faulty = std::make_unique<store::FaultyAuditStore>(std::move(stack->store_));
    stack->faulty_ = faulty.get();
    stack->store_ = std::move(faulty);
  }

  stack->random_ = std::make_unique<crypto::OpenSslRandom>();
  VS_ASSIGN_OR_RETURN(crypto::LockedKey master, crypto::GenerateMasterKey(*stack->random_));
  VS_ASSIGN_OR_RETURN(uint32_t version, crypto::VerifyMasterKey(*stack->store_, master));
  VS_ASSIGN_OR_RETURN(stack->keyring_, crypto::Keyring::Create(std::move(master), version,
                                                               *stack->random_, stack->clock_));

  stack->directory_ = std::make_unique<StoreDirectory>(*stack->store_);
  stack->authenticator_ =
      std::make_unique<auth::Authenticator>(*stack->directory_, stack->key_cache_, stack->clock_);

  secrets::SecretsOptions secrets_options;
  secrets_options.application_domain = stack->options_.application_domain;
  secrets_options.secret_versions = stack->options_.secret_versions;
  stack->applications_ =
      std::make_unique<secrets::ApplicationService>(stack->clock_, secrets_options);
  stack->secrets_ =
      std::make_unique<secrets::SecretService>(*stack->keyring_, stack->clock_, secrets_options);

  const iam::KeyPairSource& key_pairs =
      stack->options_.key_pairs != nullptr ? *stack->options_.key_pairs : stack->key_pairs_;
  stack->keys_ = std::make_unique<iam::KeyService>(key_pairs, *stack->random_, stack->clock_);
  Services services{*stack->applications_, *stack->secrets_, *stack->keys_, *stack->keyring_};
  MethodTable table = BuildMethodTable(services);
  if (stack->options_.register_methods) stack->options_.register_methods(table, *stack);
  AuditHook* audit = stack->options_.audit;
  if (stack->options_.make_audit) audit = stack->options_.make_audit(*stack);
  stack->dispatcher_ =
      std::make_unique<Dispatcher>(*stack->store_, *stack->authenticator_, stack->clock_,
                                   std::move(table), audit, stack->options_.dispatcher);
  return stack;
}

Result<ApiStack::Account> ApiStack::CreateAccount(std::string name,
                                                  std::optional<int64_t> parent_id) {
  Account account;
  account.name = std::move(name);
  account.api_key = RandomHex(*random_, 24);
  VS_ASSIGN_OR_RETURN(std::string hash, auth::HashApiKey(account.api_key));
  store::AccountRecord record;
  record.name = account.name;
  record.email = account.name + "@example.com";
  record.parent_id = parent_id;
  record.api_key_hash = std::move(hash);
  record.created = clock_.NowSeconds();
  VS_RETURN_IF_ERROR(store_->Write([&](store::Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(account.id, tx.accounts().Insert(record));
    return Status::Ok();
  }));
  return account;
}

Result<ApiStack::Key> ApiStack::CreateKey(int64_t account_id, std::vector<int> role_ids,
                                          std::optional<std::vector<int64_t>> application_ids) {
  Key key;
  key.key_id = random_->Uuid();
  key.account_id = account_id;
  key.pair_index = keys_made_++;
  std::sort(role_ids.begin(), role_ids.end());
  role_ids.erase(std::unique(role_ids.begin(), role_ids.end()), role_ids.end());
  store::KeyRecord record;
  record.key_id = key.key_id;
  record.account_id = account_id;
  record.public_key_pem = SharedTestKeyPair(key.pair_index).public_key_pem;
  record.role_ids = std::move(role_ids);
  record.application_ids = std::move(application_ids);
  record.created = clock_.NowSeconds();
  VS_RETURN_IF_ERROR(store_->Write([&](store::Tx& tx) { return tx.keys().Insert(record); }));
  return key;
}

Result<std::string> ApiStack::Token(const Key& key, int64_t ttl, std::optional<int64_t> iss,
                                    std::optional<int64_t> iat) const {
  const int64_t issued = iat.value_or(clock_.NowSeconds());
  return auth::SignJwt(SharedTestKeyPair(key.pair_index).private_key_pem.view(), key.key_id,
                       iss.value_or(key.account_id), issued, issued + ttl);
}

Result<int64_t> ApiStack::CreateApplication(int64_t account_id, std::string_view short_name) {
  int64_t id = 0;
  VS_RETURN_IF_ERROR(store_->Write([&](store::Tx& tx) -> Status {
    secrets::NewApplication app;
    app.name = short_name;
    VS_ASSIGN_OR_RETURN(store::ApplicationRecord record, applications_->Add(tx, account_id, app));
    id = record.id;
    return Status::Ok();
  }));
  return id;
}

ApiResponse ApiStack::Call(std::string_view method,
                           const std::vector<std::pair<std::string, std::string>>& params,
                           std::string_view bearer_token) {
  ApiRequest request;
  request.method = std::string(method);
  for (const auto& [name, value] : params) request.params.Set(name, value);
  request.bearer_token = WipingString(bearer_token);
  request.client_ip = "127.0.0.1";
  return dispatcher_->Handle(request);
}

nlohmann::json ApiStack::CallJson(std::string_view method,
                                  const std::vector<std::pair<std::string, std::string>>& params,
                                  std::string_view bearer_token) {
  const ApiResponse response = Call(method, params, bearer_token);
  nlohmann::json body = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(body.is_discarded()) << "response is not JSON";
  return body.is_discarded() ? nlohmann::json() : body;
}

void ApiTest::SetUp() {
  Result<std::unique_ptr<ApiStack>> stack = ApiStack::Create(StackOptions());
  ASSERT_TRUE(stack.ok()) << stack.status().ToString();
  stack_ = std::move(stack).value();
}

}  // namespace voxsecrets::api
