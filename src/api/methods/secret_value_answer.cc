#include "api/methods/secret_value_answer.h"

#include <charconv>
#include <cstdint>

#include "common/encoding.h"
#include "common/secure_bytes.h"
#include "common/time_format.h"
#include "common/utf8.h"

namespace voxsecrets::api {
namespace {

constexpr char kLowerHex[] = "0123456789abcdef";
// The most characters of an int64 in decimal.
constexpr size_t kMaxInt64Digits = 20;

void AppendInt(std::string& out, int64_t n) {
  char digits[kMaxInt64Digits];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
  (void)ec;  // 20 characters hold every int64
  out.append(digits, end);
}

// `"name":`
void AppendKey(std::string& out, std::string_view name) {
  out.push_back('"');
  out.append(name);
  out.append("\":");
}

}  // namespace

bool AppendDumpedJsonString(std::string& out, std::string_view s) {
  if (!Utf8CodePoints(s).has_value()) return false;
  out.push_back('"');
  for (const char c : s) {
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default: {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20) {
          out.append("\\u00");
          out.push_back(kLowerHex[u >> 4]);
          out.push_back(kLowerHex[u & 0x0f]);
        } else {
          out.push_back(c);
        }
      }
    }
  }
  out.push_back('"');
  return true;
}

Result<std::string> SecretValueAnswer(const secrets::SecretValue& secret) {
  const store::SecretInfo& info = secret.info;
  const std::string created = FormatApiTime(info.created);
  const std::string modified = FormatApiTime(info.modified);
  const std::string_view value = secret.value.view();
  constexpr std::string_view kFrame =
      R"({"result":[{"created":,"description":,"modified":,"secret_id":,"secret_name":,)"
      R"("secret_value":,"version":}]})";
  std::string out;
  out.reserve(kFrame.size() + JsonStringMaxSize(created) + JsonStringMaxSize(info.description) +
              JsonStringMaxSize(modified) + JsonStringMaxSize(info.name) +
              JsonStringMaxSize(value) + 2 * kMaxInt64Digits);
  out.append(R"({"result":[{)");
  AppendKey(out, "created");
  bool valid = AppendDumpedJsonString(out, created);
  if (!info.description.empty()) {
    out.push_back(',');
    AppendKey(out, "description");
    valid = valid && AppendDumpedJsonString(out, info.description);
  }
  out.push_back(',');
  AppendKey(out, "modified");
  valid = valid && AppendDumpedJsonString(out, modified);
  out.push_back(',');
  AppendKey(out, "secret_id");
  AppendInt(out, info.id);
  out.push_back(',');
  AppendKey(out, "secret_name");
  valid = valid && AppendDumpedJsonString(out, info.name);
  out.push_back(',');
  AppendKey(out, "secret_value");
  valid = valid && AppendDumpedJsonString(out, value);
  out.push_back(',');
  AppendKey(out, "version");
  AppendInt(out, secret.version);
  out.append("}]}");
  if (!valid) {
    SecureWipe(out.data(), out.size());
    return InternalError("a response string is not valid UTF-8");
  }
  return out;
}

}  // namespace voxsecrets::api
