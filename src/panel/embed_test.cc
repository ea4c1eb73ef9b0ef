#include "panel/embed.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace voxsecrets::panel {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class TempDir {
 public:
  TempDir() {
    path_ =
        fs::temp_directory_path() /
        ("panel-embed-test-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }
  void Write(const std::string& relative, const std::string& bytes) const {
    fs::create_directories((path_ / relative).parent_path());
    std::ofstream(path_ / relative, std::ios::binary) << bytes;
  }

 private:
  fs::path path_;
};

TEST(ContentTypeFor, KnownExtensions) {
  EXPECT_EQ(ContentTypeFor("/index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("/assets/app-X1.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("/assets/app-X1.css"), "text/css; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("/assets/favicon-a.svg"), "image/svg+xml");
  EXPECT_EQ(ContentTypeFor("/licenses.txt"), "text/plain; charset=utf-8");
}

TEST(ContentTypeFor, UnknownOrMissingExtension) {
  EXPECT_EQ(ContentTypeFor("/x.exe"), std::nullopt);
  EXPECT_EQ(ContentTypeFor("/README"), std::nullopt);
  EXPECT_EQ(ContentTypeFor("/dir.js/file"), std::nullopt);  // the dot is in a directory name
}

TEST(EntityTag, QuotedStableAndContentDependent) {
  const std::string a = EntityTag("abc");
  EXPECT_EQ(a, EntityTag("abc"));
  EXPECT_NE(a, EntityTag("abd"));
  EXPECT_NE(EntityTag(""), EntityTag(std::string(1, '\0')));
  ASSERT_EQ(a.size(), 18u);
  EXPECT_EQ(a.front(), '"');
  EXPECT_EQ(a.back(), '"');
}

TEST(ReadTree, ReadsEveryFileSortedWithUrlPaths) {
  TempDir dir;
  dir.Write("index.html", "<!doctype html>");
  dir.Write("assets/app-AB12.js", "console.log(1)");
  dir.Write("assets/app-AB12.css", "a{}");
  dir.Write(".hidden/skip.js", "no");
  dir.Write(".DS_Store.txt", "no");
  auto files = ReadTree(dir.path());
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  ASSERT_EQ(files->size(), 3u);
  EXPECT_EQ((*files)[0].path, "/assets/app-AB12.css");
  EXPECT_EQ((*files)[1].path, "/assets/app-AB12.js");
  EXPECT_EQ((*files)[2].path, "/index.html");
  EXPECT_EQ((*files)[1].bytes, "console.log(1)");
}

TEST(ReadTree, RefusesAFileOfUnknownType) {
  TempDir dir;
  dir.Write("index.html", "x");
  dir.Write("tool.exe", "MZ");
  auto files = ReadTree(dir.path());
  ASSERT_FALSE(files.ok());
  EXPECT_THAT(files.status().message(), HasSubstr("/tool.exe"));
}

TEST(ReadTree, MissingDirectoryIsNotFound) {
  auto files = ReadTree("/nonexistent/panel-dist");
  ASSERT_FALSE(files.ok());
  EXPECT_EQ(files.status().code(), StatusCode::kNotFound);
}

TEST(RenderAssetsSource, EscapesEveryByteAndMarksHashedFilesImmutable) {
  std::string binary;
  for (int i = 0; i < 256; ++i) binary.push_back(static_cast<char>(i));
  const std::string text =
      RenderAssetsSource({{"/index.html", "<a href=\"x\">\\?</a>\n"}, {"/assets/f-1.svg", binary}});
  // Quotes and backslashes escaped; '?' and control bytes as three-digit octal.
  EXPECT_THAT(text, HasSubstr(R"(<a href=\"x\">\\\077</a>\012)"));
  EXPECT_THAT(text, HasSubstr(R"(\000\001\002)"));
  EXPECT_THAT(text, HasSubstr(R"(\377)"));
  // Sorted: the asset under /assets/ first, immutable; index.html not.
  const size_t svg = text.find("{\"/assets/f-1.svg\", \"image/svg+xml\"");
  const size_t html = text.find("{\"/index.html\", \"text/html; charset=utf-8\"");
  ASSERT_NE(svg, std::string::npos);
  ASSERT_NE(html, std::string::npos);
  EXPECT_LT(svg, html);
  EXPECT_THAT(text.substr(svg, text.find('\n', svg) - svg), HasSubstr("true}"));
  EXPECT_THAT(text.substr(html, text.find('\n', html) - html), HasSubstr("false}"));
  EXPECT_THAT(text, HasSubstr(EntityTag(binary).substr(1, 16)));
}

TEST(RenderAssetsSource, EmptyTable) {
  EXPECT_THAT(RenderAssetsSource({}), HasSubstr("std::array<Asset, 0> kAssets{};"));
}

}  // namespace
}  // namespace voxsecrets::panel
