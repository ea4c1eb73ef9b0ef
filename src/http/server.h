// HttpServer: the HTTP/1.1 (optionally TLS) front door of voxsecrets, on Boost.Beast/Asio.
//
// What it does per request: enforces the transport limits below, then hands the parsed request to
// http::Responder (routing: /platform_api → ApiHandler, /healthz → HealthCheck, /metrics →
// Metrics, a file of ServerOptions::static_assets (the control panel), else 404) and writes the
// reply. Transport failures are answered with a small JSON body and a non-200 status: 413 body
// too large (Content-Length is checked before any body byte is read; chunked bodies are cut off
// at the limit), 431 header too large, 400 unparseable HTTP.
// Slow clients (docs/SECURITY.md "Connections"): the TLS handshake and the head of a connection's
// first request must arrive within `head_timeout` of the accept, one deadline however the bytes
// are spread, and the whole request within `read_timeout`; a later keep-alive request likewise
// from its first byte. A request that does not make it is dropped without an answer. Connections
// are limited per client address and in total; when a limit is reached the connection that has
// been waiting the longest without a request to answer (a slow one, or an idle keep-alive one) is
// closed to make room (http/connection_table.h), and only when every connection is busy is the
// new one refused. Plain HTTP sent to a TLS port gets `400` in plain text saying to use https.
// Overload: at most `max_queued_calls` API calls wait for a handler thread, none longer than
// `max_queue_wait`; beyond either the call is answered at once with HTTP 429, `Retry-After: 1`
// and the Voximplant rate-limit error 340 in the body (docs/DECISIONS.md "Limits"), as is a call
// the API itself finds the server saturated for (ApiResponse::overloaded).
// Every response carries `Cache-Control: no-store` (static assets: cacheable, see
// static_assets.h) and the security headers of responder.h; there is no `Server` header, no
// cookie and no CORS header.
// `Expect: 100-continue` is honoured, HEAD gets the header only, pipelined requests are answered
// in order. After an error answer the connection is closed after draining what the client still
// sends (so that it reads the answer rather than a reset). Request and response bodies and the
// connection's read buffer are wiped once a request is answered (they may carry secret values).
//
// Threading model: one io_context run by `threads` I/O threads; each connection is a C++20
// coroutine on its own strand, so one connection never runs on two threads at once while
// different connections run in parallel. API calls go through ApiHandler::HandleAsync: by default
// it is called inline on the I/O thread, and the connection's coroutine then waits for the answer
// without holding the thread (the answer may come later from another thread, e.g. once the call's
// audit record is committed; it is posted back to the connection's strand). So an API call holds
// an I/O thread only for the work it does on it, never while it waits for a commit. If that work
// itself blocks (a database across the network), set `handler_threads` > 0: HandleAsync then runs
// on a separate pool and the I/O threads only do I/O (health and metrics stay inline).
//
// Shutdown: Shutdown(grace) closes the listening socket, closes idle keep-alive connections (and
// ones still in the TLS handshake or a lingering close), lets requests already being read,
// handled or written finish and be answered with `Connection: close`, and waits for that up to
// `grace`; what is left after `grace` is cut off. Then the I/O threads (and the handler pool) are
// joined. SIGTERM/SIGINT handling belongs to the caller, which calls Shutdown().
//
// Thread-safety: port() may be called from any thread. Shutdown() and Wait() may be called from
// any thread except the server's own I/O and handler threads (that would deadlock), in particular
// not from inside ApiHandler::Handle or HealthCheck::Ready. Shutdown() is idempotent; concurrent
// callers all return once the first one has finished.
//
// Ownership/lifetimes: Start() returns the only owner. The ApiHandler, HealthCheck and Metrics must
// outlive the server. Destroying a running server is Shutdown(0s). ApiHandler::HandleAsync must
// answer eventually: Shutdown() waits for calls already running (it cannot interrupt them), also
// past the grace period for calls whose connection it cut off.
#ifndef VOXSECRETS_HTTP_SERVER_H_
#define VOXSECRETS_HTTP_SERVER_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "api/api_types.h"
#include "common/metrics.h"
#include "common/status.h"
#include "http/health_check.h"
#include "http/listen_socket.h"
#include "http/responder.h"
#include "http/static_assets.h"

namespace voxsecrets::http {

namespace internal {
class ServerCore;  // server.cc
}  // namespace internal

struct ServerOptions {
  // Address to listen on (an IP literal or a resolvable name) and port; port 0 picks a free
  // ephemeral port (read it back with HttpServer::port()).
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  // TLS 1.2+ with the PEM certificate chain and private key below. Plain HTTP when false (only
  // behind a TLS-terminating proxy or on loopback).
  bool tls = true;
  std::string cert_file;
  std::string key_file;
  // A larger body is answered with 413 (64 KiB: docs/DECISIONS.md "Limits").
  size_t max_body_bytes = 64 * 1024;
  // Request line plus header fields; larger → 431.
  size_t max_header_bytes = 16 * 1024;
  // The TLS handshake plus the request head (from the accept for a connection's first request;
  // from its first byte for a later one) must arrive within this time, else the connection is
  // dropped: one deadline for all of it, not one per step. At most read_timeout (the smaller
  // of the two is used).
  std::chrono::seconds head_timeout{10};
  // The whole request, body included, from the same start; also bounds writing one response.
  std::chrono::seconds read_timeout{30};
  // A keep-alive connection with no request for this long is closed.
  std::chrono::seconds idle_timeout{75};
  // After this many requests on one connection, the response says `Connection: close`.
  size_t max_keepalive_requests = 10000;
  // Open connections at most. At the limit, the connection evictable the longest (slow or idle:
  // http/connection_table.h) is closed to admit a new one; when none is, the new one is closed
  // at once (counted in metrics). The process needs a file descriptor for each (RLIMIT_NOFILE).
  size_t max_connections = 4096;
  // Open connections from one client address (the socket peer) at most, the same way; 0 = no
  // limit. Behind a proxy every client has the proxy's address: raise it there.
  size_t max_connections_per_address = 256;
  // API calls waiting for a handler thread (with handler_threads = 0: beyond `threads` calls
  // being handled at once) at most; another one is answered 429 at once.
  size_t max_queued_calls = 1024;
  // An API call that waited this long for a handler thread is answered 429 without running.
  std::chrono::milliseconds max_queue_wait{2000};
  // I/O threads; 0 = std::thread::hardware_concurrency(), at least 2.
  int threads = 0;
  // 0 = call ApiHandler::HandleAsync inline on the I/O thread; N > 0 = on a pool of N threads.
  int handler_threads = 0;
  // Take client_ip from the rightmost X-Forwarded-For address (only behind a trusted proxy that
  // sets or appends it); otherwise the socket peer.
  bool trust_forwarded_for = false;
  // Files served for GET/HEAD on other paths (the control panel); null = none (404). Not owned:
  // must outlive the server.
  const StaticAssets* static_assets = nullptr;
  // Which routes this server answers (the others get 404): e.g. only /metrics on a separate,
  // internal listener, and everything but /metrics on the clients' one.
  Routes routes;
};

// Metrics the server registers and updates (in the given Metrics registry; a second server on the
// same registry, e.g. a metrics-only listener, adds to the same series):
//   voxsecrets_http_requests_total{route,status}          counter
//   voxsecrets_http_request_duration_seconds{route}       histogram, header read → reply written
//   voxsecrets_http_open_connections                      gauge
//   voxsecrets_http_connections{state}                    gauge: open connections by what they
//       are doing: "handshake" (TLS), "idle" (waiting for a request: new or keep-alive),
//       "reading" (a request is arriving), "handling" (the API call runs), "writing" (the answer
//       is being sent), "closing"
//   voxsecrets_http_in_flight_requests                    gauge
//   voxsecrets_http_pending_api_calls                     gauge: API calls admitted (waiting for or
//       running on a handler thread), at most handler threads + max_queued_calls
//   voxsecrets_http_rejected_connections_total            counter (over a limit, none evictable)
//   voxsecrets_http_evicted_connections_total{reason}     counter: closed to make room, reason
//       "per_address", "total" or "descriptors" (the process ran out of file descriptors)
//   voxsecrets_http_overloaded_total{reason}              counter: API calls answered 429, reason
//       "queue_full", "queue_wait" or "audit"
//   voxsecrets_http_tls_handshake_failures_total          counter (plain HTTP is not one: it is
//       answered, route "invalid", status 400)
// route is "api", "health", "metrics", "panel" (a static asset), "not_found", or "invalid"
// (request could not be parsed).
class HttpServer {
 public:
  // Binds, listens and starts the I/O threads; does not block. Errors (kInvalidArgument for bad
  // options, kUnavailable when the address cannot be bound, kInvalidArgument naming the file when
  // the certificate or key cannot be loaded or do not match).
  static Result<std::unique_ptr<HttpServer>> Start(const ServerOptions& options,
                                                   api::ApiHandler& api, HealthCheck& health,
                                                   Metrics& metrics);
  // The same on a socket bound beforehand (ListenSocket::Bind; options.host and options.port are
  // then only used in messages). REQUIRES: socket.valid().
  static Result<std::unique_ptr<HttpServer>> Start(const ServerOptions& options,
                                                   ListenSocket socket, api::ApiHandler& api,
                                                   HealthCheck& health, Metrics& metrics);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The bound port (the real one when options.port was 0).
  uint16_t port() const;

  // Graceful stop, see the file comment. Blocks until done (at most about `grace`, plus the time
  // running ApiHandler calls need to return).
  void Shutdown(std::chrono::seconds grace);

  // Blocks until Shutdown() has completed (returns at once if it already has).
  void Wait();

 private:
  explicit HttpServer(std::unique_ptr<internal::ServerCore> core);
  std::unique_ptr<internal::ServerCore> core_;
};

}  // namespace voxsecrets::http

#endif  // VOXSECRETS_HTTP_SERVER_H_
