# The synthetic population (tripod generate): determinism, FHIR R4 schema
# validity, command-line contract. The code tables, prevalences, rates and
# cost figures are checked by tests/unit/test_synth.c.
set(SYNTH_TEST_ENV "TRIPOD_TESTDATA=${TRIPOD_TESTDATA_DIR}")

add_test(NAME synth.determinism
  COMMAND ${CMAKE_COMMAND} -DTRIPOD=$<TARGET_FILE:tripod>
          -DWORK=${CMAKE_CURRENT_BINARY_DIR}/synth-determinism
          -P ${CMAKE_CURRENT_SOURCE_DIR}/synth/determinism.cmake)
set_tests_properties(synth.determinism PROPERTIES ENVIRONMENT "${SYNTH_TEST_ENV}")

find_program(NODE_EXECUTABLE NAMES node nodejs)
add_test(NAME synth.fhir_schema
  COMMAND ${CMAKE_COMMAND} -DTRIPOD=$<TARGET_FILE:tripod> -DNODE=${NODE_EXECUTABLE}
          -DWORK=${CMAKE_CURRENT_BINARY_DIR}/synth-fhir
          -DSCRIPT=${CMAKE_CURRENT_SOURCE_DIR}/synth/validate_fhir.js
          -DTOOLS=${CMAKE_SOURCE_DIR}/tools/node_modules
          -P ${CMAKE_CURRENT_SOURCE_DIR}/synth/fhir_schema.cmake)
set_tests_properties(synth.fhir_schema PROPERTIES ENVIRONMENT "${SYNTH_TEST_ENV}")

add_test(NAME synth.cli
  COMMAND ${CMAKE_COMMAND} -DTRIPOD=$<TARGET_FILE:tripod>
          -DWORK=${CMAKE_CURRENT_BINARY_DIR}/synth-cli
          -P ${CMAKE_CURRENT_SOURCE_DIR}/synth/cli.cmake)
set_tests_properties(synth.cli PROPERTIES ENVIRONMENT "${SYNTH_TEST_ENV}")
