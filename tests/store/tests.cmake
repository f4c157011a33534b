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
