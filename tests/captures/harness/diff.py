"""Compare two result files case by case (status, selected headers, body with tokens masked)."""
import json, re, sys
def load(p):
    d = json.load(open(p))
    return {(r["endpoint"], r["case"]): r for r in d["results"]}
def norm(r):
    h = {k.lower(): v for k, v in r["headers"]}
    body = re.sub(r'eyJ[\w-]+\.[\w-]+\.[\w-]+', 'JWT', r["body"])
    if body.startswith("\n\n\n\n<!DOCTYPE"): body = "<browsable html>"
    return (r["status"], tuple((k, h.get(k)) for k in ["content-type", "www-authenticate", "allow", "vary", "content-language", "location"]), body)
a, b = load(sys.argv[1]), load(sys.argv[2])
for k in a:
    if k in b and norm(a[k]) != norm(b[k]):
        na, nb = norm(a[k]), norm(b[k])
        hd = [(x, y) for x, y in zip(na[1], nb[1]) if x != y]
        print(f"[{k[0]}] {k[1]}: {na[0]}->{nb[0]} {hd if hd else ''}\n   A {na[2][:200]!r}\n   B {nb[2][:200]!r}")
