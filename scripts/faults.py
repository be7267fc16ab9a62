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

PostgreSQL: with --pg URL (a server where the script may create and drop
databases, e.g. the one `scripts/pg-test --keep` prints) the same kills run
against PostgreSQL: each run starts from a copy made with CREATE DATABASE …
TEMPLATE, and the check is the row count of every table (PostgreSQL itself
guarantees a consistent database after a client dies; what is checked is that
Resurs's transaction is all-or-nothing). The disk-full part is SQLite only.

Usage: scripts/faults.py [--runs 50] [--rows 300000] [--bin PATH] [--pg URL]
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


PG_KEY = "00" * 32  # a fixed pseudonym key for the PostgreSQL runs


def pg_url(server, name):
    head, _, tail = server.rpartition("/")
    query = ""
    if "?" in tail:
        query = "?" + tail.split("?", 1)[1]
    return f"{head}/{name}{query}"


def psql(url, sql):
    p = subprocess.run(["psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
                       capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"psql: {p.stderr.strip()}")
    return p.stdout.strip()


class Sqlite:
    name = "SQLite"

    def __init__(self, work):
        self.work = work

    def base(self, name):
        return os.path.join(self.work, name + ".db")

    def copy(self, base):
        db = os.path.join(self.work, "t.db")
        copy_db(base, db)
        return db

    def signature(self, db):
        return signature(db)

    def env(self):
        return None


class Postgres:
    name = "PostgreSQL"

    def __init__(self, server):
        self.server = server

    def base(self, name):
        psql(self.server, f"DROP DATABASE IF EXISTS fel_{name} WITH (FORCE)")
        psql(self.server, f"CREATE DATABASE fel_{name}")
        return pg_url(self.server, f"fel_{name}")

    def copy(self, base):
        template = base.rpartition("/")[2].split("?")[0]
        psql(self.server, "DROP DATABASE IF EXISTS fel_t WITH (FORCE)")
        psql(self.server, f"CREATE DATABASE fel_t TEMPLATE {template}")
        return pg_url(self.server, "fel_t")

    def signature(self, db):
        tables = psql(db, "SELECT table_name FROM information_schema.tables "
                          "WHERE table_schema = 'public' ORDER BY table_name").split()
        sql = " UNION ALL ".join(f"SELECT '{t}', COUNT(*) FROM \"{t}\"" for t in tables)
        rows = psql(db, sql).splitlines()
        return "ok", tuple((r.split("|")[0], int(r.split("|")[1])) for r in rows)

    def env(self):
        return dict(os.environ, RESURS_PSEUDONYM_KEY=PG_KEY)


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


def run_once(bin_path, db, args, env=None):
    start = time.monotonic()
    p = subprocess.run([bin_path, "--db", db, "--anvandare", "feltest"] + args,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    return time.monotonic() - start, p


def kill_test(name, bin_path, backend, base, args, runs, rng):
    db = backend.copy(base)
    ok, before = backend.signature(db)
    assert ok == "ok", ok
    duration, p = run_once(bin_path, db, args, backend.env())
    if p.returncode != 0:
        sys.exit(f"{name}: the uninterrupted run failed: {p.stderr}")
    _, after = backend.signature(db)
    if before == after:
        sys.exit(f"{name}: the operation changed nothing; the test would prove nothing")
    seen = {"före": 0, "efter": 0}
    for i in range(runs):
        db = backend.copy(base)
        delay = rng.uniform(0, duration * 1.2)
        proc = subprocess.Popen([bin_path, "--db", db, "--anvandare", "feltest"] + args,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=backend.env())
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        ok, sig = backend.signature(db)
        if ok != "ok":
            sys.exit(f"{name}: run {i + 1}: integrity check answered {ok!r}")
        if sig == before:
            seen["före"] += 1
        elif sig == after:
            seen["efter"] += 1
        else:
            diff = [(a, b) for a, b in zip(before, sig) if a != b]
            sys.exit(f"{name}: run {i + 1} (killed after {delay:.3f} s): half-written state {diff}")
        info = subprocess.run([bin_path, "--db", db, "info", "--format", "json"], capture_output=True,
                              env=backend.env())
        if info.returncode != 0:
            sys.exit(f"{name}: run {i + 1}: resurs info failed afterwards: {info.stderr!r}")
    print(f"{backend.name}, {name}: {runs} kill -9 inom 0–{duration * 1.2:.2f} s: integritet ok varje gång; "
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
    ap.add_argument("--pg", metavar="URL")
    a = ap.parse_args()
    bin_path = build(a.bin)
    rng = random.Random(a.seed)
    with tempfile.TemporaryDirectory() as work:
        backend = Postgres(a.pg) if a.pg else Sqlite(work)
        base = backend.base("bas")
        subprocess.run([bin_path, "--db", base, "demo", "--skala", "2"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=backend.env())
        visits = os.path.join(work, "besok.csv")
        subprocess.run([bin_path, "gen", "visits", "--rows", str(a.rows), "--seed", "7", "--output", visits],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # The settlement and the budget run on the full Exempelstad, so that
        # they take long enough for a kill to land inside them.
        full = backend.base("full")
        subprocess.run([bin_path, "--db", full, "demo"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=backend.env())
        frame = os.path.join(ROOT, "docs", "budget", "ram_2027.toml")
        kill_test("import av besök", bin_path, backend, base, ["import", "besok", visits], a.runs, rng)
        kill_test("avräkning (sparad körning)", bin_path, backend, full, ["settle", "--period", "2026-03"], a.runs, rng)
        kill_test("budget (sparad version)", bin_path, backend, full,
                  ["budget", "frame", frame, "--spara", "--periodisering", "profil"], a.runs, rng)
        if a.pg:
            print("full disk: bara SQLite (PostgreSQL-serverns disk prövas inte här)")
        else:
            disk_full_test(bin_path, base, visits, work)


if __name__ == "__main__":
    main()
