#include "common/log.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace voxsecrets {
namespace {

std::string Capture(const std::function<void(Logger&)>& fn) {
  char* buf = nullptr;
  size_t len = 0;
  std::FILE* mem = open_memstream(&buf, &len);
  FakeClock clock(1715350955);
  {
    JsonLineLogger logger(mem, clock);
    fn(logger);
  }
  std::fclose(mem);
  std::string out(buf, len);
  free(buf);  // NOLINT: open_memstream's buffer
  return out;
}

TEST(LogTest, WritesOneJsonObjectPerLine) {
  const std::string out = Capture([](Logger& log) {
    log.Info("started", {{"port", int64_t{8443}}, {"tls", true}, {"dir", "/tmp/x"}});
  });
  EXPECT_EQ(out,
            "{\"ts\":\"2024-05-10 14:22:35.000\",\"level\":\"info\",\"msg\":\"started\","
            "\"port\":8443,\"tls\":true,\"dir\":\"/tmp/x\"}\n");
}

TEST(LogTest, EscapesControlCharactersAndQuotes) {
  const std::string out = Capture([](Logger& log) { log.Warn("a\"b\\c\n\x01"); });
  EXPECT_NE(out.find("\"msg\":\"a\\\"b\\\\c\\n\\u0001\""), std::string::npos) << out;
  EXPECT_EQ(out.find('\n'), out.size() - 1);
}

TEST(LogTest, DropsLinesBelowTheMinimumLevel) {
  const std::string out = Capture([](Logger& log) { log.Log(LogLevel::kDebug, "noise"); });
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace voxsecrets
