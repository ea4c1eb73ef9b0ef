// A JSON object body as parameters, through nlohmann::json's SAX interface: no DOM is built, and
// the parse stops at the first value that may not appear (so nesting depth never exceeds two).
#include <exception>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>

#include "http/body_decoders.h"

namespace voxsecrets::http::internal {
namespace {

using Json = nlohmann::json;

class ParamsSax final : public nlohmann::json_sax<Json> {
 public:
  enum class Error { kNone, kNotObject, kNested, kSyntax };

  explicit ParamsSax(api::Params* out) : out_(out) {}

  Error error() const { return error_; }

  // nlohmann::json_sax
  bool null() override { return Scalar(std::string(), /*is_null=*/true); }
  bool boolean(bool val) override { return Scalar(val ? "true" : "false", false); }
  bool number_integer(number_integer_t val) override { return Scalar(std::to_string(val), false); }
  bool number_unsigned(number_unsigned_t val) override {
    return Scalar(std::to_string(val), false);
  }
  // `s` is the number's literal text as written (also for integers too large for 64 bits).
  bool number_float(number_float_t /*val*/, const string_t& s) override { return Scalar(s, false); }
  bool string(string_t& val) override { return Scalar(std::move(val), false); }
  bool binary(binary_t& /*val*/) override { return Fail(Error::kSyntax); }
  bool start_object(std::size_t /*elements*/) override {
    if (depth_ != 0) return Fail(Error::kNested);
    depth_ = 1;
    return true;
  }
  bool key(string_t& val) override {
    key_ = std::move(val);
    return true;
  }
  bool end_object() override {
    depth_ = 0;
    return true;
  }
  bool start_array(std::size_t /*elements*/) override {
    if (depth_ == 0) return Fail(Error::kNotObject);
    if (depth_ != 1) return Fail(Error::kNested);
    depth_ = 2;
    list_.clear();
    list_empty_ = true;
    return true;
  }
  bool end_array() override {
    depth_ = 1;
    Store(std::move(list_));
    list_.clear();
    return true;
  }
  bool parse_error(std::size_t /*position*/, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& /*ex*/) override {
    return Fail(Error::kSyntax);
  }

 private:
  bool Fail(Error e) {
    if (error_ == Error::kNone) error_ = e;
    return false;
  }

  bool Scalar(std::string text, bool is_null) {
    switch (depth_) {
      case 0:
        return Fail(Error::kNotObject);
      case 1:
        Store(std::move(text));  // null stores "", which Params::Set treats as absent
        return true;
      default:
        if (!is_null) {
          if (!list_empty_) list_.push_back(';');
          list_ += text;
          list_empty_ = false;
        }
        return true;
    }
  }

  void Store(std::string value) {
    if (key_.empty()) return;  // like `=x` in a query string
    out_->Set(std::move(key_), std::move(value));
    key_.clear();
  }

  api::Params* out_;
  int depth_ = 0;  // 0: outside the object, 1: member values, 2: items of an array member
  std::string key_;
  std::string list_;
  bool list_empty_ = true;
  Error error_ = Error::kNone;
};

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

Status DecodeJsonObject(std::string_view body, api::Params* out) {
  static constexpr std::string_view kNotAnObject = "The request body is not a valid JSON object.";
  bool blank = true;
  for (char c : body) {
    if (!IsJsonSpace(c)) {
      blank = false;
      break;
    }
  }
  if (blank) return Status::Ok();

  ParamsSax sax(out);
  bool ok = false;
  try {
    ok = Json::sax_parse(body.data(), body.data() + body.size(), &sax);
  } catch (const std::exception&) {
    ok = false;
  }
  if (ok) return Status::Ok();
  if (sax.error() == ParamsSax::Error::kNested) {
    return Status(StatusCode::kMalformedRequest,
                  "The JSON body may only hold strings, numbers, booleans, null, or arrays of "
                  "those as member values.");
  }
  return Status(StatusCode::kMalformedRequest, std::string(kNotAnObject));
}

}  // namespace voxsecrets::http::internal
