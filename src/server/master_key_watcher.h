// MasterKeyWatcher: lets a running server follow `voxsecrets keys rotate-master` without a
// restart and without failing a request.
//
// It is the server's crypto::MasterKeyReloader: when the Keyring meets a master key version it
// does not hold (a data key already rewrapped, or the store's current version moved on), it asks
// the watcher, which reads the server's own key source again and returns the key whose check
// value matches the one stored for that version. The candidates, in order:
//   - a key file source P: first P.new (where rotate-master puts the new key before it starts,
//     PendingMasterKeyPath in server/data_dir.h), then P (which rotate-master atomically replaces
//     with P.new once the rotation finished). Reading P.new first makes the pair race-free: when
//     P.new is gone, the rename already happened, so P holds the new key;
//   - a command source: the command again (a KMS hook returns the current key);
//   - an environment variable source: none (the variable is wiped at start); such a server keeps
//     serving cached keys and logs that it must be restarted with the new key.
// The Keyring checks every returned key against the stored check value itself, and asks for a
// missing version at most once a second.
//
// Besides answering the Keyring, the watcher checks the store's master key version in the
// background (Start: a read of two meta rows every `interval`), so that the server picks up a
// rotation before a request needs it, and logs each change (never key material).
//
// Thread-safety: Load and CheckOnce may be called from any thread. Start/Stop from one thread.
// Lifetimes: `store`, `keyring` and `log` must outlive the watcher; the destructor stops the
// background thread. Construct it after the Keyring and call keyring.SetMasterKeyReloader(&w)
// before serving.
#ifndef VOXSECRETS_SERVER_MASTER_KEY_WATCHER_H_
#define VOXSECRETS_SERVER_MASTER_KEY_WATCHER_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/log.h"
#include "common/mutex.h"
#include "common/status.h"
#include "crypto/keyring.h"
#include "crypto/locked_key.h"
#include "crypto/master_key.h"
#include "server/data_dir.h"
#include "store/store.h"

namespace voxsecrets::server {

class MasterKeyWatcher final : public crypto::MasterKeyReloader {
 public:
  static constexpr std::chrono::milliseconds kDefaultInterval{2000};

  // `paths` and `source` are the server's (as given to OpenData).
  MasterKeyWatcher(store::Store& store, crypto::Keyring& keyring, const DataDirPaths& paths,
                   const MasterKeySource& source, Logger& log);
  ~MasterKeyWatcher() override;
  MasterKeyWatcher(const MasterKeyWatcher&) = delete;
  MasterKeyWatcher& operator=(const MasterKeyWatcher&) = delete;

  // crypto::MasterKeyReloader
  Result<crypto::LockedKey> Load(uint32_t version, std::string_view check_value) override;

  // One background check: Keyring::RefreshMasterKey in a read transaction. Logs when the
  // wrapping version changed, and a failure once per distinct message.
  Status CheckOnce();

  // Runs CheckOnce every `interval` on a thread of its own until Stop().
  void Start(std::chrono::milliseconds interval = kDefaultInterval);
  void Stop();

  // Where the watcher looks, for messages ("master key file DIR/master.key.new, ...").
  std::string DescribeSources() const;

 private:
  void Loop(std::chrono::milliseconds interval) EXCLUDES(thread_mu_);

  store::Store& store_;
  crypto::Keyring& keyring_;
  Logger& log_;
  std::vector<crypto::MasterKeyProviderPtr> candidates_;  // immutable after construction
  std::string no_candidate_reason_;                       // set when candidates_ is empty

  Mutex mu_;
  uint32_t logged_version_ GUARDED_BY(mu_);
  std::string logged_failure_ GUARDED_BY(mu_);

  Mutex thread_mu_;
  CondVar wake_;  // signalled when stop_ is set
  bool stop_ GUARDED_BY(thread_mu_) = false;
  std::thread thread_;  // started and joined by the owner (Start, Stop)
};

}  // namespace voxsecrets::server

#endif  // VOXSECRETS_SERVER_MASTER_KEY_WATCHER_H_
