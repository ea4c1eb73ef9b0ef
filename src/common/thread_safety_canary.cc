// Proof that the clang thread-safety analysis is on and sees through common/mutex.h. Compiled
// (syntax only, with the project's warning flags) once without a CASE_* macro, which must succeed,
// and once per CASE_*, each of which must fail with the diagnostic named next to it. The checks
// are ctest tests of any clang build (src/common/CMakeLists.txt); scripts/test runs them. If the
// macros became empty under clang, Mutex lost its CAPABILITY, or -Wthread-safety fell out of the
// project's warnings, the cases would compile and the checks would fail.
//
// Not part of any library or executable.
#include <memory>
#include <string>

#include "common/mutex.h"
#include "common/thread_annotations.h"

namespace voxsecrets {
namespace {

class Account {
 public:
  // Correct uses: all of these must compile.
  void Deposit(int amount) EXCLUDES(mu_) {
    MutexLock lock(mu_);
    AddLocked(amount);
  }
  int Balance() EXCLUDES(mu_) {
    MutexLock lock(mu_);
    return balance_;
  }
  void WaitForMoney() EXCLUDES(mu_) {
    MutexLock lock(mu_);
    while (balance_ == 0) cv_.Wait(mu_);
    lock.Unlock();
    lock.Lock();
    balance_ -= 1;
  }
  int Audit() EXCLUDES(rw_) {
    ReaderMutexLock lock(rw_);
    return version_ + *history_ + static_cast<int>(names_->size());
  }
  void Record(int n) EXCLUDES(rw_) {
    WriterMutexLock lock(rw_);
    version_ = n;
    *history_ = n;
  }

// Each case is one mistake; src/common/CMakeLists.txt holds the diagnostic it must produce.
#if defined(CASE_READ_UNGUARDED)  // reads a guarded member without its lock
  int Peek() { return balance_; }
#endif
#if defined(CASE_WRITE_UNGUARDED)  // writes a guarded member without its lock
  void Reset() { balance_ = 0; }
#endif
#if defined(CASE_CALL_WITHOUT_LOCK)  // calls a REQUIRES(mu_) helper without mu_
  void Sneak() { AddLocked(1); }
#endif
#if defined(CASE_AFTER_UNLOCK)  // writes after MutexLock::Unlock()
  void Late() {
    MutexLock lock(mu_);
    lock.Unlock();
    balance_ = 1;
  }
#endif
#if defined(CASE_WRITE_UNDER_READER_LOCK)  // writes with only a shared lock
  void Overwrite() {
    ReaderMutexLock lock(rw_);
    version_ = 0;
  }
#endif
#if defined(CASE_POINTEE_UNGUARDED)  // dereferences a PT_GUARDED_BY unique_ptr without its lock
  int Glance() { return *history_; }
#endif
#if defined(CASE_ARROW_UNGUARDED)  // calls through a PT_GUARDED_BY unique_ptr without its lock
  bool Empty() { return names_->empty(); }
#endif
#if defined(CASE_WAIT_WITHOUT_LOCK)  // waits on a CondVar without holding the mutex
  void Doze() { cv_.Wait(mu_); }
#endif
#if defined(CASE_DOUBLE_LOCK)  // calls an EXCLUDES(mu_) function with mu_ held (self-deadlock)
  void Twice() {
    MutexLock lock(mu_);
    Deposit(1);
  }
#endif

 private:
  void AddLocked(int amount) REQUIRES(mu_) {
    balance_ += amount;
    cv_.SignalAll();
  }

  Mutex mu_;
  CondVar cv_;
  int balance_ GUARDED_BY(mu_) = 0;
  SharedMutex rw_;
  int version_ GUARDED_BY(rw_) = 0;
  std::unique_ptr<int> history_ PT_GUARDED_BY(rw_) = std::make_unique<int>(0);
  std::unique_ptr<std::string> names_ PT_GUARDED_BY(rw_) = std::make_unique<std::string>();
};

}  // namespace

// Keeps the class and its members "used" under -Wunused.
int ThreadSafetyCanary() {
  Account account;
  account.Deposit(2);
  account.WaitForMoney();
  account.Record(account.Balance());
  return account.Audit();
}

}  // namespace voxsecrets
