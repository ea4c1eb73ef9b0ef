#include "server/data_dir.h"

#include <sys/stat.h>

#include <filesystem>

#include "crypto/key_check.h"
#include "store/sqlite/sqlite_store.h"

namespace voxsecrets::server {

namespace fs = std::filesystem;

DataDirPaths::DataDirPaths(std::string r)
    : root(std::move(r)),
      database(root + "/voxsecrets.db"),
      master_key(root + "/master.key"),
      tls_dir(root + "/tls"),
      tls_cert(root + "/tls/cert.pem"),
      tls_key(root + "/tls/key.pem"),
      credentials(root + "/credentials.json") {}

crypto::MasterKeyProviderPtr MakeMasterKeyProvider(const DataDirPaths& paths,
                                                   const MasterKeySource& source) {
  if (!source.command.empty()) return std::make_unique<crypto::CommandProvider>(source.command);
  if (!source.env.empty()) return std::make_unique<crypto::EnvProvider>(source.env);
  return std::make_unique<crypto::KeyFileProvider>(source.file.empty() ? paths.master_key
                                                                       : source.file);
}

namespace {

Status EnsurePrivateDir(const std::string& dir) {
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec)) {
      return Status(StatusCode::kInvalidArgument, dir + " exists and is not a directory");
    }
    return Status::Ok();
  }
  fs::create_directories(dir, ec);
  if (ec) return Status(StatusCode::kUnavailable, "cannot create " + dir + ": " + ec.message());
  ::chmod(dir.c_str(), 0700);
  return Status::Ok();
}

}  // namespace

Result<OpenedData> OpenData(const DataOptions& options, SecureRandom& random,
                            const Clock& clock) {
  (void)clock;
  if (options.data_dir.empty()) {
    return Status(StatusCode::kInvalidArgument, "--data-dir is required");
  }
  const DataDirPaths paths(options.data_dir);
  std::error_code ec;
  const bool db_exists = fs::exists(paths.database, ec);
  if (!db_exists && !options.create) {
    return Status(StatusCode::kInvalidArgument,
                  "no voxsecrets database at " + paths.database +
                      " (is --data-dir right? `voxsecrets serve` creates it on first start)");
  }
  if (options.create) VS_RETURN_IF_ERROR(EnsurePrivateDir(paths.root));

  // The dev key file is created only together with a new database: a missing key file next to
  // existing data is an error, never a reason to make a new key.
  const bool default_file_source = options.master_key.command.empty() &&
                                   options.master_key.env.empty() &&
                                   options.master_key.file.empty();
  if (!db_exists && default_file_source && !fs::exists(paths.master_key, ec)) {
    auto created = crypto::CreateMasterKeyFile(paths.master_key, random);
    if (!created.ok()) return created.status();
  }

  auto provider = MakeMasterKeyProvider(paths, options.master_key);
  OpenedData out;
  out.master_key_description = provider->Describe();
  auto master = provider->Load();
  if (!master.ok()) {
    return Status(master.status().code(),
                  "cannot load the master key from " + out.master_key_description + ": " +
                      master.status().message());
  }

  store::SqliteOptions sqlite;
  sqlite.path = paths.database;
  sqlite.read_connections = options.read_connections;
  auto store = store::OpenSqliteStore(sqlite);
  if (!store.ok()) {
    return Status(store.status().code(),
                  "cannot open " + paths.database + ": " + store.status().message());
  }
  out.store = std::move(store).value();
  out.created_database = !db_exists;

  auto version = crypto::VerifyMasterKey(*out.store, master.value());
  if (!version.ok()) {
    return Status(version.status().code(), "the master key from " + out.master_key_description +
                                               " was refused: " + version.status().message());
  }
  out.master_key_version = version.value();
  auto keyring =
      crypto::Keyring::Create(std::move(master).value(), out.master_key_version, random, clock);
  if (!keyring.ok()) return keyring.status();
  out.keyring = std::move(keyring).value();
  return out;
}

}  // namespace voxsecrets::server
