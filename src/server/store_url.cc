#include "server/store_url.h"

#include <charconv>
#include <vector>

#include "store/postgres/pg_store.h"
#include "store/sqlite/sqlite_store.h"

namespace voxsecrets::server {
namespace {

constexpr std::string_view kSqliteScheme = "sqlite:";
constexpr std::string_view kPostgresSchemes[] = {"postgresql://", "postgres://"};

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string_view PostgresScheme(std::string_view url) {
  for (std::string_view scheme : kPostgresSchemes) {
    if (StartsWith(url, scheme)) return scheme;
  }
  return {};
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t at = s.find(sep, start);
    parts.push_back(s.substr(start, at == std::string_view::npos ? s.npos : at - start));
    if (at == std::string_view::npos) break;
    start = at + 1;
  }
  return parts;
}

// Parses a voxsecrets parameter of a PostgreSQL URL: an integer in [min, max].
Status ParseIntParam(std::string_view name, std::string_view value, int min, int max, int* out) {
  int v = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || ptr != value.data() + value.size() || v < min || v > max) {
    return Status(StatusCode::kInvalidArgument,
                  "store URL: " + std::string(name) + " must be an integer from " +
                      std::to_string(min) + " to " + std::to_string(max));
  }
  *out = v;
  return Status::Ok();
}

Result<StoreLocation> ParsePostgres(std::string_view url) {
  StoreLocation location;
  location.kind = StoreKind::kPostgres;
  const size_t question = url.find('?');
  if (question == std::string_view::npos) {
    location.pg_url = std::string(url);
    return location;
  }
  std::string kept;
  for (std::string_view param : Split(url.substr(question + 1), '&')) {
    if (param.empty()) continue;
    const size_t eq = param.find('=');
    const std::string_view key = param.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? "" : param.substr(eq + 1);
    Status s;
    if (key == "pool_size") {
      s = ParseIntParam(key, value, 1, 1000, &location.pg_pool_size);
    } else if (key == "statement_timeout_ms") {
      s = ParseIntParam(key, value, 0, 3600 * 1000, &location.pg_statement_timeout_ms);
    } else if (key == "acquire_timeout_ms") {
      s = ParseIntParam(key, value, 0, 3600 * 1000, &location.pg_acquire_timeout_ms);
    } else if (key == "connect_timeout") {
      s = ParseIntParam(key, value, 1, 3600, &location.pg_connect_timeout_s);
    } else {
      kept += kept.empty() ? "?" : "&";
      kept += param;
      continue;
    }
    VS_RETURN_IF_ERROR(s);
  }
  location.pg_url = std::string(url.substr(0, question)) + kept;
  return location;
}

}  // namespace

Result<StoreLocation> ParseStoreUrl(std::string_view url, const std::string& data_dir) {
  StoreLocation location;
  if (url.empty()) {
    location.sqlite_path = data_dir + "/voxsecrets.db";
    return location;
  }
  if (!PostgresScheme(url).empty()) return ParsePostgres(url);
  if (StartsWith(url, kSqliteScheme)) {
    std::string_view rest = url.substr(kSqliteScheme.size());
    if (StartsWith(rest, "//")) {
      rest.remove_prefix(2);
      if (rest.empty()) {
        location.sqlite_path = data_dir + "/voxsecrets.db";
        return location;
      }
      if (rest.front() != '/') {
        return Status(StatusCode::kInvalidArgument,
                      "store URL: sqlite:// must be followed by an absolute path "
                      "(sqlite:///var/lib/voxsecrets/voxsecrets.db), or use sqlite:relative/path");
      }
    }
    if (rest.empty()) {
      return Status(StatusCode::kInvalidArgument, "store URL: sqlite: names no file");
    }
    location.sqlite_path = std::string(rest);
    return location;
  }
  const size_t colon = url.find(':');
  const std::string scheme =
      colon == std::string_view::npos || colon > 20 ? "" : std::string(url.substr(0, colon));
  return Status(StatusCode::kInvalidArgument,
                "store URL: unknown scheme" + (scheme.empty() ? "" : " '" + scheme + "'") +
                    " (use sqlite:///PATH, postgresql://... or postgres://...)");
}

std::string RedactStoreUrl(std::string_view url) {
  const std::string_view scheme = PostgresScheme(url);
  if (scheme.empty()) {
    if (StartsWith(url, kSqliteScheme)) return std::string(url);
    return "(store URL)";
  }
  std::string out(scheme);
  std::string_view rest = url.substr(scheme.size());
  const size_t authority_end = rest.find_first_of("/?");
  const std::string_view authority = rest.substr(0, authority_end);
  const size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    const std::string_view userinfo = authority.substr(0, at);
    const size_t colon = userinfo.find(':');
    out += colon == std::string_view::npos ? std::string(userinfo)
                                           : std::string(userinfo.substr(0, colon)) + ":***";
    out += authority.substr(at);
  } else {
    out += authority;
  }
  if (authority_end == std::string_view::npos) return out;
  rest.remove_prefix(authority_end);
  const size_t question = rest.find('?');
  out += rest.substr(0, question);
  if (question == std::string_view::npos) return out;
  bool first = true;
  for (std::string_view param : Split(rest.substr(question + 1), '&')) {
    out += first ? "?" : "&";
    first = false;
    const size_t eq = param.find('=');
    if (param.substr(0, eq) == "password") {
      out += "password=***";
    } else {
      out += param;
    }
  }
  return out;
}

std::string DescribeStore(const StoreLocation& location) {
  if (location.kind == StoreKind::kSqlite) return location.sqlite_path + " (sqlite)";
  return RedactStoreUrl(location.pg_url) + " (postgresql)";
}

Result<store::StorePtr> OpenStore(const StoreLocation& location, const OpenStoreOptions& options) {
  HistogramFamily* waits = nullptr;
  if (options.metrics != nullptr) {
    waits = &options.metrics->AddHistogram(
        "voxsecrets_store_pool_wait_seconds",
        "Time a transaction waited for a database connection (0 when one was free), by pool.",
        {"pool"});
  }
  Result<store::StorePtr> opened = [&] {
    if (location.kind == StoreKind::kSqlite) {
      store::SqliteOptions sqlite;
      sqlite.path = location.sqlite_path;
      sqlite.read_connections = options.sqlite_read_connections;
      if (waits != nullptr) {
        sqlite.read_wait = &waits->WithLabels({"sqlite_read"});
        sqlite.write_wait = &waits->WithLabels({"sqlite_write"});
      }
      return store::OpenSqliteStore(sqlite);
    }
    store::PgOptions pg;
    pg.url = location.pg_url;
    pg.pool_size = location.pg_pool_size;
    pg.statement_timeout_ms = location.pg_statement_timeout_ms;
    pg.acquire_timeout_ms = location.pg_acquire_timeout_ms;
    pg.connect_timeout_s = location.pg_connect_timeout_s;
    pg.create_schema = options.create;
    if (waits != nullptr) pg.acquire_wait = &waits->WithLabels({"postgresql"});
    return store::OpenPgStore(pg);
  }();
  if (!opened.ok()) {
    return Status(opened.status().code(),
                  "cannot open " + DescribeStore(location) + ": " + opened.status().message());
  }
  return opened;
}

Result<store::StorePtr> OpenStoreByUrl(std::string_view url, const std::string& data_dir,
                                       const OpenStoreOptions& options) {
  VS_ASSIGN_OR_RETURN(StoreLocation location, ParseStoreUrl(url, data_dir));
  return OpenStore(location, options);
}

}  // namespace voxsecrets::server
