#!/usr/bin/env bash
# Settlement benchmark (issue 10). In one run, on this machine:
#  1. settlement straight from a 10 M-row visit file, plain and with every
#     field quoted, against DuckDB computing the same settlement in SQL on the
#     same file; the two totals must be equal to the öre (the script fails
#     otherwise);
#  2. memory: a 2,4 M-row file whose visits are all in the settled month;
#  3. settlement of a stored month of the full demo against a plain SQLite
#     join-and-group over the same month's visits (sqlite3 command line);
#  4. growth of the database per stored run;
#  5. import of the 10 M-row file against the sqlite3 command line's own
#     `.import` of the same CSV into a table with the same unique index.
# Usage: scripts/bench/settle.sh [ROWS]   (default 10 000 000)
# Needs: hyperfine and sqlite3 (Debian), python3 -m pip install duckdb.
set -euo pipefail
rows="${1:-10000000}"
month_rows="${MONTH_ROWS:-2400000}"
period="2025-05"
root="$(cd "$(dirname "$0")/../.." && pwd)"
cargo build --release --manifest-path "$root/Cargo.toml" >/dev/null
bin="${CARGO_TARGET_DIR:-$root/target}/release/resurs"
work="${BENCH_DIR:-$(mktemp -d)}"
mkdir -p "$work"
cd "$work"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%F)"

[ -f visits.csv ] || "$bin" gen visits --rows "$rows" --seed 1 --output visits.csv
[ -f quoted.csv ] || "$bin" gen visits --rows "$rows" --seed 1 --citat --output quoted.csv
[ -f month.csv ] || "$bin" gen visits --rows "$month_rows" --seed 2 --manad "$period" --output month.csv
ls -l visits.csv quoted.csv month.csv
rm -f base.db base.db.pseudonymnyckel
"$bin" --db base.db demo --skala 1 >/dev/null 2>&1

# DuckDB: the same settlement as SQL, with the rounding rule of docs/regler.md:
# per rule line (provider, service, time class) minutes × hourly rate ÷ 60
# rounded once to öre, half away from zero; VAT compensation (6 %, external
# providers) and the rural supplement (7,1 %, provider 718) rounded once on
# the service subtotal.
cat > duck.py <<'PY'
import sys, duckdb
path, period = sys.argv[1], sys.argv[2]
# Public holidays of May 2025 from Resurs' calendar rules: 1 May, Ascension Day.
hol = "DATE '2025-05-01', DATE '2025-05-29'"
sql = f"""
WITH v AS (
  SELECT "utförare" AS u, insats,
         CAST(faktisk_start AS TIMESTAMP) AS s, CAST(faktisk_slut AS TIMESTAMP) AS e
  FROM read_csv('{path}', delim=';', header=true, all_varchar=true, quote='"')
  WHERE status = 'utförd' AND faktisk_start LIKE '{period}%'
), m AS (
  SELECT u, insats, s + INTERVAL (i) MINUTE AS t
  FROM v, range(0, CAST(date_diff('minute', s, e) AS BIGINT)) r(i)
), c AS (
  SELECT u, insats,
    CASE WHEN hour(t) >= 22 OR hour(t) < 7 THEN 'natt'
         WHEN dayofweek(t) IN (0, 6) OR CAST(t AS DATE) IN ({hol}) THEN 'helg'
         WHEN hour(t) >= 18 THEN 'kvall' ELSE 'dag' END AS klass
  FROM m
), rates(insats, klass, ore) AS (VALUES
  ('HT_OMV','dag',41800),('HT_OMV','kvall',46600),('HT_OMV','natt',53800),('HT_OMV','helg',50200),
  ('HT_SERV','dag',37200),('HT_SERV','kvall',37200),('HT_SERV','natt',37200),('HT_SERV','helg',37200),
  ('HT_HSL','dag',44600),('HT_HSL','kvall',49200),('HT_HSL','natt',56000),('HT_HSL','helg',52800)
), line AS (
  SELECT c.u, c.insats, (count(*) * r.ore * 2 + 60) // 120 AS ore
  FROM c JOIN rates r USING (insats, klass) GROUP BY c.u, c.insats, c.klass, r.ore
), service AS (
  SELECT u, insats, sum(ore) AS sub FROM line GROUP BY u, insats
)
SELECT sum(sub
  + CASE WHEN u LIKE 'LOV%' THEN (sub * 60000 * 2 + 1000000) // 2000000 ELSE 0 END
  + CASE WHEN u = '718' THEN (sub * 71000 * 2 + 1000000) // 2000000 ELSE 0 END)
FROM service
"""
print(duckdb.connect().execute(sql).fetchone()[0])
PY

compare() { # FILE: Resurs from the file and DuckDB on the same file, same total to the öre
  local f="$1"
  echo "== settlement straight from $f ($period) and DuckDB on the same file"
  hyperfine --warmup 1 --runs 3 --export-json "hf_$f.json" \
    "$bin --db base.db settle --period $period --fran-fil $f --format json --allow-uncovered" \
    "python3 duck.py $f $period"
  /usr/bin/time -f "resurs from $f: %e s, max RSS %M KB" "$bin" --db base.db settle --period "$period" --fran-fil "$f" --format json --allow-uncovered > "resurs_$f.json"
  /usr/bin/time -f "duckdb on $f: %e s, max RSS %M KB" python3 duck.py "$f" "$period" > "duck_$f.txt"
  python3 - "$f" <<'PY'
import json, sys
f = sys.argv[1]
r = json.load(open(f"resurs_{f}.json"))["belopp"]
d = int(open(f"duck_{f}.txt").read().strip())
h = json.load(open(f"hf_{f}.json"))["results"]
print(f"{f}: Resurs {r} öre, DuckDB {d} öre; time ratio Resurs/DuckDB {h[0]['mean'] / h[1]['mean']:.2f}")
if r != d:
    sys.exit(f"FAIL: totals differ by {r - d} öre")
PY
}
compare visits.csv
compare quoted.csv
compare month.csv

echo "== stored month of the demo: settlement against a plain SQLite join-and-group"
rm -f demo.db demo.db.pseudonymnyckel
"$bin" --db demo.db demo >/dev/null 2>&1
pm=$(python3 -c "print(2026*100+3)")
cat > group.sql <<SQL
SELECT u.kod, i.kod, count(*), sum(v.fakt_slut - v.fakt_start) FROM besok v
JOIN brukare b ON b.id = v.brukare_id JOIN utforare u ON u.id = v.utforare_id JOIN insats i ON i.id = v.insats_id
WHERE v.period = $pm AND v.status = 0 AND v.fakt_start IS NOT NULL AND v.fakt_slut IS NOT NULL GROUP BY u.kod, i.kod;
SQL
sqlite3 demo.db < group.sql | head -3
hyperfine --warmup 1 --runs 5 --export-json hf_store.json \
  "$bin --db demo.db settle --period 2026-03 --format json" \
  "sqlite3 demo.db < group.sql"
python3 -c "import json; h=json.load(open('hf_store.json'))['results']; print(f'stored month: ratio Resurs/SQLite {h[0][\"mean\"]/h[1][\"mean\"]:.2f}')"
before=$(stat -c %s demo.db)
for i in $(seq 1 13); do "$bin" --db demo.db settle --period 2026-03 --format json >/dev/null 2>&1; done
after=$(stat -c %s demo.db)
echo "database growth over 13 stored runs: $(( (after - before) / 13 )) bytes per run"

echo "== import of $rows visits against sqlite3 .import into the same indexed table"
cp base.db imp.db; cp base.db.pseudonymnyckel imp.db.pseudonymnyckel
/usr/bin/time -f "resurs import: %e s, max RSS %M KB" "$bin" --db imp.db import besok visits.csv
rm -f raw.db
sqlite3 raw.db 'CREATE TABLE besok (besok_id TEXT, personnummer TEXT, "utförare" TEXT, insats TEXT, personal TEXT, planerad_start TEXT, planerad_slut TEXT, faktisk_start TEXT, faktisk_slut TEXT, status TEXT); CREATE UNIQUE INDEX besok_nyckel ON besok ("utförare", besok_id);'
/usr/bin/time -f "sqlite3 .import: %e s, max RSS %M KB" sqlite3 raw.db -cmd '.mode csv' -cmd '.separator ;' ".import --skip 1 visits.csv besok"
