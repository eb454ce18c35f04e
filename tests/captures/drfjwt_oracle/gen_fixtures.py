"""Turns the captured real drf-jwt runs (py3.11, en + ru; harness/run_drfjwt.py py311-en py311-ru)
into the FIXTURES table of src/dialects/drf_jwt.rs's unit tests (Rust source on stdout).

usage: python3 drfjwt_oracle/gen_fixtures.py > $WORK/fixtures/drfjwt-fixtures.rs
       (assemble.sh splices it into drf_jwt.rs)"""
import json, os, shlex, ast, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'harness'))
from common import RES
R = RES + '/'
en = json.load(open(R + 'drfjwt-py311-en.json'))['results']
ru = {(r['endpoint'], r['case']): r for r in json.load(open(R + 'drfjwt-py311-ru.json'))['results']}
BOUNDARY = '------------------------gatehouse'
ACTION = {'/api-token-auth/': 'Action::Obtain', '/api-token-refresh/': 'Action::Refresh', '/api-token-verify/': 'Action::Verify'}

def rust_bytes(b):
    out = []
    for x in b:
        c = chr(x)
        if c == '"': out.append('\\"')
        elif c == '\\': out.append('\\\\')
        elif 0x20 <= x < 0x7f: out.append(c)
        elif c == '\n': out.append('\\n')
        else: out.append('\\x%02x' % x)
    return 'b"' + ''.join(out) + '"'

def rust_str(s):
    out = []
    for c in s:
        if c == '"': out.append('\\"')
        elif c == '\\': out.append('\\\\')
        elif c == '\n': out.append('\\n')
        elif ord(c) < 0x20: out.append('\\u{%x}' % ord(c))
        else: out.append(c)
    return '"' + ''.join(out) + '"'

def expected(body):
    if body.startswith('{"token":"eyJ'): return '"<TOKEN>"'
    return rust_str(body)

rows = []
for r in en:
    ep, case, cmd = r['endpoint'], r['case'], r['cmd']
    if ep not in ACTION or '…' in cmd or 'eyJ' in cmd or 'trailing slash' in case:
        continue
    args = shlex.split(cmd)
    method, headers, body, multipart = 'GET', [], b'', []
    i = 1
    while i < len(args):
        a = args[i]
        if a == '-X': method = args[i+1]; i += 2; continue
        if a == '-H':
            name, _, value = args[i+1].partition(':')
            headers = [h for h in headers if h[0].lower() != name.lower()]
            if value.strip(): headers.append((name.lower(), value.strip()))
            else: headers.append((name.lower(), None))   # header removed by curl
            i += 2; continue
        if a == '--data-binary':
            d = args[i+1]
            if d.startswith('@<bytes '): body = ast.literal_eval(d[len('@<bytes '):-1])
            else: body = d.encode()
            if method == 'GET': method = 'POST'
            i += 2; continue
        if a == '-F': multipart.append(args[i+1].split('=', 1)); i += 2; continue
        i += 1
    if multipart:
        parts = b''.join(('--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (BOUNDARY, k, v)).encode() for k, v in multipart)
        body = parts + ('--%s--\r\n' % BOUNDARY).encode()
        headers.append(('content-type', 'multipart/form-data; boundary=' + BOUNDARY))
    # curl with --data-binary and no Content-Type header sends application/x-www-form-urlencoded,
    # unless -H 'Content-Type:' removed it (then runserver saw none).
    hdrs = [(n, v) for n, v in headers if v is not None]
    if body and not any(n == 'content-type' for n, _ in headers):
        hdrs.append(('content-type', 'application/x-www-form-urlencoded'))
    status, en_body = r['status'], r['body']
    ru_body = ru[(ep, case)]['body']
    note = ''
    if 'text/html' in case:   # browsable API: gatehouse answers JSON (documented deviation)
        en_body = ru_body = '{"non_field_errors":["Unable to login with provided credentials."]}'
        note = ' // deviation: JSON instead of the browsable API page'
    if method == 'HEAD':
        en_body = ru_body = ''
    hdr_src = ', '.join('(%s, %s)' % (rust_str(n), rust_str(v)) for n, v in hdrs)
    rows.append('        Fixture { endpoint: %s, case: %s, method: %s, headers: &[%s], body: %s, status: %d, en: %s, ru: %s },%s'
                % (ACTION[ep], rust_str(case), rust_str(method), hdr_src, rust_bytes(body), status, expected(en_body), expected(ru_body), note))
print('    // Generated from drfjwt-py311-{en,ru}.json (tests/captures/harness/run_drfjwt.py) by')
print('    // tests/captures/drfjwt_oracle/gen_fixtures.py: every captured case that carries no token.')
print('    const FIXTURES: &[Fixture] = &[')
print('\n'.join(rows))
print('    ];')
