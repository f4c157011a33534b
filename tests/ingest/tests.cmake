# The import suite (tests/ingest/import_suite.c), run against both backends.
# import.postgres starts a throwaway cluster with scripts/pg-tmp.
add_executable(import_suite ${CMAKE_CURRENT_LIST_DIR}/import_suite.c)
target_link_libraries(import_suite PRIVATE tripod_lib PkgConfig::CMOCKA)
add_test(NAME import.sqlite COMMAND import_suite sqlite)
add_test(NAME import.postgres
         COMMAND ${CMAKE_SOURCE_DIR}/scripts/pg-tmp $<TARGET_FILE:import_suite> postgres)
set_tests_properties(import.sqlite import.postgres PROPERTIES
  ENVIRONMENT "TRIPOD_TESTDATA=${TRIPOD_TESTDATA_DIR};CMOCKA_MESSAGE_OUTPUT=STDOUT"
  TIMEOUT 120)
