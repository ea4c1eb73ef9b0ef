// Every error rule of docs/DECISIONS.md through the Dispatcher, one row each: the request and the
// code and field_name it must be answered with (docs/API.md "Errors"). The first fault of a
// request is the one reported: application, then secret, then the rest.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/api_test_base.h"

namespace voxsecrets::api {
namespace {

using nlohmann::json;

struct Row {
  std::string what;
  std::string method;
  ParamList params;  // "$A" etc. are replaced by ids of the fixture (see Expand)
  int code;
  std::string field;
};

class ApiErrorsTest : public ApiCallTest {
 protected:
  void SetUp() override {
    ApiCallTest::SetUp();
    if (HasFatalFailure()) return;
    alpha_ = AddSecret("alpha", "a");
    beta_ = AddSecret("beta", "b");
    Result<int64_t> second = stack().CreateApplication(acme_.id, "second");
    Result<ApiStack::Account> globex = stack().CreateAccount("globex");
    ASSERT_TRUE(second.ok() && globex.ok());
    second_ = *second;
    Result<int64_t> theirs = stack().CreateApplication(globex->id, "theirs");
    ASSERT_TRUE(theirs.ok());
    theirs_ = *theirs;
  }

  // Replaces every "$A", "$B", "$T", "$S1", "$S2" in `value` (list items too).
  std::string Expand(std::string value) const {
    const std::vector<std::pair<std::string, int64_t>> tokens = {
        {"$S1", alpha_}, {"$S2", beta_}, {"$A", app_id_}, {"$B", second_}, {"$T", theirs_}};
    for (const auto& [token, id] : tokens) {
      for (size_t at = value.find(token); at != std::string::npos; at = value.find(token)) {
        value.replace(at, token.size(), std::to_string(id));
      }
    }
    return value;
  }

  void Check(const std::vector<Row>& rows) {
    for (const Row& row : rows) {
      SCOPED_TRACE(row.what);
      ParamList params;
      for (const auto& [name, value] : row.params) params.emplace_back(name, Expand(value));
      const json body = Call(row.method, params);
      EXPECT_EQ(ErrorOf(body), Err(row.code, row.field))
          << row.what << ": " << body.dump(-1, ' ', false, json::error_handler_t::replace);
      EXPECT_FALSE(body.contains("result")) << row.what;
      if (body.contains("error")) {
        const std::string msg = body["error"].value("msg", "");
        EXPECT_FALSE(msg.empty()) << row.what;
        EXPECT_EQ(msg.back(), '.') << row.what << ": " << msg;
      }
    }
  }

  int64_t alpha_ = 0;
  int64_t beta_ = 0;
  int64_t second_ = 0;
  int64_t theirs_ = 0;
};

const std::string kLong(8193, 'v');
const std::string kNul("a\0b", 3);

TEST_F(ApiErrorsTest, ApplicationRules) {
  Check({
      {"no application", "GetSecrets", {}, 485, "application_id"},
      {"non-numeric id", "GetSecrets", {{"application_id", "abc"}}, 116, "application_id"},
      {"id with spaces", "GetSecrets", {{"application_id", " 1"}}, 116, "application_id"},
      {"negative id", "GetSecrets", {{"application_id", "-1"}}, 116, "application_id"},
      {"unknown id", "GetSecrets", {{"application_id", "999999"}}, 116, "application_id"},
      {"another account's id", "GetSecrets", {{"application_id", "$T"}}, 116, "application_id"},
      {"unknown name", "GetSecrets", {{"application_name", "ghost"}}, 558, "application_name"},
      {"another account's name",
       "GetSecrets",
       {{"application_name", "theirs"}},
       558,
       "application_name"},
      {"full name of another account",
       "GetSecrets",
       {{"application_name", "myapp.globex.voximplant.com"}},
       558,
       "application_name"},
      {"id and name disagree",
       "GetSecrets",
       {{"application_id", "$A"}, {"application_name", "second"}},
       458,
       ""},
      {"application before secret (AddSecret)",
       "AddSecret",
       {{"application_id", "abc"}, {"secret_name", "1bad"}},
       116,
       "application_id"},
      {"application before secret (GetSecretValue)",
       "GetSecretValue",
       {{"application_name", "ghost"}, {"secret_id", "abc"}},
       558,
       "application_name"},
      {"application before paging",
       "GetSecrets",
       {{"application_id", "999999"}, {"count", "0"}},
       116,
       "application_id"},
      {"application before DelSecret lists",
       "DelSecret",
       {{"application_name", "ghost"}, {"secret_id", "x"}},
       558,
       "application_name"},
  });
}

TEST_F(ApiErrorsTest, SecretTargetRules) {
  Check({
      {"GetSecretValue without a secret",
       "GetSecretValue",
       {{"application_id", "$A"}},
       485,
       "secret_id"},
      {"SetSecretInfo without a secret",
       "SetSecretInfo",
       {{"application_id", "$A"}, {"secret_value", "v"}},
       485,
       "secret_id"},
      {"non-numeric secret_id",
       "GetSecretValue",
       {{"application_id", "$A"}, {"secret_id", "abc"}},
       496,
       "secret_id"},
      {"fractional secret_id",
       "GetSecretValue",
       {{"application_id", "$A"}, {"secret_id", "1.5"}},
       496,
       "secret_id"},
      {"unknown secret_id",
       "GetSecretValue",
       {{"application_id", "$A"}, {"secret_id", "999999"}},
       341,
       "secret_id"},
      {"secret of another application",
       "GetSecretValue",
       {{"application_id", "$B"}, {"secret_id", "$S1"}},
       341,
       "secret_id"},
      {"unknown secret_name",
       "GetSecretValue",
       {{"application_id", "$A"}, {"secret_name", "ghost"}},
       341,
       "secret_name"},
      {"ill-formed secret_name",
       "GetSecretValue",
       {{"application_id", "$A"}, {"secret_name", "bad-name"}},
       496,
       "secret_name"},
      {"id and name disagree",
       "GetSecretValue",
       {{"application_id", "$A"}, {"secret_id", "$S1"}, {"secret_name", "beta"}},
       458,
       ""},
      {"id and name disagree (SetSecretInfo)",
       "SetSecretInfo",
       {{"application_id", "$A"}, {"secret_id", "$S1"}, {"secret_name", "beta"}},
       458,
       ""},
      {"unknown target of SetSecretInfo",
       "SetSecretInfo",
       {{"application_id", "$A"}, {"secret_id", "999999"}, {"new_secret_name", "x"}},
       341,
       "secret_id"},
      {"secret before the rest",
       "SetSecretInfo",
       {{"application_id", "$A"}, {"secret_name", "ghost"}, {"new_secret_name", "1bad"}},
       341,
       "secret_name"},
  });
}

TEST_F(ApiErrorsTest, AddSecretRules) {
  Check({
      {"no name",
       "AddSecret",
       {{"application_id", "$A"}, {"secret_value", "v"}},
       485,
       "secret_name"},
      {"name starts with a digit",
       "AddSecret",
       {{"application_id", "$A"}, {"secret_name", "1abc"}, {"secret_value", "v"}},
       496,
       "secret_name"},
      {"name with a dash",
       "AddSecret",
       {{"application_id", "$A"}, {"secret_name", "a-b"}, {"secret_value", "v"}},
       496,
       "secret_name"},
      {"name of 65 characters",
       "AddSecret",
       {{"application_id", "$A"},
        {"secret_name", "a" + std::string(64, 'b')},
        {"secret_value", "v"}},
       496,
       "secret_name"},
      {"duplicate name",
       "AddSecret",
       {{"application_id", "$A"}, {"secret_name", "alpha"}, {"secret_value", "v"}},
       493,
       "secret_name"},
      {"no value",
       "AddSecret",
       {{"application_id", "$A"}, {"secret_name", "fresh"}},
       485,
       "secret_value"},
      {"value too long",
       "AddSecret",
       {{"application_id", "$A"}, {"secret_name", "fresh"}, {"secret_value", kLong}},
       477,
       "secret_value"},
      {"value not UTF-8",
       "AddSecret",
       {{"application_id", "$A"}, {"secret_name", "fresh"}, {"secret_value", "\xc3\x28"}},
       496,
       "secret_value"},
      {"value with NUL",
       "AddSecret",
       {{"application_id", "$A"}, {"secret_name", "fresh"}, {"secret_value", kNul}},
       496,
       "secret_value"},
      {"description not UTF-8",
       "AddSecret",
       {{"application_id", "$A"},
        {"secret_name", "fresh"},
        {"secret_value", "v"},
        {"description", "\xff"}},
       496,
       "description"},
      {"name before value",
       "AddSecret",
       {{"application_id", "$A"}, {"secret_name", "1abc"}, {"secret_value", kLong}},
       496,
       "secret_name"},
      {"duplicate before value",
       "AddSecret",
       {{"application_id", "$A"}, {"secret_name", "alpha"}, {"secret_value", kNul}},
       493,
       "secret_name"},
  });
}

TEST_F(ApiErrorsTest, SetSecretInfoRules) {
  Check({
      {"new name taken",
       "SetSecretInfo",
       {{"application_id", "$A"}, {"secret_id", "$S1"}, {"new_secret_name", "beta"}},
       493,
       "new_secret_name"},
      {"new name ill-formed",
       "SetSecretInfo",
       {{"application_id", "$A"}, {"secret_id", "$S1"}, {"new_secret_name", "x y"}},
       496,
       "new_secret_name"},
      {"value too long",
       "SetSecretInfo",
       {{"application_id", "$A"}, {"secret_id", "$S1"}, {"secret_value", kLong}},
       477,
       "secret_value"},
      {"value with NUL",
       "SetSecretInfo",
       {{"application_id", "$A"}, {"secret_id", "$S1"}, {"secret_value", kNul}},
       496,
       "secret_value"},
      {"new name before value",
       "SetSecretInfo",
       {{"application_id", "$A"},
        {"secret_id", "$S1"},
        {"new_secret_name", "beta"},
        {"secret_value", kLong}},
       493,
       "new_secret_name"},
  });
}

TEST_F(ApiErrorsTest, PagingRules) {
  Check({
      {"count 0", "GetSecrets", {{"application_id", "$A"}, {"count", "0"}}, 497, "count"},
      {"count 1001", "GetSecrets", {{"application_id", "$A"}, {"count", "1001"}}, 497, "count"},
      {"negative count", "GetSecrets", {{"application_id", "$A"}, {"count", "-5"}}, 497, "count"},
      {"non-numeric count",
       "GetSecrets",
       {{"application_id", "$A"}, {"count", "ten"}},
       496,
       "count"},
      {"count in exponent form",
       "GetSecrets",
       {{"application_id", "$A"}, {"count", "1e3"}},
       496,
       "count"},
      {"negative offset",
       "GetSecrets",
       {{"application_id", "$A"}, {"offset", "-1"}},
       497,
       "offset"},
      {"non-numeric offset",
       "GetSecrets",
       {{"application_id", "$A"}, {"offset", "x"}},
       496,
       "offset"},
      {"count before offset",
       "GetSecrets",
       {{"application_id", "$A"}, {"count", "5000"}, {"offset", "x"}},
       497,
       "count"},
      {"GetApplications count", "GetApplications", {{"count", "1001"}}, 497, "count"},
      {"GetApplications offset", "GetApplications", {{"offset", "abc"}}, 496, "offset"},
  });
}

TEST_F(ApiErrorsTest, DelSecretRules) {
  Check({
      {"nothing to delete", "DelSecret", {{"application_id", "$A"}}, 485, "secret_id"},
      {"only separators",
       "DelSecret",
       {{"application_id", "$A"}, {"secret_id", " ; ;"}},
       485,
       "secret_id"},
      {"non-numeric id",
       "DelSecret",
       {{"application_id", "$A"}, {"secret_id", "abc"}},
       496,
       "secret_id"},
      {"non-numeric item",
       "DelSecret",
       {{"application_id", "$A"}, {"secret_id", "$S1;abc"}},
       496,
       "secret_id"},
      {"all mixed with ids",
       "DelSecret",
       {{"application_id", "$A"}, {"secret_id", "all;1"}},
       496,
       "secret_id"},
      {"ill-formed name",
       "DelSecret",
       {{"application_id", "$A"}, {"secret_name", "beta;x-y"}},
       496,
       "secret_name"},
      {"unknown id",
       "DelSecret",
       {{"application_id", "$A"}, {"secret_id", "$S1;999999"}},
       341,
       "secret_id"},
      {"unknown name",
       "DelSecret",
       {{"application_id", "$A"}, {"secret_name", "alpha;ghost"}},
       341,
       "secret_name"},
      {"secret of another application",
       "DelSecret",
       {{"application_id", "$B"}, {"secret_id", "$S1"}},
       341,
       "secret_id"},
  });
  // Nothing was deleted by any of them.
  EXPECT_EQ(CallApp("GetSecrets", {})["total_count"], 2);
}

TEST_F(ApiErrorsTest, ApplicationMethodRules) {
  Check({
      {"AddApplication without a name", "AddApplication", {}, 485, "application_name"},
      {"AddApplication bad name",
       "AddApplication",
       {{"application_name", "Bad"}},
       107,
       "application_name"},
      {"AddApplication taken name",
       "AddApplication",
       {{"application_name", "second"}},
       129,
       "application_name"},
      {"AddApplication bad flag",
       "AddApplication",
       {{"application_name", "fresh"}, {"secure_record_storage", "yes"}},
       496,
       "secure_record_storage"},
      {"GetApplications bad id",
       "GetApplications",
       {{"application_id", "x"}},
       116,
       "application_id"},
      {"GetApplications bad flag",
       "GetApplications",
       {{"with_scenarios", "2"}},
       496,
       "with_scenarios"},
      {"SetApplicationInfo without a target", "SetApplicationInfo", {}, 485, "application_id"},
      {"SetApplicationInfo unknown id",
       "SetApplicationInfo",
       {{"application_id", "$T"}},
       116,
       "application_id"},
      {"SetApplicationInfo unknown name",
       "SetApplicationInfo",
       {{"required_application_name", "ghost"}},
       558,
       "required_application_name"},
      {"SetApplicationInfo disagreeing target",
       "SetApplicationInfo",
       {{"application_id", "$A"}, {"required_application_name", "second"}},
       458,
       ""},
      {"SetApplicationInfo taken name",
       "SetApplicationInfo",
       {{"application_id", "$A"}, {"application_name", "second"}},
       129,
       "application_name"},
      {"SetApplicationInfo bad name",
       "SetApplicationInfo",
       {{"application_id", "$A"}, {"application_name", "-x"}},
       107,
       "application_name"},
      {"SetApplicationInfo name before flag",
       "SetApplicationInfo",
       {{"application_id", "$A"}, {"application_name", "-x"}, {"secure_record_storage", "z"}},
       107,
       "application_name"},
      {"DelApplication without a target", "DelApplication", {}, 485, "application_id"},
      {"DelApplication bad id",
       "DelApplication",
       {{"application_id", "$A;x"}},
       116,
       "application_id"},
      {"DelApplication unknown id",
       "DelApplication",
       {{"application_id", "$A;$T"}},
       116,
       "application_id"},
      {"DelApplication unknown name",
       "DelApplication",
       {{"application_name", "second;ghost"}},
       558,
       "application_name"},
  });
  EXPECT_EQ(Call("GetApplications", {})["total_count"], 2);
}

}  // namespace
}  // namespace voxsecrets::api
