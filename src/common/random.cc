#include "common/random.h"

#include <array>

#include "common/encoding.h"

namespace voxsecrets {

std::string SecureRandom::Uuid() {
  std::array<uint8_t, 16> b{};
  Fill(b);
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);
  std::string out = HexEncode(b);  // 32 digits; 8-4-4-4-12 with the dashes
  for (size_t at : {8, 13, 18, 23}) out.insert(at, 1, '-');
  return out;
}

}  // namespace voxsecrets
