// LockedKey: a 32-byte key (master key or data key) kept in its own page of memory that is
// mlock()ed (never swapped), madvise(MADV_DONTDUMP)ed (left out of core dumps) and
// MADV_DONTFORK (not mapped in a child made by fork(); posix_spawn is unaffected). The page is
// wiped and unmapped when the key is destroyed or moved from. There is no copy, no conversion to
// string and no operator<<, so key material cannot be printed by accident; Clone() is explicit.
//
// Locking may fail (RLIMIT_MEMLOCK is small on some systems). That never stops the server: the
// key still works, memory_locked() is false, and the caller logs that once.
//
// Thread-safety: like a value type: const methods may be shared, others need external locking.
// Ownership: the object owns its page; spans returned by bytes() die with the object.
#ifndef VOXSECRETS_CRYPTO_LOCKED_KEY_H_
#define VOXSECRETS_CRYPTO_LOCKED_KEY_H_

#include <cstddef>
#include <cstdint>
#include <span>

#include "common/status.h"

namespace voxsecrets::crypto {

class LockedKey {
 public:
  static constexpr size_t kSize = 32;

  // A zero-filled key buffer. kInternal only when the system refuses to map one page.
  static Result<LockedKey> Allocate();
  // A key holding a copy of `bytes`. kInvalidArgument unless bytes.size() == kSize.
  static Result<LockedKey> FromBytes(std::span<const uint8_t> bytes);

  ~LockedKey();
  LockedKey(LockedKey&& other) noexcept;
  LockedKey& operator=(LockedKey&& other) noexcept;
  LockedKey(const LockedKey&) = delete;
  LockedKey& operator=(const LockedKey&) = delete;

  Result<LockedKey> Clone() const;

  // False only for a moved-from key.
  bool valid() const { return page_ != nullptr; }
  // REQUIRES: valid().
  std::span<const uint8_t, kSize> bytes() const;
  std::span<uint8_t, kSize> mutable_bytes();

  // Whether mlock() succeeded (the key cannot be swapped out).
  bool memory_locked() const { return locked_; }
  // Whether madvise(MADV_DONTDUMP) succeeded (the key is not written to core dumps).
  bool dump_excluded() const { return dump_excluded_; }

  // Constant-time comparison of the key bytes. Two moved-from keys are equal.
  bool SameKeyAs(const LockedKey& other) const;

 private:
  LockedKey(uint8_t* page, size_t page_size, bool locked, bool dump_excluded)
      : page_(page), page_size_(page_size), locked_(locked), dump_excluded_(dump_excluded) {}
  void Release();

  uint8_t* page_ = nullptr;
  size_t page_size_ = 0;
  bool locked_ = false;
  bool dump_excluded_ = false;
};

}  // namespace voxsecrets::crypto

#endif  // VOXSECRETS_CRYPTO_LOCKED_KEY_H_
