// The embedded control panel as the binary carries it: the page, and the rules of docs/PANEL.md
// that the server's headers rely on (no inline script or style, hashed immutable asset names,
// nothing loaded from another origin).
#include "panel/assets.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

namespace voxsecrets::panel {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class EmbeddedPanel : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!VOXSECRETS_PANEL_BUILT) GTEST_SKIP() << "built with -DVOXSECRETS_PANEL=OFF";
  }
};

TEST_F(EmbeddedPanel, HasThePageAndFindsEveryAssetByPath) {
  ASSERT_FALSE(Assets().empty());
  const Asset* index = FindAsset("/index.html");
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
  EXPECT_FALSE(index->immutable);
  for (const Asset& asset : Assets()) {
    EXPECT_EQ(FindAsset(asset.path), &asset) << asset.path;
  }
  EXPECT_EQ(FindAsset("/"), nullptr);
  EXPECT_EQ(FindAsset("/index.htm"), nullptr);
  EXPECT_EQ(FindAsset("/platform_api/GetSecrets"), nullptr);
}

TEST_F(EmbeddedPanel, AssetsAreSortedUniqueAndTagged) {
  std::set<std::string_view> tags;
  std::string_view previous;
  for (const Asset& asset : Assets()) {
    EXPECT_LT(previous, asset.path);
    previous = asset.path;
    EXPECT_FALSE(asset.body.empty()) << asset.path;
    EXPECT_TRUE(tags.insert(asset.etag).second) << "same ETag twice: " << asset.path;
    EXPECT_EQ(asset.immutable, asset.path.rfind("/assets/", 0) == 0) << asset.path;
  }
}

TEST_F(EmbeddedPanel, ImmutableNamesCarryAContentHash) {
  const std::regex hashed(R"(^/assets/[a-z]+-[A-Za-z0-9_-]{8,}\.(js|css|svg)$)");
  for (const Asset& asset : Assets()) {
    if (asset.immutable) {
      EXPECT_TRUE(std::regex_match(std::string(asset.path), hashed)) << asset.path;
    }
  }
}

TEST_F(EmbeddedPanel, PageLoadsOnlyItsOwnFilesAndHasNoInlineCode) {
  const std::string html(FindAsset("/index.html")->body);
  // Every src= and href= names an embedded file (nothing from another origin).
  const std::regex reference(R"re((?:src|href)="([^"]*)")re");
  int references = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), reference);
       it != std::sregex_iterator(); ++it) {
    const std::string target = (*it)[1];
    ++references;
    EXPECT_NE(FindAsset(target), nullptr) << target;
  }
  EXPECT_EQ(references, 3);  // the script, the stylesheet, the icon
  // The CSP (script-src 'self'; style-src 'self') would block these anyway; the page has none.
  EXPECT_THAT(html, Not(HasSubstr("<style")));
  EXPECT_THAT(html, Not(HasSubstr(" style=")));
  EXPECT_FALSE(std::regex_search(html, std::regex(R"(\son[a-z]+\s*=)")));  // no onload= etc.
  const std::regex inline_script(R"(<script(?![^>]*\ssrc=)[^>]*>)");
  EXPECT_FALSE(std::regex_search(html, inline_script));
}

TEST_F(EmbeddedPanel, ScriptIsAModuleWithoutEval) {
  for (const Asset& asset : Assets()) {
    if (asset.content_type.rfind("text/javascript", 0) != 0) continue;
    const std::string js(asset.body);
    // What CSP without 'unsafe-eval' forbids must not be needed.
    EXPECT_THAT(js, Not(HasSubstr("eval(")));
    EXPECT_THAT(js, Not(HasSubstr("new Function(")));
  }
}

}  // namespace
}  // namespace voxsecrets::panel
