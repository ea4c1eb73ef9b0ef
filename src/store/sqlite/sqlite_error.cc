#include "store/sqlite/sqlite_error.h"

#include <sqlite3.h>

#include <string>

#include "store/store_error.h"

namespace voxsecrets::store::sqlite {

StatusCode StatusCodeForSqlite(int rc) {
  if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
    return StatusCode::kAlreadyExists;
  }
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
      return StatusCode::kUnavailable;
    default:
      return StatusCode::kInternal;
  }
}

Status SqliteError(int rc, sqlite3* db, std::string_view what) {
  std::string message = "sqlite: ";
  message.append(what);
  message += ": ";
  // sqlite3_errmsg describes the most recent failure on `db`; it names constraints, tables and
  // columns but never the values bound to a statement.
  message += (db != nullptr && sqlite3_extended_errcode(db) == rc) ? sqlite3_errmsg(db)
                                                                   : sqlite3_errstr(rc);
  message += " (code " + std::to_string(rc) + ")";
  return StoreError(StatusCodeForSqlite(rc), std::move(message));
}

}  // namespace voxsecrets::store::sqlite
