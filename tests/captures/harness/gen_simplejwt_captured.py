"""Generate the `CAPTURED` table of src/dialects/simplejwt.rs's unit tests (one JSON object a
line, printed to stdout) from the captures of harness/run_simplejwt.py
($WORK/results/simplejwt-{ru,en,ru-rotate,ru-rotate-bl,en-rotate-bl}.json).

usage: python3 harness/gen_simplejwt_captured.py > $WORK/fixtures/simplejwt-captured.jsonl
       (assemble.sh splices it into simplejwt.rs)
Requests are recovered by running the harness's own case thunks against a recorder, so a case
added to run_simplejwt.py shows up here as well; cases carrying tokens become "recipe"."""
import json, os, sys, base64, email.utils, re
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_simplejwt as H
from common import RES
NOISE = {"Date", "Server", "X-Frame-Options", "Referrer-Policy", "Cross-Origin-Opener-Policy",
         "X-Content-Type-Options", "Content-Length"}
SKIP = {"Accept: text/html (browsable API)", "path without trailing slash /token"}

# ---- requests: run the harness thunks against a recorder ----
class Fake:
    status = 200
    def json(self): return {"refresh": "<R>", "access": "<A>"}
calls = []
tokeny = [False]
def fake_curl(base, method, path, body=None, headers=(), ctype="application/json", extra=()):
    if path == "/token/" and isinstance(body, str) and body.startswith('{"email": "user@example.com"'):
        tokeny[0] = True
    calls.append((method, path, body, list(headers), ctype, list(extra)))
    return Fake()
def fake_sign(*a, **k):
    tokeny[0] = True
    return "<signed>"
H.curl = fake_curl
H.sign = fake_sign
H.time.sleep = lambda s: None
requests = {}
for ep, case, thunk in H.cases("x"):
    calls.clear(); tokeny[0] = False
    try:
        thunk()
    except Exception as e:
        tokeny[0] = True
    if tokeny[0] or "<signed>" in str(calls) or "<R>" in str(calls) or "<A>" in str(calls):
        requests[(ep, case)] = None
    else:
        assert len(calls) == 1, (ep, case, calls)
        requests[(ep, case)] = calls[0]

def req_json(spec):
    if spec is None:
        return "recipe"
    method, path, body, headers, ctype, extra = spec
    if extra and extra[0] == "-F":
        return "multipart"
    if extra == ["-I"]:
        extra = []
    assert not extra, spec
    if body is None: b = b""
    elif isinstance(body, bytes): b = body
    else: b = body.encode()
    out = {"method": method}
    if ctype:
        out["content_type"] = ctype
    if headers:
        out["headers"] = [[h.split(":", 1)[0], h.split(":", 1)[1].strip()] for h in headers]
    try:
        out["body"] = b.decode("utf-8")
    except UnicodeDecodeError:
        out["body_hex"] = b.hex()
    return out

# ---- expectations ----
def b64d(s): return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)).decode()
def markers(payload, now):
    p = json.loads(payload)
    assert isinstance(p, dict)
    out = {}
    for k, v in p.items():
        if k == "exp" and isinstance(v, int) and any(abs(v - now - l) <= 1 for l in (60, 86400)):
            l = 60 if abs(v - now - 60) <= 1 else 86400
            out[k] = "<now+%d>" % l
        elif k == "iat" and isinstance(v, int):
            out[k] = "<now>" if abs(v - now) <= 1 else "<copied>"
        elif k == "jti" and isinstance(v, str) and re.fullmatch(r"[0-9a-f]{32}", v):
            out[k] = "<hex32>"
        else:
            out[k] = v
    return json.dumps(out, separators=(",", ":"), ensure_ascii=False)

def expect(r):
    hs = [(k, v) for k, v in r["headers"] if k not in NOISE]
    drf = [("Content-Type", "application/json"), ("Vary", "Accept"), ("Allow", "POST, OPTIONS")]
    drf401 = [("Content-Type", "application/json"), ("WWW-Authenticate", 'Bearer realm="api"'), ("Vary", "Accept"), ("Allow", "POST, OPTIONS")]
    html = [("Content-Type", "text/html; charset=utf-8")]
    hd = {str(drf): "drf", str(drf401): "drf401", str(html): "html"}[str(hs)]
    body = r["body"]
    now = int(email.utils.parsedate_to_datetime(dict(r["headers"])["Date"]).timestamp())
    out = {"status": r["status"], "headers": hd}
    if re.match(r'^\{"(refresh|access)":"eyJ', body):
        toks = json.loads(body)
        out["tokens"] = []
        for name, t in toks.items():
            h, p, s_ = t.split(".")
            out["tokens"].append([name, b64d(h), markers(b64d(p), now)])
    else:
        out["body"] = body
    return out

def load(cfg):
    d = json.load(open(f"{RES}/simplejwt-{cfg}.json"))["results"]
    return {(r["endpoint"], r["case"]): r for r in d}
ru, en, rr, rrb, erb = (load(c) for c in ["ru", "en", "ru-rotate", "ru-rotate-bl", "en-rotate-bl"])
def same(a, b): return expect(a) == expect(b)
n = 0
lines = []
for key, r in ru.items():
    ep, case = key
    if ep == "(other)" or case in SKIP:
        continue
    n += 1
    row = {"endpoint": ep, "name": case, "request": req_json(requests[key]), "ru": expect(r)}
    for name, cfg_map, base in [("en", en, r), ("ru_rotate", rr, r), ("ru_rotate_bl", rrb, rr[key]), ("en_rotate_bl", erb, en[key])]:
        if not same(cfg_map[key], base):
            row[name] = expect(cfg_map[key])
    line = json.dumps(row, ensure_ascii=False, separators=(",", ":"))
    assert '"##' not in line
    lines.append(line)
print("\n".join(lines))
print("// %d cases" % n, file=sys.stderr)
