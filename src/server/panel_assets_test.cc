#include "server/panel_assets.h"

#include <gtest/gtest.h>

#include "panel/assets.h"

namespace voxsecrets::server {
namespace {

TEST(PanelAssets, OffersTheEmbeddedFilesAndNothingElse) {
  PanelAssets assets;
  EXPECT_EQ(assets.Find("/platform_api/GetSecrets"), std::nullopt);
  EXPECT_EQ(assets.Find("/healthz"), std::nullopt);
  EXPECT_EQ(assets.Find("/../../etc/passwd"), std::nullopt);
  if (!PanelAssets::Built()) GTEST_SKIP() << "built with -DVOXSECRETS_PANEL=OFF";
  for (const panel::Asset& embedded : panel::Assets()) {
    const auto found = assets.Find(embedded.path);
    ASSERT_TRUE(found.has_value()) << embedded.path;
    EXPECT_EQ(found->body.data(), embedded.body.data()) << "served without a copy";
    EXPECT_EQ(found->content_type, embedded.content_type);
    EXPECT_EQ(found->etag, embedded.etag);
    EXPECT_EQ(found->immutable, embedded.immutable);
  }
  EXPECT_TRUE(assets.Find("/index.html").has_value());
}

}  // namespace
}  // namespace voxsecrets::server
