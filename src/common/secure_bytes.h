// SecureBytes: a byte buffer for secret values and key material. It wipes its memory when it is
// destroyed, moved from or cleared, has no operator<< and no implicit conversion to std::string,
// so it cannot be logged by accident. Copies are explicit (Clone()).
//
// Thread-safety: like std::vector: const methods may be shared, others need external locking.
#ifndef VOXSECRETS_COMMON_SECURE_BYTES_H_
#define VOXSECRETS_COMMON_SECURE_BYTES_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace voxsecrets {

// Overwrites `n` bytes at `p` with zeros in a way the optimiser may not remove.
void SecureWipe(void* p, size_t n);

// Compares two byte ranges in time that depends only on their lengths.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

class SecureBytes {
 public:
  SecureBytes() = default;
  explicit SecureBytes(size_t n) : data_(n) {}
  SecureBytes(const uint8_t* p, size_t n) : data_(p, p + n) {}
  static SecureBytes FromView(std::string_view s) {
    return SecureBytes(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  }
  ~SecureBytes() { Clear(); }

  SecureBytes(SecureBytes&& other) noexcept : data_(std::move(other.data_)) { other.Clear(); }
  SecureBytes& operator=(SecureBytes&& other) noexcept {
    if (this != &other) {
      Clear();
      data_ = std::move(other.data_);
      other.Clear();
    }
    return *this;
  }
  SecureBytes(const SecureBytes&) = delete;
  SecureBytes& operator=(const SecureBytes&) = delete;

  SecureBytes Clone() const { return SecureBytes(data_.data(), data_.size()); }

  uint8_t* data() { return data_.data(); }
  const uint8_t* data() const { return data_.data(); }
  size_t size() const { return data_.size(); }
  bool empty() const { return data_.empty(); }
  std::span<uint8_t> span() { return data_; }
  std::span<const uint8_t> span() const { return data_; }
  // A view for code that must read the bytes as text (JSON encoding of a value on its way
  // out). The view must not outlive this object and must not be logged.
  std::string_view view() const {
    return std::string_view(reinterpret_cast<const char*>(data_.data()), data_.size());
  }

  // Wipes, then empties.
  void Clear() {
    if (!data_.empty()) SecureWipe(data_.data(), data_.size());
    data_.clear();
    data_.shrink_to_fit();
  }

  bool operator==(const SecureBytes& o) const { return ConstantTimeEquals(view(), o.view()); }

 private:
  std::vector<uint8_t> data_;
};

// A standard allocator that wipes memory before handing it back: for containers that may hold
// secret values on their way through a library (a JSON lexer's token buffer, an HTTP parser's
// header fields and body), so that no heap block is freed with a value still in it. A container
// that grows leaves nothing behind either: each block it outgrows is wiped as it is released.
// (Short strings kept inside the object itself, not on the heap, are the owner's business.)
template <typename T>
struct WipingAllocator {
  using value_type = T;
  WipingAllocator() noexcept = default;
  template <typename U>
  WipingAllocator(const WipingAllocator<U>& /*other*/) noexcept {}  // NOLINT: rebinding
  T* allocate(size_t n) { return std::allocator<T>().allocate(n); }
  void deallocate(T* p, size_t n) noexcept {
    SecureWipe(p, n * sizeof(T));
    std::allocator<T>().deallocate(p, n);
  }
  template <typename U>
  bool operator==(const WipingAllocator<U>& /*other*/) const noexcept {
    return true;
  }
};

// A std::string whose heap memory is wiped when released.
using WipingString = std::basic_string<char, std::char_traits<char>, WipingAllocator<char>>;

}  // namespace voxsecrets

#endif  // VOXSECRETS_COMMON_SECURE_BYTES_H_
