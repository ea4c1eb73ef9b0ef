#include "server/data_dir.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "crypto/openssl_random.h"

namespace voxsecrets::server {
namespace {

namespace fs = std::filesystem;

class DataDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/vs-datadir-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    dir_ = root_ + "/data";
  }
  void TearDown() override { fs::remove_all(root_); }

  Result<OpenedData> Open(bool create, MasterKeySource source = {}) {
    DataOptions options;
    options.data_dir = dir_;
    options.create = create;
    options.master_key = std::move(source);
    return OpenData(options, random_, clock_);
  }

  std::string root_;
  std::string dir_;
  crypto::OpenSslRandom random_;
  FakeClock clock_;
};

TEST_F(DataDirTest, FirstOpenCreatesDatabaseAndPrivateKeyFile) {
  auto data = Open(/*create=*/true);
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  EXPECT_TRUE(data->created_database);
  const DataDirPaths paths(dir_);
  EXPECT_TRUE(fs::exists(paths.database));
  struct stat st {};
  ASSERT_EQ(stat(paths.master_key.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(stat(dir_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0077, 0u);
}

TEST_F(DataDirTest, ADataDirOthersMayWriteIsRefused) {
  ASSERT_TRUE(Open(/*create=*/true).ok());
  struct stat st {};
  ASSERT_EQ(::stat(dir_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);  // made private
  for (mode_t mode : {0770, 0702, 0777}) {
    ASSERT_EQ(::chmod(dir_.c_str(), mode), 0);
    for (bool create : {true, false}) {
      const Status s = Open(create).status();
      EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << std::oct << mode;
      EXPECT_NE(s.message().find("chmod go-w " + dir_), std::string::npos) << s.message();
    }
  }
  // Readable by the group is the operator's choice; writable is not.
  ASSERT_EQ(::chmod(dir_.c_str(), 0750), 0);
  EXPECT_TRUE(Open(false).ok());
}

TEST_F(DataDirTest, ADataDirOfAnotherUserIsRefused) {
  ASSERT_TRUE(Open(/*create=*/true).ok());
  if (::geteuid() != 0) {
    // Only root can give a directory away; CI runs as root.
    EXPECT_TRUE(CheckDataDirPermissions(dir_).ok());
    return;
  }
  ASSERT_EQ(::chown(dir_.c_str(), 4242, 4242), 0);
  const Status s = Open(false).status();
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(s.message().find("owned by uid 4242"), std::string::npos) << s.message();
  // Owned by root is fine for anyone (as for sshd): only root could change it.
  ASSERT_EQ(::chown(dir_.c_str(), 0, 0), 0);
  EXPECT_TRUE(Open(false).ok());
}

TEST_F(DataDirTest, ReopenUsesTheSameKey) {
  ASSERT_TRUE(Open(true).ok());
  auto again = Open(false);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(again->created_database);
}

TEST_F(DataDirTest, AdminOpenRefusesAMissingDatabase) {
  auto data = Open(/*create=*/false);
  ASSERT_FALSE(data.ok());
  EXPECT_NE(data.status().message().find("no voxsecrets database"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir_));
}

TEST_F(DataDirTest, MissingKeyFileNextToExistingDataIsRefusedNotRecreated) {
  ASSERT_TRUE(Open(true).ok());
  const DataDirPaths paths(dir_);
  fs::remove(paths.master_key);
  auto data = Open(true);
  ASSERT_FALSE(data.ok());
  EXPECT_NE(data.status().message().find("master key"), std::string::npos);
  EXPECT_FALSE(fs::exists(paths.master_key));
}

TEST_F(DataDirTest, WrongMasterKeyIsRefused) {
  ASSERT_TRUE(Open(true).ok());
  const DataDirPaths paths(dir_);
  fs::remove(paths.master_key);
  {
    std::ofstream out(paths.master_key);
    out << std::string(64, 'a') << "\n";
  }
  fs::permissions(paths.master_key, fs::perms::owner_read | fs::perms::owner_write);
  auto data = Open(false);
  ASSERT_FALSE(data.ok());
  EXPECT_NE(data.status().message().find("refused"), std::string::npos) << data.status().message();
}

TEST_F(DataDirTest, EnvironmentProviderIsUsedWhenNamed) {
  setenv("VS_TEST_MASTER_KEY", std::string(64, 'b').c_str(), 1);
  MasterKeySource env;
  env.env = "VS_TEST_MASTER_KEY";
  ASSERT_TRUE(Open(true, env).ok());
  EXPECT_FALSE(fs::exists(DataDirPaths(dir_).master_key));  // no dev key file made
  setenv("VS_TEST_MASTER_KEY", std::string(64, 'c').c_str(), 1);
  EXPECT_FALSE(Open(false, env).ok());
  setenv("VS_TEST_MASTER_KEY", std::string(64, 'b').c_str(), 1);
  EXPECT_TRUE(Open(false, env).ok());
}

}  // namespace
}  // namespace voxsecrets::server
