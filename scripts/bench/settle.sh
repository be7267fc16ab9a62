#!/usr/bin/env bash
# Settlement benchmark (issue 3): generates visit rows with `resurs gen visits`,
# then times, in one run: settlement straight from the file; import into the
# store; settlement from the store; and the same aggregation in DuckDB SQL on
# the same file (DuckDB from PyPI).
# Usage: scripts/bench/settle.sh [ROWS]   (default 10 000 000)
# Needs: hyperfine (Debian), python3 -m pip install duckdb.
set -euo pipefail
rows="${1:-10000000}"
period="2025-05"
root="$(cd "$(dirname "$0")/../.." && pwd)"
cargo build --release --manifest-path "$root/Cargo.toml" >/dev/null
bin="${CARGO_TARGET_DIR:-$root/target}/release/resurs"
work="${BENCH_DIR:-$(mktemp -d)}"
mkdir -p "$work"
cd "$work"

if [ ! -f visits.csv ]; then
  /usr/bin/time -f "gen: %e s, max RSS %M KB" "$bin" gen visits --rows "$rows" --seed 1 --output visits.csv
fi
ls -l visits.csv
rm -f base.db base.db.pseudonymnyckel
"$bin" --db base.db demo --skala 1 >/dev/null 2>&1

echo "== settlement straight from the file ($period)"
hyperfine --runs 3 "$bin --db base.db settle --period $period --fran-fil visits.csv --format json --allow-uncovered"
/usr/bin/time -f "settle from file: %e s, max RSS %M KB" "$bin" --db base.db settle --period "$period" --fran-fil visits.csv --format json > file.json

echo "== DuckDB: the same aggregation in SQL on the same file"
python3 - "$period" <<'PY' > duck.sql
import sys, datetime
period = sys.argv[1]
y, m = map(int, period.split("-"))
# Public holidays of the month from Resurs' own calendar rules (May 2025: 1 May, Kristi himmelsfärd).
holidays = ["2025-05-01", "2025-05-29"]
hol = ",".join(f"DATE '{d}'" for d in holidays)
print(f"""
WITH v AS (
  SELECT "utförare" AS u, insats, personnummer AS p,
         CAST(faktisk_start AS TIMESTAMP) AS s, CAST(faktisk_slut AS TIMESTAMP) AS e
  FROM read_csv('visits.csv', delim=';', header=true, all_varchar=true)
  WHERE status = 'utförd' AND faktisk_start LIKE '{period}%'
), m AS (
  SELECT u, insats, p, CAST(s AS DATE) AS d, s + INTERVAL (i) MINUTE AS t
  FROM v, range(0, CAST(date_diff('minute', s, e) AS BIGINT)) r(i)
), c AS (
  SELECT u, insats, p, d,
    CASE WHEN hour(t) >= 22 OR hour(t) < 7 THEN 'natt'
         WHEN dayofweek(t) IN (0, 6) OR CAST(t AS DATE) IN ({hol}) THEN 'helg'
         WHEN hour(t) >= 18 THEN 'kvall' ELSE 'dag' END AS klass
  FROM m
), rates(insats, klass, pris) AS (VALUES
  ('HT_OMV','dag',418.0),('HT_OMV','kvall',466.0),('HT_OMV','natt',538.0),('HT_OMV','helg',502.0),
  ('HT_SERV','dag',372.0),('HT_SERV','kvall',372.0),('HT_SERV','natt',372.0),('HT_SERV','helg',372.0),
  ('HT_HSL','dag',446.0),('HT_HSL','kvall',492.0),('HT_HSL','natt',560.0),('HT_HSL','helg',528.0)
), per_day AS (
  SELECT c.u, c.insats, c.klass, round(count(*) * r.pris / 60, 2) AS belopp
  FROM c JOIN rates r USING (insats, klass) GROUP BY c.u, c.insats, c.klass, c.p, c.d, r.pris
), per_service AS (
  SELECT u, insats, sum(belopp) AS belopp FROM per_day GROUP BY u, insats
)
SELECT round(sum(belopp * (1 + CASE WHEN u LIKE 'LOV%' THEN 0.06 ELSE 0 END
                             + CASE WHEN u = '718' THEN 0.071 ELSE 0 END)), 2)
FROM per_service;
""")
PY
cat > duck.py <<'PY'
import duckdb
print(duckdb.connect().execute(open("duck.sql").read()).fetchone()[0])
PY
hyperfine --runs 3 "python3 duck.py"
/usr/bin/time -f "duckdb: %e s, max RSS %M KB" python3 duck.py
python3 -c "import json; print('resurs total kr:', json.load(open('file.json'))['belopp'] / 100)"

echo "== import into the store, then settlement from the store"
cp base.db imp.db; cp base.db.pseudonymnyckel imp.db.pseudonymnyckel
/usr/bin/time -f "import: %e s, max RSS %M KB" "$bin" --db imp.db import besok visits.csv
hyperfine --runs 3 "$bin --db imp.db settle --period $period --format json --allow-uncovered"
