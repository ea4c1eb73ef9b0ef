// Fuzz target for the multipart/form-data decoder (src/http/multipart.cc). Input: the first line
// is the Content-Type header value (its boundary parameter is taken with HeaderParam, as the
// request decoder does), the rest is the body. Besides "never crash, never hang" (the decoder is
// linear in the body times the boundary length, which is capped), it checks:
//   * a failure is kMalformedRequest with a short message of printable ASCII (no body bytes);
//   * a success has no parameter with an empty name or value, no more parameters than parts, and
//     its parameters, encoded again as a multipart body with a fresh boundary, decode to the same
//     parameters.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "api/api_types.h"
#include "http/body_decoders.h"
#include "http/request_decoder.h"

namespace {

using voxsecrets::StatusCode;
using voxsecrets::api::Params;
using voxsecrets::http::HeaderParam;
using voxsecrets::http::internal::DecodeMultipart;
using voxsecrets::http::internal::kMaxBoundaryLength;

void Check(bool condition) {
  if (!condition) std::abort();
}

size_t Count(std::string_view haystack, std::string_view needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string_view::npos;
       at = haystack.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

// The parameters as a multipart body, or nullopt when a name cannot be put in a header.
std::optional<std::string> Encode(const Params& params, std::string* boundary) {
  *boundary = "B0undary";
  for (const auto& [name, value] : params.all()) {
    if (name.find_first_of("\r\n") != std::string::npos) return std::nullopt;
    while (value.find(*boundary) != std::string::npos ||
           name.find(*boundary) != std::string::npos) {
      *boundary += "x";
    }
  }
  if (boundary->size() > kMaxBoundaryLength) return std::nullopt;
  std::string body;
  for (const auto& [name, value] : params.all()) {
    std::string quoted;
    for (char c : name) {
      if (c == '"' || c == '\\') quoted.push_back('\\');
      quoted.push_back(c);
    }
    body += "--" + *boundary + "\r\nContent-Disposition: form-data; name=\"" + quoted +
            "\"\r\n\r\n" + value + "\r\n";
  }
  body += "--" + *boundary + "--\r\n";
  return body;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  const size_t nl = rest.find('\n');
  const std::string_view content_type = nl == std::string_view::npos ? rest : rest.substr(0, nl);
  const std::string_view body = nl == std::string_view::npos ? "" : rest.substr(nl + 1);
  const std::string boundary = HeaderParam(content_type, "boundary").value_or("");

  Params params;
  const voxsecrets::Status status = DecodeMultipart(body, boundary, &params);
  if (!status.ok()) {
    Check(status.code() == StatusCode::kMalformedRequest);
    Check(!status.message().empty() && status.message().size() < 200);
    // Fixed texts: printable ASCII (an echo of the body would soon bring in other bytes).
    for (char c : status.message()) Check(c >= 0x20 && c < 0x7f);
    return 0;
  }
  Check(!boundary.empty() && boundary.size() <= kMaxBoundaryLength);
  Check(params.size() <= Count(body, "--" + boundary));
  for (const auto& [name, value] : params.all()) Check(!name.empty() && !value.empty());

  std::string fresh;
  const std::optional<std::string> again = Encode(params, &fresh);
  if (!again.has_value()) return 0;
  Params decoded;
  Check(DecodeMultipart(*again, fresh, &decoded).ok());
  Check(decoded.all() == params.all());
  return 0;
}
