#include "server/name_index_merger.h"

#include <string_view>

namespace voxsecrets::server {

NameIndexMerger::NameIndexMerger(store::Store& store, Logger* logger,
                                 NameIndexMergerOptions options)
    : store_(store), logger_(logger), options_(options) {
  if (options_.background) thread_.emplace(options_.interval, [this] { (void)RunOnce(); });
}

NameIndexMerger::~NameIndexMerger() = default;

Result<int64_t> NameIndexMerger::RunOnce() {
  int64_t steps = 0;
  int64_t segments = 0;
  // The first step starts only above max_segments; once started, the merge goes on to one
  // segment, so that the next one is a whole interval of writes away.
  int64_t threshold = options_.max_segments;
  while (steps < options_.max_steps) {
    const Status status = store_.Write([&](store::Tx& tx) -> Status {
      VS_ASSIGN_OR_RETURN(segments,
                          tx.secrets().MergeNameIndex(threshold, options_.pages_per_step));
      return Status::Ok();
    });
    if (!status.ok()) {
      if (logger_ != nullptr) {
        // A warning: the next check retries (e.g. another process held the write lock longer
        // than the busy timeout, as a bulk load may).
        logger_->Warn("name index merge failed, retried at the next check",
                      {{"error", std::string_view(status.message())}});
      }
      return status;
    }
    if (segments == 0) break;  // nothing (left) above the threshold
    ++steps;
    if (segments <= 1) break;
    threshold = 1;
  }
  if (logger_ != nullptr && steps > 0) {
    logger_->Info("name index merged", {{"steps", steps}, {"segments", segments}});
  }
  return steps;
}

}  // namespace voxsecrets::server
