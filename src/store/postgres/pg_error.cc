#include "store/postgres/pg_error.h"

#include <string>

#include "store/store_error.h"

namespace voxsecrets::store::pg {
namespace {

bool HasClass(std::string_view sqlstate, std::string_view cls) {
  return sqlstate.size() == 5 && sqlstate.substr(0, 2) == cls;
}

}  // namespace

StatusCode StatusCodeForSqlState(std::string_view sqlstate) {
  if (sqlstate == "23505") return StatusCode::kAlreadyExists;
  if (IsConnectionLostSqlState(sqlstate) || IsRetryableSqlState(sqlstate) || sqlstate == "57014" ||
      sqlstate == "55P03" || HasClass(sqlstate, "53") || HasClass(sqlstate, "58")) {
    return StatusCode::kUnavailable;
  }
  return StatusCode::kInternal;
}

bool IsRetryableSqlState(std::string_view sqlstate) {
  return sqlstate == "40001" || sqlstate == "40P01";
}

bool IsConnectionLostSqlState(std::string_view sqlstate) {
  return HasClass(sqlstate, "08") || sqlstate == "57P01" || sqlstate == "57P02" ||
         sqlstate == "57P03";
}

Status PgError(std::string_view sqlstate, std::string_view primary_message, std::string_view what) {
  std::string message = "postgresql: ";
  message.append(what);
  message += ": ";
  if (HasClass(sqlstate, "22")) {
    message += "invalid data";  // the server's text may quote the offending input
  } else {
    // Only the first line: libpq appends hints on further lines.
    std::string_view first_line = primary_message.substr(0, primary_message.find('\n'));
    message.append(first_line.empty() ? std::string_view("unknown error") : first_line);
  }
  if (!sqlstate.empty()) {
    message += " (SQLSTATE ";
    message.append(sqlstate);
    message += ")";
  }
  return StoreError(StatusCodeForSqlState(sqlstate), std::move(message));
}

}  // namespace voxsecrets::store::pg
