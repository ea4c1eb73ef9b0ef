// StoreConformanceTest: transactions, concurrency and data keys.
#include <atomic>
#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "tests/testing/store_conformance.h"
#include "tests/testing/store_conformance_internal.h"

namespace voxsecrets::store {
namespace {

using std::string_literals::operator""s;

// ---- transactions ------------------------------------------------------------------------------

TEST_P(StoreConformanceTest, WriteRollsBackEverythingWhenTheCallbackFails) {
  int64_t account = AddAccount("a");
  int64_t app = AddApp(account, "app");
  int64_t new_app = 0;
  Status status = store().Write([&](Tx& tx) -> Status {
    VS_RETURN_IF_ERROR(tx.secrets().Insert(app, "First", "", SealedValue{"1", 1}, kNow).status());
    VS_RETURN_IF_ERROR(tx.secrets().Insert(app, "Second", "", SealedValue{"2", 1}, kNow).status());
    ApplicationRecord record;
    record.account_id = account;
    record.name = "half";
    VS_ASSIGN_OR_RETURN(new_app, tx.applications().Insert(record));
    VS_RETURN_IF_ERROR(tx.meta().Put("marker", "x"));
    return NotFound("the caller gave up");
  });
  // Write returns the callback's own error.
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_EQ(status.message(), "the caller gave up");
  EXPECT_GT(new_app, 0);
  EXPECT_EQ(CountSecrets(app), 0);
  VS_EXPECT_OK(store().Read([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(std::optional<SecretRecord> found, tx.secrets().FindByName(app, "First"));
    EXPECT_FALSE(found.has_value());
    VS_ASSIGN_OR_RETURN(std::optional<ApplicationRecord> half,
                        tx.applications().FindById(account, new_app));
    EXPECT_FALSE(half.has_value());
    VS_ASSIGN_OR_RETURN(std::optional<std::string> marker, tx.meta().Get("marker"));
    EXPECT_FALSE(marker.has_value());
    return Status::Ok();
  }));
  // The store is still usable and the names are free.
  EXPECT_GT(AddSecret(app, "First"), 0);
}

TEST_P(StoreConformanceTest, FailuresOfTheBackendCarryTheStoreOriginAndTheCallersPassThrough) {
  AddAccount("a");
  Status taken = store().Write([&](Tx& tx) -> Status {
    AccountRecord account;
    account.name = "a";
    account.email = "other@example.com";
    account.created = kNow;
    return tx.accounts().Insert(account).status();
  });
  EXPECT_EQ(taken.code(), StatusCode::kAlreadyExists) << taken.ToString();
  EXPECT_EQ(taken.origin(), StatusOrigin::kStore);
  Status missing = store().Write(
      [&](Tx& tx) -> Status { return tx.accounts().SetApiKeyHash(987654321, "hash"); });
  EXPECT_EQ(missing.code(), StatusCode::kNotFound) << missing.ToString();
  EXPECT_EQ(missing.origin(), StatusOrigin::kStore);
  // A failure the callback makes itself comes back as it is, origin included.
  Status own = store().Write([&](Tx&) -> Status { return Unavailable("the caller's own"); });
  EXPECT_EQ(own.code(), StatusCode::kUnavailable);
  EXPECT_EQ(own.origin(), StatusOrigin::kUnspecified);
  Status marked = store().Read(
      [&](Tx&) -> Status { return Unavailable("a key").WithOrigin(StatusOrigin::kCrypto); });
  EXPECT_EQ(marked.origin(), StatusOrigin::kCrypto);
}

TEST_P(StoreConformanceTest, WriteDeferredCommitsOrRollsBackLikeWrite) {
  int64_t app = AddApp(AddAccount("a"), "app");
  Status failed = store().WriteDeferred([&](Tx& tx) -> Status {
    VS_RETURN_IF_ERROR(tx.secrets().Insert(app, "Gone", "", SealedValue{"1", 1}, kNow).status());
    return NotFound("the caller gave up");
  });
  EXPECT_EQ(failed.code(), StatusCode::kNotFound);
  EXPECT_EQ(CountSecrets(app), 0);
  VS_EXPECT_OK(store().WriteDeferred([&](Tx& tx) -> Status {
    return tx.secrets().Insert(app, "Kept", "", SealedValue{"2", 1}, kNow).status();
  }));
  // An ordinary Write afterwards works and sees the deferred commit.
  EXPECT_GT(AddSecret(app, "After"), 0);
  EXPECT_EQ(CountSecrets(app), 2);
}

TEST_P(StoreConformanceTest, WriteThroughReadFails) {
  int64_t app = AddApp(AddAccount("a"), "app");
  Status insert_status;
  Status status = store().Read([&](Tx& tx) -> Status {
    insert_status = tx.secrets().Insert(app, "S", "", SealedValue{"x", 1}, kNow).status();
    Status put_status = tx.meta().Put("k", "v");
    EXPECT_FALSE(put_status.ok());
    return insert_status;
  });
  EXPECT_FALSE(insert_status.ok());
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(CountSecrets(app), 0);
}

TEST_P(StoreConformanceTest, ReadSeesOneSnapshot) {
  int64_t app = AddApp(AddAccount("a"), "app");
  AddSecret(app, "Before");
  int64_t first = -1;
  int64_t second = -1;
  VS_ASSERT_OK(store().Read([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(Page<SecretInfo> page, tx.secrets().List(app, SecretFilter{}));
    first = page.total_count;
    // Another thread commits while this read transaction is open.
    std::thread writer([&] { AddSecret(app, "During"); });
    writer.join();
    VS_ASSIGN_OR_RETURN(page, tx.secrets().List(app, SecretFilter{}));
    second = page.total_count;
    return Status::Ok();
  }));
  EXPECT_EQ(first, 1);
  EXPECT_EQ(second, 1);
  EXPECT_EQ(CountSecrets(app), 2);  // a new Read sees the commit
}

TEST_P(StoreConformanceTest, ReadDoesNotWaitForAnOpenWrite) {
  int64_t app = AddApp(AddAccount("a"), "app");
  std::promise<void> inserted;
  std::promise<void> reader_done;
  std::shared_future<void> reader_done_future = reader_done.get_future().share();
  std::thread writer([&] {
    Status status = store().Write([&](Tx& tx) -> Status {
      VS_RETURN_IF_ERROR(
          tx.secrets().Insert(app, "Pending", "", SealedValue{"x", 1}, kNow).status());
      inserted.set_value();
      reader_done_future.wait();  // keep the write transaction open until the read is over
      return Status::Ok();
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
  });
  inserted.get_future().wait();

  std::promise<int64_t> count_seen;
  std::future<int64_t> count_future = count_seen.get_future();
  std::thread reader([&] { count_seen.set_value(CountSecrets(app)); });
  // A deadlock guard only: a correct backend answers at once. On failure the writer is released
  // so that the test ends instead of hanging.
  bool answered = count_future.wait_for(std::chrono::seconds(60)) == std::future_status::ready;
  EXPECT_TRUE(answered) << "Read waited for the open Write";
  reader_done.set_value();
  reader.join();
  writer.join();
  if (answered) {
    EXPECT_EQ(count_future.get(), 0);  // the uncommitted insert is invisible
  }
  EXPECT_EQ(CountSecrets(app), 1);
}

TEST_P(StoreConformanceTest, ConcurrentReadersAndWritersSeeConsistentState) {
  int64_t app = AddApp(AddAccount("a"), "app");
  constexpr int kWriters = 2;
  constexpr int kTxPerWriter = 25;
  constexpr int kReaders = 3;
  std::atomic<int> writers_left{kWriters};
  std::atomic<int> write_errors{0};
  std::atomic<int> read_errors{0};
  std::atomic<int> inconsistencies{0};
  std::atomic<int> reads{0};

  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < kTxPerWriter; ++i) {
        // Every transaction adds a pair: a snapshot never shows an odd count.
        Status status = store().Write([&](Tx& tx) -> Status {
          std::string base = "W" + std::to_string(w) + "_" + std::to_string(i);
          VS_RETURN_IF_ERROR(
              tx.secrets().Insert(app, base + "_a", "", SealedValue{"a", 1}, kNow).status());
          return tx.secrets().Insert(app, base + "_b", "", SealedValue{"b", 1}, kNow).status();
        });
        if (!status.ok()) write_errors.fetch_add(1);
      }
      writers_left.fetch_sub(1);
    });
  }
  for (int r = 0; r < kReaders; ++r) {
    threads.emplace_back([&] {
      // Read until every writer finished, and at least a few times.
      for (int n = 0; n < 5 || writers_left.load() > 0; ++n) {
        Status status = store().Read([&](Tx& tx) -> Status {
          SecretFilter all;
          all.count = 1000;
          VS_ASSIGN_OR_RETURN(Page<SecretInfo> page, tx.secrets().List(app, all));
          if (page.total_count % 2 != 0 ||
              static_cast<int64_t>(page.items.size()) != page.total_count) {
            inconsistencies.fetch_add(1);
          }
          return Status::Ok();
        });
        if (!status.ok()) read_errors.fetch_add(1);
        reads.fetch_add(1);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(write_errors.load(), 0);
  EXPECT_EQ(read_errors.load(), 0);
  EXPECT_EQ(inconsistencies.load(), 0);
  EXPECT_GE(reads.load(), kReaders * 5);
  EXPECT_EQ(CountSecrets(app), 2 * kWriters * kTxPerWriter);
}

// ---- data keys ---------------------------------------------------------------------------------

DataKeyRecord Key(int64_t app, uint32_t version, std::string wrapped, int64_t created,
                  uint32_t master = 1) {
  DataKeyRecord key;
  key.application_id = app;
  key.version = version;
  key.wrapped_key = std::move(wrapped);
  key.master_key_version = master;
  key.encryptions = 0;
  key.created = created;
  return key;
}

TEST_P(StoreConformanceTest, DataKeyInsertFindAndActive) {
  int64_t a = AddAccount("a");
  int64_t app = AddApp(a, "app");
  int64_t other = AddApp(a, "other");
  const std::string wrapped1 = "\x00wrapped\x00one\xff"s;
  const std::string wrapped2 = "\x00wrapped\x00two\x80"s;
  VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
    VS_RETURN_IF_ERROR(tx.data_keys().Insert(Key(app, 1, wrapped1, kNow, 1)));
    VS_RETURN_IF_ERROR(tx.data_keys().Insert(Key(app, 2, wrapped2, kNow + 1, 3)));
    return tx.data_keys().Insert(Key(other, 1, "o", kNow));
  }));
  VS_EXPECT_CODE(store().Write([&](Tx& tx) { return tx.data_keys().Insert(Key(app, 2, "x", 0)); }),
                 StatusCode::kAlreadyExists);
  int64_t empty_app = AddApp(a, "empty");
  VS_EXPECT_OK(store().Read([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(std::optional<DataKeyRecord> active, tx.data_keys().FindActive(app));
    EXPECT_TRUE(active.has_value());
    if (active) {
      EXPECT_EQ(active->application_id, app);
      EXPECT_EQ(active->version, 2u);
      EXPECT_TRUE(active->wrapped_key == wrapped2);
      EXPECT_EQ(active->master_key_version, 3u);
      EXPECT_EQ(active->encryptions, 0);
      EXPECT_EQ(active->created, kNow + 1);
    }
    VS_ASSIGN_OR_RETURN(std::optional<DataKeyRecord> found, tx.data_keys().Find(app, 1));
    EXPECT_TRUE(found.has_value() && found->wrapped_key == wrapped1 && found->version == 1);
    VS_ASSIGN_OR_RETURN(found, tx.data_keys().Find(app, 3));
    EXPECT_FALSE(found.has_value());
    VS_ASSIGN_OR_RETURN(active, tx.data_keys().FindActive(empty_app));
    EXPECT_FALSE(active.has_value());
    VS_ASSIGN_OR_RETURN(std::vector<DataKeyRecord> all, tx.data_keys().ListAll());
    EXPECT_EQ(all.size(), 3u);
    if (all.size() == 3) {  // by application, then version
      EXPECT_TRUE(all[0].application_id == app && all[0].version == 1);
      EXPECT_TRUE(all[1].application_id == app && all[1].version == 2);
      EXPECT_TRUE(all[2].application_id == other && all[2].version == 1);
    }
    return Status::Ok();
  }));
}

TEST_P(StoreConformanceTest, DataKeyAddEncryptions) {
  int64_t app = AddApp(AddAccount("a"), "app");
  VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
    VS_RETURN_IF_ERROR(tx.data_keys().Insert(Key(app, 1, "k1", kNow)));
    return tx.data_keys().Insert(Key(app, 2, "k2", kNow));
  }));
  VS_EXPECT_OK(store().Write([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(int64_t count, tx.data_keys().AddEncryptions(app, 2, 1));
    EXPECT_EQ(count, 1);
    VS_ASSIGN_OR_RETURN(count, tx.data_keys().AddEncryptions(app, 2, 40));
    EXPECT_EQ(count, 41);
    return Status::Ok();
  }));
  VS_EXPECT_CODE(
      store().Write([&](Tx& tx) { return tx.data_keys().AddEncryptions(app, 7, 1).status(); }),
      StatusCode::kNotFound);
  VS_EXPECT_OK(store().Read([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(std::optional<DataKeyRecord> key, tx.data_keys().Find(app, 2));
    EXPECT_TRUE(key.has_value() && key->encryptions == 41);
    VS_ASSIGN_OR_RETURN(key, tx.data_keys().Find(app, 1));
    EXPECT_TRUE(key.has_value() && key->encryptions == 0);
    return Status::Ok();
  }));
}

TEST_P(StoreConformanceTest, DataKeyRewrap) {
  int64_t app = AddApp(AddAccount("a"), "app");
  VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
    VS_RETURN_IF_ERROR(tx.data_keys().Insert(Key(app, 1, "old", kNow, 1)));
    VS_ASSIGN_OR_RETURN(int64_t count, tx.data_keys().AddEncryptions(app, 1, 5));
    (void)count;
    return Status::Ok();
  }));
  const std::string rewrapped = "\x00new\x00"s;
  VS_EXPECT_OK(store().Write([&](Tx& tx) { return tx.data_keys().Rewrap(app, 1, rewrapped, 2); }));
  VS_EXPECT_CODE(store().Write([&](Tx& tx) { return tx.data_keys().Rewrap(app, 9, "x", 2); }),
                 StatusCode::kNotFound);
  VS_EXPECT_OK(store().Read([&](Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(std::optional<DataKeyRecord> key, tx.data_keys().Find(app, 1));
    EXPECT_TRUE(key.has_value());
    if (key) {
      EXPECT_TRUE(key->wrapped_key == rewrapped);
      EXPECT_EQ(key->master_key_version, 2u);
      EXPECT_EQ(key->encryptions, 5);  // rewrapping does not touch the nonce budget
      EXPECT_EQ(key->created, kNow);
    }
    return Status::Ok();
  }));
}

TEST_P(StoreConformanceTest, DataKeyDeleteBelowAndForApplication) {
  int64_t a = AddAccount("a");
  int64_t app = AddApp(a, "app");
  int64_t other = AddApp(a, "other");
  VS_ASSERT_OK(store().Write([&](Tx& tx) -> Status {
    for (uint32_t v = 1; v <= 3; ++v) {
      VS_RETURN_IF_ERROR(tx.data_keys().Insert(Key(app, v, "k", kNow)));
      VS_RETURN_IF_ERROR(tx.data_keys().Insert(Key(other, v, "o", kNow)));
    }
    return Status::Ok();
  }));
  auto versions = [&](int64_t application_id) {
    std::vector<uint32_t> out;
    Status status = store().Read([&](Tx& tx) -> Status {
      VS_ASSIGN_OR_RETURN(std::vector<DataKeyRecord> all, tx.data_keys().ListAll());
      for (const DataKeyRecord& key : all) {
        if (key.application_id == application_id) out.push_back(key.version);
      }
      return Status::Ok();
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return out;
  };
  VS_ASSERT_OK(store().Write([&](Tx& tx) { return tx.data_keys().DeleteBelow(app, 3); }));
  EXPECT_EQ(versions(app), std::vector<uint32_t>{3});
  EXPECT_EQ(versions(other), (std::vector<uint32_t>{1, 2, 3}));
  VS_ASSERT_OK(store().Write([&](Tx& tx) { return tx.data_keys().DeleteBelow(app, 1); }));
  EXPECT_EQ(versions(app), std::vector<uint32_t>{3});

  VS_ASSERT_OK(store().Write([&](Tx& tx) { return tx.data_keys().DeleteForApplication(other); }));
  EXPECT_TRUE(versions(other).empty());
  EXPECT_EQ(versions(app), std::vector<uint32_t>{3});
  // Deleting what is not there is not an error.
  VS_EXPECT_OK(store().Write([&](Tx& tx) { return tx.data_keys().DeleteForApplication(other); }));
}

}  // namespace
}  // namespace voxsecrets::store
