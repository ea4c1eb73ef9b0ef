#include "crypto/value_record.h"

#include <gtest/gtest.h>

#include <array>
#include <string>

#include "crypto/openssl_random.h"

namespace voxsecrets::crypto {
namespace {

class ValueRecordTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto a = Aes256Gcm::Create();
    ASSERT_TRUE(a.ok());
    aead_ = std::move(a).value();
    random_.Fill(dek_);
  }

  SealedValue SealOrDie(const ValueContext& ctx, std::string_view plain, uint32_t version = 7) {
    auto r = SealValueRecord(*aead_, dek_, version, random_, ctx, plain);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : SealedValue{};
  }

  OpenSslRandom random_;
  Aes256GcmPtr aead_;
  std::array<uint8_t, 32> dek_{};
  const ValueContext ctx_{11, 22, 33, 5};
};

TEST_F(ValueRecordTest, LayoutMatchesTheDocumentedFormat) {
  const SealedValue s = SealOrDie(ctx_, "abc", 0x01020304);
  ASSERT_EQ(s.blob.size(), 1 + 4 + 12 + 3 + 16);
  EXPECT_EQ(s.key_version, 0x01020304u);
  EXPECT_EQ(static_cast<uint8_t>(s.blob[0]), 2);
  EXPECT_EQ(s.blob.substr(1, 4), std::string("\x01\x02\x03\x04", 4));
  // The body after the header is an AES-256-GCM box under the documented AAD.
  auto opened = aead_->Open(dek_, "voxsecrets value v2|11|22|33|5|16909060",
                            std::string_view(s.blob).substr(5));
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_TRUE(opened->view() == "abc");
  EXPECT_EQ(ValueAad(kValueRecordFormat, ctx_, 16909060),
            "voxsecrets value v2|11|22|33|5|16909060");
  EXPECT_EQ(ValueAad(kValueRecordFormatV1, ctx_, 16909060),
            "voxsecrets value v1|11|22|33|16909060");
}

// A record of the first format (before secret versions), made as the format page says: it is
// version 1 of its secret and opens as that only (a database from before the upgrade).
TEST_F(ValueRecordTest, FirstFormatRecordsOpenAsVersionOne) {
  SealedValue v1{std::string("\x01\x00\x00\x00\x07", 5), 7};
  ASSERT_TRUE(
      aead_->Seal(dek_, random_, "voxsecrets value v1|11|22|33|7", "old value", &v1.blob).ok());
  const ValueContext version_one{11, 22, 33, 1};
  auto opened = OpenValueRecord(*aead_, dek_, version_one, v1);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_TRUE(opened->view() == "old value");
  EXPECT_EQ(*ValueRecordKeyVersion(v1), 7u);
  // Kept as version 2 (or moved to another secret) it does not open.
  for (const ValueContext& other : {ValueContext{11, 22, 33, 2}, ValueContext{11, 22, 34, 1}}) {
    EXPECT_EQ(OpenValueRecord(*aead_, dek_, other, v1).status().code(), StatusCode::kDataLoss);
  }
}

TEST_F(ValueRecordTest, BoundToTheVersionOfTheSecret) {
  const SealedValue s = SealOrDie(ValueContext{11, 22, 33, 3}, "third");
  EXPECT_TRUE(OpenValueRecord(*aead_, dek_, ValueContext{11, 22, 33, 3}, s).ok());
  for (int64_t version : {1, 2, 4, 0, -3}) {
    EXPECT_EQ(OpenValueRecord(*aead_, dek_, ValueContext{11, 22, 33, version}, s).status().code(),
              StatusCode::kDataLoss)
        << version;
  }
}

TEST_F(ValueRecordTest, RoundTripsArbitraryBytes) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  std::string emoji;
  for (int i = 0; i < 8192; ++i) emoji += "\xF0\x9F\x98\x80";  // 8192 code points, 32 KiB
  for (const std::string& plain : {std::string(), std::string("\0", 1), all, emoji}) {
    const SealedValue s = SealOrDie(ctx_, plain);
    auto opened = OpenValueRecord(*aead_, dek_, ctx_, s);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    EXPECT_EQ(opened->size(), plain.size());
    EXPECT_TRUE(opened->view() == plain);
  }
}

TEST_F(ValueRecordTest, SameValueSealsDifferently) {
  const SealedValue a = SealOrDie(ctx_, "same");
  const SealedValue b = SealOrDie(ctx_, "same");
  EXPECT_NE(a.blob, b.blob);
}

TEST_F(ValueRecordTest, BoundToAccountApplicationAndSecret) {
  const SealedValue s = SealOrDie(ctx_, "bound");
  for (const ValueContext& other : {ValueContext{12, 22, 33, 5}, ValueContext{11, 23, 33, 5},
                                    ValueContext{11, 22, 34, 5}, ValueContext{0, 0, 0, 5}}) {
    auto r = OpenValueRecord(*aead_, dek_, other, s);
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  }
}

TEST_F(ValueRecordTest, VersionIsAuthenticated) {
  SealedValue s = SealOrDie(ctx_, "v", 7);
  // Rewrite the header and the row's version together: the AAD no longer matches.
  s.blob[4] = 8;
  s.key_version = 8;
  EXPECT_EQ(OpenValueRecord(*aead_, dek_, ctx_, s).status().code(), StatusCode::kDataLoss);
}

TEST_F(ValueRecordTest, HeaderAndRowVersionMustAgree) {
  SealedValue s = SealOrDie(ctx_, "v", 7);
  s.key_version = 6;
  EXPECT_EQ(ValueRecordKeyVersion(s).status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(OpenValueRecord(*aead_, dek_, ctx_, s).status().code(), StatusCode::kDataLoss);
}

TEST_F(ValueRecordTest, UnknownFormatFails) {
  for (char format : {'\x00', '\x03', '\xff'}) {
    SealedValue s = SealOrDie(ctx_, "v");
    s.blob[0] = format;
    EXPECT_EQ(ValueRecordKeyVersion(s).status().code(), StatusCode::kDataLoss);
  }
  // A format 2 record relabelled as format 1 (to drop the version from its AAD) does not open.
  SealedValue relabelled = SealOrDie(ValueContext{11, 22, 33, 1}, "v");
  relabelled.blob[0] = 1;
  EXPECT_EQ(OpenValueRecord(*aead_, dek_, ValueContext{11, 22, 33, 1}, relabelled).status().code(),
            StatusCode::kDataLoss);
}

TEST_F(ValueRecordTest, EveryByteFlipFails) {
  const SealedValue s = SealOrDie(ctx_, "a secret value");
  for (size_t i = 0; i < s.blob.size(); ++i) {
    SealedValue bad = s;
    bad.blob[i] = static_cast<char>(bad.blob[i] ^ 0x5a);
    EXPECT_EQ(OpenValueRecord(*aead_, dek_, ctx_, bad).status().code(), StatusCode::kDataLoss)
        << "byte " << i;
  }
}

TEST_F(ValueRecordTest, EveryTruncationAndExtensionFails) {
  const SealedValue s = SealOrDie(ctx_, "a secret value");
  for (size_t n = 0; n < s.blob.size(); ++n) {
    SealedValue bad = s;
    bad.blob.resize(n);
    EXPECT_EQ(OpenValueRecord(*aead_, dek_, ctx_, bad).status().code(), StatusCode::kDataLoss)
        << "length " << n;
  }
  SealedValue longer = s;
  longer.blob.push_back('\0');
  EXPECT_EQ(OpenValueRecord(*aead_, dek_, ctx_, longer).status().code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace voxsecrets::crypto
