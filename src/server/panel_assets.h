// PanelAssets: the control panel embedded in the binary (panel::Assets()) offered to the HTTP
// server through http::StaticAssets. Here, in the composition root, because http/ must not
// depend on panel/ (nor panel/ on http/).
//
// Thread-safety: immutable; Find() may be called concurrently.
#ifndef VOXSECRETS_SERVER_PANEL_ASSETS_H_
#define VOXSECRETS_SERVER_PANEL_ASSETS_H_

#include <optional>
#include <string_view>

#include "http/static_assets.h"

namespace voxsecrets::server {

class PanelAssets final : public http::StaticAssets {
 public:
  // False when the binary was built without the panel (-DVOXSECRETS_PANEL=OFF).
  static bool Built();

  std::optional<http::StaticAsset> Find(std::string_view path) const override;
};

}  // namespace voxsecrets::server

#endif  // VOXSECRETS_SERVER_PANEL_ASSETS_H_
