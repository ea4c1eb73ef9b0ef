// Helpers shared by the store_conformance*.cc files (not for other tests).
#ifndef VOXSECRETS_TESTS_TESTING_STORE_CONFORMANCE_INTERNAL_H_
#define VOXSECRETS_TESTS_TESTING_STORE_CONFORMANCE_INTERNAL_H_

#include <gtest/gtest.h>

#include "common/status.h"

// Store error messages never contain values, so printing a Status is safe.
#define VS_ASSERT_OK(expr)                                               \
  do {                                                                   \
    const ::voxsecrets::Status vs_assert_status_ = (expr);               \
    ASSERT_TRUE(vs_assert_status_.ok()) << vs_assert_status_.ToString(); \
  } while (0)

#define VS_EXPECT_OK(expr)                                               \
  do {                                                                   \
    const ::voxsecrets::Status vs_expect_status_ = (expr);               \
    EXPECT_TRUE(vs_expect_status_.ok()) << vs_expect_status_.ToString(); \
  } while (0)

#define VS_EXPECT_CODE(expr, expected_code)                                               \
  do {                                                                                    \
    const ::voxsecrets::Status vs_expect_status_ = (expr);                                \
    EXPECT_EQ(vs_expect_status_.code(), (expected_code)) << vs_expect_status_.ToString(); \
  } while (0)

#endif  // VOXSECRETS_TESTS_TESTING_STORE_CONFORMANCE_INTERNAL_H_
