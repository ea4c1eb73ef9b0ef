#include "tests/testing/faulty_sqlite_vfs.h"

#include <sqlite3.h>

#include <cstring>
#include <new>

namespace voxsecrets::store {
namespace {

// An open file of the shim: the real file's handle follows this header in the same allocation
// (szOsFile is the real VFS's size plus ours).
struct ShimFile {
  sqlite3_file base;  // must be first: SQLite sees this
  sqlite3_file* real;
  bool wal;
};

sqlite3_vfs* g_real = nullptr;
sqlite3_vfs g_vfs;
sqlite3_io_methods g_methods;
FaultySqliteVfs* g_instance = nullptr;

sqlite3_file* Real(sqlite3_file* file) { return reinterpret_cast<ShimFile*>(file)->real; }

int ShimClose(sqlite3_file* file) {
  sqlite3_file* real = Real(file);
  const int rc = real->pMethods != nullptr ? real->pMethods->xClose(real) : SQLITE_OK;
  return rc;
}
int ShimRead(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
  return Real(f)->pMethods->xRead(Real(f), buf, n, off);
}
int ShimWrite(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
  return Real(f)->pMethods->xWrite(Real(f), buf, n, off);
}
int ShimTruncate(sqlite3_file* f, sqlite3_int64 size) {
  return Real(f)->pMethods->xTruncate(Real(f), size);
}
int ShimSync(sqlite3_file* f, int flags) {
  if (reinterpret_cast<ShimFile*>(f)->wal && !g_instance->OnWalSync()) {
    return SQLITE_IOERR_FSYNC;
  }
  return Real(f)->pMethods->xSync(Real(f), flags);
}
int ShimFileSize(sqlite3_file* f, sqlite3_int64* size) {
  return Real(f)->pMethods->xFileSize(Real(f), size);
}
int ShimLock(sqlite3_file* f, int level) { return Real(f)->pMethods->xLock(Real(f), level); }
int ShimUnlock(sqlite3_file* f, int level) { return Real(f)->pMethods->xUnlock(Real(f), level); }
int ShimCheckReservedLock(sqlite3_file* f, int* out) {
  return Real(f)->pMethods->xCheckReservedLock(Real(f), out);
}
int ShimFileControl(sqlite3_file* f, int op, void* arg) {
  return Real(f)->pMethods->xFileControl(Real(f), op, arg);
}
int ShimSectorSize(sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); }
int ShimDeviceCharacteristics(sqlite3_file* f) {
  return Real(f)->pMethods->xDeviceCharacteristics(Real(f));
}
int ShimShmMap(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
  return Real(f)->pMethods->xShmMap(Real(f), page, size, extend, out);
}
int ShimShmLock(sqlite3_file* f, int offset, int n, int flags) {
  return Real(f)->pMethods->xShmLock(Real(f), offset, n, flags);
}
void ShimShmBarrier(sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); }
int ShimShmUnmap(sqlite3_file* f, int delete_flag) {
  return Real(f)->pMethods->xShmUnmap(Real(f), delete_flag);
}
int ShimFetch(sqlite3_file* f, sqlite3_int64 off, int n, void** out) {
  return Real(f)->pMethods->xFetch(Real(f), off, n, out);
}
int ShimUnfetch(sqlite3_file* f, sqlite3_int64 off, void* p) {
  return Real(f)->pMethods->xUnfetch(Real(f), off, p);
}

int ShimOpen(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  auto* shim = reinterpret_cast<ShimFile*>(file);
  shim->real = reinterpret_cast<sqlite3_file*>(shim + 1);
  std::memset(shim->real, 0, static_cast<size_t>(g_real->szOsFile));
  shim->wal = (flags & SQLITE_OPEN_WAL) != 0;
  const int rc = g_real->xOpen(g_real, name, shim->real, flags, out_flags);
  // SQLite calls xClose only when pMethods is set, so leave it null when the open failed.
  shim->base.pMethods = shim->real->pMethods != nullptr ? &g_methods : nullptr;
  return rc;
}

int ShimDelete(sqlite3_vfs*, const char* name, int sync_dir) {
  return g_real->xDelete(g_real, name, sync_dir);
}
int ShimAccess(sqlite3_vfs*, const char* name, int flags, int* out) {
  return g_real->xAccess(g_real, name, flags, out);
}
int ShimFullPathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return g_real->xFullPathname(g_real, name, n, out);
}
void* ShimDlOpen(sqlite3_vfs*, const char* name) { return g_real->xDlOpen(g_real, name); }
void ShimDlError(sqlite3_vfs*, int n, char* out) { g_real->xDlError(g_real, n, out); }
void (*ShimDlSym(sqlite3_vfs*, void* handle, const char* symbol))(void) {
  return g_real->xDlSym(g_real, handle, symbol);
}
void ShimDlClose(sqlite3_vfs*, void* handle) { g_real->xDlClose(g_real, handle); }
int ShimRandomness(sqlite3_vfs*, int n, char* out) { return g_real->xRandomness(g_real, n, out); }
int ShimSleep(sqlite3_vfs*, int us) { return g_real->xSleep(g_real, us); }
int ShimCurrentTime(sqlite3_vfs*, double* out) { return g_real->xCurrentTime(g_real, out); }
int ShimGetLastError(sqlite3_vfs*, int n, char* out) {
  return g_real->xGetLastError(g_real, n, out);
}
int ShimCurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* out) {
  return g_real->xCurrentTimeInt64(g_real, out);
}

}  // namespace

FaultySqliteVfs& FaultySqliteVfs::Install() {
  static FaultySqliteVfs* instance = [] {
    auto* vfs = new FaultySqliteVfs();  // lives as long as the process (SQLite keeps the VFS)
    g_instance = vfs;
    g_real = sqlite3_vfs_find(nullptr);
    g_methods = sqlite3_io_methods{};
    g_methods.iVersion = 3;
    g_methods.xClose = ShimClose;
    g_methods.xRead = ShimRead;
    g_methods.xWrite = ShimWrite;
    g_methods.xTruncate = ShimTruncate;
    g_methods.xSync = ShimSync;
    g_methods.xFileSize = ShimFileSize;
    g_methods.xLock = ShimLock;
    g_methods.xUnlock = ShimUnlock;
    g_methods.xCheckReservedLock = ShimCheckReservedLock;
    g_methods.xFileControl = ShimFileControl;
    g_methods.xSectorSize = ShimSectorSize;
    g_methods.xDeviceCharacteristics = ShimDeviceCharacteristics;
    g_methods.xShmMap = ShimShmMap;
    g_methods.xShmLock = ShimShmLock;
    g_methods.xShmBarrier = ShimShmBarrier;
    g_methods.xShmUnmap = ShimShmUnmap;
    g_methods.xFetch = ShimFetch;
    g_methods.xUnfetch = ShimUnfetch;
    g_vfs = sqlite3_vfs{};
    g_vfs.iVersion = 2;
    g_vfs.szOsFile = static_cast<int>(sizeof(ShimFile)) + g_real->szOsFile;
    g_vfs.mxPathname = g_real->mxPathname;
    g_vfs.zName = kName;
    g_vfs.xOpen = ShimOpen;
    g_vfs.xDelete = ShimDelete;
    g_vfs.xAccess = ShimAccess;
    g_vfs.xFullPathname = ShimFullPathname;
    g_vfs.xDlOpen = ShimDlOpen;
    g_vfs.xDlError = ShimDlError;
    g_vfs.xDlSym = ShimDlSym;
    g_vfs.xDlClose = ShimDlClose;
    g_vfs.xRandomness = ShimRandomness;
    g_vfs.xSleep = ShimSleep;
    g_vfs.xCurrentTime = ShimCurrentTime;
    g_vfs.xGetLastError = ShimGetLastError;
    g_vfs.xCurrentTimeInt64 = ShimCurrentTimeInt64;
    sqlite3_vfs_register(&g_vfs, /*makeDflt=*/0);
    return vfs;
  }();
  return *instance;
}

void FaultySqliteVfs::HoldWalSyncs(bool hold) {
  MutexLock lock(mu_);
  hold_ = hold;
  cv_.SignalAll();
}

void FaultySqliteVfs::FailWalSyncs(int skip, int fail) {
  MutexLock lock(mu_);
  skip_ = skip;
  fail_ = fail;
}

bool FaultySqliteVfs::AwaitHeldSyncs(int n, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  MutexLock lock(mu_);
  while (waiting_ < n) {
    if (cv_.WaitUntil(mu_, deadline) == std::cv_status::timeout) return waiting_ >= n;
  }
  return true;
}

int64_t FaultySqliteVfs::wal_syncs() const {
  MutexLock lock(mu_);
  return syncs_;
}

int64_t FaultySqliteVfs::failed_wal_syncs() const {
  MutexLock lock(mu_);
  return failed_;
}

bool FaultySqliteVfs::OnWalSync() {
  MutexLock lock(mu_);
  ++syncs_;
  ++waiting_;
  cv_.SignalAll();
  while (hold_) cv_.Wait(mu_);
  --waiting_;
  if (skip_ > 0) {
    --skip_;
    return true;
  }
  if (fail_ > 0) {
    --fail_;
    ++failed_;
    return false;
  }
  return true;
}

}  // namespace voxsecrets::store
