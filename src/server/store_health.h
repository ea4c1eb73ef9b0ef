// StoreHealthProbe: what `GET /healthz` answers — ready while the store answers and the server
// is not draining — without ever making the caller wait for the database.
//
// A background thread probes the store (one read transaction: a meta lookup) every `interval`;
// Ready() only reads the outcome. It is ready when the last probe succeeded, that success is at
// most `stale_after` old (so a probe stuck on a database that stopped answering turns the node
// not-ready after `stale_after`, not after the store's own timeouts), and SetDraining() was not
// called. So while PostgreSQL is down /healthz answers 503 at once (refused connections fail the
// probe immediately; a silent server within `stale_after`), and the node is ready again within
// `interval` of the database coming back: the store reconnects by itself.
// State changes are logged (ready → not ready with the store's error message, which never
// contains a password or a value; not ready → ready).
//
// Thread-safety: Ready, SetDraining and ProbeOnce may be called from any thread; Start and Stop
// from one thread.
// Lifetimes: `store`, `clock` and `log` must outlive the probe; the destructor stops the thread.
#ifndef VOXSECRETS_SERVER_STORE_HEALTH_H_
#define VOXSECRETS_SERVER_STORE_HEALTH_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>

#include "common/clock.h"
#include "common/log.h"
#include "common/mutex.h"
#include "http/health_check.h"
#include "store/store.h"

namespace voxsecrets::server {

struct StoreHealthOptions {
  std::chrono::milliseconds interval{1000};
  std::chrono::milliseconds stale_after{3000};
};

class StoreHealthProbe final : public http::HealthCheck {
 public:
  StoreHealthProbe(store::Store& store, const Clock& clock, Logger& log,
                   StoreHealthOptions options = {});
  ~StoreHealthProbe() override;
  StoreHealthProbe(const StoreHealthProbe&) = delete;
  StoreHealthProbe& operator=(const StoreHealthProbe&) = delete;

  // Probes once (so that Ready() has an answer at once), then every `interval` on a thread.
  void Start();
  // Stops and joins the thread (waits for a probe in progress). Idempotent.
  void Stop();

  // One probe: blocks as long as the store's read does; records and returns the outcome.
  bool ProbeOnce();

  // http::HealthCheck. Never blocks on the store.
  bool Ready() override;
  void SetDraining() { draining_ = true; }

 private:
  void Loop() EXCLUDES(mu_);

  store::Store& store_;
  const Clock& clock_;
  Logger& log_;
  const StoreHealthOptions options_;
  std::atomic<bool> draining_{false};
  std::atomic<bool> last_ok_{false};
  std::atomic<int64_t> last_ok_ms_{0};  // clock_.NowMillis() of the last successful probe
  Mutex log_mu_;
  bool reported_down_ GUARDED_BY(log_mu_) = false;
  Mutex mu_;
  CondVar cv_;  // signalled when stop_ is set
  bool stop_ GUARDED_BY(mu_) = false;
  std::thread thread_;  // started and joined by the owner (Start, Stop)
};

}  // namespace voxsecrets::server

#endif  // VOXSECRETS_SERVER_STORE_HEALTH_H_
