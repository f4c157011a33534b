# tests/mllp: `tripod mllp` against a real MLLP peer, the npm package
# simple-hl7 (installed by scripts/setup into tools/node_modules), over
# loopback, plus raw-socket cases (junk, abrupt disconnects, oversize frames).
# Missing node or simple-hl7 fails the test: it never skips.
find_program(NODE_EXECUTABLE node)
if(NODE_EXECUTABLE)
  add_test(NAME mllp.simple_hl7
           COMMAND ${NODE_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/simple_hl7.test.js
                   $<TARGET_FILE:tripod>)
else()
  add_test(NAME mllp.simple_hl7
           COMMAND sh -c "echo 'mllp.simple_hl7: node not found (run scripts/setup)' >&2; exit 1")
endif()
set_tests_properties(mllp.simple_hl7 PROPERTIES
  TIMEOUT 300
  ENVIRONMENT "TRIPOD_TESTDATA=${TRIPOD_TESTDATA_DIR};TRIPOD_TOOLS=${CMAKE_SOURCE_DIR}/tools;TRIPOD_TEST_TMP=${CMAKE_BINARY_DIR}/tmp")
