#include "common/mutex.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

namespace voxsecrets {
namespace {

// Whether another thread could take `mu` right now (it lets go at once if it could).
bool FreeForOtherThreads(Mutex& mu) {
  bool taken = false;
  std::thread([&] {
    if (mu.TryLock()) {
      taken = true;
      mu.Unlock();
    }
  }).join();
  return taken;
}

bool ExclusiveFreeForOtherThreads(SharedMutex& mu) {
  bool taken = false;
  std::thread([&] {
    if (mu.TryLock()) {
      taken = true;
      mu.Unlock();
    }
  }).join();
  return taken;
}

bool SharedFreeForOtherThreads(SharedMutex& mu) {
  bool taken = false;
  std::thread([&] {
    if (mu.TryLockShared()) {
      taken = true;
      mu.UnlockShared();
    }
  }).join();
  return taken;
}

TEST(MutexTest, MutexLockHoldsUntilScopeEndOrUnlock) {
  Mutex mu;
  {
    MutexLock lock(mu);
    EXPECT_FALSE(FreeForOtherThreads(mu));
    lock.Unlock();
    EXPECT_TRUE(FreeForOtherThreads(mu));
    lock.Lock();
    EXPECT_FALSE(FreeForOtherThreads(mu));
  }
  EXPECT_TRUE(FreeForOtherThreads(mu));
  {
    MutexLock lock(mu);
    lock.Unlock();
  }  // the destructor must not unlock a second time
  EXPECT_TRUE(FreeForOtherThreads(mu));
}

TEST(MutexTest, ConcurrentIncrementsUnderTheLockAreNotLost) {
  Mutex mu;
  int counter = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        MutexLock lock(mu);
        ++counter;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  MutexLock lock(mu);
  EXPECT_EQ(counter, 40000);
}

TEST(MutexTest, WriterLockExcludesEveryoneReaderLockOnlyWriters) {
  SharedMutex mu;
  {
    WriterMutexLock lock(mu);
    EXPECT_FALSE(ExclusiveFreeForOtherThreads(mu));
    EXPECT_FALSE(SharedFreeForOtherThreads(mu));
  }
  {
    ReaderMutexLock lock(mu);
    EXPECT_FALSE(ExclusiveFreeForOtherThreads(mu));
    EXPECT_TRUE(SharedFreeForOtherThreads(mu));
  }
  EXPECT_TRUE(ExclusiveFreeForOtherThreads(mu));
}

TEST(CondVarTest, WaitReturnsWithTheLockHeldAfterASignal) {
  Mutex mu;
  CondVar cv;
  bool ready = false;
  bool seen = false;
  std::thread waiter([&] {
    MutexLock lock(mu);
    while (!ready) cv.Wait(mu);
    seen = true;
  });
  {
    MutexLock lock(mu);
    ready = true;
  }
  cv.SignalAll();
  waiter.join();
  EXPECT_TRUE(seen);
  EXPECT_TRUE(FreeForOtherThreads(mu));  // the waiter's lock was released exactly once
}

TEST(CondVarTest, WaitUntilAPassedDeadlineTimesOutAndKeepsTheLock) {
  Mutex mu;
  CondVar cv;
  {
    MutexLock lock(mu);
    EXPECT_EQ(cv.WaitUntil(mu, std::chrono::steady_clock::now() - std::chrono::seconds(1)),
              std::cv_status::timeout);
    EXPECT_FALSE(FreeForOtherThreads(mu));
    EXPECT_EQ(cv.WaitFor(mu, std::chrono::milliseconds(0)), std::cv_status::timeout);
    EXPECT_FALSE(FreeForOtherThreads(mu));
  }
  EXPECT_TRUE(FreeForOtherThreads(mu));
}

TEST(CondVarTest, ProducerConsumerHandsOverEveryItem) {
  Mutex mu;
  CondVar cv;
  std::vector<int> queue;
  bool done = false;
  int consumed = 0;
  std::thread consumer([&] {
    MutexLock lock(mu);
    while (true) {
      while (queue.empty() && !done) cv.Wait(mu);
      if (queue.empty()) return;
      consumed += queue.back();
      queue.pop_back();
    }
  });
  for (int i = 1; i <= 1000; ++i) {
    {
      MutexLock lock(mu);
      queue.push_back(i);
    }
    cv.Signal();
  }
  {
    MutexLock lock(mu);
    done = true;
  }
  cv.SignalAll();
  consumer.join();
  EXPECT_EQ(consumed, 1000 * 1001 / 2);
}

}  // namespace
}  // namespace voxsecrets
