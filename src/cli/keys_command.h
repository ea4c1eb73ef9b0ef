// `voxsecrets keys ...`: rotation of the master key and of an application's data key, and the
// state of the key hierarchy. They work on a data dir directly, also while servers serve it
// (every step is a short transaction; crypto/rotation.h), and print nothing secret.
//
//   voxsecrets keys rotate-master --data-dir DIR [current key: --master-key-file F |
//                                 --master-key-env V | --master-key-command C]
//                                 [--new-master-key-file F | --new-master-key-env V |
//                                  --new-master-key-command C]
//   voxsecrets keys rotate-app    --data-dir DIR --account ID --application ID_OR_NAME
//                                 [current key options]
//   voxsecrets keys status        --data-dir DIR
//
// rotate-master with a key file source P and no new key named: generates a new key into P.new
// (0600), rewraps every data key with it, then atomically renames P.new over P and overwrites the
// old key's file contents: afterwards the old key exists nowhere and nothing needs it. Servers
// that read P load the new key by themselves (server/master_key_watcher.h). An interrupted run
// is finished by running the command again. With --new-master-key-*, the new key is read from
// there and the operator replaces the servers' key source.
//
// rotate-app: a new data key version for the application, every value re-encrypted under it,
// the older versions deleted.
//
// status: the store's master key version, a rotation in progress, and each application's data
// key versions with their master key version and encryption counts. Needs no master key.
//
// Every keys command also takes `--store URL` (server/store_url.h) when the server's database is
// not DIR/voxsecrets.db (PostgreSQL).
//
// Exit codes: 0 done, 1 refused or failed (the message says why), 2 no keys command parsed.
#ifndef VOXSECRETS_CLI_KEYS_COMMAND_H_
#define VOXSECRETS_CLI_KEYS_COMMAND_H_

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

#include "server/data_dir.h"

namespace voxsecrets::cli {

class KeysCommands {
 public:
  using MasterKeyOptionAdder = void (*)(CLI::App*, server::MasterKeySource*);
  // Adds `keys` and its subcommands to `app`. `app` must outlive this object's Run().
  void Register(CLI::App& app, MasterKeyOptionAdder add_master_key_options);
  // Whether a `keys` subcommand was parsed.
  bool Parsed() const;
  // Runs whichever subcommand was parsed; returns the exit code.
  int Run();

 private:
  int RotateMaster();
  int RotateApp();
  int ShowStatus();

  server::DataOptions data_;
  server::MasterKeySource new_key_;
  CLI::App* rotate_master_ = nullptr;
  CLI::App* rotate_app_ = nullptr;
  CLI::App* status_ = nullptr;
  int64_t account_ = 0;
  std::string application_;
};

}  // namespace voxsecrets::cli

#endif  // VOXSECRETS_CLI_KEYS_COMMAND_H_
