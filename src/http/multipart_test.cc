// Tests for the multipart/form-data decoder (multipart.cc). The raw bodies reproduce what the
// official clients put on the wire; see request_decoder_test.cc for the same bodies end to end.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "http/body_decoders.h"

namespace voxsecrets::http::internal {
namespace {

using namespace std::string_literals;

using Fields = std::vector<std::pair<std::string, std::string>>;

// The layout of npm form-data, mime/multipart (Go), PHP's hand-built body and Apache httpmime:
// every part is "--B CRLF headers CRLF CRLF value CRLF", then "--B--" CRLF.
std::string BuildMultipart(std::string_view boundary, const Fields& fields,
                           std::string_view extra_part_headers = {},
                           std::string_view eol = "\r\n") {
  std::string body;
  for (const auto& [name, value] : fields) {
    body += "--";
    body += boundary;
    body += eol;
    body += "Content-Disposition: form-data; name=\"" + name + "\"";
    body += eol;
    body += extra_part_headers;
    body += eol;
    body += value;
    body += eol;
  }
  body += "--";
  body += boundary;
  body += "--";
  body += eol;
  return body;
}

Status Decode(std::string_view body, std::string_view boundary, api::Params* out) {
  return DecodeMultipart(body, boundary, out);
}

TEST(MultipartTest, NodeFormDataBody) {
  const std::string boundary = "--------------------------515890814546601021194782";
  const std::string body = BuildMultipart(boundary, {{"cmd", "AddSecret"},
                                                     {"application_id", "42"},
                                                     {"secret_name", "DB_PASSWORD"},
                                                     {"secret_value", "p@ss w0rd"}});
  api::Params p;
  ASSERT_TRUE(Decode(body, boundary, &p).ok());
  EXPECT_EQ(p.size(), 4u);
  EXPECT_EQ(p.Get("cmd"), "AddSecret");
  EXPECT_EQ(p.Get("application_id"), "42");
  EXPECT_EQ(p.Get("secret_name"), "DB_PASSWORD");
  EXPECT_TRUE(p.Get("secret_value") == "p@ss w0rd");
}

TEST(MultipartTest, GoWriterBodyWithEmptyFields) {
  // mime/multipart: no CRLF before the first delimiter, "\r\n--B" between parts, and the Go
  // client's unset string fields go out empty.
  const std::string boundary = "9f2c1a7e5b3d8c0f4a6e2b9d7c1f3a5e8b0d2c4f6a8e1b3d5c7f9a0e2b4d";
  const std::string body = "--" + boundary +
                           "\r\nContent-Disposition: form-data; name=\"application_id\"\r\n\r\n"
                           "42\r\n--" +
                           boundary +
                           "\r\nContent-Disposition: form-data; name=\"application_name\"\r\n\r\n"
                           "\r\n--" +
                           boundary + "--\r\n";
  api::Params p;
  ASSERT_TRUE(Decode(body, boundary, &p).ok());
  EXPECT_EQ(p.size(), 1u);
  EXPECT_EQ(p.Get("application_id"), "42");
  EXPECT_FALSE(p.Has("application_name"));
}

TEST(MultipartTest, JavaHttpmimePartHeaders) {
  const std::string boundary = "Yx0Zr3n2Kc-_pQeWf8sVbHj1LmT5uA9dG";
  const std::string body = BuildMultipart(
      boundary, {{"account_id", "1234567"}, {"secret_name", "API_TOKEN"}, {"secret_value", "v"}},
      "Content-Type: text/plain; charset=ISO-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n");
  api::Params p;
  ASSERT_TRUE(Decode(body, boundary, &p).ok());
  EXPECT_EQ(p.size(), 3u);
  EXPECT_EQ(p.Get("account_id"), "1234567");
  EXPECT_EQ(p.Get("secret_name"), "API_TOKEN");
  EXPECT_TRUE(p.Get("secret_value") == "v");
}

TEST(MultipartTest, HeadersBeforeContentDispositionAndCaseInsensitiveNames) {
  const std::string body =
      "--b\r\ncontent-type: text/plain\r\nCONTENT-DISPOSITION: form-data; name=x\r\n\r\n1\r\n"
      "--b\r\nContent-Disposition : form-data; name=\"y\"\r\nX-Other: z\r\n\r\n2\r\n--b--\r\n";
  api::Params p;
  ASSERT_TRUE(Decode(body, "b", &p).ok());
  EXPECT_EQ(p.Get("x"), "1");
  EXPECT_EQ(p.Get("y"), "2");
}

TEST(MultipartTest, BareLineFeeds) {
  const std::string body = BuildMultipart("zz", {{"a", "1"}, {"b", "two\nlines"}}, {}, "\n");
  api::Params p;
  ASSERT_TRUE(Decode(body, "zz", &p).ok());
  EXPECT_EQ(p.Get("a"), "1");
  EXPECT_EQ(p.Get("b"), "two\nlines");
}

TEST(MultipartTest, PreambleAndEpilogueAreIgnored) {
  const std::string body =
      "This is the preamble.\r\n--xyz\r\n"
      "Content-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--xyz--\r\nepilogue --xyz\r\n";
  api::Params p;
  ASSERT_TRUE(Decode(body, "xyz", &p).ok());
  EXPECT_EQ(p.size(), 1u);
  EXPECT_EQ(p.Get("a"), "1");
}

TEST(MultipartTest, ValuesAreKeptByteForByte) {
  const std::string value = "line1\r\nline2\n\"quoted\" \\ \0 \xFF\xFE end  "s +
                            "\r\n--bnd followed by text is no delimiter; nor is --bnd mid-line\r\n";
  const std::string tricky_line = "\r\n--bndX is a line start but not the boundary";
  const std::string body = BuildMultipart("bnd", {{"secret_value", value + tricky_line}});
  api::Params p;
  ASSERT_TRUE(Decode(body, "bnd", &p).ok());
  EXPECT_TRUE(p.Get("secret_value") == value + tricky_line);
}

TEST(MultipartTest, LeadingAndTrailingWhitespaceInValuesIsKept) {
  const std::string body = BuildMultipart("b", {{"d", "  spaced \r\n\r\n"}});
  api::Params p;
  ASSERT_TRUE(Decode(body, "b", &p).ok());
  EXPECT_EQ(p.Get("d"), "  spaced \r\n\r\n");
}

TEST(MultipartTest, FilenamePartsCountAsValues) {
  const std::string body =
      "--b\r\nContent-Disposition: form-data; name=\"secret_value\"; filename=\"stream\"\r\n"
      "Content-Type: application/octet-stream\r\n\r\nfile content\r\n--b--\r\n";
  api::Params p;
  ASSERT_TRUE(Decode(body, "b", &p).ok());
  EXPECT_TRUE(p.Get("secret_value") == "file content");
}

TEST(MultipartTest, LastOccurrenceWinsAndEmptyErases) {
  const std::string body = BuildMultipart("b", {{"a", "1"}, {"a", "2"}, {"c", "3"}, {"c", ""}});
  api::Params p;
  ASSERT_TRUE(Decode(body, "b", &p).ok());
  EXPECT_EQ(p.Get("a"), "2");
  EXPECT_FALSE(p.Has("c"));
}

TEST(MultipartTest, TransportPaddingAfterDelimiter) {
  const std::string body =
      "--b  \t\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--b--  \r\n";
  api::Params p;
  ASSERT_TRUE(Decode(body, "b", &p).ok());
  EXPECT_EQ(p.Get("a"), "1");
}

TEST(MultipartTest, EmptyValueWithoutSeparatingLineEnd) {
  // Some writers let the blank line after the headers double as the delimiter's line end.
  const std::string body =
      "--b\r\nContent-Disposition: form-data; name=a\r\n\r\n--b\r\n"
      "Content-Disposition: form-data; name=c\r\n\r\n3\r\n--b--";
  api::Params p;
  ASSERT_TRUE(Decode(body, "b", &p).ok());
  EXPECT_FALSE(p.Has("a"));
  EXPECT_EQ(p.Get("c"), "3");
}

TEST(MultipartTest, FoldedContentDisposition) {
  const std::string body =
      "--b\r\nContent-Disposition: form-data;\r\n name=\"folded\"\r\n\r\nv\r\n--b--\r\n";
  api::Params p;
  ASSERT_TRUE(Decode(body, "b", &p).ok());
  EXPECT_EQ(p.Get("folded"), "v");
}

TEST(MultipartTest, QuotedNameWithEscapes) {
  const std::string body =
      "--b\r\nContent-Disposition: form-data; name=\"a\\\"b\"\r\n\r\nv\r\n--b--\r\n";
  api::Params p;
  ASSERT_TRUE(Decode(body, "b", &p).ok());
  EXPECT_EQ(p.Get("a\"b"), "v");
}

TEST(MultipartTest, OnlyTheCloseDelimiterMeansNoParameters) {
  api::Params p;
  EXPECT_TRUE(Decode("--b--\r\n", "b", &p).ok());
  EXPECT_TRUE(Decode("--b--", "b", &p).ok());
  EXPECT_EQ(p.size(), 0u);
}

void ExpectMalformed(std::string_view body, std::string_view boundary) {
  api::Params p;
  const Status s = Decode(body, boundary, &p);
  EXPECT_EQ(s.code(), StatusCode::kMalformedRequest) << body;
  EXPECT_FALSE(s.message().empty());
}

TEST(MultipartTest, MissingClosingDelimiterIsMalformed) {
  std::string body = BuildMultipart("b", {{"a", "1"}});
  body.resize(body.size() - std::string("--b--\r\n").size());
  ExpectMalformed(body, "b");
  ExpectMalformed("--b\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--b", "b");
  ExpectMalformed("--b\r\nContent-Disposition: form-data; name=a\r\n\r\n1", "b");
}

TEST(MultipartTest, PartWithoutNameIsMalformed) {
  ExpectMalformed("--b\r\nContent-Disposition: form-data\r\n\r\n1\r\n--b--\r\n", "b");
  ExpectMalformed("--b\r\nContent-Disposition: form-data; name=\"\"\r\n\r\n1\r\n--b--\r\n", "b");
  ExpectMalformed("--b\r\nContent-Type: text/plain\r\n\r\n1\r\n--b--\r\n", "b");
  ExpectMalformed("--b\r\nContent-Disposition: form-data; filename=\"f\"\r\n\r\n1\r\n--b--\r\n",
                  "b");
}

TEST(MultipartTest, UnterminatedHeadersAreMalformed) {
  ExpectMalformed("--b\r\nContent-Disposition: form-data; name=a", "b");
  ExpectMalformed("--b\r\nContent-Disposition: form-data; name=a\r\n--b--\r\n", "b");
}

TEST(MultipartTest, BoundaryProblemsAreMalformed) {
  ExpectMalformed("--b--\r\n", "");
  ExpectMalformed("no delimiter at all", "b");
  ExpectMalformed("--bb\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--bb--", "b");
  const std::string long_boundary(kMaxBoundaryLength + 1, 'x');
  ExpectMalformed("--" + long_boundary + "--\r\n", long_boundary);
}

TEST(MultipartTest, MalformedMessagesDoNotEchoContent) {
  api::Params p;
  const Status s = Decode("--b\r\nContent-Disposition: form-data\r\n\r\nSEKRIT\r\n--b--", "b", &p);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message().find("SEKRIT"), std::string::npos);
}

TEST(MultipartTest, ManyTinyPartsDecodeInOnePass) {
  constexpr int kParts = 100000;
  std::string body;
  body.reserve(kParts * 48);
  for (int i = 0; i < kParts; ++i) {
    body += "--b\r\nContent-Disposition: form-data; name=p" + std::to_string(i) + "\r\n\r\nv\r\n";
  }
  body += "--b--\r\n";
  api::Params p;
  ASSERT_TRUE(Decode(body, "b", &p).ok());
  EXPECT_EQ(p.size(), static_cast<size_t>(kParts));
  EXPECT_EQ(p.Get("p99999"), "v");
}

TEST(MultipartTest, NearMissDelimitersDoNotConfuseTheScan) {
  // A value full of lines that almost start with the boundary.
  const std::string boundary(70, 'q');
  std::string value;
  for (int i = 0; i < 2000; ++i) value += "\r\n--" + std::string(69, 'q') + "x";
  const std::string body = BuildMultipart(boundary, {{"v", value}});
  api::Params p;
  ASSERT_TRUE(Decode(body, boundary, &p).ok());
  EXPECT_TRUE(p.Get("v") == value);
}

TEST(MultipartTest, RoundTripsRandomFields) {
  std::mt19937 rng(7);
  const std::string boundary = "RoundTripBoundary7e3f";
  for (int round = 0; round < 300; ++round) {
    Fields fields;
    api::Params expected;
    const int n = static_cast<int>(rng() % 6);
    for (int i = 0; i < n; ++i) {
      std::string name = "f" + std::to_string(rng() % 4);
      std::string value;
      const int len = static_cast<int>(rng() % 16);
      static constexpr char kAlphabet[] = "ab-\r\n\"\\ \t;=%\0\xC3\xA9";
      for (int j = 0; j < len; ++j) {
        value.push_back(kAlphabet[rng() % (sizeof(kAlphabet) - 1)]);
      }
      expected.Set(name, value);
      fields.emplace_back(std::move(name), std::move(value));
    }
    // With bare LF line ends a value ending in CR is ambiguous (its CR could belong to a CRLF).
    const bool ends_in_cr = std::any_of(fields.begin(), fields.end(), [](const auto& f) {
      return !f.second.empty() && f.second.back() == '\r';
    });
    const std::string eol = (rng() % 2 || ends_in_cr) ? "\r\n" : "\n";
    const std::string body = BuildMultipart(boundary, fields, {}, eol);
    api::Params got;
    ASSERT_TRUE(Decode(body, boundary, &got).ok()) << "round " << round;
    EXPECT_TRUE(got.all() == expected.all()) << "round " << round;
  }
}

}  // namespace
}  // namespace voxsecrets::http::internal
