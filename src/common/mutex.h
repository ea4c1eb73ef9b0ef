// Mutex, SharedMutex, their scoped locks and CondVar: std::mutex / std::shared_mutex /
// std::condition_variable with clang thread-safety annotations (common/thread_annotations.h).
//
// libstdc++ declares std::mutex without capability attributes, so GUARDED_BY(a std::mutex) is
// never checked. Every mutex in voxsecrets is one of these instead, every member it protects is
// GUARDED_BY it, and the clang build (scripts/build-clang, -Wthread-safety -Werror) proves each
// access holds the lock. Under GCC they compile to the std types with no overhead.
//
//   Mutex mu_;
//   CondVar cv_;
//   bool stop_ GUARDED_BY(mu_) = false;
//
//   void Stop() EXCLUDES(mu_) {
//     { MutexLock lock(mu_); stop_ = true; }
//     cv_.SignalAll();
//   }
//   void Run() EXCLUDES(mu_) {
//     MutexLock lock(mu_);
//     while (!stop_) cv_.Wait(mu_);   // loops, not predicate lambdas: the analysis sees them
//   }
//
// Thread-safety: these are the synchronisation primitives; none is copyable or movable.
#ifndef VOXSECRETS_COMMON_MUTEX_H_
#define VOXSECRETS_COMMON_MUTEX_H_

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <shared_mutex>

#include "common/thread_annotations.h"

namespace voxsecrets {

// An exclusive lock (std::mutex). Not recursive.
class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }
  bool TryLock() TRY_ACQUIRE(true) { return mu_.try_lock(); }

  // Tells the analysis that the calling thread holds the lock (std::mutex cannot check it at run
  // time). For callbacks the analysis cannot follow; prefer REQUIRES.
  void AssertHeld() const ASSERT_CAPABILITY(this) {}

 private:
  friend class CondVar;
  std::mutex mu_;
};

// A reader-writer lock (std::shared_mutex): many readers or one writer.
class CAPABILITY("shared_mutex") SharedMutex {
 public:
  SharedMutex() = default;
  SharedMutex(const SharedMutex&) = delete;
  SharedMutex& operator=(const SharedMutex&) = delete;

  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }
  bool TryLock() TRY_ACQUIRE(true) { return mu_.try_lock(); }
  void LockShared() ACQUIRE_SHARED() { mu_.lock_shared(); }
  void UnlockShared() RELEASE_SHARED() { mu_.unlock_shared(); }
  bool TryLockShared() TRY_ACQUIRE_SHARED(true) { return mu_.try_lock_shared(); }

 private:
  std::shared_mutex mu_;
};

// Holds a Mutex from construction to destruction. Unlock() lets go early (e.g. before a slow
// call or a notification); Lock() takes it again; the destructor releases only if held.
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) ACQUIRE(mu) : mu_(mu) { mu_.Lock(); }
  ~MutexLock() RELEASE() {
    if (held_) mu_.Unlock();
  }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  void Unlock() RELEASE() {
    mu_.Unlock();
    held_ = false;
  }
  void Lock() ACQUIRE() {
    mu_.Lock();
    held_ = true;
  }

 private:
  Mutex& mu_;
  bool held_ = true;
};

// Holds a SharedMutex exclusively from construction to destruction.
class SCOPED_CAPABILITY WriterMutexLock {
 public:
  explicit WriterMutexLock(SharedMutex& mu) ACQUIRE(mu) : mu_(mu) { mu_.Lock(); }
  ~WriterMutexLock() RELEASE() { mu_.Unlock(); }
  WriterMutexLock(const WriterMutexLock&) = delete;
  WriterMutexLock& operator=(const WriterMutexLock&) = delete;

 private:
  SharedMutex& mu_;
};

// Holds a SharedMutex shared from construction to destruction.
class SCOPED_CAPABILITY ReaderMutexLock {
 public:
  explicit ReaderMutexLock(SharedMutex& mu) ACQUIRE_SHARED(mu) : mu_(mu) { mu_.LockShared(); }
  ~ReaderMutexLock() RELEASE() { mu_.UnlockShared(); }
  ReaderMutexLock(const ReaderMutexLock&) = delete;
  ReaderMutexLock& operator=(const ReaderMutexLock&) = delete;

 private:
  SharedMutex& mu_;
};

// A condition variable bound to a Mutex at each wait (std::condition_variable underneath, so no
// std::condition_variable_any overhead). Waits may wake spuriously: always wait in a loop that
// re-checks the guarded state.
class CondVar {
 public:
  CondVar() = default;
  CondVar(const CondVar&) = delete;
  CondVar& operator=(const CondVar&) = delete;

  // Atomically releases `mu`, blocks until notified (or spuriously), and takes `mu` again.
  void Wait(Mutex& mu) REQUIRES(mu) {
    Adopted lock(mu);
    cv_.wait(lock.lock);
  }

  // As Wait, but also returns at `deadline`; std::cv_status::timeout when it passed.
  template <class Clock, class Duration>
  std::cv_status WaitUntil(Mutex& mu, const std::chrono::time_point<Clock, Duration>& deadline)
      REQUIRES(mu) {
    Adopted lock(mu);
    return cv_.wait_until(lock.lock, deadline);
  }

  // As Wait, but also returns after `timeout`; std::cv_status::timeout when it elapsed.
  template <class Rep, class Period>
  std::cv_status WaitFor(Mutex& mu, const std::chrono::duration<Rep, Period>& timeout)
      REQUIRES(mu) {
    Adopted lock(mu);
    return cv_.wait_for(lock.lock, timeout);
  }

  void Signal() noexcept { cv_.notify_one(); }
  void SignalAll() noexcept { cv_.notify_all(); }

 private:
  // Lends the already-held std::mutex to std::condition_variable for one wait and gives it back
  // held, also when the wait throws (the standard relocks before any exception leaves a wait).
  struct Adopted {
    explicit Adopted(Mutex& mu) : lock(mu.mu_, std::adopt_lock) {}
    ~Adopted() { lock.release(); }
    Adopted(const Adopted&) = delete;
    Adopted& operator=(const Adopted&) = delete;
    std::unique_lock<std::mutex> lock;
  };

  std::condition_variable cv_;
};

}  // namespace voxsecrets

#endif  // VOXSECRETS_COMMON_MUTEX_H_
