#include "http/reply_bytes.h"

#include <gtest/gtest.h>

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http.hpp>
#include <string>
#include <vector>

namespace voxsecrets::http {
namespace {

namespace bhttp = boost::beast::http;

// The bytes Beast's serializer writes for `reply`, as the session built its response before.
std::string BeastBytes(const HttpReply& reply, unsigned version, bool keep_alive, bool head) {
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(reply.status), version};
  if (reply.status != 304) res.set(bhttp::field::content_type, reply.content_type);
  res.set(bhttp::field::cache_control, reply.cache_control);
  if (!reply.etag.empty()) res.set(bhttp::field::etag, reply.etag);
  for (const HeaderField& field : reply.security_headers) res.set(field.name, field.value);
  if (!reply.allow.empty()) res.set(bhttp::field::allow, reply.allow);
  if (reply.retry_after_seconds > 0) {
    res.set(bhttp::field::retry_after, std::to_string(reply.retry_after_seconds));
  }
  res.keep_alive(keep_alive);
  res.body() = reply.body;
  if (reply.status != 304) {
    res.prepare_payload();
    if (head) res.body().clear();
  }
  std::string out;
  bhttp::serializer<false, bhttp::string_body> serializer(res);
  boost::system::error_code ec;
  while (!serializer.is_done()) {
    serializer.next(ec, [&](boost::system::error_code&, const auto& buffers) {
      out += boost::beast::buffers_to_string(buffers);
      serializer.consume(boost::asio::buffer_size(buffers));
    });
    EXPECT_FALSE(ec);
  }
  return out;
}

std::vector<HttpReply> Replies() {
  std::vector<HttpReply> replies;
  HttpReply ok;
  ok.body = R"({"result":[{"secret_value":"x"}]})";
  replies.push_back(ok);
  HttpReply empty;
  replies.push_back(empty);
  replies.push_back(TransportErrorReply(404, "Not found."));
  HttpReply not_allowed = TransportErrorReply(405, "Method not allowed.");
  not_allowed.allow = "GET, POST";
  replies.push_back(not_allowed);
  replies.push_back(OverloadedReply());
  replies.push_back(TransportErrorReply(413, "Request body too large."));
  replies.push_back(TransportErrorReply(431, "Request header fields too large."));
  replies.push_back(TransportErrorReply(500, "Internal server error."));
  HttpReply unavailable;
  unavailable.status = 503;
  unavailable.body = R"({"status":"unavailable"})";
  replies.push_back(unavailable);
  HttpReply metrics;
  metrics.content_type = kPrometheusContentType;
  metrics.body = std::string(20000, 'm');
  replies.push_back(metrics);
  HttpReply asset;
  asset.content_type = "text/html; charset=utf-8";
  asset.cache_control = kRevalidate;
  asset.etag = "\"abc123\"";
  asset.security_headers = kPanelSecurityHeaders;
  asset.body = "<!doctype html>";
  replies.push_back(asset);
  HttpReply not_modified = asset;
  not_modified.status = 304;
  not_modified.body.clear();
  replies.push_back(not_modified);
  HttpReply immutable = asset;
  immutable.cache_control = kImmutable;
  replies.push_back(immutable);
  HttpReply long_retry = OverloadedReply("{}");
  long_retry.retry_after_seconds = 4294967295U;
  replies.push_back(long_retry);
  return replies;
}

TEST(ReplyBytesTest, SameBytesAsBeastsSerializer) {
  for (const HttpReply& reply : Replies()) {
    for (const unsigned version : {10U, 11U}) {
      for (const bool keep_alive : {false, true}) {
        for (const bool head : {false, true}) {
          SCOPED_TRACE(std::to_string(reply.status) + " HTTP/" + std::to_string(version) +
                       (keep_alive ? " keep-alive" : " close") + (head ? " HEAD" : " GET"));
          EXPECT_EQ(ReplyBytes(reply, version, keep_alive, head),
                    BeastBytes(reply, version, keep_alive, head));
        }
      }
    }
  }
}

TEST(ReplyBytesTest, ApiAnswer) {
  HttpReply reply;
  reply.body = R"({"status":"ok"})";
  EXPECT_EQ(ReplyBytes(reply, 11, true, false),
            "HTTP/1.1 200 OK\r\n"
            "Content-Type: application/json; charset=utf-8\r\n"
            "Cache-Control: no-store\r\n"
            "X-Content-Type-Options: nosniff\r\n"
            "Referrer-Policy: no-referrer\r\n"
            "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n"
            "Content-Length: 15\r\n"
            "\r\n"
            R"({"status":"ok"})");
}

}  // namespace
}  // namespace voxsecrets::http
