// StoreConformanceTest: what schema version 3 keeps for the hot paths — the maintained secret
// counter, the trigram-served name filter, the identity change counter — and savepoints.
#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "tests/testing/store_conformance.h"
#include "tests/testing/store_conformance_internal.h"

namespace voxsecrets::store {
namespace {

// The name filter's rule, stated independently of any backend: `part` is a substring of `name`
// after ASCII letters of both were lower-cased (nothing else is folded).
bool NameMatches(std::string_view name, std::string_view part) {
  auto lower = [](std::string_view s) {
    std::string out(s);
    for (char& c : out) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
  };
  return lower(name).find(lower(part)) != std::string::npos;
}

// Every secret of the application, read page by page (the rows themselves, not a counter).
std::map<int64_t, std::string> AllSecrets(Store& store, int64_t app) {
  std::map<int64_t, std::string> all;
  Status status = store.Read([&](Tx& tx) -> Status {
    for (int64_t offset = 0;; offset += 1000) {
      SecretFilter filter;
      filter.count = 1000;
      filter.offset = offset;
      VS_ASSIGN_OR_RETURN(Page<SecretInfo> page, tx.secrets().List(app, filter));
      for (const SecretInfo& info : page.items) all[info.id] = info.name;
      if (page.items.size() < 1000) break;
    }
    return Status::Ok();
  });
  EXPECT_TRUE(status.ok()) << status.ToString();
  return all;
}

struct Listing {
  std::vector<std::string> names;  // every page, in order
  int64_t total_count = -1;
};

// The whole filtered listing, in pages of `page_size`; total_count as every page reported it
// (a disagreement between pages is a test failure).
Listing ListFiltered(Store& store, int64_t app, std::string_view part, int64_t page_size = 7) {
  Listing out;
  Status status = store.Read([&](Tx& tx) -> Status {
    for (int64_t offset = 0;; offset += page_size) {
      SecretFilter filter;
      filter.name_part = std::string(part);
      filter.count = page_size;
      filter.offset = offset;
      VS_ASSIGN_OR_RETURN(Page<SecretInfo> page, tx.secrets().List(app, filter));
      if (out.total_count >= 0) {
        EXPECT_EQ(page.total_count, out.total_count) << part;
      }
      out.total_count = page.total_count;
      for (const SecretInfo& info : page.items) out.names.push_back(info.name);
      if (static_cast<int64_t>(page.items.size()) < page_size) break;
    }
    return Status::Ok();
  });
  EXPECT_TRUE(status.ok()) << status.ToString();
  return out;
}

std::vector<std::string> ExpectedMatches(const std::map<int64_t, std::string>& all,
                                         std::string_view part) {
  std::vector<std::string> out;
  for (const auto& [id, name] : all) {
    if (NameMatches(name, part)) out.push_back(name);
  }
  return out;
}

// `n` secrets "Q0", "Q1", ... (no letter but Q, no '_' or '%'): enough of them make a backend
// serve name filters from its trigram index rather than by reading the application's names
// (SQLite does that from 2000 secrets on).
constexpr int kLargeApplication = 2100;
void AddFiller(Store& store, int64_t app, int n) {
  Status status = store.Write([&](Tx& tx) -> Status {
    for (int i = 0; i < n; ++i) {
      VS_RETURN_IF_ERROR(
          tx.secrets()
              .Insert(app, "Q" + std::to_string(i), "", SealedValue{"v", 1}, 1767225600)
              .status());
    }
    return Status::Ok();
  });
  EXPECT_TRUE(status.ok()) << status.ToString();
}

int64_t TotalCount(Store& store, int64_t app) {
  int64_t total = -1;
  Status status = store.Read([&](Tx& tx) -> Status {
    SecretFilter filter;
    filter.count = 1;
    VS_ASSIGN_OR_RETURN(Page<SecretInfo> page, tx.secrets().List(app, filter));
    total = page.total_count;
    return Status::Ok();
  });
  EXPECT_TRUE(status.ok()) << status.ToString();
  return total;
}

// ---- the maintained count and the name index under random changes ------------------------------

TEST_P(StoreConformanceTest, MaintainedCountAndNameIndexFollowRandomChanges) {
  const int64_t account = AddAccount("a");
  const std::vector<int64_t> apps = {AddApp(account, "one"), AddApp(account, "two"),
                                     AddApp(account, "three")};
  AddFiller(store(), apps[0], kLargeApplication);  // a large one and small ones
  std::mt19937 random(20261127);                   // fixed: a failure replays
  const std::string alphabet = "abcXYZ_%0";
  auto random_name = [&] {
    std::string name = "n";
    const int length = std::uniform_int_distribution<int>(1, 8)(random);
    for (int i = 0; i < length; ++i) {
      name += alphabet[std::uniform_int_distribution<size_t>(0, alphabet.size() - 1)(random)];
    }
    return name;
  };
  std::map<int64_t, std::map<int64_t, std::string>> model;  // app -> id -> name
  model[apps[0]] = AllSecrets(store(), apps[0]);
  for (int round = 0; round < 12; ++round) {
    // One transaction of random inserts, renames and deletes; every third one is rolled back.
    const bool roll_back = round % 3 == 2;
    std::map<int64_t, std::map<int64_t, std::string>> next = model;
    Status status = store().Write([&](Tx& tx) -> Status {
      next = model;
      for (int op = 0; op < 40; ++op) {
        const int64_t app = apps[std::uniform_int_distribution<size_t>(0, apps.size() - 1)(random)];
        std::map<int64_t, std::string>& secrets = next[app];
        const int kind = std::uniform_int_distribution<int>(0, 9)(random);
        const auto taken = [&](const std::string& name) {
          return std::any_of(secrets.begin(), secrets.end(),
                             [&](const auto& s) { return s.second == name; });
        };
        if (kind < 5 || secrets.empty()) {
          const std::string name = random_name();
          if (taken(name)) continue;  // a clash would end the transaction on PostgreSQL
          VS_ASSIGN_OR_RETURN(int64_t id,
                              tx.secrets().Insert(app, name, "", SealedValue{"v", 1}, kNow));
          secrets[id] = name;
          continue;
        }
        auto it = secrets.begin();
        std::advance(it, std::uniform_int_distribution<size_t>(0, secrets.size() - 1)(random));
        if (kind < 8) {
          SecretUpdate update;
          update.name = random_name();
          if (taken(*update.name)) continue;
          VS_ASSIGN_OR_RETURN(bool found, tx.secrets().Update(app, it->first, update, kNow + 1));
          EXPECT_TRUE(found);
          it->second = *update.name;
        } else {
          VS_ASSIGN_OR_RETURN(int64_t deleted, tx.secrets().Delete(app, {it->first, it->first}));
          EXPECT_EQ(deleted, 1);
          secrets.erase(it);
        }
      }
      return roll_back ? Status(StatusCode::kInternal, "roll back on purpose") : Status::Ok();
    });
    if (roll_back) {
      EXPECT_EQ(status.code(), StatusCode::kInternal);
    } else {
      ASSERT_TRUE(status.ok()) << status.ToString();
      model = next;
    }
    for (int64_t app : apps) {
      const std::map<int64_t, std::string> rows = AllSecrets(store(), app);
      EXPECT_EQ(rows, model[app]) << "round " << round;
      EXPECT_EQ(TotalCount(store(), app), static_cast<int64_t>(rows.size())) << "round " << round;
    }
  }
  // Name filters of every length, served by the trigram index or not, agree with the rule.
  for (int64_t app : apps) {
    const std::map<int64_t, std::string> rows = AllSecrets(store(), app);
    for (std::string_view part :
         {"a", "X", "x_", "_%", "%0", "abc", "ABC", "ZaB", "c_%", "n", "nab", "0x0", "%%%"}) {
      const std::vector<std::string> expected = ExpectedMatches(rows, part);
      const Listing listed = ListFiltered(store(), app, part);
      EXPECT_EQ(listed.names, expected) << "filter '" << part << "'";
      EXPECT_EQ(listed.total_count, static_cast<int64_t>(expected.size())) << part;
    }
  }
  // Deleting everything of one application, and the application itself.
  VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(int64_t deleted, tx.secrets().DeleteAll(apps[0]));
    EXPECT_EQ(deleted, static_cast<int64_t>(model[apps[0]].size()));
    VS_ASSIGN_OR_RETURN(bool gone, tx.applications().Delete(account, apps[1]));
    EXPECT_TRUE(gone);
    return Status::Ok();
  }));
  EXPECT_EQ(TotalCount(store(), apps[0]), 0);
  EXPECT_EQ(ListFiltered(store(), apps[0], "abc").total_count, 0);
  EXPECT_EQ(TotalCount(store(), apps[2]), static_cast<int64_t>(model[apps[2]].size()));
  // A new application starts at zero, also when secret ids of deleted ones are long gone.
  const int64_t fresh = AddApp(account, "fresh");
  EXPECT_EQ(TotalCount(store(), fresh), 0);
  AddSecret(fresh, "abcdef");
  EXPECT_EQ(TotalCount(store(), fresh), 1);
  EXPECT_EQ(ListFiltered(store(), fresh, "BCD").names, std::vector<std::string>{"abcdef"});
}

// ---- the exact rule of name filters, whichever way the backend serves them ---------------------

TEST_P(StoreConformanceTest, NameFilterFoldsAsciiOnlyAndTakesEveryCharacterLiterally) {
  const int64_t account = AddAccount("a");
  for (const bool large : {false, true}) {
    const int64_t app = AddApp(account, large ? "large" : "small");
    if (large) AddFiller(store(), app, kLargeApplication);
    for (std::string_view name :
         {"DB_PASSWORD", "db-password", "Ärger_Key", "ärger_key", "quote\"d\"name", "percent%x",
          "under_score", "ab", "x", "straße", "STRASSE", "日本語キー", "tab\tname"}) {
      AddSecret(app, name);
    }
    const std::map<int64_t, std::string> rows = AllSecrets(store(), app);
    ASSERT_EQ(rows.size(), 13u + (large ? kLargeApplication : 0));
    for (std::string_view part :
         {"d",          "DB",           "b_p",  "B_P",   "b-p",       "_",     "%",       "%x",
          "ärg",        "ÄRG",          "Ärg",  "ärger", "ÄRGER_KEY", "\"d\"", "quote\"", "\"",
          "e_s",        "under_score_", "ß",    "straß", "STRAß",     "ss",    "本語",    "語キ",
          "日本語キー", "\t",           "b\tn", "ab",    "AB",        "x",     "abx",     "   "}) {
      const std::vector<std::string> expected = ExpectedMatches(rows, part);
      const Listing listed = ListFiltered(store(), app, part, /*page_size=*/2);
      EXPECT_EQ(listed.names, expected) << "filter '" << part << "'";
      EXPECT_EQ(listed.total_count, static_cast<int64_t>(expected.size()))
          << "filter '" << part << "'";
    }
  }
}

// Paging far into a larger application: the same rows as stepping through it page by page.
TEST_P(StoreConformanceTest, DeepOffsetsReturnTheSameRowsAsPagingThrough) {
  const int64_t app = AddApp(AddAccount("a"), "app");
  VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
    for (int i = 0; i < 600; ++i) {
      VS_RETURN_IF_ERROR(tx.secrets()
                             .Insert(app, "s" + std::to_string(i) + (i % 7 == 0 ? "_seven" : ""),
                                     "", SealedValue{"v", 1}, kNow)
                             .status());
    }
    return Status::Ok();
  }));
  const std::map<int64_t, std::string> rows = AllSecrets(store(), app);
  ASSERT_EQ(rows.size(), 600u);
  std::vector<std::string> ordered;
  for (const auto& [id, name] : rows) ordered.push_back(name);
  VS_EXPECT_OK(store().Read([&](Tx& tx) -> Status {
    for (int64_t offset : {0, 1, 299, 580, 599, 600, 1000}) {
      SecretFilter filter;
      filter.count = 25;
      filter.offset = offset;
      VS_ASSIGN_OR_RETURN(Page<SecretInfo> page, tx.secrets().List(app, filter));
      EXPECT_EQ(page.total_count, 600);
      std::vector<std::string> got;
      for (const SecretInfo& info : page.items) got.push_back(info.name);
      const size_t from = std::min<size_t>(static_cast<size_t>(offset), ordered.size());
      const size_t to = std::min<size_t>(from + 25, ordered.size());
      EXPECT_EQ(got, std::vector<std::string>(ordered.begin() + static_cast<ptrdiff_t>(from),
                                              ordered.begin() + static_cast<ptrdiff_t>(to)))
          << "offset " << offset;
      filter.name_part = "_SEVEN";
      VS_ASSIGN_OR_RETURN(page, tx.secrets().List(app, filter));
      EXPECT_EQ(page.total_count, 86) << "offset " << offset;  // 0, 7, ..., 595
      const int64_t expected_items = std::clamp<int64_t>(86 - offset, 0, 25);
      EXPECT_EQ(static_cast<int64_t>(page.items.size()), expected_items) << "offset " << offset;
    }
    return Status::Ok();
  }));
}

// ---- the identity change counter ---------------------------------------------------------------

TEST_P(StoreConformanceTest, IamVersionMovesWithEveryIdentityChangeAndOnlyThen) {
  auto version = [&] {
    int64_t v = -1;
    VS_EXPECT_OK(store().Read([&](Tx& tx) -> Status {
      VS_ASSIGN_OR_RETURN(v, tx.meta().IamVersion());
      return Status::Ok();
    }));
    return v;
  };
  int64_t last = version();
  EXPECT_GE(last, 0);
  auto expect_moved = [&](const char* what) {
    const int64_t now = version();
    EXPECT_GT(now, last) << what;
    last = now;
  };
  auto expect_still = [&](const char* what) { EXPECT_EQ(version(), last) << what; };

  const int64_t account = AddAccount("a");
  expect_moved("account inserted");
  VS_ASSERT_OK(store().Write([&](Tx& tx) { return tx.accounts().SetApiKeyHash(account, "h"); }));
  expect_moved("api_key hash set");
  KeyRecord key;
  key.key_id = "k1";
  key.account_id = account;
  key.public_key_pem = "pem";
  key.role_ids = {1, 2};
  key.created = kNow;
  VS_ASSERT_OK(store().Write([&](Tx& tx) { return tx.keys().Insert(key); }));
  expect_moved("key inserted");
  VS_ASSERT_OK(store().Write(
      [&](Tx& tx) -> Status { return tx.keys().SetRoles(account, "k1", {3}).status(); }));
  expect_moved("roles changed");
  VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
    return tx.keys().UpdateInfo(account, "k1", "name", std::nullopt).status();
  }));
  expect_moved("key renamed");

  // Other tables leave it alone; so does a rolled-back identity change.
  const int64_t app = AddApp(account, "app");
  AddSecret(app, "s");
  VS_ASSERT_OK(store().Write([&](Tx& tx) { return tx.meta().Put("x", "y"); }));
  expect_still("applications, secrets, meta");
  EXPECT_FALSE(store()
                   .Write([&](Tx& tx) -> Status {
                     VS_RETURN_IF_ERROR(tx.keys().Delete(account, "k1").status());
                     return Status(StatusCode::kInternal, "roll back on purpose");
                   })
                   .ok());
  expect_still("rolled back");

  // Inside the writing transaction the change is already counted.
  VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(int64_t before, tx.meta().IamVersion());
    VS_ASSIGN_OR_RETURN(bool deleted, tx.keys().Delete(account, "k1"));
    EXPECT_TRUE(deleted);
    VS_ASSIGN_OR_RETURN(int64_t after, tx.meta().IamVersion());
    EXPECT_GT(after, before);
    return Status::Ok();
  }));
  expect_moved("key deleted");
}

// ---- savepoints --------------------------------------------------------------------------------

TEST_P(StoreConformanceTest, SavepointsKeepOrUndoOnePartOfATransaction) {
  const int64_t app = AddApp(AddAccount("a"), "app");
  VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
    // Part 1 kept.
    VS_RETURN_IF_ERROR(tx.Savepoint());
    VS_RETURN_IF_ERROR(tx.secrets().Insert(app, "kept", "", SealedValue{"v", 1}, kNow).status());
    VS_RETURN_IF_ERROR(tx.ReleaseSavepoint());
    // Part 2 fails on a duplicate name after a successful insert: undone as a whole.
    VS_RETURN_IF_ERROR(tx.Savepoint());
    VS_RETURN_IF_ERROR(tx.secrets().Insert(app, "undone", "", SealedValue{"v", 1}, kNow).status());
    Result<int64_t> clash = tx.secrets().Insert(app, "kept", "", SealedValue{"v", 1}, kNow);
    EXPECT_EQ(clash.status().code(), StatusCode::kAlreadyExists);
    VS_RETURN_IF_ERROR(tx.RollbackToSavepoint());
    // Part 3, after the rollback: the transaction goes on.
    VS_RETURN_IF_ERROR(tx.Savepoint());
    VS_RETURN_IF_ERROR(tx.secrets().Insert(app, "after", "", SealedValue{"v", 1}, kNow).status());
    VS_RETURN_IF_ERROR(tx.ReleaseSavepoint());
    return Status::Ok();
  }));
  std::vector<std::string> names;
  for (const auto& [id, name] : AllSecrets(store(), app)) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"kept", "after"}));
  EXPECT_EQ(TotalCount(store(), app), 2);
  EXPECT_EQ(ListFiltered(store(), app, "undone").total_count, 0);
}

}  // namespace
}  // namespace voxsecrets::store
