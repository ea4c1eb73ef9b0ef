// Fuzz target for the JSON object body decoder (src/http/json_body.cc), differentially against
// nlohmann::json: our parser replaced nlohmann's on the request path (so that secret values are
// never copied through buffers freed unwiped), and must accept and decode exactly what a
// conforming parser does, within the subset the API takes (an object of scalars and arrays of
// scalars). For every input:
//   * blank input (JSON whitespace only) decodes to no parameters; input with a raw NUL byte
//     fails (nlohmann would stop at it);
//   * otherwise it decodes iff nlohmann parses it as an object whose members are scalars or
//     arrays of scalars (a leading UTF-8 byte order mark allowed by both);
//   * then the parameters are nlohmann's members: strings as they are, booleans as
//     "true"/"false", null and "" absent, arrays joined with ';' without their nulls, numbers
//     present (their text is the literal as written, checked by json_body_test.cc), empty names
//     skipped, the last of a repeated name winning;
//   * a failure is kMalformedRequest with a short message.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "api/api_types.h"
#include "http/body_decoders.h"

namespace {

using nlohmann::json;
using voxsecrets::StatusCode;
using voxsecrets::api::Params;
using voxsecrets::http::internal::DecodeJsonObject;

void Check(bool condition) {
  if (!condition) std::abort();
}

bool IsBlank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

bool IsScalar(const json& v) { return !v.is_object() && !v.is_array(); }

bool Acceptable(const json& doc) {
  if (!doc.is_object()) return false;
  for (const auto& [name, value] : doc.items()) {
    if (value.is_object()) return false;
    if (value.is_array()) {
      for (const json& item : value) {
        if (!IsScalar(item)) return false;
      }
    }
  }
  return true;
}

// The text a scalar becomes, or nullopt for null; `*number` tells that it is a number (whose
// text is only checked for presence).
std::optional<std::string> ScalarText(const json& v, bool* number) {
  if (v.is_null()) return std::nullopt;
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_string()) return v.get<std::string>();
  *number = true;
  return v.dump();
}

void CheckAgainst(const json& doc, const Params& params) {
  size_t expected = 0;
  for (const auto& [name, value] : doc.items()) {
    if (name.empty()) continue;
    bool number = false;
    std::optional<std::string> text;
    if (value.is_array()) {
      std::string joined;
      bool any = false;
      for (const json& item : value) {
        std::optional<std::string> t = ScalarText(item, &number);
        if (!t.has_value()) continue;
        if (any) joined += ';';
        joined += *t;
        any = true;
      }
      if (any) text = std::move(joined);
    } else {
      text = ScalarText(value, &number);
    }
    if (text.has_value() && text->empty() && !number) text.reset();
    const std::optional<std::string_view> got = params.Get(name);
    Check(got.has_value() == text.has_value());
    if (!text.has_value()) continue;
    ++expected;
    if (!number) Check(*got == *text);
  }
  Check(params.size() == expected);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  Params params;
  const voxsecrets::Status status = DecodeJsonObject(body, &params);
  if (!status.ok()) {
    Check(status.code() == StatusCode::kMalformedRequest);
    Check(!status.message().empty() && status.message().size() < 200);
  }
  if (IsBlank(body)) {
    Check(status.ok() && params.size() == 0);
    return 0;
  }
  // A raw NUL is never valid JSON (a control character in a string, junk outside one), but
  // nlohmann stops reading at it as at the end of the input: no comparison then.
  if (body.find('\0') != std::string_view::npos) {
    Check(!status.ok());
    return 0;
  }
  const json doc = json::parse(body, /*cb=*/nullptr, /*allow_exceptions=*/false);
  const bool acceptable = !doc.is_discarded() && Acceptable(doc);
  Check(status.ok() == acceptable);
  if (acceptable) CheckAgainst(doc, params);
  return 0;
}
