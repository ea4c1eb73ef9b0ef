// Refused calls in the audit trail: the evidence, not the payload (docs/AUDIT.md "Refused calls").
//
// A call refused before any handler ran without valid credentials (no or unknown method,
// malformed body, failed authentication) or refused for its rate (340) leaves a compact record:
// the method if it is a known one, the code, the address, the key and account if the caller was
// authenticated, the number and size of its parameters, a SHA-256 of the method and parameters,
// and the `account_id` a legacy call claimed. Never a parameter value: the record is at most
// kMaxRefusalArgsBytes of `args` (RefusalArgsJson), whatever was sent, so an anonymous flood
// cannot grow the audit log faster than a small fixed size per call.
//
// Bursts are aggregated. RefusalLog keeps one open *burst* per (address, method, code, account,
// key): the first refusal of a burst is written at once and durably (AuditLog::AppendDurable; the
// caller waits, exactly like any refused call without aggregation), the next ones within `window`
// are only counted, and one record with their count is written when the window ends. Fail-closed
// bound: a crash loses at most the counted refusals of the open bursts — those answered within
// the last `window` (default 1 s) after the first of their burst — plus those of aggregate records
// whose commit was under way; every first refusal of a burst is on disk before it is answered.
// Memory: at most `max_open_bursts` bursts (a new one beyond that closes the oldest, whose
// aggregate the flusher writes).
//
// Threads: a flusher thread writes the aggregates of bursts whose window ended (checked every
// window / 4) and of bursts closed early (a new burst of the same key, or too many open); callers
// never write an aggregate. Thread-safety: Record() and Flush() may be called from any thread.
// Lifetimes: `log` and `clock` must outlive the RefusalLog; its destructor writes every open
// burst, then stops the flusher.
#ifndef VOXSECRETS_AUDIT_REFUSAL_LOG_H_
#define VOXSECRETS_AUDIT_REFUSAL_LOG_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "audit/audit_entry.h"
#include "audit/audit_log.h"
#include "common/clock.h"
#include "common/mutex.h"
#include "common/status.h"

namespace voxsecrets::audit {

// The longest `args` a refusal record can have (checked by RefusalArgsJson's test).
inline constexpr size_t kMaxRefusalArgsBytes = 320;

struct RefusedCall {
  int64_t time_ms = 0;
  std::optional<int64_t> account_id;  // when authenticated (a rate-limited call)
  std::string key_id;
  AuditCredential credential = AuditCredential::kNone;
  std::string ip;
  std::string method;  // a known method's name; empty for a missing or unknown one
  int64_t result_code = 0;
  uint64_t params = 0;             // how many parameters were sent
  uint64_t param_bytes = 0;        // the bytes of their names and values
  std::string digest;              // RefusalDigest(): 64 hex digits
  std::string claimed_account_id;  // the `account_id` parameter when it is 1-20 digits
};

// SHA-256 (lowercase hex) of the method as sent and the parameters (names sorted; each length-
// prefixed). A parameter that audit_masking.h masks enters only as its name and length, so the
// digest never lets anyone confirm a guessed secret value; everything else enters whole.
std::string RefusalDigest(std::string_view method,
                          const std::map<std::string, std::string, std::less<>>& params);

// The `args` of a refusal record: {"refused":{"count":N,"params":P,"bytes":B,"sha256":"...",
// ["account_id":"...",]"until_ms":T}}. For an aggregate, `count` refusals, `params` the most any
// had, `bytes` their total, `sha256` the first one's, `until_ms` the last one's time.
std::string RefusalArgsJson(const RefusedCall& first, uint64_t count, uint64_t max_params,
                            uint64_t total_bytes, int64_t until_ms);

// The audit entry of one refused call (count 1).
AuditEntry RefusalEntry(const RefusedCall& call);

struct RefusalLogOptions {
  std::chrono::milliseconds window{1000};
  size_t max_open_bursts = 4096;
};

struct RefusalLogStats {
  int64_t bursts = 0;      // first refusals written at once
  int64_t aggregated = 0;  // refusals counted into an aggregate record
  int64_t aggregates = 0;  // aggregate records written
  int64_t failures = 0;    // aggregate records that could not be written
};

class RefusalLog {
 public:
  RefusalLog(AuditLog& log, const Clock& clock, RefusalLogOptions options = {});
  ~RefusalLog();
  RefusalLog(const RefusalLog&) = delete;
  RefusalLog& operator=(const RefusalLog&) = delete;

  // Records `call`: the first of a burst durably (its Status), a later one by counting it (OK).
  Status Record(const RefusedCall& call) EXCLUDES(mu_);
  // The same without waiting: `done` gets what Record would return, once the first of a burst is
  // durable (on the AuditLog's committer thread) or at once for a counted one.
  void RecordAsync(const RefusedCall& call, std::function<void(const Status&)> done) EXCLUDES(mu_);
  // The counting half of Record, for a caller that writes the record itself (in a batch): true
  // when `call` was counted into an open burst (it needs no record of its own); false when it
  // opened a new burst, and the caller must write RefusalEntry(call) durably. Never waits.
  bool Count(const RefusedCall& call) EXCLUDES(mu_);
  // Writes the aggregates of bursts whose window has ended by the clock (the flusher calls it).
  void FlushExpired() EXCLUDES(flush_mu_, mu_);
  // Writes every open burst's aggregate now.
  void Flush() EXCLUDES(flush_mu_, mu_);

  RefusalLogStats stats() const EXCLUDES(mu_);

 private:
  struct Burst {
    int64_t opened_ms = 0;      // by the clock
    RefusedCall first_counted;  // the first refusal counted after the burst's first
    uint64_t count = 0;
    uint64_t max_params = 0;
    uint64_t total_bytes = 0;
    int64_t last_ms = 0;
  };

  static std::string KeyOf(const RefusedCall& call);
  // Writes the aggregate of `burst` if it counted anything.
  void WriteAggregate(const Burst& burst) EXCLUDES(mu_);
  void RunFlusher() EXCLUDES(mu_);

  AuditLog& log_;
  const Clock& clock_;
  const RefusalLogOptions options_;

  Mutex flush_mu_ ACQUIRED_BEFORE(mu_);  // held by FlushExpired and Flush for their whole run
  mutable Mutex mu_;
  CondVar cv_;  // signalled when stopping_ becomes true
  std::unordered_map<std::string, Burst> bursts_ GUARDED_BY(mu_);
  // Closed bursts with a count, waiting for the flusher to write their aggregate.
  std::vector<Burst> pending_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  RefusalLogStats stats_ GUARDED_BY(mu_);
  std::thread flusher_;  // started last, joined first
};

}  // namespace voxsecrets::audit

#endif  // VOXSECRETS_AUDIT_REFUSAL_LOG_H_
