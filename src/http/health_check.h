// HealthCheck: what `GET /healthz` asks. The wiring code implements it (e.g. "the store answers
// and the keyring is loaded"); http/ only reports the answer (200 or 503).
//
// Thread-safety: Ready() may be called concurrently from every I/O thread; it should be cheap and
// must not block for long (load balancers poll it).
#ifndef VOXSECRETS_HTTP_HEALTH_CHECK_H_
#define VOXSECRETS_HTTP_HEALTH_CHECK_H_

namespace voxsecrets::http {

class HealthCheck {
 public:
  virtual ~HealthCheck() = default;
  virtual bool Ready() = 0;
};

}  // namespace voxsecrets::http

#endif  // VOXSECRETS_HTTP_HEALTH_CHECK_H_
