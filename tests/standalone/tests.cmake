# A fresh clone with nothing beside it builds and runs the main job, reads the
# installed copy once installed, and names the file and setting when
# refdata/ is missing (tests/standalone/run.sh).
if(NOT TRIPOD_PARTS)
  add_test(NAME standalone.clean_clone
           COMMAND ${CMAKE_CURRENT_LIST_DIR}/run.sh ${CMAKE_SOURCE_DIR})
  set_tests_properties(standalone.clean_clone PROPERTIES TIMEOUT 900 SKIP_RETURN_CODE 77)
endif()

# The committed reference and test data match their manifests: a hand edit,
# a missing or an extra file fails.
add_test(NAME refdata.manifest
         COMMAND sh -c "$<TARGET_FILE:tripod> refdata verify && \
           $<TARGET_FILE:tripod> refdata verify --dir ${TRIPOD_TESTDATA_DIR}")
