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
// - a path the StaticAssets have (when given): GET or HEAD → the file (static_assets.h); other
//   verbs → 405 `Allow: GET, HEAD`.
// - a route the Responder is not given (Routes) → 404, as if it did not exist (a server that
//   moved /metrics to its own listener; that listener, serving /metrics only).
// (For HEAD the server sends the reply's header only.)
// - anything else → 404.
// Every reply body is JSON (`application/json; charset=utf-8`) except /metrics and static
// assets. Every response carries `Cache-Control: no-store` (static assets: see
// static_assets.h) and security headers: kApiSecurityHeaders, or kPanelSecurityHeaders for a
// static asset. No cookies, no CORS headers, ever.
//
// Thread-safety: Respond() is const and may be called concurrently (the ApiHandler and
// HealthCheck must allow that; see their contracts). Ownership: the references passed to the
// constructor must outlive the Responder.
#ifndef VOXSECRETS_HTTP_RESPONDER_H_
#define VOXSECRETS_HTTP_RESPONDER_H_

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "api/api_types.h"
#include "common/metrics.h"
#include "http/health_check.h"
#include "http/request_decoder.h"
#include "http/static_assets.h"

namespace voxsecrets::http {

inline constexpr std::string_view kJsonContentType = "application/json; charset=utf-8";
inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

struct HeaderField {
  std::string_view name;
  std::string_view value;
};

// On every response but a static asset: the body is data, never to be sniffed, rendered as a
// page, framed, or sent a referrer from.
inline constexpr HeaderField kApiSecurityHeaders[] = {
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "no-referrer"},
    {"Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"},
};

// On the control panel's files: scripts, styles, images and API calls from this origin only; no
// inline script or style, no eval, no plugins, never framed, no <base>, no form posts.
inline constexpr std::string_view kPanelContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
inline constexpr HeaderField kPanelSecurityHeaders[] = {
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "no-referrer"},
    {"Content-Security-Policy", kPanelContentSecurityPolicy},
    {"X-Frame-Options", "DENY"},
    {"Cross-Origin-Opener-Policy", "same-origin"},
    {"Cross-Origin-Resource-Policy", "same-origin"},
};

inline constexpr std::string_view kNoStore = "no-store";
inline constexpr std::string_view kRevalidate = "no-cache";
inline constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";

// The parts of a request the Responder looks at. Views into the server's request buffers.
struct HttpRequestView {
  std::string_view verb{};           // "GET"
  std::string_view target{};         // origin-form, "/platform_api/GetSecrets?count=1"
  std::string_view content_type{};   // empty when absent
  std::string_view authorization{};  // the Authorization header, empty when absent
  std::string_view forwarded_for{};  // the last X-Forwarded-For header, empty when absent
  std::string_view if_none_match{};  // the If-None-Match header, empty when absent
  std::string_view body{};
  std::string_view peer_ip{};  // the socket peer, "127.0.0.1"
};

// Every string_view member points to static storage (or to StaticAssets data, which outlives
// the server).
struct HttpReply {
  unsigned status = 200;  // 304: no body and no Content-Length are sent
  std::string_view content_type = kJsonContentType;
  std::string body;
  std::string_view allow;  // non-empty → send an `Allow` header (405)
  std::string_view cache_control = kNoStore;
  std::string_view etag;  // non-empty → send an `ETag` header
  std::span<const HeaderField> security_headers = kApiSecurityHeaders;
  std::string_view route_label;      // for metrics; empty → RouteLabel(route)
  unsigned retry_after_seconds = 0;  // non-zero → send `Retry-After` (429)
};

// Which routes a Responder serves.
struct Routes {
  bool api = true;      // /platform_api and /healthz
  bool metrics = true;  // /metrics
};

// A short label for metrics: "api", "health", "metrics", "not_found" ("panel" for a static
// asset, set in HttpReply::route_label).
std::string_view RouteLabel(Route route);

// True when the If-None-Match header value `if_none_match` matches entity tag `etag` (weak
// comparison, RFC 9110 §13.1.2: "*", or any listed tag, with or without W/).
bool IfNoneMatchMatches(std::string_view if_none_match, std::string_view etag);

// A transport-level error reply: `status` with {"error":{"http_status":N,"msg":"..."}}.
// REQUIRES: `message` is a fixed text of ours (it is not escaped beyond quotes and backslashes
// and must never carry request data).
HttpReply TransportErrorReply(unsigned status, std::string_view message);

// The answer to an API call the server is too busy for: HTTP 429 with `Retry-After: 1` and the
// Voximplant rate-limit error in the API's usual envelope, {"error":{"code":340,"msg":"..."}}
// (docs/DECISIONS.md "Limits"). `body`, when given, is the API's own error envelope to send.
HttpReply OverloadedReply(std::string body = {});

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
  // `assets` may be null (no static files: every other path is 404).
  Responder(api::ApiHandler& api, HealthCheck& health, const Metrics& metrics,
            bool trust_forwarded_for, const StaticAssets* assets = nullptr, Routes routes = {})
      : api_(api),
        health_(health),
        metrics_(metrics),
        trust_forwarded_for_(trust_forwarded_for),
        assets_(assets),
        routes_(routes) {}

  // `route` if this Responder serves it, else Route::kNotFound.
  Route Served(Route route) const;

  // REQUIRES: route == RouteOf(request.target).
  HttpReply Respond(Route route, const HttpRequestView& request) const;

  // Respond, answered through `done`: exactly once, on this thread before RespondAsync returns,
  // or (an API call: ApiHandler::HandleAsync) later on another thread. `request` is used only
  // before RespondAsync returns. `done` must not block.
  void RespondAsync(Route route, const HttpRequestView& request,
                    std::function<void(HttpReply)> done) const;

 private:
  api::ApiRequest ToApiRequest(const HttpRequestView& request) const;
  HttpReply RespondApi(const HttpRequestView& request) const;
  std::optional<HttpReply> RespondStatic(const HttpRequestView& request) const;

  api::ApiHandler& api_;
  HealthCheck& health_;
  const Metrics& metrics_;
  const bool trust_forwarded_for_;
  const StaticAssets* const assets_;
  const Routes routes_;
};

}  // namespace voxsecrets::http

#endif  // VOXSECRETS_HTTP_RESPONDER_H_
