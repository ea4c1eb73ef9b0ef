// Fuzz target for the request decoder (src/http/request_decoder.h).
//
// Input layout: the first line is the Content-Type header, the second line the request target,
// the rest the body (a missing line counts as empty). Besides "never crash, never hang", it
// checks the decoder's promises on every input:
//   * no parameter is named `cmd`, has an empty name or an empty value;
//   * a failure is kMalformedRequest and leaves the method from the path in place;
//   * whatever parameters came out survive a second trip through the decoder unchanged, encoded
//     as a query string, as a multipart body and (when the values are UTF-8) as a JSON object.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/encoding.h"
#include "http/request_decoder.h"

namespace {

using voxsecrets::HexEncode;
using voxsecrets::StatusCode;
using voxsecrets::api::ApiRequest;
using voxsecrets::api::Params;
using voxsecrets::http::DecodeApiRequest;
using voxsecrets::http::RawRequest;
using voxsecrets::http::Route;
using voxsecrets::http::RouteOf;

void Check(bool condition) {
  if (!condition) std::abort();
}

std::string_view TakeLine(std::string_view* rest) {
  const size_t nl = rest->find('\n');
  if (nl == std::string_view::npos) {
    std::string_view line = *rest;
    *rest = {};
    return line;
  }
  std::string_view line = rest->substr(0, nl);
  rest->remove_prefix(nl + 1);
  return line;
}

std::string PercentEncodeAll(std::string_view s) {
  std::string out = HexEncode(s);  // two digits a byte, each pair becomes "%XX"
  for (char& h : out) h = static_cast<char>(std::toupper(static_cast<unsigned char>(h)));
  for (size_t i = 0; i < out.size(); i += 3) out.insert(i, 1, '%');
  return out;
}

ApiRequest DecodeAgain(std::string_view target, std::string_view content_type,
                       std::string_view body) {
  ApiRequest again;
  DecodeApiRequest(RawRequest{"POST", target, content_type, body}, &again);
  Check(again.decode_status.ok());
  return again;
}

void CheckQueryRoundTrip(const Params& params) {
  std::string target = "/platform_api/Fuzz?";
  for (const auto& [name, value] : params.all()) {
    target += PercentEncodeAll(name) + "=" + PercentEncodeAll(value) + "&";
  }
  Check(DecodeAgain(target, "", "").params.all() == params.all());
}

void CheckMultipartRoundTrip(const Params& params) {
  std::string boundary = "fuzzBoundary";
  for (const auto& [name, value] : params.all()) {
    if (name.find_first_of("\r\n") != std::string::npos) return;  // cannot go in a header
    while (value.find(boundary) != std::string::npos || name.find(boundary) != std::string::npos) {
      boundary += "x";
    }
  }
  if (boundary.size() > 150) return;
  std::string body = "preamble\r\n";
  for (const auto& [name, value] : params.all()) {
    std::string quoted;
    for (char c : name) {
      if (c == '"' || c == '\\') quoted.push_back('\\');
      quoted.push_back(c);
    }
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + quoted +
            "\"\r\nContent-Type: text/plain\r\n\r\n" + value + "\r\n";
  }
  body += "--" + boundary + "--\r\n";
  Check(
      DecodeAgain("/platform_api/Fuzz", "multipart/form-data; boundary=\"" + boundary + "\"", body)
          .params.all() == params.all());
}

void CheckJsonRoundTrip(const Params& params) {
  nlohmann::json object = nlohmann::json::object();
  for (const auto& [name, value] : params.all()) object[name] = value;
  std::string body;
  try {
    body = object.dump();
  } catch (const std::exception&) {
    return;  // not UTF-8: cannot be a JSON string
  }
  Check(DecodeAgain("/platform_api/Fuzz", "application/json", body).params.all() == params.all());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  const std::string_view content_type = TakeLine(&rest);
  std::string target(TakeLine(&rest));
  const std::string_view body = rest;

  (void)voxsecrets::http::HeaderParam(content_type, "boundary");
  (void)voxsecrets::http::PercentDecode(target, true);
  if (RouteOf(target) != Route::kApi) target = "/platform_api?" + target;  // REQUIRES kApi
  Check(RouteOf(target) == Route::kApi);

  ApiRequest req;
  req.bearer_token = "untouched";
  DecodeApiRequest(RawRequest{"POST", target, content_type, body}, &req);
  Check(req.bearer_token == "untouched");
  Check(!req.params.Has("cmd"));
  for (const auto& [name, value] : req.params.all()) {
    Check(!name.empty());
    Check(!value.empty());
  }
  if (!req.decode_status.ok()) {
    Check(req.decode_status.code() == StatusCode::kMalformedRequest);
    Check(!req.decode_status.message().empty() && req.decode_status.message().size() < 200);
  }

  CheckQueryRoundTrip(req.params);
  CheckMultipartRoundTrip(req.params);
  CheckJsonRoundTrip(req.params);
  return 0;
}
