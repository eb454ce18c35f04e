"""What the libraries' *authentication classes* answer on a protected view (/protected/), i.e. the
401 shapes an upstream behind gatehouse would have produced itself.
usage: python3 harness/run_protected.py   -> $WORK/results/protected-<config>.json"""
import json, os, shutil, subprocess, sys, time, uuid
sys.path.insert(0, os.path.dirname(__file__))
from common import curl, sign, wait_port, HERE, WORK, RES, SEEDED, server_env
import run_drfjwt as DJ
SJ_PY = os.path.join(WORK, "venv-simplejwt", "bin", "python")
SJ_KEY = "gatehouse-simplejwt-test-signing-key-0123456789abcdef"

def sj_cases(base):
    now = int(time.time())
    pair = curl(base, "POST", "/token/", '{"email":"user@example.com","password":"password"}').json()
    def acc(**over):
        p = {"token_type": "access", "exp": now + 60, "iat": now, "jti": uuid.uuid4().hex,
             "user_id": 206661, "roles": [], "ip_address": "127.0.0.1"}
        for k, v in over.items():
            if v is None: p.pop(k, None)
            else: p[k] = v
        return sign(p, SJ_KEY)
    H = lambda v: ["Authorization: " + v]
    yield "no Authorization header", []
    yield "valid access token", H("Bearer " + pair["access"])
    yield "`Bearer` alone", H("Bearer")
    yield "`Bearer a b` (three parts)", H("Bearer a b")
    yield "lower-case `bearer <valid>`", H("bearer " + pair["access"])
    yield "`JWT <valid>` prefix", H("JWT " + pair["access"])
    yield "`Token <valid>` prefix", H("Token " + pair["access"])
    yield "garbage token", H("Bearer abc")
    yield "refresh token used as access", H("Bearer " + pair["refresh"])
    yield "expired access token", H("Bearer " + acc(exp=now - 10))
    yield "access without jti", H("Bearer " + acc(jti=None))
    yield "access without user_id", H("Bearer " + acc(user_id=None))
    yield "access for nonexistent user_id", H("Bearer " + acc(user_id=999999))
    yield "access for inactive user", H("Bearer " + acc(user_id=206663))
    yield "bad signature", H("Bearer " + sign({"token_type": "access", "exp": now + 60, "jti": "x", "user_id": 206661}, "other"))

def dj_cases(base):
    now = int(time.time())
    tok = curl(base, "POST", "/api-token-auth/", '{"username":"test","password":"test"}').json()["token"]
    def t(**over):
        p = {"user_id": 2, "email": "test@example.com", "username": "test", "exp": now + 300, "orig_iat": now}
        for k, v in over.items():
            if v is None: p.pop(k, None)
            else: p[k] = v
        return sign(p, DJ.KEY)
    H = lambda v: ["Authorization: " + v]
    yield "no Authorization header", []
    yield "valid token", H("JWT " + tok)
    yield "`JWT` alone", H("JWT")
    yield "`JWT a b` (three parts)", H("JWT a b")
    yield "lower-case `jwt <valid>`", H("jwt " + tok)
    yield "`Bearer <valid>` prefix", H("Bearer " + tok)
    yield "garbage token", H("JWT abc")
    yield "expired token", H("JWT " + t(exp=now - 10))
    yield "bad signature", H("JWT " + sign({"username": "test", "exp": now + 300}, "other"))
    yield "alg none", H("JWT " + sign({"username": "test", "exp": now + 300}, DJ.KEY, header=b'{"typ":"JWT","alg":"none"}', alg=None))
    yield "no username claim", H("JWT " + t(username=None))
    yield "username of nonexistent user", H("JWT " + t(username="ghost"))
    yield "username of inactive user", H("JWT " + t(username="inactive"))

def run(name, py, cwd, db_src, env_over, port, gen):
    db = os.path.join(RES, f"protected-{name}.sqlite3"); shutil.copy(db_src, db)
    env = server_env(db, env_over)
    srv = subprocess.Popen([py, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"], cwd=cwd, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"; out = []
    try:
        wait_port(base)
        for case, hdrs in gen(base):
            r = curl(base, "GET", "/protected/", None, headers=hdrs, ctype=None)
            out.append({"endpoint": "/protected/", "case": case, "cmd": r.cmd, "status": r.status, "status_line": r.status_line,
                        "headers": r.headers, "body": r.body.decode("utf-8", "backslashreplace"), "raw": r.raw.decode("utf-8", "backslashreplace")})
    finally:
        srv.terminate(); srv.wait()
    json.dump({"config": name, "env": env_over, "results": out}, open(os.path.join(RES, f"protected-{name}.json"), "w"), ensure_ascii=False, indent=1)
    print(name, len(out))

if __name__ == "__main__":
    SJP = os.path.join(HERE, "simplejwt_project")
    run("simplejwt-ru", SJ_PY, SJP, os.path.join(SEEDED, "simplejwt.sqlite3"), {"GH_LANGUAGE_CODE": "ru"}, 8761, sj_cases)
    run("simplejwt-en", SJ_PY, SJP, os.path.join(SEEDED, "simplejwt.sqlite3"), {"GH_LANGUAGE_CODE": "en"}, 8762, sj_cases)
    for cfg, port in (("py311-en", 8763), ("py27-en", 8764), ("py311-ru", 8765)):
        py, dbname, env_over, _ = DJ.CONFIGS[cfg]
        run("drfjwt-" + cfg, py, DJ.PROJ, os.path.join(SEEDED, dbname), env_over, port, dj_cases)
