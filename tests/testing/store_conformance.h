// StoreConformanceTest: the behaviour every storage backend (store/store.h) must show.
//
// A value-parameterized GoogleTest suite. A backend's test instantiates it with a factory that
// returns a fresh, empty, fully migrated Store on every call (one per test):
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformanceTest,
//                            ::testing::Values(StoreConformanceParam{"sqlite", MakeStore}),
//                            StoreConformanceParamName);
//
// and links the `vs_store_conformance` target (an object library, so the tests are always linked).
// The suite covers every repository method including not-found results, uniqueness
// (kAlreadyExists), scoping of applications by account and of secrets by application, ids never
// reused, listing (order, paging, total_count, literal '%'/'_' in filters), transactions (rollback
// on error, read-only Read, snapshot reads that do not wait for a writer), cascades, data keys,
// meta, byte-exact blobs, and concurrent readers and writers.
//
// Thread-safety: a test uses its store from several threads only where it says so.
// Ownership: the fixture owns the store made for the test and destroys it in TearDown.
#ifndef VOXSECRETS_TESTS_TESTING_STORE_CONFORMANCE_H_
#define VOXSECRETS_TESTS_TESTING_STORE_CONFORMANCE_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "common/sealed_value.h"
#include "store/store.h"

namespace voxsecrets::store {

struct StoreConformanceParam {
  std::string name;                      // test name suffix: letters, digits and '_' only
  std::function<StorePtr()> make_store;  // a fresh, empty store; nullptr on failure
};

// Prints the name only (GoogleTest would otherwise dump the bytes of the std::function).
void PrintTo(const StoreConformanceParam& param, std::ostream* os);

// Names instantiations after StoreConformanceParam::name.
std::string StoreConformanceParamName(const ::testing::TestParamInfo<StoreConformanceParam>& info);

class StoreConformanceTest : public ::testing::TestWithParam<StoreConformanceParam> {
 protected:
  // A fixed "now" for created/modified stamps (2026-01-01 00:00:00 UTC).
  static constexpr int64_t kNow = 1767225600;

  void SetUp() override;
  void TearDown() override;

  Store& store() { return *store_; }

  // Fixture builders; each runs its own Write and records a test failure when it fails (the
  // returned id is then 0).
  int64_t AddAccount(std::string_view name, std::optional<int64_t> parent_id = std::nullopt);
  int64_t AddApp(int64_t account_id, std::string_view name);
  int64_t AddSecret(int64_t application_id, std::string_view name,
                    const SealedValue& value = SealedValue{"sealed", 1});
  // Reads one secret by id (nullopt when not found; test failure on error).
  std::optional<SecretRecord> GetSecret(int64_t application_id, int64_t id);
  // Counts the secrets of an application (total_count of an unfiltered listing).
  int64_t CountSecrets(int64_t application_id);

 private:
  StorePtr store_;
};

}  // namespace voxsecrets::store

#endif  // VOXSECRETS_TESTS_TESTING_STORE_CONFORMANCE_H_
