#include "crypto/aead.h"

#include <gtest/gtest.h>

#include <array>
#include <string>

#include "crypto/openssl_random.h"

namespace voxsecrets::crypto {
namespace {

class AeadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto a = Aes256Gcm::Create();
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    aead_ = std::move(a).value();
    random_.Fill(key_);
    random_.Fill(other_key_);
  }

  std::string SealOrDie(std::string_view aad, std::string_view plaintext) {
    std::string out;
    Status s = aead_->Seal(key_, random_, aad, plaintext, &out);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  }

  OpenSslRandom random_;
  Aes256GcmPtr aead_;
  std::array<uint8_t, 32> key_{};
  std::array<uint8_t, 32> other_key_{};
};

TEST_F(AeadTest, RoundTrip) {
  constexpr char kPlain[] = "a value\0with NUL and \xF0\x9F\x94\x91";
  const std::string plain(kPlain, sizeof(kPlain) - 1);
  const std::string sealed = SealOrDie("aad", plain);
  EXPECT_EQ(sealed.size(), plain.size() + Aes256Gcm::kOverhead);
  auto opened = aead_->Open(key_, "aad", sealed);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_TRUE(opened->view() == plain);
}

TEST_F(AeadTest, EmptyPlaintextAndEmptyAad) {
  const std::string sealed = SealOrDie("", "");
  EXPECT_EQ(sealed.size(), Aes256Gcm::kOverhead);
  auto opened = aead_->Open(key_, "", sealed);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_TRUE(opened->empty());
  EXPECT_EQ(aead_->Open(key_, "x", sealed).status().code(), StatusCode::kDataLoss);
}

TEST_F(AeadTest, SealAppendsToExistingOutput) {
  std::string out = "HDR";
  ASSERT_TRUE(aead_->Seal(key_, random_, "a", "plain", &out).ok());
  ASSERT_EQ(out.substr(0, 3), "HDR");
  auto opened = aead_->Open(key_, "a", std::string_view(out).substr(3));
  ASSERT_TRUE(opened.ok());
  EXPECT_TRUE(opened->view() == "plain");
}

TEST_F(AeadTest, FreshNonceEverySeal) {
  const std::string a = SealOrDie("aad", "same value");
  const std::string b = SealOrDie("aad", "same value");
  EXPECT_NE(a.substr(0, Aes256Gcm::kNonceSize), b.substr(0, Aes256Gcm::kNonceSize));
  EXPECT_NE(a, b);
}

TEST_F(AeadTest, WrongKeyOrAadFails) {
  const std::string sealed = SealOrDie("aad", "value");
  EXPECT_EQ(aead_->Open(other_key_, "aad", sealed).status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(aead_->Open(key_, "aae", sealed).status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(aead_->Open(key_, "aa", sealed).status().code(), StatusCode::kDataLoss);
}

TEST_F(AeadTest, EveryBitFlipFails) {
  const std::string sealed = SealOrDie("aad", "sixteen byte val");
  for (size_t i = 0; i < sealed.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = sealed;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      auto r = aead_->Open(key_, "aad", bad);
      EXPECT_EQ(r.status().code(), StatusCode::kDataLoss) << "byte " << i << " bit " << bit;
    }
  }
}

TEST_F(AeadTest, EveryTruncationFails) {
  const std::string sealed = SealOrDie("aad", "value");
  for (size_t n = 0; n < sealed.size(); ++n) {
    auto r = aead_->Open(key_, "aad", std::string_view(sealed).substr(0, n));
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss) << "length " << n;
  }
}

TEST_F(AeadTest, FailedOpenIntoLeavesNoPlaintext) {
  std::string sealed = SealOrDie("aad", "secret!!");
  sealed.back() = static_cast<char>(sealed.back() ^ 1);  // breaks the tag only
  std::array<uint8_t, 8> out;
  out.fill(0xAA);
  EXPECT_EQ(aead_->OpenInto(key_, "aad", sealed, out).code(), StatusCode::kDataLoss);
  for (uint8_t b : out) EXPECT_EQ(b, 0);
}

TEST_F(AeadTest, RejectsWrongKeySize) {
  std::string out;
  const std::array<uint8_t, 16> short_key{};
  EXPECT_EQ(aead_->Seal(short_key, random_, "", "x", &out).code(), StatusCode::kInternal);
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace voxsecrets::crypto
