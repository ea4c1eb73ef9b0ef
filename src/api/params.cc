#include "api/params.h"

#include <limits>

#include "common/ascii.h"

namespace voxsecrets::api {
namespace {

bool IsListSpace(char c) { return c == ' ' || c == '\t'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsListSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsListSpace(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<int64_t> ParseInt64(std::string_view text) {
  bool negative = false;
  if (!text.empty() && text.front() == '-') {
    negative = true;
    text.remove_prefix(1);
  }
  if (text.empty() || text.size() > 19) return std::nullopt;
  // Accumulate as a negative number, whose range is one larger than the positive one.
  int64_t value = 0;
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const int digit = c - '0';
    if (value < (kMin + digit) / 10) return std::nullopt;
    value = value * 10 - digit;
  }
  if (negative) return value;
  if (value == kMin) return std::nullopt;
  return -value;
}

std::optional<bool> ParseBool(std::string_view text) {
  if (text == "1" || EqualsIgnoreAsciiCase(text, "true")) return true;
  if (text == "0" || EqualsIgnoreAsciiCase(text, "false")) return false;
  return std::nullopt;
}

std::vector<std::string_view> SplitList(std::string_view text) {
  std::vector<std::string_view> items;
  while (true) {
    const size_t semicolon = text.find(';');
    const std::string_view item = Trim(text.substr(0, semicolon));
    if (!item.empty()) items.push_back(item);
    if (semicolon == std::string_view::npos) break;
    text.remove_prefix(semicolon + 1);
  }
  return items;
}

Status MalformedParam(std::string_view name, StatusCode code) {
  return Status(code, "The '" + std::string(name) + "' parameter is invalid.", std::string(name));
}

std::optional<std::string_view> ReadString(const Params& params, std::string_view name) {
  return params.Get(name);
}

Result<std::optional<int64_t>> ReadInt64(const Params& params, std::string_view name,
                                         StatusCode malformed) {
  const std::optional<std::string_view> text = params.Get(name);
  if (!text.has_value()) return std::optional<int64_t>();
  const std::optional<int64_t> value = ParseInt64(*text);
  if (!value.has_value()) return MalformedParam(name, malformed);
  return value;
}

Result<std::optional<bool>> ReadBool(const Params& params, std::string_view name) {
  const std::optional<std::string_view> text = params.Get(name);
  if (!text.has_value()) return std::optional<bool>();
  const std::optional<bool> value = ParseBool(*text);
  if (!value.has_value()) return MalformedParam(name);
  return value;
}

Result<std::optional<IntList>> ReadIntList(const Params& params, std::string_view name,
                                           bool allow_all, StatusCode malformed) {
  const std::optional<std::string_view> text = params.Get(name);
  if (!text.has_value()) return std::optional<IntList>();
  const std::vector<std::string_view> items = SplitList(*text);
  if (items.empty()) return std::optional<IntList>();
  IntList list;
  for (std::string_view item : items) {
    if (EqualsIgnoreAsciiCase(item, "all")) {
      if (!allow_all || items.size() != 1) return MalformedParam(name, malformed);
      list.all = true;
      continue;
    }
    const std::optional<int64_t> id = ParseInt64(item);
    if (!id.has_value()) return MalformedParam(name, malformed);
    list.ids.push_back(*id);
  }
  return std::optional<IntList>(std::move(list));
}

std::optional<std::vector<std::string>> ReadStringList(const Params& params,
                                                       std::string_view name) {
  const std::optional<std::string_view> text = params.Get(name);
  if (!text.has_value()) return std::nullopt;
  std::vector<std::string> items;
  for (std::string_view item : SplitList(*text)) items.emplace_back(item);
  if (items.empty()) return std::nullopt;
  return items;
}

}  // namespace voxsecrets::api
