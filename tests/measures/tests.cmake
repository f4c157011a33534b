# The official eCQM test cases: every case of every measure in
# tests/data/ecqm/tests, compared with its cases.tsv. Fails on a regression
# against tests/measures/expected_pass.tsv (see run_cases.c).
add_executable(measures_run_cases ${CMAKE_CURRENT_LIST_DIR}/run_cases.c)
target_link_libraries(measures_run_cases PRIVATE tripod_lib)
add_test(NAME measures.official_cases
         COMMAND measures_run_cases ${TRIPOD_REFDATA_DIR}/ecqm ${TRIPOD_TESTDATA_DIR}/ecqm/tests
                 ${CMAKE_CURRENT_LIST_DIR}/expected_pass.tsv)

# The population runner: official cases as populations (summary = sum of
# cases.tsv, care gaps exactly where expected, evidence text), thread and
# chunk independence, the NDJSON folder source grouped and shuffled.
add_executable(measures_test_population ${CMAKE_CURRENT_LIST_DIR}/test_population.c)
target_link_libraries(measures_test_population PRIVATE tripod_lib)
add_test(NAME measures.population
         COMMAND measures_test_population ${TRIPOD_REFDATA_DIR}/ecqm
                 ${TRIPOD_TESTDATA_DIR}/ecqm/tests ${TRIPOD_REFDATA_DIR}/ecqm/gaps.tsv)

# The store as a patient source (needs the store part): BP panel
# re-assembly, claims -> FHIR, CMS165 evaluated over a SQLite store.
if(NOT TRIPOD_PARTS OR "store" IN_LIST TRIPOD_PARTS)
  add_executable(measures_test_store_source ${CMAKE_CURRENT_LIST_DIR}/test_store_source.c)
  target_link_libraries(measures_test_store_source PRIVATE tripod_lib)
  add_test(NAME measures.store_source
           COMMAND measures_test_store_source ${TRIPOD_REFDATA_DIR}/ecqm
                   ${TRIPOD_REFDATA_DIR}/ecqm/gaps.tsv)
endif()

# The store source against the NDJSON source: a generated population imported
# into SQLite evaluates like its NDJSON (skipped when generate/import are not
# in the build).
if(NOT TRIPOD_PARTS)
  add_test(NAME measures.store_vs_ndjson
           COMMAND ${CMAKE_CURRENT_LIST_DIR}/store_vs_ndjson.sh $<TARGET_FILE:tripod>)
  set_tests_properties(measures.store_vs_ndjson PROPERTIES
                       ENVIRONMENT "TRIPOD_TESTDATA=${TRIPOD_TESTDATA_DIR}")
endif()
