"""Interoperability between gatehouse and the real systems its dialects imitate.

run.sh starts three servers on 127.0.0.1 and then runs this with the simplejwt venv's
Python (PyJWT 2.4.0): gatehouse with the demo configuration, the real
djangorestframework-simplejwt 5.3.1 and the real djangorestframework-jwt 1.9.0, both
configured with the demo's secrets, lifetimes and users (see demo.py). Every check prints
one line; a failed check prints the response that broke it, and the run goes on with
the next group, so one run shows everything that is wrong. Exit status 1 if any failed.

Environment: GATEHOUSE_URL, SIMPLEJWT_URL, DRFJWT_URL, GH_CONFIG, and optionally
INTEROP_SUMMARY (a file the one-line result is written to).
"""
import base64
import json
import os
import sys
import urllib.error
import urllib.request

import jwt  # PyJWT 2.4.0

import demo

GATEHOUSE = os.environ["GATEHOUSE_URL"]
SIMPLEJWT = os.environ["SIMPLEJWT_URL"]
DRFJWT = os.environ["DRFJWT_URL"]
CONFIG = demo.load_config()
DIALECTS = CONFIG["dialects"]
USERS = demo.demo_users(CONFIG)
ACTIVE = [user for user in USERS if user["active"]]
INACTIVE = [user for user in USERS if not user["active"]]
BY_NAME = {user["username"]: user for user in USERS}
ADMIN, TEST, TESTUSER, USER_TEST = (BY_NAME[name] for name in ("admin", "test", "TestUser", "user_test"))
# The real libraries answer on their stock paths; gatehouse on the configured ones.
SJ = {"obtain": "/token/", "refresh": "/token/refresh/", "verify": "/token/verify/"}
DRF = {"obtain": "/api-token-auth/", "refresh": "/api-token-refresh/", "verify": "/api-token-verify/"}
GH_SJ = {"obtain": DIALECTS["simplejwt"]["path"], "refresh": DIALECTS["simplejwt"]["refresh_path"], "verify": DIALECTS["simplejwt"]["verify_path"]}
GH_DRF = {"obtain": DIALECTS["drf_jwt"]["path"], "refresh": DIALECTS["drf_jwt"]["refresh_path"], "verify": DIALECTS["drf_jwt"]["verify_path"]}
OTHER_SECRET = "not-the-configured-secret-0123456789abcdef"
FAR_FUTURE = 4_000_000_000

passed, failed = [], []


class Stop(Exception):
    """A check whose result the rest of the group needs has failed."""


class Response:
    def __init__(self, status, body, headers):
        self.status, self.body, self.headers = status, body, headers

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def __repr__(self):
        text = self.body.decode("utf-8", "replace")
        return f"HTTP {self.status} {text[:400]!r}"


def call(base, path, body=None, headers=None, method=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method or ("POST" if data is not None else "GET"))
    if data is not None:
        request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Response(response.status, response.read(), response.headers)
    except urllib.error.HTTPError as error:
        return Response(error.code, error.read(), error.headers)


def check(what, condition, detail=""):
    if condition:
        passed.append(what)
        print(f"ok    {what}")
    else:
        failed.append(what)
        print(f"FAIL  {what}\n        got: {detail}", flush=True)
    return condition


def need(what, condition, detail=""):
    if not check(what, condition, detail):
        raise Stop(what)


GROUPS = []


def group(title):
    """Registers a group of checks; main() runs them in order, each to its end or first Stop."""

    def register(function):
        GROUPS.append((title, function))
        return function

    return register


def run_group(title, function):
    print(f"\n== {title}")
    try:
        function()
    except Stop:
        print("        (the rest of this group needs that: skipped)")
    except Exception as error:  # noqa: BLE001 - a crash in a group is a failed check, not a traceback
        check(f"{title}: no unexpected error", False, f"{type(error).__name__}: {error}")


def field(response, name):
    body = response.json()
    return body.get(name) if isinstance(body, dict) else None


def claims(token):
    return jwt.decode(token, options={"verify_signature": False})


def pyjwt(what, token, key, algorithm, **options):
    """PyJWT verifies `token` (signature, exp, and whatever `options` ask) or the check fails."""
    try:
        payload = jwt.decode(token, key, algorithms=[algorithm], **options)
    except jwt.PyJWTError as error:
        need(what, False, f"{type(error).__name__}: {error}")
    check(what, True)
    return payload


def proxied(token):
    """GET /anything through gatehouse with a Bearer token: (status, x-auth-user, x-auth-user-id)."""
    response = call(GATEHOUSE, "/anything", headers={"Authorization": f"Bearer {token}"})
    echoed = response.json() if response.status == 200 else None
    if not isinstance(echoed, dict):
        return response.status, None, None
    headers = echoed.get("headers", {})
    return response.status, headers.get("x-auth-user"), headers.get("x-auth-user-id")


def opens_proxy_as(what, token, user):
    status, name, user_id = proxied(token)
    check(what, (status, name, user_id) == (200, [user["username"]], [str(user["id"])]),
          f"HTTP {status}, x-auth-user {name}, x-auth-user-id {user_id} (wanted 200, {[user['username']]}, {[str(user['id'])]})")


def refused_by_proxy(what, token):
    status, name, _ = proxied(token)
    check(what, status == 401, f"HTTP {status}, x-auth-user {name} (wanted 401)")


def gatehouse_login(path, body=None, headers=None, method=None, field_name="token"):
    response = call(GATEHOUSE, path, body, headers, method)
    need(f"gatehouse {path} logs in", response.status == 200 and field(response, field_name), response)
    return response.json()


# 1. PyJWT, a standard JWT library, verifies every dialect's tokens with the same key.


@group("PyJWT verifies gatehouse's kerong token")
def pyjwt_kerong():
    kerong = gatehouse_login(DIALECTS["kerong"]["path"], {"username": ADMIN["username"], "password": ADMIN["password"]})["token"]
    pyjwt("kerong token: HS256 with the kerong key", kerong, demo.dialect_secret(CONFIG, "kerong"), "HS256")
    try:
        jwt.decode(kerong, OTHER_SECRET, algorithms=["HS256"])
        check("PyJWT refuses the kerong token with another secret (negative control)", False, "it verified")
    except jwt.InvalidSignatureError:
        check("PyJWT refuses the kerong token with another secret (negative control)", True)


@group("PyJWT verifies gatehouse's header_login token")
def pyjwt_header_login():
    header_login = gatehouse_login(DIALECTS["header_login"]["path"], headers={"User-Name": USER_TEST["username"], "Password": USER_TEST["password"]})["token"]
    payload = pyjwt("header_login token: HS256 with the header_login key", header_login, demo.dialect_secret(CONFIG, "header_login"), "HS256")
    check("header_login token names the user", payload.get("user") == USER_TEST["username"], payload)


@group("PyJWT verifies gatehouse's simplejwt tokens")
def pyjwt_simplejwt():
    pair = gatehouse_login(GH_SJ["obtain"], {"email": ADMIN["email"], "password": ADMIN["password"]}, field_name="access")
    secret = demo.dialect_secret(CONFIG, "simplejwt")
    for kind in ("access", "refresh"):
        payload = pyjwt(f"simplejwt {kind} token: HS256 with the simplejwt key", pair.get(kind, ""), secret, "HS256")
        check(f"simplejwt {kind} token has token_type {kind} and integer user_id 1",
              payload.get("token_type") == kind and payload.get("user_id") == ADMIN["id"], payload)


@group("PyJWT verifies gatehouse's drf_jwt token")
def pyjwt_drf_jwt():
    drf = gatehouse_login(GH_DRF["obtain"], {"username": TEST["username"], "password": TEST["password"]})["token"]
    payload = pyjwt("drf_jwt token: HS256 with the drf_jwt key", drf, demo.dialect_secret(CONFIG, "drf_jwt"), "HS256")
    check("drf_jwt token has username test, user_id 3, orig_iat",
          payload.get("username") == "test" and payload.get("user_id") == TEST["id"] and isinstance(payload.get("orig_iat"), int), payload)


@group("PyJWT verifies gatehouse's nomic token (RS256, key from the JWKS)")
def pyjwt_nomic():
    basic = "Basic " + base64.b64encode(f"{TESTUSER['username']}:{TESTUSER['password']}".encode()).decode()
    nomic = gatehouse_login(DIALECTS["nomic"]["path"], headers={"Authorization": basic}, method="POST")["token"]
    jwks = call(GATEHOUSE, "/.well-known/jwks.json")
    keys = (jwks.json() or {}).get("keys") if jwks.status == 200 else None
    need("gatehouse publishes a JWKS", isinstance(keys, list) and keys, jwks)
    check("the JWKS holds no HMAC secret", all(key.get("kty") != "oct" and "d" not in key for key in keys), jwks)
    kid = jwt.get_unverified_header(nomic).get("kid")
    candidates = [key for key in keys if key.get("kty") == "RSA" and (kid is None or key.get("kid") == kid)]
    need(f"the JWKS has the nomic RSA key (kid {kid})", len(candidates) == 1, jwks)
    public_key = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(candidates[0]))
    payload = pyjwt("nomic token: RS256 with the public key from /.well-known/jwks.json", nomic, public_key, "RS256",
                    issuer=DIALECTS["nomic"]["issuer"])
    check("nomic token's sub is TestUser's id as a string", payload.get("sub") == str(TESTUSER["id"]), payload)


# 2. djangorestframework-simplejwt 5.3.1, both ways.


@group("simplejwt: gatehouse's tokens at the real library")
def simplejwt_gatehouse_to_real():
    pair = gatehouse_login(GH_SJ["obtain"], {"email": ADMIN["email"], "password": ADMIN["password"]}, field_name="access")
    response = call(SIMPLEJWT, SJ["verify"], {"token": pair["access"]})
    check("real /token/verify/ accepts gatehouse's access token: 200 {}", (response.status, response.body) == (200, b"{}"), response)
    response = call(SIMPLEJWT, SJ["refresh"], {"refresh": pair["refresh"]})
    need("real /token/refresh/ accepts gatehouse's refresh token: 200 {\"access\"}", response.status == 200 and field(response, "access"), response)
    access = field(response, "access")
    check("the real library's refreshed access token keeps user_id 1 and the roles", claims(access).get("user_id") == ADMIN["id"]
          and claims(access).get("roles") == ADMIN["roles"], claims(access))
    opens_proxy_as("that access token (minted by the real library) opens gatehouse's proxied traffic as admin", access, ADMIN)
    response = call(GATEHOUSE, GH_SJ["verify"], {"token": access})
    check("gatehouse /token/verify/ accepts it: 200 {}", (response.status, response.body) == (200, b"{}"), response)


@group("simplejwt: the real library's tokens at gatehouse, every demo user")
def simplejwt_real_to_gatehouse():
    for user in ACTIVE:
        try:
            response = call(SIMPLEJWT, SJ["obtain"], {"email": user["email"], "password": user["password"]})
            need(f"[{user['username']}] real /token/ logs in by email", response.status == 200 and field(response, "access"), response)
            pair = response.json()
            response = call(GATEHOUSE, GH_SJ["verify"], {"token": pair["access"]})
            check(f"[{user['username']}] gatehouse /token/verify/ accepts the real access token: 200 {{}}",
                  (response.status, response.body) == (200, b"{}"), response)
            response = call(GATEHOUSE, GH_SJ["verify"], {"token": pair["refresh"]})
            check(f"[{user['username']}] gatehouse /token/verify/ accepts the real refresh token: 200 {{}}",
                  (response.status, response.body) == (200, b"{}"), response)
            response = call(GATEHOUSE, GH_SJ["refresh"], {"refresh": pair["refresh"]})
            if check(f"[{user['username']}] gatehouse /token/refresh/ accepts the real refresh token: 200 {{\"access\"}}",
                     response.status == 200 and field(response, "access"), response):
                again = call(SIMPLEJWT, SJ["verify"], {"token": field(response, "access")})
                check(f"[{user['username']}] ... and the real /token/verify/ accepts gatehouse's refreshed access token",
                      (again.status, again.body) == (200, b"{}"), again)
            opens_proxy_as(f"[{user['username']}] the real access token opens proxied traffic as {user['username']}", pair["access"], user)
            if user is ADMIN:
                refused_by_proxy("[admin] the real refresh token does not open proxied traffic (401)", pair["refresh"])
        except Stop:
            print("        (skipping the rest of this user)")


@group("simplejwt: both sides refuse what they should (negative controls)")
def simplejwt_negative():
    payload = {"token_type": "refresh", "exp": FAR_FUTURE, "iat": 1_700_000_000, "jti": "0" * 32, "user_id": ADMIN["id"],
               "roles": ADMIN["roles"], "ip_address": "127.0.0.1"}
    forged_refresh = jwt.encode(payload, OTHER_SECRET, algorithm="HS256")
    forged_access = jwt.encode(dict(payload, token_type="access"), OTHER_SECRET, algorithm="HS256")
    real = call(SIMPLEJWT, SJ["verify"], {"token": forged_access})
    ours = call(GATEHOUSE, GH_SJ["verify"], {"token": forged_access})
    check("/token/verify/ with a token signed by another secret: 401 token_not_valid at both",
          (real.status, field(real, "code"), ours.status, field(ours, "code")) == (401, "token_not_valid", 401, "token_not_valid"),
          f"real {real}; gatehouse {ours}")
    real = call(SIMPLEJWT, SJ["refresh"], {"refresh": forged_refresh})
    ours = call(GATEHOUSE, GH_SJ["refresh"], {"refresh": forged_refresh})
    check("/token/refresh/ with a token signed by another secret: 401 at both", (real.status, ours.status) == (401, 401),
          f"real {real}; gatehouse {ours}")
    refused_by_proxy("that forged access token does not open proxied traffic (401)", forged_access)
    for user in INACTIVE:
        real = call(SIMPLEJWT, SJ["obtain"], {"email": user["email"], "password": user["password"]})
        ours = call(GATEHOUSE, GH_SJ["obtain"], {"email": user["email"], "password": user["password"]})
        check(f"inactive {user['username']} cannot log in: 401 with the same body at both",
              (real.status, ours.status) == (401, 401) and real.json() == ours.json(), f"real {real}; gatehouse {ours}")


# 3. djangorestframework-jwt 1.9.0, both ways.


@group("drf_jwt: gatehouse's token at the real library")
def drfjwt_gatehouse_to_real():
    token = gatehouse_login(GH_DRF["obtain"], {"username": TEST["username"], "password": TEST["password"]})["token"]
    response = call(DRFJWT, DRF["verify"], {"token": token})
    check("real /api-token-verify/ accepts gatehouse's token: 200, echoed", response.status == 200 and field(response, "token") == token, response)
    response = call(DRFJWT, DRF["refresh"], {"token": token})
    need("real /api-token-refresh/ accepts gatehouse's token: 200 {\"token\"}", response.status == 200 and field(response, "token"), response)
    refreshed = field(response, "token")
    check("the real library's refreshed token keeps orig_iat", claims(refreshed).get("orig_iat") == claims(token).get("orig_iat"),
          f"{claims(refreshed)} vs {claims(token)}")
    opens_proxy_as("that token (minted by the real library) opens gatehouse's proxied traffic as test", refreshed, TEST)
    response = call(GATEHOUSE, GH_DRF["verify"], {"token": refreshed})
    check("gatehouse /api-token-verify/ accepts it: 200, echoed", response.status == 200 and field(response, "token") == refreshed, response)


@group("drf_jwt: the real library's tokens at gatehouse, every demo user")
def drfjwt_real_to_gatehouse():
    for user in ACTIVE:
        try:
            response = call(DRFJWT, DRF["obtain"], {"username": user["username"], "password": user["password"]})
            need(f"[{user['username']}] real /api-token-auth/ logs in", response.status == 200 and field(response, "token"), response)
            token = field(response, "token")
            response = call(GATEHOUSE, GH_DRF["verify"], {"token": token})
            check(f"[{user['username']}] gatehouse /api-token-verify/ accepts the real token: 200, echoed",
                  response.status == 200 and field(response, "token") == token, response)
            response = call(GATEHOUSE, GH_DRF["refresh"], {"token": token})
            if check(f"[{user['username']}] gatehouse /api-token-refresh/ accepts the real token: 200 {{\"token\"}}",
                     response.status == 200 and field(response, "token"), response):
                refreshed = field(response, "token")
                check(f"[{user['username']}] ... gatehouse's refreshed token keeps orig_iat and the user",
                      all(claims(refreshed).get(name) == claims(token).get(name) for name in ("orig_iat", "username", "user_id", "email")),
                      f"{claims(refreshed)} vs {claims(token)}")
                again = call(DRFJWT, DRF["verify"], {"token": refreshed})
                check(f"[{user['username']}] ... and the real /api-token-verify/ accepts gatehouse's refreshed token",
                      again.status == 200 and field(again, "token") == refreshed, again)
            opens_proxy_as(f"[{user['username']}] the real token opens proxied traffic as {user['username']}", token, user)
        except Stop:
            print("        (skipping the rest of this user)")


@group("drf_jwt: both sides refuse what they should (negative controls)")
def drfjwt_negative():
    forged = jwt.encode({"user_id": TEST["id"], "email": TEST["email"], "username": TEST["username"], "exp": FAR_FUTURE,
                         "orig_iat": 1_700_000_000}, OTHER_SECRET, algorithm="HS256")
    wanted = {"non_field_errors": ["Error decoding signature."]}
    for name in ("verify", "refresh"):
        real = call(DRFJWT, DRF[name], {"token": forged})
        ours = call(GATEHOUSE, GH_DRF[name], {"token": forged})
        check(f"{DRF[name]} with a token signed by another secret: 400 \"Error decoding signature.\" at both",
              (real.status, real.json(), ours.status, ours.json()) == (400, wanted, 400, wanted), f"real {real}; gatehouse {ours}")
    refused_by_proxy("that forged token does not open proxied traffic (401)", forged)
    for user in INACTIVE:
        real = call(DRFJWT, DRF["obtain"], {"username": user["username"], "password": user["password"]})
        ours = call(GATEHOUSE, GH_DRF["obtain"], {"username": user["username"], "password": user["password"]})
        check(f"inactive {user['username']} cannot log in: 400 with the same body at both",
              (real.status, ours.status) == (400, 400) and real.json() == ours.json(), f"real {real}; gatehouse {ours}")


def main():
    for title, function in GROUPS:
        run_group(title, function)
    summary = f"{len(passed)} checks passed, {len(failed)} failed"
    print(f"\ninterop: {summary}")
    for what in failed:
        print(f"  FAILED: {what}")
    if os.environ.get("INTEROP_SUMMARY"):
        with open(os.environ["INTEROP_SUMMARY"], "w") as file:
            file.write(summary)
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
