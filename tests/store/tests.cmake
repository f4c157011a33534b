# The store suite, run against both backends (tests/store/store_suite.c).
# store.postgres starts a throwaway cluster with scripts/pg-tmp.
add_executable(store_suite ${CMAKE_CURRENT_LIST_DIR}/store_suite.c)
target_link_libraries(store_suite PRIVATE tripod_lib PkgConfig::CMOCKA)
add_test(NAME store.sqlite COMMAND store_suite sqlite)
add_test(NAME store.postgres COMMAND ${CMAKE_SOURCE_DIR}/scripts/pg-tmp $<TARGET_FILE:store_suite> postgres)
set_tests_properties(store.sqlite store.postgres PROPERTIES
  ENVIRONMENT "CMOCKA_MESSAGE_OUTPUT=STDOUT" TIMEOUT 300)
add_test(NAME store.info COMMAND ${CMAKE_CURRENT_LIST_DIR}/info_test.sh $<TARGET_FILE:tripod>
  $<TARGET_FILE:store_suite>)

# The generated schema against the frozen SQL of the released migrations
# (tests/store/drift_test.c); on PostgreSQL in a throwaway cluster as above.
add_executable(store_drift_test ${CMAKE_CURRENT_LIST_DIR}/drift_test.c)
target_link_libraries(store_drift_test PRIVATE tripod_lib PkgConfig::CMOCKA)
target_compile_definitions(store_drift_test PRIVATE
  DRIFT_LEGACY_SQL="${CMAKE_CURRENT_LIST_DIR}/legacy_migrations.sql")
add_test(NAME store.drift.sqlite COMMAND store_drift_test sqlite)
add_test(NAME store.drift.postgres COMMAND ${CMAKE_SOURCE_DIR}/scripts/pg-tmp
  $<TARGET_FILE:store_drift_test> postgres)
set_tests_properties(store.drift.sqlite store.drift.postgres PROPERTIES
  ENVIRONMENT "CMOCKA_MESSAGE_OUTPUT=STDOUT" TIMEOUT 300)

# docs/schema.md's column listings are generated from src/store/kinds.def:
# store.schema_doc fails when they differ (`schema_doc write docs/schema.md`
# regenerates them).
add_executable(schema_doc ${CMAKE_CURRENT_LIST_DIR}/schema_doc.c)
target_link_libraries(schema_doc PRIVATE tripod_lib)
add_test(NAME store.schema_doc COMMAND schema_doc check ${CMAKE_SOURCE_DIR}/docs/schema.md)
