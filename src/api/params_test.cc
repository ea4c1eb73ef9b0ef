#include "api/params.h"

#include <gtest/gtest.h>

#include <limits>

namespace voxsecrets::api {
namespace {

TEST(ParseInt64Test, AcceptsStrictDecimal) {
  EXPECT_EQ(ParseInt64("0"), 0);
  EXPECT_EQ(ParseInt64("42"), 42);
  EXPECT_EQ(ParseInt64("007"), 7);
  EXPECT_EQ(ParseInt64("-5"), -5);
  EXPECT_EQ(ParseInt64("-0"), 0);
  EXPECT_EQ(ParseInt64("9223372036854775807"), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(ParseInt64("-9223372036854775808"), std::numeric_limits<int64_t>::min());
}

TEST(ParseInt64Test, RejectsEverythingElse) {
  for (const char* bad :
       {"", "-", "+1", " 1", "1 ", "1.0", "1e3", "0x10", "abc", "12a", "--1", "9223372036854775808",
        "-9223372036854775809", "99999999999999999999", "１"}) {
    EXPECT_FALSE(ParseInt64(bad).has_value()) << bad;
  }
}

TEST(ParseBoolTest, AcceptsTrueFalseAnyCaseAndDigits) {
  for (const char* t : {"true", "TRUE", "True", "tRuE", "1"}) EXPECT_EQ(ParseBool(t), true) << t;
  for (const char* f : {"false", "FALSE", "False", "0"}) EXPECT_EQ(ParseBool(f), false) << f;
  for (const char* bad : {"", "yes", "no", "2", "truee", " true", "on"}) {
    EXPECT_FALSE(ParseBool(bad).has_value()) << bad;
  }
}

TEST(SplitListTest, TrimsAndDropsEmptyItems) {
  EXPECT_EQ(SplitList("a;b"), (std::vector<std::string_view>{"a", "b"}));
  EXPECT_EQ(SplitList(" a ;\tb\t; ;;c"), (std::vector<std::string_view>{"a", "b", "c"}));
  EXPECT_TRUE(SplitList(";; ;").empty());
  EXPECT_EQ(SplitList("one"), (std::vector<std::string_view>{"one"}));
  EXPECT_EQ(SplitList("a b;c"), (std::vector<std::string_view>{"a b", "c"}));
}

Params Make(std::initializer_list<std::pair<std::string, std::string>> kv) {
  Params p;
  for (const auto& [k, v] : kv) p.Set(k, v);
  return p;
}

TEST(ReadInt64Test, AbsentWellFormedAndMalformed) {
  const Params p = Make({{"count", "10"}, {"offset", "x"}});
  Result<std::optional<int64_t>> absent = ReadInt64(p, "secret_id");
  ASSERT_TRUE(absent.ok());
  EXPECT_FALSE(absent->has_value());
  EXPECT_EQ(ReadInt64(p, "count").value(), 10);
  Status bad = ReadInt64(p, "offset").status();
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.field_name(), "offset");
  EXPECT_EQ(bad.message(), "The 'offset' parameter is invalid.");
}

TEST(ReadInt64Test, CustomCodeForMalformed) {
  const Params p = Make({{"application_id", "abc"}});
  Status bad = ReadInt64(p, "application_id", StatusCode::kInvalidApplicationId).status();
  EXPECT_EQ(bad.code(), StatusCode::kInvalidApplicationId);
  EXPECT_EQ(bad.field_name(), "application_id");
}

TEST(ReadBoolTest, MalformedBlamesTheParameter) {
  const Params p = Make({{"with_rules", "True"}, {"secure_record_storage", "maybe"}});
  EXPECT_EQ(ReadBool(p, "with_rules").value(), true);
  EXPECT_FALSE(ReadBool(p, "with_scenarios").value().has_value());
  Status bad = ReadBool(p, "secure_record_storage").status();
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.field_name(), "secure_record_storage");
}

TEST(ReadIntListTest, ItemsAllAndErrors) {
  Params p = Make({{"secret_id", " 3; 1;;3 "}});
  Result<std::optional<IntList>> list = ReadIntList(p, "secret_id", true);
  ASSERT_TRUE(list.ok());
  ASSERT_TRUE(list->has_value());
  EXPECT_FALSE((*list)->all);
  EXPECT_EQ((*list)->ids, (std::vector<int64_t>{3, 1, 3}));

  p.Set("secret_id", "ALL");
  list = ReadIntList(p, "secret_id", true);
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE((*list)->all);
  EXPECT_TRUE((*list)->ids.empty());

  EXPECT_EQ(ReadIntList(p, "secret_id", false).status().code(), StatusCode::kInvalidArgument);
  p.Set("secret_id", "1;all");
  EXPECT_EQ(ReadIntList(p, "secret_id", true).status().field_name(), "secret_id");
  p.Set("secret_id", "1;x");
  EXPECT_EQ(ReadIntList(p, "secret_id", true).status().code(), StatusCode::kInvalidArgument);
  p.Set("application_id", "1;x");
  EXPECT_EQ(
      ReadIntList(p, "application_id", true, StatusCode::kInvalidApplicationId).status().code(),
      StatusCode::kInvalidApplicationId);
  p.Set("secret_id", " ; ;");
  list = ReadIntList(p, "secret_id", true);
  ASSERT_TRUE(list.ok());
  EXPECT_FALSE(list->has_value());
}

TEST(ReadStringListTest, TrimsDropsEmptiesAndIsAbsentWhenNothingIsLeft) {
  Params p = Make({{"secret_name", " a;b ;; a"}});
  EXPECT_EQ(ReadStringList(p, "secret_name"), (std::vector<std::string>{"a", "b", "a"}));
  p.Set("secret_name", "; ;");
  EXPECT_FALSE(ReadStringList(p, "secret_name").has_value());
  EXPECT_FALSE(ReadStringList(p, "other").has_value());
}

}  // namespace
}  // namespace voxsecrets::api
