// What this binary is: the version (CMake's project() version), the git commit it was built from
// and the build type. Printed by `voxsecrets version` / `voxsecrets --version`, logged by `serve`
// at start-up. The definition is generated at build time (cmake/build_info.cmake): the commit is
// "unknown" when the sources are not a git checkout (a source tarball) unless the build passes
// -DVOXSECRETS_GIT_COMMIT=..., and carries "-dirty" when tracked files differ from it.
//
// Thread-safety: GetBuildInfo() returns a reference to immutable data.
#ifndef VOXSECRETS_CLI_BUILD_INFO_H_
#define VOXSECRETS_CLI_BUILD_INFO_H_

#include <string>

namespace voxsecrets::cli {

struct BuildInfo {
  std::string version;     // "0.1.0"
  std::string commit;      // "3f2a1b9c0d4e", "3f2a1b9c0d4e-dirty" or "unknown"
  std::string build_type;  // "RelWithDebInfo", "Release", "Debug", ...
};

const BuildInfo& GetBuildInfo();

// The text `voxsecrets version` prints (three lines, each ending in '\n').
std::string VersionText(const BuildInfo& info);

}  // namespace voxsecrets::cli

#endif  // VOXSECRETS_CLI_BUILD_INFO_H_
