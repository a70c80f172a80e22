# Flags every edgepiece target shares. -ffp-contract=off: the tokenizer must
# reproduce the reference's double arithmetic exactly, with no fused
# multiply-adds; Highway kernels request FMA explicitly where they want it.
function(edgepiece_set_target_options target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter
                                           -ffp-contract=off)
  if(EDGEPIECE_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined
                                             -fno-omit-frame-pointer
                                             -fno-sanitize-recover=undefined)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
  if(EDGEPIECE_TSAN)
    target_compile_options(${target} PRIVATE -fsanitize=thread -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=thread)
  endif()
endfunction()

# edgepiece_add_test(NAME SOURCES...): a GoogleTest binary registered with
# CTest, run from the source tree so tests find ../shared/golden.
function(edgepiece_add_test name)
  add_executable(${name} ${ARGN})
  target_link_libraries(${name} PRIVATE edgepiece::runtime edgepiece_test_support
                                        GTest::gtest_main)
  edgepiece_set_target_options(${name})
  gtest_discover_tests(${name} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                       DISCOVERY_TIMEOUT 60)
endfunction()
