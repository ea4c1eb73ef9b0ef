# Helpers shared by every folder's CMakeLists.txt.

set(VOXSECRETS_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align
    -Wunused -Woverloaded-virtual -Wformat=2)
if(VOXSECRETS_WERROR)
  list(APPEND VOXSECRETS_WARNINGS -Werror)
endif()

# vs_library(NAME SOURCES a.cc b.cc DEPS x y)
function(vs_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(${name} PRIVATE ${VOXSECRETS_WARNINGS})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
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
# (registered with ctest); with VOXSECRETS_LIBFUZZER also a real libFuzzer binary NAME_libfuzzer.
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
    target_compile_options(${name}_libfuzzer PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_options(${name}_libfuzzer PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_libraries(${name}_libfuzzer PRIVATE ${ARG_DEPS})
  endif()
endfunction()
