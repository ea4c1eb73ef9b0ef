// The identity cache (api/tx_key_directory.h) against changes of a key's applications made
// outside the dispatcher (another node, the admin CLI), on both storage backends: the cache holds
// a key's application scope, so key_applications must move the identity change counter like
// key_roles (schema version 4's triggers). An application deleted straight in the store changes
// only key_applications (by cascade), never api_keys: without those triggers the cached scope
// would outlive it.
//
// The PostgreSQL cases need a server (store/postgres/pg_test_util.h): without one they skip, and
// fail under CI=true.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "iam/roles.h"
#include "store/postgres/pg_test_util.h"
#include "tests/testing/api_fixture.h"

namespace voxsecrets::server {
namespace {

using nlohmann::json;

enum class Backend { kSqlite, kPostgres };

class ScopeCacheOnBackendTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    api::ApiStackOptions options;
    if (GetParam() == Backend::kPostgres) {
      std::string url;
      if (!store::pgtest::RequireServer(&url)) {
        if (!IsSkipped()) FAIL() << "no PostgreSQL test server";
        return;
      }
      options.make_store = []() -> Result<store::StorePtr> {
        store::StorePtr made = store::pgtest::MakeTestPgStore();
        if (made == nullptr) return InternalError("no PostgreSQL test store");
        return made;
      };
    }
    Result<std::unique_ptr<api::ApiStack>> stack = api::ApiStack::Create(std::move(options));
    ASSERT_TRUE(stack.ok()) << stack.status().ToString();
    stack_ = std::move(*stack);
    Result<api::ApiStack::Account> acme = stack_->CreateAccount("acme");
    ASSERT_TRUE(acme.ok()) << acme.status().ToString();
    acme_ = *acme;
  }

  int64_t App(std::string_view name) {
    Result<int64_t> app = stack_->CreateApplication(acme_.id, name);
    EXPECT_TRUE(app.ok()) << app.status().ToString();
    return app.ok() ? *app : 0;
  }
  // The error code of `body`, or 0 for a result.
  static int Code(const json& body) {
    if (body.contains("result")) return 0;
    return body.contains("error") ? body["error"]["code"].get<int>() : -1;
  }
  int64_t Hits() { return stack_->dispatcher().iam_cache()->hits(); }

  std::unique_ptr<api::ApiStack> stack_;
  api::ApiStack::Account acme_;
};

TEST_P(ScopeCacheOnBackendTest, AScopeChangedOutsideTheDispatcherAppliesAtTheNextRequest) {
  if (stack_ == nullptr) return;  // skipped
  ASSERT_NE(stack_->dispatcher().iam_cache(), nullptr) << "the identity cache must be on";
  const int64_t kept = App("kept");
  const int64_t moved = App("moved");
  Result<api::ApiStack::Key> key =
      stack_->CreateKey(acme_.id, {iam::kRoleDeveloper}, std::vector<int64_t>{moved});
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  Result<std::string> token = stack_->Token(*key, 600);
  ASSERT_TRUE(token.ok());
  auto list = [&](int64_t app) {
    return stack_->CallJson("GetSecrets", {{"application_id", std::to_string(app)}}, *token);
  };
  for (int i = 0; i < 3; ++i) ASSERT_EQ(Code(list(moved)), 0) << i;  // cached now
  const int64_t hits = Hits();
  ASSERT_EQ(Code(list(moved)), 0);
  ASSERT_EQ(Code(list(kept)), 116);  // another application is answered like a missing one
  EXPECT_GT(Hits(), hits);

  // Its only application deleted straight in the store (as another node or the CLI would): only
  // key_applications changes, and the key, now limited to nothing, is refused at once with the
  // reason (a stale scope would answer 116 for `kept` and list no applications).
  ASSERT_TRUE(stack_->store()
                  .Write([&](store::Tx& tx) -> Status {
                    return tx.applications().Delete(acme_.id, moved).status();
                  })
                  .ok());
  EXPECT_EQ(Code(list(kept)), 104);
  EXPECT_EQ(Code(stack_->CallJson("GetApplications", {}, *token)), 104);

  // Given `kept` straight in the store: reaches it at the next request.
  ASSERT_TRUE(stack_->store()
                  .Write([&](store::Tx& tx) -> Status {
                    return tx.keys()
                        .SetApplications(acme_.id, key->key_id, std::vector<int64_t>{kept})
                        .status();
                  })
                  .ok());
  EXPECT_EQ(Code(list(kept)), 0);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Code(list(kept)), 0) << i;
}

std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "sqlite" : "postgresql";
}

INSTANTIATE_TEST_SUITE_P(Backends, ScopeCacheOnBackendTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

}  // namespace
}  // namespace voxsecrets::server
