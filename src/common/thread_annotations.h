// Clang thread-safety annotations (https://clang.llvm.org/docs/ThreadSafetyAnalysis.html).
//
// Under clang with -Wthread-safety the compiler checks them: a member marked GUARDED_BY(mu_) may
// only be read or written while mu_ is held, a function marked REQUIRES(mu_) may only be called
// with mu_ held, and so on. Under any other compiler the macros expand to nothing.
//
// They only mean something on a type that is itself annotated as a capability: use
// voxsecrets::Mutex / SharedMutex and their scoped locks (common/mutex.h), never a bare std::mutex,
// whose libstdc++ declaration carries no attributes (the analysis would silently check nothing).
//
//   class Counter {
//    public:
//     void Add(int n) EXCLUDES(mu_) { MutexLock lock(mu_); AddLocked(n); }
//    private:
//     void AddLocked(int n) REQUIRES(mu_) { total_ += n; }
//     Mutex mu_;
//     int total_ GUARDED_BY(mu_) = 0;
//   };
//
// The build that checks them is scripts/build-clang (clang-14, -Wthread-safety -Werror).
#ifndef VOXSECRETS_COMMON_THREAD_ANNOTATIONS_H_
#define VOXSECRETS_COMMON_THREAD_ANNOTATIONS_H_

#if defined(__clang__)
#define VOXSECRETS_THREAD_ANNOTATION_(x) __attribute__((x))
#else
#define VOXSECRETS_THREAD_ANNOTATION_(x)  // no-op
#endif

// On a class: instances are capabilities (locks); `x` names the kind in diagnostics ("mutex").
#define CAPABILITY(x) VOXSECRETS_THREAD_ANNOTATION_(capability(x))

// On an RAII class that acquires a capability in its constructor and releases it in its
// destructor.
#define SCOPED_CAPABILITY VOXSECRETS_THREAD_ANNOTATION_(scoped_lockable)

// On a data member: reads need the capability held at least shared, writes need it exclusive.
#define GUARDED_BY(x) VOXSECRETS_THREAD_ANNOTATION_(guarded_by(x))

// On a pointer (or smart pointer) member: the pointee is protected, not the pointer itself.
#define PT_GUARDED_BY(x) VOXSECRETS_THREAD_ANNOTATION_(pt_guarded_by(x))

// On a capability member: it must be acquired after / before the listed ones (lock order).
#define ACQUIRED_AFTER(...) VOXSECRETS_THREAD_ANNOTATION_(acquired_after(__VA_ARGS__))
#define ACQUIRED_BEFORE(...) VOXSECRETS_THREAD_ANNOTATION_(acquired_before(__VA_ARGS__))

// On a function: the caller must hold the capabilities (exclusively / at least shared).
#define REQUIRES(...) VOXSECRETS_THREAD_ANNOTATION_(requires_capability(__VA_ARGS__))
#define REQUIRES_SHARED(...) VOXSECRETS_THREAD_ANNOTATION_(requires_shared_capability(__VA_ARGS__))

// On a function: it acquires / releases the capabilities (no argument: `this`).
#define ACQUIRE(...) VOXSECRETS_THREAD_ANNOTATION_(acquire_capability(__VA_ARGS__))
#define ACQUIRE_SHARED(...) VOXSECRETS_THREAD_ANNOTATION_(acquire_shared_capability(__VA_ARGS__))
#define RELEASE(...) VOXSECRETS_THREAD_ANNOTATION_(release_capability(__VA_ARGS__))
#define RELEASE_SHARED(...) VOXSECRETS_THREAD_ANNOTATION_(release_shared_capability(__VA_ARGS__))
#define RELEASE_GENERIC(...) VOXSECRETS_THREAD_ANNOTATION_(release_generic_capability(__VA_ARGS__))

// On a function returning bool: it acquires the capabilities when it returns `b`.
#define TRY_ACQUIRE(...) VOXSECRETS_THREAD_ANNOTATION_(try_acquire_capability(__VA_ARGS__))
#define TRY_ACQUIRE_SHARED(...) \
  VOXSECRETS_THREAD_ANNOTATION_(try_acquire_shared_capability(__VA_ARGS__))

// On a function: the caller must NOT hold the capabilities (the function takes them itself).
#define EXCLUDES(...) VOXSECRETS_THREAD_ANNOTATION_(locks_excluded(__VA_ARGS__))

// On a function: it checks at run time that the capability is held; afterwards the analysis
// assumes it is.
#define ASSERT_CAPABILITY(x) VOXSECRETS_THREAD_ANNOTATION_(assert_capability(x))
#define ASSERT_SHARED_CAPABILITY(x) VOXSECRETS_THREAD_ANNOTATION_(assert_shared_capability(x))

// On a function: it returns a reference to the capability (e.g. an accessor for a mutex).
#define RETURN_CAPABILITY(x) VOXSECRETS_THREAD_ANNOTATION_(lock_returned(x))

// On a function: the analysis does not look inside it. Every use needs a comment saying why the
// code is safe without the check.
#define NO_THREAD_SAFETY_ANALYSIS VOXSECRETS_THREAD_ANNOTATION_(no_thread_safety_analysis)

#endif  // VOXSECRETS_COMMON_THREAD_ANNOTATIONS_H_
