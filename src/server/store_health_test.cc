#include "server/store_health.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "common/mutex.h"

namespace voxsecrets::server {
namespace {

// A store whose reads fail, succeed, or block until released; it never runs the callback.
class ScriptedStore final : public store::Store {
 public:
  void SetStatus(Status s) {
    MutexLock lock(mu_);
    status_ = std::move(s);
  }
  void Block() {
    MutexLock lock(mu_);
    blocked_ = true;
  }
  void Release() {
    {
      MutexLock lock(mu_);
      blocked_ = false;
    }
    cv_.SignalAll();
  }
  void WaitUntilSomeoneIsBlocked() {
    MutexLock lock(mu_);
    while (waiting_ == 0) cv_.Wait(mu_);
  }
  int reads() const { return reads_.load(); }

  // store::Store
  Status Read(const store::TxFn&) override {
    ++reads_;
    MutexLock lock(mu_);
    ++waiting_;
    cv_.SignalAll();
    while (blocked_) cv_.Wait(mu_);
    --waiting_;
    return status_;
  }
  Status Write(const store::TxFn&) override { return InternalError("not used"); }
  Result<int> SchemaVersion() override { return 1; }
  std::string_view BackendName() const override { return "scripted"; }

 private:
  Mutex mu_;
  CondVar cv_;
  Status status_ GUARDED_BY(mu_);
  bool blocked_ GUARDED_BY(mu_) = false;
  int waiting_ GUARDED_BY(mu_) = 0;
  std::atomic<int> reads_{0};
};

class RecordingLogger final : public Logger {
 public:
  void Log(LogLevel, std::string_view message, std::initializer_list<LogField>) override {
    MutexLock lock(mu_);
    lines_.emplace_back(message);
  }
  std::vector<std::string> lines() {
    MutexLock lock(mu_);
    return lines_;
  }

 private:
  Mutex mu_;
  std::vector<std::string> lines_ GUARDED_BY(mu_);
};

TEST(StoreHealthProbeTest, NotReadyBeforeAnyProbe) {
  ScriptedStore store;
  FakeClock clock;
  RecordingLogger log;
  StoreHealthProbe probe(store, clock, log);
  EXPECT_FALSE(probe.Ready());
  EXPECT_EQ(store.reads(), 0);
}

TEST(StoreHealthProbeTest, FollowsTheStoreAndLogsEachChangeOnce) {
  ScriptedStore store;
  FakeClock clock;
  RecordingLogger log;
  StoreHealthProbe probe(store, clock, log);
  EXPECT_TRUE(probe.ProbeOnce());
  EXPECT_TRUE(probe.Ready());

  store.SetStatus(Unavailable("postgresql: connection refused"));
  EXPECT_FALSE(probe.ProbeOnce());
  EXPECT_FALSE(probe.Ready());
  EXPECT_FALSE(probe.ProbeOnce());
  EXPECT_FALSE(probe.Ready());

  store.SetStatus(Status::Ok());
  EXPECT_TRUE(probe.ProbeOnce());
  EXPECT_TRUE(probe.Ready());

  const std::vector<std::string> lines = log.lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find("unavailable"), std::string::npos);
  EXPECT_NE(lines[1].find("available again"), std::string::npos);
}

TEST(StoreHealthProbeTest, ReadyNeverWaitsForAStuckProbeAndGoesStale) {
  ScriptedStore store;
  FakeClock clock;
  RecordingLogger log;
  StoreHealthOptions options;
  options.stale_after = std::chrono::milliseconds(3000);
  StoreHealthProbe probe(store, clock, log, options);
  ASSERT_TRUE(probe.ProbeOnce());

  // The database stops answering: the next probe hangs inside the store.
  store.Block();
  std::thread stuck([&] { probe.ProbeOnce(); });
  store.WaitUntilSomeoneIsBlocked();
  EXPECT_TRUE(probe.Ready());  // the last success is fresh, and Ready() did not block
  clock.AdvanceSeconds(3);
  EXPECT_TRUE(probe.Ready());  // exactly stale_after old: still ready
  clock.AdvanceSeconds(1);
  EXPECT_FALSE(probe.Ready());  // older: not ready, although no probe has failed yet

  store.Release();
  stuck.join();
  EXPECT_TRUE(probe.Ready());  // that probe succeeded in the end
}

TEST(StoreHealthProbeTest, DrainingIsNeverReady) {
  ScriptedStore store;
  FakeClock clock;
  RecordingLogger log;
  StoreHealthProbe probe(store, clock, log);
  ASSERT_TRUE(probe.ProbeOnce());
  probe.SetDraining();
  EXPECT_FALSE(probe.Ready());
}

TEST(StoreHealthProbeTest, StartProbesAtOnceAndStopJoins) {
  ScriptedStore store;
  FakeClock clock;
  RecordingLogger log;
  StoreHealthOptions options;
  options.interval = std::chrono::milliseconds(1);
  StoreHealthProbe probe(store, clock, log, options);
  probe.Start();
  EXPECT_TRUE(probe.Ready());                           // Start probed before returning
  while (store.reads() < 3) std::this_thread::yield();  // the thread keeps probing
  probe.Stop();
  const int reads = store.reads();
  probe.Stop();  // idempotent
  EXPECT_EQ(store.reads(), reads);
}

}  // namespace
}  // namespace voxsecrets::server
