// Statement: a thin RAII owner of one prepared sqlite3_stmt.
//
// Bind by 1-based index, Step(), read columns by 0-based index, Reset() for reuse. A failed bind
// is remembered and reported by the next Step()/Run() so call sites can bind without checking
// each call. Bound text and blobs are copied by SQLite (the caller's buffers need not outlive the
// bind). Text and blob binds never bind NULL: an empty view binds an empty value.
//
// Thread-safety: none; a Statement belongs to its Connection, which one thread uses at a time.
// Ownership: the Statement finalizes its sqlite3_stmt; the connection must outlive it.
#ifndef VOXSECRETS_STORE_SQLITE_SQLITE_STATEMENT_H_
#define VOXSECRETS_STORE_SQLITE_SQLITE_STATEMENT_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace voxsecrets::store::sqlite {

class Statement {
 public:
  // Prepares the single SQL statement `sql` on `db`. `persistent` hints SQLite that the
  // statement is cached and reused. REQUIRES: `db` is open and outlives the Statement.
  static Result<std::unique_ptr<Statement>> Prepare(sqlite3* db, std::string_view sql,
                                                    bool persistent);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  void BindInt64(int index, int64_t value);
  void BindText(int index, std::string_view value);
  void BindBlob(int index, std::string_view value);
  void BindNull(int index);
  void BindOptionalText(int index, const std::optional<std::string>& value);
  void BindOptionalInt64(int index, std::optional<int64_t> value);
  // As BindText / BindBlob without the copy (SQLITE_STATIC): SQLite reads the caller's bytes
  // when the statement steps. REQUIRES: they stay valid and unchanged until Reset() (the
  // StatementLease's release) or the next bind of `index`.
  void BindTextUnowned(int index, std::string_view value);
  void BindBlobUnowned(int index, std::string_view value);

  // Advances: true when a row is ready for the column accessors, false when the statement is
  // done. Errors are mapped by SqliteError (kAlreadyExists for unique violations).
  Result<bool> Step();
  // Steps to completion, discarding rows (INSERT / UPDATE / DELETE).
  Status Run();

  // Column accessors; valid only after Step() returned true. REQUIRES: 0 <= col < column count.
  bool ColumnIsNull(int col) const;
  int64_t ColumnInt64(int col) const;
  std::optional<int64_t> ColumnOptionalInt64(int col) const;
  std::string ColumnText(int col) const;
  std::string ColumnBlob(int col) const;

  // Makes the statement ready to run again: resets it and clears every binding.
  void Reset();

  // Used by Connection's statement cache: whether a StatementLease currently holds it.
  bool leased() const { return leased_; }
  void set_leased(bool leased) { leased_ = leased; }

 private:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  void NoteBind(int rc, int index);

  sqlite3_stmt* stmt_;
  int bind_rc_ = 0;     // first failed bind since the last Reset (SQLITE_OK = 0)
  int bind_index_ = 0;  // its parameter index
  bool leased_ = false;
};

}  // namespace voxsecrets::store::sqlite

#endif  // VOXSECRETS_STORE_SQLITE_SQLITE_STATEMENT_H_
