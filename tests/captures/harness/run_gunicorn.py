"""Run both reference projects under gunicorn (the production server, not `runserver`) and
record what they answer where the server or the body's size and framing matter:

- a body without `Content-Type` (gunicorn leaves CONTENT_TYPE out of the WSGI environ, where
  runserver's wsgiref fills in `text/plain`), or with an empty one;
- bodies of 3,000,000 bytes, above Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2,621,440): JSON,
  form and multipart (a field, a file), with Content-Length and chunked;
- Django's own HTML pages: 400 (TooManyFieldsSent, RequestDataTooBig) and 500;
- simplejwt refresh tokens of an unknown and of an inactive user, with and without `iat`:
  the lifetime (`exp - iat`) of the access token they get.

usage: python3 harness/run_gunicorn.py [config ...]   (any python3; each server runs in its venv)
Writes $WORK/results/gunicorn-<config>.json (WORK: see common.py, default target/captures/);
gen_gunicorn_fixture.py turns them into tests/captures/gunicorn.json.
Every request is written byte for byte here (a raw socket, not curl), so the fixture can
describe it exactly; every server listens on 127.0.0.1 only."""
import email.utils, json, os, shutil, socket, subprocess, sys, time, uuid
sys.path.insert(0, os.path.dirname(__file__))
from common import sign, wait_port, HERE, WORK, RES, SEEDED, server_env

GUNICORN = "27.0.1"
SJ_KEY = "gatehouse-simplejwt-test-signing-key-0123456789abcdef"
DRF_KEY = "gatehouse-drfjwt-test-secret-0123456789abcdef"
BIG = 3_000_000   # above DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

SIMPLEJWT = {"project": "simplejwt_project", "venv": "venv-simplejwt", "db": "simplejwt.sqlite3",
             "wsgi": "ghsite.wsgi", "obtain": "/token/", "refresh": "/token/refresh/",
             "user": "email", "login": ("user@example.com", "password"),
             "stack": "djangorestframework-simplejwt 5.3.1, Django 4.2.30, djangorestframework 3.15.2, PyJWT 2.4.0"}
DRFJWT = {"project": "drfjwt_project", "venv": "venv-drfjwt-py311", "db": "drfjwt-py311.sqlite3",
          "wsgi": "ghjwt.wsgi", "obtain": "/api-token-auth/", "refresh": "/api-token-refresh/",
          "user": "username", "login": ("test", "test"),
          "stack": "djangorestframework-jwt 1.9.0, Django 3.2.25, djangorestframework 3.14.0, PyJWT 1.7.1"}
CONFIGS = {
    # name: (project, env, port)
    "simplejwt-ru": (SIMPLEJWT, {"GH_LANGUAGE_CODE": "ru"}, 8731),
    "simplejwt-en": (SIMPLEJWT, {"GH_LANGUAGE_CODE": "en"}, 8732),
    "drfjwt-en":    (DRFJWT, {}, 8831),
    "drfjwt-ru":    (DRFJWT, {"GH_LANGUAGE_CODE": "ru"}, 8832),
}
J = "application/json"
FORM = "application/x-www-form-urlencoded"


def body_bytes(spec):
    """The body a spec describes: {"text": s} or {"prefix", "fill", "suffix", "size"}."""
    if "text" in spec:
        return spec["text"].encode()
    fill = spec["size"] - len(spec["prefix"].encode()) - len(spec["suffix"].encode())
    return spec["prefix"].encode() + spec["fill"].encode() * fill + spec["suffix"].encode()


def request_bytes(req, port):
    """The request line, `Host`, the spec's headers in order, then the framing header."""
    body = body_bytes(req["body"])
    head = f"{req['method']} {req['path']} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
    for name, value in req["headers"]:
        head += f"{name}: {value}\r\n" if value else f"{name}:\r\n"
    if req["framing"] == "content-length":
        head += f"Content-Length: {len(body)}\r\n\r\n"
        parts = [body[i:i + 65536] for i in range(0, len(body), 65536)]
    else:   # chunked, 64 KiB chunks
        head += "Transfer-Encoding: chunked\r\n\r\n"
        parts = [b"%x\r\n%s\r\n" % (len(body[i:i + 65536]), body[i:i + 65536])
                 for i in range(0, len(body), 65536)] + [b"0\r\n\r\n"]
    return head.encode("latin-1"), parts


def exchange(port, req):
    """Sends the request; returns what came back and whether the whole body went out (the
    server may answer and close before reading it)."""
    head, parts = request_bytes(req, port)
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    sent_all = True
    try:
        s.sendall(head)
        for part in parts:
            s.sendall(part)
    except OSError:
        sent_all = False
    raw = b""
    try:
        while True:
            data = s.recv(65536)
            if not data:
                break
            raw += data
    except OSError:
        pass
    s.close()
    return raw, sent_all


def parse(raw):
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = [(k, v.strip()) for k, _, v in (l.partition(":") for l in lines[1:])]
    return int(lines[0].split()[1]), lines[0], headers, body


def text(s):
    return {"text": s}


def padded(prefix, suffix, size=BIG):
    return {"prefix": prefix, "fill": "x", "suffix": suffix, "size": size}


def cases(p):
    """Yield (name, request spec, token recipe or None). A recipe {"field", "payload"} is a
    JSON body {field: <token>} whose token is `payload` signed with the project's key after
    the markers "<now>", "<now-2>", "<now+3600>" and "<hex32>" are filled in."""
    u, (name, password) = p["user"], p["login"]
    creds_json = json.dumps({u: name, "password": password}, separators=(",", ":"))
    creds_form = f"{u}={name}&password={password}"
    E = p["obtain"]

    def post(path, headers, body, framing="content-length"):
        return {"method": "POST", "path": path, "headers": headers, "framing": framing, "body": body}

    # 1. Content-Type missing or empty.
    yield "no Content-Type, JSON body", post(E, [], text(creds_json)), None
    yield "no Content-Type, form body", post(E, [], text(creds_form)), None
    yield "empty Content-Type header, JSON body", post(E, [["Content-Type", ""]], text(creds_json)), None
    yield "no Content-Type, no body", post(E, [], text("")), None
    yield "no Content-Type, JSON body, refresh endpoint", post(p["refresh"], [], text('{"refresh":"x","token":"x"}')), None

    # 2. Bodies above DATA_UPLOAD_MAX_MEMORY_SIZE, and chunked bodies.
    json_prefix = creds_json[:-1] + ',"pad":"'
    yield "JSON body of 3000000 bytes, Content-Length", post(E, [["Content-Type", J]], padded(json_prefix, '"}')), None
    yield "form body of 3000000 bytes, Content-Length", post(E, [["Content-Type", FORM]], padded(creds_form + "&pad=", "")), None
    b = "gatehouse-boundary"
    field = lambda n, v: f'--{b}\r\nContent-Disposition: form-data; name="{n}"\r\n\r\n{v}\r\n'
    mp_head = field(u, name) + field("password", password)
    mp = [["Content-Type", f"multipart/form-data; boundary={b}"]]
    yield ("multipart body of 3000000 bytes, one field, Content-Length",
           post(E, mp, padded(mp_head + f'--{b}\r\nContent-Disposition: form-data; name="pad"\r\n\r\n', f"\r\n--{b}--\r\n")), None)
    yield ("multipart body of 3000000 bytes, one file, Content-Length",
           post(E, mp, padded(mp_head + f'--{b}\r\nContent-Disposition: form-data; name="pad"; filename="pad.txt"\r\n'
                                        f'Content-Type: text/plain\r\n\r\n', f"\r\n--{b}--\r\n")), None)
    yield "JSON body of 3000000 bytes, chunked", post(E, [["Content-Type", J]], padded(json_prefix, '"}'), "chunked"), None
    yield "JSON body, chunked", post(E, [["Content-Type", J]], text(creds_json), "chunked"), None

    # 3. Django's HTML pages.
    yield "1001 form fields", post(E, [["Content-Type", FORM]], text("&".join(f"f{i}=1" for i in range(1001)))), None
    yield "JSON nested 5000 deep", post(E, [["Content-Type", J]], {"prefix": "", "fill": "[", "suffix": "", "size": 5000}), None
    if p is SIMPLEJWT:
        crash = {"field": "refresh", "payload": [["token_type", "refresh"], ["exp", "<now+3600>"], ["iat", "<now>"],
                                                 ["user_id", 206661]]}
        yield "refresh token without jti (the library crashes)", post(p["refresh"], [["Content-Type", J]], None), crash
    else:
        crash = {"field": "token", "payload": [["username", "test"], ["orig_iat", "x"], ["user_id", 2],
                                               ["email", "test@example.com"], ["exp", "<now+3600>"]]}
        yield "token whose orig_iat is a string (the library crashes)", post(p["refresh"], [["Content-Type", J]], None), crash

    # 4. simplejwt refresh: the access token's lifetime for unknown and inactive users.
    if p is SIMPLEJWT:
        for who, user_id in (("active", 206661), ("inactive", 206663), ("unknown", 999999)):
            for iat in ("<now-2>", None):
                payload = [["token_type", "refresh"], ["exp", "<now+3600>"]]
                payload += [["iat", iat]] if iat else []
                payload += [["jti", "<hex32>"], ["user_id", user_id]]
                label = "iat 2 s ago" if iat else "no iat"
                yield (f"refresh token of the {who} user {user_id}, {label}",
                       post(p["refresh"], [["Content-Type", J]], None), {"field": "refresh", "payload": payload})


def start_of_second():
    """Sleeps until just after a second boundary, so that the server's `now` is the
    harness's (the markers below are exact, not within a second)."""
    t = time.time()
    time.sleep(1.02 - (t - int(t)))
    return int(time.time())


def fill(value, now):
    return {"<now>": now, "<now-2>": now - 2, "<now+3600>": now + 3600,
            "<hex32>": uuid.uuid4().hex}.get(value, value) if isinstance(value, str) else value


def run_config(name):
    p, env_over, port = CONFIGS[name]
    db = os.path.join(RES, f"gunicorn-{name}.sqlite3")
    shutil.copy(os.path.join(SEEDED, p["db"]), db)
    venv = os.path.join(WORK, p["venv"])
    cmd = [os.path.join(venv, "bin", "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "1",
           "--no-control-socket", p["wsgi"]]
    log = open(os.path.join(RES, f"gunicorn-{name}.server.log"), "wb")
    srv = subprocess.Popen(cmd, cwd=os.path.join(HERE, p["project"]), env=server_env(db, env_over),
                           stdout=log, stderr=subprocess.STDOUT)
    out = []
    try:
        wait_port(f"http://127.0.0.1:{port}")
        version = subprocess.run([os.path.join(venv, "bin", "python"), "-c",
                                  "import sys, gunicorn; print(gunicorn.__version__, sys.version.split()[0])"],
                                 capture_output=True, text=True).stdout.split()
        assert version[0] == GUNICORN, version
        for case, req, recipe in cases(p):
            now = None
            if recipe:
                now = start_of_second()
                claims = {k: fill(v, now) for k, v in recipe["payload"]}
                key = SJ_KEY if p is SIMPLEJWT else DRF_KEY
                req = dict(req, body=text(json.dumps({recipe["field"]: sign(claims, key)}, separators=(",", ":"))))
            raw, sent_all = exchange(port, req)
            status, status_line, headers, body = parse(raw)
            out.append({"case": case, "request": req, "recipe": recipe, "now": now, "sent_whole_body": sent_all,
                        "status": status, "status_line": status_line, "headers": headers,
                        "body": body.decode("utf-8", "backslashreplace")})
    finally:
        srv.terminate(); srv.wait(10)
    server = f"gunicorn {version[0]} (sync worker, 1 worker), Python {version[1]}"
    with open(os.path.join(RES, f"gunicorn-{name}.json"), "w") as f:
        json.dump({"config": name, "env": env_over, "stack": p["stack"], "server": server,
                   "command": "cd tests/captures/%s && %sGH_DB=<a copy of $WORK/db/%s> $WORK/%s/bin/gunicorn %s"
                              % (p["project"], "".join(f"{k}={v} " for k, v in env_over.items()), p["db"], p["venv"],
                                 " ".join(cmd[1:])),
                   "results": out}, f, ensure_ascii=False, indent=1)
    print(name, len(out), "cases")


if __name__ == "__main__":
    for n in sys.argv[1:] or list(CONFIGS):
        run_config(n)
