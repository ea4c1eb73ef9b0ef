#include "audit/audit_pruner.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include "audit/audit_log.h"
#include "audit/audit_test_util.h"
#include "audit/audit_verify.h"
#include "common/log_test_util.h"

namespace voxsecrets::audit {
namespace {

// A log of four records at 0..3 s on the clock's scale (TestEntry), on one chain.
class AuditPrunerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(store_.db, nullptr);
    log_ = OpenTestLog(*store_.db);
    ASSERT_NE(log_, nullptr);
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(log_->AppendDurable(TestEntry(i)).ok());
  }

  AuditTestStore store_;
  FakeClock clock_{1767225600};
  std::unique_ptr<AuditLog> log_;
};

TEST_F(AuditPrunerTest, RunOnceDeletesWhatIsOlderThanTheRetention) {
  AuditPrunerOptions options;
  options.retention = std::chrono::seconds(60);
  options.background = false;
  AuditPruner pruner(*store_.db, clock_, nullptr, options);
  clock_.AdvanceSeconds(61);  // now = 61 s: records at 0 s are older than 60 s
  Result<PruneReport> report = pruner.RunOnce();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->deleted, 1);
  clock_.AdvanceSeconds(10);
  report = pruner.RunOnce();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->deleted, 3);
  ExpectChainVerifies(*store_.db);
}

TEST_F(AuditPrunerTest, TheBackgroundThreadPrunesAtStartThenWaitsAndStopsOnDestruction) {
  clock_.AdvanceSeconds(62);  // records at 0 s and 1 s are older than the retention of 60 s
  RecordingLogger logger;
  AuditPrunerOptions options;
  options.retention = std::chrono::seconds(60);
  options.interval = std::chrono::hours(1);  // the test never waits for it
  auto pruner = std::make_unique<AuditPruner>(*store_.db, clock_, &logger, options);
  // The first pass runs at start, on the injected clock's now.
  ASSERT_TRUE(logger.WaitFor("audit records pruned"));
  const std::vector<RecordingLogger::Line> lines = logger.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].fields.at("deleted"), "2");
  std::vector<store::AuditRecord> left = AllRecords(*store_.db);
  ASSERT_EQ(left.size(), 2u);
  EXPECT_EQ(left[0].time_ms, TestEntry(2).time_ms);

  // Destroying the pruner stops its thread while it waits out the interval. Done on another
  // thread so that a pruner that waited for the hour fails the test instead of hanging it.
  std::promise<void> destroyed;
  std::future<void> done = destroyed.get_future();
  std::thread destroyer([&] {
    pruner.reset();
    destroyed.set_value();
  });
  if (done.wait_for(kLogWaitGuard) != std::future_status::ready) {
    ADD_FAILURE() << "~AuditPruner did not stop its thread while it waited for the next pass";
    std::abort();  // the thread still uses the store: there is no clean way on
  }
  destroyer.join();
  // One pass only: the next one is due an interval (an hour) later.
  EXPECT_EQ(logger.Count("audit records pruned"), 1u);
  EXPECT_EQ(logger.Count("audit pruning failed"), 0u);
  ExpectChainVerifies(*store_.db);
}

}  // namespace
}  // namespace voxsecrets::audit
