#!/usr/bin/env bash
# A fresh clone needs nothing beside it. Exports the committed tree
# (git archive) into an empty temporary folder, with no sibling folder of any
# kind, builds it there and runs the main job with no reference-data setting:
# generate -> import -> analyze (engine and eCQMs) -> report, and one
# `tripod measure`. Then:
#   - with refdata/ hidden, analyze fails with one line naming the file and
#     the setting to change;
#   - `cmake --install` into a prefix, the source tree removed, the installed
#     binary works from another folder and reads the installed copy.
#
#   tests/standalone/run.sh SOURCE_DIR
set -euo pipefail
src=$(cd "${1:?usage: run.sh SOURCE_DIR}" && pwd)
unset TRIPOD_REFDATA TRIPOD_TESTDATA
fail() { echo "standalone: FAIL: $*" >&2; exit 1; }
step() { echo "standalone: $*"; }

git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1 ||
  { echo "standalone: $src is not a git work tree; nothing to export"; exit 77; }

work=$(mktemp -d "${TMPDIR:-/tmp}/tripod-standalone-XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/clone"
git -C "$src" archive --format=tar HEAD | tar -x -C "$work/clone"
[ "$(ls -A "$work")" = "clone" ] || fail "the export folder holds more than the clone"
t=$work/clone/build/tripod

step "building the exported tree ($(du -sh "$work/clone" | cut -f1))"
cmake -S "$work/clone" -B "$work/clone/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DTRIPOD_TESTS=OFF >/dev/null
cmake --build "$work/clone/build" -j "$(nproc)" -- --no-print-directory >/dev/null

cd "$work"
"$t" --version | tee "$work/version"
grep -q "^refdata [0-9a-f]\{64\} $work/clone/refdata (the source tree)$" "$work/version" ||
  fail "--version does not name the clone's refdata and its manifest hash"
"$t" refdata verify >/dev/null || fail "the exported refdata/ does not match its MANIFEST"

step "generate, import, analyze, report"
"$t" generate --patients 150 --seed 11 --years 2 --out "$work/data" --no-progress
"$t" import --json --db "$work/s.db" "$work/data" >"$work/import.json" 2>"$work/import.err" ||
  { cat "$work/import.err" >&2; fail "import"; }
# the summary counts distinct people: a FHIR Patient and an eligibility row of
# the same person are one new record
grep -q '"added":{[^}]*"patient":150[,}]' "$work/import.json" || fail "import added != 150 patients"
grep -q 'new records: .*patient 150 (300 read)' "$work/import.err" ||
  fail "import summary does not count distinct patients"
"$t" analyze --db "$work/s.db" --as-of 2025-12-31 --quiet
"$t" info --db "$work/s.db" > "$work/info.json"
grep -q '"measure_summary":[1-9]' "$work/info.json" || fail "analyze ran no eCQM"
grep -q '"analysis_patient":150' "$work/info.json" || fail "analyze did not score 150 patients"
"$t" report --db "$work/s.db" > "$work/report.txt"
grep -q 'Population as of 2025-12-31' "$work/report.txt" || fail "report"

step "measure"
"$t" measure --measure CMS165 --period 2025-01-01/2025-12-31 --summary "$work/data/fhir" \
  > "$work/cms165.json"
grep -q '"id":"CMS165".*"initial-population":[1-9]' "$work/cms165.json" ||
  fail "measure found no patient in CMS165's initial population"
grep -q '"patients":150' "$work/cms165.json" || fail "measure did not read 150 patients"

step "refdata/ hidden: one line naming the file and the setting"
mv "$work/clone/refdata" "$work/clone/refdata.hidden"
if "$t" analyze --db "$work/s.db" --as-of 2025-12-31 --quiet 2>"$work/hidden.err"; then
  fail "analyze succeeded without reference data"
fi
cat "$work/hidden.err"
[ "$(wc -l < "$work/hidden.err")" -eq 1 ] || fail "expected one line on stderr"
grep -q "$work/clone/refdata/" "$work/hidden.err" || fail "the error does not name the file"
grep -q -- "--refdata DIR or TRIPOD_REFDATA" "$work/hidden.err" || fail "no setting named"
# ... and --refdata pointing at it makes it work again.
"$t" --refdata "$work/clone/refdata.hidden" hcc --model V28 --segment CNA --age 70 --sex M \
  --dx E1169,I509 >/dev/null || fail "--refdata does not choose the folder"
mv "$work/clone/refdata.hidden" "$work/clone/refdata"

step "install, remove the source tree, run from elsewhere"
cmake --install "$work/clone/build" --prefix "$work/prefix" >/dev/null
rm -rf "$work/clone"
mkdir "$work/elsewhere" && cd "$work/elsewhere"
"$work/prefix/bin/tripod" --version | grep -q "(the installed copy)$" ||
  fail "the installed binary does not read the installed copy"
"$work/prefix/bin/tripod" refdata verify >/dev/null || fail "installed refdata"
"$work/prefix/bin/tripod" analyze --input "$work/data" --out "$work/out" --as-of 2025-12-31 \
  --quiet --no-measures
test -s "$work/out/patients.csv" || fail "installed analyze wrote nothing"
step "ok"
