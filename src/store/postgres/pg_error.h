// Translation of PostgreSQL errors (SQLSTATE codes) into voxsecrets Status values.
//
// 23505 unique_violation -> kAlreadyExists. The server or the link being away or busy ->
// kUnavailable: class 08 (connection exception), 57P01/57P02/57P03 (admin/crash shutdown, cannot
// connect now), 57014 (query canceled: statement_timeout), class 53 (insufficient resources, e.g.
// too many connections), class 58 (system / I/O error), 55P03 (lock not available), and
// 40001/40P01 (serialization failure / deadlock) once the store gave up retrying. Anything else ->
// kInternal (including 23503 foreign key and 25006 read-only transaction, as in SQLite).
//
// Messages carry the server's primary message only, never its DETAIL (which quotes row values),
// and for class 22 (data exception, whose messages may quote an input) not even that.
//
// Thread-safety: pure functions.
#ifndef VOXSECRETS_STORE_POSTGRES_PG_ERROR_H_
#define VOXSECRETS_STORE_POSTGRES_PG_ERROR_H_

#include <string_view>

#include "common/status.h"

namespace voxsecrets::store::pg {

// The SQLSTATE the client library reports for a connection it lost or could not open (libpq
// gives no SQLSTATE then): "08006" connection_failure.
inline constexpr std::string_view kConnectionFailure = "08006";

// The StatusCode for a five-character SQLSTATE (empty = unknown -> kInternal).
StatusCode StatusCodeForSqlState(std::string_view sqlstate);

// Serialization failure (40001) or deadlock detected (40P01): re-running the transaction may
// succeed.
bool IsRetryableSqlState(std::string_view sqlstate);

// The session is gone or going (class 08, 57P01, 57P02, 57P03): the connection must be dropped.
bool IsConnectionLostSqlState(std::string_view sqlstate);

// "postgresql: <what>: <message> (SQLSTATE <sqlstate>)" with the code of StatusCodeForSqlState.
// `primary_message` is the server's primary message (or libpq's error text for a lost
// connection); it is dropped for class 22.
Status PgError(std::string_view sqlstate, std::string_view primary_message, std::string_view what);

}  // namespace voxsecrets::store::pg

#endif  // VOXSECRETS_STORE_POSTGRES_PG_ERROR_H_
