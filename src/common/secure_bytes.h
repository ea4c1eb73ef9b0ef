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
#include <span>
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

}  // namespace voxsecrets

#endif  // VOXSECRETS_COMMON_SECURE_BYTES_H_
