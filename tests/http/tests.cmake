# tests/http: `tripod serve` driven by real clients over loopback (Node's
# fetch and the npm FHIR client fhir-kit-client, installed by scripts/setup),
# the same suite on SQLite and on a temporary PostgreSQL (scripts/pg-tmp).
find_program(NODE_EXECUTABLE node)
if(NODE_EXECUTABLE AND NOT TRIPOD_PARTS)
  add_test(NAME http.sqlite
           COMMAND ${NODE_EXECUTABLE} --test-reporter=spec ${CMAKE_CURRENT_LIST_DIR}/server.test.js
                   $<TARGET_FILE:tripod> sqlite)
  add_test(NAME http.postgres
           COMMAND ${CMAKE_SOURCE_DIR}/scripts/pg-tmp ${NODE_EXECUTABLE} --test-reporter=spec
                   ${CMAKE_CURRENT_LIST_DIR}/server.test.js $<TARGET_FILE:tripod> postgres)
  set_tests_properties(http.sqlite http.postgres PROPERTIES TIMEOUT 600
    ENVIRONMENT "TRIPOD_TOOLS=${CMAKE_SOURCE_DIR}/tools;TRIPOD_TEST_TMP=${CMAKE_BINARY_DIR}/tmp")
elseif(NOT NODE_EXECUTABLE)
  add_test(NAME http.node_missing
           COMMAND sh -c "echo 'http: node not found (run scripts/setup)' >&2; exit 1")
endif()
