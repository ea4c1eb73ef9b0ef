// NameIndexMerger: keeps the store's secret name index quick to search, in the background.
//
// SQLite's trigram index of secret names (FTS5) gains a segment with every write transaction that
// adds or renames secrets; FTS5 merges them only partly on its own, and a name search looks each
// of its trigrams up in every segment, so an index written by many transactions answers several
// times slower than a merged one (docs/BENCHMARKS.md, "Name search": about 20 segments at 300,000
// secrets, whatever the size of the transactions). Every `interval` (and once at start) the
// merger checks the segment count and, when it is above `max_segments`, merges the index towards
// one segment in steps of about `pages_per_step` pages, each step its own short write
// transaction (writers wait for one step at most). Searches answer the same throughout. On
// PostgreSQL each check is a no-op (SecretRepository::MergeNameIndex).
//
// Failures (e.g. another process holding the write lock past the busy timeout) are logged as
// warnings and retried at the next interval.
//
// Thread-safety: RunOnce may be called from any thread (tests call it directly).
// Ownership: `store` and `logger` (nullable) must outlive the merger; the destructor stops and
// joins the thread.
#ifndef VOXSECRETS_SERVER_NAME_INDEX_MERGER_H_
#define VOXSECRETS_SERVER_NAME_INDEX_MERGER_H_

#include <chrono>
#include <cstdint>
#include <optional>

#include "common/log.h"
#include "common/periodic_thread.h"
#include "common/status.h"
#include "store/store.h"

namespace voxsecrets::server {

struct NameIndexMergerOptions {
  // Time between checks. Default 30 s.
  std::chrono::milliseconds interval{std::chrono::seconds(30)};
  // Merge when the index has more segments than this (each costs a search about 35 us at
  // 300,000 names). REQUIRES: >= 1.
  int64_t max_segments = 4;
  // Pages written per step (about 1 KB each; 200 pages take some tens of milliseconds).
  // REQUIRES: >= 1.
  int64_t pages_per_step = 200;
  // At most this many steps per run (a million names are about 10,000 pages); the next run
  // goes on. REQUIRES: >= 1.
  int64_t max_steps = 1000;
  // Start the background thread (false: only RunOnce by hand). Default true.
  bool background = true;
};

class NameIndexMerger {
 public:
  NameIndexMerger(store::Store& store, Logger* logger, NameIndexMergerOptions options);
  ~NameIndexMerger();
  NameIndexMerger(const NameIndexMerger&) = delete;
  NameIndexMerger& operator=(const NameIndexMerger&) = delete;

  // One check, merging when needed; returns the number of merge steps taken (0: nothing to do).
  Result<int64_t> RunOnce();

 private:
  store::Store& store_;
  Logger* const logger_;
  const NameIndexMergerOptions options_;
  std::optional<PeriodicThread> thread_;  // last: stopped before the members RunOnce reads
};

}  // namespace voxsecrets::server

#endif  // VOXSECRETS_SERVER_NAME_INDEX_MERGER_H_
