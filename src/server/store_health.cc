#include "server/store_health.h"

#include <chrono>
#include <string>

namespace voxsecrets::server {

StoreHealthProbe::StoreHealthProbe(store::Store& store, const Clock& clock, Logger& log,
                                   StoreHealthOptions options)
    : store_(store), clock_(clock), log_(log), options_(options) {}

StoreHealthProbe::~StoreHealthProbe() { Stop(); }

void StoreHealthProbe::Start() {
  ProbeOnce();
  MutexLock lock(mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void StoreHealthProbe::Stop() {
  {
    MutexLock lock(mu_);
    stop_ = true;
  }
  cv_.SignalAll();
  if (thread_.joinable()) thread_.join();
}

void StoreHealthProbe::Loop() {
  MutexLock lock(mu_);
  while (true) {
    const auto deadline = std::chrono::steady_clock::now() + options_.interval;
    while (!stop_ && cv_.WaitUntil(mu_, deadline) == std::cv_status::no_timeout) {
    }
    if (stop_) return;
    lock.Unlock();
    ProbeOnce();
    lock.Lock();
  }
}

bool StoreHealthProbe::ProbeOnce() {
  const Status status =
      store_.Read([](store::Tx& tx) { return tx.meta().Get("health.probe").status(); });
  const bool ok = status.ok();
  if (ok) last_ok_ms_ = clock_.NowMillis();
  last_ok_ = ok;
  MutexLock lock(log_mu_);
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
