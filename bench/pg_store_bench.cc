// Store micro-benchmarks on the PostgreSQL backend, the same two as store_bench.cc (SQLite):
//   BM_PgSecretFindByName  one Read transaction with FindByName in a table of 10,000 secrets
//   BM_PgSecretInsert      one Write transaction inserting one secret
// Each runs in a fresh schema of the server named by VOXSECRETS_TEST_PG_URL or PGHOST/PGPORT
// (as the tests); without one they report an error and measure nothing. Numbers depend on the
// server's durability settings (fsync, synchronous_commit): say which when quoting them.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/postgres/pg_store.h"
#include "store/postgres/pg_test_util.h"

namespace voxsecrets::store {
namespace {

constexpr int64_t kNow = 1767225600;
constexpr int kSecrets = 10000;

std::string SecretName(int i) { return "SECRET_" + std::to_string(i); }

// A store in a fresh schema, and the schema (dropped after the store is closed).
struct BenchStore {
  std::unique_ptr<pgtest::TestSchema> schema;
  StorePtr store;
  ~BenchStore() { store.reset(); }
};

bool Open(BenchStore& out) {
  std::optional<std::string> url = pgtest::ServerUrlFromEnv();
  if (!url) return false;
  Result<std::unique_ptr<pgtest::TestSchema>> schema = pgtest::TestSchema::Create(*url);
  if (!schema.ok()) return false;
  Result<StorePtr> store = OpenPgStore((*schema)->StoreOptions("voxsecrets-bench"));
  if (!store.ok()) return false;
  out.schema = std::move(schema).value();
  out.store = std::move(store).value();
  return true;
}

// One account and one application; returns the application id (0 on error).
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

void BM_PgSecretFindByName(benchmark::State& state) {
  BenchStore bench;
  int64_t app = Open(bench) ? Prepare(*bench.store) : 0;
  if (app == 0) {
    state.SkipWithError("no PostgreSQL (VOXSECRETS_TEST_PG_URL or PGHOST/PGPORT)");
    return;
  }
  const SealedValue value{std::string(64, 'v'), 1};
  Status filled = bench.store->Write([&](Tx& tx) -> Status {
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
    Status status = bench.store->Read([&](Tx& tx) -> Status {
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
BENCHMARK(BM_PgSecretFindByName)->UseRealTime();

void BM_PgSecretInsert(benchmark::State& state) {
  BenchStore bench;
  int64_t app = Open(bench) ? Prepare(*bench.store) : 0;
  if (app == 0) {
    state.SkipWithError("no PostgreSQL (VOXSECRETS_TEST_PG_URL or PGHOST/PGPORT)");
    return;
  }
  const SealedValue value{std::string(64, 'v'), 1};
  int i = 0;
  for (auto _ : state) {
    std::string name = SecretName(i++);
    Status status = bench.store->Write(
        [&](Tx& tx) -> Status { return tx.secrets().Insert(app, name, "", value, kNow).status(); });
    if (!status.ok()) {
      state.SkipWithError("insert failed");
      break;
    }
  }
}
BENCHMARK(BM_PgSecretInsert)->UseRealTime();

}  // namespace
}  // namespace voxsecrets::store
