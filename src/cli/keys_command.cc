#include "cli/keys_command.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/time_format.h"
#include "crypto/key_check.h"
#include "crypto/keyring.h"
#include "crypto/master_key.h"
#include "crypto/openssl_random.h"
#include "crypto/rotation.h"
#include "server/accounts_admin.h"
#include "server/store_url.h"

namespace voxsecrets::cli {
namespace {

namespace fs = std::filesystem;

int Fail(const char* command, const Status& status) {
  std::fprintf(stderr, "voxsecrets keys %s: %s\n", command, status.message().c_str());
  return 1;
}

void AddDataOptions(CLI::App* cmd, server::DataOptions* data,
                    KeysCommands::MasterKeyOptionAdder add_master_key_options) {
  cmd->add_option("--data-dir", data->data_dir, "Data directory of the server")->required();
  cmd->add_option("--store", data->store_url,
                  "Database URL of the server (postgresql://...; default: DIR/voxsecrets.db)");
  add_master_key_options(cmd, &data->master_key);
}

bool HasSource(const server::MasterKeySource& s) {
  return !s.file.empty() || !s.env.empty() || !s.command.empty();
}

Status SyncDirectoryOf(const std::string& path) {
  const std::string dir = fs::path(path).parent_path().string();
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Unavailable("cannot open " + dir + ": " + std::strerror(errno));
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Unavailable("cannot fsync " + dir + ": " + std::strerror(errno));
  return Status::Ok();
}

// Atomically puts `pending` in place of `key_file`, then overwrites what the old file held
// through a descriptor opened before the rename (best effort: journaling or copy-on-write file
// systems and SSDs may keep old blocks; the key is useless anyway once nothing is wrapped by it).
Status ReplaceKeyFile(const std::string& pending, const std::string& key_file) {
  const int old_fd = ::open(key_file.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  if (::rename(pending.c_str(), key_file.c_str()) != 0) {
    const int err = errno;
    if (old_fd >= 0) ::close(old_fd);
    return Unavailable("cannot rename " + pending + " to " + key_file + ": " + std::strerror(err));
  }
  Status synced = SyncDirectoryOf(key_file);
  if (old_fd >= 0) {
    struct stat st {};
    if (::fstat(old_fd, &st) == 0 && st.st_size > 0) {
      const std::vector<char> zeros(static_cast<size_t>(st.st_size), '\0');
      if (::pwrite(old_fd, zeros.data(), zeros.size(), 0) == static_cast<ssize_t>(zeros.size())) {
        ::fsync(old_fd);
      }
    }
    ::close(old_fd);
  }
  return synced;
}

// `--application` as an id, a short name or a full name ("app.account.voximplant.com").
Result<store::ApplicationRecord> FindApplication(store::Store& store, int64_t account_id,
                                                 const std::string& id_or_name) {
  std::optional<store::ApplicationRecord> found;
  VS_RETURN_IF_ERROR(store.Read([&](store::Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(found, server::FindApplicationOf(tx, account_id, id_or_name));
    return Status::Ok();
  }));
  return *std::move(found);
}

}  // namespace

void KeysCommands::Register(CLI::App& app, MasterKeyOptionAdder add_master_key_options) {
  auto* keys = app.add_subcommand("keys", "Rotate the master key and data keys; show their state");
  keys->require_subcommand(1);

  rotate_master_ = keys->add_subcommand(
      "rotate-master", "Rewrap every data key with a new master key (online, resumable)");
  AddDataOptions(rotate_master_, &data_, add_master_key_options);
  auto* new_file = rotate_master_->add_option(
      "--new-master-key-file", new_key_.file,
      "The new master key from this file (default for a key file P: generate one into P.new, "
      "then replace P)");
  auto* new_env = rotate_master_->add_option("--new-master-key-env", new_key_.env,
                                             "The new master key from this environment variable");
  auto* new_command = rotate_master_->add_option(
      "--new-master-key-command", new_key_.command,
      "The new master key from this shell command's output (KMS/HSM hook)");
  new_file->excludes(new_env)->excludes(new_command);
  new_env->excludes(new_command);

  rotate_app_ = keys->add_subcommand(
      "rotate-app", "Re-encrypt an application's values under a new data key (online)");
  AddDataOptions(rotate_app_, &data_, add_master_key_options);
  rotate_app_->add_option("--account", account_, "Account id of the application")->required();
  rotate_app_->add_option("--application", application_, "Application id or name")->required();

  status_ = keys->add_subcommand(
      "status", "Master key version and data key versions with encryption counts (no key needed)");
  status_->add_option("--data-dir", data_.data_dir, "Data directory of the server")->required();
  status_->add_option("--store", data_.store_url,
                      "Database URL of the server (postgresql://...; default: DIR/voxsecrets.db)");
}

bool KeysCommands::Parsed() const {
  return (rotate_master_ != nullptr && rotate_master_->parsed()) ||
         (rotate_app_ != nullptr && rotate_app_->parsed()) ||
         (status_ != nullptr && status_->parsed());
}

int KeysCommands::Run() {
  if (rotate_master_ && rotate_master_->parsed()) return RotateMaster();
  if (rotate_app_ && rotate_app_->parsed()) return RotateApp();
  if (status_ && status_->parsed()) return ShowStatus();
  return 2;
}

int KeysCommands::RotateMaster() {
  constexpr const char* kCmd = "rotate-master";
  SystemClock clock;
  crypto::OpenSslRandom random;
  const server::DataDirPaths paths(data_.data_dir);
  const std::string key_file = server::MasterKeyFilePath(paths, data_.master_key);
  const bool generate = !HasSource(new_key_);
  if (generate && key_file.empty()) {
    return Fail(kCmd, Status(StatusCode::kInvalidArgument,
                             "the current master key does not come from a file, so there is no "
                             "file to put a new one in: name the new key with "
                             "--new-master-key-file, --new-master-key-env or "
                             "--new-master-key-command"));
  }
  const std::string pending = generate ? server::PendingMasterKeyPath(key_file) : std::string();
  std::error_code ec;

  server::DataOptions options = data_;
  options.keep_master_key = true;
  auto data = server::OpenData(options, random, clock);
  if (!data.ok()) {
    // A run interrupted between the rotation and the rename left the store on the key in P.new.
    if (generate && fs::exists(pending, ec)) {
      server::DataOptions on_pending = data_;
      on_pending.master_key.file = pending;
      auto done = server::OpenData(on_pending, random, clock);
      if (done.ok()) {
        Status s = ReplaceKeyFile(pending, key_file);
        if (!s.ok()) return Fail(kCmd, s);
        std::printf("finished an interrupted rotation: master key version %u is now in %s\n",
                    done->master_key_version, key_file.c_str());
        return 0;
      }
    }
    return Fail(kCmd, data.status());
  }

  // The new key.
  std::optional<crypto::LockedKey> new_key;
  std::string new_description;
  if (!generate) {
    auto provider = server::MakeMasterKeyProvider(paths, new_key_);
    new_description = provider->Describe();
    auto loaded = provider->Load();
    if (!loaded.ok()) {
      return Fail(kCmd, Status(loaded.status().code(), "cannot load the new master key from " +
                                                           new_description + ": " +
                                                           loaded.status().message()));
    }
    new_key.emplace(std::move(loaded).value());
  } else if (fs::exists(pending, ec)) {
    // Left by an interrupted run: use it, so that the rotation resumes with the same key.
    auto loaded = crypto::KeyFileProvider(pending).Load();
    if (!loaded.ok()) {
      return Fail(kCmd, Status(loaded.status().code(),
                               "cannot read " + pending + " (left by an interrupted rotation; " +
                                   "remove it to start over): " + loaded.status().message()));
    }
    new_key.emplace(std::move(loaded).value());
    new_description = "master key file " + pending;
  } else {
    auto created = crypto::CreateMasterKeyFile(pending, random);
    if (!created.ok()) {
      return Fail(kCmd, Status(created.status().code(),
                               "cannot create " + pending + ": " + created.status().message()));
    }
    new_key.emplace(std::move(created).value());
    new_description = "master key file " + pending;
  }

  const uint32_t old_version = data->master_key_version;
  const uint32_t new_version = old_version + 1;
  auto rotated = crypto::RotateMasterKey(*data->store, *data->master_key, old_version, *new_key,
                                         new_version, random);
  if (!rotated.ok()) {
    if (generate) {
      std::fprintf(stderr, "the new key stays in %s: run the command again to resume\n",
                   pending.c_str());
    }
    return Fail(kCmd, rotated.status());
  }
  std::printf("master key rotated: version %u -> %u (%lld data keys rewrapped)\n", old_version,
              new_version, static_cast<long long>(rotated->rewrapped));
  if (generate) {
    Status s = ReplaceKeyFile(pending, key_file);
    if (!s.ok()) {
      std::fprintf(stderr, "the data now needs the key in %s; move it to %s yourself\n",
                   pending.c_str(), key_file.c_str());
      return Fail(kCmd, s);
    }
    std::printf("new master key: %s (mode 0600)\n", key_file.c_str());
    std::printf(
        "old master key: overwritten; nothing needs it any more (destroy any other copy, "
        "e.g. in backups)\n");
    std::printf(
        "servers: those reading %s load the new key by themselves within seconds; restart any "
        "server started with another source of the old key with the new key\n",
        key_file.c_str());
  } else {
    std::printf("new master key: %s\n", new_description.c_str());
    std::printf("old master key: %s is no longer needed: destroy it\n",
                data->master_key_description.c_str());
    std::printf(
        "servers: start them with the new key from now on; a running server whose key source "
        "now yields the new key picks it up by itself, any other keeps serving only the data "
        "keys it has cached until restarted with the new key: restart it now\n");
  }
  return 0;
}

int KeysCommands::RotateApp() {
  constexpr const char* kCmd = "rotate-app";
  SystemClock clock;
  crypto::OpenSslRandom random;
  auto data = server::OpenData(data_, random, clock);
  if (!data.ok()) return Fail(kCmd, data.status());
  auto app = FindApplication(*data->store, account_, application_);
  if (!app.ok()) return Fail(kCmd, app.status());
  auto rotated = crypto::RotateApplicationKey(*data->store, *data->keyring, account_, app->id);
  if (!rotated.ok()) return Fail(kCmd, rotated.status());
  std::printf(
      "application %lld (%s): data key version %u is active; %lld values re-encrypted; older "
      "versions deleted\n",
      static_cast<long long>(app->id), app->name.c_str(), rotated->new_version,
      static_cast<long long>(rotated->reencrypted));
  return 0;
}

int KeysCommands::ShowStatus() {
  constexpr const char* kCmd = "status";
  auto location = server::ParseStoreUrl(data_.store_url, data_.data_dir);
  if (!location.ok()) return Fail(kCmd, location.status());
  std::error_code ec;
  if (location->kind == server::StoreKind::kSqlite && !fs::exists(location->sqlite_path, ec)) {
    return Fail(kCmd, Status(StatusCode::kInvalidArgument,
                             "no voxsecrets database at " + location->sqlite_path));
  }
  server::OpenStoreOptions open_options;
  open_options.sqlite_read_connections = 1;
  open_options.create = false;  // PostgreSQL: a database without voxsecrets tables is refused
  auto store = server::OpenStore(*location, open_options);
  if (!store.ok()) return Fail(kCmd, store.status());

  std::optional<uint32_t> current;
  bool pending = false;
  std::vector<uint32_t> recorded;
  std::vector<store::DataKeyRecord> keys;
  std::map<int64_t, std::pair<int64_t, std::string>> apps;  // id -> (account, name)
  Status s = (*store)->Read([&](store::Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(current, crypto::CurrentMasterKeyVersion(tx));
    if (current) {
      for (uint32_t v = 1; v <= *current + 1; ++v) {
        VS_ASSIGN_OR_RETURN(auto check, tx.meta().Get(crypto::MetaKeyCheckName(v)));
        if (check && v <= *current) recorded.push_back(v);
        if (check && v == *current + 1) pending = true;
      }
    }
    VS_ASSIGN_OR_RETURN(keys, tx.data_keys().ListAll());
    VS_ASSIGN_OR_RETURN(auto accounts, tx.accounts().List());
    for (const auto& account : accounts) {
      store::ApplicationFilter filter;
      filter.count = 1000;
      for (;;) {
        VS_ASSIGN_OR_RETURN(auto page, tx.applications().List(account.id, filter));
        for (const auto& a : page.items) apps[a.id] = {a.account_id, a.name};
        if (page.items.empty() || filter.offset + filter.count >= page.total_count) break;
        filter.offset += filter.count;
      }
    }
    return Status::Ok();
  });
  if (!s.ok()) return Fail(kCmd, s);

  if (!current) {
    std::printf("master key: none recorded yet (start the server once)\n");
  } else {
    std::string versions;
    for (uint32_t v : recorded) versions += (versions.empty() ? "" : ", ") + std::to_string(v);
    std::printf("master key: version %u (check values recorded for versions %s)\n", *current,
                versions.c_str());
    if (pending) {
      std::printf(
          "master key rotation to version %u in progress (run keys rotate-master "
          "again to finish it)\n",
          *current + 1);
    }
  }
  const int64_t limit = crypto::KeyringOptions{}.max_encryptions_per_key;
  std::printf("data keys: %zu (a key seals at most %lld values, then the next version is made)\n",
              keys.size(), static_cast<long long>(limit));
  if (keys.empty()) return 0;
  std::printf("%-8s %-10s %-24s %-8s %-11s %-12s %-7s %s\n", "account", "app_id", "application",
              "version", "master_key", "encryptions", "used", "created");
  for (const auto& k : keys) {
    auto it = apps.find(k.application_id);
    const std::string account =
        it == apps.end() ? std::string("-") : std::to_string(it->second.first);
    const std::string name = it == apps.end() ? std::string("(unknown)") : it->second.second;
    const double used = 100.0 * static_cast<double>(k.encryptions) / static_cast<double>(limit);
    std::printf("%-8s %-10lld %-24s %-8u %-11u %-12lld %-6.4f%% %s\n", account.c_str(),
                static_cast<long long>(k.application_id), name.c_str(), k.version,
                k.master_key_version, static_cast<long long>(k.encryptions), used,
                FormatApiTime(k.created).c_str());
  }
  return 0;
}

}  // namespace voxsecrets::cli
