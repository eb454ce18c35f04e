import json,sys
d=json.load(open(sys.argv[1]))
for r in d["results"]:
    h={k.lower():v for k,v in r["headers"]}
    extra=" ".join(f"{k}={h[k]!r}" for k in ["www-authenticate","allow","vary","location","content-language"] if k in h)
    print(f'[{r["endpoint"]}] {r["case"]}: {r["status"]} ct={h.get("content-type")!r} {extra}\n    {r["body"][:300]!r}')
