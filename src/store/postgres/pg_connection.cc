#include "store/postgres/pg_connection.h"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "store/postgres/pg_error.h"
#include "store/store_error.h"

namespace voxsecrets::store::pg {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kMinServerVersion = 100000;  // GENERATED ... AS IDENTITY

std::string EncodeInt64(int64_t value) {
  std::string out(8, '\0');
  auto v = static_cast<uint64_t>(value);
  for (int i = 7; i >= 0; --i) {
    out[static_cast<size_t>(i)] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return out;
}

int64_t DecodeBigEndian(const char* data, int length) {
  uint64_t v = 0;
  for (int i = 0; i < length; ++i) v = (v << 8) | static_cast<unsigned char>(data[i]);
  // Sign-extend 2- and 4-byte integers.
  if (length > 0 && length < 8 && (static_cast<unsigned char>(data[0]) & 0x80) != 0) {
    v |= ~uint64_t{0} << (8 * length);
  }
  return static_cast<int64_t>(v);
}

std::string FirstLine(const char* text) {
  if (text == nullptr) return {};
  std::string_view view(text);
  return std::string(view.substr(0, view.find('\n')));
}

// Waits until the socket is ready for `events` or the deadline passes (false). Errors and hang-ups
// count as ready: libpq reports them on the next call.
bool WaitSocket(int fd, short events, std::optional<Clock::time_point> deadline) {
  while (true) {
    int timeout_ms = -1;
    if (deadline) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - Clock::now());
      if (left.count() <= 0) return false;
      timeout_ms = static_cast<int>(std::min<int64_t>(left.count() + 1, 60 * 60 * 1000));
    }
    pollfd pfd{fd, events, 0};
    int rc = ::poll(&pfd, 1, timeout_ms);
    if (rc > 0) return true;
    if (rc == 0) {
      if (!deadline) continue;
      return false;
    }
    if (errno != EINTR) return true;
  }
}

}  // namespace

// ---- Params ------------------------------------------------------------------------------------

Params& Params::Int64(int64_t value) {
  Param& p = params_.emplace_back();
  p.type = PgType::kInt8;
  p.owned = EncodeInt64(value);
  p.use_owned = true;
  return *this;
}

Params& Params::Bool(bool value) {
  Param& p = params_.emplace_back();
  p.type = PgType::kBool;
  p.owned = std::string(1, value ? '\1' : '\0');
  p.use_owned = true;
  return *this;
}

Params& Params::Text(std::string_view value) {
  Param& p = params_.emplace_back();
  p.type = PgType::kText;
  p.view = value;
  return *this;
}

Params& Params::Bytes(std::string_view value) {
  Param& p = params_.emplace_back();
  p.type = PgType::kBytea;
  p.view = value;
  return *this;
}

Params& Params::Null(PgType type) {
  Param& p = params_.emplace_back();
  p.type = type;
  p.is_null = true;
  p.binary = type != PgType::kInt8Array && type != PgType::kTextArray;
  return *this;
}

Params& Params::OptionalInt64(std::optional<int64_t> value) {
  return value ? Int64(*value) : Null(PgType::kInt8);
}

Params& Params::OptionalText(std::optional<std::string_view> value) {
  return value ? Text(*value) : Null(PgType::kText);
}

Params& Params::OptionalText(const std::optional<std::string>& value) {
  return value ? Text(*value) : Null(PgType::kText);
}

Params& Params::Int64Array(std::span<const int64_t> values) {
  Param& p = params_.emplace_back();
  p.type = PgType::kInt8Array;
  p.binary = false;        // the text form "{1,2,3}" is simpler than the binary array format
  p.owned.assign(1, '{');  // not = "{": GCC 12 -O3 -Wrestrict false positive (PR 105651)
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) p.owned += ',';
    p.owned += std::to_string(values[i]);
  }
  p.owned += '}';
  p.use_owned = true;
  return *this;
}

Params& Params::OptionalInt64Array(std::span<const std::optional<int64_t>> values) {
  Param& p = params_.emplace_back();
  p.type = PgType::kInt8Array;
  p.binary = false;
  p.owned.assign(1, '{');  // not = "{": GCC 12 -O3 -Wrestrict false positive (PR 105651)
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) p.owned += ',';
    p.owned += values[i].has_value() ? std::to_string(*values[i]) : std::string("NULL");
  }
  p.owned += '}';
  p.use_owned = true;
  return *this;
}

Params& Params::TextArray(std::span<const std::string> values) {
  Param& p = params_.emplace_back();
  p.type = PgType::kTextArray;
  p.binary = false;
  p.owned.assign(1, '{');  // not = "{": GCC 12 -O3 -Wrestrict false positive (PR 105651)
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) p.owned += ',';
    p.owned += '"';  // quoted: any character but '"' and '\\' stands for itself
    for (char c : values[i]) {
      if (c == '"' || c == '\\') p.owned += '\\';
      p.owned += c;
    }
    p.owned += '"';
  }
  p.owned += '}';
  p.use_owned = true;
  return *this;
}

// ---- Rows --------------------------------------------------------------------------------------

Rows::~Rows() {
  if (result_ != nullptr) PQclear(result_);
}

Rows::Rows(Rows&& other) noexcept : result_(std::exchange(other.result_, nullptr)) {}

Rows& Rows::operator=(Rows&& other) noexcept {
  if (this != &other) {
    if (result_ != nullptr) PQclear(result_);
    result_ = std::exchange(other.result_, nullptr);
  }
  return *this;
}

int Rows::size() const { return result_ == nullptr ? 0 : PQntuples(result_); }

int64_t Rows::affected() const {
  if (result_ == nullptr) return 0;
  const char* tuples = PQcmdTuples(result_);
  if (tuples == nullptr || *tuples == '\0') return 0;
  return std::strtoll(tuples, nullptr, 10);
}

bool Rows::IsNull(int row, int col) const {
  return result_ == nullptr || PQgetisnull(result_, row, col) != 0;
}

int64_t Rows::Int64(int row, int col) const {
  if (IsNull(row, col)) return 0;
  int length = PQgetlength(result_, row, col);
  if (length != 2 && length != 4 && length != 8) return 0;
  return DecodeBigEndian(PQgetvalue(result_, row, col), length);
}

std::optional<int64_t> Rows::OptionalInt64(int row, int col) const {
  if (IsNull(row, col)) return std::nullopt;
  return Int64(row, col);
}

bool Rows::Bool(int row, int col) const {
  if (IsNull(row, col) || PQgetlength(result_, row, col) != 1) return false;
  return PQgetvalue(result_, row, col)[0] != 0;
}

std::string Rows::Bytes(int row, int col) const {
  if (IsNull(row, col)) return {};
  return std::string(PQgetvalue(result_, row, col),
                     static_cast<size_t>(PQgetlength(result_, row, col)));
}

// ---- Connection --------------------------------------------------------------------------------

Result<std::unique_ptr<Connection>> Connection::Open(const ConnectionSettings& settings) {
  const int connect_timeout_s = std::max(1, settings.connect_timeout_s);
  const std::string connect_timeout = std::to_string(connect_timeout_s);
  // Defaults first (the URL may override them), then the URL, then what the store relies on.
  const char* keywords[] = {"fallback_application_name", "keepalives",       "keepalives_idle",
                            "keepalives_interval",       "keepalives_count", "dbname",
                            "connect_timeout",           "client_encoding",  nullptr};
  const char* values[] = {
      "voxsecrets", "1",    "30", "10", "3", settings.url.c_str(), connect_timeout.c_str(),
      "UTF8",       nullptr};
  PGconn* raw = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (raw == nullptr) {
    return StoreError(StatusCode::kUnavailable, "postgresql: connect: out of memory");
  }
  if (PQstatus(raw) != CONNECTION_OK) {
    Status error = PgError(kConnectionFailure, FirstLine(PQerrorMessage(raw)), "connect");
    PQfinish(raw);
    return error;
  }
  if (PQserverVersion(raw) < kMinServerVersion) {
    PQfinish(raw);
    return StoreError(StatusCode::kInternal, "postgresql: the server is older than PostgreSQL 10");
  }
  // Server notices and warnings are not errors; libpq would print them on stderr.
  PQsetNoticeProcessor(
      raw, [](void*, const char*) {}, nullptr);
  if (PQsetnonblocking(raw, 1) != 0) {
    Status error = PgError(kConnectionFailure, FirstLine(PQerrorMessage(raw)), "connect");
    PQfinish(raw);
    return error;
  }
  const int statement_timeout_ms = std::max(0, settings.statement_timeout_ms);
  const int answer_timeout_ms =
      statement_timeout_ms == 0 ? 0
                                : statement_timeout_ms + std::max(1000, connect_timeout_s * 1000);
  std::unique_ptr<Connection> conn(new Connection(raw, answer_timeout_ms));
  VS_RETURN_IF_ERROR(conn->Exec("SET statement_timeout = " + std::to_string(statement_timeout_ms),
                                "set statement_timeout"));
  return conn;
}

Connection::~Connection() { PQfinish(conn_); }

bool Connection::broken() const { return broken_ || PQstatus(conn_) != CONNECTION_OK; }

bool Connection::InTransaction() const {
  if (commit_pending_) return false;
  PGTransactionStatusType status = PQtransactionStatus(conn_);
  return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE;
}

bool Connection::InFailedTransaction() const {
  return !commit_pending_ && PQtransactionStatus(conn_) == PQTRANS_INERROR;
}

void Connection::ClearErrors() {
  first_error_ = Status::Ok();
  first_error_sqlstate_.clear();
  lost_before_transaction_ = false;
  alone_ = false;
  refused_ = false;
  commit_with_next_ = false;
  commit_sent_ = false;
}

Status Connection::AfterCommit(std::string_view what) const {
  return StoreError(StatusCode::kInternal,
                    "postgresql: " + std::string(what) +
                        ": refused after the statement that ended the transaction");
}

void Connection::Ahead(std::initializer_list<std::string_view> statements) {
  ahead_.assign(statements.begin(), statements.end());
}

Status Connection::CommitLater() {
  if (alone_) return Refuse("commit");
  if (commit_sent_) return AfterCommit("commit");
  if (broken_)
    return StoreError(StatusCode::kUnavailable, "postgresql: commit: connection is broken");
  VS_RETURN_IF_ERROR(FinishCommitLater());
  if (PQenterPipelineMode(conn_) != 1 ||
      PQsendQueryParams(conn_, "COMMIT", 0, nullptr, nullptr, nullptr, nullptr, 1) == 0 ||
      PQpipelineSync(conn_) != 1) {
    return SessionError("commit");
  }
  commit_pending_ = true;
  // Push it out now (a COMMIT is a few bytes: the socket takes it at once).
  while (true) {
    const int flushed = PQflush(conn_);
    if (flushed == 0) break;
    if (flushed < 0) return SessionError("commit");
    VS_RETURN_IF_ERROR(WaitForAnswer("commit"));
  }
  return Status::Ok();
}

Status Connection::FinishCommitLater() {
  if (!commit_pending_) return Status::Ok();
  commit_pending_ = false;
  Status failed;
  while (true) {
    Status waited = WaitForAnswer("commit");
    if (!waited.ok()) {
      lost_before_transaction_ = true;
      return waited;
    }
    PGresult* result = PQgetResult(conn_);
    if (result == nullptr) continue;  // the end of COMMIT's results
    const ExecStatusType status = PQresultStatus(result);
    PQclear(result);
    if (status == PGRES_PIPELINE_SYNC) break;
    if (status != PGRES_COMMAND_OK && failed.ok()) failed = SessionError("commit");
  }
  if (PQexitPipelineMode(conn_) != 1) {
    lost_before_transaction_ = true;
    return SessionError("commit");
  }
  if (!failed.ok() || PQstatus(conn_) != CONNECTION_OK) {
    lost_before_transaction_ = true;
    return failed.ok() ? SessionError("commit") : failed;
  }
  return Status::Ok();
}

Status Connection::Record(Status status, std::string_view sqlstate) {
  if (IsConnectionLostSqlState(sqlstate)) broken_ = true;
  if (first_error_.ok()) {
    first_error_ = status;
    first_error_sqlstate_ = std::string(sqlstate);
  }
  return status;
}

Status Connection::SessionError(std::string_view what) {
  broken_ = broken_ || PQstatus(conn_) != CONNECTION_OK;
  std::string_view sqlstate = broken_ ? kConnectionFailure : std::string_view();
  return Record(PgError(sqlstate, FirstLine(PQerrorMessage(conn_)), what), sqlstate);
}

Status Connection::WaitForAnswer(std::string_view what) {
  std::optional<Clock::time_point> deadline;
  if (answer_timeout_ms_ > 0) {
    deadline = Clock::now() + std::chrono::milliseconds(answer_timeout_ms_);
  }
  const int fd = PQsocket(conn_);
  if (fd < 0) return SessionError(what);
  auto timed_out = [&] {
    broken_ = true;  // the session is in an unknown state: never reuse it
    return Record(
        StoreError(StatusCode::kUnavailable, "postgresql: " + std::string(what) +
                                                 ": no answer from the server within " +
                                                 std::to_string(answer_timeout_ms_) + " ms"),
        kConnectionFailure);
  };
  // Push out what libpq still buffers (non-blocking mode), reading meanwhile so that the server
  // is never stuck writing to us.
  while (true) {
    int flushed = PQflush(conn_);
    if (flushed == 0) break;
    if (flushed < 0) return SessionError(what);
    if (!WaitSocket(fd, POLLIN | POLLOUT, deadline)) return timed_out();
    if (PQconsumeInput(conn_) == 0) return SessionError(what);
  }
  while (PQisBusy(conn_) != 0) {
    if (!WaitSocket(fd, POLLIN, deadline)) return timed_out();
    if (PQconsumeInput(conn_) == 0) return SessionError(what);
  }
  return Status::Ok();
}

Result<Rows> Connection::CollectResults(std::string_view what) {
  Rows last;
  Status error;
  std::string error_sqlstate;
  while (true) {
    Status waited = WaitForAnswer(what);
    if (!waited.ok()) return waited;
    PGresult* result = PQgetResult(conn_);
    if (result == nullptr) break;
    ExecStatusType status = PQresultStatus(result);
    if (status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE ||
        status == PGRES_NONFATAL_ERROR) {
      if (error.ok()) error = ResultError(result, what, &error_sqlstate);
      PQclear(result);
      continue;
    }
    if (status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH) {
      PQclear(result);
      broken_ = true;  // never used by voxsecrets; do not try to get out of COPY mode
      return Record(StoreError(StatusCode::kInternal,
                               "postgresql: " + std::string(what) + ": unexpected COPY"),
                    kConnectionFailure);
    }
    last = Rows(result);
  }
  if (!error.ok()) return Record(error, error_sqlstate);
  if (PQstatus(conn_) != CONNECTION_OK) return SessionError(what);
  return last;
}

Status Connection::Exec(std::string_view sql, std::string_view what) {
  if (alone_) return Refuse(what);
  if (commit_sent_) return AfterCommit(what);
  if (broken_)
    return StoreError(StatusCode::kUnavailable,
                      "postgresql: " + std::string(what) + ": connection is broken");
  VS_RETURN_IF_ERROR(FinishCommitLater());
  // The simple protocol takes several statements at once: the ones of Ahead go in front.
  std::string text;
  for (std::string_view statement : ahead_) {
    text += statement;
    text += "; ";
  }
  const bool had_ahead = !ahead_.empty();
  ahead_.clear();
  text += sql;
  if (PQsendQuery(conn_, text.c_str()) == 0) {
    lost_before_transaction_ = had_ahead;
    return SessionError(what);
  }
  Status status = CollectResults(what).status();
  if (!status.ok() && had_ahead && broken()) lost_before_transaction_ = true;
  return status;
}

Result<std::string> Connection::PreparedName(std::string_view sql, const Params& params) {
  std::string key(sql);
  key += '\0';
  for (const Params::Param& p : params.params_) {
    key += std::to_string(static_cast<uint32_t>(p.type));
    key += ',';
  }
  auto it = prepared_.find(key);
  if (it != prepared_.end()) return it->second;

  std::string name = "vs" + std::to_string(prepared_.size() + 1);
  std::vector<Oid> types;
  types.reserve(params.params_.size());
  for (const Params::Param& p : params.params_) types.push_back(static_cast<Oid>(p.type));
  const std::string text(sql);
  if (PQsendPrepare(conn_, name.c_str(), text.c_str(), static_cast<int>(types.size()),
                    types.data()) == 0) {
    return SessionError("prepare");
  }
  VS_RETURN_IF_ERROR(CollectResults("prepare").status());
  prepared_.emplace(std::move(key), name);
  return name;
}

Status Connection::Refuse(std::string_view what) {
  refused_ = true;
  return StoreError(StatusCode::kInternal,
                    "postgresql: " + std::string(what) +
                        ": refused after a statement run alone (it needs a transaction)");
}

Result<Rows> Connection::QueryAlone(std::string_view sql, const Params& params) {
  if (alone_) return Refuse("query");
  ahead_.clear();
  Result<Rows> rows = Query(sql, params);
  alone_ = true;
  if (!rows.ok() && PQstatus(conn_) != CONNECTION_OK) lost_before_transaction_ = true;
  return rows;
}

Result<Rows> Connection::Query(std::string_view sql, const Params& params) {
  if (alone_) return Refuse("query");
  if (commit_sent_) return AfterCommit("query");
  if (broken_)
    return StoreError(StatusCode::kUnavailable, "postgresql: query: connection is broken");
  VS_RETURN_IF_ERROR(FinishCommitLater());
  Result<std::string> name = PreparedName(sql, params);
  if (!name.ok()) {
    // Preparing is not part of the transaction: with BEGIN still ahead, nothing of it was sent.
    if (!ahead_.empty() && broken()) lost_before_transaction_ = true;
    return name.status();
  }
  if (commit_with_next_) {
    commit_with_next_ = false;
    commit_sent_ = true;  // from here on the outcome of the transaction may be decided
    return QueryPipelined(*name, params, /*commit=*/true);
  }
  if (!ahead_.empty()) return QueryPipelined(*name, params, /*commit=*/false);
  if (!SendPrepared(*name, params)) return SessionError("query");
  return CollectResults("query");
}

Result<Rows> Connection::QueryPipelined(const std::string& name, const Params& params,
                                        bool commit) {
  const std::vector<std::string_view> ahead = std::move(ahead_);
  ahead_.clear();
  const auto lost = [&] {
    lost_before_transaction_ = true;
    return SessionError("query");
  };
  if (PQenterPipelineMode(conn_) != 1) return lost();
  for (std::string_view statement : ahead) {
    const std::string text(statement);
    if (PQsendQueryParams(conn_, text.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 1) == 0) {
      return lost();
    }
  }
  if (!SendPrepared(name, params) ||
      (commit &&
       PQsendQueryParams(conn_, "COMMIT", 0, nullptr, nullptr, nullptr, nullptr, 1) == 0) ||
      PQpipelineSync(conn_) != 1) {
    return lost();
  }
  // Each command's results end with a null result; the pipeline with PGRES_PIPELINE_SYNC.
  Rows last;
  Status error;
  std::string error_sqlstate;
  size_t command = 0;
  while (true) {
    Status waited = WaitForAnswer("query");
    if (!waited.ok()) {
      if (command < ahead.size()) lost_before_transaction_ = true;
      return waited;
    }
    PGresult* result = PQgetResult(conn_);
    if (result == nullptr) {
      ++command;
      continue;
    }
    const ExecStatusType status = PQresultStatus(result);
    if (status == PGRES_PIPELINE_SYNC) {
      PQclear(result);
      break;
    }
    if (status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE ||
        status == PGRES_NONFATAL_ERROR) {
      if (error.ok()) {
        error = ResultError(result, "query", &error_sqlstate);
        if (command < ahead.size() && IsConnectionLostSqlState(error_sqlstate)) {
          lost_before_transaction_ = true;
        }
      }
      PQclear(result);
      continue;
    }
    if (status == PGRES_PIPELINE_ABORTED || command != ahead.size()) {
      PQclear(result);  // skipped after an error, a statement of Ahead, or the COMMIT
      continue;
    }
    last = Rows(result);
  }
  if (PQexitPipelineMode(conn_) != 1) return lost();
  if (!error.ok()) return Record(error, error_sqlstate);
  if (PQstatus(conn_) != CONNECTION_OK) return SessionError("query");
  return last;
}

Status Connection::ResultError(pg_result* result, std::string_view what,
                               std::string* sqlstate) const {
  const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
  *sqlstate = state != nullptr ? state : "";
  if (sqlstate->empty() && PQstatus(conn_) != CONNECTION_OK) {
    *sqlstate = std::string(kConnectionFailure);
  }
  return PgError(*sqlstate,
                 primary != nullptr ? FirstLine(primary) : FirstLine(PQresultErrorMessage(result)),
                 what);
}

bool Connection::SendPrepared(const std::string& name, const Params& params) {
  const size_t n = params.params_.size();
  std::vector<const char*> values(n);
  std::vector<int> lengths(n);
  std::vector<int> formats(n);
  for (size_t i = 0; i < n; ++i) {
    const Params::Param& p = params.params_[i];
    formats[i] = p.binary ? 1 : 0;
    if (p.is_null) {
      values[i] = nullptr;
      continue;
    }
    std::string_view data = p.use_owned ? std::string_view(p.owned) : p.view;
    // A non-null pointer even for an empty value: NULL would mean SQL NULL.
    values[i] = data.data() != nullptr ? data.data() : "";
    lengths[i] = static_cast<int>(data.size());
  }
  return PQsendQueryPrepared(conn_, name.c_str(), static_cast<int>(n), values.data(),
                             lengths.data(), formats.data(), /*resultFormat=*/1) != 0;
}

}  // namespace voxsecrets::store::pg
