#include "server/master_key_watcher.h"

#include <chrono>
#include <utility>

#include "common/secure_bytes.h"
#include "crypto/key_check.h"

namespace voxsecrets::server {

MasterKeyWatcher::MasterKeyWatcher(store::Store& store, crypto::Keyring& keyring,
                                   const DataDirPaths& paths, const MasterKeySource& source,
                                   Logger& log)
    : store_(store), keyring_(keyring), log_(log), logged_version_(keyring.master_key_version()) {
  if (!source.command.empty()) {
    candidates_.push_back(std::make_unique<crypto::CommandProvider>(source.command));
  } else if (!source.env.empty()) {
    no_candidate_reason_ = "the master key came from environment variable " + source.env +
                           ", which is wiped at start and cannot be read again";
  } else {
    const std::string file = source.file.empty() ? paths.master_key : source.file;
    candidates_.push_back(std::make_unique<crypto::KeyFileProvider>(PendingMasterKeyPath(file)));
    candidates_.push_back(std::make_unique<crypto::KeyFileProvider>(file));
  }
}

MasterKeyWatcher::~MasterKeyWatcher() { Stop(); }

std::string MasterKeyWatcher::DescribeSources() const {
  if (candidates_.empty()) return no_candidate_reason_;
  std::string out;
  for (const auto& c : candidates_) {
    if (!out.empty()) out += ", then ";
    out += c->Describe();
  }
  return out;
}

Result<crypto::LockedKey> MasterKeyWatcher::Load(uint32_t version, std::string_view check_value) {
  const std::string what = "master key version " + std::to_string(version);
  if (candidates_.empty()) return Unavailable("cannot load " + what + ": " + no_candidate_reason_);
  std::string reasons;
  for (const auto& candidate : candidates_) {
    auto key = candidate->Load();
    if (!key.ok()) {
      if (key.status().code() == StatusCode::kNotFound) continue;  // P.new between rotations
      reasons += "; " + candidate->Describe() + ": " + key.status().message();
      continue;
    }
    if (ConstantTimeEquals(crypto::KeyCheckValue(*key), check_value)) {
      log_.Info("master key loaded after a rotation",
                {{"master_key_version", int64_t{version}}, {"source", candidate->Describe()}});
      return key;
    }
  }
  return Unavailable(what + " is in none of: " + DescribeSources() + reasons);
}

Status MasterKeyWatcher::CheckOnce() {
  uint32_t version = 0;
  Status s = store_.Read([&](store::Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(version, keyring_.RefreshMasterKey(tx));
    return Status::Ok();
  });
  MutexLock lock(mu_);
  if (!s.ok()) {
    if (s.message() != logged_failure_) {
      logged_failure_ = s.message();
      log_.Warn(
          "the master key was rotated but this server cannot load the new one; it serves "
          "cached keys only until restarted with the new master key",
          {{"error", s.message()}});
    }
    return s;
  }
  logged_failure_.clear();
  if (version != logged_version_) {
    logged_version_ = version;
    log_.Info("now using the rotated master key; the old one is no longer held",
              {{"master_key_version", int64_t{version}}});
  }
  return Status::Ok();
}

void MasterKeyWatcher::Start(std::chrono::milliseconds interval) {
  if (thread_.joinable()) return;
  {
    MutexLock lock(thread_mu_);
    stop_ = false;
  }
  thread_ = std::thread([this, interval] { Loop(interval); });
}

void MasterKeyWatcher::Loop(std::chrono::milliseconds interval) {
  MutexLock lock(thread_mu_);
  while (true) {
    const auto deadline = std::chrono::steady_clock::now() + interval;
    while (!stop_ && wake_.WaitUntil(thread_mu_, deadline) == std::cv_status::no_timeout) {
    }
    if (stop_) return;
    lock.Unlock();
    (void)CheckOnce();
    lock.Lock();
  }
}

void MasterKeyWatcher::Stop() {
  {
    MutexLock lock(thread_mu_);
    stop_ = true;
  }
  wake_.SignalAll();
  if (thread_.joinable()) thread_.join();
}

}  // namespace voxsecrets::server
