#include "api/error_codes.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

namespace voxsecrets::api {
namespace {

using nlohmann::json;

// Every StatusCode from the first to the last: the enum is contiguous (status.h).
std::vector<StatusCode> AllErrorCodes() {
  std::vector<StatusCode> codes;
  for (int c = static_cast<int>(StatusCode::kMissingMethod);
       c <= static_cast<int>(StatusCode::kInternal); ++c) {
    codes.push_back(static_cast<StatusCode>(c));
  }
  return codes;
}

TEST(ErrorCodesTest, EveryStatusCodeMapsToADocumentedCode) {
  // docs/DECISIONS.md "Error codes" (the secrets methods and the later ones).
  const std::set<int> documented = {1,   2,   4,   100, 101, 102, 103, 104, 107, 115, 116,
                                    129, 340, 341, 433, 435, 437, 440, 441, 447, 449, 454,
                                    455, 456, 458, 477, 485, 493, 496, 497, 558};
  for (StatusCode code : AllErrorCodes()) {
    EXPECT_NE(StatusCodeName(code), "unknown") << static_cast<int>(code);
    const ErrorCodeInfo info = ErrorCodeOf(code);
    EXPECT_TRUE(documented.count(info.code) == 1) << StatusCodeName(code) << " -> " << info.code;
  }
  EXPECT_EQ(ErrorCodeOf(StatusCode::kOk).code, 0);
}

TEST(ErrorCodesTest, TheTable) {
  const std::vector<std::pair<StatusCode, int>> expected = {
      {StatusCode::kMissingMethod, 102},
      {StatusCode::kUnknownMethod, 103},
      {StatusCode::kMalformedRequest, 101},
      {StatusCode::kMissingArgument, 485},
      {StatusCode::kInvalidArgument, 496},
      {StatusCode::kTooLong, 477},
      {StatusCode::kOutOfRange, 497},
      {StatusCode::kConflictingArguments, 458},
      {StatusCode::kBothRoleIdAndName, 449},
      {StatusCode::kInvalidApplicationId, 116},
      {StatusCode::kApplicationNotFound, 558},
      {StatusCode::kInvalidApplicationName, 107},
      {StatusCode::kApplicationNameTaken, 129},
      {StatusCode::kInvalidKeyId, 433},
      {StatusCode::kInvalidRoleId, 440},
      {StatusCode::kInvalidRoleName, 441},
      {StatusCode::kInvalidAccountId, 115},
      {StatusCode::kInvalidRoleSet, 435},
      {StatusCode::kTooManyKeys, 437},
      {StatusCode::kNotFound, 341},
      {StatusCode::kAlreadyExists, 493},
      {StatusCode::kUnauthenticated, 100},
      {StatusCode::kPermissionDenied, 104},
      {StatusCode::kTokenMalformed, 447},
      {StatusCode::kTokenTtlTooLong, 454},
      {StatusCode::kTokenFromFuture, 455},
      {StatusCode::kTokenExpired, 456},
      {StatusCode::kRateLimited, 340},
      {StatusCode::kOverloaded, 340},
      {StatusCode::kInternal, 1},
      {StatusCode::kDataLoss, 2},
      {StatusCode::kUnavailable, 4},
  };
  EXPECT_EQ(expected.size(), AllErrorCodes().size());
  for (const auto& [code, number] : expected) {
    EXPECT_EQ(ErrorCodeOf(code).code, number) << StatusCodeName(code);
  }
}

TEST(EncodeErrorTest, ParameterFaultKeepsMessageAndField) {
  const json j = json::parse(EncodeError(MissingArgument("secret_value")));
  EXPECT_EQ(j, json::parse(R"({"error":{"code":485,"msg":"Specify the 'secret_value' parameter.",
                                        "field_name":"secret_value"}})"));
}

// 103 carries the dispatcher's message, which names the method (already made safe there).
TEST(EncodeErrorTest, UnknownMethodKeepsItsMessage) {
  EXPECT_EQ(EncodeError(Status(StatusCode::kUnknownMethod, "Unknown command 'GetSecretz'.")),
            R"({"error":{"code":103,"msg":"Unknown command 'GetSecretz'."}})");
}

TEST(EncodeErrorTest, NoFieldNameWhenNoneIsSet) {
  const std::string body = EncodeError(Status(StatusCode::kNotFound, "Secret 5 is not found."));
  EXPECT_EQ(body, R"({"error":{"code":341,"msg":"Secret 5 is not found."}})");
}

TEST(EncodeErrorTest, FixedMessagesHideTheStatusMessageAndField) {
  EXPECT_EQ(EncodeError(Status(StatusCode::kUnauthenticated, "bad signature for kid x")),
            R"({"error":{"code":100,"msg":"Authorization failed."}})");
  EXPECT_EQ(EncodeError(Status(StatusCode::kMissingMethod, "")),
            R"({"error":{"code":102,"msg":"Missing 'cmd' parameter."}})");
}

// 104 says why when the reason is a key's limit to applications (written after Voximplant's
// words); any other message is hidden behind the fixed one.
TEST(EncodeErrorTest, ForbiddenCommandCarriesOnlyItsOwnReason) {
  EXPECT_EQ(EncodeError(Status(StatusCode::kPermissionDenied, "no role")),
            R"({"error":{"code":104,"msg":"Forbidden command."}})");
  EXPECT_EQ(EncodeError(Status(StatusCode::kPermissionDenied, "cannot open /etc/key", "x")),
            R"({"error":{"code":104,"msg":"Forbidden command."}})");
  EXPECT_EQ(EncodeError(Status(StatusCode::kPermissionDenied,
                               "Forbidden command: this key is limited to some applications.")),
            R"({"error":{"code":104,"msg":"Forbidden command: this key is limited to some )"
            R"(applications."}})");
}

TEST(EncodeErrorTest, ServerFaultsSayNothingOfInternals) {
  for (StatusCode code : {StatusCode::kInternal, StatusCode::kDataLoss, StatusCode::kUnavailable}) {
    const std::string body =
        EncodeError(Status(code, "sqlite: disk I/O error at /var/lib/x.db", "secret_value"));
    EXPECT_EQ(body.find("sqlite"), std::string::npos) << body;
    EXPECT_EQ(body.find("field_name"), std::string::npos) << body;
    EXPECT_TRUE(IsServerFault(code));
  }
  EXPECT_EQ(EncodeError(InternalError("boom")), R"({"error":{"code":1,"msg":"Fatal error."}})");
  EXPECT_EQ(EncodeError(Status(StatusCode::kDataLoss, "tag mismatch")),
            R"({"error":{"code":2,"msg":"Internal error."}})");
  EXPECT_EQ(EncodeError(Unavailable("busy")), R"({"error":{"code":4,"msg":"DB error."}})");
  EXPECT_FALSE(IsServerFault(StatusCode::kNotFound));
}

TEST(EncodeErrorTest, InvalidUtf8InAMessageIsReplacedNotFatal) {
  const std::string body =
      EncodeError(Status(StatusCode::kApplicationNotFound, "Application '\xff\xfe' is not found.",
                         "application_name"));
  const json j = json::parse(body);  // parses: valid UTF-8
  EXPECT_EQ(j["error"]["code"], 558);
  EXPECT_EQ(j["error"]["field_name"], "application_name");
}

TEST(EncodeErrorTest, NonAsciiIsKeptAsUtf8) {
  const std::string body =
      EncodeError(Status(StatusCode::kApplicationNotFound, "Application 'приложение' is not found.",
                         "application_name"));
  EXPECT_NE(body.find("приложение"), std::string::npos) << body;
}

}  // namespace
}  // namespace voxsecrets::api
