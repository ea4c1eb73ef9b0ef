#include "crypto/master_key.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <fstream>
#include <string>
#include <vector>

#include "crypto/crypto_test_util.h"
#include "crypto/openssl_random.h"

namespace voxsecrets::crypto {
namespace {

using testing::TempDir;

// A fixed test key (not a secret) in its two accepted spellings.
constexpr std::string_view kHexKey =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr std::string_view kBase64Key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

bool IsTestKey(const LockedKey& key) {
  for (size_t i = 0; i < LockedKey::kSize; ++i) {
    if (key.bytes()[i] != i) return false;
  }
  return true;
}

void WriteFile(const std::string& path, std::string_view content, mode_t mode) {
  {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f << content;
  }
  ASSERT_EQ(chmod(path.c_str(), mode), 0);
}

TEST(ParseMasterKeyTextTest, AcceptsHexAndBase64WithWhitespace) {
  const std::vector<std::string> texts = {
      std::string(kHexKey),
      std::string(kBase64Key),
      std::string(kHexKey) + "\n",
      "  " + std::string(kBase64Key) + "\r\n",
      std::string(kBase64Key.substr(0, 43)),
      "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F"};
  for (const std::string& text : texts) {
    auto key = ParseMasterKeyText(text, "test input");
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    EXPECT_TRUE(IsTestKey(*key));
  }
}

TEST(ParseMasterKeyTextTest, RejectsEverythingElseWithoutEchoingIt) {
  const std::string almost = std::string(kHexKey.substr(0, 63)) + "g";
  for (const std::string& text :
       {std::string(), std::string(kHexKey.substr(0, 62)), std::string(kHexKey) + "00", almost,
        std::string(kBase64Key.substr(0, 42)) + "==", std::string(kHexKey) + " x",
        // Base64 whose leftover bits are not zero (not canonical).
        std::string(kBase64Key.substr(0, 42)) + "9="}) {
    auto key = ParseMasterKeyText(text, "test input");
    ASSERT_FALSE(key.ok());
    EXPECT_EQ(key.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(key.status().message().find("test input"), std::string::npos);
    if (text.size() > 8) {
      EXPECT_EQ(key.status().message().find(text.substr(0, 8)), std::string::npos);
    }
  }
}

TEST(MasterKeyHexTest, RoundTrips) {
  OpenSslRandom random;
  auto key = GenerateMasterKey(random);
  ASSERT_TRUE(key.ok());
  SecureBytes hex = MasterKeyHex(*key);
  ASSERT_EQ(hex.size(), 64u);
  auto back = ParseMasterKeyText(hex.view(), "hex");
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->SameKeyAs(*key));
}

TEST(KeyFileProviderTest, LoadsA0600File) {
  TempDir dir;
  const std::string path = dir.File("master.key");
  WriteFile(path, std::string(kHexKey) + "\n", 0600);
  KeyFileProvider provider(path);
  auto key = provider.Load();
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_TRUE(IsTestKey(*key));
  EXPECT_EQ(provider.Describe(), "master key file " + path);
}

TEST(KeyFileProviderTest, RefusesGroupOrOtherAccess) {
  TempDir dir;
  const std::string path = dir.File("master.key");
  for (mode_t mode : {0640, 0604, 0644, 0660, 0400 | 0004}) {
    WriteFile(path, kHexKey, mode);
    auto key = KeyFileProvider(path).Load();
    ASSERT_FALSE(key.ok()) << std::oct << mode;
    EXPECT_EQ(key.status().code(), StatusCode::kPermissionDenied);
    EXPECT_NE(key.status().message().find("chmod 600"), std::string::npos)
        << key.status().message();
  }
  WriteFile(path, kHexKey, 0400);
  EXPECT_TRUE(KeyFileProvider(path).Load().ok());
}

TEST(KeyFileProviderTest, MissingBadOrNotAFile) {
  TempDir dir;
  EXPECT_EQ(KeyFileProvider(dir.File("absent")).Load().status().code(), StatusCode::kNotFound);
  EXPECT_EQ(KeyFileProvider(dir.path()).Load().status().code(), StatusCode::kInvalidArgument);
  const std::string path = dir.File("bad.key");
  WriteFile(path, "not a key\n", 0600);
  EXPECT_EQ(KeyFileProvider(path).Load().status().code(), StatusCode::kInvalidArgument);
  WriteFile(path, std::string(10000, 'a'), 0600);
  EXPECT_EQ(KeyFileProvider(path).Load().status().code(), StatusCode::kInvalidArgument);
}

TEST(CreateMasterKeyFileTest, Creates0600AndNeverOverwrites) {
  TempDir dir;
  OpenSslRandom random;
  const std::string path = dir.File("master.key");
  auto created = CreateMasterKeyFile(path, random);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(st.st_size, 65);
  auto loaded = KeyFileProvider(path).Load();
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_TRUE(loaded->SameKeyAs(*created));

  auto again = CreateMasterKeyFile(path, random);
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  auto unchanged = KeyFileProvider(path).Load();
  ASSERT_TRUE(unchanged.ok());
  EXPECT_TRUE(unchanged->SameKeyAs(*created));
}

TEST(CreateMasterKeyFileTest, KeepsModeUnderAPermissiveUmask) {
  TempDir dir;
  OpenSslRandom random;
  const mode_t old = umask(0);
  auto created = CreateMasterKeyFile(dir.File("k"), random);
  umask(old);
  ASSERT_TRUE(created.ok());
  struct stat st {};
  ASSERT_EQ(stat(dir.File("k").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

TEST(EnvProviderTest, ReadsAndClearsTheVariable) {
  const char* var = "VOXSECRETS_TEST_MASTER_KEY";
  ASSERT_EQ(setenv(var, std::string(kBase64Key).c_str(), 1), 0);
  EnvProvider provider(var);
  auto key = provider.Load();
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_TRUE(IsTestKey(*key));
  EXPECT_EQ(std::getenv(var), nullptr);
  EXPECT_EQ(provider.Load().status().code(), StatusCode::kNotFound);
}

TEST(EnvProviderTest, CanKeepTheVariable) {
  const char* var = "VOXSECRETS_TEST_MASTER_KEY2";
  ASSERT_EQ(setenv(var, std::string(kHexKey).c_str(), 1), 0);
  EnvProvider provider(var, /*clear_after_load=*/false);
  ASSERT_TRUE(provider.Load().ok());
  ASSERT_NE(std::getenv(var), nullptr);
  EXPECT_TRUE(provider.Load().ok());
  unsetenv(var);
}

TEST(EnvProviderTest, UnsetEmptyOrBad) {
  const char* var = "VOXSECRETS_TEST_MASTER_KEY3";
  unsetenv(var);
  EXPECT_EQ(EnvProvider(var).Load().status().code(), StatusCode::kNotFound);
  setenv(var, "", 1);
  EXPECT_EQ(EnvProvider(var).Load().status().code(), StatusCode::kNotFound);
  setenv(var, "short", 1);
  auto bad = EnvProvider(var).Load();
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find(var), std::string::npos);
  ASSERT_NE(std::getenv(var), nullptr);  // a failed load leaves the variable alone
  unsetenv(var);
  EXPECT_EQ(std::string(EnvProvider().Describe()), "environment variable VOXSECRETS_MASTER_KEY");
}

TEST(CommandProviderTest, OutputIsTheKey) {
  CommandProvider hex("printf '%s\\n' " + std::string(kHexKey));
  auto key = hex.Load();
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_TRUE(IsTestKey(*key));
  CommandProvider b64("echo " + std::string(kBase64Key) + "; echo diagnostics >&2");
  key = b64.Load();
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_TRUE(IsTestKey(*key));
}

TEST(CommandProviderTest, NonZeroExitFails) {
  auto key = CommandProvider("printf '%s' " + std::string(kHexKey) + "; exit 3").Load();
  ASSERT_EQ(key.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(key.status().message().find("status 3"), std::string::npos) << key.status().message();
}

TEST(CommandProviderTest, KilledBySignalFails) {
  auto key = CommandProvider("kill -9 $$").Load();
  ASSERT_EQ(key.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(key.status().message().find("signal 9"), std::string::npos) << key.status().message();
}

TEST(CommandProviderTest, TimeoutKillsTheCommand) {
  TempDir dir;
  const std::string marker = dir.File("survived");
  // The command and its child are both killed: the marker is never written.
  auto key = CommandProvider("sleep 30; touch " + marker, std::chrono::milliseconds(200)).Load();
  ASSERT_EQ(key.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(key.status().message().find("did not finish within 200 ms"), std::string::npos)
      << key.status().message();
  EXPECT_NE(access(marker.c_str(), F_OK), 0);
}

TEST(CommandProviderTest, TimeoutAlsoWhenOutputIsDoneButProcessLingers) {
  auto key = CommandProvider("printf '%s' " + std::string(kHexKey) + "; exec >&-; sleep 30",
                             std::chrono::milliseconds(200))
                 .Load();
  EXPECT_EQ(key.status().code(), StatusCode::kUnavailable);
}

TEST(CommandProviderTest, BadOrTooMuchOutputFails) {
  auto bad = CommandProvider("echo hello").Load();
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("master key command"), std::string::npos);
  auto none = CommandProvider("true").Load();
  EXPECT_EQ(none.status().code(), StatusCode::kInvalidArgument);
  auto flood = CommandProvider("head -c 100000 /dev/zero").Load();
  EXPECT_FALSE(flood.ok());
  auto missing = CommandProvider("/nonexistent/kms-helper").Load();
  EXPECT_EQ(missing.status().code(), StatusCode::kUnavailable);
}

TEST(CommandProviderTest, StdinIsEmpty) {
  // `cat` would hang on an inherited terminal or pipe; with /dev/null it prints nothing.
  auto key =
      CommandProvider("cat; printf '%s' " + std::string(kHexKey), std::chrono::milliseconds(5000))
          .Load();
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_TRUE(IsTestKey(*key));
}

}  // namespace
}  // namespace voxsecrets::crypto
