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
echo "== django 4.2: argon2"
# PY42: a Python with Django 4.2 (4.2.30 made the committed vectors) and argon2-cffi.
PY42=${PY42:-$PY}
$PY42 - <<'PYEOF'
import importlib.metadata as m
import django
from django.conf import settings
settings.configure(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"])
django.setup()
from django.contrib.auth.hashers import make_password, check_password, Argon2PasswordHasher
print("django", django.get_version(), "argon2-cffi", m.version("argon2-cffi"))
class SmallArgon2(Argon2PasswordHasher):
    time_cost = 1; memory_cost = 1024; parallelism = 1
def show(label, h, pw):
    assert check_password(pw, h), label
    print(f"{label}: {h}")
show("argon2 default", make_password("correct horse", hasher="argon2"), "correct horse")
show("argon2 small", make_password("correct horse", hasher=SmallArgon2()), "correct horse")
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
