#include "cli/audit_command.h"

#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "audit/audit_exporter.h"
#include "audit/audit_prune.h"
#include "audit/audit_verify.h"
#include "common/clock.h"
#include "server/data_dir.h"
#include "server/store_url.h"

namespace voxsecrets::cli {
namespace {

constexpr int64_t kExportBatch = 1000;
constexpr int64_t kDayMs = 24 * 3600 * 1000;

int Fail(std::FILE* err, const char* command, const Status& status) {
  std::fprintf(err, "voxsecrets audit %s: %s\n", command, status.message().c_str());
  return 2;
}

}  // namespace

Result<store::StorePtr> OpenAuditStore(const std::string& data_dir, const std::string& store_url) {
  VS_ASSIGN_OR_RETURN(server::StoreLocation location, server::ParseStoreUrl(store_url, data_dir));
  struct stat st {};
  if (::stat(data_dir.c_str(), &st) == 0) {
    VS_RETURN_IF_ERROR(server::CheckDataDirPermissions(data_dir));
  }
  if (location.kind == server::StoreKind::kSqlite &&
      ::stat(location.sqlite_path.c_str(), &st) != 0) {
    return NotFound("no voxsecrets database at " + location.sqlite_path);
  }
  server::OpenStoreOptions options;
  options.sqlite_read_connections = 1;
  options.create = false;  // PostgreSQL: a database without voxsecrets tables is refused
  return server::OpenStore(location, options);
}

int RunAuditVerify(store::Store& store, std::FILE* out, std::FILE* err) {
  Result<audit::VerifyReport> report = audit::VerifyAuditChain(store);
  if (!report.ok()) return Fail(err, "verify", report.status());
  if (report->ok) {
    std::fprintf(out, "audit log intact: %lld chain(s), %lld record(s)\n",
                 static_cast<long long>(report->chains), static_cast<long long>(report->records));
    return 0;
  }
  std::fprintf(out, "audit log BROKEN: %s\n", report->problem.c_str());
  if (report->record_id.has_value()) {
    std::fprintf(out, "first broken record: %lld (chain %lld, seq %lld)\n",
                 static_cast<long long>(*report->record_id),
                 static_cast<long long>(report->chain_id), static_cast<long long>(report->seq));
  } else {
    std::fprintf(out, "first broken link: chain %lld, seq %lld\n",
                 static_cast<long long>(report->chain_id), static_cast<long long>(report->seq));
  }
  std::fprintf(out, "records verified before it: %lld\n", static_cast<long long>(report->records));
  return 1;
}

int RunAuditExport(store::Store& store, int64_t after_id, std::FILE* out, std::FILE* err) {
  std::unique_ptr<audit::JsonLinesExporter> exporter = audit::JsonLinesExporter::ToStream(out);
  while (true) {
    std::vector<store::AuditRecord> batch;
    Status status = store.Read([&](store::Tx& tx) -> Status {
      VS_ASSIGN_OR_RETURN(batch, tx.audit().ListAfter(after_id, kExportBatch));
      return Status::Ok();
    });
    if (!status.ok()) return Fail(err, "export", status);
    if (batch.empty()) break;
    status = exporter->Export(batch);
    if (!status.ok()) return Fail(err, "export", status);
    after_id = batch.back().id;
    if (static_cast<int64_t>(batch.size()) < kExportBatch) break;
  }
  return 0;
}

int RunAuditPrune(store::Store& store, int64_t older_than_days, int64_t now_ms, std::FILE* out,
                  std::FILE* err) {
  if (older_than_days < 1) {
    return Fail(err, "prune", InvalidArgument("older-than-days", "--older-than-days must be >= 1"));
  }
  Result<audit::PruneReport> report =
      audit::PruneAuditLog(store, now_ms - older_than_days * kDayMs, now_ms);
  if (!report.ok()) return Fail(err, "prune", report.status());
  std::fprintf(out, "pruned %lld record(s) from %lld chain(s)\n",
               static_cast<long long>(report->deleted), static_cast<long long>(report->chains));
  return 0;
}

void AuditCommands::Register(CLI::App& app) {
  auto* audit = app.add_subcommand("audit", "Verify, export and prune the audit log");
  audit->require_subcommand(1);
  verify_ = audit->add_subcommand("verify", "Check the audit log's hash chains");
  verify_->add_option("--data-dir", data_dir_, "Data directory of the server")->required();
  verify_->add_option("--store", store_url_,
                      "Database URL of the server (default: DIR/voxsecrets.db)");
  export_ = audit->add_subcommand("export", "Write audit records as JSON lines");
  export_->add_option("--data-dir", data_dir_, "Data directory of the server")->required();
  export_->add_option("--store", store_url_,
                      "Database URL of the server (default: DIR/voxsecrets.db)");
  export_->add_option("--after-id", after_id_, "Only records with a greater audit_log_id");
  export_->add_option(
      "--out", out_,
      "Append to this file (mode 0600; a symbolic link is refused) instead of stdout");
  prune_ = audit->add_subcommand("prune", "Delete old audit records (keeps the chain verifiable)");
  prune_->add_option("--data-dir", data_dir_, "Data directory of the server")->required();
  prune_->add_option("--store", store_url_,
                     "Database URL of the server (default: DIR/voxsecrets.db)");
  prune_->add_option("--older-than-days", older_than_days_, "Retention in days")->required();
}

bool AuditCommands::Parsed() const {
  return (verify_ != nullptr && verify_->parsed()) || (export_ != nullptr && export_->parsed()) ||
         (prune_ != nullptr && prune_->parsed());
}

int AuditCommands::Run() {
  const char* name = verify_->parsed() ? "verify" : (export_->parsed() ? "export" : "prune");
  Result<store::StorePtr> store = OpenAuditStore(data_dir_, store_url_);
  if (!store.ok()) return Fail(stderr, name, store.status());
  if (verify_->parsed()) return RunAuditVerify(**store, stdout, stderr);
  if (export_->parsed()) {
    if (out_.empty()) return RunAuditExport(**store, after_id_, stdout, stderr);
    Result<std::FILE*> file = audit::OpenAuditExportFile(out_);
    if (!file.ok()) return Fail(stderr, name, file.status());
    const int code = RunAuditExport(**store, after_id_, *file, stderr);
    std::fclose(*file);
    return code;
  }
  SystemClock clock;
  return RunAuditPrune(**store, older_than_days_, clock.NowMillis(), stdout, stderr);
}

}  // namespace voxsecrets::cli
