// SqliteAuditRepository.
//
// List filters of Query are bound as JSON arrays and expanded with json_each(), so one cached
// statement serves every combination of filters (no SQL is built from request data).
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common/encoding.h"
#include "common/log.h"
#include "store/audit_hash_bytes.h"
#include "store/sqlite/sqlite_repositories.h"
#include "store/store_error.h"

namespace voxsecrets::store::sqlite {
namespace {

#define VS_CHAIN_COLUMNS \
  "chain_id, created_ms, label, head_seq, head_hash, pruned_seq, pruned_hash, pruned_at_ms"
#define VS_AUDIT_STORED_COLUMNS                                                             \
  "id, chain_id, seq, time_ms, account_id, key_id, credential, ip, method, args, touched, " \
  "result_code, hash"
// What a read returns: the stored columns of `a` (audit_log AS a), its hash (32 bytes stored)
// as hex, and prev_hash, which is not stored but derived (schema version 6): the hash of the
// record before it in its chain, else the chain's checkpoint hash when the record follows the
// checkpoint (the genesis hash for seq 1 of an unpruned chain), else '' (the record before it
// is missing: `audit verify` names that).
#define VS_AUDIT_COLUMNS                                                                       \
  "a.id, a.chain_id, a.seq, a.time_ms, a.account_id, a.key_id, a.credential, a.ip, a.method, " \
  "a.args, a.touched, a.result_code, coalesce((SELECT lower(hex(p.hash)) FROM audit_log p "    \
  "WHERE p.chain_id = a.chain_id AND p.seq = a.seq - 1), (SELECT c.pruned_hash FROM "          \
  "audit_chains c WHERE c.chain_id = a.chain_id AND c.pruned_seq = a.seq - 1), ''), "          \
  "lower(hex(a.hash))"

// The caller holds the write lock (BEGIN IMMEDIATE), so max + 1 cannot race.
constexpr std::string_view kInsertChain =
    "INSERT INTO audit_chains (" VS_CHAIN_COLUMNS
    ") VALUES ((SELECT coalesce(max(chain_id), 0) + 1 FROM audit_chains), ?1, ?2, ?3, ?4, ?5, ?6, "
    "?7) RETURNING chain_id";
constexpr std::string_view kChainById =
    "SELECT " VS_CHAIN_COLUMNS " FROM audit_chains WHERE chain_id = ?1";
constexpr std::string_view kListChains =
    "SELECT " VS_CHAIN_COLUMNS " FROM audit_chains ORDER BY chain_id";
constexpr std::string_view kSetChainHead =
    "UPDATE audit_chains SET head_seq = ?2, head_hash = ?3 WHERE chain_id = ?1";
constexpr std::string_view kSetChainPruned =
    "UPDATE audit_chains SET pruned_seq = ?2, pruned_hash = ?3, pruned_at_ms = ?4 "
    "WHERE chain_id = ?1";
// AUTOINCREMENT remembers the highest id ever used in sqlite_sequence (explicit ids included).
constexpr std::string_view kNextId =
    "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'), 0), "
    "coalesce((SELECT max(id) FROM audit_log), 0)) + 1";
constexpr std::string_view kInsertRecordsHead =
    "INSERT INTO audit_log (" VS_AUDIT_STORED_COLUMNS ") VALUES ";
constexpr int kInsertColumns = 13;
constexpr std::string_view kListAfter =
    "SELECT " VS_AUDIT_COLUMNS " FROM audit_log a WHERE a.id > ?1 ORDER BY a.id LIMIT ?2";
constexpr std::string_view kListChainAfter = "SELECT " VS_AUDIT_COLUMNS
                                             " FROM audit_log a WHERE a.chain_id = ?1 AND "
                                             "a.seq > ?2 ORDER BY a.seq LIMIT ?3";
constexpr std::string_view kDeleteChainThrough =
    "DELETE FROM audit_log WHERE chain_id = ?1 AND seq <= ?2";

#define VS_AUDIT_WHERE                                                                       \
  "WHERE (?1 IS NULL OR time_ms >= ?1) AND (?2 IS NULL OR time_ms < ?2) "                    \
  "AND (?3 IS NULL OR id IN (SELECT value FROM json_each(?3))) "                             \
  "AND (?4 IS NULL OR ip IN (SELECT value FROM json_each(?4))) "                             \
  "AND (?5 IS NULL OR method IN (SELECT value FROM json_each(?5))) "                         \
  "AND (?6 IS NULL OR account_id IN (SELECT value FROM json_each(?6))) "                     \
  "AND (?7 IS NULL OR (EXISTS (SELECT 1 FROM json_each(touched, '$.application_ids') t "     \
  "WHERE t.value IN (SELECT value FROM json_each(?7))) AND (?8 = 0 OR NOT EXISTS (SELECT 1 " \
  "FROM json_each(touched, '$.application_ids') t WHERE t.value NOT IN (SELECT value FROM "  \
  "json_each(?7)))))) "
constexpr std::string_view kQueryAsc =
    "SELECT " VS_AUDIT_COLUMNS " FROM audit_log a " VS_AUDIT_WHERE
    "ORDER BY id LIMIT ?9 OFFSET ?10";
constexpr std::string_view kQueryDesc =
    "SELECT " VS_AUDIT_COLUMNS " FROM audit_log a " VS_AUDIT_WHERE
    "ORDER BY id DESC LIMIT ?9 OFFSET ?10";
constexpr std::string_view kQueryCount = "SELECT count(*) FROM audit_log " VS_AUDIT_WHERE;

#undef VS_AUDIT_WHERE
#undef VS_AUDIT_COLUMNS
#undef VS_AUDIT_STORED_COLUMNS
#undef VS_CHAIN_COLUMNS

AuditChainRecord ReadChain(const Statement& stmt) {
  AuditChainRecord chain;
  chain.chain_id = stmt.ColumnInt64(0);
  chain.created_ms = stmt.ColumnInt64(1);
  chain.label = stmt.ColumnText(2);
  chain.head_seq = stmt.ColumnInt64(3);
  chain.head_hash = stmt.ColumnText(4);
  chain.pruned_seq = stmt.ColumnInt64(5);
  chain.pruned_hash = stmt.ColumnText(6);
  chain.pruned_at_ms = stmt.ColumnInt64(7);
  return chain;
}

AuditRecord ReadRecord(const Statement& stmt) {
  AuditRecord record;
  record.id = stmt.ColumnInt64(0);
  record.chain_id = stmt.ColumnInt64(1);
  record.seq = stmt.ColumnInt64(2);
  record.time_ms = stmt.ColumnInt64(3);
  record.account_id = stmt.ColumnOptionalInt64(4);
  record.key_id = stmt.ColumnText(5);
  record.credential = stmt.ColumnText(6);
  record.ip = stmt.ColumnText(7);
  record.method = stmt.ColumnText(8);
  record.args_json = stmt.ColumnText(9);
  record.touched_json = stmt.ColumnText(10);
  record.result_code = stmt.ColumnInt64(11);
  record.prev_hash = stmt.ColumnText(12);
  record.hash = stmt.ColumnText(13);
  return record;
}

Result<std::vector<AuditRecord>> ReadRecords(StatementLease& stmt) {
  std::vector<AuditRecord> records;
  while (true) {
    VS_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    records.push_back(ReadRecord(*stmt));
  }
  return records;
}

// InsertMany stores a batch with statements of kInsertChunks[i] rows each (largest first): one
// statement per chunk instead of one per record, so SQLite opens the table's and the indexes'
// cursors and reads and writes AUTOINCREMENT's sqlite_sequence row once per chunk. Power-of-two
// sizes keep the number of cached statements small (one per size).
constexpr int kInsertChunks[] = {32, 16, 8, 4, 2, 1};

// The INSERT of kInsertChunks[chunk] rows: "INSERT ... VALUES (?1, ..., ?13), (?14, ...)".
const std::string& InsertRecordsSql(size_t chunk) {
  static const std::vector<std::string> kSql = [] {
    std::vector<std::string> all;
    for (int rows : kInsertChunks) {
      std::string sql(kInsertRecordsHead);
      for (int row = 0; row < rows; ++row) {
        sql += row == 0 ? "(" : ", (";
        for (int column = 1; column <= kInsertColumns; ++column) {
          if (column > 1) sql += ", ";
          sql += '?';
          sql += std::to_string(row * kInsertColumns + column);
        }
        sql += ')';
      }
      all.push_back(std::move(sql));
    }
    return all;
  }();
  return kSql[chunk];
}

// Binds `record` as the row whose first parameter is ?first+1; `hash` is its decoded hash.
// Text and blob are bound without a copy: `record` and `hash` outlive the statement's lease
// (InsertMany), whose release clears the bindings.
void BindRecord(Statement& stmt, int first, const AuditRecord& record, const AuditHashBytes& hash) {
  stmt.BindInt64(first + 1, record.id);
  stmt.BindInt64(first + 2, record.chain_id);
  stmt.BindInt64(first + 3, record.seq);
  stmt.BindInt64(first + 4, record.time_ms);
  stmt.BindOptionalInt64(first + 5, record.account_id);
  stmt.BindTextUnowned(first + 6, record.key_id);
  stmt.BindTextUnowned(first + 7, record.credential);
  stmt.BindTextUnowned(first + 8, record.ip);
  stmt.BindTextUnowned(first + 9, record.method);
  stmt.BindTextUnowned(first + 10, record.args_json);
  stmt.BindTextUnowned(first + 11, record.touched_json);
  stmt.BindInt64(first + 12, record.result_code);
  // prev_hash is not stored (derived on read); the hash is stored as its 32 bytes.
  stmt.BindBlobUnowned(first + 13,
                       std::string_view(reinterpret_cast<const char*>(hash.data()), hash.size()));
}

std::string JsonIntArray(const std::vector<int64_t>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(values[i]);
  }
  out += ']';
  return out;
}

std::string JsonTextArray(const std::vector<std::string>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonString(out, values[i]);
  }
  out += ']';
  return out;
}

// Binds ?1..?8 of the Query statements.
void BindFilters(Statement& stmt, const AuditQuery& query) {
  stmt.BindOptionalInt64(1, query.from_ms);
  stmt.BindOptionalInt64(2, query.to_ms);
  if (query.ids.has_value()) {
    stmt.BindText(3, JsonIntArray(*query.ids));
  } else {
    stmt.BindNull(3);
  }
  if (query.ips.has_value()) {
    stmt.BindText(4, JsonTextArray(*query.ips));
  } else {
    stmt.BindNull(4);
  }
  if (query.methods.has_value()) {
    stmt.BindText(5, JsonTextArray(*query.methods));
  } else {
    stmt.BindNull(5);
  }
  if (query.account_ids.has_value()) {
    stmt.BindText(6, JsonIntArray(*query.account_ids));
  } else {
    stmt.BindNull(6);
  }
  if (query.application_ids.has_value()) {
    stmt.BindText(7, JsonIntArray(*query.application_ids));
  } else {
    stmt.BindNull(7);
  }
  stmt.BindInt64(8, query.only_these_applications ? 1 : 0);
}

}  // namespace

Result<int64_t> SqliteAuditRepository::InsertChain(const AuditChainRecord& chain) {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kInsertChain));
  stmt->BindInt64(1, chain.created_ms);
  stmt->BindText(2, chain.label);
  stmt->BindInt64(3, chain.head_seq);
  stmt->BindText(4, chain.head_hash);
  stmt->BindInt64(5, chain.pruned_seq);
  stmt->BindText(6, chain.pruned_hash);
  stmt->BindInt64(7, chain.pruned_at_ms);
  VS_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) {
    return StoreError(StatusCode::kInternal, "sqlite: INSERT ... RETURNING gave no chain id");
  }
  const int64_t chain_id = stmt->ColumnInt64(0);
  VS_RETURN_IF_ERROR(stmt->Run());  // finish the statement
  return chain_id;
}

Result<std::optional<AuditChainRecord>> SqliteAuditRepository::LockChain(int64_t chain_id) {
  // The write transaction already holds SQLite's write lock (BEGIN IMMEDIATE): nothing to lock.
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kChainById));
  stmt->BindInt64(1, chain_id);
  VS_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return std::optional<AuditChainRecord>();
  return std::optional<AuditChainRecord>(ReadChain(*stmt));
}

Result<std::vector<AuditChainRecord>> SqliteAuditRepository::ListChains() {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kListChains));
  std::vector<AuditChainRecord> chains;
  while (true) {
    VS_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    chains.push_back(ReadChain(*stmt));
  }
  return chains;
}

Status SqliteAuditRepository::SetChainHead(int64_t chain_id, int64_t head_seq,
                                           std::string_view head_hash) {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kSetChainHead));
  stmt->BindInt64(1, chain_id);
  stmt->BindInt64(2, head_seq);
  stmt->BindText(3, head_hash);
  VS_RETURN_IF_ERROR(stmt->Run());
  if (conn_.Changes() == 0) return StoreError(StatusCode::kNotFound, "audit chain not found");
  return Status::Ok();
}

Status SqliteAuditRepository::SetChainPruned(int64_t chain_id, int64_t pruned_seq,
                                             std::string_view pruned_hash, int64_t pruned_at_ms) {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kSetChainPruned));
  stmt->BindInt64(1, chain_id);
  stmt->BindInt64(2, pruned_seq);
  stmt->BindText(3, pruned_hash);
  stmt->BindInt64(4, pruned_at_ms);
  VS_RETURN_IF_ERROR(stmt->Run());
  if (conn_.Changes() == 0) return StoreError(StatusCode::kNotFound, "audit chain not found");
  return Status::Ok();
}

Result<int64_t> SqliteAuditRepository::NextId() {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kNextId));
  VS_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return StoreError(StatusCode::kInternal, "sqlite: next audit id query gave no row");
  return stmt->ColumnInt64(0);
}

// The caller holds the write lock: nobody else takes ids before these records are stored.
Result<std::vector<int64_t>> SqliteAuditRepository::NextIds(int64_t n) {
  if (n < 1) return StoreError(StatusCode::kInternal, "sqlite: NextIds needs n >= 1");
  VS_ASSIGN_OR_RETURN(int64_t first, NextId());
  std::vector<int64_t> ids(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) ids[static_cast<size_t>(i)] = first + i;
  return ids;
}

Status SqliteAuditRepository::Insert(const AuditRecord& record) {
  return InsertMany(std::span<const AuditRecord>(&record, 1));
}

Status SqliteAuditRepository::InsertMany(std::span<const AuditRecord> records) {
  // Every hash is checked before anything is stored.
  std::vector<AuditHashBytes> hashes;
  hashes.reserve(records.size());
  for (const AuditRecord& record : records) {
    VS_ASSIGN_OR_RETURN(AuditHashBytes hash, DecodeAuditHash(record.hash));
    hashes.push_back(hash);
  }
  size_t done = 0;
  for (size_t chunk = 0; done < records.size();) {
    const auto rows = static_cast<size_t>(kInsertChunks[chunk]);
    if (records.size() - done < rows) {
      ++chunk;
      continue;
    }
    VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(InsertRecordsSql(chunk)));
    for (size_t row = 0; row < rows; ++row) {
      BindRecord(*stmt, static_cast<int>(row) * kInsertColumns, records[done + row],
                 hashes[done + row]);
    }
    VS_RETURN_IF_ERROR(stmt->Run());
    done += rows;
  }
  return Status::Ok();
}

Result<std::vector<AuditRecord>> SqliteAuditRepository::ListAfter(int64_t after_id, int64_t limit) {
  VS_RETURN_IF_ERROR(CheckPaging(limit, 0));
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kListAfter));
  stmt->BindInt64(1, after_id);
  stmt->BindInt64(2, limit);
  return ReadRecords(stmt);
}

Result<std::vector<AuditRecord>> SqliteAuditRepository::ListChainAfter(int64_t chain_id,
                                                                       int64_t after_seq,
                                                                       int64_t limit) {
  VS_RETURN_IF_ERROR(CheckPaging(limit, 0));
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kListChainAfter));
  stmt->BindInt64(1, chain_id);
  stmt->BindInt64(2, after_seq);
  stmt->BindInt64(3, limit);
  return ReadRecords(stmt);
}

Result<int64_t> SqliteAuditRepository::DeleteChainThrough(int64_t chain_id, int64_t up_to_seq) {
  VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kDeleteChainThrough));
  stmt->BindInt64(1, chain_id);
  stmt->BindInt64(2, up_to_seq);
  VS_RETURN_IF_ERROR(stmt->Run());
  return conn_.Changes();
}

Result<Page<AuditRecord>> SqliteAuditRepository::Query(const AuditQuery& query) {
  VS_RETURN_IF_ERROR(CheckPaging(query.count, query.offset));
  Page<AuditRecord> page;
  {
    VS_ASSIGN_OR_RETURN(StatementLease stmt,
                        conn_.Prepare(query.descending ? kQueryDesc : kQueryAsc));
    BindFilters(*stmt, query);
    stmt->BindInt64(9, query.count);
    stmt->BindInt64(10, query.offset);
    VS_ASSIGN_OR_RETURN(page.items, ReadRecords(stmt));
  }
  page.total_count = -1;
  if (query.with_total_count) {
    VS_ASSIGN_OR_RETURN(StatementLease stmt, conn_.Prepare(kQueryCount));
    BindFilters(*stmt, query);
    VS_ASSIGN_OR_RETURN(bool row, stmt->Step());
    page.total_count = row ? stmt->ColumnInt64(0) : 0;
  }
  return page;
}

}  // namespace voxsecrets::store::sqlite
