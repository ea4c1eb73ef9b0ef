// Test helpers for the PostgreSQL backend: where the test server is (from the environment), a
// fresh schema per test on it, an admin session to poke at it, and a Store factory for the
// conformance suite.
//
// Environment: VOXSECRETS_TEST_PG_URL (a libpq URI or key=value string), or libpq's own PGHOST /
// PGPORT / PGUSER / PGDATABASE / PGPASSWORD. When none is set the PostgreSQL tests skip, except
// under CI=true, where they fail: CI must never go green by skipping them.
//
// Isolation: each TestSchema creates `t_<random>` and drops it (CASCADE) on destruction; stores
// made for it get `options=-csearch_path=<schema>` in their connection string, so their tables
// live there. Tests may run in parallel against one database.
//
// Thread-safety: a TestSchema's admin session is used by one thread at a time.
#ifndef VOXSECRETS_STORE_POSTGRES_PG_TEST_UTIL_H_
#define VOXSECRETS_STORE_POSTGRES_PG_TEST_UTIL_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "store/postgres/pg_store.h"
#include "store/store.h"

struct pg_conn;

namespace voxsecrets::store::pgtest {

// The configured test server (its URL; empty = libpq environment), or nullopt.
std::optional<std::string> ServerUrlFromEnv();

// Records a skip (or, under CI=true, a failure) in the current test and returns false when no
// test server is configured; otherwise sets *url and returns true. Call from a void function or
// a SetUp.
bool RequireServer(std::string* url);

// Quotes a value for a libpq key=value connection string.
std::string ConnInfoQuote(std::string_view value);

class TestSchema {
 public:
  // Connects an admin session to the server and creates a fresh empty schema.
  static Result<std::unique_ptr<TestSchema>> Create(const std::string& server_url);
  ~TestSchema();
  TestSchema(const TestSchema&) = delete;
  TestSchema& operator=(const TestSchema&) = delete;

  const std::string& name() const { return name_; }
  // Host and port of the server as libpq resolved them (host may be a socket directory).
  const std::string& host() const { return host_; }
  const std::string& port() const { return port_; }

  // A connection string for a store whose tables live in this schema. `application_name` tags its
  // sessions (see TerminateSessions); `host`/`port` replace the server's (to go through a proxy).
  std::string StoreUrl(std::string_view application_name = "voxsecrets-test",
                       const std::optional<std::string>& host = std::nullopt,
                       const std::optional<std::string>& port = std::nullopt) const;
  PgOptions StoreOptions(std::string_view application_name = "voxsecrets-test") const;

  // Runs SQL on the admin session (search_path = this schema, then public).
  Status Exec(const std::string& sql);
  // The first column of the first row as text ("" when no row or NULL).
  Result<std::string> QueryValue(const std::string& sql);
  // Terminates every session whose application_name is `application_name`; returns how many.
  Result<int> TerminateSessions(std::string_view application_name);

 private:
  TestSchema() = default;

  pg_conn* admin_ = nullptr;
  std::string name_;
  std::string host_, port_, dbname_, user_, password_;
};

// A fresh, migrated store in its own schema that is dropped when the store goes; for the
// conformance suite. When no server is configured: records a skip (or a CI failure) and returns a
// placeholder store (skip) or nullptr (failure).
StorePtr MakeTestPgStore();

}  // namespace voxsecrets::store::pgtest

#endif  // VOXSECRETS_STORE_POSTGRES_PG_TEST_UTIL_H_
