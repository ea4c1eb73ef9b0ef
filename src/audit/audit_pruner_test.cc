#include "audit/audit_pruner.h"

#include <gtest/gtest.h>

#include <chrono>

#include "audit/audit_log.h"
#include "audit/audit_test_util.h"
#include "audit/audit_verify.h"

namespace voxsecrets::audit {
namespace {

TEST(AuditPrunerTest, RunOnceDeletesWhatIsOlderThanTheRetention) {
  AuditTestStore store;
  FakeClock clock(1767225600);
  AuditLogOptions log_options;
  log_options.group_commit = false;
  auto log = AuditLog::Open(*store.db, log_options);
  ASSERT_TRUE(log.ok());
  for (int i = 0; i < 4; ++i) ASSERT_TRUE((*log)->AppendDurable(TestEntry(i)).ok());  // 0..3 s

  AuditPrunerOptions options;
  options.retention = std::chrono::seconds(60);
  options.background = false;
  AuditPruner pruner(*store.db, clock, nullptr, options);
  clock.AdvanceSeconds(61);  // now = 61 s: records at 0 s are older than 60 s
  Result<PruneReport> report = pruner.RunOnce();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->deleted, 1);
  clock.AdvanceSeconds(10);
  report = pruner.RunOnce();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->deleted, 3);
  Result<VerifyReport> verified = VerifyAuditChain(*store.db);
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->ok) << verified->problem;
}

TEST(AuditPrunerTest, TheBackgroundThreadStopsOnDestruction) {
  AuditTestStore store;
  FakeClock clock;
  AuditPrunerOptions options;
  options.interval = std::chrono::hours(1);
  { AuditPruner pruner(*store.db, clock, nullptr, options); }  // must not wait an hour
  SUCCEED();
}

}  // namespace
}  // namespace voxsecrets::audit
