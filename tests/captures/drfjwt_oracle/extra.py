"""Extra drf-jwt edge cases (NUL/surrogates, Unicode whitespace, multipart, form encoding,
Content-Type and Accept variants) as JSON lines for oracle.py; the answers were read by hand
into the unit tests of src/dialects/drf_jwt.rs. Also writes the case names, one a line, to
$WORK/oracle/extra.names (same order as the answers).

usage: python3 drfjwt_oracle/extra.py | $WORK/venv-drfjwt-py311/bin/python drfjwt_oracle/oracle.py \
           > $WORK/oracle/extra.out"""
import json, base64, os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'harness'))
from common import WORK
B='------------------------gh'
def mp(parts, boundary=B):
    out=b''
    for name, value, fn in parts:
        disp='form-data; name="%s"'%name + ('; filename="%s"'%fn if fn is not None else '')
        out+=('--%s\r\nContent-Disposition: %s\r\n\r\n'%(boundary,disp)).encode()+value+b'\r\n'
    return out+('--%s--\r\n'%boundary).encode()
cases=[
 ('nullchar', dict(ctype='application/json', body=b'{"username":"a\\u0000b","password":"x"}')),
 ('null+surrogate', dict(ctype='application/json', body=b'{"username":"\\u0000\\udc01","password":"x"}')),
 ('surrogate second', dict(ctype='application/json', body=b'{"username":"a\\ud83d\\ude00\\udfff\\ud800","password":"x"}')),
 ('nbsp strip', dict(ctype='application/json', body='{"username":"\u00a0test\u001c","password":"\u3000test"}'.encode())),
 ('nel blank', dict(ctype='application/json', body='{"username":"\u0085","password":"\u001f"}'.encode())),
 ('zwsp not blank', dict(ctype='application/json', body='{"username":"\u200b","password":"x"}'.encode())),
 ('float user', dict(ctype='application/json', body=b'{"username":1e16,"password":0.0001}')),
 ('mp file', dict(ctype='multipart/form-data; boundary='+B, body=mp([('username',b'test',None),('password',b'test','p.txt')]))),
 ('mp file overrides field', dict(ctype='multipart/form-data; boundary='+B, body=mp([('username',b'test',None),('password',b'test',None),('password',b'x','a.txt')]))),
 ('mp empty filename is field', dict(ctype='multipart/form-data; boundary='+B, body=mp([('username',b'test',None),('password',b'test','')]))),
 ('mp dotdot filename skipped', dict(ctype='multipart/form-data; boundary='+B, body=mp([('username',b'test',None),('password',b'test','..')]))),
 ('mp no boundary', dict(ctype='multipart/form-data', body=b'x')),
 ('mp bad boundary', dict(ctype='multipart/form-data; boundary="a b "', body=b'x')),
 ('mp empty boundary', dict(ctype='multipart/form-data; boundary=""', body=b'x')),
 ('mp Uppercase', dict(ctype='Multipart/form-data; boundary=x', body=b'x')),
 ('mp star', dict(ctype='multipart/*', body=b'x')),
 ('mp garbage body', dict(ctype='multipart/form-data; boundary=zz', body=b'garbage')),
 ('mp no name', dict(ctype='multipart/form-data; boundary='+B, body=('--%s\r\nContent-Disposition: form-data\r\n\r\nv\r\n--%s--\r\n'%(B,B)).encode())),
 ('mp quoted boundary', dict(ctype='multipart/form-data; boundary="'+B+'"', body=mp([('username',b'test',None),('password',b'bad',None)]))),
 ('mp invalid utf8 value', dict(ctype='multipart/form-data; boundary='+B, body=mp([('username',b'te\xffst',None),('password',b'x',None)]))),
 ('star star', dict(ctype='*/*', body=b'{"username":"test","password":"bad"}')),
 ('app star', dict(ctype='application/*', body=b'{"username":"test","password":"bad"}')),
 ('APPLICATION/JSON', dict(ctype='APPLICATION/JSON', body=b'{"username":"test","password":"bad"}')),
 ('vnd json', dict(ctype='application/vnd.api+json', body=b'{}')),
 ('json ; param', dict(ctype='application/json ; charset="utf-8"', body=b'{"username":"test","password":"bad"}')),
 ('empty ctype', dict(ctype='', body=b'{}')),
 ('form dup', dict(ctype='application/x-www-form-urlencoded', body=b'username=x&username=test&password=bad')),
 ('form plus pct', dict(ctype='application/x-www-form-urlencoded', body=b'username=+te%73t+&password=%ZZ%4')),
 ('form no eq', dict(ctype='application/x-www-form-urlencoded', body=b'username&password=x')),
 ('form latin1', dict(ctype='application/x-www-form-urlencoded', body=b'username=t\xe9st&password=x')),
 ('form null pct', dict(ctype='application/x-www-form-urlencoded', body=b'username=a%00&password=x')),
 ('form bad utf8 pct', dict(ctype='application/x-www-form-urlencoded', body=b'username=%ff&password=%C3%A9')),
 ('form semicolon', dict(ctype='application/x-www-form-urlencoded', body=b'username=test;password=x')),
 ('accept empty', dict(ctype='application/json', accept='', body=b'{}')),
 ('accept star', dict(ctype='application/json', accept='*/*', body=b'{}')),
 ('accept app star', dict(ctype='application/json', accept='application/*', body=b'{}')),
 ('accept text star', dict(ctype='application/json', accept='text/*', body=b'{}')),
 ('accept q0', dict(ctype='application/json', accept='application/json;q=0', body=b'{}')),
 ('accept list', dict(ctype='application/json', accept='application/xml, text/html;q=0.9', body=b'{}')),
 ('accept image', dict(ctype='application/json', accept='image/png, application/xml', body=b'{}')),
 ('accept star only main', dict(ctype='application/json', accept='*', body=b'{}')),
 ('406 before 405', dict(method='GET', accept='application/xml')),
 ('options 406', dict(method='OPTIONS', accept='application/xml')),
 ('TRACE', dict(method='TRACE')),
 ('ru-free nested', dict(ctype='application/json', body=b'{"username":{"a":[1,2]},"password":[{}]}')),
 ('big int', dict(ctype='application/json', body=b'{"username":123456789012345678901234567890,"password":-0}')),
]
for name, c in cases:
    d={'method':c.get('method','POST'),'ctype':c.get('ctype'),'body_b64':base64.b64encode(c.get('body',b'')).decode()}
    if 'accept' in c: d['accept']=c['accept']
    print(json.dumps(d))
os.makedirs(os.path.join(WORK, 'oracle'), exist_ok=True)
open(os.path.join(WORK, 'oracle', 'extra.names'), 'w').write('\n'.join(n for n,_ in cases))
