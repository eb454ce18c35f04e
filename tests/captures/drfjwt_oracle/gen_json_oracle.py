"""Turns $WORK/oracle/jsoncases.out (drfjwt_oracle/jsoncases.py) into the JSON_ORACLE table of
src/dialects/drf_jwt.rs's unit tests (Rust source on stdout).

usage: python3 drfjwt_oracle/gen_json_oracle.py > $WORK/fixtures/drfjwt-json-oracle.rs
       (assemble.sh splices it into drf_jwt.rs)"""
import json, os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'harness'))
from common import WORK
rows=[]
def rb(b):
    out=[]
    for x in b:
        c=chr(x)
        if c=='"': out.append('\\"')
        elif c=='\\': out.append('\\\\')
        elif 0x20<=x<0x7f: out.append(c)
        elif c=='\n': out.append('\\n')
        else: out.append('\\x%02x'%x)
    return 'b"'+''.join(out)+'"'
def rs(s): return '"'+s.replace('\\','\\\\').replace('"','\\"')+'"'
for l in open(os.path.join(WORK, 'oracle', 'jsoncases.out')):
    d=json.loads(l); b=bytes(d['in'])
    if b==b'': continue
    if 'err' in d:
        m=d['err'][len('JSON parse error - '):]
        rows.append('        (%s, Err(%s)),'%(rb(b),rs(m)))
    else:
        v=d['ok']
        t=('dict' if v.startswith('{') else 'list' if v.startswith('[') else 'str' if v.startswith("'") else 'NoneType' if v=='None' else 'bool' if v in('True','False') else 'float' if any(ch in v for ch in '.ei') else 'int')
        rows.append('        (%s, Ok(%s)),'%(rb(b),rs(t)))
print('\n    // Python 3.11 + DRF 3.14 JSONParser on each body (tests/captures/drfjwt_oracle/jsoncases.py):')
print('    // the error text after "JSON parse error - ", or the type of what was parsed.')
print('    const JSON_ORACLE: &[(&[u8], Result<&str, &str>)] = &[')
print('\n'.join(rows)); print('    ];')
