#!/usr/bin/env bash
# info_test.sh TRIPOD STORE_SUITE — `tripod info`: exit codes and its JSON.
set -uo pipefail
tripod=$1
suite=$2
dir=$(mktemp -d "${TMPDIR:-/tmp}/tripod-info.XXXXXX")
trap 'rm -rf "$dir"' EXIT
fail() { echo "info_test: $*" >&2; exit 1; }

"$tripod" info --help | grep -q -- "--db" || fail "--help does not describe --db"
"$tripod" info >/dev/null 2>&1; [ $? = 2 ] || fail "no --db should exit 2"
"$tripod" info --db "$dir/x.db" --bogus >/dev/null 2>&1; [ $? = 2 ] || fail "unknown option should exit 2"
"$tripod" info --db "$dir/missing.db" >/dev/null 2>"$dir/err"; [ $? = 1 ] || fail "missing store should exit 1"
grep -q "missing.db" "$dir/err" || fail "the error should name the store"
[ ! -e "$dir/missing.db" ] || fail "info must not create a store"

"$suite" sample "$dir/s.db" || fail "cannot make the sample store"
out=$("$tripod" info --db "sqlite:$dir/s.db") || fail "info failed on the sample"
expect='{"backend":"sqlite","schema_version":5,"tables":{"organization":0,"practitioner":0,"patient":1,"enrollment":1,"medical_claim":1,"medical_claim_line":2,"pharmacy_claim":0,"encounter":0,"condition":0,"observation":0,"procedure":0,"medication":0,"immunization":0,"hl7_message":0,"adt_event":0,"source_file":1,"analysis_run":0,"analysis_population":0,"analysis_patient":0,"analysis_discharge":0,"analysis_ed_visit":0,"analysis_gap":0,"measure_result":0,"care_gap":0,"measure_summary":0,"app_user":0,"app_session":0,"audit_entry":0},"medical_claims":{"lines":2,"first":"2023-02-01","last":"2023-02-03"},"pharmacy_claims":{"lines":0,"first":null,"last":null},"enrollment":{"spans":1,"first":"2023-01-01","last":"2024-12-31"},"files_loaded":1}'
[ "$out" = "$expect" ] || fail "unexpected output: $out"
echo "info_test: ok"
