#include "api/methods/secret_value_answer.h"

#include <charconv>
#include <cstdint>

#include "common/encoding.h"
#include "common/secure_bytes.h"
#include "common/time_format.h"
#include "common/utf8.h"

namespace voxsecrets::api {
namespace {

// The most characters of an int64 in decimal.
constexpr size_t kMaxInt64Digits = 20;

void AppendInt(std::string& out, int64_t n) {
  char digits[kMaxInt64Digits];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
  (void)ec;  // 20 characters hold every int64
  out.append(digits, end);
}

// `"name":` (`name` needs no escaping)
void AppendKey(std::string& out, std::string_view name) {
  out.push_back('"');
  out.append(name);
  out.append("\":");
}

}  // namespace

bool AppendDumpedJsonString(std::string& out, std::string_view s) {
  if (!Utf8CodePoints(s).has_value()) return false;
  AppendJsonString(out, s, JsonEscapes::kNlohmann);
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
  bool valid = true;
  // Members in nlohmann's order (sorted by name), each but the first after a comma.
  const auto string_member = [&](std::string_view name, std::string_view text) {
    if (out.back() != '{') out.push_back(',');
    AppendKey(out, name);
    valid = AppendDumpedJsonString(out, text) && valid;
  };
  const auto int_member = [&out](std::string_view name, int64_t n) {
    out.push_back(',');
    AppendKey(out, name);
    AppendInt(out, n);
  };
  string_member("created", created);
  if (!info.description.empty()) string_member("description", info.description);
  string_member("modified", modified);
  int_member("secret_id", info.id);
  string_member("secret_name", info.name);
  string_member("secret_value", value);
  int_member("version", secret.version);
  out.append("}]}");
  if (!valid) {
    SecureWipe(out.data(), out.size());
    return InternalError("a response string is not valid UTF-8");
  }
  return out;
}

}  // namespace voxsecrets::api
