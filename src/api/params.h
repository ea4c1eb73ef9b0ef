// Typed readers over api::Params (docs/API.md, "Parameters"). Each reader returns std::nullopt
// when the parameter is absent (an empty value is absent), the typed value when it is
// well-formed, and otherwise an error whose field_name is the parameter's name.
//
//  - int64: strict decimal: an optional '-', then 1..19 ASCII digits, nothing else (no '+', no
//    spaces, no hex, no fraction); a value that does not fit int64 is malformed.
//  - bool: "true"/"false" in any case, "1"/"0".
//  - lists: items separated by ';', each trimmed of spaces and tabs, empty items dropped; a list
//    with no item left is absent. Int lists may be the single word "all" (any case) where the
//    method allows it.
//
// Malformed values are kInvalidArgument ("The 'x' parameter is invalid.") unless the caller asks
// for another code (application_id is kInvalidApplicationId).
//
// Thread-safety: pure functions.
#ifndef VOXSECRETS_API_PARAMS_H_
#define VOXSECRETS_API_PARAMS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/api_types.h"
#include "common/status.h"

namespace voxsecrets::api {

// Parsers of single values; std::nullopt when malformed.
std::optional<int64_t> ParseInt64(std::string_view text);
std::optional<bool> ParseBool(std::string_view text);
// The items of a ';'-separated list, trimmed, empty items dropped. Views point into `text`.
std::vector<std::string_view> SplitList(std::string_view text);

// The error of a malformed parameter `name`, with `code`.
Status MalformedParam(std::string_view name, StatusCode code = StatusCode::kInvalidArgument);

std::optional<std::string_view> ReadString(const Params& params, std::string_view name);

Result<std::optional<int64_t>> ReadInt64(const Params& params, std::string_view name,
                                         StatusCode malformed = StatusCode::kInvalidArgument);

Result<std::optional<bool>> ReadBool(const Params& params, std::string_view name);

struct IntList {
  bool all = false;          // the list was "all"
  std::vector<int64_t> ids;  // in the order sent (duplicates kept); empty when `all`
};
// `allow_all`: whether "all" is accepted (else it is malformed). "all" must be the only item.
Result<std::optional<IntList>> ReadIntList(const Params& params, std::string_view name,
                                           bool allow_all,
                                           StatusCode malformed = StatusCode::kInvalidArgument);

// The items of a string list (never empty when present).
std::optional<std::vector<std::string>> ReadStringList(const Params& params, std::string_view name);

}  // namespace voxsecrets::api

#endif  // VOXSECRETS_API_PARAMS_H_
