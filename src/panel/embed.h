// Turning a directory of built web files into the C++ source of panel::Assets() (assets.h). Used
// by the build-time tool panel_embed_assets (embed_main.cc); here so that it can be unit-tested.
//
// Rules: every regular file under the directory becomes one asset, its URL path being "/" + the
// relative path with '/' separators; files are sorted by path; the content type comes from the
// extension (an unknown extension is an error, so nothing is served with a guessed type); the
// entity tag is a hash of the bytes; files under assets/ are immutable (their names carry a
// content hash, web/build.mjs). Hidden files (a name starting with '.') are skipped.
//
// Thread-safety: pure functions.
#ifndef VOXSECRETS_PANEL_EMBED_H_
#define VOXSECRETS_PANEL_EMBED_H_

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace voxsecrets::panel {

struct SourceFile {
  std::string path;  // URL path, "/assets/app-X.js"
  std::string bytes;
};

// The content type served for `path`, or nullopt for an extension the panel does not use.
std::optional<std::string_view> ContentTypeFor(std::string_view path);

// A quoted strong entity tag for `bytes`: "\"<16 hex digits>\"" (FNV-1a, 64 bits: it only has
// to change when the bytes change).
std::string EntityTag(std::string_view bytes);

// Reads every file under `dir` (see the rules above). kNotFound when `dir` does not exist;
// kInvalidArgument naming a file of unknown type.
Result<std::vector<SourceFile>> ReadTree(const std::filesystem::path& dir);

// The C++ source defining panel::Assets() for `files`. REQUIRES: every path has a known content
// type (ReadTree checks it). Deterministic: the same files give the same text.
std::string RenderAssetsSource(std::vector<SourceFile> files);

}  // namespace voxsecrets::panel

#endif  // VOXSECRETS_PANEL_EMBED_H_
