// Master key (KEK) providers: where the 32-byte master key comes from when the server or the
// CLI starts. Three sources:
//   - KeyFileProvider: a file holding the key as text (created 0600 by CreateMasterKeyFile on a
//     dev server's first start). Refused when its mode lets group or others in.
//   - EnvProvider: an environment variable (default VOXSECRETS_MASTER_KEY).
//   - CommandProvider: an external command run via /bin/sh -c whose standard output is the key
//     (the hook for a KMS or an HSM). Non-zero exit, a timeout or bad output is an error.
// Key text, for all three: 64 hex digits, or standard base64 (with padding) of 32 bytes;
// surrounding ASCII whitespace (the trailing newline) is ignored.
//
// Which master key *version* is current is not the provider's business: the store remembers it
// (crypto/key_check.h). Providers never fall back to anything: a missing or unreadable key is
// an error whose message says what to fix and never contains key material.
//
// Error codes: kNotFound (file absent, variable unset), kPermissionDenied (file mode too open,
// file unreadable), kInvalidArgument (the text is not a key), kUnavailable (the command failed,
// timed out or could not be started), kAlreadyExists (CreateMasterKeyFile on an existing path).
//
// Thread-safety: providers are immutable; Load may be called from any thread, but
// EnvProvider with clear_after_load changes the process environment (call it at start, before
// other threads read the environment).
#ifndef VOXSECRETS_CRYPTO_MASTER_KEY_H_
#define VOXSECRETS_CRYPTO_MASTER_KEY_H_

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "common/random.h"
#include "common/secure_bytes.h"
#include "common/status.h"
#include "crypto/locked_key.h"

namespace voxsecrets::crypto {

inline constexpr std::string_view kDefaultMasterKeyEnv = "VOXSECRETS_MASTER_KEY";

class MasterKeyProvider {
 public:
  virtual ~MasterKeyProvider() = default;
  virtual Result<LockedKey> Load() = 0;
  // Where the key comes from, for messages ("master key file /etc/voxsecrets/master.key").
  // Never contains key material.
  virtual std::string Describe() const = 0;
};

using MasterKeyProviderPtr = std::unique_ptr<MasterKeyProvider>;

class KeyFileProvider final : public MasterKeyProvider {
 public:
  explicit KeyFileProvider(std::string path) : path_(std::move(path)) {}
  // MasterKeyProvider
  Result<LockedKey> Load() override;
  std::string Describe() const override;

 private:
  std::string path_;
};

class EnvProvider final : public MasterKeyProvider {
 public:
  // clear_after_load: after a successful read, overwrite the variable's value in place and
  // unset it, so that the key does not linger in /proc/<pid>/environ or reach child processes.
  explicit EnvProvider(std::string var_name = std::string(kDefaultMasterKeyEnv),
                       bool clear_after_load = true)
      : var_name_(std::move(var_name)), clear_after_load_(clear_after_load) {}
  // MasterKeyProvider
  Result<LockedKey> Load() override;
  std::string Describe() const override;

 private:
  std::string var_name_;
  bool clear_after_load_;
};

class CommandProvider final : public MasterKeyProvider {
 public:
  static constexpr std::chrono::milliseconds kDefaultTimeout{10000};
  // Output above this many bytes is refused.
  static constexpr size_t kMaxOutput = 4096;

  // `command` runs as `/bin/sh -c command` in its own process group, stdin from /dev/null,
  // stderr inherited (its diagnostics reach the operator). On timeout the whole group is killed.
  explicit CommandProvider(std::string command, std::chrono::milliseconds timeout = kDefaultTimeout)
      : command_(std::move(command)), timeout_(timeout) {}
  // MasterKeyProvider
  Result<LockedKey> Load() override;
  std::string Describe() const override;

 private:
  std::string command_;
  std::chrono::milliseconds timeout_;
};

// Parses key text (see above). `source` names the origin in the error message.
Result<LockedKey> ParseMasterKeyText(std::string_view text, std::string_view source);

// The key as 64 lower-case hex digits (for a CLI that prints or stores a new key).
SecureBytes MasterKeyHex(const LockedKey& key);

// A new random master key.
Result<LockedKey> GenerateMasterKey(SecureRandom& random);

// Writes `key` as hex plus a newline to a new file created with O_CREAT|O_EXCL and mode 0600
// (fsynced). kAlreadyExists when the path exists: an existing key is never overwritten.
Status WriteMasterKeyFile(const std::string& path, const LockedKey& key);

// GenerateMasterKey + WriteMasterKeyFile: a dev server's first start. Returns the new key.
Result<LockedKey> CreateMasterKeyFile(const std::string& path, SecureRandom& random);

}  // namespace voxsecrets::crypto

#endif  // VOXSECRETS_CRYPTO_MASTER_KEY_H_
