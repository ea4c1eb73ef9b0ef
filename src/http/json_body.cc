// A JSON object body as parameters: a parser of exactly the JSON the API accepts (RFC 8259, one
// object whose members are scalars or arrays of scalars), in one pass over the body.
//
// Why not a JSON library: secret values travel in these bodies, and a general parser copies each
// string through buffers of its own that it frees without wiping (nlohmann's lexer keeps the raw
// text of the current token and the decoded token, and grows both as it reads). Here a string is
// decoded once into a WipingString reserved to its final size, copied once into the memory
// api::Params keeps (and wipes), and the scratch string is wiped when it is released. The parse
// stops at the first value that may not appear, so nesting never goes deeper than an array inside
// the object.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/secure_bytes.h"
#include "common/utf8.h"
#include "http/body_decoders.h"

namespace voxsecrets::http::internal {
namespace {

enum class Error { kNone, kNested, kSyntax };

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(uint32_t cp, WipingString& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

class Parser {
 public:
  Parser(std::string_view body, api::Params* out) : s_(body), out_(out) {
    // Every decoded string and list is shorter than the body: no scratch buffer ever grows.
    value_.reserve(s_.size());
    list_.reserve(s_.size());
  }

  Error Parse() {
    if (s_.starts_with("\xEF\xBB\xBF")) pos_ = 3;  // a byte order mark, as JSON parsers allow
    SkipSpace();
    if (!Eat('{')) return Fail(Error::kSyntax);
    SkipSpace();
    if (!Eat('}')) {
      while (true) {
        SkipSpace();
        if (!ParseString(key_)) return Fail(Error::kSyntax);
        SkipSpace();
        if (!Eat(':')) return Fail(Error::kSyntax);
        SkipSpace();
        if (!ParseMember()) return Fail(error_ == Error::kNone ? Error::kSyntax : error_);
        SkipSpace();
        if (Eat(',')) continue;
        if (Eat('}')) break;
        return Fail(Error::kSyntax);
      }
    }
    SkipSpace();
    return pos_ == s_.size() ? Error::kNone : Fail(Error::kSyntax);
  }

 private:
  Error Fail(Error e) {
    if (error_ == Error::kNone) error_ = e;
    return error_;
  }

  void SkipSpace() {
    while (pos_ < s_.size() && IsJsonSpace(s_[pos_])) ++pos_;
  }
  bool Eat(char c) {
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool EatWord(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  // One member value: a scalar, or an array of scalars joined with ';' (null items skipped; an
  // empty list is absent, like null).
  bool ParseMember() {
    if (pos_ < s_.size() && s_[pos_] == '{') {
      Fail(Error::kNested);
      return false;
    }
    if (!Eat('[')) {
      bool is_null = false;
      if (!ParseScalar(value_, &is_null)) return false;
      Store(is_null ? std::string_view() : std::string_view(value_));
      return true;
    }
    list_.clear();
    bool first = true;
    SkipSpace();
    if (!Eat(']')) {
      while (true) {
        SkipSpace();
        if (pos_ < s_.size() && (s_[pos_] == '[' || s_[pos_] == '{')) {
          Fail(Error::kNested);
          return false;
        }
        bool is_null = false;
        if (!ParseScalar(value_, &is_null)) return false;
        if (!is_null) {
          if (!first) list_.push_back(';');
          list_.append(value_);
          first = false;
        }
        SkipSpace();
        if (Eat(',')) continue;
        if (Eat(']')) break;
        return false;
      }
    }
    Store(list_);
    return true;
  }

  // A string, number, true, false or null; its text in `out` (null: empty, *is_null set).
  bool ParseScalar(WipingString& out, bool* is_null) {
    if (pos_ >= s_.size()) return false;
    const char c = s_[pos_];
    if (c == '"') return ParseString(out);
    out.clear();
    if (EatWord("true")) {
      out = "true";
      return true;
    }
    if (EatWord("false")) {
      out = "false";
      return true;
    }
    if (EatWord("null")) {
      *is_null = true;
      return true;
    }
    return ParseNumber(out);
  }

  // RFC 8259 number grammar; the literal text as written, except that "-0" is "0" (an integer is
  // printed as its value).
  bool ParseNumber(WipingString& out) {
    const size_t start = pos_;
    Eat('-');
    if (Eat('0')) {
      // no leading zeros
    } else if (pos_ < s_.size() && s_[pos_] >= '1' && s_[pos_] <= '9') {
      while (pos_ < s_.size() && IsDigit(s_[pos_])) ++pos_;
    } else {
      return false;
    }
    bool integer = true;
    if (Eat('.')) {
      integer = false;
      if (pos_ >= s_.size() || !IsDigit(s_[pos_])) return false;
      while (pos_ < s_.size() && IsDigit(s_[pos_])) ++pos_;
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      integer = false;
      ++pos_;
      if (!Eat('+')) Eat('-');
      if (pos_ >= s_.size() || !IsDigit(s_[pos_])) return false;
      while (pos_ < s_.size() && IsDigit(s_[pos_])) ++pos_;
    }
    const std::string_view literal = s_.substr(start, pos_ - start);
    out.assign(integer && literal == "-0" ? std::string_view("0") : literal);
    // A number too large for a double (1e400) is refused, as conforming parsers that read numbers
    // as doubles do (nlohmann: "number overflow"); an underflow is a valid 0. `out` is a wiped
    // copy, NUL-terminated for strtod.
    return !std::isinf(std::strtod(out.c_str(), nullptr));
  }

  // A string (at the opening quote), unescaped into `out`. Raw control characters, unknown
  // escapes, lone surrogates and invalid UTF-8 are malformed.
  bool ParseString(WipingString& out) {
    out.clear();
    if (!Eat('"')) return false;
    while (pos_ < s_.size()) {
      const char c = s_[pos_++];
      if (c == '"') return Utf8CodePoints(out).has_value();
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (pos_ >= s_.size()) return false;
      switch (s_[pos_++]) {
        case '"':
          out.push_back('"');
          break;
        case '\\':
          out.push_back('\\');
          break;
        case '/':
          out.push_back('/');
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          uint32_t cp = 0;
          if (!ReadHex4(&cp)) return false;
          if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a low surrogate first
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t low = 0;
            if (!EatWord("\\u") || !ReadHex4(&low) || low < 0xDC00 || low > 0xDFFF) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          AppendUtf8(cp, out);
          break;
        }
        default:
          return false;
      }
    }
    return false;  // no closing quote
  }

  bool ReadHex4(uint32_t* out) {
    if (s_.size() - pos_ < 4) return false;
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const int h = HexValue(s_[pos_ + i]);
      if (h < 0) return false;
      v = (v << 4) | static_cast<uint32_t>(h);
    }
    pos_ += 4;
    *out = v;
    return true;
  }

  // The value is copied once, into exactly the memory api::Params keeps.
  void Store(std::string_view value) {
    if (key_.empty()) return;                          // like `=x` in a query string
    out_->Set(std::string(key_), std::string(value));  // an empty value erases `key_`
  }

  const std::string_view s_;
  api::Params* const out_;
  size_t pos_ = 0;
  WipingString key_;
  WipingString value_;
  WipingString list_;
  Error error_ = Error::kNone;
};

}  // namespace

Status DecodeJsonObject(std::string_view body, api::Params* out) {
  bool blank = true;
  for (char c : body) {
    if (!IsJsonSpace(c)) {
      blank = false;
      break;
    }
  }
  if (blank) return Status::Ok();

  Parser parser(body, out);
  const Error error = parser.Parse();
  if (error == Error::kNone) return Status::Ok();
  if (error == Error::kNested) {
    return Status(StatusCode::kMalformedRequest,
                  "The JSON body may only hold strings, numbers, booleans, null, or arrays of "
                  "those as member values.");
  }
  return Status(StatusCode::kMalformedRequest, "The request body is not a valid JSON object.");
}

}  // namespace voxsecrets::http::internal
