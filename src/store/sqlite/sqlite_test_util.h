// Test helpers for the SQLite backend: a temporary directory removed on destruction, and a
// factory of fresh stores in temporary files for the conformance suite.
//
// Thread-safety: TempDir is not shared between threads.
#ifndef VOXSECRETS_STORE_SQLITE_SQLITE_TEST_UTIL_H_
#define VOXSECRETS_STORE_SQLITE_SQLITE_TEST_UTIL_H_

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>

#include "store/sqlite/sqlite_store.h"
#include "store/store.h"

namespace voxsecrets::store {

// A fresh directory under $TMPDIR (or /tmp), removed with its contents on destruction.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern =
        std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/voxsecrets-store-XXXXXX";
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    if (path_.empty()) return;
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  bool ok() const { return !path_.empty(); }
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A Store that owns the temporary directory of its database and removes it after closing.
class TempDirStore final : public Store {
 public:
  TempDirStore(std::unique_ptr<TempDir> dir, StorePtr inner)
      : dir_(std::move(dir)), inner_(std::move(inner)) {}
  ~TempDirStore() override { inner_.reset(); }  // close the database before dir_ goes

  // Store
  Status Read(const TxFn& fn) override { return inner_->Read(fn); }
  Status Write(const TxFn& fn) override { return inner_->Write(fn); }
  Result<int> SchemaVersion() override { return inner_->SchemaVersion(); }
  std::string_view BackendName() const override { return inner_->BackendName(); }

 private:
  std::unique_ptr<TempDir> dir_;
  StorePtr inner_;
};

// A fresh SQLite store in its own temporary directory; nullptr on failure.
inline StorePtr MakeTempSqliteStore(int read_connections = 2) {
  auto dir = std::make_unique<TempDir>();
  if (!dir->ok()) return nullptr;
  SqliteOptions options;
  options.path = dir->File("store.db");
  options.read_connections = read_connections;
  Result<StorePtr> store = OpenSqliteStore(options);
  if (!store.ok()) return nullptr;
  return std::make_unique<TempDirStore>(std::move(dir), std::move(store).value());
}

}  // namespace voxsecrets::store

#endif  // VOXSECRETS_STORE_SQLITE_SQLITE_TEST_UTIL_H_
