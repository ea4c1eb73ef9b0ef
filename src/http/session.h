// Internal to vs_http: one client connection of HttpServer (session.cc) and the narrow view of the
// server it needs (SessionHost, implemented by server.cc). Included by server.cc and session.cc
// only — it pulls in Asio, which no other TU should pay for. Beast stays inside session.cc.
//
// Thread-safety: SessionHost methods may be called from any I/O or handler thread. A session runs
// on its socket's executor (a strand); SessionBase methods may be called from any thread.
// Lifetimes: the SessionHost, the Responder and the TLS context must outlive every session; the
// server guarantees it by destroying its io_context (which owns pending sessions) first.
#ifndef VOXSECRETS_HTTP_SESSION_H_
#define VOXSECRETS_HTTP_SESSION_H_

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/metrics.h"
#include "http/responder.h"
#include "http/server.h"

namespace boost::asio {
class thread_pool;
namespace ssl {
class context;
}  // namespace ssl
}  // namespace boost::asio

namespace voxsecrets::http::internal {

// What an open connection is doing (voxsecrets_http_connections{state}; see server.h).
enum class ConnectionState { kHandshake, kIdle, kReading, kHandling, kWriting, kClosing };
inline constexpr int kConnectionStates = 6;

// The server's handle on a live session.
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Closes the connection if it is idle (TLS handshake, waiting for a request, closing), or in
  // any case when `force`. Asynchronous: posted to the session's strand.
  virtual void OnServerStop(bool force) = 0;
  // The ConnectionTable chose this connection to make room: closes it unless it has a complete
  // request to answer, in which case it answers with `Connection: close` and then closes.
  // Asynchronous: posted to the session's strand.
  virtual void Evict() = 0;
  // Closes the socket at once. REQUIRES: no I/O thread is running (they were joined).
  virtual void CloseUnsynchronized() = 0;
};

class SessionHost {
 public:
  virtual ~SessionHost() = default;
  virtual const ServerOptions& options() const = 0;
  virtual const Responder& responder() const = 0;
  // Where API calls run; nullptr = inline on the I/O thread.
  virtual boost::asio::thread_pool* handler_pool() = 0;
  // True once Shutdown() has begun: answer in-flight requests with `Connection: close`.
  virtual bool stopping() const = 0;
  // A session registers itself when created and unregisters in its destructor. `id` is the one
  // the connection was admitted with (ConnectionTable).
  virtual void Register(uint64_t id, const std::shared_ptr<SessionBase>& session) = 0;
  virtual void Unregister(uint64_t id) = 0;
  // ConnectionTable::MarkEvictable / MarkBusy of the session's connection.
  virtual void MarkEvictable(uint64_t id) = 0;
  virtual void MarkBusy(uint64_t id) = 0;
  // Admission of an API call (queued for or running on a handler thread): false when
  // ServerOptions::max_queued_calls are already waiting; the caller then answers 429 at once.
  // Each admitted call must be ended with EndApiCall().
  virtual bool BeginApiCall() = 0;
  virtual void EndApiCall() = 0;
  // An API call answered 429 because the server is saturated; `reason` is "queue_full",
  // "queue_wait" or "audit" (voxsecrets_http_overloaded_total{reason}).
  virtual void CountOverloaded(std::string_view reason) = 0;
  // One answered request (metrics); `route` is RouteLabel() or "invalid".
  virtual void RecordRequest(std::string_view route, unsigned status,
                             std::chrono::steady_clock::time_point started) = 0;
  virtual void CountTlsFailure() = 0;
  virtual Gauge& in_flight() = 0;
  // The gauge of connections in `state`.
  virtual Gauge& connections(ConnectionState state) = 0;
  // An API call was handed to the Responder (CallStarted) and its answer handed back to the
  // session's executor (CallFinished). Shutdown waits until every call started has finished, so
  // that no answer arrives after the server is gone.
  virtual void CallStarted() = 0;
  virtual void CallFinished() = 0;
};

// Serves the accepted `socket` until the connection ends: creates the session, registers it with
// `host` under `id` (admitted from `peer_ip` at `accepted`) and starts it on the socket's
// executor. Plain HTTP when `tls` is null.
void StartSession(SessionHost& host, boost::asio::ip::tcp::socket socket,
                  boost::asio::ssl::context* tls, uint64_t id, std::string peer_ip,
                  std::chrono::steady_clock::time_point accepted);

// The client address of `socket` as text ("127.0.0.1"; IPv4-mapped IPv6 addresses as IPv4);
// empty when the peer is gone.
std::string PeerIp(const boost::asio::ip::tcp::socket& socket);

}  // namespace voxsecrets::http::internal

#endif  // VOXSECRETS_HTTP_SESSION_H_
