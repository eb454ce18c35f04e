"""Start the simplejwt reference project under several configs and record every response.

usage: python3 harness/run_simplejwt.py [config ...]    (any python3; the server runs in its own venv)
Writes $WORK/results/simplejwt-<config>.json (WORK: see common.py, default target/captures/)
"""
import json, os, shutil, signal, subprocess, sys, time
sys.path.insert(0, os.path.dirname(__file__))
from common import curl, sign, decode, wait_port, JSON_ERRORS, HERE, WORK, RES, SEEDED, server_env

PROJ = os.path.join(HERE, "simplejwt_project")
PY = os.path.join(WORK, "venv-simplejwt", "bin", "python")
SEEDED_DB = os.path.join(SEEDED, "simplejwt.sqlite3")
KEY = "gatehouse-simplejwt-test-signing-key-0123456789abcdef"

CONFIGS = {
    # name: (env, port)
    "ru":               ({"GH_LANGUAGE_CODE": "ru"}, 8711),
    "en":               ({"GH_LANGUAGE_CODE": "en"}, 8712),
    "ru-rotate":        ({"GH_LANGUAGE_CODE": "ru", "GH_ROTATE": "1"}, 8713),
    "ru-rotate-bl":     ({"GH_LANGUAGE_CODE": "ru", "GH_ROTATE": "1", "GH_BLACKLIST": "1"}, 8714),
    "en-rotate-bl":     ({"GH_LANGUAGE_CODE": "en", "GH_ROTATE": "1", "GH_BLACKLIST": "1"}, 8715),
    "ru-localemw":      ({"GH_LANGUAGE_CODE": "ru", "GH_LOCALE_MW": "1"}, 8716),
    "en-localemw":      ({"GH_LANGUAGE_CODE": "en", "GH_LOCALE_MW": "1"}, 8717),
    "ru-debug":         ({"GH_LANGUAGE_CODE": "ru", "GH_DEBUG": "1"}, 8718),
}

J = "application/json"

def cases(base):
    """Yield (endpoint, case name, thunk)."""
    now = int(time.time())
    def login(email="user@example.com", pw="password"):
        r = curl(base, "POST", "/token/", json.dumps({"email": email, "password": pw}))
        assert r.status == 200, r.raw
        return r.json()
    import uuid
    def R(): return login()["refresh"]          # fresh pair per use: no cross-case blacklist state
    def A(): return login()["access"]
    def uj(): return uuid.uuid4().hex
    def refresh_payload(**over):
        p = {"token_type": "refresh", "exp": now + 86400, "iat": now, "jti": uj(),
             "user_id": 206661, "roles": [], "ip_address": "127.0.0.1"}
        for k, v in over.items():
            if v is None: p.pop(k, None)
            else: p[k] = v
        return p
    def access_payload(**over):
        p = refresh_payload(token_type="access", exp=now + 60)
        for k, v in over.items():
            if v is None: p.pop(k, None)
            else: p[k] = v
        return p
    B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    def flip(t): return t[:-1] + B64[B64.index(t[-1]) ^ 0b100000]       # changes a data bit
    def noncanon(t): return t[:-1] + B64[B64.index(t[-1]) ^ 0b000001]   # changes only an unused pad bit
    tok = {  # name -> thunk producing the token string
        "garbage `abc`": lambda: "abc",
        "bad signature (other key)": lambda: sign(refresh_payload(), "wrong-key"),
        "bad signature (last char flipped)": lambda: flip(R()),
        "non-canonical base64 in signature (unused low bits of last char set)": lambda: noncanon(R()),
        "alg none": lambda: sign(refresh_payload(), KEY, header=b'{"typ":"JWT","alg":"none"}', alg=None),
        "alg HS512 same key": lambda: sign(refresh_payload(), KEY, header=b'{"typ":"JWT","alg":"HS512"}', alg="sha512"),
        "expired (exp=now-10)": lambda: sign(refresh_payload(exp=int(time.time()) - 10), KEY),
        "no exp claim": lambda: sign(refresh_payload(exp=None), KEY),
        "no jti claim": lambda: sign(refresh_payload(jti=None), KEY),
        "no token_type claim": lambda: sign(refresh_payload(token_type=None), KEY),
        "token_type=sliding": lambda: sign(refresh_payload(token_type="sliding"), KEY),
        "exp not a number": lambda: sign(refresh_payload(exp="soon"), KEY),
        "nbf in future": lambda: sign(refresh_payload(nbf=now + 3600), KEY),
        "no user_id claim": lambda: sign(refresh_payload(user_id=None), KEY),
        "user_id of inactive user": lambda: sign(refresh_payload(user_id=206663), KEY),
        "user_id of nonexistent user": lambda: sign(refresh_payload(user_id=999999), KEY),
        "header {alg,typ} order (PyJWT>=2.5 style)": lambda: sign(refresh_payload(), KEY, header=b'{"alg":"HS256","typ":"JWT"}'),
        "header with spaces `{\"typ\": \"JWT\", \"alg\": \"HS256\"}`": lambda: sign(refresh_payload(), KEY, header=b'{"typ": "JWT", "alg": "HS256"}'),
        "no typ in header": lambda: sign(refresh_payload(), KEY, header=b'{"alg":"HS256"}'),
        "Bearer-prefixed token": lambda: "Bearer " + R(),
        "token with surrounding spaces": lambda: "  " + R() + "  ",
    }

    # ---------- /token/ ----------
    E = "/token/"
    def p(body, ctype=J, method="POST", path=E, headers=(), extra=()):
        return lambda: curl(base, method, path, body, headers=headers, ctype=ctype, extra=extra)
    yield E, "success", p('{"email":"user@example.com","password":"password"}')
    yield E, "success, user with roles", p('{"email":"admin@example.com","password":"masterkey"}')
    yield E, "success, X-Forwarded-For: 46.246.93.217", p('{"email":"user@example.com","password":"password"}', headers=["X-Forwarded-For: 46.246.93.217"])
    yield E, "wrong password", p('{"email":"user@example.com","password":"bad"}')
    yield E, "unknown email", p('{"email":"nobody@example.com","password":"password"}')
    yield E, "email in other case", p('{"email":"USER@example.com","password":"password"}')
    yield E, "inactive user, right password", p('{"email":"inactive@example.com","password":"password"}')
    yield E, "password with surrounding spaces", p('{"email":"user@example.com","password":"  password  "}')
    yield E, "email with surrounding spaces", p('{"email":"  user@example.com ","password":"password"}')
    yield E, "missing both", p('{}')
    yield E, "missing password", p('{"email":"user@example.com"}')
    yield E, "missing email", p('{"password":"password"}')
    yield E, "username instead of email", p('{"username":"user@example.com","password":"password"}')
    yield E, "blank both", p('{"email":"","password":""}')
    yield E, "whitespace-only both", p('{"email":"   ","password":"   "}')
    yield E, "null both", p('{"email":null,"password":null}')
    yield E, "numbers", p('{"email":123,"password":456}')
    yield E, "float + bool", p('{"email":1.5,"password":true}')
    yield E, "arrays", p('{"email":["user@example.com"],"password":["password"]}')
    yield E, "objects", p('{"email":{},"password":{"a":1}}')
    yield E, "bools", p('{"email":true,"password":false}')
    yield E, "mixed: null email, blank password", p('{"email":null,"password":""}')
    yield E, "extra fields ignored", p('{"email":"user@example.com","password":"password","remember":true}')
    yield E, "duplicate keys (last wins?)", p('{"email":"x@example.com","email":"user@example.com","password":"password"}')
    yield E, "very long email (300 chars)", p(json.dumps({"email": "a" * 300, "password": "x"}))
    yield E, "body is JSON array", p('[]')
    yield E, "body is JSON array of object", p('[{"email":"user@example.com","password":"password"}]')
    yield E, "body is JSON string", p('"hello"')
    yield E, "body is JSON number", p('42')
    yield E, "body is JSON null", p('null')
    yield E, "body is JSON true", p('true')
    yield E, "empty body, json ctype", p('')
    yield E, "empty body, no ctype", p(None, ctype="")
    yield E, "malformed JSON: truncated", p('{"email":')
    yield E, "malformed JSON: trailing comma", p('{"email":"user@example.com","password":"password",}')
    yield E, "malformed JSON: single quotes", p("{'email':'user@example.com'}")
    yield E, "malformed JSON: not json", p('email=user@example.com')
    yield E, "malformed JSON: extra data", p('{"email":"a"} x')
    yield E, "malformed JSON: NaN", p('{"email":NaN,"password":"x"}')
    for n, b in JSON_ERRORS:
        b = b.replace("{U}", "email").replace("\\u0074\\u0065\\u0073\\u0074", "\\u0075ser@example.com").replace("{P}", "password")
        yield E, n, p(b)
    yield E, "invalid UTF-8 in JSON", p(b'{"email":"\xff\xfe","password":"x"}')
    yield E, "UTF-8 BOM before JSON", p(b'\xef\xbb\xbf{"email":"user@example.com","password":"password"}')
    yield E, "non-ASCII email", p('{"email":"иван@пример.рф","password":"x"}')
    yield E, "ctype application/json; charset=utf-8", p('{"email":"user@example.com","password":"password"}', ctype="application/json; charset=utf-8")
    yield E, "ctype APPLICATION/JSON (upper case)", p('{"email":"user@example.com","password":"password"}', ctype="APPLICATION/JSON")
    yield E, "ctype text/plain", p('{"email":"user@example.com","password":"password"}', ctype="text/plain")
    yield E, "ctype application/xml", p('<a/>', ctype="application/xml")
    yield E, "ctype application/vnd.api+json", p('{"email":"user@example.com","password":"password"}', ctype="application/vnd.api+json")
    yield E, "no Content-Type, JSON body", p('{"email":"user@example.com","password":"password"}', ctype="")
    yield E, "form-encoded, valid", p('email=user%40example.com&password=password', ctype="application/x-www-form-urlencoded")
    yield E, "form-encoded, missing password", p('email=user%40example.com', ctype="application/x-www-form-urlencoded")
    yield E, "form-encoded, wrong password", p('email=user%40example.com&password=bad', ctype="application/x-www-form-urlencoded")
    yield E, "multipart, valid", p(None, ctype=None, extra=["-F", "email=user@example.com", "-F", "password=password"])
    yield E, "GET", p(None, ctype=None, method="GET")
    yield E, "PUT", p('{}', method="PUT")
    yield E, "PATCH", p('{}', method="PATCH")
    yield E, "DELETE", p(None, ctype=None, method="DELETE")
    yield E, "HEAD", p(None, ctype=None, method="HEAD", extra=["-I"])
    yield E, "OPTIONS", p(None, ctype=None, method="OPTIONS")
    yield E, "GET with Accept: application/json", p(None, ctype=None, method="GET", headers=["Accept: application/json"])
    yield E, "Accept: text/html (browsable API)", p('{"email":"user@example.com","password":"bad"}', headers=["Accept: text/html"])
    yield E, "Accept: application/xml (406)", p('{"email":"user@example.com","password":"password"}', headers=["Accept: application/xml"])
    yield E, "path without trailing slash /token", p('{"email":"user@example.com","password":"password"}', path="/token")
    yield E, "?format=json query", p('{"email":"user@example.com","password":"bad"}', path="/token/?format=json")
    yield E, "Accept-Language: en", p('{"email":"user@example.com","password":"bad"}', headers=["Accept-Language: en"])
    yield E, "Accept-Language: ru", p('{"email":"user@example.com","password":"bad"}', headers=["Accept-Language: ru"])
    yield E, "Accept-Language: en, missing fields", p('{}', headers=["Accept-Language: en"])
    yield E, "Accept-Language: ru-RU,ru;q=0.9, missing fields", p('{}', headers=["Accept-Language: ru-RU,ru;q=0.9"])
    yield E, "Accept-Language: de, wrong password", p('{"email":"user@example.com","password":"bad"}', headers=["Accept-Language: de"])

    # ---------- /token/refresh/ ----------
    E = "/token/refresh/"
    fresh_refresh = R
    yield E, "success (fresh refresh token)", lambda: curl(base, "POST", E, json.dumps({"refresh": fresh_refresh()}))
    yield E, "same refresh token used twice (2nd use)", lambda: twice(base, E, "refresh", fresh_refresh())
    yield E, "missing field", p('{}', path=E)
    yield E, "blank", p('{"refresh":""}', path=E)
    yield E, "null", p('{"refresh":null}', path=E)
    yield E, "number", p('{"refresh":123}', path=E)
    yield E, "array", p('{"refresh":["x"]}', path=E)
    yield E, "object", p('{"refresh":{}}', path=E)
    yield E, "bool", p('{"refresh":true}', path=E)
    yield E, "access token given", lambda: curl(base, "POST", E, json.dumps({"refresh": A()}))
    yield E, "field named token instead", lambda: curl(base, "POST", E, json.dumps({"token": R()}))
    for name, t in tok.items():
        yield E, name, (lambda t=t, E=E: curl(base, "POST", E, json.dumps({"refresh": t()})))
    yield E, "exp == current second (simplejwt's own check)", lambda: exp_now_case(base, E, "refresh", refresh_payload)
    yield E, "blacklisted refresh token", lambda: blacklisted_then(base, E, {"refresh": None}, login)
    yield E, "malformed JSON", p('{"refresh":', path=E)
    yield E, "ctype text/plain", lambda: curl(base, "POST", E, json.dumps({"refresh": R()}), ctype="text/plain")
    yield E, "form-encoded", lambda: curl(base, "POST", E, "refresh=" + R(), ctype="application/x-www-form-urlencoded")
    yield E, "GET", p(None, ctype=None, method="GET", path=E)
    yield E, "OPTIONS", p(None, ctype=None, method="OPTIONS", path=E)

    # ---------- /token/verify/ ----------
    E = "/token/verify/"
    yield E, "access token", lambda: curl(base, "POST", "/token/verify/", json.dumps({"token": A()}))
    yield E, "refresh token", lambda: curl(base, "POST", "/token/verify/", json.dumps({"token": R()}))
    yield E, "missing field", p('{}', path=E)
    yield E, "blank", p('{"token":""}', path=E)
    yield E, "null", p('{"token":null}', path=E)
    yield E, "number", p('{"token":123}', path=E)
    yield E, "array", p('{"token":["x"]}', path=E)
    yield E, "field named refresh instead", lambda: curl(base, "POST", "/token/verify/", json.dumps({"refresh": R()}))
    for name, t in tok.items():
        yield E, name, (lambda t=t, E=E: curl(base, "POST", E, json.dumps({"token": t()})))
    yield E, "expired access token (exp=now-10)", p(json.dumps({"token": sign(access_payload(exp=now - 10), KEY)}), path=E)
    yield E, "exp == current second (simplejwt's own check)", lambda: exp_now_case(base, E, "token", access_payload)
    yield E, "blacklisted refresh token", lambda: blacklisted_then(base, E, {"token": None}, login)
    yield E, "malformed JSON", p('{"token":', path=E)
    yield E, "GET", p(None, ctype=None, method="GET", path=E)

    # ---------- /token/blacklist/ ----------
    E = "/token/blacklist/"
    yield E, "success (fresh refresh token)", lambda: curl(base, "POST", E, json.dumps({"refresh": fresh_refresh()}))
    yield E, "already blacklisted (2nd call)", lambda: blacklisted_then(base, E, {"refresh": None}, login)
    yield E, "access token given", lambda: curl(base, "POST", "/token/blacklist/", json.dumps({"refresh": A()}))
    yield E, "missing field", p('{}', path=E)
    yield E, "blank", p('{"refresh":""}', path=E)
    yield E, "null", p('{"refresh":null}', path=E)
    yield E, "number", p('{"refresh":123}', path=E)
    for name in ["garbage `abc`", "bad signature (other key)", "expired (exp=now-10)", "no jti claim", "user_id of nonexistent user"]:
        yield E, name, (lambda t=tok[name], E=E: curl(base, "POST", E, json.dumps({"refresh": t()})))
    yield E, "malformed JSON", p('{"refresh":', path=E)
    yield E, "GET", p(None, ctype=None, method="GET", path=E)

    # ---------- other paths ----------
    yield "(other)", "unknown path /nope/", p('{}', path="/nope/")
    yield "(other)", "GET /", p(None, ctype=None, method="GET", path="/")

def twice(base, path, field, t):
    curl(base, "POST", path, json.dumps({field: t}))
    return curl(base, "POST", path, json.dumps({field: t}))

def exp_now_case(base, path, field, payload_fn):
    # start right after a second boundary so server's int(now) == exp
    t = time.time(); time.sleep(1.02 - (t - int(t)))
    now = int(time.time())
    return curl(base, "POST", path, json.dumps({field: sign(payload_fn(exp=now), KEY)}))

def blacklisted_then(base, path, body, login):
    t = login()["refresh"]
    r = curl(base, "POST", "/token/blacklist/", json.dumps({"refresh": t}))
    assert r.status == 200, r.raw
    body = {k: t for k in body}
    return curl(base, "POST", path, json.dumps(body))

def run_config(name):
    env_over, port = CONFIGS[name]
    db = os.path.join(RES, f"simplejwt-{name}.sqlite3")
    shutil.copy(SEEDED_DB, db)
    env = server_env(db, env_over)
    log = open(os.path.join(RES, f"simplejwt-{name}.server.log"), "wb")
    srv = subprocess.Popen([PY, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
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
    with open(os.path.join(RES, f"simplejwt-{name}.json"), "w") as f:
        json.dump({"config": name, "env": env_over, "results": out}, f, ensure_ascii=False, indent=1)
    print(name, len(out), "cases")

if __name__ == "__main__":
    for n in sys.argv[1:] or list(CONFIGS):
        run_config(n)
