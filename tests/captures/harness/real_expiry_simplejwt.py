"""Real (not crafted) expiry: log in, wait 61 s, use the access token on /token/verify/ and
the refresh token on /token/refresh/.  usage: python3 harness/real_expiry_simplejwt.py > $WORK/results/simplejwt-real-expiry.txt"""
import json, os, shutil, signal, subprocess, sys, time
sys.path.insert(0, os.path.dirname(__file__))
from common import curl, wait_port, RES, server_env
from run_simplejwt import PROJ, PY, SEEDED_DB
db = os.path.join(RES, "real-expiry.sqlite3"); shutil.copy(SEEDED_DB, db)
srv = subprocess.Popen([PY, "manage.py", "runserver", "127.0.0.1:8741", "--noreload"], cwd=PROJ,
                       env=server_env(db, {}), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
base = "http://127.0.0.1:8741"; wait_port(base)
pair = curl(base, "POST", "/token/", '{"email":"user@example.com","password":"password"}').json()
print("logged in at", int(time.time())); time.sleep(61.5)
for path, body in (("/token/verify/", {"token": pair["access"]}), ("/token/refresh/", {"refresh": pair["refresh"]})):
    r = curl(base, "POST", path, json.dumps(body))
    print(f"$ {r.cmd}   # {int(time.time())}, access token 61.5 s old"); print(r.raw.decode()); print()
srv.terminate(); srv.wait()
