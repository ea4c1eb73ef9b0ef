#include "common/time_format.h"

#include <gtest/gtest.h>

namespace voxsecrets {
namespace {

TEST(TimeFormatTest, FormatsUtc) {
  EXPECT_EQ(FormatApiTime(0), "1970-01-01 00:00:00");
  EXPECT_EQ(FormatApiTime(1715350955), "2024-05-10 14:22:35");
  EXPECT_EQ(FormatApiTime(951782400), "2000-02-29 00:00:00");
  EXPECT_EQ(FormatApiTime(4102444799), "2099-12-31 23:59:59");
}

TEST(TimeFormatTest, FormatsTheEdgesOfFourDigitYearsAndBeyond) {
  EXPECT_EQ(FormatApiTime(-62167219200), "0000-01-01 00:00:00");
  EXPECT_EQ(FormatApiTime(-1), "1969-12-31 23:59:59");
  EXPECT_EQ(FormatApiTime(253402300799), "9999-12-31 23:59:59");
  EXPECT_EQ(FormatApiTime(253402300800), "10000-01-01 00:00:00");
  EXPECT_EQ(FormatApiTime(-62167219201), "-001-12-31 23:59:59");
}

TEST(TimeFormatTest, ParsesWhatItFormats) {
  for (int64_t t : {0LL, 1715350955LL, 951782400LL, 1767225600LL, 4102444799LL}) {
    EXPECT_EQ(ParseApiTime(FormatApiTime(t)), t) << t;
  }
}

TEST(TimeFormatTest, RejectsMalformedOrImpossibleDates) {
  EXPECT_FALSE(ParseApiTime(""));
  EXPECT_FALSE(ParseApiTime("2024-05-10T14:22:35"));
  EXPECT_FALSE(ParseApiTime("2024-05-10 14:22"));
  EXPECT_FALSE(ParseApiTime("2024-13-10 14:22:35"));
  EXPECT_FALSE(ParseApiTime("2023-02-29 00:00:00"));
  EXPECT_FALSE(ParseApiTime("2024-05-10 24:00:00"));
  EXPECT_FALSE(ParseApiTime("2024-05-1x 14:22:35"));
  EXPECT_FALSE(ParseApiTime("+024-05-10 14:22:35"));
  EXPECT_TRUE(ParseApiTime("2024-02-29 00:00:00"));
}

}  // namespace
}  // namespace voxsecrets
