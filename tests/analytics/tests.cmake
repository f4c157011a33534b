# Analytics: the engine's SQL peer (SQLite; DuckDB runs in make bench) must agree with
# `tripod analyze` on a generated population (bench/sql_peers.py).
find_program(PYTHON3 python3)
if(PYTHON3)
  add_test(NAME analytics.sql_peers
    COMMAND sh -c "set -e; d=$(mktemp -d); trap 'rm -rf $d' EXIT; \
      ${PYTHON3} ${CMAKE_SOURCE_DIR}/bench/gen_claims.py --patients 500 --seed 3 --out $d/data \
        --refdata ${TRIPOD_REFDATA_DEFAULT}; \
      $<TARGET_FILE:tripod> analyze --input $d/data --out $d/out --as-of 2025-12-31 --quiet; \
      ${PYTHON3} ${CMAKE_SOURCE_DIR}/bench/sql_peers.py --data $d/data --engine-out $d/out \
        --as-of 2025-12-31 --refdata ${TRIPOD_REFDATA_DEFAULT} --engines sqlite --work $d")
  set_tests_properties(analytics.sql_peers PROPERTIES
    ENVIRONMENT "TRIPOD_REFDATA=${TRIPOD_REFDATA_DEFAULT}" TIMEOUT 120)
endif()
