// Responder: what the server answers to one complete, parsed HTTP request — routing, the API call,
// health and metrics, and the JSON bodies of transport errors. No sockets and no Beast here, so
// this is unit-testable and cheap to compile; server.cc does the I/O around it.
//
// Rules (docs/API.md "Transport", docs/DECISIONS.md "Transport"):
// - /platform_api...: GET and POST → the ApiHandler's body with HTTP 200; any other verb → 405
//   with `Allow: GET, POST`.
// - /healthz: GET or HEAD → 200 {"status":"ok"} when HealthCheck::Ready(), else 503
//   {"status":"unavailable"}; other verbs → 405 `Allow: GET, HEAD`.
// - /metrics: GET or HEAD → Prometheus text; other verbs → 405 `Allow: GET, HEAD`.
// (For HEAD the server sends the reply's header only.)
// - anything else → 404.
// Every reply body is JSON (`application/json; charset=utf-8`) except /metrics. The server adds
// `Cache-Control: no-store` to every response, including transport errors.
//
// Thread-safety: Respond() is const and may be called concurrently (the ApiHandler and
// HealthCheck must allow that; see their contracts). Ownership: the references passed to the
// constructor must outlive the Responder.
#ifndef VOXSECRETS_HTTP_RESPONDER_H_
#define VOXSECRETS_HTTP_RESPONDER_H_

#include <string>
#include <string_view>

#include "api/api_types.h"
#include "common/metrics.h"
#include "http/health_check.h"
#include "http/request_decoder.h"

namespace voxsecrets::http {

inline constexpr std::string_view kJsonContentType = "application/json; charset=utf-8";
inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

// The parts of a request the Responder looks at. Views into the server's request buffers.
struct HttpRequestView {
  std::string_view verb{};           // "GET"
  std::string_view target{};         // origin-form, "/platform_api/GetSecrets?count=1"
  std::string_view content_type{};   // empty when absent
  std::string_view authorization{};  // the Authorization header, empty when absent
  std::string_view forwarded_for{};  // the last X-Forwarded-For header, empty when absent
  std::string_view body{};
  std::string_view peer_ip{};  // the socket peer, "127.0.0.1"
};

struct HttpReply {
  unsigned status = 200;
  std::string_view content_type = kJsonContentType;  // static storage
  std::string body;
  std::string_view allow;  // static storage; non-empty → send an `Allow` header (405)
};

// A short label for metrics: "api", "health", "metrics", "not_found".
std::string_view RouteLabel(Route route);

// A transport-level error reply: `status` with {"error":{"http_status":N,"msg":"..."}}.
// REQUIRES: `message` is a fixed text of ours (it is not escaped beyond quotes and backslashes
// and must never carry request data).
HttpReply TransportErrorReply(unsigned status, std::string_view message);

// The token of `Authorization: Bearer <token>` (scheme case-insensitive, surrounding blanks
// trimmed); empty for another scheme or a malformed header.
std::string_view BearerToken(std::string_view authorization);

// The client address to record: `peer_ip`, or — when `trust_forwarded_for` — the rightmost
// address of `forwarded_for` if it is a valid IPv4/IPv6 literal. Rightmost, because a proxy
// appends the address it saw (nginx `$proxy_add_x_forwarded_for`): entries to its left were sent
// by the client and can be forged.
std::string ClientIp(std::string_view peer_ip, std::string_view forwarded_for,
                     bool trust_forwarded_for);

class Responder {
 public:
  Responder(api::ApiHandler& api, HealthCheck& health, const Metrics& metrics,
            bool trust_forwarded_for)
      : api_(api), health_(health), metrics_(metrics), trust_forwarded_for_(trust_forwarded_for) {}

  // REQUIRES: route == RouteOf(request.target).
  HttpReply Respond(Route route, const HttpRequestView& request) const;

 private:
  HttpReply RespondApi(const HttpRequestView& request) const;

  api::ApiHandler& api_;
  HealthCheck& health_;
  const Metrics& metrics_;
  const bool trust_forwarded_for_;
};

}  // namespace voxsecrets::http

#endif  // VOXSECRETS_HTTP_RESPONDER_H_
