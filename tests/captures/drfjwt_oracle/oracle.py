"""In-process oracle: Django test client against the drf-jwt reference project.
Reads JSON lines {method, ctype, accept, body_b64[, path]} on stdin, prints JSON lines
{status, headers, body}. No socket is opened.

usage (from tests/captures/, after setup.sh):
  python3 drfjwt_oracle/extra.py | $WORK/venv-drfjwt-py311/bin/python drfjwt_oracle/oracle.py \
      > $WORK/oracle/extra.out
Without GH_DB it works on a fresh copy of the database seeded by setup.sh."""
import os, sys, json, base64, shutil
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'harness'))
from common import HERE, WORK, SEEDED
sys.path.insert(0, os.path.join(HERE, 'drfjwt_project'))
os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'ghjwt.settings')
if 'GH_DB' not in os.environ:
    os.makedirs(os.path.join(WORK, 'oracle'), exist_ok=True)
    os.environ['GH_DB'] = os.path.join(WORK, 'oracle', 'oracle.sqlite3')
    shutil.copy(os.path.join(SEEDED, 'drfjwt-py311.sqlite3'), os.environ['GH_DB'])
import warnings; warnings.simplefilter('ignore')
import django; django.setup()
from django.test import Client
c = Client(raise_request_exception=False)
for line in sys.stdin:
    req = json.loads(line)
    kw = {}
    if req.get('ctype') is not None: kw['content_type'] = req['ctype']
    if req.get('accept') is not None: kw['HTTP_ACCEPT'] = req['accept']
    body = base64.b64decode(req.get('body_b64', ''))
    m = req.get('method', 'POST').lower()
    path = req.get('path', '/api-token-auth/')
    fn = getattr(c, m, None)
    if fn is None:
        r = c.generic(req['method'], path, data=body, **kw)
    elif m in ('get', 'head', 'options', 'delete', 'trace') and not body:
        r = fn(path, **kw) if m != 'options' else c.options(path, **kw)
    else:
        r = fn(path, data=body, **kw)
    print(json.dumps({'status': r.status_code, 'headers': dict(r.items()), 'body': r.content.decode('utf-8', 'replace')}, ensure_ascii=False))
    sys.stdout.flush()
