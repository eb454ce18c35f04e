#!/bin/sh
# Regenerate the fixture tables embedded in the unit tests and splice them into the sources:
#   src/dialects/drf_jwt/tests.rs          FIXTURES     <- drfjwt_oracle/gen_fixtures.py
#   src/dialects/django/pyjson/tests.rs    JSON_ORACLE  <- drfjwt_oracle/gen_json_oracle.py
#   src/dialects/simplejwt/tests.rs        CAPTURED     <- harness/gen_simplejwt_captured.py
# then run rustfmt on the three files (JSON_ORACLE is rustfmt-formatted in the source).
#
#   ./assemble.sh           rewrite the three source files in place (review with `git diff`)
#   ./assemble.sh --check   only write the spliced copies to $WORK/fixtures/ and diff them
#                           against src/ (exit 1 if they differ)
#
# Needs, in $WORK (GH_CAPTURES_DIR, default <repo>/target/captures):
#   results/drfjwt-py311-{en,ru}.json                  python3 harness/run_drfjwt.py py311-en py311-ru
#   results/simplejwt-{ru,en,ru-rotate,ru-rotate-bl,en-rotate-bl}.json
#                          python3 harness/run_simplejwt.py ru en ru-rotate ru-rotate-bl en-rotate-bl
#   oracle/jsoncases.out   $WORK/venv-drfjwt-py311/bin/python drfjwt_oracle/jsoncases.py > ...
# A fresh capture differs from the committed tables only where the libraries' answers do
# (tokens, times and jti values are masked by the generators).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
WORK=${GH_CAPTURES_DIR:-$REPO/target/captures}
FX=$WORK/fixtures
mkdir -p "$FX"
export PYTHONDONTWRITEBYTECODE=1
python3 "$HERE/drfjwt_oracle/gen_fixtures.py" > "$FX/drfjwt-fixtures.rs"
python3 "$HERE/drfjwt_oracle/gen_json_oracle.py" > "$FX/drfjwt-json-oracle.rs"
python3 "$HERE/harness/gen_simplejwt_captured.py" > "$FX/simplejwt-captured.jsonl"

SRC_DRF=$REPO/src/dialects/drf_jwt/tests.rs
SRC_JSON=$REPO/src/dialects/django/pyjson/tests.rs
SRC_SJ=$REPO/src/dialects/simplejwt/tests.rs
case "${1:-}" in
  --check) DRF="$FX/drf_jwt-tests.rs"; JSON="$FX/pyjson-tests.rs"; SJ="$FX/simplejwt-tests.rs" ;;
  "") DRF=$SRC_DRF; JSON=$SRC_JSON; SJ=$SRC_SJ ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

python3 - "$FX" "$SRC_DRF" "$SRC_JSON" "$SRC_SJ" "$DRF" "$JSON" "$SJ" <<'PY'
import sys
fx, src_drf, src_json, src_sj, drf_out, json_out, sj_out = sys.argv[1:8]

def splice_block(text, anchor, new, end="\n    ];\n"):
    """Replace the `//` comment lines directly above `anchor`, the anchor line and everything
    up to the first `end` line after it (`    ];`: rustfmt leaves FIXTURES' long lines, and
    its closing line, as generated) by `new`."""
    i = text.index(anchor)
    start = text.rindex("\n", 0, i) + 1
    while True:
        prev = text.rindex("\n", 0, start - 1) + 1
        if not text[prev:start].lstrip().startswith("//"):
            break
        start = prev
    end = text.index(end, i) + len(end)
    return text[:start] + new + text[end:]

drf = open(src_drf).read()
drf = splice_block(drf, "const FIXTURES: &[Fixture] = &[", open(fx + "/drfjwt-fixtures.rs").read())
open(drf_out, "w").write(drf)

oracle = open(src_json).read()
oracle = splice_block(oracle, "const JSON_ORACLE: &[", open(fx + "/drfjwt-json-oracle.rs").read().lstrip("\n"), "\n];\n")
open(json_out, "w").write(oracle)

sj = open(src_sj).read()
head = 'const CAPTURED: &str = r##"\n'
i = sj.index(head) + len(head)
j = sj.index('\n"##', i)
sj = sj[:i] + open(fx + "/simplejwt-captured.jsonl").read().rstrip("\n") + sj[j:]
open(sj_out, "w").write(sj)
PY

rustfmt --edition 2021 "$DRF" "$JSON" "$SJ"
if [ "${1:-}" = --check ]; then
  rc=0
  diff -u "$SRC_DRF" "$DRF" || rc=1
  diff -u "$SRC_JSON" "$JSON" || rc=1
  diff -u "$SRC_SJ" "$SJ" || rc=1
  [ $rc = 0 ] && echo "fixtures in $SRC_DRF, $SRC_JSON and $SRC_SJ match the captures in $WORK"
  exit $rc
fi
echo "spliced into $DRF, $JSON and $SJ"
