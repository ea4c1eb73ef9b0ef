// Settings: where the options of voxsecrets' commands take their values from, highest first:
//   1. the command line;
//   2. the environment: VOXSECRETS_<NAME>, NAME being the long option name upper-cased with '-'
//      turned into '_' (VOXSECRETS_DATA_DIR, VOXSECRETS_LISTEN, VOXSECRETS_STORE,
//      VOXSECRETS_MASTER_KEY_COMMAND, ...);
//   3. the config file named by `--config FILE` (or VOXSECRETS_CONFIG): cli/config_file.h;
//   4. the option's default.
// Which options: every option of `serve` (they are also the config file's keys), and, on every
// other command that has --data-dir (the admin commands), the options named like one of serve's
// (data-dir, store, master-key-file/-env/-command), so that `voxsecrets account list --config
// FILE` finds the same data dir and store as the server. Their other options (an account's --name,
// ...) come from the command line only, and the keys of the file they do not use (listen, ...)
// are ignored by them (but still checked: a typo is refused by every command).
//
// An option these commands require (--data-dir) may come from any of the three sources; Apply()
// checks that it came from one.
//
// Thread-safety: not thread-safe; used by main() only. Lifetimes: the CLI::App given to Attach()
// must outlive the Settings.
#ifndef VOXSECRETS_CLI_SETTINGS_H_
#define VOXSECRETS_CLI_SETTINGS_H_

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "cli/config_file.h"
#include "common/status.h"

namespace voxsecrets::cli {

// "data-dir" -> "VOXSECRETS_DATA_DIR".
std::string EnvironmentName(const std::string& long_name);

class Settings {
 public:
  // Call once every command is registered, before app.parse(). `serve` is the serve command: its
  // options define the config file's keys. Adds --config to serve and to every command with
  // --data-dir, and gives their settable options their environment names.
  void Attach(CLI::App& app, CLI::App* serve);

  // Call after app.parse() succeeded. For the command that was parsed: reads its config file (if
  // --config was given), sets the settable options that the command line and the environment
  // left unset, and checks the required ones. kInvalidArgument with a message for the operator.
  Status Apply() const;

  // The keys a config file may hold (serve's options), for tests and docs.
  const std::vector<ConfigKey>& known_keys() const { return keys_; }

 private:
  struct Bound {
    CLI::App* command = nullptr;
    CLI::Option* config = nullptr;
    std::string config_path;
    std::vector<CLI::Option*> settable;
    std::vector<CLI::Option*> required;
  };
  void Bind(CLI::App* command, bool all_options);

  std::vector<ConfigKey> keys_;
  std::vector<std::unique_ptr<Bound>> bound_;  // stable: CLI11 holds config_path's address
};

}  // namespace voxsecrets::cli

#endif  // VOXSECRETS_CLI_SETTINGS_H_
