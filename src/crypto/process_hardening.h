// Process hardening for the server: keep secrets out of core dumps.
//
// DisableCoreDumps sets RLIMIT_CORE to 0 and marks the process non-dumpable
// (prctl(PR_SET_DUMPABLE, 0)), which also stops other processes of the same user from attaching
// with ptrace or reading /proc/<pid>/mem. The server calls it at start unless its configuration
// explicitly allows core dumps. Data and master keys are additionally excluded from dumps page
// by page (crypto/locked_key.h), so a dump allowed for debugging still holds no key material.
//
// Thread-safety: call once at start, before threads are created.
#ifndef VOXSECRETS_CRYPTO_PROCESS_HARDENING_H_
#define VOXSECRETS_CRYPTO_PROCESS_HARDENING_H_

#include "common/status.h"

namespace voxsecrets::crypto {

// kInternal (naming the failing call) when either step fails; both are always attempted.
Status DisableCoreDumps();

// Whether the process is currently dumpable (prctl(PR_GET_DUMPABLE)); for tests and `doctor`.
bool CoreDumpsEnabled();

}  // namespace voxsecrets::crypto

#endif  // VOXSECRETS_CRYPTO_PROCESS_HARDENING_H_
