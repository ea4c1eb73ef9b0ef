// StaticAssets: files the server answers GET/HEAD with, outside /platform_api, /healthz and
// /metrics (the control panel). http/ owns this interface so that it depends on no particular
// set of files; the composition root (server/) adapts the embedded panel (panel/) to it.
//
// The Responder serves a found asset with the panel's security headers (kPanelSecurityHeaders in
// responder.h), its ETag (If-None-Match → 304), and Cache-Control `public, max-age=31536000,
// immutable` for an immutable asset (its name carries a content hash) or `no-cache` otherwise
// (index.html: always revalidated, so a new build is picked up at once). "/" is asked as
// "/index.html". A path no asset has stays 404, as without assets.
//
// Thread-safety: Find() is called concurrently from every I/O thread; implementations must be
// immutable after construction. Ownership: the views returned must stay valid as long as the
// StaticAssets object (static data in practice).
#ifndef VOXSECRETS_HTTP_STATIC_ASSETS_H_
#define VOXSECRETS_HTTP_STATIC_ASSETS_H_

#include <optional>
#include <string_view>

namespace voxsecrets::http {

struct StaticAsset {
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view body;
  std::string_view etag;  // a quoted entity tag, "\"5d41402abc4b2a76\""; empty = none
  bool immutable = false;
};

class StaticAssets {
 public:
  virtual ~StaticAssets() = default;
  // The asset at exactly `path` (no query; "/index.html", "/assets/app-X.js"), or nullopt.
  virtual std::optional<StaticAsset> Find(std::string_view path) const = 0;
};

}  // namespace voxsecrets::http

#endif  // VOXSECRETS_HTTP_STATIC_ASSETS_H_
