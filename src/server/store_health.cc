#include "server/store_health.h"

#include <string>

namespace voxsecrets::server {

StoreHealthProbe::StoreHealthProbe(store::Store& store, const Clock& clock, Logger& log,
                                   StoreHealthOptions options)
    : store_(store), clock_(clock), log_(log), options_(options) {}

StoreHealthProbe::~StoreHealthProbe() { Stop(); }

void StoreHealthProbe::Start() {
  ProbeOnce();
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void StoreHealthProbe::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void StoreHealthProbe::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!cv_.wait_for(lock, options_.interval, [this] { return stop_; })) {
    lock.unlock();
    ProbeOnce();
    lock.lock();
  }
}

bool StoreHealthProbe::ProbeOnce() {
  const Status status =
      store_.Read([](store::Tx& tx) { return tx.meta().Get("health.probe").status(); });
  const bool ok = status.ok();
  if (ok) last_ok_ms_ = clock_.NowMillis();
  last_ok_ = ok;
  std::lock_guard<std::mutex> lock(log_mu_);
  if (!ok && !reported_down_) {
    log_.Warn("store unavailable: /healthz reports not ready",
              {{"error", status.message()}, {"backend", store_.BackendName()}});
    reported_down_ = true;
  } else if (ok && reported_down_) {
    log_.Info("store available again: /healthz reports ready", {{"backend", store_.BackendName()}});
    reported_down_ = false;
  }
  return ok;
}

bool StoreHealthProbe::Ready() {
  if (draining_.load()) return false;
  if (!last_ok_.load()) return false;
  return clock_.NowMillis() - last_ok_ms_.load() <= options_.stale_after.count();
}

}  // namespace voxsecrets::server
