#include "server/data_dir.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "crypto/key_check.h"
#include "server/store_url.h"

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

std::string PendingMasterKeyPath(const std::string& key_file) { return key_file + ".new"; }

std::string MasterKeyFilePath(const DataDirPaths& paths, const MasterKeySource& source) {
  if (!source.command.empty() || !source.env.empty()) return std::string();
  return source.file.empty() ? paths.master_key : source.file;
}

Status CheckDataDirPermissions(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    return Status(StatusCode::kUnavailable, "cannot read the data dir " + dir);
  }
  if (!S_ISDIR(st.st_mode)) {
    return Status(StatusCode::kInvalidArgument, dir + " exists and is not a directory");
  }
  const uid_t me = ::geteuid();
  if (st.st_uid != me && st.st_uid != 0) {
    return Status(StatusCode::kPermissionDenied,
                  "the data dir " + dir + " is owned by uid " + std::to_string(st.st_uid) +
                      ", not by this user (uid " + std::to_string(me) +
                      "); run voxsecrets as its owner, or `chown -R " + std::to_string(me) + " " +
                      dir + "`");
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Status(StatusCode::kPermissionDenied,
                  "the data dir " + dir + " may be written by " +
                      ((st.st_mode & S_IWOTH) != 0 ? "other users" : "its group") + " (mode " +
                      mode + "); run `chmod go-w " + dir + "` (0700 is best)");
  }
  return Status::Ok();
}

Status EnsurePrivateDir(const std::string& dir) {
  std::error_code ec;
  if (fs::exists(dir, ec)) return CheckDataDirPermissions(dir);
  fs::create_directories(dir, ec);
  if (ec) return Status(StatusCode::kUnavailable, "cannot create " + dir + ": " + ec.message());
  ::chmod(dir.c_str(), 0700);
  return Status::Ok();
}

namespace {

// True when the store holds no master key check value yet: nothing was ever sealed in it.
Result<bool> StoreIsEmpty(store::Store& store) {
  std::optional<uint32_t> current;
  VS_RETURN_IF_ERROR(store.Read([&](store::Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(current, crypto::CurrentMasterKeyVersion(tx));
    return Status::Ok();
  }));
  return !current.has_value();
}

}  // namespace

Result<OpenedData> OpenData(const DataOptions& options, SecureRandom& random, const Clock& clock) {
  (void)clock;
  if (options.data_dir.empty()) {
    return Status(StatusCode::kInvalidArgument, "--data-dir is required");
  }
  const DataDirPaths paths(options.data_dir);
  VS_ASSIGN_OR_RETURN(StoreLocation location, ParseStoreUrl(options.store_url, paths.root));
  OpenedData out;
  out.store_description = DescribeStore(location);
  OpenStoreOptions open_options;
  open_options.sqlite_read_connections = options.read_connections;
  open_options.create = options.create;
  open_options.metrics = options.metrics;

  // Whether the data is new decides whether a dev key file may be made. SQLite: the file is
  // missing (checked before opening creates it). PostgreSQL: opened first (admin commands refuse
  // a database without voxsecrets tables), then new when no master key check value is stored.
  bool new_data = false;
  std::error_code ec;
  if (location.kind == StoreKind::kSqlite) {
    new_data = !fs::exists(location.sqlite_path, ec);
    if (new_data && !options.create) {
      return Status(StatusCode::kInvalidArgument,
                    "no voxsecrets database at " + location.sqlite_path +
                        " (is --data-dir right? `voxsecrets serve` creates it on first start)");
    }
  }
  if (options.create) {
    VS_RETURN_IF_ERROR(EnsurePrivateDir(paths.root));
  } else if (fs::exists(paths.root, ec)) {
    VS_RETURN_IF_ERROR(CheckDataDirPermissions(paths.root));
  }
  if (location.kind == StoreKind::kPostgres) {
    auto store = OpenStore(location, open_options);
    const Status no_data(StatusCode::kInvalidArgument,
                         "no voxsecrets data in " + out.store_description +
                             " (is --store right? `voxsecrets serve --store URL` creates it on "
                             "first start)");
    if (!store.ok() && store.status().code() == StatusCode::kNotFound) return no_data;
    if (!store.ok()) return store.status();
    out.store = std::move(store).value();
    VS_ASSIGN_OR_RETURN(new_data, StoreIsEmpty(*out.store));
    if (new_data && !options.create) return no_data;
  }

  // The dev key file is created only together with new data: a missing key file next to
  // existing data is an error, never a reason to make a new key.
  const bool default_file_source = options.master_key.command.empty() &&
                                   options.master_key.env.empty() &&
                                   options.master_key.file.empty();
  if (new_data && default_file_source && !fs::exists(paths.master_key, ec)) {
    auto created = crypto::CreateMasterKeyFile(paths.master_key, random);
    if (!created.ok()) return created.status();
  }

  auto provider = MakeMasterKeyProvider(paths, options.master_key);
  out.master_key_description = provider->Describe();
  auto master = provider->Load();
  if (!master.ok()) {
    return Status(master.status().code(), "cannot load the master key from " +
                                              out.master_key_description + ": " +
                                              master.status().message());
  }

  if (location.kind == StoreKind::kSqlite) {
    auto store = OpenStore(location, open_options);
    if (!store.ok()) return store.status();
    out.store = std::move(store).value();
  }
  out.created_database = new_data;

  auto version = crypto::VerifyMasterKey(*out.store, master.value());
  if (!version.ok()) {
    return Status(version.status().code(), "the master key from " + out.master_key_description +
                                               " was refused: " + version.status().message());
  }
  out.master_key_version = version.value();
  if (options.keep_master_key) {
    auto copy = master.value().Clone();
    if (!copy.ok()) return copy.status();
    out.master_key.emplace(std::move(copy).value());
  }
  auto keyring =
      crypto::Keyring::Create(std::move(master).value(), out.master_key_version, random, clock);
  if (!keyring.ok()) return keyring.status();
  out.keyring = std::move(keyring).value();
  return out;
}

}  // namespace voxsecrets::server
