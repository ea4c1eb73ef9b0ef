// Turns the parts of an HTTP request into an api::ApiRequest, following docs/API.md
// ("Transport"): the method comes from `/platform_api/<Method>[/]` or else from `cmd`;
// parameters are merged from the query string and the body (application/x-www-form-urlencoded,
// multipart/form-data, or a JSON object whose scalar members become parameters); the body wins;
// empty values mean "not given".
//
// Pure functions, no I/O: safe from any thread. Every input is untrusted (fuzzed in
// fuzz/request_decoder_fuzz.cc).
#ifndef VOXSECRETS_HTTP_REQUEST_DECODER_H_
#define VOXSECRETS_HTTP_REQUEST_DECODER_H_

#include <optional>
#include <string>
#include <string_view>

#include "api/api_types.h"
#include "common/status.h"

namespace voxsecrets::http {

struct RawRequest {
  std::string_view verb;          // "GET", "POST", ...
  std::string_view target;        // "/platform_api/AddSecret/?a=1" (origin-form)
  std::string_view content_type;  // the Content-Type header, may be empty
  std::string_view body;
};

// What kind of resource the target names.
enum class Route {
  kApi,       // /platform_api, /platform_api/, /platform_api/<Method>, /platform_api/<Method>/
  kHealth,    // /healthz
  kMetrics,   // /metrics
  kNotFound,  // anything else (HTTP 404)
};

// Classifies the path part of `target` (the query is ignored).
Route RouteOf(std::string_view target);

// Decodes an API request. REQUIRES: RouteOf(raw.target) == Route::kApi.
// Never fails as a whole: a body that cannot be decoded leaves out->decode_status non-OK
// (kMalformedRequest, message says what was wrong without echoing values) while the method and
// query parameters are still filled in. `bearer_token` and `client_ip` are left untouched; the
// other fields of `*out` are overwritten.
//
// The finer rules:
// - The path segment is percent-decoded ('+' stays '+'); one that does not decode is kept as
//   sent (it names no method). `cmd` (after merging) names the method only when the path does
//   not; it is removed from the parameters either way.
// - Each source (query, body) is resolved on its own: last occurrence wins, an empty value means
//   absent. Then the body's names replace the query's, so an empty body value never hides a query
//   value.
// - A source that fails to decode (bad percent escape, broken multipart or JSON) contributes no
//   parameters at all (a `cmd` inside a broken body is lost too); decode_status reports the first
//   failure (the query's before the body's).
// - Body by Content-Type (media type case-insensitive, parameters ignored):
//   application/x-www-form-urlencoded; multipart/form-data (boundary required);
//   application/json and application/*+json; no Content-Type or text/plain: JSON when the first
//   non-blank byte is '{', else urlencoded; any other type: the body is ignored. An empty body has
//   no parameters whatever its type. The verb does not matter (a GET body is decoded too).
void DecodeApiRequest(const RawRequest& raw, api::ApiRequest* out);

// Exposed for tests and other decoders.
// Percent-decodes `s` ('+' becomes ' ' when `plus_is_space`); nullopt on a malformed escape.
std::optional<std::string> PercentDecode(std::string_view s, bool plus_is_space);
// The value of a header parameter such as `boundary` in `multipart/form-data; boundary=x`
// (quoted or bare), case-insensitive name; nullopt when absent.
std::optional<std::string> HeaderParam(std::string_view header_value, std::string_view name);

}  // namespace voxsecrets::http

#endif  // VOXSECRETS_HTTP_REQUEST_DECODER_H_
