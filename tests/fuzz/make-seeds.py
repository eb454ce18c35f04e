#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets, tests/fuzz/seeds/<target>/, from what the
tests use: the demo configuration's tokens and keys, real header lines, the path tricks
of tests/integration/attacks.rs, the shipped configuration files and dialect request
bodies. Deterministic (no clock, no randomness), standard library only.

The seeds are committed; run this again after changing it or the shipped configs:

    python3 tests/fuzz/make-seeds.py

It empties and rewrites tests/fuzz/seeds/ only. Seeds must never be tokens signed with
the fuzz harness's own key (bodies.rs): the `tokens` target asserts nothing verifies.
"""

import base64
import hashlib
import hmac
import json
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SEEDS = os.path.join(HERE, "seeds")

# Keys of config/gatehouse.toml (demo only) and one nobody has.
DEMO = b"demo-only-secret-change-me-0123456789abcdef"
SIMPLEJWT = b"demo-simplejwt-secret-change-me-0123456789abc"
DRF_JWT = b"demo-drf-jwt-secret-change-me-0123456789abcde"
KERONG = b"demo-kerong-secret-change-me-0123456789abcdef"
OTHER = b"not-the-key-of-anyone-0123456789abcdef"
# bodies.rs's key: used ONLY for the dialects target (refresh/verify paths), never for
# the tokens or credentials targets.
FUZZ_KEY = b"fuzzing-secret-fuzzing-secret-0123456789"

# 2100-01-01 and 2015-05-11: fixed times so the seeds never change.
FAR = 4102444800
PAST = 1431335528

# The sample token of seed document 003 (drf_jwt), from tests/integration/attacks.rs.
DRF_JWT_SAMPLE = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VybmFtZSI6ImFkbWluIiwib3JpZ19pYXQiOjE0MzEz"
    "MzU1MjgsInVzZXJfaWQiOjEsImVtYWlsIjoiYWRtaW5AYWRtaW4uY29tIiwiZXhwIjoxNDM5MzM1NTI4fQ.s84"
    "IiGYLz649KILx2NfZ7KfLk928xcLJvMC2mNlXB6Q"
)


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jws(secret, header, claims):
    """An HS256 JWS over exactly this header and these claims (dicts or raw text)."""
    if not isinstance(header, str):
        header = json.dumps(header, separators=(",", ":"))
    if not isinstance(claims, str):
        claims = json.dumps(claims, separators=(",", ":"))
    signing_input = b64(header.encode()) + "." + b64(claims.encode())
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64(mac)


NATIVE_HEADER = {"typ": "JWT", "alg": "HS256", "kid": "demo-hs256"}


def native(user="admin", **edit):
    claims = {
        "sub": user,
        "iss": "gatehouse",
        "iat": PAST,
        "exp": FAR,
        "jti": "0123456789abcdef0123456789abcdef",
    }
    claims.update(edit)
    return claims


def simplejwt_claims(token_type, user_id=1):
    return {
        "token_type": token_type,
        "exp": FAR,
        "iat": PAST,
        "jti": "4e6cc5a3e2924f58a708d101512c3163",
        "user_id": user_id,
        "roles": [],
        "ip_address": "127.0.0.1",
    }


def drf_claims(user="admin", user_id=1, email="admin@admin.com"):
    return {
        "username": user,
        "orig_iat": PAST,
        "user_id": user_id,
        "email": email,
        "exp": FAR,
    }


def tokens():
    """Token text that must never verify with the fuzz key: demo-key tokens, alg tricks."""
    none_header = b64(b'{"alg":"none","typ":"JWT"}')
    claims = b64(json.dumps(native()).encode())
    valid_demo = jws(DEMO, NATIVE_HEADER, native())
    head, body, sig = valid_demo.split(".")
    return {
        "native-demo-key": valid_demo,
        "native-other-key": jws(OTHER, NATIVE_HEADER, native()),
        "native-expired": jws(DEMO, NATIVE_HEADER, native(exp=PAST)),
        "native-string-exp": jws(DEMO, NATIVE_HEADER, native(exp=str(FAR))),
        "native-huge-exp": jws(DEMO, NATIVE_HEADER, native(exp=18446744073709551615)),
        "native-float-nbf": jws(DEMO, NATIVE_HEADER, native(nbf=1.5e300)),
        "native-aud-list": jws(DEMO, NATIVE_HEADER, native(aud=["a", "b"])),
        "native-crit": jws(DEMO, {"alg": "HS256", "crit": ["exp"], "kid": "demo-hs256"}, native()),
        "native-kid-path": jws(DEMO, {"alg": "HS256", "kid": "../../dev/null"}, native()),
        "native-kid-number": jws(DEMO, {"alg": "HS256", "kid": 7}, native()),
        "native-jwk": jws(
            DEMO,
            {"alg": "HS256", "jwk": {"kty": "oct", "k": b64(OTHER)}, "jku": "http://127.0.0.1/"},
            native(),
        ),
        "alg-none": none_header + "." + claims + ".",
        "alg-none-nosig": none_header + "." + claims,
        "alg-NoNe": b64(b'{"alg":"NoNe"}') + "." + claims + "." + sig,
        "alg-rs256": b64(b'{"alg":"RS256","kid":"nomic-generated"}') + "." + claims + "." + sig,
        "alg-es256": b64(b'{"alg":"ES256"}') + "." + claims + "." + sig + sig,
        "alg-eddsa": b64(b'{"alg":"EdDSA"}') + "." + claims + "." + sig,
        "truncated-sig": head + "." + body + "." + sig[:-4],
        "padded-sig": head + "." + body + "." + sig + "==",
        "swapped-parts": body + "." + head + "." + sig,
        "four-parts": valid_demo + "." + sig,
        "empty-parts": "..",
        "not-base64": head + ".@@@." + sig,
        "header-not-json": b64(b"not json") + "." + body + "." + sig,
        "header-array": b64(b"[1,2]") + "." + body + "." + sig,
        "claims-dup-keys": jws(DEMO, NATIVE_HEADER, '{"sub":"admin","sub":"root","exp":4102444800}'),
        "claims-unicode": jws(DEMO, NATIVE_HEADER, '{"sub":"\\u0061dmin\\ud800","exp":4102444800}'),
        "simplejwt-access": jws(SIMPLEJWT, {"typ": "JWT", "alg": "HS256"}, simplejwt_claims("access")),
        "simplejwt-refresh": jws(SIMPLEJWT, {"typ": "JWT", "alg": "HS256"}, simplejwt_claims("refresh")),
        "drf-jwt": jws(DRF_JWT, {"alg": "HS256", "typ": "JWT"}, drf_claims()),
        "drf-jwt-sample": DRF_JWT_SAMPLE,
        "kerong": jws(KERONG, {"alg": "HS256"}, {"sub": "admin", "exp": FAR}),
        "bearer-prefix": "Bearer " + valid_demo,
        "whitespace": " " + valid_demo + "\n",
    }


def credentials():
    """Header lines as bodies::credentials reads them (`name: value`, one per line)."""
    token = jws(DEMO, NATIVE_HEADER, native("TestUser"))
    basic = base64.b64encode(b"admin:masterkey").decode()
    return {
        "bearer": "authorization: Bearer " + token,
        "bearer-lower": "Authorization: bearer " + token,
        "bearer-twice": "authorization: Bearer " + token + "\nauthorization: Bearer " + token,
        "bearer-empty": "authorization: Bearer ",
        "bearer-spaces": "authorization: Bearer   " + token + "  ",
        "basic": "authorization: Basic " + basic,
        "basic-alice": "authorization: Basic YWxpY2U6Y29ycmVjdCBob3JzZQ==",
        "basic-no-colon": "authorization: Basic " + base64.b64encode(b"admin").decode(),
        "basic-empty-user": "authorization: Basic " + base64.b64encode(b":pw").decode(),
        "basic-utf8": "authorization: Basic " + base64.b64encode("адм:пароль".encode()).decode(),
        "basic-latin1": "authorization: Basic " + base64.b64encode(b"\xe9t\xe9:x").decode(),
        "basic-bad-b64": "authorization: Basic YWRt=aW4=",
        "basic-unpadded": "authorization: Basic YWxpY2U6Y29ycmVjdCBob3JzZQ",
        "scheme-only": "authorization: Basic",
        "digest": 'authorization: Digest username="admin", realm="gatehouse"',
        "header-pair": "User-Name: user_test\nPassword: password_test",
        "header-pair-half": "user-name: admin",
        "header-pair-empty": "user-name: \npassword: ",
        "token-header": "x-auth-token: " + token,
        "cookie": "cookie: theme=dark; gh_token=" + token,
        "cookie-twice": "cookie: gh_token=a; gh_token=" + token + "\ncookie: x=1",
        "cookie-quoted": 'cookie: gh_token="' + token + '"',
        "everything": "\n".join(
            [
                "authorization: Bearer " + token,
                "authorization: Basic " + basic,
                "user-name: admin",
                "password: masterkey",
                "x-auth-token: " + token,
                "cookie: gh_token=" + token,
            ]
        ),
        "long-token": "authorization: Bearer " + "A" * 9000,
    }


# tests/integration/attacks.rs: path tricks, ambiguous encodings, dialect paths.
PATHS = [
    "/", "/public/", "/public/x", "/admin", "/admin/", "/admin/x", "/orders",
    "/public//../admin/x", "/./admin/x", "/%61dmin/x", "/%61%64%6d%69%6e/x",
    "/public/%2E%2E/admin/x", "/public/%2e%2e/%61dmin/x", "/public/.%2E/./admin/x",
    "/public/x/../../admin/x", "/token/../admin/x", "/api/v1/auth/token/../../../../admin/x",
    "/.well-known/jwks.json/../../admin/x", "/login/../admin/x", "/admin/./x", "/admin//x",
    "/admin/%2e/x", "/admin%2fx", "/public%2F..%2Fadmin/x", "/public/%2e%2e%2fadmin/x",
    "/public/%5c..%5cadmin/x", "/public/%5C/admin", "/public\\..\\admin\\x",
    "/public/..\\admin/x", "/public/..;/admin/x", "/admin;jsessionid=1/x", "/public/x%00",
    "/admin/x%00.html", "/public/%c0%af..%c0%afadmin/x", "/public/%c0%ae%c0%ae/admin/x",
    "/public/%e0%80%af../admin", "/public/%ff", "/public/../../admin/x", "/../admin/x",
    "/public/%2e%2e/%2e%2e/admin/x", "/public/%01", "/public/%7f/x",
    "/public/%0d%0aX-Auth-User:%20mallory", "/public/%zz", "/public/%2", "/public/\u00e9/../../admin/x",
    "/ADMIN/x", "/api/v1/auth/./token", "/api//v1/auth/token", "/%61pi/v1/auth/token",
    "/x/../api/v1/auth/token", "/public/%2e", "/public/.", "/public/..", "/admin/..",
    "/admin/x/..", "//admin", "admin", "/%25%32%65", "/a?b=../admin", "/a#../admin",
]


def config_files():
    out = {}
    for rel in ["config/gatehouse.toml", "examples/kubernetes/gatehouse.toml",
                "examples/legacy-backend/gatehouse.toml"]:
        path = os.path.join(ROOT, rel)
        if os.path.exists(path):
            with open(path, "rb") as f:
                out[rel.replace("/", "_")] = f.read()
    return out


# Small configurations: each a corner the validator must refuse with an error.
CONFIGS = {
    "minimal": '[listen]\naddress = "127.0.0.1:1"\n[upstream]\naddress = "builtin:echo"\n',
    "key-no-secret": '[[keys]]\nid = "k"\nalgorithm = "HS256"\n',
    "key-env": '[[keys]]\nid = "k"\nalgorithm = "HS256"\nsecret_env = "NOPE"\n',
    "key-rs256-bad-pem": '[[keys]]\nid = "r"\nalgorithm = "RS256"\nprivate_key = "-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----"\n',
    "user-bad-hash": '[[users]]\nusername = "a"\npassword_hash = "$2y$04$x"\nroles = ["admin"]\n',
    "routes": '[[routes]]\nprefix = "/public/"\naccess = "public"\n[[routes]]\nprefix = "/admin/"\nroles = ["admin"]\nmethods = ["GET", "POST"]\n',
    "route-bad-prefix": '[[routes]]\nprefix = "admin/../x"\naccess = "public"\n',
    "durations": '[auth]\ncache_ttl = "5m"\ntoken_lifetime = "1h"\n[auth.rate_limit]\nwindow = "0s"\nper_client = 0\n',
    "bad-duration": '[auth]\ncache_ttl = "five minutes"\n',
    "dialects": '[dialects]\nmax_body_bytes = 16384\n[dialects.kerong]\nkey = "k"\npath = "/api/v1/auth/token"\nlifetime = "1h"\n[dialects.simplejwt]\nkey = "k"\nlanguage = "ru"\nrotate_refresh_tokens = true\n',
    "wrong-types": '[listen]\naddress = 5\ntrusted_proxies = "10.0.0.0/8"\n[admin]\naddress = []\n',
    "trusted-proxies": '[listen]\naddress = "[::1]:0"\ntrusted_proxies = ["10.0.0.0/8", "::1/128", "300.1.1.1/40"]\n',
    "unknown-key": '[listen]\nadress = "127.0.0.1:1"\n',
    "dup-table": "[auth]\nbearer = true\n[auth]\nbearer = false\n",
    "inline-tables": 'listen = { address = "127.0.0.1:1", tls = { cert_file = "/x", key_file = "/y" } }\n',
    "unicode": '[identity]\nuser = "X-\u00e9"\nroles = "X-Auth-Roles\\r\\n"\n',
}


def dialects():
    """bodies::dialects: first byte picks endpoint, content type and method; the rest is
    the body (and, up to 40 bytes, the user-name/password headers)."""
    endpoints = ["kerong", "header-login", "simplejwt-obtain", "simplejwt-refresh",
                 "simplejwt-verify", "simplejwt-blacklist", "drf-obtain", "drf-refresh",
                 "drf-verify"]
    content_types = ["json", "form", "text", "multipart"]

    def selector(endpoint, ctype="json", method="POST"):
        e = endpoints.index(endpoint)
        c = None if ctype is None else content_types.index(ctype)
        for s in range(256):
            if (s % 9 == e and c in (None, (s // 16) % 4)
                    and (s % 7 == 0) == (method == "GET")):
                return bytes([s])
        raise ValueError((endpoint, ctype, method))

    refresh = jws(FUZZ_KEY, {"typ": "JWT", "alg": "HS256"}, simplejwt_claims("refresh"))
    access = jws(FUZZ_KEY, {"typ": "JWT", "alg": "HS256"}, simplejwt_claims("access"))
    drf = jws(FUZZ_KEY, {"alg": "HS256", "typ": "JWT"}, drf_claims("alice", 1, "alice@example.com"))
    login = '{"username":"alice","password":"correct horse"}'
    out = {}
    for e in ["kerong", "drf-obtain"]:
        out[e + "-login"] = selector(e) + login.encode()
        out[e + "-login-wrong"] = selector(e) + b'{"username":"alice","password":"nope"}'
        out[e + "-missing"] = selector(e) + b'{"username":"alice"}'
        out[e + "-types"] = selector(e) + b'{"username":["a"],"password":null}'
        out[e + "-form"] = selector(e, "form") + b"username=alice&password=correct+horse"
        out[e + "-get"] = selector(e, None, "GET") + b""
    out["simplejwt-obtain-email"] = selector("simplejwt-obtain") + b'{"email": "alice@example.com", "password": "correct horse"}'
    out["simplejwt-obtain-username"] = selector("simplejwt-obtain") + login.encode()
    out["simplejwt-obtain-form"] = selector("simplejwt-obtain", "form") + b"email=alice%40example.com&password=correct%20horse"
    out["simplejwt-obtain-multipart"] = selector("simplejwt-obtain", "multipart") + (
        b'--x\r\nContent-Disposition: form-data; name="email"\r\n\r\nalice@example.com\r\n'
        b'--x\r\nContent-Disposition: form-data; name="password"\r\n\r\ncorrect horse\r\n--x--\r\n'
    )
    out["simplejwt-refresh"] = selector("simplejwt-refresh") + json.dumps({"refresh": refresh}).encode()
    out["simplejwt-refresh-access"] = selector("simplejwt-refresh") + json.dumps({"refresh": access}).encode()
    out["simplejwt-verify"] = selector("simplejwt-verify") + json.dumps({"token": access}).encode()
    out["simplejwt-verify-sample"] = selector("simplejwt-verify") + json.dumps({"token": DRF_JWT_SAMPLE}).encode()
    out["simplejwt-blacklist"] = selector("simplejwt-blacklist") + json.dumps({"refresh": refresh}).encode()
    out["simplejwt-blacklist-form"] = selector("simplejwt-blacklist", "form") + ("refresh=" + refresh).encode()
    out["drf-refresh"] = selector("drf-refresh") + json.dumps({"token": drf}).encode()
    out["drf-verify"] = selector("drf-verify") + json.dumps({"token": drf}).encode()
    out["drf-verify-sample"] = selector("drf-verify") + json.dumps({"token": DRF_JWT_SAMPLE}).encode()
    out["header-login"] = selector("header-login", None, "GET") + b"alice"
    out["header-login-post"] = selector("header-login", "text") + b"correct horse"
    out["json-deep"] = selector("kerong") + b"[" * 64 + b"]" * 64
    out["json-bad"] = selector("simplejwt-obtain") + b'{"email": "a", "password": "\\ud800"'
    out["json-numbers"] = selector("drf-obtain") + b'{"username": 1e999, "password": -0}'
    out["text-plain"] = selector("kerong", "text") + login.encode()
    return out


def write(target, name, data):
    if isinstance(data, str):
        data = data.encode()
    directory = os.path.join(SEEDS, target)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


def main():
    if os.path.isdir(SEEDS):
        shutil.rmtree(SEEDS)
    for name, token in tokens().items():
        write("tokens", name, token)
    for name, lines in credentials().items():
        write("credentials", name, lines)
    for i, path in enumerate(PATHS):
        write("paths", "attacks-%02d" % i, path)
    for name, text in config_files().items():
        write("config", name, text)
    for name, text in CONFIGS.items():
        write("config", name + ".toml", text)
    for name, body in dialects().items():
        write("dialects", name, body)
    total = 0
    for dirpath, _, files in os.walk(SEEDS):
        total += sum(os.path.getsize(os.path.join(dirpath, f)) for f in files)
    print("wrote %s (%d bytes)" % (os.path.relpath(SEEDS, ROOT), total), file=sys.stderr)


if __name__ == "__main__":
    main()
