#include "server/data_dir_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <utility>

namespace voxsecrets::server {
namespace {

long ReadPid(int fd) {
  char buf[32] = {};
  const ssize_t n = ::pread(fd, buf, sizeof(buf) - 1, 0);
  if (n <= 0) return 0;
  long pid = 0;
  std::from_chars(buf, buf + n, pid);
  return pid;
}

}  // namespace

std::string DataDirLockPath(const std::string& data_dir) { return data_dir + "/serve.lock"; }

Result<DataDirLock> DataDirLock::Acquire(const std::string& data_dir) {
  const std::string path = DataDirLockPath(data_dir);
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    return Status(StatusCode::kUnavailable,
                  "cannot open the lock file " + path + ": " + std::strerror(errno));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    const long pid = ReadPid(fd);
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return Status(StatusCode::kUnavailable,
                    "the data dir " + data_dir + " is in use by another voxsecrets server" +
                        (pid > 0 ? " (pid " + std::to_string(pid) + ")" : std::string()) +
                        "; stop it first, or give this one its own --data-dir");
    }
    return Status(StatusCode::kUnavailable, "cannot lock " + path + ": " + std::strerror(err));
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  // The pid is for messages only: failing to write it does not weaken the lock.
  if (::ftruncate(fd, 0) == 0) (void)!::pwrite(fd, pid.data(), pid.size(), 0);
  DataDirLock lock;
  lock.fd_ = fd;
  return lock;
}

bool DataDirLock::IsHeld(const std::string& data_dir, long* pid) {
  if (pid != nullptr) *pid = 0;
  const std::string path = DataDirLockPath(data_dir);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return false;
  bool held = false;
  if (::flock(fd, LOCK_SH | LOCK_NB) != 0) {
    held = errno == EWOULDBLOCK;
    if (held && pid != nullptr) *pid = ReadPid(fd);
  } else {
    ::flock(fd, LOCK_UN);
  }
  ::close(fd);
  return held;
}

DataDirLock::DataDirLock(DataDirLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

DataDirLock& DataDirLock::operator=(DataDirLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

DataDirLock::~DataDirLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace voxsecrets::server
