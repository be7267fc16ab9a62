#!/usr/bin/env bash
# Compares the full demo's settlements (2025-01..2026-10), the 2026-10
# follow-ups (both layouts, with and without "Prognos 2") and the committee
# reports (month 2026-10, interim 2026-08, annual 2025-12, interim 2026-08 for
# VON: the stored document as JSON, every cell) with the outputs recorded in
# crates/cli/tests/golden/exempelstad/. The reports are made in a copy of the
# database, so the database itself is left as it was.
#   scripts/golden.sh BINARY DATABASE          compare (exit 1 on a difference)
#   GOLDEN_WRITE=1 scripts/golden.sh BINARY DATABASE   record anew (a deliberate change)
# The database must hold the demo (`resurs --db DATABASE demo`).
set -euo pipefail
bin="$1"; db="$2"
dir="$(cd "$(dirname "$0")/.." && pwd)/crates/cli/tests/golden/exempelstad"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
for y in 2025 2026; do
  for m in 01 02 03 04 05 06 07 08 09 10 11 12; do
    p="$y-$m"; [[ "$p" > "2026-10" ]] && continue
    "$bin" --db "$db" settle --period "$p" --format json > "$work/settle_$p.json" 2>/dev/null
  done
done
for layout in kostnad resultat; do
  "$bin" --db "$db" followup --period 2026-10 --layout "$layout" --prognos förslag --format json > "$work/followup_$layout.json"
  "$bin" --db "$db" followup --period 2026-10 --layout "$layout" --prognos "Prognos 2" --format json > "$work/followup_${layout}_prognos2.json"
done
cp "$db" "$work/rapport.db"
[ -f "$db.pseudonymnyckel" ] && cp -p "$db.pseudonymnyckel" "$work/rapport.db.pseudonymnyckel"
id=0
for c in "manad 2026-10" "delar 2026-08" "ar 2025-12" "delar 2026-08 VON"; do
  set -- $c; id=$((id + 1))
  name="rapport_$1_$2${3:+_$3}"
  "$bin" --db "$work/rapport.db" rapport --typ "$1" --period "$2" ${3:+--nod "$3"} --format xlsx --ut "$work/$name.xlsx" \
    2>"$work/rapport.err" || { cat "$work/rapport.err" >&2; exit 1; }
  python3 - "$work/rapport.db" "$id" > "$work/$name.json" <<'PY'
import json, sqlite3, sys
doc, state = sqlite3.connect(sys.argv[1]).execute("SELECT innehall, datalage FROM rapport WHERE id = ?", (int(sys.argv[2]),)).fetchone()
json.dump({"dokument": json.loads(doc), "datalage": json.loads(state)}, sys.stdout, ensure_ascii=False, separators=(",", ":"))
PY
  rm "$work/$name.xlsx" "$work/rapport.err"
done
rm -f "$work"/rapport.db*
python3 - "$dir" "$work" "${GOLDEN_WRITE:-}" <<'PY'
import json, os, sys
golden, work, write = sys.argv[1], sys.argv[2], sys.argv[3]
def diff(path, a, b, out):
    if len(out) >= 10: return
    if isinstance(a, dict) and isinstance(b, dict):
        for k in a:
            if k in b: diff(f"{path}.{k}", a[k], b[k], out)
            else: out.append(f"{path}.{k}: saknas efter")
        for k in b:
            if k not in a: out.append(f"{path}.{k}: ny efter")
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b): out.append(f"{path}: {len(a)} element före, {len(b)} efter")
        for i, (x, y) in enumerate(zip(a, b)): diff(f"{path}[{i}]", x, y, out)
    elif a != b:
        out.append(f"{path}: {a} före, {b} efter")
bad = 0
for name in sorted(os.listdir(work)):
    now = json.load(open(os.path.join(work, name)))
    if write:
        with open(os.path.join(golden, name), "w") as f:
            json.dump(now, f, ensure_ascii=False, separators=(",", ":")); f.write("\n")
        continue
    before = json.load(open(os.path.join(golden, name)))
    out = []
    diff("", before, now, out)
    if out:
        bad += 1
        print(name + ":\n  " + "\n  ".join(out))
if write:
    print("golden: recorded", len(os.listdir(work)), "outputs in", golden)
elif bad:
    sys.exit(f"golden: {bad} outputs differ from the recorded ones")
else:
    print("golden ok:", len(os.listdir(work)), "outputs identical to the recorded ones")
PY
