#!/usr/bin/env bash
# KPB benchmark (issue 12, Speed). In one run, on this machine:
#  1. a city of BRUKARE home-care brukare (default 20 000) and ROWS visits in
#     2025 (default 50 000 000): `resurs gen visits --ar 2025`, a small
#     organisation, ledger and allocation keys, imported into a new database;
#  2. `resurs kpb --year 2025 --format json` with the release binary, computed
#     (time and peak RSS), then again from the stored run;
#  3. the same allocation written in DuckDB SQL over the same visit, ledger
#     and key files (largest remainder in whole öre, as docs/regler.md), time
#     and peak RSS; every (unit, service) cost must equal Resurs' to the öre
#     and the ledger totals must agree (the script fails otherwise).
# Usage: scripts/bench/kpb.sh [ROWS] [BRUKARE]
# Needs: python3 -m pip install duckdb; /usr/bin/time. Disk: about 110 bytes
# per visit for the CSV plus about 120 for the database (50 M: about 12 GB).
set -euo pipefail
rows="${1:-50000000}"
brukare="${2:-20000}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
if [ -z "${RESURS_BIN:-}" ]; then
  cargo build --release --manifest-path "$root/Cargo.toml" -p resurs >/dev/null
fi
bin="${RESURS_BIN:-${CARGO_TARGET_DIR:-$root/target}/release/resurs}"
work="${BENCH_DIR:-$(mktemp -d)}"
mkdir -p "$work"
cd "$work"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%F)"
echo "rows: $rows, brukare: $brukare, binary: $bin"

python3 - <<'PY'
org = ["kod;namn;nivå;överordnad;giltig_från;giltig_till",
       "K;Storstad;kommun;;2020-01-01;",
       "VON;Vård- och omsorgsnämnden;nämnd;K;2020-01-01;",
       "71;Hemtjänst;avdelning;VON;2020-01-01;",
       "710;Ledning hemtjänst;ansvar;71;2020-01-01;",
       "791;Förvaltningsledning;ansvar;VON;2020-01-01;"]
org += [f"{a};Hemtjänst {a};ansvar;71;2020-01-01;" for a in range(711, 720)]
open("org.csv", "w").write("\n".join(org) + "\n")
open("insatser.csv", "w").write("kod;namn;lagrum;volymenhet;verksamhet\n"
    "HT_OMV;Hemtjänst omvårdnad;SoL;timmar;hemtjänst\n"
    "HT_SERV;Hemtjänst service;SoL;timmar;hemtjänst\n"
    "HT_HSL;Delegerad hälso- och sjukvård;HSL;timmar;hemtjänst\n")
utf = ["kod;namn;regiform;ansvar;platser;bemanning"]
utf += [f"{a};Hemtjänst {a};egen regi;{a};;" for a in range(711, 719)]
utf += [f"LOV{i};Leverantör {i} AB;LOV;719;;" for i in range(1, 5)]
open("utforare.csv", "w").write("\n".join(utf) + "\n")
hb = ["period;konto;ansvar;verksamhet;belopp;text"]
for m in range(1, 13):
    p = f"2025-{m:02d}"
    for i, a in enumerate(range(711, 719)):
        hb.append(f"{p};5011;{a};510;{30_000_000 + i * 1_500_000},37;")
        hb.append(f"{p};5410;{a};510;{12_300_000 + i * 600_000},11;")
        hb.append(f"{p};3510;{a};510;-500000;")
    hb.append(f"{p};4610;719;510;120000000,13;")
    hb.append(f"{p};5011;710;510;6000000,03;")
    hb.append(f"{p};5011;791;550;11500000,07;")
open("huvudbok.csv", "w").write("\n".join(hb) + "\n")
keys = ["pool;ansvar;nyckel;enhet;insats;värde"]
keys += [f"Ledning hemtjänst;710;årsarbetare;{a};;{40 + 3 * i}" for i, a in enumerate(range(711, 719))]
keys += [f"Förvaltningsledning;791;andel;{a};;10" for a in range(711, 719)]
keys += [f"Förvaltningsledning;791;andel;LOV{i};;5" for i in range(1, 5)]
open("nycklar.csv", "w").write("\n".join(keys) + "\n")
PY

[ -f visits.csv ] && [ "$(cat visits.rows 2>/dev/null)" = "$rows $brukare" ] || {
  "$bin" gen visits --rows "$rows" --ar 2025 --brukare "$brukare" --output visits.csv
  echo "$rows $brukare" > visits.rows
}
ls -l visits.csv
rm -f kpb.db kpb.db.pseudonymnyckel
for kind in organisation insatser utforare huvudbok; do
  f=$([ $kind = organisation ] && echo org.csv || echo $kind.csv)
  "$bin" --db kpb.db import "$kind" "$f" >/dev/null
done
/usr/bin/time -f "import besok: %e s, %M KB" "$bin" --db kpb.db import besok visits.csv >/dev/null
"$bin" --db kpb.db kpb-nycklar nycklar.csv

/usr/bin/time -o resurs.time -f "%e %M" "$bin" --db kpb.db kpb --year 2025 --format json > resurs.json
/usr/bin/time -o stored.time -f "%e %M" "$bin" --db kpb.db kpb --year 2025 --format json > stored.json
cmp -s resurs.json stored.json || { echo "the stored run differs from the computed one"; exit 1; }

cat > duck.py <<'PY'
import json, resource, sys, time, duckdb
t0 = time.time()
con = duckdb.connect()
con.execute("SET threads TO 2")
# Performed visit time per (unit, service, brukare), hours in hundredths
# rounded half up, as Resurs' volumes.
con.execute("""
CREATE TABLE vol AS
SELECT "utförare" AS u, insats AS i, personnummer AS b,
       (SUM(date_diff('minute', CAST(faktisk_start AS TIMESTAMP), CAST(faktisk_slut AS TIMESTAMP))) * 100 + 30) // 60 AS h
FROM read_csv('visits.csv', delim=';', header=true, all_varchar=true)
WHERE status = 'utförd' AND faktisk_start IS NOT NULL
GROUP BY ALL
""")
con.execute("CREATE TABLE cell AS SELECT u, i, SUM(h) AS w FROM vol GROUP BY ALL")
con.execute("""CREATE TABLE unit AS SELECT kod AS u, ansvar FROM read_csv('utforare.csv', delim=';', header=true, all_varchar=true)""")
con.execute("""
CREATE TABLE cost AS
SELECT ansvar, SUM(CAST(replace(belopp, ',', '.') AS DECIMAL(18,2)) * 100)::BIGINT AS ore
FROM read_csv('huvudbok.csv', delim=';', header=true, all_varchar=true)
WHERE konto >= '4' AND konto < '8' GROUP BY ansvar
""")
con.execute("""
CREATE TABLE keys AS
SELECT row_number() OVER () + 1 AS rad, pool, ansvar, enhet,
       CAST(CAST(replace("värde", ',', '.') AS DECIMAL(18,2)) * 100 AS BIGINT) AS v
FROM read_csv('nycklar.csv', delim=';', header=true, all_varchar=true)
""")

def lr(name, parts):
    # parts: grp, item, ord, amount, w -> name(grp, item, part): largest remainder.
    con.execute(f"""
    CREATE TABLE {name} AS
    WITH t AS (SELECT *, SUM(w) OVER (PARTITION BY grp) AS tw FROM ({parts})),
    q AS (SELECT *, (CAST(amount AS HUGEINT) * CAST(w AS HUGEINT)) // CAST(tw AS HUGEINT) AS base,
                    (CAST(amount AS HUGEINT) * CAST(w AS HUGEINT)) % CAST(tw AS HUGEINT) AS rem FROM t),
    r AS (SELECT *, amount - SUM(base) OVER (PARTITION BY grp) AS lft,
                 row_number() OVER (PARTITION BY grp ORDER BY rem DESC, ord) AS rn FROM q)
    SELECT grp, item, CAST(base + CASE WHEN rn <= lft THEN 1 ELSE 0 END AS BIGINT) AS part FROM r
    """)

# Direct: each ansvar that is no pool, over its units' cells by weight.
lr("direct", """
SELECT c.ansvar AS grp, x.u || '|' || x.i AS item, x.u || '|' || x.i AS ord, c.ore AS amount, x.w
FROM cost c JOIN unit n ON n.ansvar = c.ansvar JOIN cell x ON x.u = n.u
WHERE c.ansvar NOT IN (SELECT ansvar FROM keys)
""")
# Pools: over their rows by value, then each row over the unit's cells by weight.
lr("prow", """
SELECT k.pool AS grp, CAST(k.rad AS VARCHAR) AS item, k.rad AS ord, c.ore AS amount, k.v AS w
FROM keys k JOIN cost c ON c.ansvar = k.ansvar
""")
lr("indirect", """
SELECT p.grp || '#' || p.item AS grp, x.u || '|' || x.i AS item, x.u || '|' || x.i AS ord, p.part AS amount, x.w
FROM prow p JOIN keys k ON CAST(k.rad AS VARCHAR) = p.item AND k.pool = p.grp JOIN cell x ON x.u = k.enhet
""")
con.execute("""
CREATE TABLE total AS
SELECT item, SUM(part) AS kostnad FROM (SELECT item, part FROM direct UNION ALL SELECT item, part FROM indirect) GROUP BY item
""")
# Each cell over its brukare by hours; cost per brukare; top 10 %.
lr("perb", """
SELECT v.u || '|' || v.i AS grp, v.b AS item, v.b AS ord, t.kostnad AS amount, v.h AS w
FROM vol v JOIN total t ON t.item = v.u || '|' || v.i
""")
top = con.execute("""
WITH b AS (SELECT item, SUM(part) AS k FROM perb GROUP BY item),
s AS (SELECT k, row_number() OVER (ORDER BY k DESC) AS rn, COUNT(*) OVER () AS n, SUM(k) OVER () AS tot FROM b)
SELECT ROUND(SUM(k) * 10000.0 / ANY_VALUE(tot)) FROM s WHERE rn <= CEIL(n * 10 / 100.0)
""").fetchone()[0]
ledger = con.execute("SELECT SUM(ore) FROM cost WHERE ansvar IN (SELECT ansvar FROM unit UNION SELECT ansvar FROM keys)").fetchone()[0]
cells = dict(con.execute("SELECT item, kostnad FROM total").fetchall())
secs = time.time() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
r = json.load(open("resurs.json"))
theirs = {c["enhet"] + "|" + c["insats"]: c["kostnad"] for c in r["celler"]}
assert theirs == cells, "cell costs differ"
assert r["huvudbok"] == r["fordelat"] == ledger, (r["huvudbok"], r["fordelat"], ledger)
print(f"duckdb: {secs:.2f} s, {rss // 1024} MB; {len(cells)} cells equal to the öre; ledger {ledger} öre; top 10 %: DuckDB {int(top)}, Resurs {r['topp'][2][1]} (hundredths of a percent)")
PY
python3 duck.py > duck.out
read rt rk < resurs.time
read st sk < stored.time
echo "resurs kpb --year 2025 (computed): ${rt} s, $((rk / 1024)) MB"
echo "resurs kpb --year 2025 (stored run): ${st} s, $((sk / 1024)) MB"
cat duck.out
dt=$(sed -E 's/^duckdb: ([0-9.]+) s.*/\1/' duck.out)
python3 -c "print(f'ratio resurs/duckdb: {$rt / $dt:.2f}')"
