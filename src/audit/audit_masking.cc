#include "audit/audit_masking.h"

#include <algorithm>
#include <optional>
#include <string>

#include "common/encoding.h"
#include "common/utf8.h"

namespace voxsecrets::audit {
namespace {

char LowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// `s` lower-cased (ASCII) equals `lower`.
bool EqualsLowered(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (LowerAscii(s[i]) != lower[i]) return false;
  }
  return true;
}

// `s` lower-cased (ASCII) ends with `suffix`.
bool EndsWithLowered(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && EqualsLowered(s.substr(s.size() - suffix.size()), suffix);
}

// Appends SafeText(text, max_code_points) as a JSON string, without a copy when `text` is kept
// as it is.
void AppendSafeJsonString(std::string& out, std::string_view text, size_t max_code_points) {
  const std::optional<size_t> code_points = Utf8CodePoints(text);
  if (code_points.has_value() && *code_points <= max_code_points) {
    AppendJsonString(out, text);
  } else {
    AppendJsonString(out, SafeText(text, max_code_points));
  }
}

}  // namespace

bool IsMaskedParam(std::string_view name) {
  for (std::string_view masked : kMaskedParamNames) {
    if (EqualsLowered(name, masked)) return true;
  }
  for (std::string_view suffix : kMaskedParamSuffixes) {
    if (EndsWithLowered(name, suffix)) return true;
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
  // One allocation for the usual parameters (quotes, colon and comma per member; escapes and
  // masks may still grow it).
  constexpr size_t kMemberOverhead = 6;
  size_t expected = 2;
  for (const auto& [name, value] : params) expected += name.size() + value.size() + kMemberOverhead;
  std::string out;
  out.reserve(std::min(expected, kMaxArgsJsonBytes));
  out += '{';
  size_t kept = 0;
  for (const auto& [name, value] : params) {
    // The member is written in place and taken back when it does not fit.
    const size_t before = out.size();
    if (kept > 0) out += ',';
    const size_t member_start = out.size();
    AppendSafeJsonString(out, name, kMaxArgNameBytes);
    out += ':';
    if (IsMaskedParam(name) || LooksLikeCredential(value)) {
      AppendJsonString(out, kMask);
    } else {
      AppendSafeJsonString(out, value, kMaxArgValueCodePoints);
    }
    const size_t member_size = out.size() - member_start;
    if (kept == kMaxArgs || before + 1 + member_size + kTailRoom > kMaxArgsJsonBytes) {
      out.resize(before);
      break;
    }
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
