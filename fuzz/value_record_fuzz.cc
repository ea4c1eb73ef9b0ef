// Fuzzes the parsers of everything encryption at rest reads back from storage or from an
// operator (docs/RECORD_FORMAT.md): value records (ValueRecordKeyVersion + OpenValueRecord),
// wrapped data keys (WrappedKeyId + UnwrapDataKey) and master key text (ParseMasterKeyText),
// plus a seal/open round trip with one bit flipped.
//
// Input: byte 0 picks the mode (mod 4), the next bytes are parameters, the rest is the payload:
//   0  value record   [0][account][application][secret][row key_version][blob ...]
//   1  wrapped key    [1][application][version][master key version][wrapped_key ...]
//   2  master key     [2][text ...]
//   3  round trip     [3][flip offset hi][flip offset lo][plaintext ...]
// Fixed keys: data key bytes 0x00..0x1f, master key bytes 0x80..0x9f. The seed corpus
// (value_record_corpus/, made by make_value_record_corpus.mjs with Node's AES-256-GCM, an
// independent implementation) holds valid records under those keys for context (1, 2, 3) and
// data key (application 2, version 1, master key version 1), so mutations start from inputs that
// reach the success path.
//
// Invariants (a break traps): a failed open or unwrap is kDataLoss (or kInternal for a master
// key version mismatch) and never yields bytes; a successful open yields exactly
// blob.size() - 33 bytes; a round trip returns the plaintext; any flipped bit makes the open
// fail; a parsed master key is 32 bytes.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "common/random.h"
#include "common/sealed_value.h"
#include "common/status.h"
#include "crypto/aead.h"
#include "crypto/data_key_wrap.h"
#include "crypto/locked_key.h"
#include "crypto/master_key.h"
#include "crypto/value_record.h"
#include "store/records.h"

namespace {

using namespace voxsecrets;          // NOLINT: fuzz harness
using namespace voxsecrets::crypto;  // NOLINT: fuzz harness

// Deterministic "randomness" so that a crashing input replays exactly.
class CounterRandom final : public SecureRandom {
 public:
  void Fill(std::span<uint8_t> out) override {
    for (auto& b : out) b = static_cast<uint8_t>(++counter_ * 131u);
  }

 private:
  uint32_t counter_ = 0;
};

struct Harness {
  Harness() : aead(std::move(Aes256Gcm::Create()).value()) {
    for (size_t i = 0; i < dek.size(); ++i) dek[i] = static_cast<uint8_t>(i);
    auto k = LockedKey::Allocate();
    if (!k.ok()) __builtin_trap();
    kek.emplace(std::move(k).value());
    for (size_t i = 0; i < LockedKey::kSize; ++i) kek->mutable_bytes()[i] = 0x80 + i;
  }
  Aes256GcmPtr aead;
  std::array<uint8_t, 32> dek{};
  std::optional<LockedKey> kek;
  CounterRandom random;
};

Harness& H() {
  static Harness* h = new Harness();  // never destroyed: the entry point runs millions of times
  return *h;
}

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

void FuzzValueRecord(const uint8_t* p, size_t n) {
  if (n < 4) return;
  const ValueContext ctx{p[0], p[1], p[2]};
  SealedValue sealed;
  sealed.key_version = p[3];
  sealed.blob.assign(reinterpret_cast<const char*>(p + 4), n - 4);
  auto version = ValueRecordKeyVersion(sealed);
  if (!version.ok()) Check(version.status().code() == StatusCode::kDataLoss);
  auto plain = OpenValueRecord(*H().aead, H().dek, ctx, sealed);
  if (plain.ok()) {
    Check(version.ok());
    Check(plain->size() + kValueRecordOverhead == sealed.blob.size());
  } else {
    Check(plain.status().code() == StatusCode::kDataLoss);
  }
}

void FuzzWrappedKey(const uint8_t* p, size_t n) {
  if (n < 3) return;
  store::DataKeyRecord record;
  record.application_id = p[0];
  record.version = p[1];
  record.master_key_version = p[2];
  record.wrapped_key.assign(reinterpret_cast<const char*>(p + 3), n - 3);
  auto id = WrappedKeyId(record.wrapped_key);
  if (id.ok()) {
    Check(id->size() == kDataKeyIdSize);
  } else {
    Check(id.status().code() == StatusCode::kDataLoss);
  }
  auto dek = UnwrapDataKey(*H().aead, *H().kek, 1, record);
  if (dek.ok()) {
    Check(id.ok() && record.master_key_version == 1 && dek->valid());
  } else {
    const StatusCode c = dek.status().code();
    Check(c == StatusCode::kDataLoss ||
          (c == StatusCode::kInternal && record.master_key_version != 1));
  }
}

void FuzzMasterKeyText(const uint8_t* p, size_t n) {
  auto key = ParseMasterKeyText(std::string_view(reinterpret_cast<const char*>(p), n), "fuzz");
  if (key.ok()) {
    Check(key->valid() && key->bytes().size() == LockedKey::kSize);
  } else {
    Check(key.status().code() == StatusCode::kInvalidArgument);
  }
}

void FuzzRoundTrip(const uint8_t* p, size_t n) {
  if (n < 2) return;
  const size_t flip = (size_t{p[0]} << 8 | p[1]);
  const std::string_view plaintext(reinterpret_cast<const char*>(p + 2), n - 2);
  const ValueContext ctx{7, 8, 9};
  auto sealed = SealValueRecord(*H().aead, H().dek, 3, H().random, ctx, plaintext);
  Check(sealed.ok());
  auto opened = OpenValueRecord(*H().aead, H().dek, ctx, *sealed);
  Check(opened.ok() && opened->view() == plaintext);
  // Bound to its context: another secret id, or another version of the secret, does not open it.
  Check(!OpenValueRecord(*H().aead, H().dek, {7, 8, 10}, *sealed).ok());
  Check(!OpenValueRecord(*H().aead, H().dek, {7, 8, 9, 2}, *sealed).ok());
  SealedValue tampered = *sealed;
  const size_t bit = flip % (tampered.blob.size() * 8);
  tampered.blob[bit / 8] = static_cast<char>(tampered.blob[bit / 8] ^ (1 << (bit % 8)));
  auto bad = OpenValueRecord(*H().aead, H().dek, ctx, tampered);
  Check(!bad.ok() && bad.status().code() == StatusCode::kDataLoss);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t* p = data + 1;
  const size_t n = size - 1;
  switch (data[0] % 4) {
    case 0:
      FuzzValueRecord(p, n);
      break;
    case 1:
      FuzzWrappedKey(p, n);
      break;
    case 2:
      FuzzMasterKeyText(p, n);
      break;
    default:
      FuzzRoundTrip(p, n);
      break;
  }
  return 0;
}
