// panel_embed_assets DIST_DIR OUT.cc: writes the C++ source of panel::Assets() for every file
// of DIST_DIR (the control panel as web/build.mjs built it). With "-" for DIST_DIR, an empty
// table (a build without the panel).
#include <cstdio>
#include <fstream>
#include <string>

#include "panel/embed.h"

int main(int argc, char** argv) {
  using namespace voxsecrets;
  if (argc != 3) {
    std::fprintf(stderr, "usage: panel_embed_assets DIST_DIR|- OUT.cc\n");
    return 2;
  }
  std::vector<panel::SourceFile> files;
  if (std::string(argv[1]) != "-") {
    auto read = panel::ReadTree(argv[1]);
    if (!read.ok()) {
      std::fprintf(stderr, "panel_embed_assets: %s\n", read.status().message().c_str());
      return 1;
    }
    files = std::move(read).value();
    if (files.empty()) {
      std::fprintf(stderr, "panel_embed_assets: %s holds no files\n", argv[1]);
      return 1;
    }
  }
  const std::string text = panel::RenderAssetsSource(std::move(files));
  const std::string tmp = std::string(argv[2]) + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.good()) {
      std::fprintf(stderr, "panel_embed_assets: cannot write %s\n", tmp.c_str());
      return 1;
    }
  }
  if (std::rename(tmp.c_str(), argv[2]) != 0) {
    std::fprintf(stderr, "panel_embed_assets: cannot replace %s\n", argv[2]);
    return 1;
  }
  return 0;
}
