#include "cli/keys_command.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <vector>

#include "common/clock.h"
#include "crypto/crypto_test_util.h"
#include "crypto/key_check.h"
#include "crypto/master_key.h"
#include "crypto/openssl_random.h"
#include "crypto/rotation.h"

namespace voxsecrets::cli {
namespace {

namespace fs = std::filesystem;

void AddKeyOptions(CLI::App* cmd, server::MasterKeySource* source) {
  cmd->add_option("--master-key-file", source->file);
  cmd->add_option("--master-key-env", source->env);
  cmd->add_option("--master-key-command", source->command);
}

class KeysCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto data = Open();
    ASSERT_TRUE(data.ok()) << data.status().ToString();
    account_ = crypto::testing::AddAccount(*data->store, "acme");
    app_ = crypto::testing::AddApplication(*data->store, account_, "app");
    secret_ = crypto::testing::AddSecret(*data->store, *data->keyring, account_, app_, "s",
                                         "keys command value");
    ASSERT_NE(secret_, 0);
  }

  Result<server::OpenedData> Open(const std::string& key_file = "") {
    server::DataOptions options;
    options.data_dir = data_dir_;
    options.create = true;
    options.master_key.file = key_file;
    options.keep_master_key = true;
    return server::OpenData(options, random_, clock_);
  }

  // Runs `voxsecrets <args>` through KeysCommands; returns the exit code.
  int Run(const std::vector<std::string>& args) {
    CLI::App app;
    KeysCommands keys;
    keys.Register(app, AddKeyOptions);
    std::vector<const char*> argv{"voxsecrets"};
    for (const auto& a : args) argv.push_back(a.c_str());
    try {
      app.parse(static_cast<int>(argv.size()), argv.data());
    } catch (const CLI::ParseError& e) {
      ADD_FAILURE() << e.what();
      return -1;
    }
    EXPECT_TRUE(keys.Parsed());
    return keys.Run();
  }

  crypto::LockedKey LoadKey(const std::string& path) {
    auto k = crypto::KeyFileProvider(path).Load();
    EXPECT_TRUE(k.ok()) << k.status().ToString();
    return std::move(k).value();
  }

  // Opens the data with the key file and reads the secret back.
  void ExpectReadable(const std::string& key_file, uint32_t version) {
    auto data = Open(key_file);
    ASSERT_TRUE(data.ok()) << data.status().ToString();
    EXPECT_EQ(data->master_key_version, version);
    auto v = crypto::testing::ReadSecret(*data->store, *data->keyring, {account_, app_, secret_});
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    EXPECT_TRUE(v->view() == "keys command value");
  }

  crypto::testing::TempDir dir_;
  const std::string data_dir_ = dir_.File("data");
  const std::string key_file_ = data_dir_ + "/master.key";
  const std::string pending_ = key_file_ + ".new";
  crypto::OpenSslRandom random_;
  FakeClock clock_;
  int64_t account_ = 0;
  int64_t app_ = 0;
  int64_t secret_ = 0;
};

TEST_F(KeysCommandTest, RotateMasterReplacesTheKeyFileAndTheOldKeyIsRefused) {
  const crypto::LockedKey old_key = LoadKey(key_file_);
  ASSERT_EQ(Run({"keys", "rotate-master", "--data-dir", data_dir_}), 0);
  EXPECT_FALSE(fs::exists(pending_));
  struct stat st {};
  ASSERT_EQ(stat(key_file_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const crypto::LockedKey new_key = LoadKey(key_file_);
  EXPECT_FALSE(new_key.SameKeyAs(old_key));
  ExpectReadable(key_file_, 2);

  auto data = Open();
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(crypto::VerifyMasterKey(*data->store, old_key).status().code(),
            StatusCode::kUnauthenticated);
  // Again: the next version, and still readable.
  ASSERT_EQ(Run({"keys", "rotate-master", "--data-dir", data_dir_}), 0);
  ExpectReadable(key_file_, 3);
}

TEST_F(KeysCommandTest, RotateMasterFinishesARunInterruptedBeforeTheRename) {
  {
    auto data = Open();
    ASSERT_TRUE(data.ok());
    auto next = crypto::CreateMasterKeyFile(pending_, random_);
    ASSERT_TRUE(next.ok());
    ASSERT_TRUE(
        crypto::RotateMasterKey(*data->store, *data->master_key, 1, *next, 2, random_).ok());
  }
  // master.key is now refused (rotated out); the command completes the rename.
  ASSERT_EQ(Run({"keys", "rotate-master", "--data-dir", data_dir_}), 0);
  EXPECT_FALSE(fs::exists(pending_));
  ExpectReadable(key_file_, 2);
}

TEST_F(KeysCommandTest, RotateMasterResumesWithThePendingKey) {
  auto created = crypto::CreateMasterKeyFile(pending_, random_);  // left by a crash
  ASSERT_TRUE(created.ok());
  ASSERT_EQ(Run({"keys", "rotate-master", "--data-dir", data_dir_}), 0);
  EXPECT_TRUE(LoadKey(key_file_).SameKeyAs(*created));
  ExpectReadable(key_file_, 2);
}

TEST_F(KeysCommandTest, RotateMasterWithANamedNewKeyLeavesTheFilesAlone) {
  const std::string new_file = dir_.File("new.key");
  auto created = crypto::CreateMasterKeyFile(new_file, random_);
  ASSERT_TRUE(created.ok());
  const crypto::LockedKey old_key = LoadKey(key_file_);
  ASSERT_EQ(
      Run({"keys", "rotate-master", "--data-dir", data_dir_, "--new-master-key-file", new_file}),
      0);
  EXPECT_TRUE(LoadKey(key_file_).SameKeyAs(old_key));
  ExpectReadable(new_file, 2);
}

TEST_F(KeysCommandTest, RotateMasterRefusesAWrongCurrentKey) {
  const std::string wrong = dir_.File("wrong.key");
  ASSERT_TRUE(crypto::CreateMasterKeyFile(wrong, random_).ok());
  EXPECT_EQ(Run({"keys", "rotate-master", "--data-dir", data_dir_, "--master-key-file", wrong}), 1);
  ExpectReadable(key_file_, 1);
}

TEST_F(KeysCommandTest, RotateAppByNameAndByIdAndStatus) {
  ASSERT_EQ(Run({"keys", "rotate-app", "--data-dir", data_dir_, "--account",
                 std::to_string(account_), "--application", "app.acme.voximplant.com"}),
            0);
  ASSERT_EQ(Run({"keys", "rotate-app", "--data-dir", data_dir_, "--account",
                 std::to_string(account_), "--application", std::to_string(app_)}),
            0);
  auto data = Open();
  ASSERT_TRUE(data.ok());
  auto stored = crypto::testing::StoredValue(*data->store, app_, secret_);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->key_version, 3u);
  ExpectReadable(key_file_, 1);
  EXPECT_EQ(Run({"keys", "rotate-app", "--data-dir", data_dir_, "--account",
                 std::to_string(account_), "--application", "nope"}),
            1);
  EXPECT_EQ(Run({"keys", "status", "--data-dir", data_dir_}), 0);
  EXPECT_EQ(Run({"keys", "status", "--data-dir", dir_.File("absent")}), 1);
}

}  // namespace
}  // namespace voxsecrets::cli
