// `voxsecrets audit ...`: the operator's commands on the audit log (docs/AUDIT.md).
//
//   voxsecrets audit verify --data-dir DIR
//       Checks every chain (audit/audit_verify.h). Exit 0 when intact; 1 when broken, naming the
//       first broken record; 2 when the log cannot be read.
//   voxsecrets audit export --data-dir DIR [--after-id N] [--out FILE]
//       Writes the records (after id N) as JSON lines, the export format, to FILE or stdout.
//   voxsecrets audit prune --data-dir DIR --older-than-days D
//       Retention by hand: deletes records older than D days (audit/audit_prune.h; verified,
//       checkpointed).
// None needs the master key: the audit log holds no encrypted data. The database must exist
// (it is never created here). Each takes `--store URL` (server/store_url.h) when the server's
// database is not DIR/voxsecrets.db (PostgreSQL).
//
// Thread-safety: a command object is used by main() only.
#ifndef VOXSECRETS_CLI_AUDIT_COMMAND_H_
#define VOXSECRETS_CLI_AUDIT_COMMAND_H_

#include <CLI/CLI.hpp>
#include <cstdint>
#include <cstdio>
#include <string>

#include "common/status.h"
#include "store/store.h"

namespace voxsecrets::cli {

class AuditCommands {
 public:
  // Adds `audit` and its subcommands to `app`, which must outlive Run().
  void Register(CLI::App& app);
  // True when one of the subcommands was parsed.
  bool Parsed() const;
  // Runs the parsed subcommand; returns the exit code.
  int Run();

 private:
  CLI::App* verify_ = nullptr;
  CLI::App* export_ = nullptr;
  CLI::App* prune_ = nullptr;
  std::string data_dir_;
  std::string store_url_;
  std::string out_;
  int64_t after_id_ = 0;
  int64_t older_than_days_ = 0;
};

// The pieces, for tests and for other front ends. Each writes its report to `out`/`err`.
// Opens the store `store_url` names (server/store_url.h; empty: the SQLite database of data dir
// `data_dir`). kNotFound when there is no SQLite file; a PostgreSQL database without voxsecrets
// tables is refused, not created.
Result<store::StorePtr> OpenAuditStore(const std::string& data_dir,
                                       const std::string& store_url = "");
int RunAuditVerify(store::Store& store, std::FILE* out, std::FILE* err);
int RunAuditExport(store::Store& store, int64_t after_id, std::FILE* out, std::FILE* err);
int RunAuditPrune(store::Store& store, int64_t older_than_days, int64_t now_ms, std::FILE* out,
                  std::FILE* err);

}  // namespace voxsecrets::cli

#endif  // VOXSECRETS_CLI_AUDIT_COMMAND_H_
