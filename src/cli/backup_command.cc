#include "cli/backup_command.h"

#include <cstdio>

#include "common/clock.h"
#include "crypto/openssl_random.h"
#include "server/backup.h"

namespace voxsecrets::cli {
namespace {

int Fail(const char* command, const Status& status) {
  std::fprintf(stderr, "voxsecrets %s: %s\n", command, status.message().c_str());
  return 1;
}

void PrintCounts(const server::SnapshotInfo& info) {
  std::printf(
      "  %lld account(s), %lld application(s), %lld secret(s), %lld data key(s), "
      "%lld audit record(s); schema version %d, %lld bytes\n",
      static_cast<long long>(info.accounts), static_cast<long long>(info.applications),
      static_cast<long long>(info.secrets), static_cast<long long>(info.data_keys),
      static_cast<long long>(info.audit_records), info.schema_version,
      static_cast<long long>(info.bytes));
}

}  // namespace

void BackupCommands::Register(CLI::App& app, MasterKeyOptionAdder add_master_key_options) {
  backup_ = app.add_subcommand(
      "backup", "Write a consistent snapshot of a node's SQLite database (safe while it serves)");
  backup_->add_option("--data-dir", data_.data_dir, "Data directory of the node")->required();
  backup_->add_option("--store", data_.store_url,
                      "Database URL when not DIR/voxsecrets.db (sqlite:///PATH; PostgreSQL is "
                      "backed up with pg_dump)");
  backup_->add_option("--out", out_, "The backup file to write (must not exist; mode 0600)")
      ->required();

  restore_ = app.add_subcommand(
      "restore", "Make a new data dir from a backup, checked with the backup's master key");
  restore_->add_option("--in", in_, "The backup file")->required();
  restore_
      ->add_option("--data-dir", data_.data_dir,
                   "The new data directory (must not exist, or be empty)")
      ->required();
  add_master_key_options(restore_, &data_.master_key);
}

bool BackupCommands::Parsed() const {
  return (backup_ != nullptr && backup_->parsed()) || (restore_ != nullptr && restore_->parsed());
}

int BackupCommands::Run() {
  if (backup_->parsed()) return Backup();
  return Restore();
}

int BackupCommands::Backup() {
  auto info = server::BackupNode(data_, out_);
  if (!info.ok()) return Fail("backup", info.status());
  std::printf("backup written: %s\n", out_.c_str());
  PrintCounts(*info);
  std::printf(
      "The master key is not in the backup: keep it apart from this file (restore "
      "needs it).\n");
  return 0;
}

int BackupCommands::Restore() {
  SystemClock clock;
  crypto::OpenSslRandom random;
  auto result = server::RestoreNode(in_, data_, random, clock);
  if (!result.ok()) return Fail("restore", result.status());
  std::printf("restored %s into %s\n", in_.c_str(), data_.data_dir.c_str());
  PrintCounts(result->snapshot);
  std::printf("master key: %s matches (version %u)\n", result->master_key_description.c_str(),
              result->master_key_version);
  if (!result->audit.ok) {
    std::printf("audit log BROKEN: %s\n", result->audit.problem.c_str());
    std::fprintf(stderr,
                 "voxsecrets restore: the backup's audit log does not verify; the data dir was "
                 "kept for inspection (voxsecrets audit verify --data-dir %s)\n",
                 data_.data_dir.c_str());
    return 1;
  }
  std::printf("audit log intact: %lld chain(s), %lld record(s)\n",
              static_cast<long long>(result->audit.chains),
              static_cast<long long>(result->audit.records));
  std::printf(
      "Start it with the same master key option, e.g.: voxsecrets serve --data-dir %s "
      "--master-key-...\n",
      data_.data_dir.c_str());
  return 0;
}

}  // namespace voxsecrets::cli
