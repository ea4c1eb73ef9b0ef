// PgAuditRepository.
//
// Ids: NextId takes the next value of the identity sequence audit_log_id_seq (nextval: never
// handed out twice, even to concurrent nodes, and never rolled back). Insert stores the id it is
// given and, should that id be above the sequence (a record not numbered by NextId), moves the
// sequence past it under an advisory lock, so NextId stays above every id ever stored. SQLite
// gets the same guarantee from AUTOINCREMENT's sqlite_sequence.
//
// Query filters bind lists as arrays (`= ANY ($n)`), so one prepared statement serves every
// combination of filters and no SQL is built from request data.
#include <algorithm>
#include <string>

#include "store/audit_hash_bytes.h"
#include "store/postgres/pg_repositories.h"
#include "store/store_error.h"

namespace voxsecrets::store::pg {
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
  "a.args, a.touched, a.result_code, coalesce((SELECT encode(p.hash, 'hex') FROM audit_log p " \
  "WHERE p.chain_id = a.chain_id AND p.seq = a.seq - 1), (SELECT c.pruned_hash FROM "          \
  "audit_chains c WHERE c.chain_id = a.chain_id AND c.pruned_seq = a.seq - 1), ''), "          \
  "encode(a.hash, 'hex')"

// Two nodes adding a chain at once read the same max: one commits, the other fails with a
// serialization failure (SERIALIZABLE) and is re-run by the store, then takes the next id.
constexpr std::string_view kInsertChain =
    "INSERT INTO audit_chains (" VS_CHAIN_COLUMNS
    ") VALUES ((SELECT coalesce(max(chain_id), 0) + 1 FROM audit_chains), $1, $2, $3, $4, $5, $6, "
    "$7) RETURNING chain_id";
constexpr std::string_view kLockChain =
    "SELECT " VS_CHAIN_COLUMNS " FROM audit_chains WHERE chain_id = $1 FOR UPDATE";
constexpr std::string_view kListChains =
    "SELECT " VS_CHAIN_COLUMNS " FROM audit_chains ORDER BY chain_id";
constexpr std::string_view kSetChainHead =
    "UPDATE audit_chains SET head_seq = $2, head_hash = $3 WHERE chain_id = $1";
constexpr std::string_view kSetChainPruned =
    "UPDATE audit_chains SET pruned_seq = $2, pruned_hash = $3, pruned_at_ms = $4 "
    "WHERE chain_id = $1";
constexpr std::string_view kNextId = "SELECT nextval('audit_log_id_seq')";
constexpr std::string_view kNextIds =
    "SELECT nextval('audit_log_id_seq') FROM generate_series(1, $1) ORDER BY 1";
// RETURNING tells whether the id is beyond what the sequence handed out.
constexpr std::string_view kInsertRecord =
    "INSERT INTO audit_log (" VS_AUDIT_STORED_COLUMNS
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, decode($13, 'hex')) "
    "RETURNING id > coalesce(pg_sequence_last_value('audit_log_id_seq'), 0)";
// The records' columns from the arrays $1..$13 (RecordColumns), for an INSERT's SELECT.
#define VS_AUDIT_UNNESTED_RECORDS                                                                 \
  "SELECT i, c, s, t, ac, k, cr, ip, m, ar, tc, rc, decode(h, 'hex') FROM unnest($1::int8[], "    \
  "$2::int8[], $3::int8[], $4::int8[], $5::int8[], $6::text[], $7::text[], $8::text[], "          \
  "$9::text[], $10::text[], $11::text[], $12::int8[], $13::text[]) AS u (i, c, s, t, ac, k, cr, " \
  "ip, m, ar, tc, rc, h)"
// Many records in one statement (AuditLog's batches): one array per column, unnested together.
constexpr std::string_view kInsertRecords =
    "INSERT INTO audit_log (" VS_AUDIT_STORED_COLUMNS ") " VS_AUDIT_UNNESTED_RECORDS
    " RETURNING id, id > "
    "coalesce(pg_sequence_last_value('audit_log_id_seq'), 0)";
// AuditLog's two statements per batch (AuditRepository::LockChainTakingIds and AppendToChain),
// each in place of two. The chain row is locked (the CTE, run first) before the ids are taken, so
// that within one chain ids grow with seq; one row per id. The ids come from unnest(array_fill())
// rather than generate_series($2): PostgreSQL estimates the rows of both from a constant, but
// would plan the generate_series form anew at every execution (its generic plan's estimate, 1000
// rows, never looks cheaper than the custom ones), this one once per session.
constexpr std::string_view kLockChainTakingIds =
    "WITH c AS (SELECT " VS_CHAIN_COLUMNS
    " FROM audit_chains WHERE chain_id = $1 FOR UPDATE) SELECT c.*, n.id FROM c, LATERAL (SELECT "
    "nextval('audit_log_id_seq') AS id FROM unnest(array_fill(0::int8, ARRAY[$2::int4]))) AS n "
    "ORDER BY n.id";
// The head moves and the records go in, or (no such chain) neither. Answers whether the head row
// was there. The catch-up of the sequence (see kLockSequence) is in the statement itself, so that
// it needs no further one (Tx::CommitWithNextStatement): when the highest id stored is above the
// sequence, the advisory lock is taken (the subquery in FROM, evaluated first) and the sequence
// moved past it; otherwise neither.
constexpr std::string_view kAppendToChain =
    "WITH head AS (UPDATE audit_chains SET head_seq = $15, head_hash = $16 WHERE chain_id = $14 "
    "RETURNING chain_id), ins AS (INSERT INTO audit_log (" VS_AUDIT_STORED_COLUMNS
    ") " VS_AUDIT_UNNESTED_RECORDS
    " WHERE EXISTS (SELECT FROM head) RETURNING id) SELECT (SELECT count(*) "
    "FROM head), (SELECT CASE WHEN m.id > coalesce(pg_sequence_last_value('audit_log_id_seq'), 0) "
    "THEN (SELECT setval('audit_log_id_seq', greatest(m.id, "
    "coalesce(pg_sequence_last_value('audit_log_id_seq'), 0))) FROM (SELECT "
    "pg_advisory_xact_lock(1987016820, 1)) AS l) ELSE 0 END FROM (SELECT coalesce(max(id), 0) AS "
    "id FROM ins) AS m)";
// Serializes the rare catch-up below across sessions (classid 'voxt', objid 1).
constexpr std::string_view kLockSequence = "SELECT pg_advisory_xact_lock(1987016820, 1)";
constexpr std::string_view kAdvanceSequence =
    "SELECT setval('audit_log_id_seq', "
    "greatest($1, coalesce(pg_sequence_last_value('audit_log_id_seq'), 0)))";
constexpr std::string_view kListAfter =
    "SELECT " VS_AUDIT_COLUMNS " FROM audit_log a WHERE a.id > $1 ORDER BY a.id LIMIT $2";
constexpr std::string_view kListChainAfter = "SELECT " VS_AUDIT_COLUMNS
                                             " FROM audit_log a WHERE a.chain_id = $1 AND "
                                             "a.seq > $2 ORDER BY a.seq LIMIT $3";
constexpr std::string_view kDeleteChainThrough =
    "DELETE FROM audit_log WHERE chain_id = $1 AND seq <= $2";

#define VS_AUDIT_WHERE                                                                      \
  "WHERE ($1 IS NULL OR time_ms >= $1) AND ($2 IS NULL OR time_ms < $2) "                   \
  "AND ($3 IS NULL OR id = ANY ($3)) AND ($4 IS NULL OR ip = ANY ($4)) "                    \
  "AND ($5 IS NULL OR method = ANY ($5)) AND ($6 IS NULL OR account_id = ANY ($6)) "        \
  "AND ($7 IS NULL OR (EXISTS (SELECT 1 FROM jsonb_array_elements_text(coalesce("           \
  "touched::jsonb -> 'application_ids', '[]')) t (v) WHERE t.v::bigint = ANY ($7)) AND "    \
  "(NOT $8 OR NOT EXISTS (SELECT 1 FROM jsonb_array_elements_text(coalesce(touched::jsonb " \
  "-> 'application_ids', '[]')) t (v) WHERE NOT t.v::bigint = ANY ($7))))) "
constexpr std::string_view kQueryAsc =
    "SELECT " VS_AUDIT_COLUMNS " FROM audit_log a " VS_AUDIT_WHERE
    "ORDER BY id LIMIT $9 OFFSET $10";
constexpr std::string_view kQueryDesc =
    "SELECT " VS_AUDIT_COLUMNS " FROM audit_log a " VS_AUDIT_WHERE
    "ORDER BY id DESC LIMIT $9 OFFSET $10";
constexpr std::string_view kQueryCount = "SELECT count(*) FROM audit_log " VS_AUDIT_WHERE;

#undef VS_AUDIT_WHERE
#undef VS_AUDIT_COLUMNS
#undef VS_AUDIT_STORED_COLUMNS
#undef VS_CHAIN_COLUMNS

AuditChainRecord ReadChain(const Rows& rows, int row) {
  AuditChainRecord chain;
  chain.chain_id = rows.Int64(row, 0);
  chain.created_ms = rows.Int64(row, 1);
  chain.label = rows.Text(row, 2);
  chain.head_seq = rows.Int64(row, 3);
  chain.head_hash = rows.Text(row, 4);
  chain.pruned_seq = rows.Int64(row, 5);
  chain.pruned_hash = rows.Text(row, 6);
  chain.pruned_at_ms = rows.Int64(row, 7);
  return chain;
}

std::vector<AuditRecord> ReadRecords(const Rows& rows) {
  std::vector<AuditRecord> records;
  records.reserve(static_cast<size_t>(rows.size()));
  for (int row = 0; row < rows.size(); ++row) {
    AuditRecord& record = records.emplace_back();
    record.id = rows.Int64(row, 0);
    record.chain_id = rows.Int64(row, 1);
    record.seq = rows.Int64(row, 2);
    record.time_ms = rows.Int64(row, 3);
    record.account_id = rows.OptionalInt64(row, 4);
    record.key_id = rows.Text(row, 5);
    record.credential = rows.Text(row, 6);
    record.ip = rows.Text(row, 7);
    record.method = rows.Text(row, 8);
    record.args_json = rows.Text(row, 9);
    record.touched_json = rows.Text(row, 10);
    record.result_code = rows.Int64(row, 11);
    record.prev_hash = rows.Text(row, 12);
    record.hash = rows.Text(row, 13);
  }
  return records;
}

// $1..$8 of the Query statements.
Params Filters(const AuditQuery& query) {
  Params params;
  params.OptionalInt64(query.from_ms).OptionalInt64(query.to_ms);
  if (query.ids.has_value()) {
    params.Int64Array(*query.ids);
  } else {
    params.Null(PgType::kInt8Array);
  }
  if (query.ips.has_value()) {
    params.TextArray(*query.ips);
  } else {
    params.Null(PgType::kTextArray);
  }
  if (query.methods.has_value()) {
    params.TextArray(*query.methods);
  } else {
    params.Null(PgType::kTextArray);
  }
  if (query.account_ids.has_value()) {
    params.Int64Array(*query.account_ids);
  } else {
    params.Null(PgType::kInt8Array);
  }
  if (query.application_ids.has_value()) {
    params.Int64Array(*query.application_ids);
  } else {
    params.Null(PgType::kInt8Array);
  }
  params.Bool(query.only_these_applications);
  return params;
}

// The columns of `records` as arrays, $1..$13 of kInsertRecords and kAppendToChain; the hashes
// are checked first (see Insert).
class RecordColumns {
 public:
  Status Set(std::span<const AuditRecord> records) {
    for (const AuditRecord& r : records) {
      VS_RETURN_IF_ERROR(DecodeAuditHash(r.hash).status());
      ids_.push_back(r.id);
      chains_.push_back(r.chain_id);
      seqs_.push_back(r.seq);
      times_.push_back(r.time_ms);
      accounts_.push_back(r.account_id);
      key_ids_.push_back(r.key_id);
      credentials_.push_back(r.credential);
      ips_.push_back(r.ip);
      methods_.push_back(r.method);
      args_.push_back(r.args_json);
      touched_.push_back(r.touched_json);
      codes_.push_back(r.result_code);
      hashes_.push_back(r.hash);
    }
    return Status::Ok();
  }
  Params ToParams() const {
    Params params;
    params.Int64Array(ids_)
        .Int64Array(chains_)
        .Int64Array(seqs_)
        .Int64Array(times_)
        .OptionalInt64Array(accounts_)
        .TextArray(key_ids_)
        .TextArray(credentials_)
        .TextArray(ips_)
        .TextArray(methods_)
        .TextArray(args_)
        .TextArray(touched_)
        .Int64Array(codes_)
        .TextArray(hashes_);
    return params;
  }

 private:
  std::vector<int64_t> ids_, chains_, seqs_, times_, codes_;
  std::vector<std::optional<int64_t>> accounts_;
  std::vector<std::string> key_ids_, credentials_, ips_, methods_, args_, touched_, hashes_;
};

}  // namespace

Result<int64_t> PgAuditRepository::InsertChain(const AuditChainRecord& chain) {
  VS_ASSIGN_OR_RETURN(Rows rows, conn_.Query(kInsertChain, Params()
                                                               .Int64(chain.created_ms)
                                                               .Text(chain.label)
                                                               .Int64(chain.head_seq)
                                                               .Text(chain.head_hash)
                                                               .Int64(chain.pruned_seq)
                                                               .Text(chain.pruned_hash)
                                                               .Int64(chain.pruned_at_ms)));
  if (rows.size() != 1) {
    return StoreError(StatusCode::kInternal, "postgresql: INSERT gave no chain id");
  }
  return rows.Int64(0, 0);
}

Result<std::optional<AuditChainRecord>> PgAuditRepository::LockChain(int64_t chain_id) {
  VS_ASSIGN_OR_RETURN(Rows rows, conn_.Query(kLockChain, Params().Int64(chain_id)));
  if (rows.size() == 0) return std::optional<AuditChainRecord>();
  return std::optional<AuditChainRecord>(ReadChain(rows, 0));
}

Result<std::vector<AuditChainRecord>> PgAuditRepository::ListChains() {
  VS_ASSIGN_OR_RETURN(Rows rows, conn_.Query(kListChains, Params()));
  std::vector<AuditChainRecord> chains;
  chains.reserve(static_cast<size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) chains.push_back(ReadChain(rows, i));
  return chains;
}

Status PgAuditRepository::SetChainHead(int64_t chain_id, int64_t head_seq,
                                       std::string_view head_hash) {
  VS_ASSIGN_OR_RETURN(
      Rows rows,
      conn_.Query(kSetChainHead, Params().Int64(chain_id).Int64(head_seq).Text(head_hash)));
  if (rows.affected() == 0) return StoreError(StatusCode::kNotFound, "audit chain not found");
  return Status::Ok();
}

Status PgAuditRepository::SetChainPruned(int64_t chain_id, int64_t pruned_seq,
                                         std::string_view pruned_hash, int64_t pruned_at_ms) {
  VS_ASSIGN_OR_RETURN(
      Rows rows,
      conn_.Query(
          kSetChainPruned,
          Params().Int64(chain_id).Int64(pruned_seq).Text(pruned_hash).Int64(pruned_at_ms)));
  if (rows.affected() == 0) return StoreError(StatusCode::kNotFound, "audit chain not found");
  return Status::Ok();
}

Result<int64_t> PgAuditRepository::NextId() {
  VS_ASSIGN_OR_RETURN(Rows rows, conn_.Query(kNextId, Params()));
  if (rows.size() != 1) return StoreError(StatusCode::kInternal, "postgresql: nextval gave no row");
  return rows.Int64(0, 0);
}

Result<std::vector<int64_t>> PgAuditRepository::NextIds(int64_t n) {
  if (n < 1) return StoreError(StatusCode::kInternal, "postgresql: NextIds needs n >= 1");
  VS_ASSIGN_OR_RETURN(Rows rows, conn_.Query(kNextIds, Params().Int64(n)));
  if (rows.size() != n) {
    return StoreError(StatusCode::kInternal, "postgresql: nextval gave too few rows");
  }
  std::vector<int64_t> ids;
  ids.reserve(static_cast<size_t>(n));
  for (int i = 0; i < rows.size(); ++i) ids.push_back(rows.Int64(i, 0));
  return ids;
}

// The hash goes as hex text and is stored as bytes (decode(..., 'hex')); checked here first, so
// that a malformed one is the caller's kInvalidArgument rather than a database error.
Status PgAuditRepository::Insert(const AuditRecord& record) {
  VS_RETURN_IF_ERROR(DecodeAuditHash(record.hash).status());
  VS_ASSIGN_OR_RETURN(Rows rows, conn_.Query(kInsertRecord, Params()
                                                                .Int64(record.id)
                                                                .Int64(record.chain_id)
                                                                .Int64(record.seq)
                                                                .Int64(record.time_ms)
                                                                .OptionalInt64(record.account_id)
                                                                .Text(record.key_id)
                                                                .Text(record.credential)
                                                                .Text(record.ip)
                                                                .Text(record.method)
                                                                .Text(record.args_json)
                                                                .Text(record.touched_json)
                                                                .Int64(record.result_code)
                                                                .Text(record.hash)));
  if (rows.size() == 1 && rows.Bool(0, 0)) return AdvanceSequencePast(record.id);
  return Status::Ok();
}

Status PgAuditRepository::InsertMany(std::span<const AuditRecord> records) {
  if (records.empty()) return Status::Ok();
  if (records.size() == 1) return Insert(records.front());
  RecordColumns columns;
  VS_RETURN_IF_ERROR(columns.Set(records));
  VS_ASSIGN_OR_RETURN(Rows rows, conn_.Query(kInsertRecords, columns.ToParams()));
  int64_t beyond = 0;
  for (int i = 0; i < rows.size(); ++i) {
    if (rows.Bool(i, 1)) beyond = std::max(beyond, rows.Int64(i, 0));
  }
  if (beyond > 0) return AdvanceSequencePast(beyond);
  return Status::Ok();
}

Result<std::optional<AuditRepository::LockedChain>> PgAuditRepository::LockChainTakingIds(
    int64_t chain_id, int64_t n) {
  if (n < 1) return StoreError(StatusCode::kInternal, "postgresql: NextIds needs n >= 1");
  VS_ASSIGN_OR_RETURN(Rows rows,
                      conn_.Query(kLockChainTakingIds, Params().Int64(chain_id).Int64(n)));
  if (rows.size() == 0) return std::optional<LockedChain>();
  if (rows.size() != n) {
    return StoreError(StatusCode::kInternal, "postgresql: nextval gave too few rows");
  }
  LockedChain locked{ReadChain(rows, 0), {}};
  locked.ids.reserve(static_cast<size_t>(n));
  for (int i = 0; i < rows.size(); ++i) locked.ids.push_back(rows.Int64(i, 8));
  return std::optional<LockedChain>(std::move(locked));
}

Status PgAuditRepository::AppendToChain(int64_t chain_id, std::span<const AuditRecord> records,
                                        int64_t head_seq, std::string_view head_hash) {
  RecordColumns columns;
  VS_RETURN_IF_ERROR(columns.Set(records));
  Params params = columns.ToParams();
  params.Int64(chain_id).Int64(head_seq).Text(head_hash);
  VS_ASSIGN_OR_RETURN(Rows rows, conn_.Query(kAppendToChain, params));
  if (rows.size() != 1) {
    return StoreError(StatusCode::kInternal, "postgresql: the append gave no answer");
  }
  if (rows.Int64(0, 0) == 0) return StoreError(StatusCode::kNotFound, "audit chain not found");
  return Status::Ok();
}

Status PgAuditRepository::AdvanceSequencePast(int64_t id) {
  VS_RETURN_IF_ERROR(conn_.Query(kLockSequence, Params()).status());
  return conn_.Query(kAdvanceSequence, Params().Int64(id)).status();
}

Result<std::vector<AuditRecord>> PgAuditRepository::ListAfter(int64_t after_id, int64_t limit) {
  VS_RETURN_IF_ERROR(CheckPaging(limit, 0));
  VS_ASSIGN_OR_RETURN(Rows rows, conn_.Query(kListAfter, Params().Int64(after_id).Int64(limit)));
  return ReadRecords(rows);
}

Result<std::vector<AuditRecord>> PgAuditRepository::ListChainAfter(int64_t chain_id,
                                                                   int64_t after_seq,
                                                                   int64_t limit) {
  VS_RETURN_IF_ERROR(CheckPaging(limit, 0));
  VS_ASSIGN_OR_RETURN(
      Rows rows,
      conn_.Query(kListChainAfter, Params().Int64(chain_id).Int64(after_seq).Int64(limit)));
  return ReadRecords(rows);
}

Result<int64_t> PgAuditRepository::DeleteChainThrough(int64_t chain_id, int64_t up_to_seq) {
  VS_ASSIGN_OR_RETURN(Rows rows,
                      conn_.Query(kDeleteChainThrough, Params().Int64(chain_id).Int64(up_to_seq)));
  return rows.affected();
}

Result<Page<AuditRecord>> PgAuditRepository::Query(const AuditQuery& query) {
  VS_RETURN_IF_ERROR(CheckPaging(query.count, query.offset));
  Page<AuditRecord> page;
  {
    Params params = Filters(query);
    params.Int64(query.count).Int64(query.offset);
    VS_ASSIGN_OR_RETURN(Rows rows, conn_.Query(query.descending ? kQueryDesc : kQueryAsc, params));
    page.items = ReadRecords(rows);
  }
  page.total_count = -1;
  if (query.with_total_count) {
    VS_ASSIGN_OR_RETURN(Rows total, conn_.Query(kQueryCount, Filters(query)));
    page.total_count = total.size() > 0 ? total.Int64(0, 0) : 0;
  }
  return page;
}

}  // namespace voxsecrets::store::pg
