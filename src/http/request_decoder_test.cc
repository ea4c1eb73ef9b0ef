// Tests for routing and request assembly (request_decoder.cc), with the raw requests each
// official client sends (docs/VOXIMPLANT_API_NOTES.md "Endpoints and where parameters live").
#include "http/request_decoder.h"

#include <gtest/gtest.h>

#include <string>

namespace voxsecrets::http {
namespace {

api::ApiRequest Decode(std::string_view verb, std::string_view target,
                       std::string_view content_type, std::string_view body) {
  api::ApiRequest req;
  DecodeApiRequest(RawRequest{verb, target, content_type, body}, &req);
  return req;
}

// ---- Routing ----

TEST(RouteOfTest, ApiPaths) {
  for (const char* t :
       {"/platform_api", "/platform_api/", "/platform_api/AddSecret", "/platform_api/AddSecret/",
        "/platform_api?cmd=GetSecrets", "/platform_api/?x=1", "/platform_api/GetSecrets?a=/b/c",
        "/platform_api/Add%53ecret", "/platform_api/x?"}) {
    EXPECT_EQ(RouteOf(t), Route::kApi) << t;
  }
}

TEST(RouteOfTest, HealthAndMetrics) {
  EXPECT_EQ(RouteOf("/healthz"), Route::kHealth);
  EXPECT_EQ(RouteOf("/healthz?verbose=1"), Route::kHealth);
  EXPECT_EQ(RouteOf("/metrics"), Route::kMetrics);
  EXPECT_EQ(RouteOf("/metrics?"), Route::kMetrics);
}

TEST(RouteOfTest, EverythingElseIsNotFound) {
  for (const char* t :
       {"", "/", "?cmd=AddSecret", "/platform_apix", "/platform_api_v2/AddSecret",
        "/platform_api/A/B", "/platform_api/A//", "/platform_api//", "/platform_api//A",
        "/Platform_Api/AddSecret", "//platform_api", "/healthz/", "/metrics/x", "/HEALTHZ",
        "platform_api", "http://host/platform_api", "/api/platform_api", "*"}) {
    EXPECT_EQ(RouteOf(t), Route::kNotFound) << t;
  }
}

// ---- Method ----

TEST(DecodeMethodTest, FromPathWithOrWithoutTrailingSlash) {
  EXPECT_EQ(Decode("POST", "/platform_api/AddSecret", "", "").method, "AddSecret");
  EXPECT_EQ(Decode("POST", "/platform_api/AddSecret/", "", "").method, "AddSecret");
  EXPECT_EQ(Decode("GET", "/platform_api/AddSecret/?a=1", "", "").method, "AddSecret");
}

TEST(DecodeMethodTest, PathSegmentIsPercentDecodedButPlusIsLiteral) {
  EXPECT_EQ(Decode("GET", "/platform_api/Add%53ecret", "", "").method, "AddSecret");
  EXPECT_EQ(Decode("GET", "/platform_api/A+B", "", "").method, "A+B");
}

TEST(DecodeMethodTest, MalformedPathEscapeIsKeptRaw) {
  const api::ApiRequest r = Decode("GET", "/platform_api/Add%zz", "", "");
  EXPECT_EQ(r.method, "Add%zz");
  EXPECT_TRUE(r.decode_status.ok());
}

TEST(DecodeMethodTest, FromCmdInQueryOrBody) {
  EXPECT_EQ(Decode("GET", "/platform_api?cmd=GetSecrets", "", "").method, "GetSecrets");
  EXPECT_EQ(
      Decode("POST", "/platform_api/", "application/x-www-form-urlencoded", "cmd=DelSecret").method,
      "DelSecret");
}

TEST(DecodeMethodTest, BodyCmdWinsOverQueryCmd) {
  EXPECT_EQ(
      Decode("POST", "/platform_api?cmd=A", "application/x-www-form-urlencoded", "cmd=B").method,
      "B");
}

TEST(DecodeMethodTest, PathWinsOverCmdAndCmdIsAlwaysRemoved) {
  const api::ApiRequest r = Decode("POST", "/platform_api/GetSecrets?cmd=DelSecret",
                                   "application/x-www-form-urlencoded", "cmd=AddSecret&a=1");
  EXPECT_EQ(r.method, "GetSecrets");
  EXPECT_FALSE(r.params.Has("cmd"));
  EXPECT_EQ(r.params.size(), 1u);
}

TEST(DecodeMethodTest, NoMethodAnywhere) {
  const api::ApiRequest r = Decode("POST", "/platform_api", "", "a=1&cmd=");
  EXPECT_EQ(r.method, "");
  EXPECT_FALSE(r.params.Has("cmd"));
  EXPECT_EQ(r.params.Get("a"), "1");
}

TEST(DecodeMethodTest, CmdIsPercentDecoded) {
  EXPECT_EQ(Decode("GET", "/platform_api?cmd=Get%53ecrets", "", "").method, "GetSecrets");
}

// ---- Merging ----

TEST(DecodeMergeTest, BodyWinsOverQuery) {
  const api::ApiRequest r =
      Decode("POST", "/platform_api/GetSecrets?count=5&offset=1",
             "application/x-www-form-urlencoded", "count=10&application_id=3");
  EXPECT_EQ(r.params.Get("count"), "10");
  EXPECT_EQ(r.params.Get("offset"), "1");
  EXPECT_EQ(r.params.Get("application_id"), "3");
  EXPECT_EQ(r.params.size(), 3u);
}

TEST(DecodeMergeTest, EmptyBodyValueDoesNotHideQueryValue) {
  const api::ApiRequest r = Decode("POST", "/platform_api/GetSecrets?application_id=7",
                                   "application/x-www-form-urlencoded", "application_id=");
  EXPECT_EQ(r.params.Get("application_id"), "7");
}

TEST(DecodeMergeTest, WithinOneSourceLastWins) {
  const api::ApiRequest r = Decode("GET", "/platform_api/X?a=1&a=2&b=1&b=", "", "");
  EXPECT_EQ(r.params.Get("a"), "2");
  EXPECT_FALSE(r.params.Has("b"));
}

TEST(DecodeMergeTest, ResetsEarlierContentButLeavesTokenAndIp) {
  api::ApiRequest req;
  req.method = "Old";
  req.params.Set("stale", "1");
  req.decode_status = Status(StatusCode::kMalformedRequest, "old");
  req.bearer_token = "token-from-header";
  req.client_ip = "127.0.0.1";
  DecodeApiRequest(RawRequest{"GET", "/platform_api?x=1", "", ""}, &req);
  EXPECT_EQ(req.method, "");
  EXPECT_FALSE(req.params.Has("stale"));
  EXPECT_EQ(req.params.Get("x"), "1");
  EXPECT_TRUE(req.decode_status.ok());
  EXPECT_TRUE(req.bearer_token == "token-from-header");
  EXPECT_EQ(req.client_ip, "127.0.0.1");
}

// ---- Content types ----

TEST(DecodeBodyTest, MissingContentTypeIsUrlEncoded) {
  const api::ApiRequest r = Decode("POST", "/platform_api", "", "cmd=GetSecrets&count=2");
  EXPECT_EQ(r.method, "GetSecrets");
  EXPECT_EQ(r.params.Get("count"), "2");
}

TEST(DecodeBodyTest, MissingContentTypeWithJsonObjectIsJson) {
  const api::ApiRequest r = Decode("POST", "/platform_api", "", " {\"cmd\":\"GetSecrets\"}");
  EXPECT_EQ(r.method, "GetSecrets");
  EXPECT_TRUE(r.decode_status.ok());
}

TEST(DecodeBodyTest, TextPlainIsSniffedToo) {
  EXPECT_EQ(Decode("POST", "/platform_api", "text/plain;charset=UTF-8", "cmd=A").method, "A");
  EXPECT_EQ(Decode("POST", "/platform_api", "text/plain", "{\"cmd\":\"B\"}").method, "B");
}

TEST(DecodeBodyTest, UnknownContentTypeBodyIsIgnored) {
  const api::ApiRequest r =
      Decode("POST", "/platform_api/X?a=1", "application/octet-stream", "b=2&%zz");
  EXPECT_TRUE(r.decode_status.ok());
  EXPECT_EQ(r.params.Get("a"), "1");
  EXPECT_FALSE(r.params.Has("b"));
}

TEST(DecodeBodyTest, GetWithBodyIsDecoded) {
  EXPECT_EQ(
      Decode("GET", "/platform_api/X", "application/x-www-form-urlencoded", "a=1").params.Get("a"),
      "1");
}

TEST(DecodeBodyTest, EmptyBodyIsFineWhateverTheType) {
  for (const char* ct :
       {"application/json", "multipart/form-data", "multipart/form-data; boundary=x",
        "application/x-www-form-urlencoded", "", "image/png"}) {
    const api::ApiRequest r = Decode("POST", "/platform_api/X?a=1", ct, "");
    EXPECT_TRUE(r.decode_status.ok()) << ct;
    EXPECT_EQ(r.params.Get("a"), "1") << ct;
  }
}

TEST(DecodeBodyTest, JsonTypeWithCharsetAndSuffix) {
  EXPECT_EQ(Decode("POST", "/platform_api/X", "Application/JSON; charset=utf-8", "{\"a\":5}")
                .params.Get("a"),
            "5");
  EXPECT_EQ(Decode("POST", "/platform_api/X", "application/vnd.voxsecrets+json", "{\"a\":[1,2]}")
                .params.Get("a"),
            "1;2");
}

// ---- Failures ----

TEST(DecodeFailureTest, MalformedQueryKeepsBodyAndMethod) {
  const api::ApiRequest r = Decode("POST", "/platform_api/GetSecrets?a=%zz&b=1",
                                   "application/x-www-form-urlencoded", "c=3");
  EXPECT_EQ(r.decode_status.code(), StatusCode::kMalformedRequest);
  EXPECT_EQ(r.method, "GetSecrets");
  EXPECT_FALSE(r.params.Has("b"));  // a query that fails contributes nothing
  EXPECT_EQ(r.params.Get("c"), "3");
}

TEST(DecodeFailureTest, MalformedUrlEncodedBodyKeepsQueryAndMethod) {
  const api::ApiRequest r = Decode("POST", "/platform_api?cmd=GetSecrets&b=1",
                                   "application/x-www-form-urlencoded", "c=3&d=%4");
  EXPECT_EQ(r.decode_status.code(), StatusCode::kMalformedRequest);
  EXPECT_EQ(r.method, "GetSecrets");
  EXPECT_EQ(r.params.Get("b"), "1");
  EXPECT_FALSE(r.params.Has("c"));
}

TEST(DecodeFailureTest, BadJsonBody) {
  const api::ApiRequest r =
      Decode("POST", "/platform_api/AddSecret?x=1", "application/json", "{\"secret_value\":");
  EXPECT_EQ(r.decode_status.code(), StatusCode::kMalformedRequest);
  EXPECT_EQ(r.decode_status.message(), "The request body is not a valid JSON object.");
  EXPECT_EQ(r.method, "AddSecret");
  EXPECT_EQ(r.params.Get("x"), "1");
  EXPECT_FALSE(r.params.Has("secret_value"));
}

TEST(DecodeFailureTest, JsonBodyCmdIsLostWhenTheBodyFails) {
  const api::ApiRequest r =
      Decode("POST", "/platform_api", "application/json", "{\"cmd\":\"GetSecrets\",\"a\":{}}");
  EXPECT_EQ(r.decode_status.code(), StatusCode::kMalformedRequest);
  EXPECT_EQ(r.method, "");
  EXPECT_EQ(r.params.size(), 0u);
}

TEST(DecodeFailureTest, MultipartWithoutBoundary) {
  const api::ApiRequest r =
      Decode("POST", "/platform_api/X", "multipart/form-data",
             "--b\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--b--");
  EXPECT_EQ(r.decode_status.code(), StatusCode::kMalformedRequest);
  EXPECT_FALSE(r.params.Has("a"));
}

TEST(DecodeFailureTest, FirstFailureIsReported) {
  const api::ApiRequest r = Decode("POST", "/platform_api/X?a=%", "application/json", "not json");
  EXPECT_EQ(r.decode_status.code(), StatusCode::kMalformedRequest);
  EXPECT_NE(r.decode_status.message().find("query"), std::string::npos);
}

TEST(DecodeFailureTest, MessagesNeverEchoContent) {
  const std::string secret = "SEKRIT-VALUE";
  const struct {
    const char* target;
    const char* content_type;
    std::string body;
  } cases[] = {
      {"/platform_api/X?secret_value=SEKRIT-VALUE%", "", ""},
      {"/platform_api/X", "application/x-www-form-urlencoded", "secret_value=SEKRIT-VALUE%z"},
      {"/platform_api/X", "application/json", "{\"secret_value\":\"SEKRIT-VALUE\""},
      {"/platform_api/X", "multipart/form-data; boundary=b",
       "--b\r\nContent-Disposition: form-data; name=\"secret_value\"\r\n\r\nSEKRIT-VALUE"},
  };
  for (const auto& c : cases) {
    const api::ApiRequest r = Decode("POST", c.target, c.content_type, c.body);
    ASSERT_FALSE(r.decode_status.ok()) << c.target;
    EXPECT_EQ(r.decode_status.ToString().find(secret), std::string::npos) << c.target;
  }
}

// ---- What each official client sends ----

// npm form-data (Node client 4.x): POST /platform_api, `cmd` first, then every parameter.
TEST(ClientStyleTest, NodeMultipartWithCmd) {
  const std::string boundary = "--------------------------515890814546601021194782";
  const std::string d = "--" + boundary + "\r\n";
  const std::string body =
      d + "Content-Disposition: form-data; name=\"cmd\"\r\n\r\nAddSecret\r\n" + d +
      "Content-Disposition: form-data; name=\"application_id\"\r\n\r\n42\r\n" + d +
      "Content-Disposition: form-data; name=\"secret_name\"\r\n\r\nDB_PASSWORD\r\n" + d +
      "Content-Disposition: form-data; name=\"secret_value\"\r\n\r\nline1\r\nline2 \"q\"\r\n" + d +
      "Content-Disposition: form-data; name=\"description\"\r\n\r\nMain DB\r\n" + "--" + boundary +
      "--\r\n";
  const api::ApiRequest r =
      Decode("POST", "/platform_api", "multipart/form-data; boundary=" + boundary, body);
  ASSERT_TRUE(r.decode_status.ok()) << r.decode_status.ToString();
  EXPECT_EQ(r.method, "AddSecret");
  EXPECT_EQ(r.params.size(), 4u);
  EXPECT_EQ(r.params.Get("application_id"), "42");
  EXPECT_EQ(r.params.Get("secret_name"), "DB_PASSWORD");
  EXPECT_TRUE(r.params.Get("secret_value") == "line1\r\nline2 \"q\"");
  EXPECT_EQ(r.params.Get("description"), "Main DB");
}

// requests.post(data=dict) (Python client 2.x): urlencoded with `cmd`; booleans as True/False.
TEST(ClientStyleTest, PythonUrlEncodedWithCmd) {
  const api::ApiRequest r =
      Decode("POST", "/platform_api", "application/x-www-form-urlencoded",
             "cmd=GetSecrets&application_name=myapp&secret_name_part=db&count=20&with_values=True");
  ASSERT_TRUE(r.decode_status.ok());
  EXPECT_EQ(r.method, "GetSecrets");
  EXPECT_EQ(r.params.Get("application_name"), "myapp");
  EXPECT_EQ(r.params.Get("secret_name_part"), "db");
  EXPECT_EQ(r.params.Get("count"), "20");
  EXPECT_EQ(r.params.Get("with_values"), "True");
}

TEST(ClientStyleTest, PythonUrlEncodedSecretValueWithSpecials) {
  // urllib.parse.urlencode (quote_plus) of "p@ss w0rd!\n€".
  const api::ApiRequest r = Decode(
      "POST", "/platform_api", "application/x-www-form-urlencoded",
      "cmd=AddSecret&application_id=1&secret_name=PW&secret_value=p%40ss+w0rd%21%0A%E2%82%AC");
  ASSERT_TRUE(r.decode_status.ok());
  EXPECT_TRUE(r.params.Get("secret_value") == "p@ss w0rd!\n\xE2\x82\xAC");
}

// mime/multipart (Go client 2.x): POST /platform_api/<Method>; unset string fields sent empty.
TEST(ClientStyleTest, GoMultipartToMethodPath) {
  const std::string boundary = "d5f0b6e1c8a2f9e3b7c4a1d6e8f2b5c9a3e7d1f4b8c2a6e9d3f7b1c5a8e2";
  const std::string body =
      "--" + boundary + "\r\nContent-Disposition: form-data; name=\"application_id\"\r\n\r\n12" +
      "\r\n--" + boundary +
      "\r\nContent-Disposition: form-data; name=\"application_name\"\r\n\r\n" + "\r\n--" +
      boundary + "\r\nContent-Disposition: form-data; name=\"secret_id\"\r\n\r\n5;6" + "\r\n--" +
      boundary + "--\r\n";
  const api::ApiRequest r =
      Decode("POST", "/platform_api/DelSecret", "multipart/form-data; boundary=" + boundary, body);
  ASSERT_TRUE(r.decode_status.ok()) << r.decode_status.ToString();
  EXPECT_EQ(r.method, "DelSecret");
  EXPECT_EQ(r.params.size(), 2u);
  EXPECT_EQ(r.params.Get("application_id"), "12");
  EXPECT_FALSE(r.params.Has("application_name"));
  EXPECT_EQ(r.params.Get("secret_id"), "5;6");
}

// PHP client 3.8: hand-built multipart, boundary `-------------<uniqid>`, account_id added.
TEST(ClientStyleTest, PhpHandBuiltMultipart) {
  const std::string delimiter = "-------------65f1c2a9b3e4d";
  std::string body;
  for (const auto& [name, value] : {std::pair<std::string, std::string>{"application_id", "3"},
                                    {"secret_name", "TOKEN"},
                                    {"secret_value", "s3cr3t"},
                                    {"account_id", "1234567"}}) {
    body += "--" + delimiter + "\r\n";
    body += "Content-Disposition: form-data; name=\"" + name + "\"\r\n\r\n";
    body += value + "\r\n";
  }
  body += "--" + delimiter + "--\r\n";
  const api::ApiRequest r =
      Decode("POST", "/platform_api/AddSecret", "multipart/form-data; boundary=" + delimiter, body);
  ASSERT_TRUE(r.decode_status.ok()) << r.decode_status.ToString();
  EXPECT_EQ(r.method, "AddSecret");
  EXPECT_EQ(r.params.size(), 4u);
  EXPECT_EQ(r.params.Get("application_id"), "3");
  EXPECT_EQ(r.params.Get("secret_name"), "TOKEN");
  EXPECT_TRUE(r.params.Get("secret_value") == "s3cr3t");
  EXPECT_EQ(r.params.Get("account_id"), "1234567");
}

// Apache httpmime MultipartEntityBuilder (Java client 2.9): per-part Content-Type (ISO-8859-1)
// and Content-Transfer-Encoding; account_id form field on every call.
TEST(ClientStyleTest, JavaMultipartWithPartHeaders) {
  const std::string boundary = "Yx0Zr3n2Kc-_pQeWf8sVbHj1LmT5uA9dG";
  std::string body;
  for (const auto& [name, value] : {std::pair<std::string, std::string>{"account_id", "1234567"},
                                    {"application_name", "myapp"},
                                    {"secret_name", "KEY"},
                                    {"secret_value", "caf\xE9"}}) {
    body += "--" + boundary + "\r\n";
    body += "Content-Disposition: form-data; name=\"" + name + "\"\r\n";
    body += "Content-Type: text/plain; charset=ISO-8859-1\r\n";
    body += "Content-Transfer-Encoding: 8bit\r\n\r\n";
    body += value + "\r\n";
  }
  body += "--" + boundary + "--\r\n";
  const api::ApiRequest r =
      Decode("POST", "/platform_api/SetSecretInfo",
             "multipart/form-data; boundary=" + boundary + "; charset=ISO-8859-1", body);
  ASSERT_TRUE(r.decode_status.ok()) << r.decode_status.ToString();
  EXPECT_EQ(r.method, "SetSecretInfo");
  EXPECT_EQ(r.params.size(), 4u);
  EXPECT_EQ(r.params.Get("account_id"), "1234567");
  EXPECT_EQ(r.params.Get("application_name"), "myapp");
  EXPECT_EQ(r.params.Get("secret_name"), "KEY");
  // Bytes as sent (Latin-1 é): the secrets layer rejects them as invalid UTF-8, not the decoder.
  EXPECT_TRUE(r.params.Get("secret_value") == "caf\xE9");
}

// The new reference's curl examples: everything in the query, `-d '{}'` as JSON.
TEST(ClientStyleTest, DocsQueryStringWithEmptyJsonBody) {
  const api::ApiRequest r = Decode("POST", "/platform_api/GetSecrets?application_id=1&count=10",
                                   "application/json", "{}");
  ASSERT_TRUE(r.decode_status.ok());
  EXPECT_EQ(r.method, "GetSecrets");
  EXPECT_EQ(r.params.size(), 2u);
  EXPECT_EQ(r.params.Get("application_id"), "1");
  EXPECT_EQ(r.params.Get("count"), "10");
}

TEST(ClientStyleTest, JsonObjectBody) {
  const api::ApiRequest r =
      Decode("POST", "/platform_api/DelSecret", "application/json",
             R"({"application_id": 1, "secret_id": [3, 4], "secret_name": null})");
  ASSERT_TRUE(r.decode_status.ok());
  EXPECT_EQ(r.params.Get("application_id"), "1");
  EXPECT_EQ(r.params.Get("secret_id"), "3;4");
  EXPECT_FALSE(r.params.Has("secret_name"));
}

// Old documentation: GET with a trailing slash and legacy credentials in the query.
TEST(ClientStyleTest, OldStyleGetWithTrailingSlash) {
  const std::string target =
      "/platform_api/AddApplication/?account_id=1&api_key=2eb5a3c1-8d4f&application_name=y";
  ASSERT_EQ(RouteOf(target), Route::kApi);
  const api::ApiRequest r = Decode("GET", target, "", "");
  ASSERT_TRUE(r.decode_status.ok());
  EXPECT_EQ(r.method, "AddApplication");
  EXPECT_EQ(r.params.size(), 3u);
  EXPECT_EQ(r.params.Get("account_id"), "1");
  EXPECT_TRUE(r.params.Get("api_key") == "2eb5a3c1-8d4f");
  EXPECT_EQ(r.params.Get("application_name"), "y");
}

}  // namespace
}  // namespace voxsecrets::http
