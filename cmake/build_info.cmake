# Writes build_info.cc (the version, git commit and build type `voxsecrets version` prints).
# Run at build time by the vs_build_info target (src/cli/CMakeLists.txt), so the commit follows
# new commits without a reconfigure; configure_file() rewrites the output only when it changed,
# so an unchanged commit recompiles nothing.
#
# Inputs (-D): SOURCE_DIR, OUTPUT, TEMPLATE, VERSION, BUILD_TYPE, GIT_COMMIT (an override, e.g.
# for a source tarball or a distribution build; empty = ask git).
# Without .git (a tarball) or without git, the commit is "unknown". A tarball unpacked inside some
# other git checkout does not pick up that checkout's commit: the work tree must be SOURCE_DIR.

set(commit "${GIT_COMMIT}")
if(commit STREQUAL "")
  set(commit "unknown")
  find_program(GIT_EXECUTABLE git)
  if(GIT_EXECUTABLE AND EXISTS "${SOURCE_DIR}/.git")
    execute_process(COMMAND "${GIT_EXECUTABLE}" -C "${SOURCE_DIR}" rev-parse --show-toplevel
                    OUTPUT_VARIABLE toplevel OUTPUT_STRIP_TRAILING_WHITESPACE
                    RESULT_VARIABLE toplevel_rc ERROR_QUIET)
    get_filename_component(toplevel "${toplevel}" REALPATH)
    get_filename_component(source_real "${SOURCE_DIR}" REALPATH)
    if(toplevel_rc EQUAL 0 AND toplevel STREQUAL source_real)
      execute_process(COMMAND "${GIT_EXECUTABLE}" -C "${SOURCE_DIR}" rev-parse --short=12 HEAD
                      OUTPUT_VARIABLE head OUTPUT_STRIP_TRAILING_WHITESPACE
                      RESULT_VARIABLE head_rc ERROR_QUIET)
      if(head_rc EQUAL 0 AND NOT head STREQUAL "")
        set(commit "${head}")
        # Tracked files changed since that commit: say so (untracked files do not count).
        execute_process(COMMAND "${GIT_EXECUTABLE}" -C "${SOURCE_DIR}" status --porcelain
                                --untracked-files=no
                        OUTPUT_VARIABLE dirty OUTPUT_STRIP_TRAILING_WHITESPACE
                        RESULT_VARIABLE dirty_rc ERROR_QUIET)
        if(dirty_rc EQUAL 0 AND NOT dirty STREQUAL "")
          string(APPEND commit "-dirty")
        endif()
      endif()
    endif()
  endif()
endif()

set(VOXSECRETS_VERSION "${VERSION}")
set(VOXSECRETS_BUILD_TYPE "${BUILD_TYPE}")
set(VOXSECRETS_GIT_COMMIT "${commit}")
configure_file("${TEMPLATE}" "${OUTPUT}" @ONLY)
