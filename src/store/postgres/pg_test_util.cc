#include "store/postgres/pg_test_util.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <cstdlib>
#include <random>
#include <utility>

namespace voxsecrets::store::pgtest {
namespace {

const char* Env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : nullptr;
}

void SkipOrFail() {
  const char* ci = Env("CI");
  if (ci != nullptr && std::string_view(ci) == "true") {
    GTEST_FAIL() << "no PostgreSQL for the tests: set VOXSECRETS_TEST_PG_URL or PGHOST/PGPORT "
                    "(CI=true: the PostgreSQL tests must run, not skip)";
  }
  GTEST_SKIP() << "no PostgreSQL configured (VOXSECRETS_TEST_PG_URL or PGHOST/PGPORT); skipping";
}

std::string Text(const char* value) { return value != nullptr ? value : ""; }

std::string FirstLine(const char* text) {
  std::string s = Text(text);
  return s.substr(0, s.find('\n'));
}

// Runs `sql` on `conn`; the first column of the first row of the last result.
Result<std::string> RunSql(PGconn* conn, const std::string& sql) {
  PGresult* result = PQexec(conn, sql.c_str());
  ExecStatusType status = PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    std::string message = FirstLine(PQresultErrorMessage(result));
    PQclear(result);
    return InternalError("test admin session: " + message);
  }
  std::string value;
  if (status == PGRES_TUPLES_OK && PQntuples(result) > 0 && PQnfields(result) > 0) {
    value = Text(PQgetvalue(result, 0, 0));
  }
  PQclear(result);
  return value;
}

std::string RandomSchemaName() {
  std::random_device device;
  std::uniform_int_distribution<uint64_t> dist;
  char buffer[32];
  snprintf(buffer, sizeof(buffer), "%016llx", static_cast<unsigned long long>(dist(device)));
  return "t_" + std::to_string(::getpid()) + "_" + buffer;
}

// A Store that drops its test schema after closing.
class SchemaStore final : public Store {
 public:
  SchemaStore(std::unique_ptr<TestSchema> schema, StorePtr inner)
      : schema_(std::move(schema)), inner_(std::move(inner)) {}
  ~SchemaStore() override { inner_.reset(); }  // close the sessions before dropping the schema

  // Store
  Status Read(const TxFn& fn) override { return inner_->Read(fn); }
  Status Write(const TxFn& fn) override { return inner_->Write(fn); }
  Result<int> SchemaVersion() override { return inner_->SchemaVersion(); }
  std::string_view BackendName() const override { return inner_->BackendName(); }

 private:
  std::unique_ptr<TestSchema> schema_;
  StorePtr inner_;
};

// Stands in for the store of a skipped test (its body does not run).
class SkippedStore final : public Store {
 public:
  Status Read(const TxFn&) override { return Unavailable("skipped"); }
  Status Write(const TxFn&) override { return Unavailable("skipped"); }
  Result<int> SchemaVersion() override { return Unavailable("skipped"); }
  std::string_view BackendName() const override { return "postgresql"; }
};

}  // namespace

std::optional<std::string> ServerUrlFromEnv() {
  if (const char* url = Env("VOXSECRETS_TEST_PG_URL")) return std::string(url);
  if (Env("PGHOST") != nullptr || Env("PGPORT") != nullptr) return std::string();
  return std::nullopt;
}

bool RequireServer(std::string* url) {
  std::optional<std::string> found = ServerUrlFromEnv();
  if (!found) {
    SkipOrFail();
    return false;
  }
  *url = *found;
  return true;
}

std::string ConnInfoQuote(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  out += '\'';
  return out;
}

Result<std::unique_ptr<TestSchema>> TestSchema::Create(const std::string& server_url) {
  std::unique_ptr<TestSchema> schema(new TestSchema());
  const char* keywords[] = {"dbname", "connect_timeout", "application_name", nullptr};
  const char* values[] = {server_url.c_str(), "10", "voxsecrets-test-admin", nullptr};
  schema->admin_ = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (schema->admin_ == nullptr || PQstatus(schema->admin_) != CONNECTION_OK) {
    return Unavailable("cannot connect to the test PostgreSQL: " +
                       FirstLine(PQerrorMessage(schema->admin_)));
  }
  PGconn* admin = schema->admin_;
  schema->host_ = Text(PQhost(admin));
  schema->port_ = Text(PQport(admin));
  schema->dbname_ = Text(PQdb(admin));
  schema->user_ = Text(PQuser(admin));
  schema->password_ = Text(PQpass(admin));
  std::string name = RandomSchemaName();
  VS_RETURN_IF_ERROR(RunSql(admin, "SET client_min_messages = warning").status());
  // pg_trgm lives in `public` for every test schema: a migration would otherwise create it in
  // the first test schema, and dropping that schema (CASCADE) would take the extension and the
  // indexes of every other test's schema with it. Tests starting together may race to create it;
  // the loser's error is harmless when the extension is there afterwards.
  if (!RunSql(admin, "CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public").ok()) {
    VS_ASSIGN_OR_RETURN(std::string there,
                        RunSql(admin, "SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'"));
    if (there != "1") return Unavailable("cannot create pg_trgm on the test PostgreSQL");
  }
  VS_RETURN_IF_ERROR(RunSql(admin, "CREATE SCHEMA " + name).status());
  schema->name_ = name;
  VS_RETURN_IF_ERROR(RunSql(admin, "SET search_path = " + name + ", public").status());
  return schema;
}

TestSchema::~TestSchema() {
  if (admin_ == nullptr) return;
  if (!name_.empty() && PQstatus(admin_) == CONNECTION_OK) {
    if (PQtransactionStatus(admin_) != PQTRANS_IDLE) (void)RunSql(admin_, "ROLLBACK");
    Status dropped = RunSql(admin_, "DROP SCHEMA " + name_ + " CASCADE").status();
    EXPECT_TRUE(dropped.ok()) << dropped.ToString();
  }
  PQfinish(admin_);
}

std::string TestSchema::StoreUrl(std::string_view application_name,
                                 const std::optional<std::string>& host,
                                 const std::optional<std::string>& port) const {
  std::string url = "host=" + ConnInfoQuote(host.value_or(host_)) +
                    " port=" + ConnInfoQuote(port.value_or(port_)) +
                    " dbname=" + ConnInfoQuote(dbname_) + " user=" + ConnInfoQuote(user_);
  if (!password_.empty()) url += " password=" + ConnInfoQuote(password_);
  url += " application_name=" + ConnInfoQuote(application_name);
  url += " options=" + ConnInfoQuote("-csearch_path=" + name_);
  return url;
}

PgOptions TestSchema::StoreOptions(std::string_view application_name) const {
  PgOptions options;
  options.url = StoreUrl(application_name);
  options.pool_size = 4;
  return options;
}

Status TestSchema::Exec(const std::string& sql) { return RunSql(admin_, sql).status(); }

Result<std::string> TestSchema::QueryValue(const std::string& sql) { return RunSql(admin_, sql); }

Result<int> TestSchema::TerminateSessions(std::string_view application_name) {
  std::string escaped;
  for (char c : application_name) {
    if (c == '\'') escaped += '\'';
    escaped += c;
  }
  VS_ASSIGN_OR_RETURN(std::string count,
                      RunSql(admin_,
                             "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) "
                             "FROM pg_stat_activity WHERE application_name = '" +
                                 escaped + "' AND pid <> pg_backend_pid()"));
  // pg_terminate_backend only signals: wait until the sessions are really gone.
  VS_RETURN_IF_ERROR(
      RunSql(
          admin_,
          "DO $$ BEGIN FOR i IN 1..500 LOOP "
          "PERFORM pg_stat_clear_snapshot(); EXIT WHEN NOT EXISTS (SELECT 1 FROM pg_stat_activity "
          "WHERE application_name = '" +
              escaped + "'); PERFORM pg_sleep(0.01); END LOOP; END $$")
          .status());
  return std::atoi(count.c_str());
}

StorePtr MakeTestPgStore() {
  std::string url;
  if (!RequireServer(&url)) {
    if (::testing::Test::IsSkipped()) return std::make_unique<SkippedStore>();
    return nullptr;
  }
  Result<std::unique_ptr<TestSchema>> schema = TestSchema::Create(url);
  if (!schema.ok()) {
    ADD_FAILURE() << schema.status().ToString();
    return nullptr;
  }
  Result<StorePtr> store = OpenPgStore((*schema)->StoreOptions());
  if (!store.ok()) {
    ADD_FAILURE() << store.status().ToString();
    return nullptr;
  }
  return std::make_unique<SchemaStore>(std::move(schema).value(), std::move(store).value());
}

}  // namespace voxsecrets::store::pgtest
