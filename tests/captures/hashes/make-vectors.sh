#!/bin/bash
# Produces the test vectors for src/users/*.rs with the real tools.
set -e
# A Python with django and argon2-cffi (e.g. python3 -m venv v && v/bin/pip install django argon2-cffi bcrypt).
PY=${PY:-python3}
echo "== htpasswd bcrypt"
htpasswd -nbB -C 4 alice 'correct horse'
htpasswd -nbB -C 5 bob 'pässwörd'
htpasswd -nbB -C 4 long "$(printf 'a%.0s' $(seq 1 80))"
htpasswd -nbB -C 4 empty ''
echo "== htpasswd other formats"
htpasswd -nbm md5user 'correct horse'
htpasswd -nbs shauser 'correct horse'
htpasswd -nbd cryptuser 'correct'
htpasswd -nbp plainuser 'correct horse'
htpasswd -nb2 sha256user 'correct horse'
htpasswd -nb5 sha512user 'correct horse'
echo "== openssl passwd"
openssl passwd -1 -salt saltsalt 'correct horse'
echo "== python bcrypt"
$PY -c "import bcrypt; print(bcrypt.hashpw(b'correct horse', bcrypt.gensalt(rounds=4, prefix=b'2a')).decode())"
$PY -c "import bcrypt; print(bcrypt.hashpw(b'correct horse', bcrypt.gensalt(rounds=4, prefix=b'2b')).decode())"
$PY -c "import bcrypt; print(bcrypt.hashpw(b'\xff\xfe\x00\x80bytes', bcrypt.gensalt(rounds=4, prefix=b'2b')).decode())" || echo "nul not allowed"
$PY -c "import bcrypt; print(bcrypt.hashpw(b'\xff\xfe\x80bytes', bcrypt.gensalt(rounds=4, prefix=b'2b')).decode())"
echo "== passlib bcrypt"
$PY -c "from passlib.hash import bcrypt; print(bcrypt.using(rounds=4, ident='2a').hash('correct horse'))" 2>/dev/null || echo passlib failed
echo "== argon2 CLI"
echo -n 'correct horse' | argon2 $(openssl rand -hex 8) -id -k 1024 -t 1 -p 1 -e
echo -n 'correct horse' | argon2 $(openssl rand -hex 8) -i -k 1024 -t 1 -p 1 -e
echo -n 'correct horse' | argon2 $(openssl rand -hex 8) -i -k 1024 -t 1 -p 1 -v 10 -e
echo -n 'correct horse' | argon2 $(openssl rand -hex 8) -d -k 1024 -t 1 -p 1 -e
echo -n 'correct horse' | argon2 $(openssl rand -hex 8) -id -k 1024 -t 1 -p 2 -l 16 -e
echo "== argon2-cffi"
$PY -c "import argon2; print(argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash('correct horse'))"
$PY -c "import argon2; print(argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=argon2.Type.I).hash('correct horse'))"
$PY -c "import argon2; print(argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(b'\xff\xfe\x80bytes'))"
$PY -c "import argon2; print(argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(''))"
echo "== django"
$PY - <<'PYEOF'
import django
from django.conf import settings
settings.configure(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher", "django.contrib.auth.hashers.Argon2PasswordHasher", "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher", "django.contrib.auth.hashers.BCryptSHA256PasswordHasher", "django.contrib.auth.hashers.ScryptPasswordHasher", "django.contrib.auth.hashers.MD5PasswordHasher"])
django.setup()
from django.contrib.auth.hashers import make_password, PBKDF2PasswordHasher, Argon2PasswordHasher
print("django", django.get_version())
print(PBKDF2PasswordHasher().encode('correct horse', PBKDF2PasswordHasher().salt(), iterations=1000))
print(PBKDF2PasswordHasher().encode('pässwörd', PBKDF2PasswordHasher().salt(), iterations=1000))
print(PBKDF2PasswordHasher().encode('', PBKDF2PasswordHasher().salt(), iterations=1000))
class SmallArgon2(Argon2PasswordHasher):
    time_cost = 1; memory_cost = 1024; parallelism = 1
print(SmallArgon2().encode('correct horse', SmallArgon2().salt()))
print(make_password('correct horse', hasher='pbkdf2_sha1'))
print(make_password('correct horse', hasher='scrypt'))
print(make_password('correct horse', hasher='md5'))
print(make_password(None))
PYEOF
echo "== django 4.2: bcrypt_sha256, pbkdf2_sha1, scrypt, argon2 and the refused hashers"
# PY42: a Python with Django 4.2 (4.2.30 made the committed vectors), bcrypt and argon2-cffi.
PY42=${PY42:-$PY}
$PY42 - <<'PYEOF'
import importlib.metadata as m
import django
from django.conf import settings
settings.configure(PASSWORD_HASHERS=["django.contrib.auth.hashers." + name for name in [
    "PBKDF2PasswordHasher", "PBKDF2SHA1PasswordHasher", "BCryptSHA256PasswordHasher",
    "BCryptPasswordHasher", "Argon2PasswordHasher", "ScryptPasswordHasher",
    "MD5PasswordHasher", "SHA1PasswordHasher", "UnsaltedMD5PasswordHasher",
    "UnsaltedSHA1PasswordHasher"]])
django.setup()
from django.contrib.auth.hashers import (make_password, check_password,
    BCryptSHA256PasswordHasher, PBKDF2SHA1PasswordHasher, Argon2PasswordHasher,
    ScryptPasswordHasher)
import bcrypt
print("django", django.get_version(), "bcrypt", m.version("bcrypt"), "argon2-cffi", m.version("argon2-cffi"))
class SmallBCryptSHA256(BCryptSHA256PasswordHasher):
    rounds = 4
class SmallArgon2(Argon2PasswordHasher):
    time_cost = 1; memory_cost = 1024; parallelism = 1
def show(label, h, pw):
    assert check_password(pw, h), label
    print(f"{label}: {h}")
    return h
show("bcrypt_sha256 default", make_password("correct horse", hasher="bcrypt_sha256"), "correct horse")
show("bcrypt_sha256 r4", make_password("correct horse", hasher=SmallBCryptSHA256()), "correct horse")
show("bcrypt_sha256 r4 utf8", make_password("pässwörd", hasher=SmallBCryptSHA256()), "pässwörd")
bs_empty = show("bcrypt_sha256 r4 empty", make_password("", hasher=SmallBCryptSHA256()), "")
show("bcrypt_sha256 r4 nul", make_password("abc\x00def", hasher=SmallBCryptSHA256()), "abc\x00def")
show("bcrypt_sha256 r4 long", make_password("a" * 100, hasher=SmallBCryptSHA256()), "a" * 100)
show("bcrypt_sha256 2a", BCryptSHA256PasswordHasher().encode("correct horse", bcrypt.gensalt(5, prefix=b"2a")), "correct horse")
show("bcrypt", make_password("correct horse", hasher="bcrypt"), "correct horse")
p = PBKDF2SHA1PasswordHasher()
show("pbkdf2_sha1 default", make_password("correct horse", hasher="pbkdf2_sha1"), "correct horse")
sha1 = show("pbkdf2_sha1 1000", p.encode("correct horse", p.salt(), iterations=1000), "correct horse")
show("pbkdf2_sha1 1000 utf8", p.encode("pässwörd", p.salt(), iterations=1000), "pässwörd")
sha1_empty = show("pbkdf2_sha1 1000 empty", p.encode("", p.salt(), iterations=1000), "")
show("argon2 default", make_password("correct horse", hasher="argon2"), "correct horse")
show("argon2 small", make_password("correct horse", hasher=SmallArgon2()), "correct horse")
s = ScryptPasswordHasher()
show("scrypt default", make_password("correct horse", hasher="scrypt"), "correct horse")
show("scrypt n1024", s.encode("correct horse", s.salt(), n=1024, r=8, p=1), "correct horse")
show("scrypt n16 r1 p2", s.encode("correct horse", s.salt(), n=16, r=1, p=2), "correct horse")
show("scrypt n1024 utf8", s.encode("pässwörd", s.salt(), n=1024, r=8, p=1), "pässwörd")
scrypt_empty = show("scrypt n1024 empty", s.encode("", s.salt(), n=1024, r=8, p=1), "")
# HMAC pads a key shorter than its block with zeros: True, True, True, False, False.
print("trailing NULs:", check_password("\0", scrypt_empty), check_password("\0\0", sha1_empty),
      check_password("correct horse" + "\0" * 51, sha1),
      check_password("correct horse" + "\0" * 52, sha1), check_password("\0", bs_empty))
for name in ["md5", "sha1", "unsalted_md5", "unsalted_sha1"]:
    show(name, make_password("correct horse", hasher=name), "correct horse")
PYEOF
echo "== php password_hash"
# PHP 8.2 (Debian php-cli, libargon2) made the committed vectors.
php -r '
echo "php ", PHP_VERSION, "\n";
echo password_hash("correct horse", PASSWORD_ARGON2ID), "\n";
echo password_hash("correct horse", PASSWORD_ARGON2ID, ["memory_cost" => 1024, "time_cost" => 1, "threads" => 1]), "\n";
echo password_hash("correct horse", PASSWORD_ARGON2I), "\n";
echo password_hash("correct horse", PASSWORD_BCRYPT), "\n";
echo password_hash("correct horse", PASSWORD_DEFAULT), "\n";
echo password_hash("correct horse", PASSWORD_BCRYPT, ["cost" => 4]), "\n";
' || echo "php not installed"
