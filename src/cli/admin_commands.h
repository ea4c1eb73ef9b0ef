// The operator's commands that work on a data dir directly (also while a server runs on it:
// SQLite's WAL lets them write beside the server):
//
//   voxsecrets account create --data-dir DIR --name NAME --email EMAIL [--parent ID]
//                             [--credentials-out FILE]
//   voxsecrets account list   --data-dir DIR
//   voxsecrets key create     --data-dir DIR --account ID --role NAME... [--application APP...]
//                             --credentials-out FILE
//
// Each takes `--store URL` too (server/store_url.h; the server's database when it is not
// DIR/voxsecrets.db, e.g. PostgreSQL), and refuses with a clear message (exit 1) when there is no
// voxsecrets database (PostgreSQL: no voxsecrets data; nothing is created) or the master key does
// not match it.
#ifndef VOXSECRETS_CLI_ADMIN_COMMANDS_H_
#define VOXSECRETS_CLI_ADMIN_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "server/data_dir.h"

namespace voxsecrets::cli {

class AdminCommands {
 public:
  using MasterKeyOptionAdder = void (*)(CLI::App*, server::MasterKeySource*);
  // Adds the subcommands to `app`. `app` must outlive this object's Run().
  void Register(CLI::App& app, MasterKeyOptionAdder add_master_key_options);
  // Runs whichever subcommand was parsed; returns the exit code.
  int Run();

 private:
  int AccountCreate();
  int AccountList();
  int KeyCreate();

  server::DataOptions data_;
  CLI::App* account_create_ = nullptr;
  CLI::App* account_list_ = nullptr;
  CLI::App* key_create_ = nullptr;
  std::string name_;
  std::string email_;
  int64_t parent_ = 0;
  int64_t account_ = 0;
  std::vector<std::string> roles_;
  std::vector<std::string> applications_;
  std::string key_name_;
  std::string credentials_out_;
};

}  // namespace voxsecrets::cli

#endif  // VOXSECRETS_CLI_ADMIN_COMMANDS_H_
