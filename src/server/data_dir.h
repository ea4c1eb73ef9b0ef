// DataDir: where a voxsecrets node keeps its files, and opening the data behind it.
//
//   DIR/voxsecrets.db (+ -wal, -shm)   the SQLite database (default store)
//   DIR/master.key                     the dev master key file (0600), unless another provider
//   DIR/tls/cert.pem, DIR/tls/key.pem  the self-signed dev certificate (unless --tls-cert)
//   DIR/credentials.json               the bootstrap Owner key (0600), written once
//
// OpenData() is shared by `serve` and the admin commands: it opens the store, loads the master
// key from its provider and checks it against the key check value stored with the data. It
// never falls back to running without the master key.
#ifndef VOXSECRETS_SERVER_DATA_DIR_H_
#define VOXSECRETS_SERVER_DATA_DIR_H_

#include <cstdint>
#include <string>

#include "common/clock.h"
#include "common/random.h"
#include "common/status.h"
#include "crypto/keyring.h"
#include "crypto/master_key.h"
#include "store/store.h"

namespace voxsecrets::server {

struct DataDirPaths {
  explicit DataDirPaths(std::string root);
  std::string root;
  std::string database;
  std::string master_key;
  std::string tls_dir;
  std::string tls_cert;
  std::string tls_key;
  std::string credentials;
};

// Where the master key comes from. Exactly one source is used; the default is the key file
// DIR/master.key.
struct MasterKeySource {
  std::string file;     // path of a key file; empty = DIR/master.key unless env/command is set
  std::string env;      // name of an environment variable holding the key
  std::string command;  // a shell command printing the key
};

struct DataOptions {
  std::string data_dir;
  MasterKeySource master_key;
  // When true (serve's first start) a missing data dir, database and default key file are
  // created. When false (admin commands) a missing database is an error.
  bool create = false;
  int read_connections = 4;
};

struct OpenedData {
  store::StorePtr store;
  crypto::KeyringPtr keyring;
  uint32_t master_key_version = 0;
  bool created_database = false;  // this call made a new database
  std::string master_key_description;
};

// Builds the provider the options name (env and command win over the file).
crypto::MasterKeyProviderPtr MakeMasterKeyProvider(const DataDirPaths& paths,
                                                   const MasterKeySource& source);

// Opens (and with options.create, creates) the data. Errors carry a message meant for the
// operator: which file is missing, which key does not match.
Result<OpenedData> OpenData(const DataOptions& options, SecureRandom& random, const Clock& clock);

}  // namespace voxsecrets::server

#endif  // VOXSECRETS_SERVER_DATA_DIR_H_
