#include "audit/audit_masking.h"

#include <algorithm>
#include <cctype>

#include "common/encoding.h"
#include "common/utf8.h"

namespace voxsecrets::audit {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

bool IsMaskedParam(std::string_view name) {
  const std::string lower = Lower(name);
  for (std::string_view masked : kMaskedParamNames) {
    if (lower == masked) return true;
  }
  for (std::string_view suffix : kMaskedParamSuffixes) {
    if (EndsWith(lower, suffix)) return true;
  }
  return false;
}

bool LooksLikeCredential(std::string_view value) {
  // Leading whitespace does not hide a credential.
  const size_t start = value.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return false;
  value.remove_prefix(start);
  if (value.starts_with("-----BEGIN")) return true;
  if (value.starts_with("eyJ") && std::count(value.begin(), value.end(), '.') >= 2) return true;
  return false;
}

std::string SafeText(std::string_view text, size_t max_code_points) {
  const std::optional<size_t> code_points = Utf8CodePoints(text);
  if (!code_points.has_value()) {
    return "<" + std::to_string(text.size()) + " bytes, not UTF-8>";
  }
  if (*code_points <= max_code_points) return std::string(text);
  return std::string(Utf8Prefix(text, max_code_points)) + "...";
}

std::string MaskArgs(const std::map<std::string, std::string, std::less<>>& params) {
  // Room kept for the closing brace and the "..." member that counts what did not fit.
  constexpr size_t kTailRoom = 48;
  std::string out = "{";
  size_t kept = 0;
  for (const auto& [name, value] : params) {
    std::string member;
    AppendJsonString(member, SafeText(name, kMaxArgNameBytes));
    member += ':';
    if (IsMaskedParam(name) || LooksLikeCredential(value)) {
      AppendJsonString(member, kMask);
    } else {
      AppendJsonString(member, SafeText(value, kMaxArgValueCodePoints));
    }
    if (kept == kMaxArgs || out.size() + 1 + member.size() + kTailRoom > kMaxArgsJsonBytes) break;
    if (kept > 0) out += ',';
    out += member;
    ++kept;
  }
  if (kept < params.size()) {
    if (kept > 0) out += ',';
    AppendJsonString(out, "...");
    out += ':';
    AppendJsonString(out, std::to_string(params.size() - kept) + " more parameters");
  }
  out += '}';
  return out;
}

}  // namespace voxsecrets::audit
