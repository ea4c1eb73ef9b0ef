// Compact records of refused calls and the aggregation of bursts (refusal_log.h), over a real
// SQLite store and audit chain.
#include "audit/refusal_log.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "audit/audit_test_util.h"

namespace voxsecrets::audit {
namespace {

using Params = std::map<std::string, std::string, std::less<>>;

RefusedCall Refusal(const FakeClock& clock, std::string ip, int64_t code = 100) {
  RefusedCall call;
  call.time_ms = clock.NowMillis();
  call.ip = std::move(ip);
  call.method = "GetSecretValue";
  call.result_code = code;
  call.params = 3;
  call.param_bytes = 49152;
  call.digest = RefusalDigest("GetSecretValue", Params{{"junk", std::string(49000, 'j')}});
  call.claimed_account_id = "42";
  return call;
}

nlohmann::json Refused(const store::AuditRecord& record) {
  return nlohmann::json::parse(record.args_json)["refused"];
}

class RefusalLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = OpenTestLog(*store_.db);
    ASSERT_NE(log_, nullptr);
  }

  AuditTestStore store_;
  std::unique_ptr<AuditLog> log_;
  FakeClock clock_;
};

TEST(RefusalDigestTest, CoversMethodAndParametersButNeverAMaskedValue) {
  const std::string base = RefusalDigest("AddSecret", Params{{"secret_name", "a"}});
  EXPECT_EQ(base.size(), 64u);
  EXPECT_EQ(base, RefusalDigest("AddSecret", Params{{"secret_name", "a"}}));
  EXPECT_NE(base, RefusalDigest("AddSecrets", Params{{"secret_name", "a"}}));
  EXPECT_NE(base, RefusalDigest("AddSecret", Params{{"secret_name", "b"}}));
  // Two secret values of one length give one digest: it cannot confirm a guessed value.
  EXPECT_EQ(RefusalDigest("AddSecret", Params{{"secret_value", "hunter2"}}),
            RefusalDigest("AddSecret", Params{{"secret_value", "letmein"}}));
  EXPECT_NE(RefusalDigest("AddSecret", Params{{"secret_value", "hunter2"}}),
            RefusalDigest("AddSecret", Params{{"secret_value", "hunter22"}}));
  EXPECT_EQ(RefusalDigest("X", Params{{"api_key", "aaaa"}}),
            RefusalDigest("X", Params{{"api_key", "bbbb"}}));
}

TEST(RefusalArgsTest, TheRecordIsSmallWhateverWasSent) {
  RefusedCall call;
  call.digest = std::string(64, 'f');
  call.claimed_account_id = "18446744073709551615";
  const std::string worst = RefusalArgsJson(call, UINT64_MAX, UINT64_MAX, UINT64_MAX, INT64_MIN);
  EXPECT_LE(worst.size(), kMaxRefusalArgsBytes);
  const nlohmann::json args = nlohmann::json::parse(worst);
  EXPECT_EQ(args["refused"]["account_id"], "18446744073709551615");
  // The whole entry stays small: the fields an attacker controls are cut (method, address).
  call.ip = std::string(10000, 'i');
  call.method = std::string(10000, 'm');
  const store::AuditRecord record = ToRecord(RefusalEntry(call));
  const size_t size = record.key_id.size() + record.credential.size() + record.ip.size() +
                      record.method.size() + record.args_json.size() + record.touched_json.size();
  EXPECT_LE(size, 600u);
}

TEST_F(RefusalLogTest, TheFirstOfABurstIsDurableTheRestAreCountedIntoOneRecord) {
  RefusalLog refusals(*log_, clock_);
  ASSERT_TRUE(refusals.Record(Refusal(clock_, "10.0.0.7")).ok());
  ASSERT_EQ(AllRecords(*store_.db).size(), 1u);  // on disk before the first is answered
  for (int i = 0; i < 99; ++i) {
    clock_.AdvanceMillis(5);
    ASSERT_TRUE(refusals.Record(Refusal(clock_, "10.0.0.7")).ok());
  }
  EXPECT_EQ(AllRecords(*store_.db).size(), 1u);  // counted, not written
  refusals.Flush();
  const std::vector<store::AuditRecord> records = AllRecords(*store_.db);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(Refused(records[0])["count"], 1);
  EXPECT_EQ(Refused(records[1])["count"], 99);
  EXPECT_EQ(Refused(records[1])["bytes"], 99 * 49152);
  EXPECT_EQ(Refused(records[1])["until_ms"], clock_.NowMillis());
  EXPECT_EQ(records[1].ip, "10.0.0.7");
  EXPECT_EQ(records[1].method, "GetSecretValue");
  EXPECT_EQ(records[1].result_code, 100);
  EXPECT_EQ(records[1].credential, "none");
  EXPECT_FALSE(records[1].account_id.has_value());
  EXPECT_EQ(refusals.stats().bursts, 1);
  EXPECT_EQ(refusals.stats().aggregated, 99);
  ExpectChainVerifies(*store_.db);
}

TEST_F(RefusalLogTest, AddressesMethodsAndCodesAreSeparateBursts) {
  RefusalLog refusals(*log_, clock_);
  ASSERT_TRUE(refusals.Record(Refusal(clock_, "10.0.0.1")).ok());
  ASSERT_TRUE(refusals.Record(Refusal(clock_, "10.0.0.2")).ok());
  ASSERT_TRUE(refusals.Record(Refusal(clock_, "10.0.0.1", 103)).ok());
  RefusedCall other = Refusal(clock_, "10.0.0.1");
  other.method = "AddSecret";
  ASSERT_TRUE(refusals.Record(other).ok());
  EXPECT_EQ(AllRecords(*store_.db).size(), 4u);  // each the first of its burst
  refusals.Flush();
  EXPECT_EQ(AllRecords(*store_.db).size(), 4u);  // nothing was counted
}

TEST_F(RefusalLogTest, AWindowLaterTheAggregateIsWrittenAndANewBurstStarts) {
  RefusalLog refusals(*log_, clock_, RefusalLogOptions{.window = std::chrono::milliseconds(1000)});
  ASSERT_TRUE(refusals.Record(Refusal(clock_, "10.0.0.7")).ok());
  ASSERT_TRUE(refusals.Record(Refusal(clock_, "10.0.0.7")).ok());
  ASSERT_TRUE(refusals.Record(Refusal(clock_, "10.0.0.7")).ok());
  clock_.AdvanceMillis(999);
  refusals.FlushExpired();
  EXPECT_EQ(AllRecords(*store_.db).size(), 1u);  // the window is still open
  clock_.AdvanceMillis(1);
  refusals.FlushExpired();
  std::vector<store::AuditRecord> records = AllRecords(*store_.db);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(Refused(records[1])["count"], 2);
  // The next refusal opens a new burst: written at once.
  ASSERT_TRUE(refusals.Record(Refusal(clock_, "10.0.0.7")).ok());
  EXPECT_EQ(AllRecords(*store_.db).size(), 3u);
}

TEST_F(RefusalLogTest, TooManyOpenBurstsWriteOutTheOldest) {
  RefusalLog refusals(*log_, clock_, RefusalLogOptions{.max_open_bursts = 2});
  ASSERT_TRUE(refusals.Record(Refusal(clock_, "10.0.0.1")).ok());
  ASSERT_TRUE(refusals.Record(Refusal(clock_, "10.0.0.1")).ok());  // counted
  clock_.AdvanceMillis(1);
  ASSERT_TRUE(refusals.Record(Refusal(clock_, "10.0.0.2")).ok());
  clock_.AdvanceMillis(1);
  // 10.0.0.1's burst is closed and handed to the flusher: the caller writes no aggregate.
  ASSERT_TRUE(refusals.Record(Refusal(clock_, "10.0.0.3")).ok());
  refusals.FlushExpired();  // what the flusher thread does (no window has ended: only that one)
  const std::vector<store::AuditRecord> records = AllRecords(*store_.db);
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0].ip, "10.0.0.1");
  EXPECT_EQ(records[1].ip, "10.0.0.2");
  // The flusher may write the aggregate before or after 10.0.0.3's first record.
  std::map<std::string, int> counted;
  for (const store::AuditRecord& record : records) {
    counted[record.ip] += Refused(record)["count"].get<int>();
  }
  EXPECT_EQ(counted["10.0.0.1"], 2);  // its first, and the aggregate of the one counted
  EXPECT_EQ(counted["10.0.0.2"], 1);
  EXPECT_EQ(counted["10.0.0.3"], 1);
}

TEST_F(RefusalLogTest, DestroyingTheLogWritesEveryOpenBurst) {
  {
    RefusalLog refusals(*log_, clock_, RefusalLogOptions{.window = std::chrono::hours(1)});
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(refusals.Record(Refusal(clock_, "10.0.0.9")).ok());
  }
  const std::vector<store::AuditRecord> records = AllRecords(*store_.db);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(Refused(records[1])["count"], 9);
}

}  // namespace
}  // namespace voxsecrets::audit
