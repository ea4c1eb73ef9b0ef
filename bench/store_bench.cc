// Store micro-benchmarks on the SQLite backend (a temporary file, WAL, synchronous=FULL):
//   BM_SqliteSecretFindByName  one Read transaction with FindByName in a table of 10,000 secrets
//   BM_SqliteSecretInsert      one Write transaction inserting one secret (a durable commit: the
//                              WAL is fsynced, so this measures the disk's sync latency)
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_test_util.h"

namespace voxsecrets::store {
namespace {

constexpr int64_t kNow = 1767225600;
constexpr int kSecrets = 10000;

std::string SecretName(int i) { return "SECRET_" + std::to_string(i); }

// A fresh store with one account and one application; returns the application id (0 on error).
int64_t Prepare(Store& store) {
  int64_t app_id = 0;
  Status status = store.Write([&](Tx& tx) -> Status {
    AccountRecord account;
    account.name = "bench";
    VS_ASSIGN_OR_RETURN(int64_t account_id, tx.accounts().Insert(account));
    ApplicationRecord app;
    app.account_id = account_id;
    app.name = "app";
    VS_ASSIGN_OR_RETURN(app_id, tx.applications().Insert(app));
    return Status::Ok();
  });
  return status.ok() ? app_id : 0;
}

void BM_SqliteSecretFindByName(benchmark::State& state) {
  StorePtr store = MakeTempSqliteStore();
  int64_t app = store ? Prepare(*store) : 0;
  if (app == 0) {
    state.SkipWithError("could not open the store");
    return;
  }
  const SealedValue value{std::string(64, 'v'), 1};
  Status filled = store->Write([&](Tx& tx) -> Status {
    for (int i = 0; i < kSecrets; ++i) {
      VS_RETURN_IF_ERROR(tx.secrets().Insert(app, SecretName(i), "", value, kNow).status());
    }
    return Status::Ok();
  });
  if (!filled.ok()) {
    state.SkipWithError("could not fill the store");
    return;
  }
  std::vector<std::string> names;
  for (int i = 0; i < kSecrets; ++i) names.push_back(SecretName(i));

  uint64_t lcg = 42;  // deterministic pseudo-random order of lookups
  int64_t found = 0;
  for (auto _ : state) {
    lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
    const std::string& name = names[(lcg >> 33) % kSecrets];
    Status status = store->Read([&](Tx& tx) -> Status {
      VS_ASSIGN_OR_RETURN(std::optional<SecretRecord> secret, tx.secrets().FindByName(app, name));
      if (secret) ++found;
      benchmark::DoNotOptimize(secret);
      return Status::Ok();
    });
    if (!status.ok()) {
      state.SkipWithError("read failed");
      break;
    }
  }
  if (found != static_cast<int64_t>(state.iterations())) state.SkipWithError("lookup missed");
}
BENCHMARK(BM_SqliteSecretFindByName)->UseRealTime();

void BM_SqliteSecretInsert(benchmark::State& state) {
  StorePtr store = MakeTempSqliteStore();
  int64_t app = store ? Prepare(*store) : 0;
  if (app == 0) {
    state.SkipWithError("could not open the store");
    return;
  }
  const SealedValue value{std::string(64, 'v'), 1};
  int i = 0;
  for (auto _ : state) {
    std::string name = SecretName(i++);
    Status status = store->Write(
        [&](Tx& tx) -> Status { return tx.secrets().Insert(app, name, "", value, kNow).status(); });
    if (!status.ok()) {
      state.SkipWithError("insert failed");
      break;
    }
  }
}
BENCHMARK(BM_SqliteSecretInsert)->UseRealTime();  // the cost is the fsync, not CPU

}  // namespace
}  // namespace voxsecrets::store
