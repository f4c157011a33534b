# The official eCQM test cases: every case of every measure in
# <refdata>/ecqm/tests, compared with its cases.tsv. Fails on a regression
# against tests/measures/expected_pass.tsv (see run_cases.c).
add_executable(measures_run_cases ${CMAKE_CURRENT_LIST_DIR}/run_cases.c)
target_link_libraries(measures_run_cases PRIVATE tripod_lib)
add_test(NAME measures.official_cases
         COMMAND measures_run_cases ${TRIPOD_REFDATA_DEFAULT}/ecqm
                 ${CMAKE_CURRENT_LIST_DIR}/expected_pass.tsv)
