// Translation of SQLite result codes into voxsecrets Status values.
//
// SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY -> kAlreadyExists; SQLITE_BUSY, _LOCKED (after the busy
// timeout), _IOERR, _FULL, _CANTOPEN -> kUnavailable; anything else -> kInternal. Messages carry
// SQLite's own error text (which names tables and columns, never bound values) and the caller's
// description of what failed; they never contain a bound value.
//
// Thread-safety: free functions; `db` must not be used concurrently by another thread.
#ifndef VOXSECRETS_STORE_SQLITE_SQLITE_ERROR_H_
#define VOXSECRETS_STORE_SQLITE_SQLITE_ERROR_H_

#include <string_view>

#include "common/status.h"

struct sqlite3;

namespace voxsecrets::store::sqlite {

// The StatusCode for an (extended) SQLite result code. REQUIRES: rc is an error code.
StatusCode StatusCodeForSqlite(int rc);

// A Status for the failed SQLite call `what` that returned `rc` on `db` (db may be null).
Status SqliteError(int rc, sqlite3* db, std::string_view what);

}  // namespace voxsecrets::store::sqlite

#endif  // VOXSECRETS_STORE_SQLITE_SQLITE_ERROR_H_
