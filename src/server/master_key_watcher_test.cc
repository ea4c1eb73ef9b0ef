#include "server/master_key_watcher.h"

#include <gtest/gtest.h>
#include <stdio.h>

#include <filesystem>
#include <string>

#include "common/clock.h"
#include "common/log.h"
#include "common/log_test_util.h"
#include "crypto/crypto_test_util.h"
#include "crypto/key_check.h"
#include "crypto/master_key.h"
#include "crypto/openssl_random.h"
#include "crypto/rotation.h"

namespace voxsecrets::server {
namespace {

namespace fs = std::filesystem;

// A JsonLineLogger into memory.
class MemoryLog {
 public:
  explicit MemoryLog(const Clock& clock)
      : file_(open_memstream(&buf_, &size_)), logger_(file_, clock) {}
  ~MemoryLog() {
    std::fclose(file_);
    std::free(buf_);
  }
  Logger& logger() { return logger_; }
  std::string text() {
    std::fflush(file_);
    return std::string(buf_, size_);
  }

 private:
  char* buf_ = nullptr;
  size_t size_ = 0;
  std::FILE* file_;
  JsonLineLogger logger_;
};

class MasterKeyWatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DataOptions options;
    options.data_dir = dir_.File("data");
    options.create = true;
    auto opened = OpenData(options, random_, clock_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    data_ = std::move(opened).value();
    paths_.emplace(options.data_dir);
    account_ = crypto::testing::AddAccount(*data_.store, "acme");
    app_ = crypto::testing::AddApplication(*data_.store, account_, "app");
    secret_ = crypto::testing::AddSecret(*data_.store, *data_.keyring, account_, app_, "s",
                                         "watcher test value");
    ASSERT_NE(secret_, 0);
  }

  crypto::LockedKey LoadFile(const std::string& path) {
    auto k = crypto::KeyFileProvider(path).Load();
    EXPECT_TRUE(k.ok()) << k.status().ToString();
    return std::move(k).value();
  }

  // What `keys rotate-master` does with a key file, up to (not including) the final rename.
  crypto::LockedKey RotateKeepingNewKeyInPendingFile() {
    const std::string pending = PendingMasterKeyPath(paths_->master_key);
    auto created = crypto::CreateMasterKeyFile(pending, random_);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    crypto::LockedKey old_key = LoadFile(paths_->master_key);
    auto r = crypto::RotateMasterKey(*data_.store, old_key, 1, *created, 2, random_);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return std::move(created).value();
  }

  crypto::testing::TempDir dir_;
  crypto::OpenSslRandom random_;
  FakeClock clock_;
  OpenedData data_;
  std::optional<DataDirPaths> paths_;
  int64_t account_ = 0;
  int64_t app_ = 0;
  int64_t secret_ = 0;
};

TEST_F(MasterKeyWatcherTest, PicksUpTheNewKeyFromThePendingFileThenFromTheRenamedOne) {
  MemoryLog log(clock_);
  MasterKeyWatcher watcher(*data_.store, *data_.keyring, *paths_, {}, log.logger());
  data_.keyring->SetMasterKeyReloader(&watcher);
  ASSERT_TRUE(watcher.CheckOnce().ok());
  EXPECT_EQ(data_.keyring->master_key_version(), 1u);

  RotateKeepingNewKeyInPendingFile();
  ASSERT_TRUE(watcher.CheckOnce().ok());
  EXPECT_EQ(data_.keyring->master_key_version(), 2u);
  EXPECT_EQ(data_.keyring->held_master_key_versions(), std::vector<uint32_t>{2});
  const std::string text = log.text();
  EXPECT_NE(text.find("master.key.new"), std::string::npos) << text;
  EXPECT_NE(text.find("now using the rotated master key"), std::string::npos) << text;

  // After the rename, a server that had not caught up yet finds the key in the main file.
  fs::rename(PendingMasterKeyPath(paths_->master_key), paths_->master_key);
  DataOptions options;
  options.data_dir = paths_->root;
  auto reopened = OpenData(options, random_, clock_);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ(reopened->master_key_version, 2u);
  auto v =
      crypto::testing::ReadSecret(*reopened->store, *reopened->keyring, {account_, app_, secret_});
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_TRUE(v->view() == "watcher test value");
}

TEST_F(MasterKeyWatcherTest, LoadsFromTheMainFileWhenThePendingOneIsGone) {
  MemoryLog log(clock_);
  MasterKeyWatcher watcher(*data_.store, *data_.keyring, *paths_, {}, log.logger());
  data_.keyring->SetMasterKeyReloader(&watcher);
  RotateKeepingNewKeyInPendingFile();
  fs::rename(PendingMasterKeyPath(paths_->master_key), paths_->master_key);
  // A new application needs a new data key: the keyring asks the watcher during the request.
  const int64_t app2 = crypto::testing::AddApplication(*data_.store, account_, "app2");
  ASSERT_NE(crypto::testing::AddSecret(*data_.store, *data_.keyring, account_, app2, "t", "v"), 0);
  EXPECT_EQ(data_.keyring->master_key_version(), 2u);
}

TEST_F(MasterKeyWatcherTest, AnEnvironmentSourceCannotBeReadAgainAndSaysSoOnce) {
  MemoryLog log(clock_);
  MasterKeySource source;
  source.env = "VOXSECRETS_TEST_NO_SUCH_VARIABLE";
  MasterKeyWatcher watcher(*data_.store, *data_.keyring, *paths_, source, log.logger());
  data_.keyring->SetMasterKeyReloader(&watcher);
  RotateKeepingNewKeyInPendingFile();
  Status first = watcher.CheckOnce();
  EXPECT_EQ(first.code(), StatusCode::kUnavailable);
  EXPECT_NE(first.message().find("VOXSECRETS_TEST_NO_SUCH_VARIABLE"), std::string::npos)
      << first.message();
  clock_.AdvanceSeconds(5);
  EXPECT_FALSE(watcher.CheckOnce().ok());
  const std::string text = log.text();
  const auto at = text.find("cannot load the new one");
  ASSERT_NE(at, std::string::npos) << text;
  EXPECT_EQ(text.find("cannot load the new one", at + 1), std::string::npos) << text;
  // The cached data key keeps serving the existing value.
  auto v = crypto::testing::ReadSecret(*data_.store, *data_.keyring, {account_, app_, secret_});
  EXPECT_TRUE(v.ok()) << v.status().ToString();
}

TEST_F(MasterKeyWatcherTest, TheBackgroundThreadCatchesUp) {
  RecordingLogger log;
  MasterKeyWatcher watcher(*data_.store, *data_.keyring, *paths_, {}, log);
  data_.keyring->SetMasterKeyReloader(&watcher);
  watcher.Start(std::chrono::milliseconds(10));
  RotateKeepingNewKeyInPendingFile();
  // The thread's next check finds the rotation and says so: wait for that, not for time.
  ASSERT_TRUE(log.WaitFor("now using the rotated master key"));
  watcher.Stop();
  EXPECT_EQ(data_.keyring->master_key_version(), 2u);
  EXPECT_EQ(data_.keyring->held_master_key_versions(), std::vector<uint32_t>{2});
  EXPECT_EQ(log.Count("cannot load"), 0u);
  // The value sealed under the old master key still opens.
  auto v = crypto::testing::ReadSecret(*data_.store, *data_.keyring, {account_, app_, secret_});
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_TRUE(v->view() == "watcher test value");
}

}  // namespace
}  // namespace voxsecrets::server
