// Store URLs: which database a voxsecrets node (or an admin command) works on, named by
// `--store URL`. The only place, with data_dir.cc, that names the concrete backends.
//
//   ""                              SQLite at DATA_DIR/voxsecrets.db (the default)
//   sqlite:///abs/path/file.db      SQLite at that path (`sqlite://` + an absolute path)
//   sqlite:relative/file.db         SQLite at a path relative to the working directory
//   postgresql://... postgres://... PostgreSQL (a libpq connection URI: user, password, host,
//                                   port, database, and libpq's own query parameters such as
//                                   sslmode or options=-csearch_path%3Dvoxsecrets)
//
// voxsecrets' own pool settings may be added to a PostgreSQL URL as query parameters; they are
// taken out before the URL reaches libpq: `pool_size` (sessions per node, default 4),
// `statement_timeout_ms` (default 10000), `acquire_timeout_ms` (default 10000) and
// `connect_timeout` (seconds, libpq's name; default 5). See store/postgres/pg_store.h.
//
// A URL may hold a password: it is never logged nor put in an error message. Use
// RedactStoreUrl() to show one.
//
// Thread-safety: free functions without shared state.
#ifndef VOXSECRETS_SERVER_STORE_URL_H_
#define VOXSECRETS_SERVER_STORE_URL_H_

#include <string>
#include <string_view>

#include "common/metrics.h"
#include "common/status.h"
#include "store/store.h"

namespace voxsecrets::server {

enum class StoreKind { kSqlite, kPostgres };

struct StoreLocation {
  StoreKind kind = StoreKind::kSqlite;
  std::string sqlite_path;  // kSqlite: the database file
  std::string pg_url;       // kPostgres: the URL for libpq (voxsecrets' parameters removed)
  int pg_pool_size = 4;
  int pg_statement_timeout_ms = 10000;
  int pg_acquire_timeout_ms = 10000;
  int pg_connect_timeout_s = 5;
};

// Parses `url` (see above). `data_dir` gives the default SQLite path. kInvalidArgument for an
// unknown scheme, a `sqlite://` URL without an absolute path, or a bad voxsecrets parameter;
// the message never repeats a password.
Result<StoreLocation> ParseStoreUrl(std::string_view url, const std::string& data_dir);

// `url` safe to print: the password of a URI's user info and any `password=` parameter are
// replaced by "***".
std::string RedactStoreUrl(std::string_view url);

// What to print for a location: the SQLite path, or the redacted PostgreSQL URL.
std::string DescribeStore(const StoreLocation& location);

struct OpenStoreOptions {
  // SQLite: read-only connections besides the writer.
  int sqlite_read_connections = 4;
  // PostgreSQL: when false a database without voxsecrets tables is refused (kNotFound) and left
  // untouched; SQLite callers check that the file exists themselves.
  bool create = true;
  // When set, the store observes how long transactions wait for a connection in
  // voxsecrets_store_pool_wait_seconds{pool}: pool "sqlite_read", "sqlite_write" or
  // "postgresql". Not owned; must outlive the store.
  Metrics* metrics = nullptr;
};

// Opens the store at `location` (applying missing migrations). Errors name the database by
// DescribeStore, never by the raw URL.
Result<store::StorePtr> OpenStore(const StoreLocation& location, const OpenStoreOptions& options);

// ParseStoreUrl + OpenStore.
Result<store::StorePtr> OpenStoreByUrl(std::string_view url, const std::string& data_dir,
                                       const OpenStoreOptions& options = {});

}  // namespace voxsecrets::server

#endif  // VOXSECRETS_SERVER_STORE_URL_H_
