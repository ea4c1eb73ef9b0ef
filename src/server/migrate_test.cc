// CopyStore (server/migrate.h) between two real SQLite stores: every kind of row arrives as it
// was (ids, sealed values, wrapped keys, hashes), the audit chains verify on the copy, ids go on
// above the source's watermarks, a non-empty target is refused, and a copy that fails half-way
// leaves the target empty (one transaction).
#include "server/migrate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <tuple>

#include "audit/audit_log.h"
#include "store/sqlite/sqlite_test_util.h"
#include "tests/testing/faulty_audit_store.h"

namespace voxsecrets::server {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kNow = 1767225600;

auto Fields(const store::AccountRecord& a) {
  return std::tie(a.id, a.name, a.email, a.parent_id, a.api_key_hash, a.created);
}
auto Fields(const store::KeyRecord& k) {
  return std::tie(k.key_id, k.account_id, k.public_key_pem, k.name, k.description, k.role_ids,
                  k.application_ids, k.created);
}
auto Fields(const store::ApplicationRecord& a) {
  return std::tie(a.id, a.account_id, a.name, a.secure_record_storage, a.created, a.modified);
}
auto Fields(const store::SecretRecord& s) {
  return std::tie(s.info.id, s.info.application_id, s.info.name, s.info.description, s.info.created,
                  s.info.modified, s.info.version, s.info.version_created, s.value);
}
auto Fields(const store::SecretVersionRecord& v) {
  return std::tie(v.info.secret_id, v.info.version, v.info.created, v.value);
}
auto Fields(const store::DataKeyRecord& d) {
  return std::tie(d.application_id, d.version, d.wrapped_key, d.master_key_version, d.encryptions,
                  d.created);
}
auto Fields(const store::AuditChainRecord& c) {
  return std::tie(c.chain_id, c.created_ms, c.label, c.head_seq, c.head_hash, c.pruned_seq,
                  c.pruned_hash, c.pruned_at_ms);
}
auto Fields(const store::AuditRecord& r) {
  return std::tie(r.id, r.chain_id, r.seq, r.time_ms, r.account_id, r.key_id, r.credential, r.ip,
                  r.method, r.args_json, r.touched_json, r.result_code, r.prev_hash, r.hash);
}
template <typename T>
bool SameRows(const std::vector<T>& a, const std::vector<T>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Fields(a[i]) != Fields(b[i])) return false;
  }
  return true;
}

// Everything a store holds, read through the contract.
struct Dump {
  std::vector<store::AccountRecord> accounts;
  std::vector<store::KeyRecord> keys;
  std::vector<store::ApplicationRecord> applications;
  std::vector<store::SecretRecord> secrets;
  std::vector<store::SecretVersionRecord> versions;
  std::vector<store::DataKeyRecord> data_keys;
  std::vector<std::pair<std::string, std::string>> meta;
  std::vector<store::AuditChainRecord> chains;
  std::vector<store::AuditRecord> records;
  store::IdWatermarks marks;
};

Dump DumpOf(store::Store& s) {
  Dump d;
  EXPECT_TRUE(s.Read([&](store::Tx& tx) -> Status {
                 VS_ASSIGN_OR_RETURN(d.accounts, tx.accounts().List());
                 for (const auto& a : d.accounts) {
                   VS_ASSIGN_OR_RETURN(auto keys, tx.keys().ListByAccount(a.id, {}, 100, 0));
                   for (auto& k : keys.items) d.keys.push_back(k);
                   store::ApplicationFilter all;
                   all.count = 100;
                   VS_ASSIGN_OR_RETURN(auto apps, tx.applications().List(a.id, all));
                   for (auto& app : apps.items) {
                     d.applications.push_back(app);
                     VS_ASSIGN_OR_RETURN(auto secrets, tx.secrets().ListSealed(app.id));
                     for (auto& secret : secrets) d.secrets.push_back(secret);
                     VS_ASSIGN_OR_RETURN(auto versions, tx.secret_versions().ListSealed(app.id));
                     for (auto& version : versions) d.versions.push_back(version);
                   }
                 }
                 VS_ASSIGN_OR_RETURN(d.data_keys, tx.data_keys().ListAll());
                 VS_ASSIGN_OR_RETURN(d.meta, tx.copy().ListMeta());
                 VS_ASSIGN_OR_RETURN(d.chains, tx.audit().ListChains());
                 VS_ASSIGN_OR_RETURN(d.records, tx.audit().ListAfter(0, 10000));
                 VS_ASSIGN_OR_RETURN(d.marks, tx.copy().Watermarks());
                 return Status::Ok();
               }).ok());
  return d;
}

class CopyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    source_ = store::MakeTempSqliteStore();
    ASSERT_NE(source_, nullptr);
    ASSERT_TRUE(
        source_
            ->Write([&](store::Tx& tx) -> Status {
              store::AccountRecord parent{.name = "parent",
                                          .email = "p@x",
                                          .parent_id = {},
                                          .api_key_hash = std::string(64, 'f'),
                                          .created = kNow};
              VS_ASSIGN_OR_RETURN(parent_, tx.accounts().Insert(parent));
              store::AccountRecord child{.name = "child",
                                         .email = "c@x",
                                         .parent_id = parent_,
                                         .api_key_hash = "",
                                         .created = kNow + 1};
              VS_ASSIGN_OR_RETURN(int64_t child_id, tx.accounts().Insert(child));
              VS_RETURN_IF_ERROR(tx.keys().Insert({.key_id = "k-1",
                                                   .account_id = child_id,
                                                   .public_key_pem = "PEM",
                                                   .name = "n",
                                                   .description = "d",
                                                   .role_ids = {3, 1},
                                                   .application_ids = std::nullopt,
                                                   .created = kNow}));
              for (int a = 0; a < 2; ++a) {
                store::ApplicationRecord app{.account_id = a == 0 ? parent_ : child_id,
                                             .name = "app" + std::to_string(a),
                                             .secure_record_storage = a == 1,
                                             .created = kNow,
                                             .modified = kNow + a};
                VS_ASSIGN_OR_RETURN(int64_t app_id, tx.applications().Insert(app));
                for (uint32_t v = 1; v <= 2; ++v) {
                  VS_RETURN_IF_ERROR(tx.data_keys().Insert(
                      {app_id, v, std::string("wrapped\0", 8) + std::to_string(v), 1, 5, kNow}));
                }
                for (int i = 0; i < 5; ++i) {
                  VS_ASSIGN_OR_RETURN(
                      int64_t id,
                      tx.secrets().Insert(
                          app_id, "S" + std::to_string(i), "",
                          SealedValue{std::string("\0\xff", 2) + std::to_string(i), 2}, kNow));
                  if (i == 4) {
                    VS_RETURN_IF_ERROR(tx.secrets().Delete(app_id, {id}).status());
                  }
                  if (i == 0) {
                    // Two older versions of S0's value (the current one is version 3).
                    for (int64_t v = 1; v <= 2; ++v) {
                      VS_RETURN_IF_ERROR(tx.secret_versions().Insert(
                          app_id, {{id, v, kNow + v}, SealedValue{"old" + std::to_string(v), 2}}));
                    }
                    store::SecretUpdate update;
                    update.value = SealedValue{"current", 2};
                    update.version = 3;
                    VS_RETURN_IF_ERROR(tx.secrets().Update(app_id, id, update, kNow + 3).status());
                  }
                }
                // A key limited to this application (its list must follow the application).
                VS_RETURN_IF_ERROR(
                    tx.keys().Insert({.key_id = "limited-" + std::to_string(a),
                                      .account_id = app.account_id,
                                      .public_key_pem = "PEM",
                                      .name = "",
                                      .description = "",
                                      .role_ids = {17},
                                      .application_ids = std::vector<int64_t>{app_id},
                                      .created = kNow}));
              }
              return tx.meta().Put("master_key.check.1", "abc");
            })
            .ok());
    // Two audit chains with real hashes.
    for (int chain = 0; chain < 2; ++chain) {
      audit::AuditLogOptions options;
      options.label = "node" + std::to_string(chain);
      options.created_ms = kNow * 1000;
      auto log = audit::AuditLog::Open(*source_, options);
      ASSERT_TRUE(log.ok());
      for (int i = 0; i < 5; ++i) {
        audit::AuditEntry entry;
        entry.time_ms = kNow * 1000 + i;
        entry.method = "GetSecrets";
        entry.account_id = parent_;
        ASSERT_TRUE((*log)->AppendDurable(entry).ok());
      }
    }
  }

  store::StorePtr source_;
  int64_t parent_ = 0;
};

TEST_F(CopyStoreTest, EveryRowArrivesAsItWasAndTheAuditLogVerifies) {
  store::StorePtr target = store::MakeTempSqliteStore();
  ASSERT_NE(target, nullptr);
  std::vector<std::string> progress;
  store::IdWatermarks marks;
  auto copied = CopyStore(
      *source_, *target,
      [&](std::string_view what, int64_t rows) {
        progress.push_back(std::string(what) + "=" + std::to_string(rows));
      },
      &marks);
  ASSERT_TRUE(copied.ok()) << copied.status().message();
  EXPECT_EQ(copied->accounts, 2);
  EXPECT_EQ(copied->keys, 3);
  EXPECT_EQ(copied->applications, 2);
  EXPECT_EQ(copied->secrets, 8);
  EXPECT_EQ(copied->secret_versions, 4);
  EXPECT_EQ(copied->data_keys, 4);
  EXPECT_EQ(copied->audit_chains, 2);
  EXPECT_EQ(copied->audit_records, 10);
  EXPECT_THAT(progress, ::testing::Contains("secrets=8"));

  const Dump from = DumpOf(*source_);
  const Dump to = DumpOf(*target);
  EXPECT_TRUE(SameRows(from.accounts, to.accounts));
  EXPECT_TRUE(SameRows(from.keys, to.keys));
  EXPECT_TRUE(SameRows(from.applications, to.applications));
  EXPECT_TRUE(SameRows(from.secrets, to.secrets));
  EXPECT_EQ(from.versions.size(), 4u);
  EXPECT_TRUE(SameRows(from.versions, to.versions));
  ASSERT_EQ(to.keys.size(), 3u);
  EXPECT_EQ(std::count_if(to.keys.begin(), to.keys.end(),
                          [](const store::KeyRecord& k) { return k.application_ids.has_value(); }),
            2);
  EXPECT_TRUE(SameRows(from.data_keys, to.data_keys));
  EXPECT_EQ(from.meta, to.meta);
  EXPECT_TRUE(SameRows(from.chains, to.chains));
  EXPECT_TRUE(SameRows(from.records, to.records));
  EXPECT_EQ(from.marks, to.marks);
  EXPECT_EQ(marks, from.marks);
  // The deleted secret's id is above every copied one and is not handed out again.
  EXPECT_GT(from.marks.secrets, from.secrets.back().info.id);
  auto report = audit::VerifyAuditChain(*target);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->records, 10);

  // Into a target that now holds data: refused, nothing changes.
  auto again = CopyStore(*source_, *target, nullptr, nullptr);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_THAT(again.status().message(), HasSubstr("not empty"));
  EXPECT_EQ(DumpOf(*target).secrets.size(), 8u);
}

TEST_F(CopyStoreTest, AFailureHalfWayLeavesTheTargetEmpty) {
  store::FaultyAuditStore target(store::MakeTempSqliteStore());
  target.FailAuditWrites(true);  // the audit log is copied last: everything before it rolls back
  auto copied = CopyStore(*source_, target, nullptr, nullptr);
  ASSERT_FALSE(copied.ok());
  EXPECT_EQ(copied.status().code(), StatusCode::kUnavailable);
  bool empty = false;
  ASSERT_TRUE(target
                  .Read([&](store::Tx& tx) -> Status {
                    VS_ASSIGN_OR_RETURN(empty, tx.copy().IsEmpty());
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_TRUE(empty);
  target.FailAuditWrites(false);
  EXPECT_TRUE(CopyStore(*source_, target, nullptr, nullptr).ok()) << "and can be run again";
}

}  // namespace
}  // namespace voxsecrets::server
