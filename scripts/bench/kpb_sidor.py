#!/usr/bin/env python3
"""KPB pages from a stored run (issue 12, "KPB pages answer from a stored run in under 50 ms").

Usage: scripts/bench/kpb_sidor.py BINARY DATABASE   (DATABASE: the full Exempelstad, `resurs demo`)
Starts `resurs serve --demo`, signs in as ekonom, opens /kpb?ar=2025 once (computes and stores the
run), restarts the server and times, as the client sees them: /kpb (first request after the restart,
then twice more), /api/kpb, one outlier's /kpb/brukare page and one /kpb/cell page.
"""
import re, subprocess, time, urllib.request, urllib.parse, urllib.error, sys, os
binary, db = sys.argv[1], sys.argv[2]
port = 18183
base = f"http://127.0.0.1:{port}"
logdir = os.path.dirname(os.path.abspath(db))
def start():
    log=open(os.path.join(logdir,"kpb_sidor.log"),"a")
    p=subprocess.Popen([binary,"--db",db,"serve","--demo","--addr",f"127.0.0.1:{port}"],stderr=log,stdout=subprocess.DEVNULL,env=dict(os.environ,RESURS_LOG="info"))
    for _ in range(100):
        try: urllib.request.urlopen(base+"/halsa",timeout=2); break
        except Exception: time.sleep(0.2)
    class NR(urllib.request.HTTPRedirectHandler):
        def redirect_request(self,*a,**k): return None
    o=urllib.request.build_opener(NR)
    try: o.open(base+"/logga-in",data=urllib.parse.urlencode({"namn":"ekonom","losenord":"demo-ekonom-2026"}).encode())
    except urllib.error.HTTPError as e: c=re.search(r"(resurs_sid=[0-9a-f]+)",e.headers.get("Set-Cookie","")).group(1)
    return p,c
def get(c,path):
    t=time.perf_counter(); r=urllib.request.urlopen(urllib.request.Request(base+path,headers={"Cookie":c})); r.read(); return (time.perf_counter()-t)*1000, r.status
p,c=start(); print("first ever (computes+stores):", get(c,"/kpb?ar=2025")); p.terminate(); p.wait()
p,c=start()
for path in ["/kpb?ar=2025","/kpb?ar=2025","/kpb?ar=2025","/api/kpb?ar=2025"]:
    print(path, "%.1f ms %s" % get(c,path))
html=urllib.request.urlopen(urllib.request.Request(base+"/kpb?ar=2025",headers={"Cookie":c})).read().decode()
m=re.search(r'href="(/kpb/brukare\?[^"]+)"',html)
if m:
    u=m.group(1).replace("&amp;","&")
    for _ in range(3): print(u[:60], "%.1f ms %s" % get(c,u))
m=re.search(r'href="(/kpb/cell\?[^"]+)"',html)
if m:
    u=m.group(1).replace("&amp;","&"); print(u[:60], "%.1f ms %s" % get(c,u))
p.terminate(); p.wait()
