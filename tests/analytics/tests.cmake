# Analytics: the engine's SQL peer (SQLite; DuckDB runs in make bench) must agree with
# `tripod analyze` on a generated population (bench/sql_peers.py).
find_program(PYTHON3 python3)
if(PYTHON3)
  add_test(NAME analytics.sql_peers
    COMMAND sh -c "set -e; d=$(mktemp -d); trap 'rm -rf $d' EXIT; \
      $<TARGET_FILE:tripod> generate --patients 500 --seed 3 --out $d/data --outputs claims \
        --no-progress; \
      $<TARGET_FILE:tripod> analyze --input $d/data --out $d/out --as-of 2025-12-31 --quiet; \
      ${PYTHON3} ${CMAKE_SOURCE_DIR}/bench/sql_peers.py --data $d/data --engine-out $d/out \
        --as-of 2025-12-31 --refdata ${TRIPOD_REFDATA_DIR} --engines sqlite --work $d")
  set_tests_properties(analytics.sql_peers PROPERTIES
    ENVIRONMENT "TRIPOD_TESTDATA=${TRIPOD_TESTDATA_DIR}" TIMEOUT 120)
endif()
# analyze --db: the engine over the store equals the engine over CSVs
# (tests/unit/test_engine_db.c), on PostgreSQL too, and through the CLI:
# analyze --db writes the same files as analyze --input, report --db prints
# what report --input prints, a re-run replaces.
if(TARGET test_engine_db)
  add_test(NAME analytics.engine_db.postgres
    COMMAND ${CMAKE_SOURCE_DIR}/scripts/pg-tmp $<TARGET_FILE:test_engine_db> postgres)
  add_test(NAME analytics.cli_db
    COMMAND sh -c "set -e; d=$(mktemp -d); trap 'rm -rf $d' EXIT; \
      $<TARGET_FILE:test_engine_db> make $d; t=$<TARGET_FILE:tripod>; \
      $t analyze --input $d/csv --out $d/a --as-of 2025-12-31 --quiet; \
      $t analyze --db $d/store.db --out $d/b --as-of 2025-12-31 --no-measures > $d/b.json; \
      $t analyze --db $d/store.db --as-of 2025-12-31 --quiet --no-measures; \
      for f in patients.csv discharges.csv ed_visits.csv gaps.csv population.json; do \
        cmp $d/a/$f $d/b/$f; done; cmp $d/a/population.json $d/b.json; \
      $t report --input $d/csv --as-of 2025-12-31 > $d/r1; $t report --db $d/store.db > $d/r2; \
      cmp $d/r1 $d/r2; grep -q 'Population as of 2025-12-31' $d/r2; \
      $t report --db $d/store.db --as-of 2025-12-31 | cmp - $d/r1; \
      if $t report --db $d/store.db --as-of 2020-01-01 2>/dev/null; then exit 1; fi; \
      $t info --db $d/store.db | grep -q analysis_patient")
  set_tests_properties(analytics.engine_db.postgres analytics.cli_db PROPERTIES
    ENVIRONMENT "TRIPOD_TESTDATA=${TRIPOD_TESTDATA_DIR};CMOCKA_MESSAGE_OUTPUT=STDOUT"
    TIMEOUT 300)
endif()

# End to end, as `make demo` runs it: a generated population imported into a
# store, analyzed there (engine + quality measures + care gaps), and the same
# files analyzed directly. Checks that the measure step ran in both modes and
# that the care-gap rows agree with the summaries' gap counts.
if(NOT TRIPOD_PARTS)
  add_test(NAME analytics.end_to_end
    COMMAND sh -c "set -e; d=$(mktemp -d); trap 'rm -rf $d' EXIT; t=$<TARGET_FILE:tripod>; \
      $t generate --patients 300 --seed 5 --years 2 --out $d/data --no-progress; \
      $t import --db $d/s.db $d/data 2>/dev/null; \
      $t analyze --db $d/s.db --as-of 2025-12-31 --quiet; \
      $t analyze --input $d/data --out $d/out --as-of 2025-12-31 --quiet; \
      test -s $d/out/measure_summary.json; \
      gaps=$(tail -n +2 $d/out/care_gaps.csv | wc -l); test $gaps -gt 0; \
      sum=$(${PYTHON3} -c \"import json,sys; d=json.load(open(sys.argv[1])); print(sum(g.get('gaps') or 0 for m in d['measures'] for g in m['groups']))\" $d/out/measure_summary.json); \
      test $gaps -eq $sum; \
      $t info --db $d/s.db > $d/info.json; \
      ${PYTHON3} -c \"import json,sys; t=json.load(open(sys.argv[1]))['tables']; assert t['care_gap'] > 0 and t['measure_summary'] >= 12 and t['measure_result'] > 0 and t['analysis_patient'] == 300, t\" $d/info.json")
  set_tests_properties(analytics.end_to_end PROPERTIES
    ENVIRONMENT "TRIPOD_TESTDATA=${TRIPOD_TESTDATA_DIR}" TIMEOUT 600)
endif()
