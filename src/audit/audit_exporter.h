// AuditExporter: hands committed audit records to something outside the database, for a log
// shipper (docs/AUDIT.md "Export"). JsonLinesExporter writes one JSON object per line to a file
// (opened for append, mode 0600, never through a symbolic link) or to a stdio stream such as
// stdout.
//
// Line format (AuditRecordJsonLine): {"audit_log_id","chain_id","seq","requested" (YYYY-MM-DD
// HH:MM:SS UTC),"time_ms","account_id" (null when none),"key_id","credential","ip","cmd_name",
// "cmd_args" (the masked parameters as a JSON object),"touched","result_code","prev_hash","hash"}.
// The same masked fields as the database: never a secret value, token or api_key.
//
// Export happens after commit; it is best effort. The database is the record of truth: a failed
// export is reported (Status) and counted by the caller, it never undoes or fails an API call.
// Lines of one process come in the order its records committed, except that records written
// inside concurrent mutation transactions may swap places; (chain_id, seq) gives the exact order.
//
// Thread-safety: Export may be called from any thread; lines are written whole, under a mutex.
// Ownership: a stream given to ToStream is not owned and must outlive the exporter.
#ifndef VOXSECRETS_AUDIT_AUDIT_EXPORTER_H_
#define VOXSECRETS_AUDIT_AUDIT_EXPORTER_H_

#include <cstdio>
#include <memory>
#include <span>
#include <string>

#include "common/mutex.h"
#include "common/status.h"
#include "store/records.h"

namespace voxsecrets::audit {

class AuditExporter {
 public:
  virtual ~AuditExporter() = default;
  virtual Status Export(std::span<const store::AuditRecord> records) = 0;
};

// One record as a JSON object on one line (no trailing newline).
std::string AuditRecordJsonLine(const store::AuditRecord& record);

// Opens `path` for appending audit lines, for `serve --audit-export` and `audit export --out`:
// created with mode 0600; never through a symbolic link (O_NOFOLLOW: a link at `path` is refused,
// so that whoever can write the directory cannot point the export at another file); an existing
// file must be a regular file (or a FIFO, for a log shipper) and is set to mode 0600 if it was
// more open. kPermissionDenied naming the path (a link, another kind of file, a mode that cannot
// be changed), kUnavailable when it cannot be opened. The caller owns the stream (fclose).
Result<std::FILE*> OpenAuditExportFile(const std::string& path);

class JsonLinesExporter final : public AuditExporter {
 public:
  // Opens `path` with OpenAuditExportFile.
  static Result<std::unique_ptr<JsonLinesExporter>> OpenFile(const std::string& path);
  // Writes to `out` (e.g. stdout), which must outlive the exporter.
  static std::unique_ptr<JsonLinesExporter> ToStream(std::FILE* out);
  ~JsonLinesExporter() override;
  JsonLinesExporter(const JsonLinesExporter&) = delete;
  JsonLinesExporter& operator=(const JsonLinesExporter&) = delete;

  // AuditExporter
  Status Export(std::span<const store::AuditRecord> records) override;

 private:
  JsonLinesExporter(std::FILE* out, bool owned) : out_(out), owned_(owned) {}

  Mutex mu_;  // one batch at a time on out_
  std::FILE* const out_ PT_GUARDED_BY(mu_);
  const bool owned_;
};

}  // namespace voxsecrets::audit

#endif  // VOXSECRETS_AUDIT_AUDIT_EXPORTER_H_
