// Internal pieces of the request decoder (request_decoder.h), exposed for unit tests: one decoder
// per body format, plus the Content-Type classification that picks between them.
//
// Each decoder adds the parameters it finds to `out` with api::Params::Set, in the order they
// appear, so within one source the last occurrence of a name wins and an empty value erases the
// name. A decoder that fails returns a kMalformedRequest Status (or false) and may have added some
// parameters already: callers decode into a scratch Params and drop it on failure. Messages never
// echo request content.
//
// Pure functions, no I/O, no shared state: safe from any thread. Every input is untrusted; every
// decoder runs in time linear in its input (multipart: linear times the boundary length, which is
// capped at kMaxBoundaryLength).
#ifndef VOXSECRETS_HTTP_BODY_DECODERS_H_
#define VOXSECRETS_HTTP_BODY_DECODERS_H_

#include <cstddef>
#include <string_view>

#include "api/api_types.h"
#include "common/status.h"

namespace voxsecrets::http::internal {

// What to do with a request body, from its Content-Type header.
enum class BodyKind {
  kUrlEncoded,  // application/x-www-form-urlencoded
  kMultipart,   // multipart/form-data
  kJson,        // application/json, application/*+json
  kSniff,       // no Content-Type, or text/plain: JSON if it starts with '{', else urlencoded
  kIgnored,     // any other type: the body carries no parameters
};

// Classifies a Content-Type header value. The media type is compared case-insensitively;
// parameters (charset, boundary, ...) do not matter.
BodyKind BodyKindOf(std::string_view content_type);

// Decodes `a=1&b=2` (query strings and application/x-www-form-urlencoded bodies): pairs split on
// '&', name and value on the first '='; '+' is a space; percent escapes decoded. A pair with an
// empty name is skipped; a pair without '=' has an empty value. Returns false on the first
// malformed percent escape.
bool DecodeUrlEncoded(std::string_view s, api::Params* out);

// RFC 2046 allows 70; anything longer than this is rejected as malformed.
inline constexpr size_t kMaxBoundaryLength = 200;

// Decodes a multipart/form-data body delimited by `boundary` (the Content-Type parameter, without
// the leading "--"). Preamble and epilogue are ignored; lines may end in CRLF or bare LF; each
// part's value is kept byte for byte; part headers other than Content-Disposition are ignored
// (Content-Type, Content-Transfer-Encoding: no transfer decoding is done). A part's name comes
// from `Content-Disposition: form-data; name="..."` (quoted or bare; `filename` parts count like
// any other). kMalformedRequest when the boundary is empty or too long, no delimiter is found,
// part headers do not end, a part has no name, or the closing delimiter is missing.
Status DecodeMultipart(std::string_view body, std::string_view boundary, api::Params* out);

// Decodes a JSON object whose members become parameters: strings (unescaped), numbers (the
// literal as written; integers are re-printed, which is identical except that -0 becomes 0),
// booleans as "true"/"false", null as absent, and arrays of those joined with ';' (null items
// skipped). kMalformedRequest when the body is not one JSON object (whitespace only counts as
// `{}`), or a member is an object or an array holding an object or array.
Status DecodeJsonObject(std::string_view body, api::Params* out);

}  // namespace voxsecrets::http::internal

#endif  // VOXSECRETS_HTTP_BODY_DECODERS_H_
