// FaultySqliteVfs: an SQLite VFS that passes everything to the default VFS (real files, real
// fsyncs) except that syncs of write-ahead logs can be made to wait or to fail, for failure-
// injection tests of durable commits (a failed fsync, a batch caught in the middle of its
// commit). Not a mock: while nothing is armed it is the default VFS. Open a store with it through
// SqliteOptions::vfs = FaultySqliteVfs::kName.
//
// Process-wide (SQLite's VFS registry is): Install() registers it once and returns the instance.
// Thread-safety: every method may be called from any thread.
#ifndef VOXSECRETS_TESTS_TESTING_FAULTY_SQLITE_VFS_H_
#define VOXSECRETS_TESTS_TESTING_FAULTY_SQLITE_VFS_H_

#include <chrono>
#include <cstdint>

#include "common/mutex.h"

namespace voxsecrets::store {

class FaultySqliteVfs {
 public:
  static constexpr const char* kName = "voxsecrets-faulty";

  // Registers the VFS (not as the default) on first use; the same instance afterwards.
  static FaultySqliteVfs& Install();

  // While held, every WAL sync waits (after the commit's frames were written) until released.
  void HoldWalSyncs(bool hold) EXCLUDES(mu_);
  // After the next `skip` WAL syncs (which succeed), `fail` WAL syncs fail with
  // SQLITE_IOERR_FSYNC. A held sync counts when it is released. FailWalSyncs(0, 0) disarms.
  void FailWalSyncs(int skip, int fail) EXCLUDES(mu_);
  // Waits until `n` WAL syncs are waiting; false after `timeout`.
  bool AwaitHeldSyncs(int n, std::chrono::milliseconds timeout) EXCLUDES(mu_);
  // WAL syncs made and failed since Install (never reset).
  int64_t wal_syncs() const EXCLUDES(mu_);
  int64_t failed_wal_syncs() const EXCLUDES(mu_);

  // Called by the VFS for each WAL sync: waits while held, then says whether to fail it.
  bool OnWalSync() EXCLUDES(mu_);

 private:
  FaultySqliteVfs() = default;

  mutable Mutex mu_;
  CondVar cv_;  // signalled when hold_ or waiting_ changed
  bool hold_ GUARDED_BY(mu_) = false;
  int waiting_ GUARDED_BY(mu_) = 0;
  int skip_ GUARDED_BY(mu_) = 0;
  int fail_ GUARDED_BY(mu_) = 0;
  int64_t syncs_ GUARDED_BY(mu_) = 0;
  int64_t failed_ GUARDED_BY(mu_) = 0;
};

}  // namespace voxsecrets::store

#endif  // VOXSECRETS_TESTS_TESTING_FAULTY_SQLITE_VFS_H_
