#!/usr/bin/env bash
# Long runs of the mutation fuzzer in crates/io/tests/fuzz.rs (CSV, filtered
# CSV, xlsx, SIE 4, model files), one reader at a time, offline.
#   scripts/fuzz.sh                      the counts below
#   FUZZ_SCALE=10 scripts/fuzz.sh        ten times as many
#   FUZZ_SEED=7 scripts/fuzz.sh          other inputs (the default seed is 1)
# A failing input is saved in FUZZ_OUT (default: a new directory printed at
# the start) and the script exits 1; replay one with
#   FUZZ_REPLAY=FILE cargo test -p resurs-io --test fuzz xlsx -- --nocapture Record the counts and the date
# in docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "$0")/.."
scale="${FUZZ_SCALE:-1}"
export FUZZ_OUT="${FUZZ_OUT:-$(mktemp -d -t resurs-fuzz-XXXXXX)}"
echo "fel sparas i $FUZZ_OUT"
bin=$(cargo test -p resurs-io --test fuzz --no-run 2>&1 | sed -n 's/.*Executable tests\/fuzz.rs (\(.*\))/\1/p' | tail -1)
[[ -x "$bin" ]] || { echo "testprogrammet hittades inte" >&2; exit 2; }
status=0
for spec in csv_tables:1000000 sie_files:1000000 model_files:1000000 filtered_csv:200000 xlsx_files:100000; do
  name="${spec%%:*}"; n=$(( ${spec##*:} * scale ))
  FUZZ_CASES="$n" "$bin" --exact --nocapture --test-threads=1 "${name}$(
    case "$name" in filtered_csv) echo _never_panics_or_hangs;; *) echo _never_panic_hang_or_grow;; esac)" \
    2>&1 | grep --line-buffered -E 'fuzz [a-z-]+: [0-9]+ fall|panicked|fuzz-.*\.bin' || status=1
done
exit "$status"
