"""Token anatomy for drf-jwt 1.9.0 on Python 3.11 and Python 2.7.
usage: python3 harness/anatomy_drfjwt.py > $WORK/results/drfjwt-anatomy.txt"""
import json, os, shutil, signal, subprocess, sys, time
sys.path.insert(0, os.path.dirname(__file__))
from common import curl, decode, wait_port, RES, SEEDED, server_env
from run_drfjwt import PROJ, CONFIGS
def show(label, t):
    h, p = decode(t)
    print(f"  {label}: header={h.decode()} payload={p.decode()}  len={len(t)}")
for cfg, port in (("py311-en", 8831), ("py27-en", 8832)):
    py, dbname, env_over, _ = CONFIGS[cfg]
    db = os.path.join(RES, f"anatomy-{cfg}.sqlite3")
    shutil.copy(os.path.join(SEEDED, dbname), db)
    env = server_env(db, env_over)
    srv = subprocess.Popen([py, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"], cwd=PROJ, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    wait_port(base)
    print(f"== {cfg}")
    for user, pw in (("admin", "masterkey"), ("test", "test"), ("noemail", "noemail")):
        t = curl(base, "POST", "/api-token-auth/", json.dumps({"username": user, "password": pw})).json()["token"]
        print(f"login {user} at unix {int(time.time())}"); show("token  ", t)
    time.sleep(2.2)
    r = curl(base, "POST", "/api-token-refresh/", json.dumps({"token": t})).json()["token"]
    print(f"refresh at unix {int(time.time())} (2 s later)"); show("token  ", r)
    v = curl(base, "POST", "/api-token-verify/", json.dumps({"token": "  " + r + " "})).json()["token"]
    print(f"verify echoes the (whitespace-trimmed) input token: {v == r}")
    srv.terminate(); srv.wait()
