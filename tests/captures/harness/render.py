"""Render results/*.json into markdown tables and raw dumps.

usage: python3 harness/render.py   -> writes $WORK/django-dialects.md (from tests/captures/
                                      django-dialects.template.md) and $WORK/raw/*.md (every raw
                                      `curl -si` exchange); WORK defaults to target/captures/
"""
import json, os, re, shlex, sys
sys.path.insert(0, os.path.dirname(__file__))
from common import HERE, WORK, RES
JWT_RE = re.compile(r'eyJ[\w-]+\.[\w-]+\.[\w-]*')

def load(name):
    with open(os.path.join(RES, name + ".json")) as f:
        d = json.load(f)
    return d, {(r["endpoint"], r["case"]): r for r in d["results"]}

def md_cell(s):
    s = s.replace("|", "\\|")
    if "`" in s:
        return "``" + s + "``" if not s.endswith("`") else "`` " + s + " ``"
    return "`" + s + "`" if s else ""

def body_repr(r):
    b = r["body"]
    if b.lstrip().startswith("<!DOCTYPE html>") or b.startswith("\n\n\n\n<!DOCTYPE"):
        return "(DRF browsable-API HTML page, %d bytes)" % len(b.encode())
    if "<" in b and ("Server Error" in b or "Not Found" in b):
        return json.dumps(b, ensure_ascii=False)[1:-1] + "  (HTML, %d bytes)" % len(b.encode())
    if b == "":
        return "(empty)"
    if b.startswith('{"name":'):
        return "(OPTIONS metadata JSON, %d bytes — see raw)" % len(b.encode())
    return JWT_RE.sub("<JWT>", b)

def request_repr(r):
    args = shlex.split(r["cmd"])[2:-1]  # drop curl -si and URL
    out = []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "-X": out.append(args[i + 1]); i += 2; continue
        if a == "-H": out.append(args[i + 1]); i += 2; continue
        if a == "--data-binary": out.append(JWT_RE.sub("<JWT>", args[i + 1])); i += 2; continue
        out.append(a); i += 1
    s = " ".join(out)
    return s.replace("POST Content-Type: application/json ", "POST ")

BASE_HDRS = {
    "content-type": "application/json", "vary": "Accept", "allow": "POST, OPTIONS",
}
BASE_ALLOW = {"/protected/": "GET, HEAD, OPTIONS"}
def hdr_notes(r, base_extra=()):
    h = {}
    for k, v in r["headers"]:
        h.setdefault(k.lower(), v)
    notes = []
    for k in ("content-type", "vary", "allow"):
        want = BASE_ALLOW.get(r["endpoint"], BASE_HDRS[k]) if k == "allow" else BASE_HDRS[k]
        if h.get(k) != want:
            notes.append(f"{k.title()}: {h.get(k, '—')}" if h.get(k) else f"no {k.title()}")
    for k in ("location", "content-language"):
        if k in h: notes.append(f"{k.title()}: {h[k]}")
    return "; ".join(notes)

def table(endpoint, cols, extra_status=False):
    """cols: list of (label, keyed-results). First column supplies request and headers."""
    first = cols[0][1]
    keys = [k for k in first if k[0] == endpoint]
    head = "| # | case | request | status | WWW-Authenticate | header deviations | " + " | ".join(f"body ({c[0]})" for c in cols) + " |"
    sep = "|" + "---|" * (6 + len(cols))
    lines = [head, sep]
    for i, k in enumerate(keys, 1):
        r = first[k]
        h = {kk.lower(): v for kk, v in r["headers"]}
        bodies = []
        for label, res in cols:
            rr = res.get(k)
            if rr is None: bodies.append("n/a"); continue
            s = body_repr(rr)
            if rr["status"] != r["status"]:
                s = f"**{rr['status']}** " + s
            bodies.append(s)
        # collapse identical bodies
        cells = [md_cell(b) if not b.startswith("**") else b.split(" ", 1)[0] + " " + md_cell(b.split(" ", 1)[1]) for b in bodies]
        lines.append(f"| {i} | {k[1]} | {md_cell(request_repr(r))} | {r['status']} | {md_cell(h.get('www-authenticate', ''))} | {hdr_notes(r)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)

def raw_dump(name, title):
    d, res = load(name)
    out = [f"# Raw `curl -si` exchanges: {title}", "",
           f"Config `{name}`, environment overrides `{json.dumps(d['env'])}`. `PORT` stands for the port the harness used. "
           "Every response below is byte-exact as curl printed it (CRLF line ends shown as line breaks; "
           "non-UTF-8 bytes, if any, as `\\xNN`).", ""]
    ep = None
    for r in d["results"]:
        if r["endpoint"] != ep:
            ep = r["endpoint"]; out += [f"## {ep}", ""]
        out += [f"### {r['case']}", "", "```", "$ " + r["cmd"], r["raw"].replace("\r\n", "\n").rstrip("\n"), "```", ""]
    with open(os.path.join(WORK, "raw", f"{name}.md"), "w") as f:
        f.write("\n".join(out))

def main():
    os.makedirs(os.path.join(WORK, "raw"), exist_ok=True)
    blocks = {}
    _, sj_ru = load("simplejwt-ru"); _, sj_en = load("simplejwt-en")
    for ep in ("/token/", "/token/refresh/", "/token/verify/", "/token/blacklist/", "(other)"):
        blocks["SJ " + ep] = table(ep, [("ru", sj_ru), ("en", sj_en)])
    _, sj_rot = load("simplejwt-ru-rotate"); _, sj_rbl = load("simplejwt-ru-rotate-bl"); _, sj_enrbl = load("simplejwt-en-rotate-bl")
    for ep in ("/token/refresh/", "/token/verify/", "/token/blacklist/"):
        blocks["SJROT " + ep] = table(ep, [("ru, rotate off", sj_ru), ("ru, ROTATE on / BLACKLIST off", sj_rot), ("ru, ROTATE on / BLACKLIST on", sj_rbl), ("en, ROTATE on / BLACKLIST on", sj_enrbl)])
    _, dj_en = load("drfjwt-py311-en"); _, dj_ru = load("drfjwt-py311-ru"); _, dj27 = load("drfjwt-py27-en"); _, dj27ru = load("drfjwt-py27-ru")
    _, dj_in = load("drfjwt-py311-en-inactive")
    for ep in ("/api-token-auth/", "/api-token-refresh/", "/api-token-verify/", "(other)"):
        blocks["DJ " + ep] = table(ep, [("py3.11/Dj3.2/DRF3.14, en-us", dj_en), ("py3.11, ru", dj_ru), ("py2.7/Dj1.11/DRF3.9.4, en-us", dj27), ("py2.7, ru", dj27ru)])
    blocks["DJ inactive"] = table("/api-token-auth/", [("ModelBackend (default)", dj_en), ("AllowAllUsersModelBackend", dj_in)])
    _, p_sru = load("protected-simplejwt-ru"); _, p_sen = load("protected-simplejwt-en")
    blocks["PROT SJ"] = table("/protected/", [("ru", p_sru), ("en", p_sen)])
    _, p_d3 = load("protected-drfjwt-py311-en"); _, p_d2 = load("protected-drfjwt-py27-en"); _, p_dru = load("protected-drfjwt-py311-ru")
    blocks["PROT DJ"] = table("/protected/", [("py3.11, en-us", p_d3), ("py3.11, ru", p_dru), ("py2.7, en-us", p_d2)])
    for n, t in (("protected-simplejwt-ru", "simplejwt JWTAuthentication on /protected/, ru"), ("protected-simplejwt-en", "simplejwt JWTAuthentication on /protected/, en"),
                 ("protected-drfjwt-py311-en", "drf-jwt JSONWebTokenAuthentication on /protected/, py3.11"), ("protected-drfjwt-py311-ru", "drf-jwt JSONWebTokenAuthentication, py3.11, ru"),
                 ("protected-drfjwt-py27-en", "drf-jwt JSONWebTokenAuthentication on /protected/, py2.7"),
                 ("simplejwt-ru", "simplejwt, LANGUAGE_CODE=ru"), ("simplejwt-en", "simplejwt, LANGUAGE_CODE=en"),
                 ("simplejwt-ru-rotate", "simplejwt, ru, ROTATE_REFRESH_TOKENS"), ("simplejwt-ru-rotate-bl", "simplejwt, ru, ROTATE + BLACKLIST_AFTER_ROTATION"),
                 ("simplejwt-en-rotate-bl", "simplejwt, en, ROTATE + BLACKLIST_AFTER_ROTATION"),
                 ("simplejwt-ru-localemw", "simplejwt, ru + LocaleMiddleware"), ("simplejwt-en-localemw", "simplejwt, en + LocaleMiddleware"),
                 ("simplejwt-ru-debug", "simplejwt, ru, DEBUG=True"),
                 ("drfjwt-py311-en", "drf-jwt, Python 3.11 / Django 3.2 / DRF 3.14, en-us"), ("drfjwt-py311-ru", "drf-jwt, Python 3.11, ru"),
                 ("drfjwt-py311-en-inactive", "drf-jwt, Python 3.11, AllowAllUsersModelBackend"), ("drfjwt-py311-en-localemw", "drf-jwt, Python 3.11, LocaleMiddleware"),
                 ("drfjwt-py27-en", "drf-jwt, Python 2.7 / Django 1.11 / DRF 3.9.4, en-us"), ("drfjwt-py27-ru", "drf-jwt, Python 2.7, ru"),
                 ("drfjwt-py27-en-inactive", "drf-jwt, Python 2.7, AllowAllUsersModelBackend")):
        raw_dump(n, t)
    tpl = open(os.path.join(HERE, "django-dialects.template.md")).read()
    def sub(m):
        key = m.group(1)
        if key.startswith("RAW "):
            cfg, ep, case = key[4:].split(" :: ")
            _, res = load(cfg)
            r = res[(ep, case)]
            return "```\n$ " + r["cmd"] + "\n" + r["raw"].replace("\r\n", "\n").rstrip("\n") + "\n```"
        if key.startswith("FILE "):
            path = os.path.join(WORK, key[5:])
            if not os.path.exists(path):  # e.g. results/simplejwt-gunicorn.txt is made by hand
                return "(not captured in this run: `%s` is missing; see tests/captures/README.md)" % key[5:]
            return open(path).read().replace("\r\n", "\n").rstrip("\n")
        return blocks[key]
    out = re.sub(r"\{\{(.+?)\}\}", sub, tpl)
    open(os.path.join(WORK, "django-dialects.md"), "w").write(out)
    print("wrote django-dialects.md", len(out), "bytes")

if __name__ == "__main__":
    main()
