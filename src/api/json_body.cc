#include "api/json_body.h"

#include "common/secure_bytes.h"

namespace voxsecrets::api {
namespace {

// Worst case output size: every byte of a string escaped as \u00XX, plus structure.
size_t BodyBudget(const nlohmann::json& json) {
  switch (json.type()) {
    case nlohmann::json::value_t::string:
      return json.get_ref<const std::string&>().size() * 6 + 2;
    case nlohmann::json::value_t::object: {
      size_t n = 2;
      for (const auto& [key, value] : json.items()) n += key.size() * 6 + 4 + BodyBudget(value);
      return n;
    }
    case nlohmann::json::value_t::array: {
      size_t n = 2;
      for (const auto& value : json) n += BodyBudget(value) + 1;
      return n;
    }
    default:
      return 32;
  }
}

}  // namespace

Result<std::string> EncodeBody(const nlohmann::json& body) {
  std::string out;
  out.reserve(BodyBudget(body));
  try {
    nlohmann::detail::serializer<nlohmann::json> serializer(
        nlohmann::detail::output_adapter<char, std::string>(out), ' ',
        nlohmann::json::error_handler_t::strict);
    serializer.dump(body, /*pretty_print=*/false, /*ensure_ascii=*/false, 0);
  } catch (const nlohmann::json::exception&) {
    SecureWipe(out.data(), out.size());
    return InternalError("a response string is not valid UTF-8");
  }
  return out;
}

void WipeJsonStrings(nlohmann::json& json) {
  switch (json.type()) {
    case nlohmann::json::value_t::string: {
      std::string& s = json.get_ref<std::string&>();
      SecureWipe(s.data(), s.size());
      break;
    }
    case nlohmann::json::value_t::object:
    case nlohmann::json::value_t::array:
      for (auto& child : json) WipeJsonStrings(child);
      break;
    default:
      break;
  }
}

}  // namespace voxsecrets::api
