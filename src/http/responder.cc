#include "http/responder.h"

#include <arpa/inet.h>

#include <atomic>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "common/ascii.h"
#include "common/encoding.h"

namespace voxsecrets::http {
namespace {

constexpr std::string_view kBlanks = " \t";

std::string_view Trim(std::string_view s) {
  const size_t first = s.find_first_not_of(kBlanks);
  if (first == std::string_view::npos) return {};
  const size_t last = s.find_last_not_of(kBlanks);
  return s.substr(first, last - first + 1);
}

bool IsIpLiteral(std::string_view s) {
  if (s.empty() || s.size() >= INET6_ADDRSTRLEN) return false;
  const std::string z(s);  // inet_pton needs a NUL-terminated string
  unsigned char buf[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, z.c_str(), buf) == 1 || inet_pton(AF_INET6, z.c_str(), buf) == 1;
}

bool IsGetOrHead(std::string_view verb) { return verb == "GET" || verb == "HEAD"; }

HttpReply MethodNotAllowed(std::string_view allow) {
  HttpReply reply = TransportErrorReply(405, "Method not allowed.");
  reply.allow = allow;
  return reply;
}

}  // namespace

std::string_view RouteLabel(Route route) {
  switch (route) {
    case Route::kApi:
      return "api";
    case Route::kHealth:
      return "health";
    case Route::kMetrics:
      return "metrics";
    case Route::kNotFound:
      break;
  }
  return "not_found";
}

HttpReply TransportErrorReply(unsigned status, std::string_view message) {
  HttpReply reply;
  reply.status = status;
  reply.body = "{\"error\":{\"http_status\":" + std::to_string(status) + ",\"msg\":";
  AppendJsonString(reply.body, message);
  reply.body += "}}";
  return reply;
}

HttpReply OverloadedReply(std::string body) {
  HttpReply reply;
  reply.status = 429;
  reply.retry_after_seconds = 1;
  reply.body = body.empty() ? R"({"error":{"code":340,"msg":"Too many requests: the server is )"
                              R"(busy. Retry later."}})"
                            : std::move(body);
  return reply;
}

std::string_view BearerToken(std::string_view authorization) {
  const std::string_view value = Trim(authorization);
  const size_t space = value.find_first_of(kBlanks);
  if (space == std::string_view::npos) return {};
  if (!EqualsIgnoreAsciiCase(value.substr(0, space), "bearer")) return {};
  const std::string_view token = Trim(value.substr(space));
  // A token is one word (RFC 6750 b64token); anything with inner blanks is malformed. (A plain
  // loop: find_first_of searches the set once per character of a ~700-byte token.)
  for (const char c : token) {
    if (c == ' ' || c == '\t') return {};
  }
  return token;
}

std::string ClientIp(std::string_view peer_ip, std::string_view forwarded_for,
                     bool trust_forwarded_for) {
  if (trust_forwarded_for) {
    const size_t comma = forwarded_for.rfind(',');
    const std::string_view last =
        Trim(comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1));
    if (IsIpLiteral(last)) return std::string(last);
  }
  return std::string(peer_ip);
}

Route Responder::Served(Route route) const {
  const bool served =
      route == Route::kMetrics ? routes_.metrics : route == Route::kNotFound || routes_.api;
  return served ? route : Route::kNotFound;
}

HttpReply Responder::Respond(Route route, const HttpRequestView& request) const {
  switch (Served(route)) {
    case Route::kApi:
      if (request.verb != "GET" && request.verb != "POST") return MethodNotAllowed("GET, POST");
      return RespondApi(request);
    case Route::kHealth: {
      if (!IsGetOrHead(request.verb)) return MethodNotAllowed("GET, HEAD");
      HttpReply reply;
      if (health_.Ready()) {
        reply.body = R"({"status":"ok"})";
      } else {
        reply.status = 503;
        reply.body = R"({"status":"unavailable"})";
      }
      return reply;
    }
    case Route::kMetrics: {
      if (!IsGetOrHead(request.verb)) return MethodNotAllowed("GET, HEAD");
      HttpReply reply;
      reply.content_type = kPrometheusContentType;
      reply.body = metrics_.RenderPrometheus();
      return reply;
    }
    case Route::kNotFound:
      if (std::optional<HttpReply> reply = RespondStatic(request)) return std::move(*reply);
      break;
  }
  return TransportErrorReply(404, "Not found.");
}

std::optional<HttpReply> Responder::RespondStatic(const HttpRequestView& request) const {
  if (assets_ == nullptr) return std::nullopt;
  std::string_view path = request.target.substr(0, request.target.find_first_of("?#"));
  if (path == "/") path = "/index.html";
  const std::optional<StaticAsset> asset = assets_->Find(path);
  if (!asset.has_value()) return std::nullopt;
  HttpReply reply;
  reply.route_label = "panel";
  if (!IsGetOrHead(request.verb)) {
    reply = MethodNotAllowed("GET, HEAD");
    reply.route_label = "panel";
    return reply;
  }
  reply.content_type = asset->content_type;
  reply.cache_control = asset->immutable ? kImmutable : kRevalidate;
  reply.etag = asset->etag;
  reply.security_headers = kPanelSecurityHeaders;
  if (!asset->etag.empty() && IfNoneMatchMatches(request.if_none_match, asset->etag)) {
    reply.status = 304;
    return reply;
  }
  reply.body.assign(asset->body);
  return reply;
}

bool IfNoneMatchMatches(std::string_view if_none_match, std::string_view etag) {
  const auto opaque = [](std::string_view tag) {
    tag = Trim(tag);
    if (tag.size() >= 2 && tag[0] == 'W' && tag[1] == '/') tag.remove_prefix(2);
    return tag;
  };
  const std::string_view want = opaque(etag);
  if (want.empty()) return false;
  while (!if_none_match.empty()) {
    const size_t comma = if_none_match.find(',');
    const std::string_view item = opaque(if_none_match.substr(0, comma));
    if (item == "*" || item == want) return true;
    if (comma == std::string_view::npos) break;
    if_none_match.remove_prefix(comma + 1);
  }
  return false;
}

api::ApiRequest Responder::ToApiRequest(const HttpRequestView& request) const {
  api::ApiRequest api_request;
  DecodeApiRequest(RawRequest{.verb = request.verb,
                              .target = request.target,
                              .content_type = request.content_type,
                              .body = request.body},
                   &api_request);
  api_request.bearer_token = WipingString(BearerToken(request.authorization));
  api_request.client_ip = ClientIp(request.peer_ip, request.forwarded_for, trust_forwarded_for_);
  return api_request;
}

HttpReply Responder::RespondApi(const HttpRequestView& request) const {
  const api::ApiRequest api_request = ToApiRequest(request);
  HttpReply reply;
  // The handler reports failures in its body; an exception escaping it is a bug below us. Answer
  // 500 rather than dropping the connection, and say nothing about it to the client.
  try {
    api::ApiResponse response = api_.Handle(api_request);
    if (response.overloaded) return OverloadedReply(std::move(response.body));
    reply.body = std::move(response.body);
  } catch (...) {
    return TransportErrorReply(500, "Internal server error.");
  }
  return reply;
}

void Responder::RespondAsync(Route route, const HttpRequestView& request,
                             std::function<void(HttpReply)> done) const {
  if (route != Route::kApi || (request.verb != "GET" && request.verb != "POST")) {
    done(Respond(route, request));
    return;
  }
  // Exactly one answer even if the handler throws after it answered (see RespondApi). One
  // allocation for both.
  struct Pending {
    std::function<void(HttpReply)> done;
    std::atomic<bool> answered{false};
  };
  auto pending = std::make_shared<Pending>();
  pending->done = std::move(done);
  try {
    api_.HandleAsync(ToApiRequest(request), [pending](api::ApiResponse response) {
      if (pending->answered.exchange(true)) return;
      if (response.overloaded) return pending->done(OverloadedReply(std::move(response.body)));
      HttpReply reply;
      reply.body = std::move(response.body);
      pending->done(std::move(reply));
    });
  } catch (...) {
    if (!pending->answered.exchange(true)) {
      pending->done(TransportErrorReply(500, "Internal server error."));
    }
  }
}

}  // namespace voxsecrets::http
