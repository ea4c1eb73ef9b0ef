// The operator's backup commands for a node on SQLite (server/backup.h):
//
//   voxsecrets backup  --data-dir DIR [--store sqlite:///...] --out FILE
//       a consistent snapshot while the server runs (never the master key)
//   voxsecrets restore --in FILE --data-dir NEWDIR
//                      (--master-key-file F | --master-key-env VAR | --master-key-command CMD)
//       a new data dir from a backup, checked with the master key it was taken under
//
// Both take --config FILE too (cli/settings.h). Exit codes: 0 done, 1 refused or failed (the
// message says why), 2 bad usage.
#ifndef VOXSECRETS_CLI_BACKUP_COMMAND_H_
#define VOXSECRETS_CLI_BACKUP_COMMAND_H_

#include <CLI/CLI.hpp>
#include <string>

#include "server/data_dir.h"

namespace voxsecrets::cli {

class BackupCommands {
 public:
  using MasterKeyOptionAdder = void (*)(CLI::App*, server::MasterKeySource*);
  // Adds `backup` and `restore` to `app` (which must outlive this object's Run()).
  void Register(CLI::App& app, MasterKeyOptionAdder add_master_key_options);
  bool Parsed() const;
  int Run();

 private:
  int Backup();
  int Restore();

  CLI::App* backup_ = nullptr;
  CLI::App* restore_ = nullptr;
  server::DataOptions data_;
  std::string out_;
  std::string in_;
};

}  // namespace voxsecrets::cli

#endif  // VOXSECRETS_CLI_BACKUP_COMMAND_H_
