#!/usr/bin/env python3
"""Writes the Kolada-shaped demo files of Exempelstad (crates/app/data/demo/kolada/).

Fictional municipalities with codes 99xx (no real Swedish municipality has a
code starting with 99): Exempelstad 9999, eight peers of the same population
group and two smaller ones; 0000 is the country. Deterministic (seed 13).
Run from the repository root: python3 scripts/kolada_demo.py
"""
import csv, json, random

random.seed(13)
OUT = "crates/app/data/demo/kolada/"
GROUP = "50 000–99 999 invånare"
SMALL = "10 000–49 999 invånare"
MUNI = [("9999", "Exempelstad", GROUP), ("0000", "Riket", "")] + [
    (f"99{i:02d}", n, GROUP) for i, n in enumerate(
        ["Ekeberga", "Granvika", "Hagaby", "Lindåsa", "Mossvik", "Björkhamn", "Rönnstad", "Tallmo"], start=1)
] + [("9911", "Småköping", SMALL), ("9912", "Lillsund", SMALL)]
kpis = list(csv.DictReader(open("crates/app/data/kolada_kpi.csv", encoding="utf-8"), delimiter=";"))
BASE = {"N00669": 42000, "N00671": 25500, "N00672": 118000, "N00673": 9800, "N00674": 4700}
years = range(2021, 2026)

def base(k):
    if k["kpi"] in BASE:
        return BASE[k["kpi"]]
    return {"%": 78.0, "dagar": 45.0, "antal": 14.0, "kr": 410000.0}.get(k["enhet"], 50.0)

gendered = {k["kpi"] for k in kpis if k["enhet"] == "%" and k["kpi"].startswith("U")}
entries = []
for k in kpis:
    b = base(k)
    for code, _, _ in MUNI:
        level = 1.0 if code == "0000" else random.uniform(0.85, 1.15)
        if code == "9999":
            level = 1.06 if k["kpi"].startswith("N") else 0.97
        trend = random.uniform(-0.01, 0.035)
        for y in years:
            v = b * level * (1 + trend) ** (y - 2021) * random.uniform(0.985, 1.015)
            if k["enhet"] == "%":
                v = min(v, 99.0)
            rnd = 0 if k["enhet"] in ("kr/inv", "kr") else 1
            t = round(v, rnd)
            vals = [{"count": 1, "gender": "T", "status": "", "value": t}]
            if k["kpi"] in gendered:
                vals.append({"count": 1, "gender": "K", "status": "", "value": round(min(t * random.uniform(1.0, 1.05), 99.5), 1)})
                vals.append({"count": 1, "gender": "M", "status": "", "value": round(t * random.uniform(0.94, 1.0), 1)})
            entries.append({"kpi": k["kpi"], "municipality": code, "period": y, "values": vals})

half = len(entries) // 2
p1 = {"count": half, "values": entries[:half],
      "next_page": "https://api.kolada.se/v2/data/kpi/demo?page=2&per_page=%d" % half, "previous_page": None}
p2 = {"count": len(entries) - half, "values": entries[half:], "next_url": None, "previous_url": None}
json.dump(p1, open(OUT + "varden-sida1.json", "w", encoding="utf-8"), ensure_ascii=False, separators=(",", ":"))
json.dump(p2, open(OUT + "varden-sida2.json", "w", encoding="utf-8"), ensure_ascii=False, separators=(",", ":"))
meta = {"count": len(kpis), "values": [
    {"id": k["kpi"], "title": k["titel"], "description": "Demonyckeltal för Exempelstad (påhittade värden).",
     "is_divided_by_gender": 1 if k["kpi"] in gendered else 0, "municipality_type": "K",
     "operating_area": k["omrade"], "unit": k["enhet"]} for k in kpis]}
json.dump(meta, open(OUT + "nyckeltal.json", "w", encoding="utf-8"), ensure_ascii=False, indent=1)
mun = {"count": len(MUNI), "values": [
    {"id": c, "title": n, "type": "L" if c == "0000" else "K", "population_group": g} for c, n, g in MUNI]}
json.dump(mun, open(OUT + "kommuner.json", "w", encoding="utf-8"), ensure_ascii=False, indent=1)
