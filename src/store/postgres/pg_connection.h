// Connection: one libpq session with its cache of prepared statements, plus Params (the values
// of one statement) and Rows (its result).
//
// Every call waits for the server with a client-side deadline (the statement timeout plus a grace
// period, see ConnectionSettings), so a server that stops answering — crashed host, network
// partition, a stopped process — yields kUnavailable instead of a hang; the server side runs with
// `statement_timeout` set at connect. A connection that lost its session or missed a deadline is
// marked broken() and must be dropped (ConnectionPool does).
//
// Statements go through the extended protocol: prepared once per connection and SQL text (with
// the parameter types of the first use), then executed with binary parameters (bytea travels as
// raw bytes, text with its exact length so a NUL byte is an error rather than a truncation) and
// binary results. Exec() uses the simple protocol for parameterless SQL (BEGIN, migrations).
//
// The first error since the last ClearErrors() is remembered (first_error(),
// first_error_sqlstate()): after a failed statement PostgreSQL aborts the transaction, and the
// store decides from that first error whether to retry, whatever the callback returned.
//
// Thread-safety: none; one thread at a time (the pool hands a connection to one transaction).
// Ownership: Open() returns the only owner; Rows own their result and may outlive the call that
// made them (not the Connection's prepared statements, which they do not reference).
#ifndef VOXSECRETS_STORE_POSTGRES_PG_CONNECTION_H_
#define VOXSECRETS_STORE_POSTGRES_PG_CONNECTION_H_

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"

struct pg_conn;
struct pg_result;

namespace voxsecrets::store::pg {

// The PostgreSQL types voxsecrets binds (their OIDs).
enum class PgType : uint32_t {
  kBool = 16,
  kBytea = 17,
  kInt8 = 20,
  kInt4 = 23,
  kText = 25,
  kTextArray = 1009,
  kInt8Array = 1016,
};

// The parameters $1, $2, ... of one statement, in order. Text and bytes are viewed, not copied:
// the viewed data must stay alive until the statement ran.
class Params {
 public:
  Params& Int64(int64_t value);
  Params& Bool(bool value);
  Params& Text(std::string_view value);
  Params& Bytes(std::string_view value);  // bytea; an empty value is empty, never NULL
  Params& Null(PgType type);
  Params& OptionalInt64(std::optional<int64_t> value);
  Params& OptionalText(std::optional<std::string_view> value);
  Params& OptionalText(const std::optional<std::string>& value);
  Params& Int64Array(std::span<const int64_t> values);
  Params& OptionalInt64Array(std::span<const std::optional<int64_t>> values);  // NULL elements
  Params& TextArray(std::span<const std::string> values);  // REQUIRES: no NUL in the values

  size_t size() const { return params_.size(); }

 private:
  friend class Connection;
  struct Param {
    PgType type = PgType::kText;
    bool is_null = false;
    bool binary = true;
    std::string owned;      // encoded value when owned (numbers, arrays)
    std::string_view view;  // the value when viewed (text, bytes)
    bool use_owned = false;
  };
  std::vector<Param> params_;
};

// The result of one statement, in binary format.
class Rows {
 public:
  Rows() = default;
  explicit Rows(pg_result* result) : result_(result) {}
  ~Rows();
  Rows(Rows&& other) noexcept;
  Rows& operator=(Rows&& other) noexcept;
  Rows(const Rows&) = delete;
  Rows& operator=(const Rows&) = delete;

  int size() const;
  // Rows changed by INSERT/UPDATE/DELETE (0 when not reported).
  int64_t affected() const;

  bool IsNull(int row, int col) const;
  // int2/int4/int8 columns; 0 for NULL.
  int64_t Int64(int row, int col) const;
  std::optional<int64_t> OptionalInt64(int row, int col) const;
  bool Bool(int row, int col) const;
  // text or bytea columns, byte-exact; empty for NULL.
  std::string Bytes(int row, int col) const;
  std::string Text(int row, int col) const { return Bytes(row, col); }

 private:
  pg_result* result_ = nullptr;
};

struct ConnectionSettings {
  // A libpq connection string or URI; empty = libpq defaults and PG* environment variables.
  std::string url;
  // Seconds to wait while connecting (values below 1 are treated as 1; libpq waits at least 2).
  int connect_timeout_s = 5;
  // Server-side statement_timeout in ms (0 = none). The client waits for any answer at most
  // this long plus max(1 s, connect_timeout_s) before it declares the connection broken; with 0
  // the client waits without a deadline.
  int statement_timeout_ms = 10000;
};

class Connection {
 public:
  // Connects, checks the server version (10 or newer) and applies the session settings.
  // kUnavailable when the server cannot be reached or refuses the connection.
  static Result<std::unique_ptr<Connection>> Open(const ConnectionSettings& settings);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs parameterless SQL (one or more statements) through the simple protocol; results are
  // discarded. `what` names the operation in error messages.
  Status Exec(std::string_view sql, std::string_view what);
  // Runs `sql` with `params` (prepared on first use on this connection).
  Result<Rows> Query(std::string_view sql, const Params& params);

  // Round trips saved (libpq pipeline mode):
  //  - Ahead(statements): parameterless statements (static text: BEGIN, LOCK TABLE) sent together
  //    with the next Exec or Query, in its round trip; their errors come first. DropAhead()
  //    forgets them when no statement followed.
  //  - CommitLater(): ends a READ ONLY transaction by sending COMMIT without waiting for the
  //    answer, which is read before the next statement on this connection (nothing can fail in
  //    such a commit but the session itself, which the next statement then finds lost).
  void Ahead(std::initializer_list<std::string_view> statements);
  bool has_ahead() const { return !ahead_.empty(); }
  void DropAhead() { ahead_.clear(); }
  Status CommitLater();
  // One statement outside any transaction block, for a read that may need nothing more:
  //  - QueryAlone(sql, params): runs `sql` on its own in autocommit (one statement is its own
  //    consistent snapshot), dropping the statements of Ahead (the BEGIN it then needs not).
  //    From then on until ClearErrors(), every Exec, Query, QueryAlone and CommitLater fails
  //    without sending anything and refused() turns true: whatever needs a further statement
  //    must be done again, from the start, in a transaction. A session found lost by the
  //    statement counts as lost_before_transaction() (a lone read changed nothing).
  //    REQUIRES: no transaction block open; `sql` only reads.
  Result<Rows> QueryAlone(std::string_view sql, const Params& params);
  bool refused() const { return refused_; }
  //  - CommitWithNext(): the next Query ends the open transaction: COMMIT is sent right after
  //    it, in the same round trip (skipped by the server if the statement failed, which leaves
  //    the transaction failed as usual). Query then returns the statement's rows, or the first
  //    error of the two; commit_sent() turns true, and until ClearErrors() every Exec, Query and
  //    CommitLater fails without sending anything. REQUIRES: a transaction block open (or BEGIN
  //    ahead).
  void CommitWithNext() { commit_with_next_ = true; }
  bool commit_sent() const { return commit_sent_; }

  // The session was found lost before any statement of the current transaction reached the
  // server (while sending the statements queued by Ahead, or reading the answer of an earlier
  // CommitLater): nothing of the transaction happened, so it may be run again on another one.
  bool lost_before_transaction() const { return lost_before_transaction_; }

  // The session is unusable (lost, terminated, or an answer missed its deadline).
  bool broken() const;
  // A transaction block is open (possibly failed). False once CommitLater sent its COMMIT.
  bool InTransaction() const;
  // The open transaction block failed: every statement but ROLLBACK will fail.
  bool InFailedTransaction() const;

  // The first error since ClearErrors() (OK when none) and its SQLSTATE (08006 for a lost
  // connection or a missed deadline; empty when none). ClearErrors() also ends what QueryAlone
  // started (refused() turns false, statements are sent again).
  const Status& first_error() const { return first_error_; }
  const std::string& first_error_sqlstate() const { return first_error_sqlstate_; }
  void ClearErrors();

 private:
  Connection(pg_conn* conn, int answer_timeout_ms)
      : conn_(conn), answer_timeout_ms_(answer_timeout_ms) {}

  // Waits until libpq can hand out the next result without blocking.
  Status WaitForAnswer(std::string_view what);
  // Collects every result of the statement just sent; returns the last non-error one, or the
  // first error.
  Result<Rows> CollectResults(std::string_view what);
  // Records and returns the error of a failed send or of a lost session.
  Status SessionError(std::string_view what);
  Status Record(Status status, std::string_view sqlstate);
  Result<std::string> PreparedName(std::string_view sql, const Params& params);
  // The failure of a statement that QueryAlone's statement forbids (refused() turns true).
  Status Refuse(std::string_view what);
  // Reads the answer of a COMMIT sent by CommitLater, if any.
  Status FinishCommitLater();
  // Query with the statements of Ahead in front and, with `commit`, COMMIT after it, in one
  // pipeline.
  Result<Rows> QueryPipelined(const std::string& name, const Params& params, bool commit);
  // The failure of a statement sent after CommitWithNext's COMMIT.
  Status AfterCommit(std::string_view what) const;
  // Sends prepared statement `name` with `params` (binary results); false when libpq refused.
  bool SendPrepared(const std::string& name, const Params& params);
  // The error a failed result carries; `sqlstate` receives its SQLSTATE (a lost session's when
  // the server sent none).
  Status ResultError(pg_result* result, std::string_view what, std::string* sqlstate) const;

  pg_conn* conn_;
  int answer_timeout_ms_;  // <= 0: no client-side deadline
  bool broken_ = false;
  std::vector<std::string_view> ahead_;
  bool commit_pending_ = false;  // a COMMIT of CommitLater awaits its answer
  bool lost_before_transaction_ = false;
  bool alone_ = false;    // QueryAlone ran since ClearErrors: no further statement may be sent
  bool refused_ = false;  // a statement was refused because of alone_
  bool commit_with_next_ = false;  // CommitWithNext: the next Query carries COMMIT
  bool commit_sent_ = false;       // that COMMIT went out: nothing more may be sent
  Status first_error_;
  std::string first_error_sqlstate_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL + type signature -> name
};

}  // namespace voxsecrets::store::pg

#endif  // VOXSECRETS_STORE_POSTGRES_PG_CONNECTION_H_
