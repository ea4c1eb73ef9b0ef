// voxsecrets migrate --data-dir DIR [--store sqlite:///...] --to postgresql://...
//
// Copies a stopped node on SQLite into an empty PostgreSQL database (server/migrate.h), printing
// progress and a summary. Takes --config FILE too (cli/settings.h) for the data dir. Exit codes:
// 0 done, 1 refused or failed (a server runs on the data dir, the target is not empty, ...: the
// message says why; the target is left as it was), 2 bad usage.
#ifndef VOXSECRETS_CLI_MIGRATE_COMMAND_H_
#define VOXSECRETS_CLI_MIGRATE_COMMAND_H_

#include <CLI/CLI.hpp>
#include <string>

#include "server/data_dir.h"

namespace voxsecrets::cli {

class MigrateCommand {
 public:
  // Adds `migrate` to `app` (which must outlive this object's Run()).
  void Register(CLI::App& app);
  bool Parsed() const { return command_ != nullptr && command_->parsed(); }
  int Run();

 private:
  CLI::App* command_ = nullptr;
  server::DataOptions data_;
  std::string to_;
};

}  // namespace voxsecrets::cli

#endif  // VOXSECRETS_CLI_MIGRATE_COMMAND_H_
