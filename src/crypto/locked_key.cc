#include "crypto/locked_key.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <string_view>
#include <utility>

#include "common/secure_bytes.h"

namespace voxsecrets::crypto {

Result<LockedKey> LockedKey::Allocate() {
  long page_size = sysconf(_SC_PAGESIZE);
  if (page_size < static_cast<long>(kSize)) page_size = 4096;
  void* p = mmap(nullptr, static_cast<size_t>(page_size), PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return InternalError("cannot map memory for key material");
  const bool locked = mlock(p, static_cast<size_t>(page_size)) == 0;
  const bool dump_excluded = madvise(p, static_cast<size_t>(page_size), MADV_DONTDUMP) == 0;
  // A forked child gets no copy of the page (touching it there faults instead of silently
  // reading zeros, as MADV_WIPEONFORK would give). posix_spawn (CLONE_VM) is unaffected.
  (void)madvise(p, static_cast<size_t>(page_size), MADV_DONTFORK);
  // Anonymous mappings are zero-filled.
  return LockedKey(static_cast<uint8_t*>(p), static_cast<size_t>(page_size), locked, dump_excluded);
}

Result<LockedKey> LockedKey::FromBytes(std::span<const uint8_t> bytes) {
  if (bytes.size() != kSize) {
    return Status(StatusCode::kInvalidArgument, "a key must be exactly 32 bytes");
  }
  VS_ASSIGN_OR_RETURN(LockedKey key, Allocate());
  std::memcpy(key.page_, bytes.data(), kSize);
  return key;
}

LockedKey::~LockedKey() { Release(); }

LockedKey::LockedKey(LockedKey&& other) noexcept
    : page_(std::exchange(other.page_, nullptr)),
      page_size_(std::exchange(other.page_size_, 0)),
      locked_(std::exchange(other.locked_, false)),
      dump_excluded_(std::exchange(other.dump_excluded_, false)) {}

LockedKey& LockedKey::operator=(LockedKey&& other) noexcept {
  if (this != &other) {
    Release();
    page_ = std::exchange(other.page_, nullptr);
    page_size_ = std::exchange(other.page_size_, 0);
    locked_ = std::exchange(other.locked_, false);
    dump_excluded_ = std::exchange(other.dump_excluded_, false);
  }
  return *this;
}

void LockedKey::Release() {
  if (page_ == nullptr) return;
  SecureWipe(page_, page_size_);
  if (locked_) munlock(page_, page_size_);
  munmap(page_, page_size_);
  page_ = nullptr;
  page_size_ = 0;
  locked_ = false;
  dump_excluded_ = false;
}

Result<LockedKey> LockedKey::Clone() const {
  if (!valid()) return InternalError("cloning an empty key");
  return FromBytes(bytes());
}

std::span<const uint8_t, LockedKey::kSize> LockedKey::bytes() const {
  return std::span<const uint8_t, kSize>(page_, kSize);
}

std::span<uint8_t, LockedKey::kSize> LockedKey::mutable_bytes() {
  return std::span<uint8_t, kSize>(page_, kSize);
}

bool LockedKey::SameKeyAs(const LockedKey& other) const {
  if (!valid() || !other.valid()) return valid() == other.valid();
  return ConstantTimeEquals(std::string_view(reinterpret_cast<const char*>(page_), kSize),
                            std::string_view(reinterpret_cast<const char*>(other.page_), kSize));
}

}  // namespace voxsecrets::crypto
