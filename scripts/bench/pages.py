#!/usr/bin/env python3
"""Every page and API call of the web application (issue 11, "Speed").

Starts `resurs serve --demo` on the full Exempelstad, signs in as ekonom,
collects the pages reachable by links from the start page (at most PER_SECTION
per first path segment, like the browser test crates/web/tests/layout.rs)
plus the JSON API's GET endpoints, and for each:
  - server-side time: median and p99 of N sequential requests, from the
    server's own log line per request (`ms=`), after one warm-up request;
  - wrk at 32 connections for SECONDS s: requests/s, median and p99 latency.
Optionally (--minne MIN) a long wrk run at 32 connections on
/api/uppfoljning sampling the server's RSS every 15 s (memory must stay flat).

Usage: scripts/bench/pages.py [--n 50] [--seconds 5] [--minne 10]
Needs: a release build (cargo build --release), wrk (Debian).
Prints a Markdown table for docs/PERFORMANCE.md.
"""
import argparse
import html.parser
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PER_SECTION = 4
API = [
    "/api/mig",
    "/api/uppfoljning?period=2026-10",
    "/api/uppfoljning?period=2026-10&nod=VON",
    "/api/organisation/711/konto/4010?period=2026-10",
    "/api/trend?period=2026-10",
    "/api/prognoser?ar=2026",
    "/api/avrakning?period=2026-10",
    "/api/modeller",
    "/api/logg",
    "/api/acconto?period=2026-10",
    "/api/assistans?period=2026-10",
    "/api/placeringar?period=2026-10",
    "/api/budget?ar=2026",
    "/api/intraprenad?period=2026-10",
    "/api/prognossakerhet?ar=2025",
]


class Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.out = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and "href" in a and "download" not in a:
            self.out.append(a["href"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=50)
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--minne", type=float, default=0, help="minutes of wrk on /api/uppfoljning with RSS samples")
    ap.add_argument("--max", type=int, default=60)
    ap.add_argument("--bin", help="a built resurs binary (default: cargo build --release)")
    ap.add_argument("--bara-minne", action="store_true", help="only the memory run (--minne)")
    args = ap.parse_args()

    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    if args.bin:
        binary = args.bin
    else:
        subprocess.run(["cargo", "build", "--release", "--locked", "-p", "resurs"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        binary = os.path.join(target, "release", "resurs")
    work = os.environ.get("BENCH_DIR") or tempfile.mkdtemp()
    os.makedirs(work, exist_ok=True)
    db = os.path.join(work, "web.db")
    if not os.path.exists(db):
        subprocess.run([binary, "--db", db, "demo"], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    port = 18182
    base = f"http://127.0.0.1:{port}"
    log_path = os.path.join(work, "serve.log")
    log = open(log_path, "w")
    env = dict(os.environ, RESURS_LOG="info")
    server = subprocess.Popen([binary, "--db", db, "serve", "--demo", "--addr", f"127.0.0.1:{port}"],
                              stderr=log, stdout=subprocess.DEVNULL, env=env)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/halsa", timeout=2)
                break
            except Exception:
                time.sleep(0.2)
        data = urllib.parse.urlencode({"namn": "ekonom", "losenord": "demo-ekonom-2026"}).encode()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *a, **k):
                return None

        opener = urllib.request.build_opener(NoRedirect)
        try:
            opener.open(base + "/logga-in", data=data)
        except urllib.error.HTTPError as e:
            cookie = re.search(r"(resurs_sid=[0-9a-f]+)", e.headers.get("Set-Cookie", "")).group(1)

        def get(path):
            req = urllib.request.Request(base + path, headers={"Cookie": cookie})
            with urllib.request.urlopen(req) as r:
                return r.status, r.read()

        # Crawl.
        seen, per, queue, pages = set(), {}, ([] if args.bara_minne else ["/"]), []
        while queue and len(pages) < args.max:
            p = queue.pop(0)
            if p in seen:
                continue
            seen.add(p)
            section = re.split(r"[/?]", p)[1] if len(p) > 1 else ""
            if per.get(section, 0) >= PER_SECTION:
                continue
            per[section] = per.get(section, 0) + 1
            status, body = get(p)
            if status != 200:
                continue
            pages.append(p)
            parser = Links()
            parser.feed(body.decode("utf-8", "replace"))
            for h in parser.out:
                h = h.split("#")[0]
                if (h.startswith("/") and not h.startswith("//") and "format=" not in h and ".xlsx" not in h
                        and not h.startswith("/logga-ut") and not h.startswith("/static/") and h not in seen):
                    queue.append(h)

        def server_ms(path):
            get(path)  # warm-up (fills the cache)
            log.flush()
            before = open(log_path).read().count("\n")
            for _ in range(args.n):
                get(path)
            time.sleep(0.05)
            lines = open(log_path).read().splitlines()[before:]
            ms = sorted(float(m) for m in re.findall(r"ms=([0-9.]+)", "\n".join(lines)))
            if not ms:
                return float("nan"), float("nan")
            return ms[len(ms) // 2], ms[min(len(ms) - 1, int(len(ms) * 0.99))]

        def wrk(path):
            out = subprocess.run(["wrk", "-t2", "-c32", f"-d{args.seconds}s", "--latency", "-H", f"Cookie: {cookie}",
                                  base + path], capture_output=True, text=True).stdout

            def lat(label):
                m = re.search(rf"{label}%\s+([0-9.]+)(us|ms|s)", out)
                if not m:
                    return float("nan")
                v, u = float(m.group(1)), m.group(2)
                return v / 1000 if u == "us" else v * 1000 if u == "s" else v

            rps = re.search(r"Requests/sec:\s+([0-9.]+)", out)
            non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
            errors = re.search(r"Socket errors: (.*)", out)
            return (float(rps.group(1)) if rps else 0.0, lat("50"), lat("99"),
                    int(non2xx.group(1)) if non2xx else 0, errors.group(1) if errors else "")

        print("| Sida eller anrop | serverns tid, median (p99) | wrk 32 anslutningar: begäranden/s | median | p99 | fel |")
        print("|---|---|---|---|---|---|")
        worst = (0.0, "")
        worst99 = (0.0, "")
        for p in ([] if args.bara_minne else pages + API):
            med, p99 = server_ms(p)
            rps, l50, l99, bad, errs = wrk(p)
            worst = max(worst, (med, p))
            worst99 = max(worst99, (l99, p))
            fel = f"{bad} ej 2xx" if bad else "0"
            if errs:
                fel += f"; {errs}"
            print(f"| `{p}` | {med:.2f} ms ({p99:.2f}) | {rps:,.0f} | {l50:.1f} ms | {l99:.1f} ms | {fel} |"
                  .replace(",", " "))
            sys.stdout.flush()
        if not args.bara_minne:
          print(f"\nLångsammast, serverns median: `{worst[1]}` {worst[0]:.2f} ms; högst p99 vid 32 anslutningar: "
                f"`{worst99[1]}` {worst99[0]:.1f} ms ({len(pages)} sidor, {len(API)} API-anrop).")

        if args.minne > 0:
            print(f"\n== minne: wrk 32 anslutningar i {args.minne} min mot /api/uppfoljning?period=2026-10, RSS var 15:e s")
            w = subprocess.Popen(["wrk", "-t2", "-c32", f"-d{int(args.minne * 60)}s", "-H", f"Cookie: {cookie}",
                                  base + "/api/uppfoljning?period=2026-10"], stdout=subprocess.PIPE, text=True)
            samples = []
            while w.poll() is None:
                rss = int(open(f"/proc/{server.pid}/status").read().split("VmRSS:")[1].split()[0]) / 1024
                samples.append(rss)
                time.sleep(15)
            out = w.stdout.read()
            n = re.search(r"(\d+) requests in", out)
            bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
            print(f"RSS MB: {' '.join(f'{s:.1f}' for s in samples)}")
            half = samples[len(samples) // 2:]
            print(f"{n.group(1) if n else '?'} begäranden, {bad.group(1) if bad else 0} ej 2xx; "
                  f"RSS från {samples[0]:.1f} till {samples[-1]:.1f} MB, andra halvan {min(half):.1f}–{max(half):.1f} MB")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
