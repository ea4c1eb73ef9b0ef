# Helpers shared by every folder's CMakeLists.txt.

set(VOXSECRETS_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align
    -Wunused -Woverloaded-virtual -Wformat=2)
# Clang checks the lock annotations (common/thread_annotations.h, common/mutex.h).
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  list(APPEND VOXSECRETS_WARNINGS -Wthread-safety)
endif()
if(VOXSECRETS_WERROR)
  list(APPEND VOXSECRETS_WARNINGS -Werror)
endif()

# Include roots. Headers are named by their path below src/ ("store/store.h"), but no library
# exports src/ itself: each one publishes links to its own headers only, under
# <build>/include/<target>/, so a file compiles only against the headers of the targets it links
# (and what a layer may link is the table in docs/ARCHITECTURE.md, checked by scripts/check-layers).
# Tests, benchmarks and fuzz targets see all of src/: they sit above every layer.
#
# vs_publish_headers(TARGET SCOPE PATH...): PATHs below src/ (a folder or one header).
function(vs_publish_headers target scope)
  set(root ${CMAKE_BINARY_DIR}/include/${target})
  foreach(path IN LISTS ARGN)
    if(NOT EXISTS ${PROJECT_SOURCE_DIR}/src/${path})
      message(FATAL_ERROR "${target}: no src/${path} to publish")
    endif()
    get_filename_component(parent ${root}/${path} DIRECTORY)
    file(MAKE_DIRECTORY ${parent})
    file(CREATE_LINK ${PROJECT_SOURCE_DIR}/src/${path} ${root}/${path} SYMBOLIC)
  endforeach()
  target_include_directories(${target} ${scope} ${root})
endfunction()

# The folder below src/ of the CMakeLists.txt being read ("store/sqlite").
function(vs_current_folder out)
  file(RELATIVE_PATH folder ${PROJECT_SOURCE_DIR}/src ${CMAKE_CURRENT_SOURCE_DIR})
  set(${out} ${folder} PARENT_SCOPE)
endfunction()

# vs_library(NAME SOURCES a.cc b.cc [DEPS x y] [PRIVATE_DEPS z] [HEADERS path...])
# A static library of one layer. DEPS are the targets its headers need (its users get them too),
# PRIVATE_DEPS those only its .cc files need. It publishes HEADERS, by default its whole folder.
function(vs_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS;HEADERS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  if(NOT ARG_HEADERS)
    vs_current_folder(ARG_HEADERS)
  endif()
  vs_publish_headers(${name} PUBLIC ${ARG_HEADERS})
  target_compile_options(${name} PRIVATE ${VOXSECRETS_WARNINGS})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()

# vs_interface(NAME HEADERS path... [DEPS x y]): a layer's contract with no code of its own
# (header-only), e.g. the storage contract that every backend implements.
function(vs_interface name)
  cmake_parse_arguments(ARG "" "" "HEADERS;DEPS" ${ARGN})
  add_library(${name} INTERFACE)
  vs_publish_headers(${name} INTERFACE ${ARG_HEADERS})
  target_link_libraries(${name} INTERFACE ${ARG_DEPS})
endfunction()

# vs_test(NAME SOURCES a_test.cc DEPS lib...) — a GoogleTest executable registered with ctest.
function(vs_test name)
  if(NOT VOXSECRETS_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PROPERTIES" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR})
  target_compile_options(${name} PRIVATE ${VOXSECRETS_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES ${ARG_PROPERTIES})
endfunction()

# vs_fuzz(NAME SOURCE x_fuzz.cc CORPUS dir DEPS lib...)
# Always builds a replay executable that feeds every file of CORPUS to LLVMFuzzerTestOneInput
# (registered with ctest); with VOXSECRETS_LIBFUZZER also a real libFuzzer binary NAME_libfuzzer,
# which scripts/fuzz runs.
function(vs_fuzz name)
  cmake_parse_arguments(ARG "" "SOURCE;CORPUS" "DEPS" ${ARGN})
  add_executable(${name}_replay ${ARG_SOURCE} ${PROJECT_SOURCE_DIR}/fuzz/replay_main.cc)
  target_include_directories(${name}_replay PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(${name}_replay PRIVATE ${VOXSECRETS_WARNINGS})
  target_link_libraries(${name}_replay PRIVATE ${ARG_DEPS})
  add_test(NAME fuzz_replay.${name} COMMAND ${name}_replay ${ARG_CORPUS})
  if(VOXSECRETS_LIBFUZZER)
    add_executable(${name}_libfuzzer ${ARG_SOURCE})
    target_include_directories(${name}_libfuzzer PRIVATE ${PROJECT_SOURCE_DIR}/src)
    target_compile_options(${name}_libfuzzer PRIVATE ${VOXSECRETS_WARNINGS})
    # The tree is already built with fuzzer-no-link, ASan and UBSan (CMakeLists.txt); the
    # target adds libFuzzer's main.
    target_compile_options(${name}_libfuzzer PRIVATE -fsanitize=fuzzer)
    target_link_options(${name}_libfuzzer PRIVATE -fsanitize=fuzzer)
    target_link_libraries(${name}_libfuzzer PRIVATE ${ARG_DEPS})
  endif()
endfunction()
