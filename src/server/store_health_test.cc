#include "server/store_health.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace voxsecrets::server {
namespace {

// A store whose reads fail, succeed, or block until released; it never runs the callback.
class ScriptedStore final : public store::Store {
 public:
  void SetStatus(Status s) {
    std::lock_guard<std::mutex> lock(mu_);
    status_ = std::move(s);
  }
  void Block() {
    std::lock_guard<std::mutex> lock(mu_);
    blocked_ = true;
  }
  void Release() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      blocked_ = false;
    }
    cv_.notify_all();
  }
  void WaitUntilSomeoneIsBlocked() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return waiting_ > 0; });
  }
  int reads() const { return reads_.load(); }

  // store::Store
  Status Read(const store::TxFn&) override {
    ++reads_;
    std::unique_lock<std::mutex> lock(mu_);
    ++waiting_;
    cv_.notify_all();
    cv_.wait(lock, [this] { return !blocked_; });
    --waiting_;
    return status_;
  }
  Status Write(const store::TxFn&) override { return InternalError("not used"); }
  Result<int> SchemaVersion() override { return 1; }
  std::string_view BackendName() const override { return "scripted"; }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  Status status_;         // guarded by mu_
  bool blocked_ = false;  // guarded by mu_
  int waiting_ = 0;       // guarded by mu_
  std::atomic<int> reads_{0};
};

class RecordingLogger final : public Logger {
 public:
  void Log(LogLevel, std::string_view message, std::initializer_list<LogField>) override {
    std::lock_guard<std::mutex> lock(mu_);
    lines_.emplace_back(message);
  }
  std::vector<std::string> lines() {
    std::lock_guard<std::mutex> lock(mu_);
    return lines_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> lines_;
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
