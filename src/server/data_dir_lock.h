// DataDirLock: the lock a running `voxsecrets serve` holds on its data dir, DIR/serve.lock (an
// flock(2) lock; the file holds the server's pid, for messages). It refuses a second server on the
// same data dir (two SQLite writers of one file would work, but two nodes sharing one dir's TLS
// material and credentials.json is never intended), and lets the commands that need the node
// stopped (`voxsecrets migrate`) tell that one runs. The kernel releases the lock when the
// process ends, however it ends (kill -9 included), so there is nothing stale to clean up.
//
// Admin commands (account, key, keys, audit, backup) do not take it: they work beside a server.
//
// Thread-safety: a value type owned by one thread. Ownership: owns the descriptor; movable.
#ifndef VOXSECRETS_SERVER_DATA_DIR_LOCK_H_
#define VOXSECRETS_SERVER_DATA_DIR_LOCK_H_

#include <string>

#include "common/status.h"

namespace voxsecrets::server {

class DataDirLock {
 public:
  // Takes the lock of `data_dir` (REQUIRES: the directory exists), creating DIR/serve.lock (0600)
  // if needed, and writes this process's pid into it. kUnavailable when another process holds
  // it: the message names that process's pid and that it is a voxsecrets server.
  static Result<DataDirLock> Acquire(const std::string& data_dir);

  // True when some process holds the lock of `data_dir` right now (a server is running there).
  // `pid` gets the holder's pid when known (0 otherwise). Never blocks; false when there is no
  // lock file.
  static bool IsHeld(const std::string& data_dir, long* pid = nullptr);

  DataDirLock() = default;
  DataDirLock(DataDirLock&& other) noexcept;
  DataDirLock& operator=(DataDirLock&& other) noexcept;
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;
  ~DataDirLock();

  bool held() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// DIR/serve.lock.
std::string DataDirLockPath(const std::string& data_dir);

}  // namespace voxsecrets::server

#endif  // VOXSECRETS_SERVER_DATA_DIR_LOCK_H_
