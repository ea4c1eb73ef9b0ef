// PgDataKeyRepository and PgMetaRepository.
#include <string>

#include "store/postgres/pg_repositories.h"
#include "store/store_error.h"

namespace voxsecrets::store::pg {
namespace {

#define VS_DATA_KEY_COLUMNS \
  "SELECT application_id, version, wrapped_key, master_key_version, encryptions, created "

constexpr std::string_view kInsertDataKey =
    "INSERT INTO data_keys (application_id, version, wrapped_key, master_key_version, "
    "encryptions, created) VALUES ($1, $2, $3, $4, $5, $6)";
constexpr std::string_view kActiveDataKey =
    VS_DATA_KEY_COLUMNS "FROM data_keys WHERE application_id = $1 ORDER BY version DESC LIMIT 1";
constexpr std::string_view kFindDataKey =
    VS_DATA_KEY_COLUMNS "FROM data_keys WHERE application_id = $1 AND version = $2";
constexpr std::string_view kListDataKeys =
    VS_DATA_KEY_COLUMNS "FROM data_keys ORDER BY application_id, version";
constexpr std::string_view kRewrapDataKey =
    "UPDATE data_keys SET wrapped_key = $3, master_key_version = $4 "
    "WHERE application_id = $1 AND version = $2";
// The row lock taken by UPDATE makes the increment atomic; a concurrent increment of the same
// key in another SERIALIZABLE transaction fails it with 40001 and the store retries it.
constexpr std::string_view kAddEncryptions =
    "UPDATE data_keys SET encryptions = encryptions + $3 "
    "WHERE application_id = $1 AND version = $2 RETURNING encryptions";
constexpr std::string_view kDeleteDataKeysOfApp = "DELETE FROM data_keys WHERE application_id = $1";
constexpr std::string_view kDeleteDataKeysBelow =
    "DELETE FROM data_keys WHERE application_id = $1 AND version < $2";

constexpr std::string_view kGetMeta = "SELECT value FROM meta WHERE key = $1";
constexpr std::string_view kPutMeta =
    "INSERT INTO meta (key, value) VALUES ($1, $2) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value";
constexpr std::string_view kIamVersion = "SELECT version FROM change_counters WHERE name = 'iam'";

#undef VS_DATA_KEY_COLUMNS

DataKeyRecord ReadDataKey(const Rows& rows, int row) { return ReadDataKeyColumns(rows, row, 0); }

std::optional<DataKeyRecord> FirstDataKey(const Rows& rows) {
  if (rows.size() == 0) return std::nullopt;
  return ReadDataKey(rows, 0);
}

}  // namespace

DataKeyRecord ReadDataKeyColumns(const Rows& rows, int row, int first) {
  DataKeyRecord key;
  key.application_id = rows.Int64(row, first);
  key.version = static_cast<uint32_t>(rows.Int64(row, first + 1));
  key.wrapped_key = rows.Bytes(row, first + 2);
  key.master_key_version = static_cast<uint32_t>(rows.Int64(row, first + 3));
  key.encryptions = rows.Int64(row, first + 4);
  key.created = rows.Int64(row, first + 5);
  return key;
}

// ---- PgDataKeyRepository -----------------------------------------------------------------------

Status PgDataKeyRepository::Insert(const DataKeyRecord& key) {
  return conn_
      .Query(kInsertDataKey, Params()
                                 .Int64(key.application_id)
                                 .Int64(key.version)
                                 .Bytes(key.wrapped_key)
                                 .Int64(key.master_key_version)
                                 .Int64(key.encryptions)
                                 .Int64(key.created))
      .status();
}

Result<std::optional<DataKeyRecord>> PgDataKeyRepository::FindActive(int64_t application_id) {
  VS_ASSIGN_OR_RETURN(Rows rows, conn_.Query(kActiveDataKey, Params().Int64(application_id)));
  return FirstDataKey(rows);
}

Result<std::optional<DataKeyRecord>> PgDataKeyRepository::Find(int64_t application_id,
                                                               uint32_t version) {
  if (ahead_ != nullptr && ahead_->data_key.has_value() &&
      ahead_->data_key->application_id == application_id && ahead_->data_key->version == version) {
    return ahead_->data_key;
  }
  VS_ASSIGN_OR_RETURN(Rows rows,
                      conn_.Query(kFindDataKey, Params().Int64(application_id).Int64(version)));
  return FirstDataKey(rows);
}

Result<std::vector<DataKeyRecord>> PgDataKeyRepository::ListAll() {
  VS_ASSIGN_OR_RETURN(Rows rows, conn_.Query(kListDataKeys, Params()));
  std::vector<DataKeyRecord> keys;
  keys.reserve(static_cast<size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) keys.push_back(ReadDataKey(rows, i));
  return keys;
}

Status PgDataKeyRepository::Rewrap(int64_t application_id, uint32_t version,
                                   std::string_view wrapped_key, uint32_t master_key_version) {
  VS_ASSIGN_OR_RETURN(Rows rows, conn_.Query(kRewrapDataKey, Params()
                                                                 .Int64(application_id)
                                                                 .Int64(version)
                                                                 .Bytes(wrapped_key)
                                                                 .Int64(master_key_version)));
  if (rows.affected() == 0) return StoreError(StatusCode::kNotFound, "data key not found");
  return Status::Ok();
}

Result<int64_t> PgDataKeyRepository::AddEncryptions(int64_t application_id, uint32_t version,
                                                    int64_t n) {
  VS_ASSIGN_OR_RETURN(
      Rows rows,
      conn_.Query(kAddEncryptions, Params().Int64(application_id).Int64(version).Int64(n)));
  if (rows.size() == 0) return StoreError(StatusCode::kNotFound, "data key not found");
  return rows.Int64(0, 0);
}

Status PgDataKeyRepository::DeleteForApplication(int64_t application_id) {
  return conn_.Query(kDeleteDataKeysOfApp, Params().Int64(application_id)).status();
}

Status PgDataKeyRepository::DeleteBelow(int64_t application_id, uint32_t version) {
  return conn_.Query(kDeleteDataKeysBelow, Params().Int64(application_id).Int64(version)).status();
}

// ---- PgMetaRepository --------------------------------------------------------------------------

Result<std::optional<std::string>> PgMetaRepository::Get(std::string_view key) {
  VS_ASSIGN_OR_RETURN(Rows rows, conn_.Query(kGetMeta, Params().Text(key)));
  if (rows.size() == 0) return std::optional<std::string>();
  return std::optional<std::string>(rows.Text(0, 0));
}

Status PgMetaRepository::Put(std::string_view key, std::string_view value) {
  return conn_.Query(kPutMeta, Params().Text(key).Text(value)).status();
}

Result<int64_t> PgMetaRepository::IamVersion() {
  // A read transaction's snapshot holds one value: a prefetched one is as good as a new read.
  if (ahead_ != nullptr && ahead_->iam_version.has_value()) return *ahead_->iam_version;
  VS_ASSIGN_OR_RETURN(Rows rows, conn_.Query(kIamVersion, Params()));
  if (rows.size() != 1) {
    return StoreError(StatusCode::kInternal, "postgresql: the change counter 'iam' is missing");
  }
  if (ahead_ != nullptr) ahead_->iam_version = rows.Int64(0, 0);
  return rows.Int64(0, 0);
}

}  // namespace voxsecrets::store::pg
