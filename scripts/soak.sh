#!/usr/bin/env bash
# Soak test: the full Exempelstad served by `resurs serve`, 32 connections for
# DURATION (default 30 min) over the main pages and the API, with wrk, as a
# signed-in controller. Passes when wrk saw 0 socket errors and 0 non-2xx
# answers, and the server's memory is flat: the mean RSS of the last fifth of
# the run is within 10 % (and 30 MB) of the mean of the second fifth (the first
# fifth fills the caches). RSS is sampled every 10 s into soak-rss.csv.
# Usage: scripts/soak.sh [DURATION]   e.g. scripts/soak.sh 30m, scripts/soak.sh 2m
# Needs: wrk (Debian). The result of the last full run is in docs/feltester.md.
set -euo pipefail
duration="${1:-30m}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cargo build --release --locked --manifest-path "$root/Cargo.toml" >/dev/null
bin="${CARGO_TARGET_DIR:-$root/target}/release/resurs"
work="${SOAK_DIR:-$(mktemp -d)}"
mkdir -p "$work"
cd "$work"
port=18282
base="http://127.0.0.1:$port"
if [ ! -f soak.db ]; then "$bin" --db soak.db demo >/dev/null 2>&1; fi
RESURS_LOG=warn "$bin" --db soak.db serve --demo --addr "127.0.0.1:$port" 2> serve.log &
server=$!
trap 'kill $server 2>/dev/null || true; kill $sampler 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -fs "$base/halsa" >/dev/null && break; sleep 0.2; done
cookie=$(curl -s -o /dev/null -D - -d "namn=ekonom&losenord=demo-ekonom-2026" "$base/logga-in" \
  | sed -n 's/^set-cookie: \(resurs_sid=[0-9a-f]*\).*/\1/ip')
[ -n "$cookie" ] || { echo "sign-in failed"; exit 1; }

cat > soak.lua <<'LUA'
local paths = {
  "/", "/organisation", "/organisation/VON?period=2026-10",
  "/uppfoljning?nod=VON&period=2026-10&layout=kostnad",
  "/uppfoljning?nod=VON&period=2026-10&layout=resultat",
  "/prognoser?ar=2026", "/avrakning?period=2026-03", "/modeller", "/logg",
  "/api/uppfoljning?period=2026-10", "/api/trend?period=2026-10", "/api/avrakning?period=2026-03",
  "/api/modeller", "/api/prognoser?ar=2026", "/api/mig",
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format("requests %d, socket errors connect %d read %d write %d timeout %d, status>=400 %d, p99 %.1f ms\n",
    summary.requests, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout, summary.errors.status, latency:percentile(99) / 1000))
end
LUA

echo "t_s,rss_kb" > soak-rss.csv
( t=0; while kill -0 $server 2>/dev/null; do
    echo "$t,$(awk '/VmRSS/ {print $2}' /proc/$server/status)" >> soak-rss.csv; sleep 10; t=$((t + 10)); done ) &
sampler=$!

echo "== wrk: 32 connections, $duration"
wrk -t 2 -c 32 -d "$duration" --timeout 10s -s soak.lua -H "Cookie: $cookie" "$base" | tee wrk.txt
kill $sampler 2>/dev/null || true

python3 - wrk.txt soak-rss.csv <<'PY'
import csv, re, sys
text = open(sys.argv[1]).read()
m = re.search(r"requests (\d+), socket errors connect (\d+) read (\d+) write (\d+) timeout (\d+), status>=400 (\d+)", text)
assert m, text
req, *errs = map(int, m.groups())
rows = [(int(r["t_s"]), int(r["rss_kb"])) for r in csv.DictReader(open(sys.argv[2])) if r["rss_kb"]]
n = len(rows)
fifth = max(1, n // 5)
second = [kb for _, kb in rows[fifth:2 * fifth]] or [rows[0][1]]
last = [kb for _, kb in rows[-fifth:]]
a, b = sum(second) / len(second), sum(last) / len(last)
print(f"requests {req}; errors {sum(errs)} (connect/read/write/timeout/status>=400 {errs}); "
      f"RSS second fifth {a / 1024:.1f} MB, last fifth {b / 1024:.1f} MB, max {max(kb for _, kb in rows) / 1024:.1f} MB, {n} samples")
ok = sum(errs) == 0 and (b - a) <= max(0.10 * a, 30 * 1024)
print("soak: OK" if ok else "soak: FAILED")
sys.exit(0 if ok else 1)
PY
