"""Shared helpers: run `curl -si`, split the raw response, sign HS256 tokens without PyJWT.

Paths: the sources live in tests/captures/ (HERE); everything a run makes (venvs, seeded
SQLite databases, results/, raw/, django-dialects.md) goes to WORK, which is
$GH_CAPTURES_DIR or else <repo>/target/captures/. All servers listen on 127.0.0.1 only."""
import base64, hashlib, hmac, json, os, shlex, subprocess, tempfile, time

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))          # tests/captures
REPO = os.path.dirname(os.path.dirname(HERE))
WORK = os.path.abspath(os.environ.get("GH_CAPTURES_DIR") or os.path.join(REPO, "target", "captures"))
RES = os.path.join(WORK, "results")        # <config>.json, server logs, throw-away DB copies
SEEDED = os.path.join(WORK, "db")          # databases seeded by setup.sh (never written by runs)
os.makedirs(RES, exist_ok=True)

def server_env(db, env_over):
    """Environment for one reference server: its own DB copy, no .pyc files in the source tree."""
    return dict(os.environ, GH_DB=db, PYTHONWARNINGS="ignore", PYTHONDONTWRITEBYTECODE="1", **env_over)

def b64url(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

def b64url_dec(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))

def sign(payload, key, header=b'{"typ":"JWT","alg":"HS256"}', alg="sha256"):
    """payload: dict (compact json, insertion order) or raw bytes."""
    if isinstance(payload, dict):
        payload = json.dumps(payload, separators=(",", ":")).encode()
    if isinstance(header, dict):
        header = json.dumps(header, separators=(",", ":")).encode()
    si = b64url(header) + "." + b64url(payload)
    if alg is None:
        return si + "."
    mac = hmac.new(key.encode(), si.encode(), getattr(hashlib, alg)).digest()
    return si + "." + b64url(mac)

def decode(tok):
    h, p, s = tok.split(".")
    return b64url_dec(h), b64url_dec(p)

class Raw:
    def __init__(self, raw: bytes, cmd: str):
        self.raw, self.cmd = raw, cmd
        # curl -si may print several responses (e.g. 100-continue); take the last
        head, _, body = raw.partition(b"\r\n\r\n")
        while head.startswith(b"HTTP/1.1 100"):
            head, _, body = body.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        self.status_line = lines[0]
        self.status = int(lines[0].split()[1])
        self.headers = []
        for l in lines[1:]:
            k, _, v = l.partition(":")
            self.headers.append((k, v.strip()))
        self.body = body

    def h(self, name):
        vals = [v for k, v in self.headers if k.lower() == name.lower()]
        return ", ".join(vals) if vals else None

    def json(self):
        return json.loads(self.body)

def curl(base, method, path, body=None, headers=(), ctype="application/json", extra=()):
    """ctype: None -> curl's default for --data (form); "" -> remove Content-Type header."""
    args = ["curl", "-si", "-X", method]
    shown = ["curl", "-si", "-X", method]
    hdrs = list(headers)
    if ctype is not None:
        hdrs.insert(0, f"Content-Type: {ctype}" if ctype else "Content-Type:")
    for h in hdrs:
        args += ["-H", h]; shown += ["-H", h]
    tmp = None
    if body is not None:
        if isinstance(body, bytes):
            tmp = tempfile.NamedTemporaryFile(delete=False); tmp.write(body); tmp.close()
            args += ["--data-binary", "@" + tmp.name]
            shown += ["--data-binary", "@<bytes " + repr(body)[:80] + ">"]
        else:
            args += ["--data-binary", body]; shown += ["--data-binary", body if len(body) < 200 else body[:60] + "…"]
    args += list(extra); shown += list(extra)
    args.append(base + path); shown.append(path if False else "http://127.0.0.1:PORT" + path)
    out = subprocess.run(args, capture_output=True, timeout=30).stdout
    if tmp: os.unlink(tmp.name)
    return Raw(out, " ".join(shlex.quote(a) for a in shown))

def wait_port(base, timeout=20):
    t = time.time()
    while time.time() - t < timeout:
        r = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", base + "/"], capture_output=True)
        if r.stdout and r.stdout != b"000":
            return
        time.sleep(0.2)
    raise RuntimeError("server did not start")

# Extra malformed-JSON bodies: they show Python's json error texts and how DRF wraps them.
# (name, body); "{U}" is replaced by the username field name of the dialect.
JSON_ERRORS = [
    ("JSON error: unterminated string", '{"{U}":"abc'),
    ("JSON error: missing colon", '{"{U}" "x"}'),
    ("JSON error: missing comma", '{"{U}":"x" "password":"y"}'),
    ("JSON error: raw control char in string", '{"{U}":"a\x01b","password":"x"}'),
    ("JSON error: bad escape", '{"{U}":"\\q","password":"x"}'),
    ("JSON error: position counts code points (Cyrillic before error)", '{"{U}":"жжж",,}'),
    ("JSON error: multi-line body", '{\n  "{U}": "a",\n  "password":\n}'),
    ("JSON error: whitespace-only body", '   '),
    ("JSON error: Infinity literal", '{"{U}":Infinity,"password":"x"}'),
    ("JSON error: unclosed object", '{"{U}":"a","password":"b"'),
    ("JSON: lone surrogate escape in string", '{"{U}":"\\ud800","password":"x"}'),
    ("JSON: escaped unicode username", '{"{U}":"\\u0074\\u0065\\u0073\\u0074","password":"{P}"}'),
]
