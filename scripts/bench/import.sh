#!/usr/bin/env bash
# Times `resurs demo` and the import of a generated visit file, with DuckDB
# (from PyPI) loading the same file as the peer, in the same run.
# Usage: scripts/bench/import.sh [ROWS]   (default 1 000 000)
# Needs: hyperfine (Debian), python3 -m pip install duckdb.
set -euo pipefail
rows="${1:-1000000}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
cargo build --release --manifest-path "$root/Cargo.toml" >/dev/null
bin="${CARGO_TARGET_DIR:-$root/target}/release/resurs"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

echo "== resurs demo (full Exempelstad), 3 runs"
hyperfine --runs 3 --prepare 'rm -f demo.db demo.db.pseudonymnyckel' "$bin --db demo.db demo"

echo "== generate $rows visit rows"
/usr/bin/time -f "gen: %e s, max RSS %M KB" "$bin" gen visits --rows "$rows" --seed 1 --output visits.csv
ls -l visits.csv
"$bin" --db base.db demo --skala 1 >/dev/null 2>&1

echo "== import into the store (parse, check, pseudonymise, unique keys, one transaction)"
hyperfine --runs 3 --prepare 'cp base.db imp.db; cp base.db.pseudonymnyckel imp.db.pseudonymnyckel' \
  "$bin --db imp.db import besok visits.csv"
cp base.db imp.db; cp base.db.pseudonymnyckel imp.db.pseudonymnyckel
/usr/bin/time -f "import: %e s, max RSS %M KB" "$bin" --db imp.db import besok visits.csv

echo "== peer: DuckDB read_csv into a table (no checks, no pseudonyms)"
cat > duck.py <<'PY'
import duckdb
con = duckdb.connect("duck.db")
con.execute("DROP TABLE IF EXISTS besok")
con.execute("CREATE TABLE besok AS SELECT * FROM read_csv('visits.csv', delim=';', header=true, all_varchar=true)")
print(con.execute("SELECT count(*) FROM besok").fetchone()[0])
PY
hyperfine --runs 3 --prepare 'rm -f duck.db duck.db.wal' "python3 duck.py"
