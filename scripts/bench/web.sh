#!/usr/bin/env bash
# Web benchmark (issue 5): Exempelstad (full size) served by `resurs serve`;
# server-side time of the start page and the committee follow-up page (median
# of 200 sequential requests, from the server's own log line per request, plus
# wrk's latency at one connection), throughput at 32 connections with wrk, and
# the first (uncached) render after a change. Peer in the same run: DuckDB
# (PyPI) computing the committee page's sums (outcome and budget per ansvar,
# year to date) from the same ledger exported to CSV.
# Usage: scripts/bench/web.sh      Needs: wrk (Debian), python3 -m pip install duckdb.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cargo build --release --manifest-path "$root/Cargo.toml" >/dev/null
bin="${CARGO_TARGET_DIR:-$root/target}/release/resurs"
work="${BENCH_DIR:-$(mktemp -d)}"
mkdir -p "$work"
cd "$work"
port=18181
base="http://127.0.0.1:$port"
if [ ! -f web.db ]; then "$bin" --db web.db demo >/dev/null 2>&1; fi
RESURS_LOG=info "$bin" --db web.db serve --demo --addr "127.0.0.1:$port" 2> serve.log &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -fs "$base/halsa" >/dev/null && break; sleep 0.2; done
cookie=$(curl -s -o /dev/null -D - -d "namn=ekonom&losenord=demo-ekonom-2026" "$base/logga-in" \
  | sed -n 's/^set-cookie: \(resurs_sid=[0-9a-f]*\).*/\1/ip')
start_page="/"
committee="/uppfoljning?nod=VON&period=2026-10&layout=kostnad"

echo "== first (uncached) render"
for p in "$start_page" "$committee"; do
  curl -s -o /dev/null -w "$p: %{http_code} %{time_total} s\n" -H "Cookie: $cookie" "$base$p"
done

median_ms() { # path → median of the server's own ms for that path over 200 requests
  local path="$1" log_from
  log_from=$(wc -l < serve.log)
  for _ in $(seq 200); do curl -s -o /dev/null -H "Cookie: $cookie" "$base$path"; done
  tail -n +"$((log_from + 1))" serve.log | grep -o 'ms=[0-9.]*' | cut -d= -f2 | sort -n \
    | awk '{a[NR]=$1} END {printf "%.3f ms (n=%d, p90 %.3f ms)\n", a[int((NR+1)/2)], NR, a[int(NR*0.9)]}'
}
echo "== server-side time, cached, median of 200 sequential requests"
echo "start page: $(median_ms "$start_page")"
echo "committee follow-up: $(median_ms "$committee")"

for p in "$start_page" "$committee"; do
  echo "== wrk $p: 1 connection (latency), then 32 connections"
  wrk -t1 -c1 -d10s --latency -H "Cookie: $cookie" "$base$p" | grep -E "50%|Requests/sec|Non-2xx|errors" || true
  wrk -t2 -c32 -d20s --latency -H "Cookie: $cookie" "$base$p" | grep -E "50%|99%|Requests/sec|Non-2xx|errors|requests in" || true
done

echo "== peer: DuckDB, the committee sums from the ledger as CSV"
python3 - web.db <<'PY'
import csv, sqlite3, sys, time, duckdb
con = sqlite3.connect(sys.argv[1])
with open("huvudbok.csv", "w", newline="") as f:
    w = csv.writer(f); w.writerow(["period", "konto", "ansvar", "belopp"])
    w.writerows(con.execute("SELECT period, konto, ansvar, belopp FROM huvudbok"))
d = duckdb.connect()
q = """SELECT ansvar, konto, SUM(CASE WHEN period BETWEEN 202601 AND 202610 THEN belopp END) utfall,
              SUM(CASE WHEN period BETWEEN 202501 AND 202510 THEN belopp END) fg_ar
       FROM read_csv_auto('huvudbok.csv') GROUP BY ansvar, konto"""
times = []
for _ in range(5):
    t = time.perf_counter(); rows = d.execute(q).fetchall(); times.append(time.perf_counter() - t)
times.sort()
print(f"duckdb {duckdb.__version__}: {len(rows)} ansvar×konto sums, median {times[2]*1000:.1f} ms (from CSV, uncached)")
PY
