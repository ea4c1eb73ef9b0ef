// DataDir: where a voxsecrets node keeps its files, and opening the data behind it.
//
//   DIR/voxsecrets.db (+ -wal, -shm)   the SQLite database (default store; `--store URL` names
//                                      another: server/store_url.h, e.g. PostgreSQL)
//   DIR/master.key                     the dev master key file (0600), unless another provider
//   DIR/tls/cert.pem, DIR/tls/key.pem  the self-signed dev certificate (unless --tls-cert)
//   DIR/credentials.json               the bootstrap Owner key (0600), written once
//
// OpenData() is shared by `serve` and the admin commands: it opens the store, loads the master
// key from its provider and checks it against the key check value stored with the data. It
// never falls back to running without the master key. An existing data dir must be safe to
// trust (CheckDataDirPermissions), else nothing in it is opened.
//
// With a PostgreSQL store the data dir keeps only the node's own files (TLS material, and on the
// first start against an empty database the dev master key and credentials.json); every node of
// a cluster needs the same master key (--master-key-file/-env/-command). "Empty" means the
// database holds no master key check value yet (a fresh database, or one whose first start
// stopped before it got that far).
#ifndef VOXSECRETS_SERVER_DATA_DIR_H_
#define VOXSECRETS_SERVER_DATA_DIR_H_

#include <cstdint>
#include <optional>
#include <string>

#include "common/clock.h"
#include "common/metrics.h"
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
  // Where the data is (server/store_url.h): empty = SQLite at DIR/voxsecrets.db.
  std::string store_url;
  MasterKeySource master_key;
  // When true (serve's first start) a missing data dir, database and default key file are
  // created. When false (admin commands) a missing database is an error (PostgreSQL: a database
  // without voxsecrets data; nothing is created in it).
  bool create = false;
  int read_connections = 4;
  // When true, OpenedData::master_key gets a copy of the verified master key (key rotation).
  bool keep_master_key = false;
  // Where the store reports its pool waits (server/store_url.h); nullptr = nowhere. Not owned.
  Metrics* metrics = nullptr;
};

struct OpenedData {
  store::StorePtr store;
  crypto::KeyringPtr keyring;
  uint32_t master_key_version = 0;
  bool created_database = false;  // this call made a new database (an empty one: PostgreSQL)
  std::string store_description;  // the SQLite path or the PostgreSQL URL without password
  std::string master_key_description;
  std::optional<crypto::LockedKey> master_key;  // only with DataOptions::keep_master_key
};

// Where `voxsecrets keys rotate-master` puts the new key of a key file source `key_file` while
// it rotates (`key_file` + ".new", mode 0600), before renaming it over `key_file`. Running
// servers look there first (server/master_key_watcher.h).
std::string PendingMasterKeyPath(const std::string& key_file);

// The key file a source reads (DIR/master.key by default); empty for env and command sources.
std::string MasterKeyFilePath(const DataDirPaths& paths, const MasterKeySource& source);

// Builds the provider the options name (env and command win over the file).
crypto::MasterKeyProviderPtr MakeMasterKeyProvider(const DataDirPaths& paths,
                                                   const MasterKeySource& source);

// The data dir holds the master key and the database: whoever may write the directory may
// replace or remove them, or plant a link where the server creates a file. OK when `dir` is owned
// by this process's user (or by root) and group and others may not write it; else
// kPermissionDenied with a message naming the directory, the problem and the command that fixes
// it.
Status CheckDataDirPermissions(const std::string& dir);

// Creates `dir` (and its parents) with mode 0700 when missing; when it exists, it must be a
// directory (else kInvalidArgument) that passes CheckDataDirPermissions.
Status EnsurePrivateDir(const std::string& dir);

// Opens (and with options.create, creates) the data. Errors carry a message meant for the
// operator: which file is missing, which key does not match.
Result<OpenedData> OpenData(const DataOptions& options, SecureRandom& random, const Clock& clock);

}  // namespace voxsecrets::server

#endif  // VOXSECRETS_SERVER_DATA_DIR_H_
