#!/usr/bin/env bash
# Long runs of the mutation fuzzers, one reader at a time, offline:
# crates/io/tests/fuzz.rs (CSV, filtered CSV, xlsx, SIE 4, model files) and
# crates/app/tests/fuzz_nya.rs (allocation keys, posting rules, cost types,
# Kolada JSON, reference costs, report templates, goal files, and the staff,
# activity-code and population imports).
#   scripts/fuzz.sh                      the counts below
#   FUZZ_SCALE=10 scripts/fuzz.sh        ten times as many
#   FUZZ_SEED=7 scripts/fuzz.sh          other inputs (the default seed is 1)
#   scripts/fuzz.sh kolada mal           only these readers (names below)
# A failing input is saved in FUZZ_OUT (default: a new directory printed at
# the start) and the script exits 1; replay one with
#   FUZZ_REPLAY=FILE cargo test -p resurs-io --test fuzz xlsx -- --nocapture
# (resurs-app --test fuzz_nya for the newer readers). Record the counts and
# the date in docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "$0")/.."
scale="${FUZZ_SCALE:-1}"
export FUZZ_OUT="${FUZZ_OUT:-$(mktemp -d -t resurs-fuzz-XXXXXX)}"
echo "fel sparas i $FUZZ_OUT"
binary() { # crate test → the test program
  cargo test -p "$1" --test "$2" --no-run 2>&1 | sed -n "s/.*Executable tests\/$2.rs (\(.*\))/\1/p" | tail -1
}
io=$(binary resurs-io fuzz)
app=$(binary resurs-app fuzz_nya)
[[ -x "$io" && -x "$app" ]] || { echo "testprogrammen hittades inte" >&2; exit 2; }
# reader:cases:program:test
specs=(
  csv:1000000:io:csv_tables_never_panic_hang_or_grow
  sie:1000000:io:sie_files_never_panic_hang_or_grow
  modell:1000000:io:model_files_never_panic_hang_or_grow
  filtered-csv:200000:io:filtered_csv_never_panics_or_hangs
  xlsx:100000:io:xlsx_files_never_panic_hang_or_grow
  kpb-nycklar:300000:app:kpb_keys_never_panic_hang_or_grow
  konteringsregler:300000:app:posting_rules_never_panic_hang_or_grow
  kostnadsslag:300000:app:cost_types_never_panic_hang_or_grow
  kolada:300000:app:kolada_json_never_panics_hangs_or_grows
  referenskostnad:300000:app:reference_costs_never_panic_hang_or_grow
  rapportmall:300000:app:report_templates_never_panic_hang_or_grow
  mal:100000:app:goal_files_never_panic_hang_or_grow
  personal:100000:app:staff_files_never_panic_hang_or_grow
  verksamheter:100000:app:activity_code_files_never_panic_hang_or_grow
  befolkning:100000:app:population_files_never_panic_hang_or_grow
)
status=0
for spec in "${specs[@]}"; do
  IFS=: read -r name n prog test <<<"$spec"
  if (( $# > 0 )) && [[ " $* " != *" $name "* ]]; then continue; fi
  bin=$io; [[ $prog == app ]] && bin=$app
  FUZZ_CASES=$(( n * scale )) "$bin" --exact --nocapture --test-threads=1 "$test" \
    2>&1 | grep --line-buffered -E 'fuzz [a-z-]+: [0-9]+ fall|panicked|fuzz-.*\.bin' || status=1
done
exit "$status"
