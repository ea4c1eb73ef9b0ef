// `voxsecrets migrate`: copies a stopped node on SQLite into an empty PostgreSQL database, so that
// nodes on PostgreSQL serve the same data — same ids, same sealed values and wrapped data keys
// (nothing is re-encrypted: the nodes need the same master key), same audit chains (they verify
// on the copy), and id sequences moved past every id the source ever handed out.
//
// CopyStore does the copy through the store contract only (store.h, CopyRepository for the rows
// the API would number itself), so it works between any two backends. It runs as ONE write
// transaction on the target: on any failure the target is left as empty as it was. It refuses a
// target that holds any data (kAlreadyExists). The source must not change meanwhile.
//
// MigrateNode is the command: the source is the SQLite database of a data dir, the target a
// postgresql:// URL. A server running on the data dir is detected by its lock (DataDirLock) and
// the migration is refused; the lock is held while copying, so none can start meanwhile.
//
// Thread-safety: free functions. `progress` is called on the calling thread.
#ifndef VOXSECRETS_SERVER_MIGRATE_H_
#define VOXSECRETS_SERVER_MIGRATE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "audit/audit_verify.h"
#include "common/status.h"
#include "server/data_dir.h"
#include "store/store.h"

namespace voxsecrets::server {

struct CopyCounts {
  int64_t accounts = 0;
  int64_t keys = 0;
  int64_t applications = 0;
  int64_t secrets = 0;
  int64_t secret_versions = 0;  // older versions of secrets' values
  int64_t data_keys = 0;
  int64_t meta = 0;
  int64_t audit_chains = 0;
  int64_t audit_records = 0;
  friend bool operator==(const CopyCounts&, const CopyCounts&) = default;
};

struct MigrateReport {
  std::string source;  // what was copied (DescribeStore)
  std::string target;  // where to (DescribeStore: no password)
  CopyCounts copied;
  store::IdWatermarks watermarks;  // the source's, now the target's floor
  audit::VerifyReport audit;       // VerifyAuditChain on the target after the copy
  double seconds = 0;
};

// Called after each kind of row and every 1000 rows within one: ("secrets", rows so far).
using CopyProgress = std::function<void(std::string_view what, int64_t rows)>;

// Copies `source` into `target` (see above). Returns what was copied and the source's watermarks.
Result<CopyCounts> CopyStore(store::Store& source, store::Store& target,
                             const CopyProgress& progress, store::IdWatermarks* watermarks);

// `source`: the node's data dir (and --store, when its SQLite file is elsewhere); `target_url`: a
// postgresql:// URL. After the copy, the target is read back: its counts must equal what was
// copied, and its audit log is verified (report.audit).
Result<MigrateReport> MigrateNode(const DataOptions& source, const std::string& target_url,
                                  const CopyProgress& progress);

}  // namespace voxsecrets::server

#endif  // VOXSECRETS_SERVER_MIGRATE_H_
