#!/usr/bin/env python3
"""Maps the figures of a follow-up JSON in the old tree shape (`rot` with
`kolumner` per heading, `konton`, `manuell_prognos`, `barn`; ratios as
fractions) to the row shape (`kolumner` + `rader` with `varden`; ratios in
hundredths of a percent) and checks that every figure of every row is the
same. Used once when the JSON shape changed (issue 10, item 4):

    scripts/followup-map.py OLD.json NEW.json

Exit 1 with the differences listed, otherwise one line with the counts.
"""
import json
import sys

old = json.load(open(sys.argv[1]))
new = json.load(open(sys.argv[2]))
cols = new["kolumner"]
rows = new["rader"]
bad = []
checked = {"rader": 0, "belopp": 0, "kvoter": 0}


def expect(what, a, b):
    if a != b:
        bad.append(f"{what}: {a} före, {b} efter")


def walk_old(n, depth, out):
    """The old tree in the new print order: node, accounts, special-effect
    lines, the forecast adjustment, children."""
    out.append(("nod", depth, n["kod"], n["belopp"], n.get("kolumner", {}), n.get("specialposter", {})))
    for k in n.get("konton", []):
        out.append(("konto", depth + 1, k["konto"], k["belopp"], k.get("kolumner", {}), {}))
    for e in n.get("exkluderade_specialposter", []) or []:
        out.append(("specialpost", depth + 1, "", e["belopp"], None, {}))
    m = n.get("manuell_prognos")
    if m:
        amounts = {"utfall": 0, "budget": 0, "budget_helar": 0, "prognos": m["justering"], "fg_ar": 0}
        out.append(("prognosjustering", depth + 1, "", amounts, None, {}))
    for b in n.get("barn", []):
        walk_old(b, depth + 1, out)


before = []
walk_old(old["rot"], 0, before)
expect("antal rader", len(before), len(rows))
for key in ["period", "layout", "budgetversion", "utan_specialposter", "specialposter"]:
    expect(key, old.get(key), new.get(key))
for (typ, depth, kod, amounts, columns, tags), r in zip(before, rows):
    where = f"rad {kod or typ} ({r['kod'] or r['typ']})"
    checked["rader"] += 1
    expect(f"{where} typ", typ, r["typ"])
    expect(f"{where} djup", depth, r["djup"])
    expect(f"{where} kod", kod, r["kod"])
    expect(f"{where} belopp", amounts, r["belopp"])
    for c, v in zip(cols, r["varden"]):
        if c["nyckel"] == "specialpost":
            was = tags.get(c["tagg"], {}).get("utfall") if typ == "nod" else None
            expect(f"{where} {c['rubrik']}", was, v)
            checked["belopp"] += 1
            continue
        if columns is None:
            continue  # the old tree had no columns on these lines
        was = columns[c["rubrik"]]
        if c["slag"] == "andel":
            checked["kvoter"] += 1
            # fraction (millionths ÷ 10⁶) → hundredths of a percent; ±1 for double rounding
            if (was is None) != (v is None) or (v is not None and abs(round(was * 10_000) - v) > 1):
                bad.append(f"{where} {c['rubrik']}: {was} före, {v} efter")
        else:
            checked["belopp"] += 1
            expect(f"{where} {c['rubrik']}", was, v)
    if typ == "nod":
        expect(f"{where} specialposter", tags, r.get("specialposter", {}))
if bad:
    print("\n".join(bad[:40]))
    sys.exit(f"{len(bad)} skillnader")
print(f"samma siffror: {checked['rader']} rader, {checked['belopp']} belopp, {checked['kvoter']} kvoter")
