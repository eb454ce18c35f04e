"""Interoperability between gatehouse and the real libraries it imitates.

Run by run.sh with three servers up: gatehouse (demo config), the real
djangorestframework-simplejwt 5.3.1 and the real djangorestframework-jwt 1.9.0, both
configured with the same signing secrets and users as gatehouse's demo. Each check says
what it proves; the first failure stops the run with the response that broke it.
"""
import base64
import json
import os
import sys
import tomllib
import urllib.error
import urllib.request

import jwt  # PyJWT, from the simplejwt venv (2.4.0)

GATEHOUSE = os.environ["GATEHOUSE_URL"]
SIMPLEJWT = os.environ["SIMPLEJWT_URL"]
DRFJWT = os.environ["DRFJWT_URL"]
CONFIG = tomllib.load(open(os.environ["GATEHOUSE_CONFIG"], "rb"))
SECRETS = {key["id"]: key.get("secret") for key in CONFIG["keys"]}
PASSED = []


def call(base, path, body=None, headers=None, method=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method or ("POST" if data else "GET"))
    request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def check(what, condition, detail=""):
    if not condition:
        print(f"FAILED: {what}\n  {detail}", file=sys.stderr)
        sys.exit(1)
    PASSED.append(what)
    print(f"ok: {what}")


def token_from(status, body, field):
    check(f"got a token ({field})", status == 200, f"{status} {body[:300]!r}")
    return json.loads(body)[field]


def pyjwt_verifies(name, token, key, algorithm, **options):
    try:
        claims = jwt.decode(token, key, algorithms=[algorithm], options={"verify_aud": False}, **options)
    except Exception as error:  # noqa: BLE001 - any refusal is the failure being reported
        check(f"PyJWT verifies gatehouse's {name} token", False, repr(error))
    check(f"PyJWT verifies gatehouse's {name} token", True)
    return claims


def proxied_user(token):
    status, body = call(GATEHOUSE, "/anything", headers={"Authorization": f"Bearer {token}"})
    if status != 200:
        return status, None
    return status, json.loads(body)["headers"].get("x-auth-user")


def main():
    # 1. PyJWT verifies every HS256 dialect's tokens with the configured secret ...
    status, body = call(GATEHOUSE, "/api/v1/auth/token", {"username": "admin", "password": "masterkey"})
    pyjwt_verifies("kerong", token_from(status, body, "token"), SECRETS["kerong-hs256"], "HS256")
    status, body = call(GATEHOUSE, "/login", headers={"User-Name": "user_test", "Password": "password_test"})
    pyjwt_verifies("header_login", token_from(status, body, "token"), SECRETS["header-login-hs256"], "HS256")
    status, body = call(GATEHOUSE, "/api-token-auth/", {"username": "test", "password": "test"})
    gh_drf = token_from(status, body, "token")
    pyjwt_verifies("drf_jwt", gh_drf, SECRETS["drf-jwt-hs256"], "HS256")
    status, body = call(GATEHOUSE, "/token/", {"email": "admin@admin.com", "password": "masterkey"})
    check("gatehouse simplejwt login", status == 200, body[:300])
    gh_pair = json.loads(body)
    for name in ("access", "refresh"):
        pyjwt_verifies(f"simplejwt {name}", gh_pair[name], SECRETS["simplejwt-hs256"], "HS256")
    # ... and nomic's RS256 tokens with the public key gatehouse publishes as JWKS.
    status, body = call(GATEHOUSE, "/api/auth/token", headers={"Authorization": "Basic " + base64.b64encode(b"TestUser:password").decode()}, method="POST")
    nomic = token_from(status, body, "token")
    status, jwks = call(GATEHOUSE, "/.well-known/jwks.json")
    check("JWKS is published", status == 200, jwks[:200])
    keys = json.loads(jwks)["keys"]
    check("JWKS has exactly the nomic RSA key", len(keys) == 1 and keys[0]["kty"] == "RSA", jwks[:300])
    public_key = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(keys[0]))
    claims = pyjwt_verifies("nomic", nomic, public_key, "RS256", issuer="NomicGameManager.Api")
    check("nomic sub is the user id", claims["sub"] == "2", claims)
    # A token signed with another secret is refused by PyJWT too (the check can fail).
    forged = jwt.encode({"user": "admin", "exp": 4_000_000_000}, "not-the-secret-0123456789abcdef0123", algorithm="HS256")
    try:
        jwt.decode(forged, SECRETS["header-login-hs256"], algorithms=["HS256"])
        check("PyJWT refuses a token signed with another secret", False)
    except jwt.InvalidSignatureError:
        check("PyJWT refuses a token signed with another secret", True)

    # 2. simplejwt: gatehouse's tokens at the real library ...
    status, body = call(SIMPLEJWT, "/token/refresh/", {"refresh": gh_pair["refresh"]})
    check("real simplejwt refreshes gatehouse's refresh token", status == 200 and "access" in json.loads(body), body[:300])
    status, body = call(SIMPLEJWT, "/token/verify/", {"token": gh_pair["access"]})
    check("real simplejwt verifies gatehouse's access token", (status, body) == (200, b"{}"), body[:300])
    # ... and the real library's tokens at gatehouse.
    status, body = call(SIMPLEJWT, "/token/", {"email": "admin@admin.com", "password": "masterkey"})
    check("real simplejwt login", status == 200, body[:300])
    real_pair = json.loads(body)
    status, body = call(GATEHOUSE, "/token/verify/", {"token": real_pair["access"]})
    check("gatehouse verifies the real simplejwt access token", (status, body) == (200, b"{}"), body[:300])
    status, body = call(GATEHOUSE, "/token/refresh/", {"refresh": real_pair["refresh"]})
    check("gatehouse refreshes the real simplejwt refresh token", status == 200 and "access" in json.loads(body), body[:300])
    status, user = proxied_user(real_pair["access"])
    check("the real simplejwt access token opens proxied traffic as admin", (status, user) == (200, ["admin"]), (status, user))
    status, _ = proxied_user(real_pair["refresh"])
    check("the real simplejwt refresh token does not open proxied traffic", status == 401, status)
    foreign = jwt.encode({"token_type": "access", "exp": 4_000_000_000, "iat": 1, "jti": "a" * 32, "user_id": 1}, "not-the-secret-0123456789abcdef0123", algorithm="HS256")
    status, _ = call(SIMPLEJWT, "/token/verify/", {"token": foreign})
    status_gh, _ = call(GATEHOUSE, "/token/verify/", {"token": foreign})
    check("both refuse a simplejwt token signed with another secret", (status, status_gh) == (401, 401), (status, status_gh))

    # 3. drf_jwt: gatehouse's token at the real library ...
    status, body = call(DRFJWT, "/api-token-verify/", {"token": gh_drf})
    check("real drf-jwt verifies gatehouse's token", status == 200 and json.loads(body)["token"] == gh_drf, body[:300])
    status, body = call(DRFJWT, "/api-token-refresh/", {"token": gh_drf})
    check("real drf-jwt refreshes gatehouse's token", status == 200, body[:300])
    # ... and the real library's token at gatehouse.
    status, body = call(DRFJWT, "/api-token-auth/", {"username": "test", "password": "test"})
    real_drf = token_from(status, body, "token")
    status, body = call(GATEHOUSE, "/api-token-verify/", {"token": real_drf})
    check("gatehouse verifies the real drf-jwt token", status == 200 and json.loads(body)["token"] == real_drf, body[:300])
    status, body = call(GATEHOUSE, "/api-token-refresh/", {"token": real_drf})
    check("gatehouse refreshes the real drf-jwt token", status == 200, body[:300])
    status, user = proxied_user(real_drf)
    check("the real drf-jwt token opens proxied traffic as test", (status, user) == (200, ["test"]), (status, user))
    foreign = jwt.encode({"username": "test", "user_id": 3, "email": "", "exp": 4_000_000_000, "orig_iat": 1}, "not-the-secret-0123456789abcdef0123", algorithm="HS256")
    status, _ = call(DRFJWT, "/api-token-verify/", {"token": foreign})
    status_gh, _ = call(GATEHOUSE, "/api-token-verify/", {"token": foreign})
    check("both refuse a drf-jwt token signed with another secret", (status, status_gh) == (400, 400), (status, status_gh))

    print(f"interop: {len(PASSED)} checks passed")


if __name__ == "__main__":
    main()
