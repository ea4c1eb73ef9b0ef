// ApiStack: the whole API layer over real parts, for tests: a fresh SQLite store in a temporary
// directory, a Keyring with a random master key, an Authenticator reading keys and accounts from
// that store, the secrets/applications services and a Dispatcher with their methods. Time is a
// FakeClock. ApiTest is a GoogleTest fixture owning one ApiStack per test.
//
// Credentials: CreateAccount makes an account with a legacy api_key; CreateKey stores a
// service-account key whose private half stays in the test process; Token signs an RS256 JWT
// with it (auth::SignJwt). RSA-2048 generation takes up to a second, so key pairs are made once
// per process and shared between stacks (SharedTestKeyPair): the n-th key of a stack uses pair n,
// so keys within one stack never share a pair.
//
// Thread-safety: an ApiStack may be used from several threads exactly as the parts it wires
// allow (Dispatcher::Handle concurrently); the helpers that create records may too.
// Ownership: the stack owns everything it builds and removes its directory when destroyed.
#ifndef VOXSECRETS_TESTS_TESTING_API_FIXTURE_H_
#define VOXSECRETS_TESTS_TESTING_API_FIXTURE_H_

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/api_types.h"
#include "api/audit_hook.h"
#include "api/dispatcher.h"
#include "api/method_table.h"
#include "api/methods/methods.h"
#include "auth/authenticator.h"
#include "auth/credentials.h"
#include "auth/key_cache.h"
#include "auth/key_directory.h"
#include "auth/rsa_key_pair_source.h"
#include "common/clock.h"
#include "common/random.h"
#include "common/status.h"
#include "crypto/keyring.h"
#include "iam/keys.h"
#include "secrets/application_service.h"
#include "secrets/limits.h"
#include "secrets/secret_service.h"
#include "store/store.h"
#include "tests/testing/faulty_audit_store.h"

namespace voxsecrets::api {

class ApiStack;

struct ApiStackOptions {
  std::string application_domain = "voximplant.com";
  int64_t secret_versions = secrets::kDefaultSecretVersions;  // versions kept per secret
  int64_t now = 1767225600;  // FakeClock start: 2026-01-01 00:00:00 UTC
  // The store under the stack: a fresh, empty, migrated one (e.g. PostgreSQL in a schema of its
  // own). Unset: SQLite in the stack's temporary directory (database_path()).
  std::function<Result<store::StorePtr>()> make_store;
  AuditHook* audit = nullptr;  // not owned; must outlive the stack
  // When set, called once the store is ready and before the dispatcher is built; the hook it
  // returns (not owned; must outlive the stack) is used instead of `audit`.
  std::function<AuditHook*(ApiStack&)> make_audit;
  // Wrap the store in a store::FaultyAuditStore (failure injection: see faulty_audit_store()).
  bool faulty_audit_store = false;
  // The SQLite VFS of the store (store::SqliteOptions::vfs); empty = the default. For failure
  // injection at the file level (tests/testing/faulty_sqlite_vfs.h).
  std::string sqlite_vfs;
  // The dispatcher's options (its identity cache, its request-rate limits).
  DispatcherOptions dispatcher;
  // Where CreateKey's key pairs come from (not owned; must outlive the stack); null = RSA-2048
  // from OpenSSL (auth::RsaKeyPairSource).
  const iam::KeyPairSource* key_pairs = nullptr;
  // Called after the secrets and applications methods are registered, to add more methods
  // (the stack's services, store and keyring are ready when it runs).
  std::function<void(MethodTable&, ApiStack&)> register_methods;
};

// The process-wide RSA-2048 key pair number `index` (made on first use). Test support only.
const auth::KeyPair& SharedTestKeyPair(size_t index);

class ApiStack {
 public:
  struct Account {
    int64_t id = 0;
    std::string name;
    std::string api_key;  // legacy credential (only its hash is stored)
  };
  struct Key {
    std::string key_id;
    int64_t account_id = 0;
    size_t pair_index = 0;  // SharedTestKeyPair(pair_index) holds its private key
  };

  static Result<std::unique_ptr<ApiStack>> Create(ApiStackOptions options = {});
  ~ApiStack();
  ApiStack(const ApiStack&) = delete;
  ApiStack& operator=(const ApiStack&) = delete;

  FakeClock& clock() { return clock_; }
  SecureRandom& random() { return *random_; }
  store::Store& store() { return *store_; }
  crypto::Keyring& keyring() { return *keyring_; }
  auth::KeyCache& key_cache() { return key_cache_; }
  const auth::Authenticator& authenticator() { return *authenticator_; }
  const secrets::ApplicationService& applications() { return *applications_; }
  const secrets::SecretService& secrets() { return *secrets_; }
  const iam::KeyService& keys() { return *keys_; }
  Dispatcher& dispatcher() { return *dispatcher_; }
  const std::string& directory() const { return dir_; }
  // The database file of the store.
  std::string database_path() const { return dir_ + "/voxsecrets.db"; }
  // The failure-injection wrapper; nullptr unless options.faulty_audit_store.
  store::FaultyAuditStore* faulty_audit_store() { return faulty_; }

  // An account named `name` (lower case) with a fresh legacy api_key.
  Result<Account> CreateAccount(std::string name, std::optional<int64_t> parent_id = std::nullopt);
  // A service-account key of `account_id` holding `role_ids` (iam/roles.h), limited to
  // `application_ids` when given.
  Result<Key> CreateKey(int64_t account_id, std::vector<int> role_ids,
                        std::optional<std::vector<int64_t>> application_ids = std::nullopt);
  // An RS256 token of `key`: iss = `iss` or the key's account, iat = `iat` or the clock's now,
  // exp = iat + ttl.
  Result<std::string> Token(const Key& key, int64_t ttl = 60, std::optional<int64_t> iss = {},
                            std::optional<int64_t> iat = {}) const;
  // An application made directly through the service (one write transaction); returns its id.
  Result<int64_t> CreateApplication(int64_t account_id, std::string_view short_name);

  // Builds an ApiRequest (params with empty values dropped, like the HTTP decoder) and handles it.
  ApiResponse Call(std::string_view method,
                   const std::vector<std::pair<std::string, std::string>>& params,
                   std::string_view bearer_token = {});
  // Call() with the body parsed (a parse failure is a test failure and yields null).
  nlohmann::json CallJson(std::string_view method,
                          const std::vector<std::pair<std::string, std::string>>& params,
                          std::string_view bearer_token = {});

 private:
  explicit ApiStack(ApiStackOptions options);

  ApiStackOptions options_;
  std::string dir_;
  FakeClock clock_;
  std::unique_ptr<SecureRandom> random_;
  store::StorePtr store_;
  store::FaultyAuditStore* faulty_ = nullptr;  // store_ itself when options.faulty_audit_store
  crypto::KeyringPtr keyring_;
  std::unique_ptr<auth::KeyDirectory> directory_;
  auth::KeyCache key_cache_;
  std::unique_ptr<auth::Authenticator> authenticator_;
  std::unique_ptr<secrets::ApplicationService> applications_;
  std::unique_ptr<secrets::SecretService> secrets_;
  auth::RsaKeyPairSource key_pairs_;
  std::unique_ptr<iam::KeyService> keys_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::atomic<size_t> keys_made_{0};
};

// A GoogleTest fixture with one ApiStack per test (built in SetUp; a failure to build fails the
// test). Derived fixtures may override StackOptions().
class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override { stack_.reset(); }
  virtual ApiStackOptions StackOptions() { return {}; }

  ApiStack& stack() { return *stack_; }

 private:
  std::unique_ptr<ApiStack> stack_;
};

}  // namespace voxsecrets::api

#endif  // VOXSECRETS_TESTS_TESTING_API_FIXTURE_H_
