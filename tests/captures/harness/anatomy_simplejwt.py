"""Token anatomy for simplejwt: decode tokens from login / refresh / rotation with time gaps.
usage: python3 harness/anatomy_simplejwt.py > $WORK/results/simplejwt-anatomy.txt   (needs the sqlite3 CLI)"""
import json, os, shutil, signal, subprocess, sys, time
sys.path.insert(0, os.path.dirname(__file__))
from common import curl, decode, wait_port
from common import RES, server_env
from run_simplejwt import PROJ, PY, SEEDED_DB
def show(label, t):
    h, p = decode(t)
    print(f"  {label}: header={h.decode()} payload={p.decode()}  len={len(t)}")
def server(env_over, port):
    db = os.path.join(RES, f"anatomy-{port}.sqlite3")
    shutil.copy(SEEDED_DB, db)
    env = server_env(db, env_over)
    srv = subprocess.Popen([PY, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"], cwd=PROJ, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_port(f"http://127.0.0.1:{port}")
    return srv, db
for name, env_over, port in [("rotate off", {}, 8721), ("rotate on, blacklist on", {"GH_ROTATE": "1", "GH_BLACKLIST": "1"}, 8722)]:
    srv, db = server(env_over, port)
    base = f"http://127.0.0.1:{port}"
    print(f"== {name}")
    t0 = time.time()
    r = curl(base, "POST", "/token/", '{"email":"admin@example.com","password":"masterkey"}').json()
    print(f"login at unix {int(t0)}: body keys {list(r)}")
    show("refresh", r["refresh"]); show("access ", r["access"])
    time.sleep(2.2)
    r2 = curl(base, "POST", "/token/refresh/", json.dumps({"refresh": r["refresh"]})).json()
    print(f"refresh at unix {int(time.time())} (2 s later): body keys {list(r2)}")
    for k, v in r2.items(): show(k.ljust(7), v)
    if "refresh" in r2:
        time.sleep(1.1)
        r3 = curl(base, "POST", "/token/refresh/", json.dumps({"refresh": r2["refresh"]}))
        print(f"refresh again with the ROTATED refresh token: {r3.status} {r3.body.decode()[:60]}...")
        r4 = curl(base, "POST", "/token/blacklist/", json.dumps({"refresh": r2["refresh"]}))
        print(f"blacklist the rotated (never-outstanding) refresh token: {r4.status} {r4.body.decode()}")
    srv.terminate(); srv.wait()
    out = subprocess.run(["sqlite3", db, "select o.id, o.jti, o.user_id, o.created_at, o.expires_at, b.blacklisted_at from token_blacklist_outstandingtoken o left join token_blacklist_blacklistedtoken b on b.token_id=o.id"], capture_output=True, text=True)
    print("  outstanding/blacklist tables:\n   " + (out.stdout.strip().replace("\n", "\n   ") or out.stderr.strip()))
