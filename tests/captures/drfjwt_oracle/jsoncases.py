"""What DRF's JSONParser (Python 3.11, DRF 3.14, the drf-jwt reference project's settings)
makes of each body below: one JSON line per case, {"in": [bytes], "ok": repr | "err": detail}.

usage (from tests/captures/, after setup.sh):
  $WORK/venv-drfjwt-py311/bin/python drfjwt_oracle/jsoncases.py > $WORK/oracle/jsoncases.out
then drfjwt_oracle/gen_json_oracle.py turns that file into the JSON_ORACLE table."""
import os, sys, io, json
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'drfjwt_project'))
os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'ghjwt.settings')
import warnings; warnings.simplefilter('ignore')
import django; django.setup()
from rest_framework.parsers import JSONParser
from rest_framework.exceptions import ParseError
cases = [
 b'', b' ', b'\n', b'{', b'}', b'[', b']', b'[1', b'[1,', b'[1,]', b'[,]', b'[1 2]', b'[1,2', b'[ ]', b'[\n]x',
 b'{"a"', b'{"a":', b'{"a":1', b'{"a":1,', b'{"a":1,}', b'{"a" 1}', b'{1:2}', b'{ }', b'{"a":1}}', b'{"a":1} ',
 b'"abc', b'"abc\\', b'"\\u12"', b'"\\u12', b'"\\u123"', b'"\\u1234"x', b'"\\uZZZZ"', b'"\\ud800"', b'"\\ud800\\udc00"',
 b'"\\ud800\\u0041"', b'"\\ud800\\uZZ00"', b'"\\ud800\\', b'"\\ud800\\u', b'"\\ud800\\udc0', b'"\\ud800\\udc00', b'"\\x"', b'"a\tb"', b'"a\x7fb"',
 b'nul', b'null', b'nulll', b'tru', b'true', b'True', b'fals', b'false', b'NaN', b'Infinity', b'-Infinity', b'-Inf', b'-', b'-a', b'--1',
 b'01', b'1.', b'1.e5', b'1e', b'1e+', b'1e+5', b'1E-5x', b'.5', b'-0', b'-0.0', b'1.5e999', b'0x10', b'+1', b'1 2',
 '"\u0436\u0436"x'.encode(), '\u0436'.encode(), b'\xef\xbb\xbf{}', b'\xef\xbb\xbf', b'{"a":"\xff"}', b'{"a":"\xc3"}', b'{"a":"\xc3', b'{"a":"b"}\xc3',
 b'{"a":"b"}\xe2\x82', b'{"a":"b"}\xe2\x28', b'{"a":"b"}\xed\xa0', b'{"a":"b"}\xed\xa0\x80', b'\xe0\x80', b'\xe0\xa0', b'{"a":"b"}\xf0\x90\x80', b'{"a":"b"}\xf0\x80',
 b'{"a":"b"}\xf4\x90', b'{"a":"b"}\xf0\x90\x28', b'{"a":"b"}\xf0\x90\x80\x28', b'\xc0\xaf', b'\x80', b'\xf5', b'\xe2\x82\x28',
 b'{"a":\n\n  }', b'\n\n{"a" x}', b'{"a":"\xd0\xb6\xd0\xb6",,}', b'[1]\r\n\t ', b'\t\r\n [1] x', b'\x0b[1]', b'[1]\x0c', b'\xc2\xa0[1]',
 b'{"a":[1,{"b":null}],"c":true}', b'"\\/\\b\\f\\n\\r\\t\\"\\\\"', b'123', b'-12.5e-3', b'[-]', b'[-1.]', b'[1.5.]',
]
for c in cases:
    try:
        v = JSONParser().parse(io.BytesIO(c))
        out = {'ok': repr(v)}
    except ParseError as e:
        out = {'err': str(e.detail)}
    except Exception as e:
        out = {'exc': type(e).__name__ + ': ' + str(e)}
    print(json.dumps({'in': list(c), **out}, ensure_ascii=False))
