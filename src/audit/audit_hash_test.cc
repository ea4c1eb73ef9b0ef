#include "audit/audit_hash.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace voxsecrets::audit {
namespace {

store::AuditRecord Sample() {
  store::AuditRecord record;
  record.id = 17;
  record.chain_id = 2;
  record.seq = 5;
  record.time_ms = 1767225600123;
  record.account_id = 4;
  record.key_id = "k";
  record.credential = "service_key";
  record.ip = "10.1.2.3";
  record.method = "AddSecret";
  record.args_json = R"({"secret_value":"***"})";
  record.touched_json = R"({"secret_ids":[9]})";
  record.result_code = 0;
  record.prev_hash = std::string(kGenesisHash);
  return record;
}

TEST(AuditHashTest, CanonicalBytesAreLengthPrefixedFieldsAfterTheVersion) {
  store::AuditRecord record;  // all defaults: zeros and empty strings
  const std::string bytes = CanonicalAuditBytes(record);
  std::string expected = std::string(kAuditHashVersion) + std::string(1, '\0');
  auto field = [&](const std::string& text) {
    expected += std::string(7, '\0') + static_cast<char>(text.size()) + text;
  };
  for (const char* text : {"0", "0", "0", "0", "", "", "", "", "", "", "", "0", ""}) field(text);
  EXPECT_EQ(bytes, expected);
}

TEST(AuditHashTest, KnownAnswerPinsFormatVersion1) {
  // Changing the canonical form breaks verification of every stored log: bump the version.
  EXPECT_EQ(ComputeAuditHash(Sample()),
            "0c8d9a38c35a5a8ad2da4465f1789f1e0282673f8d327958c3afb4667f4a6221");
}

TEST(AuditHashTest, EveryFieldIsCovered) {
  const std::string base = ComputeAuditHash(Sample());
  ASSERT_EQ(base.size(), 64u);
  std::vector<std::function<void(store::AuditRecord&)>> edits = {
      [](store::AuditRecord& r) { r.id += 1; },
      [](store::AuditRecord& r) { r.chain_id += 1; },
      [](store::AuditRecord& r) { r.seq += 1; },
      [](store::AuditRecord& r) { r.time_ms += 1; },
      [](store::AuditRecord& r) { r.account_id = std::nullopt; },
      [](store::AuditRecord& r) { r.account_id = 5; },
      [](store::AuditRecord& r) { r.key_id += "x"; },
      [](store::AuditRecord& r) { r.credential = "none"; },
      [](store::AuditRecord& r) { r.ip = "10.1.2.4"; },
      [](store::AuditRecord& r) { r.method = "DelSecret"; },
      [](store::AuditRecord& r) { r.args_json = "{}"; },
      [](store::AuditRecord& r) { r.touched_json = "{}"; },
      [](store::AuditRecord& r) { r.result_code = 341; },
      [](store::AuditRecord& r) { r.prev_hash[0] = '1'; },
  };
  for (size_t i = 0; i < edits.size(); ++i) {
    store::AuditRecord record = Sample();
    edits[i](record);
    EXPECT_NE(ComputeAuditHash(record), base) << "edit " << i;
  }
  // Moving bytes between adjacent fields changes the hash (the length prefixes).
  store::AuditRecord left = Sample();
  left.key_id = "ab";
  left.credential = "c";
  store::AuditRecord right = Sample();
  right.key_id = "a";
  right.credential = "bc";
  EXPECT_NE(ComputeAuditHash(left), ComputeAuditHash(right));
  // The stored hash itself is not an input.
  store::AuditRecord with_hash = Sample();
  with_hash.hash = "anything";
  EXPECT_EQ(ComputeAuditHash(with_hash), base);
}

// One hasher over records one after another (its buffer and context reused) gives each the
// hash ComputeAuditHash gives it: a longer record before a shorter one leaves nothing behind.
TEST(AuditHashTest, AHasherReusedAcrossRecordsMatchesComputeAuditHash) {
  AuditHasher hasher;
  std::vector<store::AuditRecord> records;
  store::AuditRecord record = Sample();
  records.push_back(record);
  record.args_json = std::string(3000, 'x');
  record.account_id.reset();
  records.push_back(record);
  records.push_back(store::AuditRecord());  // every field empty or zero
  record = Sample();
  record.id = -1;
  record.prev_hash = ComputeAuditHash(records[0]);
  records.push_back(record);
  for (const store::AuditRecord& each : records) {
    const std::string hash = hasher.Hash(each);
    EXPECT_EQ(hash.size(), 64u);
    EXPECT_EQ(hash, ComputeAuditHash(each));
  }
  EXPECT_NE(hasher.Hash(records[0]), hasher.Hash(records[1]));
}

}  // namespace
}  // namespace voxsecrets::audit
