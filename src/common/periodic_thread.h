// PeriodicThread: a background thread that runs one task at once and then every `interval`, until
// it is destroyed — the loop of the server's maintenance work (audit pruning, the name index
// merge), written once.
//
// Thread-safety: `task` runs on the thread only, one run at a time; construction and destruction
// from the owner's thread. The destructor wakes the thread from its wait, waits for a run in
// progress to finish, and joins it (a run is never cut short).
// Ownership: whatever `task` uses must outlive the PeriodicThread: declare it as the owner's LAST
// member, so that it is destroyed (and the thread joined) before the members the task reads.
#ifndef VOXSECRETS_COMMON_PERIODIC_THREAD_H_
#define VOXSECRETS_COMMON_PERIODIC_THREAD_H_

#include <chrono>
#include <functional>
#include <thread>
#include <utility>

#include "common/mutex.h"

namespace voxsecrets {

class PeriodicThread {
 public:
  // Starts the thread; `task` runs at once, then `interval` after the end of each run.
  // REQUIRES: interval > 0.
  PeriodicThread(std::chrono::milliseconds interval, std::function<void()> task)
      : interval_(interval), task_(std::move(task)), thread_([this] { Loop(); }) {}
  ~PeriodicThread() {
    {
      MutexLock lock(mu_);
      stopping_ = true;
    }
    cv_.SignalAll();
    thread_.join();
  }
  PeriodicThread(const PeriodicThread&) = delete;
  PeriodicThread& operator=(const PeriodicThread&) = delete;

 private:
  void Loop() EXCLUDES(mu_) {
    MutexLock lock(mu_);
    while (!stopping_) {
      lock.Unlock();
      task_();
      lock.Lock();
      const auto deadline = std::chrono::steady_clock::now() + interval_;
      while (!stopping_ && cv_.WaitUntil(mu_, deadline) == std::cv_status::no_timeout) {
      }
    }
  }

  const std::chrono::milliseconds interval_;
  const std::function<void()> task_;
  Mutex mu_;
  CondVar cv_;  // signalled when stopping_ is set
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread thread_;  // started last
};

}  // namespace voxsecrets

#endif  // VOXSECRETS_COMMON_PERIODIC_THREAD_H_
