#include "crypto/master_key.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "common/ascii.h"
#include "common/encoding.h"

extern char** environ;

namespace voxsecrets::crypto {
namespace {

// Decodes base64 of exactly 32 bytes (43 digits, optionally followed by one '=') into `out`.
bool DecodeBase64(std::string_view text, std::span<uint8_t, LockedKey::kSize> out) {
  if (text.size() == 44 && text.back() == '=') text.remove_suffix(1);
  return text.size() == 43 && Base64DecodeTo(text, Base64::kUnpadded, out);
}

std::string Errno(int err) { return std::strerror(err); }

// Reads all of `fd` (at most `limit` bytes) into `out`. False with errno-like `*err` on failure;
// `*too_long` when more than `limit` bytes were there.
bool ReadAllLimited(int fd, size_t limit, SecureBytes* out, bool* too_long, int* err) {
  SecureBytes buf(limit + 1);
  size_t n = 0;
  while (n < buf.size()) {
    const ssize_t r = read(fd, buf.data() + n, buf.size() - n);
    if (r < 0) {
      if (errno == EINTR) continue;
      *err = errno;
      return false;
    }
    if (r == 0) break;
    n += static_cast<size_t>(r);
  }
  *too_long = n > limit;
  *out = SecureBytes(buf.data(), n > limit ? limit : n);
  return true;
}

}  // namespace

Result<LockedKey> ParseMasterKeyText(std::string_view text, std::string_view source) {
  const std::string_view t = TrimAsciiSpace(text);
  VS_ASSIGN_OR_RETURN(LockedKey key, LockedKey::Allocate());
  if (HexDecodeTo(t, key.mutable_bytes()) || DecodeBase64(t, key.mutable_bytes())) return key;
  return Status(StatusCode::kInvalidArgument,
                std::string(source) +
                    " does not hold a master key: expected 64 hex digits or the base64 of 32 "
                    "bytes");
}

SecureBytes MasterKeyHex(const LockedKey& key) {
  if (!key.valid()) return SecureBytes();
  SecureBytes out(HexSize(LockedKey::kSize));
  HexEncodeTo(key.bytes(), out.span());
  return out;
}

Result<LockedKey> GenerateMasterKey(SecureRandom& random) {
  VS_ASSIGN_OR_RETURN(LockedKey key, LockedKey::Allocate());
  random.Fill(key.mutable_bytes());
  return key;
}

Status WriteMasterKeyFile(const std::string& path, const LockedKey& key) {
  if (!key.valid()) return InternalError("writing an empty master key");
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    const int err = errno;
    if (err == EEXIST) {
      return Status(StatusCode::kAlreadyExists,
                    "master key file " + path + " already exists; it is never overwritten");
    }
    return Status(StatusCode::kPermissionDenied,
                  "cannot create master key file " + path + ": " + Errno(err));
  }
  // The umask may have narrowed 0600 further, never widened it; make it exact anyway.
  (void)fchmod(fd, 0600);
  SecureBytes line(HexSize(LockedKey::kSize) + 1);
  HexEncodeTo(key.bytes(), line.span().first(HexSize(LockedKey::kSize)));
  line.data()[HexSize(LockedKey::kSize)] = '\n';
  size_t done = 0;
  int err = 0;
  while (done < line.size()) {
    const ssize_t w = write(fd, line.data() + done, line.size() - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      err = errno;
      break;
    }
    done += static_cast<size_t>(w);
  }
  if (err == 0 && fsync(fd) != 0) err = errno;
  if (close(fd) != 0 && err == 0) err = errno;
  if (err != 0) {
    unlink(path.c_str());
    return Status(StatusCode::kUnavailable,
                  "cannot write master key file " + path + ": " + Errno(err));
  }
  return Status::Ok();
}

Result<LockedKey> CreateMasterKeyFile(const std::string& path, SecureRandom& random) {
  VS_ASSIGN_OR_RETURN(LockedKey key, GenerateMasterKey(random));
  VS_RETURN_IF_ERROR(WriteMasterKeyFile(path, key));
  return key;
}

// --- KeyFileProvider ---

std::string KeyFileProvider::Describe() const { return "master key file " + path_; }

Result<LockedKey> KeyFileProvider::Load() {
  const int fd = open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT) return Status(StatusCode::kNotFound, Describe() + " does not exist");
    return Status(StatusCode::kPermissionDenied, "cannot open " + Describe() + ": " + Errno(err));
  }
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    const int err = errno;
    close(fd);
    return Status(StatusCode::kPermissionDenied, "cannot stat " + Describe() + ": " + Errno(err));
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return Status(StatusCode::kInvalidArgument, Describe() + " is not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    close(fd);
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Status(StatusCode::kPermissionDenied,
                  Describe() + " is accessible by group or others (mode " + mode +
                      "); restrict it with: chmod 600 " + path_);
  }
  SecureBytes text;
  bool too_long = false;
  int err = 0;
  const bool ok = ReadAllLimited(fd, 4096, &text, &too_long, &err);
  close(fd);
  if (!ok) {
    return Status(StatusCode::kPermissionDenied, "cannot read " + Describe() + ": " + Errno(err));
  }
  if (too_long) {
    return Status(StatusCode::kInvalidArgument, Describe() + " does not hold a master key");
  }
  return ParseMasterKeyText(text.view(), Describe());
}

// --- EnvProvider ---

std::string EnvProvider::Describe() const { return "environment variable " + var_name_; }

Result<LockedKey> EnvProvider::Load() {
  char* value = std::getenv(var_name_.c_str());
  if (value == nullptr || *value == '\0') {
    return Status(StatusCode::kNotFound, Describe() + " is not set");
  }
  auto key = ParseMasterKeyText(value, Describe());
  if (key.ok() && clear_after_load_) {
    SecureWipe(value, std::strlen(value));
    unsetenv(var_name_.c_str());
  }
  return key;
}

// --- CommandProvider ---

std::string CommandProvider::Describe() const { return "the master key command"; }

Result<LockedKey> CommandProvider::Load() {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    return Unavailable("cannot start " + Describe() + ": " + Errno(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  sigset_t empty_mask;
  sigemptyset(&empty_mask);
  sigset_t default_signals;
  sigemptyset(&default_signals);
  for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD}) {
    sigaddset(&default_signals, sig);
  }
  posix_spawnattr_setsigmask(&attr, &empty_mask);
  posix_spawnattr_setsigdefault(&attr, &default_signals);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::string sh = "/bin/sh";
  std::string dash_c = "-c";
  std::string command = command_;
  char* argv[] = {sh.data(), dash_c.data(), command.data(), nullptr};
  pid_t pid = -1;
  const int spawn_err = posix_spawn(&pid, "/bin/sh", &actions, &attr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(pipe_fds[1]);
  if (spawn_err != 0) {
    close(pipe_fds[0]);
    return Unavailable("cannot start " + Describe() + ": " + Errno(spawn_err));
  }

  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  auto remaining_ms = [&deadline]() -> int {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    return left.count() <= 0 ? 0 : static_cast<int>(std::min<int64_t>(left.count(), 1 << 30));
  };
  SecureBytes out(kMaxOutput + 1);
  size_t n = 0;
  bool timed_out = false;
  bool read_error = false;
  for (;;) {
    pollfd p{pipe_fds[0], POLLIN, 0};
    const int wait_ms = remaining_ms();
    if (wait_ms == 0) {
      timed_out = true;
      break;
    }
    const int pr = poll(&p, 1, wait_ms);
    if (pr < 0) {
      if (errno == EINTR) continue;
      read_error = true;
      break;
    }
    if (pr == 0) {
      timed_out = true;
      break;
    }
    if (n == out.size()) break;  // too much output; the caller reports it
    const ssize_t r = read(pipe_fds[0], out.data() + n, out.size() - n);
    if (r < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      read_error = true;
      break;
    }
    if (r == 0) break;  // EOF
    n += static_cast<size_t>(r);
  }
  close(pipe_fds[0]);

  // Reap the child; past the deadline, kill its whole process group (stray grandchildren too).
  int wstatus = 0;
  bool wait_error = false;
  while (!timed_out) {
    const pid_t w = waitpid(pid, &wstatus, WNOHANG);
    if (w == pid) break;
    if (w < 0) {
      if (errno == EINTR) continue;
      wait_error = true;
      break;
    }
    if (remaining_ms() == 0) {
      timed_out = true;
      break;
    }
    usleep(2000);
  }
  if (timed_out) {
    kill(-pid, SIGKILL);
    while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
    }
    return Unavailable(Describe() + " did not finish within " + std::to_string(timeout_.count()) +
                       " ms");
  }
  if (n > kMaxOutput) {
    return Status(StatusCode::kInvalidArgument,
                  "the output of " + Describe() + " does not hold a master key (too long)");
  }
  if (wait_error || read_error) {
    return Unavailable("cannot read the output of " + Describe());
  }
  if (WIFSIGNALED(wstatus)) {
    return Unavailable(Describe() + " was killed by signal " + std::to_string(WTERMSIG(wstatus)));
  }
  if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
    return Unavailable(Describe() + " exited with status " +
                       std::to_string(WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1));
  }
  return ParseMasterKeyText(std::string_view(reinterpret_cast<const char*>(out.data()), n),
                            "the output of " + Describe());
}

}  // namespace voxsecrets::crypto
