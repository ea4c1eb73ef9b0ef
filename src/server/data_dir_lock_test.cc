#include "server/data_dir_lock.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

namespace voxsecrets::server {
namespace {

using ::testing::HasSubstr;

class DataDirLockTest : public ::testing::Test {
 protected:
  DataDirLockTest() {
    char tmpl[] = "/tmp/voxsecrets-lock-test-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  ~DataDirLockTest() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(DataDirLockTest, OneHolderAtATimeAndReleasedWithTheObject) {
  EXPECT_FALSE(DataDirLock::IsHeld(dir_));
  {
    auto lock = DataDirLock::Acquire(dir_);
    ASSERT_TRUE(lock.ok()) << lock.status().message();
    EXPECT_TRUE(lock->held());
    struct stat st {};
    ASSERT_EQ(::stat(DataDirLockPath(dir_).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    long pid = 0;
    EXPECT_TRUE(DataDirLock::IsHeld(dir_, &pid));
    EXPECT_EQ(pid, ::getpid());
    auto second = DataDirLock::Acquire(dir_);
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
    EXPECT_THAT(second.status().message(), HasSubstr("in use by another voxsecrets server"));
    EXPECT_THAT(second.status().message(), HasSubstr("pid " + std::to_string(::getpid())));
  }
  EXPECT_FALSE(DataDirLock::IsHeld(dir_));
  EXPECT_TRUE(DataDirLock::Acquire(dir_).ok());
}

TEST_F(DataDirLockTest, AProcessThatDiesReleasesIt) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto lock = DataDirLock::Acquire(dir_);
    ::_exit(lock.ok() ? 0 : 1);  // no cleanup: the kernel must release the lock
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  EXPECT_FALSE(DataDirLock::IsHeld(dir_));
  EXPECT_TRUE(DataDirLock::Acquire(dir_).ok());
}

}  // namespace
}  // namespace voxsecrets::server
