// Routing and the assembly of an api::ApiRequest from the target and the body. The body formats
// themselves live in form.cc, multipart.cc and json_body.cc.
#include "http/request_decoder.h"

#include <string>
#include <string_view>
#include <utility>

#include "http/body_decoders.h"

namespace voxsecrets::http {
namespace {

constexpr std::string_view kApiPrefix = "/platform_api";

struct SplitTarget {
  std::string_view path;
  std::string_view query;  // without the '?'
};

SplitTarget Split(std::string_view target) {
  const size_t q = target.find('?');
  if (q == std::string_view::npos) return {target, {}};
  return {target.substr(0, q), target.substr(q + 1)};
}

// True when `path` names the API; `*method` is then the raw method segment (empty for
// `/platform_api` and `/platform_api/`).
bool ParseApiPath(std::string_view path, std::string_view* method) {
  if (!path.starts_with(kApiPrefix)) return false;
  std::string_view rest = path.substr(kApiPrefix.size());
  *method = {};
  if (rest.empty() || rest == "/") return true;
  if (rest.front() != '/') return false;  // "/platform_apiX"
  rest.remove_prefix(1);
  if (rest.back() == '/') rest.remove_suffix(1);
  if (rest.empty() || rest.find('/') != std::string_view::npos) return false;
  *method = rest;
  return true;
}

// Decodes the body into `out` by its Content-Type. An empty body has no parameters, whatever its
// type claims.
Status DecodeBody(std::string_view content_type, std::string_view body, api::Params* out) {
  using internal::BodyKind;
  if (body.empty()) return Status::Ok();
  BodyKind kind = internal::BodyKindOf(content_type);
  if (kind == BodyKind::kSniff) {
    const size_t first = body.find_first_not_of(" \t\r\n");
    kind = (first != std::string_view::npos && body[first] == '{') ? BodyKind::kJson
                                                                   : BodyKind::kUrlEncoded;
  }
  switch (kind) {
    case BodyKind::kUrlEncoded:
      if (!internal::DecodeUrlEncoded(body, out)) {
        return Status(StatusCode::kMalformedRequest,
                      "The request body has a malformed percent escape.");
      }
      return Status::Ok();
    case BodyKind::kMultipart: {
      const std::optional<std::string> boundary = HeaderParam(content_type, "boundary");
      if (!boundary || boundary->empty()) {
        return Status(StatusCode::kMalformedRequest,
                      "The multipart Content-Type has no boundary parameter.");
      }
      return internal::DecodeMultipart(body, *boundary, out);
    }
    case BodyKind::kJson:
      return internal::DecodeJsonObject(body, out);
    case BodyKind::kSniff:
    case BodyKind::kIgnored:
      break;
  }
  return Status::Ok();
}

// Parameters from both sources: the body wins for a name in both. Each side has already been
// resolved on its own (last occurrence wins, empty means absent), so an empty body value never
// hides a query value.
api::Params Merge(api::Params query, api::Params body) {
  if (query.size() == 0) return body;
  if (body.size() == 0) return query;
  for (const auto& [name, value] : query.all()) {
    if (!body.Has(name)) body.Set(name, value);
  }
  return body;
}

}  // namespace

Route RouteOf(std::string_view target) {
  const std::string_view path = Split(target).path;
  if (path == "/healthz") return Route::kHealth;
  if (path == "/metrics") return Route::kMetrics;
  std::string_view method;
  return ParseApiPath(path, &method) ? Route::kApi : Route::kNotFound;
}

void DecodeApiRequest(const RawRequest& raw, api::ApiRequest* out) {
  out->method.clear();
  out->params = api::Params();
  out->decode_status = Status::Ok();

  const SplitTarget target = Split(raw.target);
  std::string_view path_method;
  if (ParseApiPath(target.path, &path_method) && !path_method.empty()) {
    // A segment that does not percent-decode is kept as sent: it names no method, which the
    // dispatcher reports as an unknown one.
    std::optional<std::string> decoded = PercentDecode(path_method, /*plus_is_space=*/false);
    out->method = decoded ? std::move(*decoded) : std::string(path_method);
  }

  api::Params query;
  if (!internal::DecodeUrlEncoded(target.query, &query)) {
    query = api::Params();
    out->decode_status =
        Status(StatusCode::kMalformedRequest, "The query string has a malformed percent escape.");
  }
  api::Params body;
  if (Status s = DecodeBody(raw.content_type, raw.body, &body); !s.ok()) {
    body = api::Params();
    if (out->decode_status.ok()) out->decode_status = std::move(s);
  }
  out->params = Merge(std::move(query), std::move(body));

  if (std::optional<std::string_view> cmd = out->params.Get("cmd")) {
    if (out->method.empty()) out->method = std::string(*cmd);
    out->params.Erase("cmd");
  }
}

}  // namespace voxsecrets::http
