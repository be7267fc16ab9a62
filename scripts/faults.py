#!/usr/bin/env python3
"""Fault tests: kill -9 at random moments, and a full disk.

For each operation (a large visit import into a small Exempelstad, a stored
settlement run and a budget save on the full Exempelstad) the script measures the database before and after one uninterrupted
run, then runs it RUNS times and kills it with SIGKILL after a random delay
between 0 and 1.2 × the uninterrupted duration. After every kill:

  - SQLite's integrity check answers "ok" (the hot journal is rolled back);
  - the row count of every table equals either the state before or the state
    after the operation (all-or-nothing, nothing half-written);
  - `resurs info` still works.

Disk full: the database is copied onto a small tmpfs (needs root and mount;
skipped with a note otherwise), a large import is run that cannot fit; it must
fail with a Swedish message that says the disk is full and leave every table
as it was.

Usage: scripts/faults.py [--runs 50] [--rows 300000] [--bin PATH]
Prints one line per operation and exits non-zero on any violation.
The figures of the last run are in docs/feltester.md.
"""

import argparse
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def build(bin_arg):
    if bin_arg:
        return bin_arg
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    subprocess.run(["cargo", "build", "--release", "--locked", "--manifest-path", os.path.join(ROOT, "Cargo.toml")],
                   check=True, stdout=subprocess.DEVNULL)
    return os.path.join(target, "release", "resurs")


def signature(db):
    """Row count of every table: the state an operation moves between."""
    con = sqlite3.connect(db)
    try:
        ok = con.execute("PRAGMA integrity_check").fetchone()[0]
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        counts = tuple((t, con.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]) for t in tables)
    finally:
        con.close()
    return ok, counts


def copy_db(src, dst):
    for suffix in ("", ".pseudonymnyckel"):
        shutil.copyfile(src + suffix, dst + suffix)
    for suffix in ("-journal", "-wal"):
        if os.path.exists(dst + suffix):
            os.remove(dst + suffix)


def run_once(bin_path, db, args):
    start = time.monotonic()
    p = subprocess.run([bin_path, "--db", db, "--anvandare", "feltest"] + args,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return time.monotonic() - start, p


def kill_test(name, bin_path, base, work, args, runs, rng):
    db = os.path.join(work, "t.db")
    copy_db(base, db)
    ok, before = signature(db)
    assert ok == "ok", ok
    duration, p = run_once(bin_path, db, args)
    if p.returncode != 0:
        sys.exit(f"{name}: the uninterrupted run failed: {p.stderr}")
    _, after = signature(db)
    if before == after:
        sys.exit(f"{name}: the operation changed nothing; the test would prove nothing")
    seen = {"före": 0, "efter": 0}
    for i in range(runs):
        copy_db(base, db)
        delay = rng.uniform(0, duration * 1.2)
        proc = subprocess.Popen([bin_path, "--db", db, "--anvandare", "feltest"] + args,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        ok, sig = signature(db)
        if ok != "ok":
            sys.exit(f"{name}: run {i + 1}: integrity check answered {ok!r}")
        if sig == before:
            seen["före"] += 1
        elif sig == after:
            seen["efter"] += 1
        else:
            diff = [(a, b) for a, b in zip(before, sig) if a != b]
            sys.exit(f"{name}: run {i + 1} (killed after {delay:.3f} s): half-written state {diff}")
        info = subprocess.run([bin_path, "--db", db, "info", "--format", "json"], capture_output=True)
        if info.returncode != 0:
            sys.exit(f"{name}: run {i + 1}: resurs info failed afterwards: {info.stderr!r}")
    print(f"{name}: {runs} kill -9 inom 0–{duration * 1.2:.2f} s: integritet ok varje gång; "
          f"oförändrad {seen['före']}, helt genomförd {seen['efter']}, halvskriven 0")
    return seen


def disk_full_test(bin_path, base, visits, work):
    mnt = os.path.join(work, "liten-disk")
    os.makedirs(mnt, exist_ok=True)
    size_kb = os.path.getsize(base) // 1024 + 2048
    m = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", mnt], capture_output=True)
    if m.returncode != 0:
        print(f"disk full: skipped (mount not permitted: {m.stderr.decode().strip()})")
        return None
    try:
        db = os.path.join(mnt, "t.db")
        copy_db(base, db)
        _, before = signature(db)
        _, p = run_once(bin_path, db, ["import", "besok", visits])
        _, after = signature(db)
        msg = p.stderr.strip()
        if p.returncode == 0:
            sys.exit("disk full: the import succeeded on a disk too small for it")
        if "full" not in msg.lower() or "internt fel" in msg:
            sys.exit(f"disk full: expected a clear Swedish message about the full disk, got: {msg}")
        if after != before:
            sys.exit("disk full: the database changed")
        print(f"disk full ({size_kb} kB tmpfs): avvisad med \"{msg.splitlines()[0]}\"; databasen oförändrad")
        return msg
    finally:
        subprocess.run(["umount", mnt])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--rows", type=int, default=300000)
    ap.add_argument("--bin")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    bin_path = build(a.bin)
    rng = random.Random(a.seed)
    with tempfile.TemporaryDirectory() as work:
        base = os.path.join(work, "bas.db")
        subprocess.run([bin_path, "--db", base, "demo", "--skala", "2"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        visits = os.path.join(work, "besok.csv")
        subprocess.run([bin_path, "gen", "visits", "--rows", str(a.rows), "--seed", "7", "--output", visits],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # The settlement and the budget run on the full Exempelstad, so that
        # they take long enough for a kill to land inside them.
        full = os.path.join(work, "full.db")
        subprocess.run([bin_path, "--db", full, "demo"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        frame = os.path.join(ROOT, "docs", "budget", "ram_2027.toml")
        kill_test("import av besök", bin_path, base, work, ["import", "besok", visits], a.runs, rng)
        kill_test("avräkning (sparad körning)", bin_path, full, work, ["settle", "--period", "2026-03"], a.runs, rng)
        kill_test("budget (sparad version)", bin_path, full, work,
                  ["budget", "frame", frame, "--spara", "--periodisering", "profil"], a.runs, rng)
        disk_full_test(bin_path, base, visits, work)


if __name__ == "__main__":
    main()
