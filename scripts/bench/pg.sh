#!/usr/bin/env bash
# PostgreSQL against SQLite on the full demo (issue 15, docs/PERFORMANCE.md):
# starts a throwaway PostgreSQL cluster (Debian's package; fsync on,
# shared_buffers=1GB, max_wal_size=8GB, Unix socket only), then, with the
# two backends interleaved in the same run:
#   - `resurs demo` RUNS times on each (a new SQLite file / database each time),
#   - `settle --period 2026-03` and `followup --period 2026-10` with hyperfine,
#   - `info --kontrollsumma` on each (the checksums must be equal).
# Usage: scripts/bench/pg.sh [RUNS]      (default 3)
# Needs: hyperfine (Debian), run as root or as a user that can run initdb.
set -euo pipefail
[[ -n "${TRACE:-}" ]] && set -x
root="$(cd "$(dirname "$0")/../.." && pwd)"
runs="${1:-3}"
cargo build --release --locked --manifest-path "$root/Cargo.toml" -p resurs >/dev/null
bin="${CARGO_TARGET_DIR:-$root/target}/release/resurs"
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
work=$(mktemp -d /tmp/resurs-pgbench.XXXXXX)
chmod 755 "$work"
as_pg() { if [[ $(id -u) -eq 0 ]]; then chown -R postgres "$work/pg"; runuser -u postgres -- "$@"; else "$@"; fi; }
mkdir -p "$work/pg"
port=5441
cleanup() { as_pg "$pgbin/pg_ctl" -D "$work/pg/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
as_pg "$pgbin/initdb" -D "$work/pg/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$pgbin/pg_ctl" -D "$work/pg/data" -l "$work/pg/log" -w \
  -o "-k $work/pg -p $port -c listen_addresses='' -c shared_buffers=1GB -c max_wal_size=8GB" start >/dev/null
server="postgresql://postgres@${work//\//%2F}%2Fpg:$port"
psql() { as_pg "$pgbin/psql" -h "$work/pg" -p "$port" -U postgres -q "$@"; }
export RESURS_PSEUDONYM_KEY=$(printf '00%.0s' $(seq 32))
cd "$work"
echo "== $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}')"
for i in $(seq "$runs"); do
  rm -f m.db
  /usr/bin/time -o t.txt -f "%e %M" "$bin" --db m.db demo >/dev/null 2>&1; s=$(tail -1 t.txt)
  psql -d postgres -c "DROP DATABASE IF EXISTS m" -c "CREATE DATABASE m"
  /usr/bin/time -o t.txt -f "%e %M" "$bin" --db "$server/m" demo >/dev/null 2>&1; p=$(tail -1 t.txt)
  python3 -c "import sys; s,sm,p,pm=map(float,sys.argv[1:5]); print(f'demo {sys.argv[5]}: SQLite {s:.2f} s ({sm/1024:.0f} MB), PostgreSQL {p:.2f} s ({pm/1024:.0f} MB), kvot {p/s:.2f}')" $s $p "$i"
done
psql -d m -c ANALYZE
for cmd in "settle --period 2026-03 --format json" "followup --period 2026-10 --format json"; do
  hyperfine -N --warmup 1 --runs 10 "$bin --db m.db $cmd" "$bin --db $server/m $cmd" 2>&1 \
    | grep -E "Time|±|faster|Benchmark" || true
done
/usr/bin/time -o t.txt -f "%e" "$bin" --db m.db info --kontrollsumma --format json > a.json; a=$(tail -1 t.txt)
/usr/bin/time -o t.txt -f "%e" "$bin" --db "$server/m" info --kontrollsumma --format json > b.json; b=$(tail -1 t.txt)
python3 - a.json b.json "$a" "$b" <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
print(f"info --kontrollsumma: SQLite {float(sys.argv[3]):.2f} s, PostgreSQL {float(sys.argv[4]):.2f} s; "
      f"kontrollsummor {'lika' if a.get('kontrollsumma') == b.get('kontrollsumma') else 'OLIKA'}")
PY
