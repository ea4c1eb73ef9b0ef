#include "cli/build_info.h"

namespace voxsecrets::cli {

std::string VersionText(const BuildInfo& info) {
  return "voxsecrets " + info.version + "\ncommit: " + info.commit +
         "\nbuild type: " + info.build_type + "\n";
}

}  // namespace voxsecrets::cli
