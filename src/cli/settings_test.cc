#include "cli/settings.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

namespace voxsecrets::cli {
namespace {

using ::testing::HasSubstr;

// A miniature of main(): serve with a few options, and an admin command with --data-dir.
class SettingsTest : public ::testing::Test {
 protected:
  SettingsTest() {
    serve_ = app_.add_subcommand("serve");
    serve_->add_option("--data-dir", serve_dir_)->required();
    serve_->add_option("--listen", listen_);
    serve_->add_option("--threads", threads_);
    serve_->add_flag("--plain-http", plain_http_);
    serve_->add_option("--store", serve_store_);
    auto* account = app_.add_subcommand("account");
    list_ = account->add_subcommand("list");
    list_->add_option("--data-dir", admin_dir_)->required();
    list_->add_option("--store", admin_store_);
    list_->add_option("--name", name_);
    app_.add_subcommand("token")->add_option("--credentials", credentials_);
    settings_.Attach(app_, serve_);
    std::snprintf(path_, sizeof(path_), "/tmp/voxsecrets-settings-test-%d.toml", ::getpid());
    for (const char* var :
         {"VOXSECRETS_DATA_DIR", "VOXSECRETS_LISTEN", "VOXSECRETS_THREADS", "VOXSECRETS_PLAIN_HTTP",
          "VOXSECRETS_STORE", "VOXSECRETS_CONFIG", "VOXSECRETS_NAME"}) {
      ::unsetenv(var);
    }
  }
  ~SettingsTest() override { std::remove(path_); }

  void WriteConfig(const std::string& text) {
    std::ofstream out(path_);
    out << text;
  }

  // Parses `args` (argv[0] first) then applies the settings.
  Status Run(std::vector<std::string> args) {
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    app_.parse(static_cast<int>(argv.size()), argv.data());
    return settings_.Apply();
  }

  CLI::App app_;
  CLI::App* serve_ = nullptr;
  CLI::App* list_ = nullptr;
  Settings settings_;
  char path_[128];
  std::string serve_dir_, listen_ = "127.0.0.1:8443", serve_store_;
  int threads_ = 0;
  bool plain_http_ = false;
  std::string admin_dir_, admin_store_, name_, credentials_;
};

TEST_F(SettingsTest, KnownKeysAreServesOptionsWithTheirTypes) {
  std::map<std::string, ConfigType> keys;
  for (const auto& k : settings_.known_keys()) keys[k.name] = k.type;
  EXPECT_EQ(keys, (std::map<std::string, ConfigType>{{"data-dir", ConfigType::kString},
                                                     {"listen", ConfigType::kString},
                                                     {"threads", ConfigType::kInteger},
                                                     {"plain-http", ConfigType::kBoolean},
                                                     {"store", ConfigType::kString}}));
  EXPECT_EQ(EnvironmentName("master-key-command"), "VOXSECRETS_MASTER_KEY_COMMAND");
}

TEST_F(SettingsTest, FileFillsWhatTheCommandLineLeavesAndDefaultsStay) {
  WriteConfig("data-dir = \"/from/file\"\nthreads = 3\nplain-http = true\n");
  ASSERT_TRUE(Run({"vs", "serve", "--config", path_}).ok());
  EXPECT_EQ(serve_dir_, "/from/file");
  EXPECT_EQ(threads_, 3);
  EXPECT_TRUE(plain_http_);
  EXPECT_EQ(listen_, "127.0.0.1:8443");  // default
}

TEST_F(SettingsTest, CommandLineBeatsEnvironmentBeatsFile) {
  WriteConfig("data-dir = \"/from/file\"\nlisten = \"file:1\"\nthreads = 3\n");
  ::setenv("VOXSECRETS_LISTEN", "env:2", 1);
  ::setenv("VOXSECRETS_THREADS", "5", 1);
  ASSERT_TRUE(Run({"vs", "serve", "--config", path_, "--threads", "7"}).ok());
  EXPECT_EQ(threads_, 7);               // command line
  EXPECT_EQ(listen_, "env:2");          // environment over file
  EXPECT_EQ(serve_dir_, "/from/file");  // file
}

TEST_F(SettingsTest, ABooleanFalseInTheFileClearsNothingTheCommandLineSet) {
  WriteConfig("data-dir = \"/d\"\nplain-http = false\n");
  ASSERT_TRUE(Run({"vs", "serve", "--config", path_, "--plain-http"}).ok());
  EXPECT_TRUE(plain_http_);
}

TEST_F(SettingsTest, ConfigFileMayComeFromTheEnvironment) {
  WriteConfig("data-dir = \"/from/file\"\n");
  ::setenv("VOXSECRETS_CONFIG", path_, 1);
  ASSERT_TRUE(Run({"vs", "serve"}).ok());
  EXPECT_EQ(serve_dir_, "/from/file");
}

TEST_F(SettingsTest, RequiredOptionsMayComeFromAnySourceButOneOfThem) {
  Status missing = Run({"vs", "serve"});
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.message(), HasSubstr("--data-dir"));
  EXPECT_THAT(missing.message(), HasSubstr("VOXSECRETS_DATA_DIR"));
  EXPECT_THAT(missing.message(), HasSubstr("is required"));
}

TEST_F(SettingsTest, RequiredOptionFromTheEnvironment) {
  ::setenv("VOXSECRETS_DATA_DIR", "/from/env", 1);
  ASSERT_TRUE(Run({"vs", "serve"}).ok());
  EXPECT_EQ(serve_dir_, "/from/env");
}

TEST_F(SettingsTest, AdminCommandsTakeTheDataOptionsOfTheSameFileAndIgnoreServesOthers) {
  WriteConfig("data-dir = \"/from/file\"\nstore = \"postgresql://db/vs\"\nlisten = \"x:1\"\n");
  ::setenv("VOXSECRETS_NAME", "not-an-option-source", 1);
  ASSERT_TRUE(Run({"vs", "account", "list", "--config", path_}).ok());
  EXPECT_EQ(admin_dir_, "/from/file");
  EXPECT_EQ(admin_store_, "postgresql://db/vs");
  EXPECT_EQ(name_, "");  // only options named like serve's are settable
  EXPECT_EQ(serve_dir_, "");
}

TEST_F(SettingsTest, AdminCommandsStillRefuseUnknownKeys) {
  WriteConfig("data-dir = \"/d\"\nlisen = \"x:1\"\n");
  Status s = Run({"vs", "account", "list", "--config", path_});
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr(std::string(path_) + ":2: unknown key 'lisen'"));
}

TEST_F(SettingsTest, CommandsWithoutDataDirTakeNoConfig) {
  EXPECT_THROW((void)Run({"vs", "token", "--config", path_}), CLI::ParseError);
}

}  // namespace
}  // namespace voxsecrets::cli
