#include "cli/config_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <vector>

namespace voxsecrets::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

const std::vector<ConfigKey> kKeys = {{"data-dir", ConfigType::kString},
                                      {"listen", ConfigType::kString},
                                      {"threads", ConfigType::kInteger},
                                      {"plain-http", ConfigType::kBoolean}};

TEST(ConfigFileTest, ReadsEveryTypeAsTheCommandLineSpellsIt) {
  auto file = ConfigFile::Parse(
      "# a comment\n"
      "data-dir = \"/var/lib/voxsecrets\"\n"
      "\n"
      "threads = 4\n"
      "plain-http = true\n",
      "vs.toml", kKeys);
  ASSERT_TRUE(file.ok()) << file.status().message();
  ASSERT_NE(file->Find("data-dir"), nullptr);
  EXPECT_EQ(file->Find("data-dir")->value, "/var/lib/voxsecrets");
  EXPECT_EQ(file->Find("data-dir")->line, 2);
  EXPECT_EQ(file->Find("threads")->value, "4");
  EXPECT_EQ(file->Find("threads")->line, 4);
  EXPECT_EQ(file->Find("plain-http")->value, "true");
  EXPECT_EQ(file->Find("listen"), nullptr);
  EXPECT_EQ(file->entries().size(), 3u);
}

TEST(ConfigFileTest, AnEmptyFileSetsNothing) {
  auto file = ConfigFile::Parse("", "vs.toml", kKeys);
  ASSERT_TRUE(file.ok());
  EXPECT_TRUE(file->entries().empty());
}

TEST(ConfigFileTest, UnknownKeysAreRefusedWithFileLineAndKey) {
  auto file =
      ConfigFile::Parse("data-dir = \"/d\"\nlistn = \"0.0.0.0:1\"\n", "/etc/vs.toml", kKeys);
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(file.status().message(), StartsWith("/etc/vs.toml:2: unknown key 'listn'"));
}

TEST(ConfigFileTest, SectionsAreRefused) {
  auto file = ConfigFile::Parse("\n[serve]\nlisten = \"x\"\n", "vs.toml", kKeys);
  ASSERT_FALSE(file.ok());
  EXPECT_THAT(file.status().message(), StartsWith("vs.toml:2: unknown section 'serve'"));
}

TEST(ConfigFileTest, WrongTypesAreRefusedWithFileLineAndKey) {
  struct Case {
    const char* text;
    const char* message;
  };
  for (const Case& c : {
           Case{"threads = \"4\"\n", "vs.toml:1: key 'threads' must be an integer"},
           Case{"\nthreads = 4.5\n", "vs.toml:2: key 'threads' must be an integer"},
           Case{"plain-http = \"yes\"\n", "vs.toml:1: key 'plain-http' must be a boolean"},
           Case{"plain-http = 1\n", "vs.toml:1: key 'plain-http' must be a boolean"},
           Case{"data-dir = 7\n", "vs.toml:1: key 'data-dir' must be a string"},
           Case{"data-dir = [\"a\"]\n", "vs.toml:1: key 'data-dir' must be a string"},
           Case{"data-dir = \"a\\u0000b\"\n", "vs.toml:1: key 'data-dir' must not contain NUL"},
       }) {
    auto file = ConfigFile::Parse(c.text, "vs.toml", kKeys);
    ASSERT_FALSE(file.ok()) << c.text;
    EXPECT_THAT(file.status().message(), StartsWith(c.message)) << c.text;
  }
}

TEST(ConfigFileTest, SyntaxErrorsAndDuplicatesNameTheLine) {
  auto bad = ConfigFile::Parse("data-dir = \"/d\"\nlisten = \n", "vs.toml", kKeys);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), StartsWith("vs.toml:2: invalid TOML"));
  auto twice = ConfigFile::Parse("threads = 1\n\nthreads = 2\n", "vs.toml", kKeys);
  ASSERT_FALSE(twice.ok());
  EXPECT_THAT(twice.status().message(), StartsWith("vs.toml:3: invalid TOML"));
}

TEST(ConfigFileTest, LoadReadsTheFileAndNamesItInErrors) {
  char path[] = "/tmp/voxsecrets-config-test-XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::close(fd);
  {
    std::ofstream out(path);
    out << "listen = \"127.0.0.1:9\"\nthreads = true\n";
  }
  auto file = ConfigFile::Load(path, kKeys);
  ASSERT_FALSE(file.ok());
  EXPECT_THAT(file.status().message(), StartsWith(std::string(path) + ":2: key 'threads'"));
  std::remove(path);
  auto missing = ConfigFile::Load(path, kKeys);
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr(path));
}

}  // namespace
}  // namespace voxsecrets::cli
