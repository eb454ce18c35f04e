"""Start the drf-jwt 1.9.0 reference project under several configs and record every response.

usage: python3 harness/run_drfjwt.py [config ...]     (any python3; the server runs in its own env)
Writes $WORK/results/drfjwt-<config>.json (WORK: see common.py, default target/captures/)
"""
import json, os, shutil, signal, subprocess, sys, time, uuid
sys.path.insert(0, os.path.dirname(__file__))
from common import curl, sign, decode, wait_port, JSON_ERRORS, HERE, WORK, RES, SEEDED, server_env

PROJ = os.path.join(HERE, "drfjwt_project")
PY311 = os.path.join(WORK, "venv-drfjwt-py311", "bin", "python")
PY27 = os.environ.get("PY27") or os.path.expanduser("~/.pyenv/versions/2.7.18/bin/python")
PY27_ENV = {"PYTHONPATH": os.path.join(WORK, "py27-site")}
KEY = "gatehouse-drfjwt-test-secret-0123456789abcdef"
REFRESH_WINDOW = 7 * 24 * 3600

CONFIGS = {
    # name: (python, db, env, port)
    "py311-en":          (PY311, "drfjwt-py311.sqlite3", {}, 8811),
    "py311-ru":          (PY311, "drfjwt-py311.sqlite3", {"GH_LANGUAGE_CODE": "ru"}, 8812),
    "py311-en-inactive": (PY311, "drfjwt-py311.sqlite3", {"GH_ALLOW_INACTIVE": "1"}, 8813),
    "py311-en-localemw": (PY311, "drfjwt-py311.sqlite3", {"GH_LOCALE_MW": "1"}, 8814),
    "py27-en":           (PY27, "drfjwt-py27.sqlite3", dict(PY27_ENV), 8815),
    "py27-ru":           (PY27, "drfjwt-py27.sqlite3", dict(PY27_ENV, GH_LANGUAGE_CODE="ru"), 8816),
    "py27-en-inactive":  (PY27, "drfjwt-py27.sqlite3", dict(PY27_ENV, GH_ALLOW_INACTIVE="1"), 8817),
}
J = "application/json"
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

def cases(base):
    now = int(time.time())
    def login(u="test", pw="test"):
        r = curl(base, "POST", "/api-token-auth/", json.dumps({"username": u, "password": pw}))
        assert r.status == 200, r.raw
        return r.json()["token"]
    def payload(**over):
        # the key order drf-jwt 1.9.0 produces on Python 3.7+
        p = {"user_id": 2, "email": "test@example.com", "username": "test", "exp": now + 300, "orig_iat": now}
        for k, v in over.items():
            if v is None: p.pop(k, None)
            else: p[k] = v
        return p
    def flip(t): return t[:-1] + B64[B64.index(t[-1]) ^ 0b100000]
    def noncanon(t): return t[:-1] + B64[B64.index(t[-1]) ^ 0b000001]
    tok = {
        "garbage `abc`": lambda: "abc",
        "two segments `a.b`": lambda: "a.b",
        "bad signature (other key)": lambda: sign(payload(), "wrong-key"),
        "bad signature (last char flipped)": lambda: flip(login()),
        "non-canonical base64 in signature (unused low bits of last char set)": lambda: noncanon(login()),
        "alg none": lambda: sign(payload(), KEY, header=b'{"typ":"JWT","alg":"none"}', alg=None),
        "alg HS512 same key": lambda: sign(payload(), KEY, header=b'{"typ":"JWT","alg":"HS512"}', alg="sha512"),
        "expired (exp=now-10)": lambda: sign(payload(exp=int(time.time()) - 10), KEY),
        "exp not a number": lambda: sign(payload(exp="soon"), KEY),
        "no exp claim": lambda: sign(payload(exp=None), KEY),
        "nbf in future": lambda: sign(payload(nbf=now + 3600), KEY),
        "aud claim present (no audience configured)": lambda: sign(payload(aud="x"), KEY),
        "iss claim present (no issuer configured)": lambda: sign(payload(iss="x"), KEY),
        "no username claim": lambda: sign(payload(username=None), KEY),
        "username empty string": lambda: sign(payload(username=""), KEY),
        "username of deleted/nonexistent user": lambda: sign(payload(username="ghost", user_id=999), KEY),
        "username of inactive user": lambda: sign(payload(username="inactive", user_id=3, email="inactive@example.com"), KEY),
        "user_id/email of another user, username test": lambda: sign(payload(user_id=1, email="admin@admin.com"), KEY),
        "no orig_iat": lambda: sign(payload(orig_iat=None), KEY),
        "orig_iat = 0": lambda: sign(payload(orig_iat=0), KEY),
        "orig_iat as string": lambda: sign(payload(orig_iat="1700000000"), KEY),
        "orig_iat older than refresh window (now-7d-10s)": lambda: sign(payload(orig_iat=now - REFRESH_WINDOW - 10), KEY),
        "orig_iat exactly at window edge (now-7d)": lambda: sign(payload(orig_iat=int(time.time()) - REFRESH_WINDOW), KEY),
        "header {alg,typ} order": lambda: sign(payload(), KEY, header=b'{"alg":"HS256","typ":"JWT"}'),
        "payload keys in sample order (py2)": lambda: sign({"username": "test", "orig_iat": now, "user_id": 2, "email": "test@example.com", "exp": now + 300}, KEY),
        "JWT-prefixed token": lambda: "JWT " + login(),
        "token with surrounding spaces": lambda: "  " + login() + "  ",
    }

    E = "/api-token-auth/"
    def p(body, ctype=J, method="POST", path=E, headers=(), extra=()):
        return lambda: curl(base, method, path, body, headers=headers, ctype=ctype, extra=extra)
    yield E, "success (test/test)", p('{"username":"test","password":"test"}')
    yield E, "success (admin)", p('{"username":"admin","password":"masterkey"}')
    yield E, "success, user with empty email", p('{"username":"noemail","password":"noemail"}')
    yield E, "wrong password", p('{"username":"test","password":"bad"}')
    yield E, "unknown user", p('{"username":"nobody","password":"test"}')
    yield E, "username in other case", p('{"username":"TEST","password":"test"}')
    yield E, "inactive user, right password", p('{"username":"inactive","password":"inactive"}')
    yield E, "inactive user, wrong password", p('{"username":"inactive","password":"bad"}')
    yield E, "password with surrounding spaces", p('{"username":"test","password":"  test  "}')
    yield E, "username with surrounding spaces", p('{"username":" test ","password":"test"}')
    yield E, "missing both", p('{}')
    yield E, "missing password", p('{"username":"test"}')
    yield E, "missing username", p('{"password":"test"}')
    yield E, "email instead of username", p('{"email":"test@example.com","password":"test"}')
    yield E, "blank both", p('{"username":"","password":""}')
    yield E, "blank password", p('{"username":"test","password":""}')
    yield E, "whitespace-only both", p('{"username":"   ","password":"   "}')
    yield E, "null both", p('{"username":null,"password":null}')
    yield E, "numbers", p('{"username":123,"password":456}')
    yield E, "float + bool", p('{"username":1.5,"password":true}')
    yield E, "arrays", p('{"username":["test"],"password":["test"]}')
    yield E, "objects", p('{"username":{},"password":{"a":1}}')
    yield E, "bools", p('{"username":true,"password":false}')
    yield E, "mixed: null username, blank password", p('{"username":null,"password":""}')
    yield E, "extra fields ignored", p('{"username":"test","password":"test","remember":true}')
    yield E, "duplicate keys (last wins?)", p('{"username":"x","username":"test","password":"test"}')
    yield E, "body is JSON array", p('[]')
    yield E, "body is JSON string", p('"hello"')
    yield E, "body is JSON number", p('42')
    yield E, "body is JSON null", p('null')
    yield E, "empty body, json ctype", p('')
    yield E, "empty body, no ctype", p(None, ctype="")
    yield E, "malformed JSON: truncated", p('{"username":')
    yield E, "malformed JSON: trailing comma", p('{"username":"test","password":"test",}')
    yield E, "malformed JSON: single quotes", p("{'username':'test'}")
    yield E, "malformed JSON: not json", p('username=test')
    yield E, "malformed JSON: extra data", p('{"username":"a"} x')
    yield E, "malformed JSON: NaN", p('{"username":NaN,"password":"x"}')
    for n, b in JSON_ERRORS:
        yield E, n, p(b.replace("{U}", "username").replace("{P}", "test"))
    yield E, "invalid UTF-8 in JSON", p(b'{"username":"\xff\xfe","password":"x"}')
    yield E, "UTF-8 BOM before JSON", p(b'\xef\xbb\xbf{"username":"test","password":"test"}')
    yield E, "non-ASCII username", p('{"username":"иван","password":"x"}')
    yield E, "ctype application/json; charset=utf-8", p('{"username":"test","password":"test"}', ctype="application/json; charset=utf-8")
    yield E, "ctype text/plain", p('{"username":"test","password":"test"}', ctype="text/plain")
    yield E, "ctype application/xml", p('<a/>', ctype="application/xml")
    yield E, "no Content-Type, JSON body", p('{"username":"test","password":"test"}', ctype="")
    yield E, "form-encoded, valid", p('username=test&password=test', ctype="application/x-www-form-urlencoded")
    yield E, "form-encoded, wrong password", p('username=test&password=bad', ctype="application/x-www-form-urlencoded")
    yield E, "form-encoded, missing password", p('username=test', ctype="application/x-www-form-urlencoded")
    yield E, "multipart, valid", p(None, ctype=None, extra=["-F", "username=test", "-F", "password=test"])
    yield E, "GET", p(None, ctype=None, method="GET")
    yield E, "PUT", p('{}', method="PUT")
    yield E, "PATCH", p('{}', method="PATCH")
    yield E, "DELETE", p(None, ctype=None, method="DELETE")
    yield E, "HEAD", p(None, ctype=None, method="HEAD", extra=["-I"])
    yield E, "OPTIONS", p(None, ctype=None, method="OPTIONS")
    yield E, "Accept: text/html (browsable API)", p('{"username":"test","password":"bad"}', headers=["Accept: text/html"])
    yield E, "Accept: application/xml (406)", p('{"username":"test","password":"test"}', headers=["Accept: application/xml"])
    yield E, "path without trailing slash", p('{"username":"test","password":"test"}', path="/api-token-auth")
    yield E, "Accept-Language: ru, wrong password", p('{"username":"test","password":"bad"}', headers=["Accept-Language: ru"])
    yield E, "Accept-Language: ru, missing fields", p('{}', headers=["Accept-Language: ru"])

    for E, field_ok in (("/api-token-refresh/", "token"), ("/api-token-verify/", "token")):
        yield E, "success (fresh token)", (lambda E=E: curl(base, "POST", E, json.dumps({"token": login()})))
        yield E, "missing field", p('{}', path=E)
        yield E, "field named refresh instead", (lambda E=E: curl(base, "POST", E, json.dumps({"refresh": login()})))
        yield E, "blank", p('{"token":""}', path=E)
        yield E, "null", p('{"token":null}', path=E)
        yield E, "number", p('{"token":123}', path=E)
        yield E, "array", p('{"token":["x"]}', path=E)
        yield E, "object", p('{"token":{}}', path=E)
        yield E, "bool", p('{"token":true}', path=E)
        for name, t in tok.items():
            yield E, name, (lambda t=t, E=E: curl(base, "POST", E, json.dumps({"token": t()})))
        yield E, "malformed JSON", p('{"token":', path=E)
        yield E, "ctype text/plain", (lambda E=E: curl(base, "POST", E, json.dumps({"token": login()}), ctype="text/plain"))
        yield E, "form-encoded", (lambda E=E: curl(base, "POST", E, "token=" + login(), ctype="application/x-www-form-urlencoded"))
        yield E, "GET", p(None, ctype=None, method="GET", path=E)
        yield E, "OPTIONS", p(None, ctype=None, method="OPTIONS", path=E)
    yield "(other)", "unknown path /nope/", p('{}', path="/nope/")

def run_config(name):
    py, dbname, env_over, port = CONFIGS[name]
    db = os.path.join(RES, f"drfjwt-{name}.sqlite3")
    shutil.copy(os.path.join(SEEDED, dbname), db)
    env = server_env(db, env_over)
    log = open(os.path.join(RES, f"drfjwt-{name}.server.log"), "wb")
    srv = subprocess.Popen([py, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
                           cwd=PROJ, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    out = []
    try:
        wait_port(base)
        for ep, case, thunk in cases(base):
            r = thunk()
            out.append({"endpoint": ep, "case": case, "cmd": r.cmd, "status": r.status,
                        "status_line": r.status_line, "headers": r.headers,
                        "body": r.body.decode("utf-8", "backslashreplace"),
                        "raw": r.raw.decode("utf-8", "backslashreplace")})
    finally:
        srv.terminate(); srv.wait(10)
    with open(os.path.join(RES, f"drfjwt-{name}.json"), "w") as f:
        json.dump({"config": name, "env": env_over, "results": out}, f, ensure_ascii=False, indent=1)
    print(name, len(out), "cases")

if __name__ == "__main__":
    for n in sys.argv[1:] or list(CONFIGS):
        run_config(n)
