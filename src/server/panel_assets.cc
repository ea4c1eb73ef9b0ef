#include "server/panel_assets.h"

#include "panel/assets.h"

namespace voxsecrets::server {

bool PanelAssets::Built() { return !panel::Assets().empty(); }

std::optional<http::StaticAsset> PanelAssets::Find(std::string_view path) const {
  const panel::Asset* asset = panel::FindAsset(path);
  if (asset == nullptr) return std::nullopt;
  return http::StaticAsset{.content_type = asset->content_type,
                           .body = asset->body,
                           .etag = asset->etag,
                           .immutable = asset->immutable};
}

}  // namespace voxsecrets::server
