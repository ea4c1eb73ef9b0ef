#include "http/reply_bytes.h"

#include <boost/beast/http/status.hpp>
#include <charconv>
#include <string_view>

namespace voxsecrets::http {
namespace {

// The most characters of a size_t or an unsigned in decimal.
constexpr size_t kMaxDigits = 20;

struct Field {
  std::string_view name;
  std::string_view value;
};

}  // namespace

std::string ReplyBytes(const HttpReply& reply, unsigned version, bool keep_alive, bool head) {
  const bool has_body = reply.status != 304;  // a 304 has no body and says nothing of its length
  char retry_after[kMaxDigits];
  const std::string_view retry_after_text(
      retry_after,
      std::to_chars(retry_after, retry_after + kMaxDigits, reply.retry_after_seconds).ptr -
          retry_after);
  char length[kMaxDigits];
  const std::string_view length_text(
      length, std::to_chars(length, length + kMaxDigits, reply.body.size()).ptr - length);
  const std::string_view connection =
      version >= 11 ? (keep_alive ? "" : "close") : (keep_alive ? "keep-alive" : "");
  const std::string_view reason =
      boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(reply.status));

  // Fixed fields before and after the security headers; an empty value is not sent.
  const Field before[] = {{"Content-Type", has_body ? reply.content_type : ""},
                          {"Cache-Control", reply.cache_control},
                          {"ETag", reply.etag}};
  const Field after[] = {{"Allow", reply.allow},
                         {"Retry-After", reply.retry_after_seconds > 0 ? retry_after_text : ""},
                         {"Connection", connection},
                         {"Content-Length", has_body ? length_text : ""}};
  const auto field_size = [](std::string_view name, std::string_view value) {
    return value.empty() ? 0 : name.size() + 2 + value.size() + 2;
  };
  size_t size = 13 + reason.size() + 2 + 2;  // "HTTP/1.1 200 " reason CRLF ... CRLF
  for (const Field& f : before) size += field_size(f.name, f.value);
  for (const HeaderField& f : reply.security_headers) size += field_size(f.name, f.value);
  for (const Field& f : after) size += field_size(f.name, f.value);
  const bool send_body = has_body && !head;
  if (send_body) size += reply.body.size();

  std::string out;
  out.reserve(size);
  const unsigned code = reply.status % 1000;
  out.append("HTTP/");  // "HTTP/1.1 200 "
  out.push_back(static_cast<char>('0' + version / 10 % 10));
  out.push_back('.');
  out.push_back(static_cast<char>('0' + version % 10));
  out.push_back(' ');
  out.push_back(static_cast<char>('0' + code / 100));
  out.push_back(static_cast<char>('0' + code / 10 % 10));
  out.push_back(static_cast<char>('0' + code % 10));
  out.push_back(' ');
  out.append(reason);
  out.append("\r\n");
  const auto append_field = [&out](std::string_view name, std::string_view value) {
    if (value.empty()) return;
    out.append(name);
    out.append(": ");
    out.append(value);
    out.append("\r\n");
  };
  for (const Field& f : before) append_field(f.name, f.value);
  for (const HeaderField& f : reply.security_headers) append_field(f.name, f.value);
  for (const Field& f : after) append_field(f.name, f.value);
  out.append("\r\n");
  if (send_body) out.append(reply.body);
  return out;
}

}  // namespace voxsecrets::http
