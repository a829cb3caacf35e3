#!/usr/bin/python3
"""Regenerates vectors.jsonl: known-answer vectors for the hash package.

Every encoded hash below is produced by a tool that shares no code with
Latch: OpenSSL (`openssl passwd`), Apache's htpasswd, Debian's mkpasswd
(libxcrypt), the reference `argon2` CLI (libargon2), Python's hashlib and
crypt (libxcrypt) modules, and passlib 1.7.4 (with python3-bcrypt and
python3-argon2 as its backends). The exact command is stored in each row's
"command" field. Run it with Debian's Python, which has passlib:

    apt-get install -y apache2-utils whois argon2 openssl python3-passlib python3-bcrypt python3-argon2
    /usr/bin/python3 hash/testdata/generate.py

It writes vectors.jsonl (the first formats) and vectors-formats.jsonl (the
formats added with yescrypt, which also has wrong-password and error rows).

htpasswd and mkpasswd without -S pick their own random salt, and passlib
without salt= too, so those rows differ on every run; the others use fixed
salts and are reproducible.

Besides the known answers, rows may carry:
  "wrong": true      the password is NOT the one hashed: Verify must say false;
  "error": "limit"   over the default limits: ErrLimit before any work;
  "error": "insecure" a broken format: Identify names it, Verify refuses it
                     with ErrInsecureFormat.
"""

import base64
import hashlib
import json
import os
import shlex
import subprocess
import unicodedata
import warnings

warnings.simplefilter("ignore", DeprecationWarning)
import crypt  # noqa: E402  (libxcrypt through Python's crypt module)

from passlib.hash import pbkdf2_sha1, pbkdf2_sha256, pbkdf2_sha512  # noqa: E402

NFC = unicodedata.normalize("NFC", "p\u00e4ssw\u00f6rd")
NFD = unicodedata.normalize("NFD", NFC)
LONG80 = "0123456789" * 8  # 80 bytes: longer than bcrypt's 72-byte key
rows = []


def add(name, fmt, password, encoded, command, **extra):
    row = {"name": name, "format": fmt, "password": password,
           "encoded": encoded, "command": command}
    row.update(extra)
    rows.append(row)


def run(argv, stdin=None):
    out = subprocess.run(argv, input=stdin, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def tool(name, fmt, password, argv):
    out = run(argv)
    if argv[0] == "htpasswd":
        out = out.split(":", 1)[1]
    add(name, fmt, password, out, shlex.join(argv))


def argon(name, fmt, password, salt, *opts):
    argv = ["argon2", salt] + list(opts) + ["-e"]
    out = run(argv, stdin=password)
    add(name, fmt, password, out, "printf %s " + shlex.quote(password) + " | " + shlex.join(argv))


def pycrypt(name, fmt, password, setting):
    out = crypt.crypt(password, setting)
    assert out and not out.startswith("*"), (setting, out)
    add(name, fmt, password, out,
        "python3 -c " + shlex.quote("import crypt; print(crypt.crypt(%r, %r))" % (password, setting)))


def sftpgo(name, digest, password, salt, iters, b64salt=False):
    saltbytes = base64.b64decode(salt) if b64salt else salt.encode()
    dk = hashlib.pbkdf2_hmac(digest, password.encode(), saltbytes, iters)
    ident = "pbkdf2-b64salt-sha256" if b64salt else "pbkdf2-" + digest
    enc = "$%s$%d$%s$%s" % (ident, iters, salt, base64.b64encode(dk).decode())
    cmd = "python3 -c " + shlex.quote(
        "import base64,hashlib; print(base64.b64encode(hashlib.pbkdf2_hmac(%r, %r, %s, %d)).decode())"
        % (digest, password.encode(), ("base64.b64decode(%r)" % salt) if b64salt else repr(salt.encode()), iters))
    add(name, "pbkdf2-sftpgo", password, enc, cmd)


def passlib(name, handler, password, salt, rounds):
    enc = handler.using(rounds=rounds, salt=salt).hash(password)
    add(name, "pbkdf2-passlib", password, enc,
        "python3 -c " + shlex.quote("from passlib.hash import %s as h; print(h.using(rounds=%d, salt=%r).hash(%r))"
                                    % (handler.name, rounds, salt, password)))


def ab64(raw):
    return base64.b64encode(raw).decode().rstrip("=").replace("+", ".")


# bcrypt: Apache htpasswd ($2y$), mkpasswd/libxcrypt ($2b$, $2a$).
tool("bcrypt-2y-cost10-htpasswd", "bcrypt", "password", ["htpasswd", "-nbB", "-C", "10", "user", "password"])
tool("bcrypt-2y-cost4-htpasswd", "bcrypt", "correct horse battery staple",
     ["htpasswd", "-nbB", "-C", "4", "user", "correct horse battery staple"])
tool("bcrypt-2y-empty-htpasswd", "bcrypt", "", ["htpasswd", "-nbB", "-C", "4", "user", ""])
tool("bcrypt-2y-80-bytes-htpasswd", "bcrypt", LONG80, ["htpasswd", "-nbB", "-C", "4", "user", LONG80])
tool("bcrypt-2b-nfc-mkpasswd", "bcrypt", NFC, ["mkpasswd", "-m", "bcrypt", "-R", "5", "-S", "abcdefghijklmnopqrstuu", NFC])
tool("bcrypt-2a-mkpasswd", "bcrypt", "p@ss w0rd!$:", ["mkpasswd", "-m", "bcrypt-a", "-R", "5", "-S", "Ro0CUfOqk6cXEKf3dyaM7O", "p@ss w0rd!$:"])
pycrypt("bcrypt-2b-python-crypt", "bcrypt", "password", "$2b$04$......................")

# pbkdf2, SFTPGo form: salt is the string's bytes (or base64 for -b64salt-), hash is padded std base64.
add("pbkdf2-sftpgo-docs-example", "pbkdf2-sftpgo", "password",
    "$pbkdf2-sha256$150000$E86a9YMX3zC7$R5J62hsSq+pYw00hLLPKBbcGXmq7fj5+/M0IFoYtZbo=",
    "SFTPGo documentation example (checked below with hashlib)")
check = hashlib.pbkdf2_hmac("sha256", b"password", b"E86a9YMX3zC7", 150000)
assert base64.b64encode(check).decode() == "R5J62hsSq+pYw00hLLPKBbcGXmq7fj5+/M0IFoYtZbo="
sftpgo("pbkdf2-sftpgo-sha1", "sha1", "password", "saltsaltsalt", 1000)
sftpgo("pbkdf2-sftpgo-sha256", "sha256", "correct horse battery staple", "Yq3gWn0tLk8s", 1000)
sftpgo("pbkdf2-sftpgo-sha512", "sha512", NFC, "zN4mQ7pX2bVc", 1000)
sftpgo("pbkdf2-sftpgo-b64salt-sha256", "sha256", "password", "3q2+7wAAAAAAAAAAAAAAAA==", 1000, b64salt=True)
sftpgo("pbkdf2-sftpgo-b64salt-sha256-600k", "sha256", "password", "MTIzNDU2Nzg5MGFiY2RlZg==", 600000, b64salt=True)

# pbkdf2, passlib form: adapted base64 (./ alphabet, no padding) for salt and checksum.
passlib("pbkdf2-passlib-sha256-29000", pbkdf2_sha256, "password", b"saltsaltsaltsalt", 29000)
passlib("pbkdf2-passlib-sha256-nfc", pbkdf2_sha256, NFC, b"\x01\x02\x03\x04\x05\x06\x07\x08", 1000)
passlib("pbkdf2-passlib-sha256-empty-salt", pbkdf2_sha256, "password", b"", 1000)
passlib("pbkdf2-passlib-sha1", pbkdf2_sha1, "correct horse battery staple", b"\xfb\xef\xbe\xfb\xef\xbe\xfb\xef", 1000)
passlib("pbkdf2-passlib-sha512", pbkdf2_sha512, "password", b"saltsaltsaltsalt", 1000)
salt = bytes(range(16))
dk = hashlib.pbkdf2_hmac("sha256", b"p@ss w0rd!$:", salt, 1234)
add("pbkdf2-passlib-sha256-hashlib", "pbkdf2-passlib", "p@ss w0rd!$:",
    "$pbkdf2-sha256$1234$%s$%s" % (ab64(salt), ab64(dk)),
    "python3 hashlib.pbkdf2_hmac('sha256', b'p@ss w0rd!$:', bytes(range(16)), 1234), "
    "adapted base64 = b64encode(x).rstrip('=').replace('+', '.')")

# md5crypt and Apache apr1.
tool("md5crypt-openssl", "md5-crypt", "password", ["openssl", "passwd", "-1", "-salt", "saltsalt", "password"])
tool("md5crypt-openssl-short-salt", "md5-crypt", "correct horse battery staple",
     ["openssl", "passwd", "-1", "-salt", "ab", "correct horse battery staple"])
tool("md5crypt-mkpasswd-nfc", "md5-crypt", NFC, ["mkpasswd", "-m", "md5crypt", "-S", "12345678", NFC])
pycrypt("md5crypt-empty-salt", "md5-crypt", "password", "$1$")
tool("apr1-openssl", "apr1", "password", ["openssl", "passwd", "-apr1", "-salt", "saltsalt", "password"])
tool("apr1-htpasswd", "apr1", "correct horse battery staple", ["htpasswd", "-nbm", "user", "correct horse battery staple"])
tool("apr1-openssl-nfc", "apr1", NFC, ["openssl", "passwd", "-apr1", "-salt", "x./Z", NFC])

# sha256crypt and sha512crypt, with and without rounds=.
tool("sha256crypt-openssl", "sha256-crypt", "password", ["openssl", "passwd", "-5", "-salt", "saltsalt", "password"])
tool("sha256crypt-mkpasswd-rounds", "sha256-crypt", "correct horse battery staple",
     ["mkpasswd", "-m", "sha256crypt", "-R", "1000", "-S", "0123456789abcdef", "correct horse battery staple"])
tool("sha256crypt-openssl-rounds-nfc", "sha256-crypt", NFC, ["openssl", "passwd", "-5", "-salt", "rounds=1500$abc", NFC])
tool("sha512crypt-openssl", "sha512-crypt", "password", ["openssl", "passwd", "-6", "-salt", "saltsalt", "password"])
tool("sha512crypt-mkpasswd-rounds", "sha512-crypt", NFC, ["mkpasswd", "-m", "sha512crypt", "-R", "1000", "-S", "saltsalt", NFC])
tool("sha512crypt-mkpasswd-rounds-5000", "sha512-crypt", "password",
     ["mkpasswd", "-m", "sha512crypt", "-R", "5000", "-S", "saltsalt", "password"])
tool("sha512crypt-openssl-nfd-bytes", "sha512-crypt", NFD, ["openssl", "passwd", "-6", "-salt", "nfd", NFD])
tool("sha512crypt-openssl-nfc-bytes", "sha512-crypt", NFC, ["openssl", "passwd", "-6", "-salt", "nfc", NFC])
tool("sha512crypt-mkpasswd-long-salt", "sha512-crypt", "p@ss w0rd!$:",
     ["mkpasswd", "-m", "sha512crypt", "-R", "1000", "-S", "./0123456789ABCD", "p@ss w0rd!$:"])
pycrypt("sha512crypt-empty-salt", "sha512-crypt", "password", "$6$rounds=1000$")

# argon2id and argon2i from the reference CLI (salt is the string's bytes).
argon("argon2id-owasp", "argon2id", "password", "saltsaltsaltsalt", "-id", "-t", "2", "-k", "19456", "-p", "1")
argon("argon2id-small-p2", "argon2id", "correct horse battery staple", "saltsalt", "-id", "-t", "1", "-k", "64", "-p", "2")
argon("argon2id-nfc-l16", "argon2id", NFC, "somesaltsomesalt", "-id", "-t", "3", "-k", "32", "-p", "4", "-l", "16")
argon("argon2id-min-tag", "argon2id", "password", "saltsaltsalt", "-id", "-t", "1", "-k", "8", "-p", "1", "-l", "4")
argon("argon2id-tag64", "argon2id", "p@ss w0rd!$:", "saltsaltsaltsalt", "-id", "-t", "1", "-k", "16", "-p", "1", "-l", "64")
argon("argon2i-4mib", "argon2i", "password", "saltsaltsaltsalt", "-i", "-t", "2", "-k", "4096", "-p", "1")
argon("argon2i-small", "argon2i", NFC, "saltsalt", "-i", "-t", "1", "-k", "64", "-p", "1")

# Known answers of libargon2's own test suite (src/test.c, hashtest() for
# version 0x13, t=2, m=2^8 KiB, password "password", salt "somesalt"). The
# CLI run above must reproduce them exactly.
LIBARGON2_KAT = [
    ("argon2id-libargon2-test-c-p1", "argon2id", "-id", "1",
     "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4"),
    ("argon2id-libargon2-test-c-p2", "argon2id", "-id", "2",
     "$argon2id$v=19$m=256,t=2,p=2$c29tZXNhbHQ$bQk8UB/VmZZF4Oo79iDXuL5/0ttZwg2f/5U52iv1cDc"),
    ("argon2i-libargon2-test-c-p1", "argon2i", "-i", "1",
     "$argon2i$v=19$m=256,t=2,p=1$c29tZXNhbHQ$iekCn0Y3spW+sCcFanM2xBT63UP2sghkUoHLIUpWRS8"),
    ("argon2i-libargon2-test-c-p2", "argon2i", "-i", "2",
     "$argon2i$v=19$m=256,t=2,p=2$c29tZXNhbHQ$T/XOJ2mh1/TIpJHfCdQan76Q5esCFVoT5MAeIM1Oq2E"),
]
for name, fmt, flag, lanes, expected in LIBARGON2_KAT:
    argv = ["argon2", "somesalt", flag, "-t", "2", "-m", "8", "-p", lanes, "-e"]
    assert run(argv, stdin="password") == expected, (name, expected)
    add(name, fmt, "password", expected,
        "libargon2 src/test.c known answer; printf %s password | " + shlex.join(argv))


# ---------------------------------------------------------------------------
# The rows below go to vectors-formats.jsonl, so that vectors.jsonl keeps
# holding only right-password rows of the first formats, as its readers
# (also outside this package) expect.
SPLIT = len(rows)

# Formats added with yescrypt, scrypt, phpass, Django, LDAP, Dovecot and
# ASP.NET Identity. Each hash also gets a "wrong": true row with a password
# that differs from the right one by one character (or by normalisation).

from passlib.hash import (  # noqa: E402
    bcrypt_sha256, django_argon2, django_bcrypt, django_bcrypt_sha256,
    django_des_crypt, django_pbkdf2_sha1, django_pbkdf2_sha256,
    django_salted_md5, django_salted_sha1, ldap_md5, ldap_plaintext,
    ldap_salted_md5, ldap_salted_sha1, ldap_salted_sha256, ldap_salted_sha512,
    ldap_sha1, phpass, scrypt)
import struct  # noqa: E402

CYRILLIC = "\u043f\u0430\u0440\u043e\u043b\u044c"  # "пароль"
EMOJI = "\U0001f511 \u5bc6\u7801"                   # "🔑 密码"


def wrong_of(password):
    if password == NFC:
        return NFD  # same characters, other bytes: not NFC-retried into a match
    if password == "":
        return "x"
    return password[:-1] + chr(ord(password[-1]) ^ 1)


def both(name, fmt, password, encoded, command, **extra):
    add(name, fmt, password, encoded, command, **extra)
    w = wrong_of(password)
    if password == NFC:
        w = NFC + "x"
    add(name + "-wrong", fmt, w, encoded, command, wrong=True, **extra)


def mk(name, fmt, password, argv, prefix="", **extra):
    out = run(argv)
    both(name, fmt, password, prefix + out,
         ("printf %s " + shlex.quote(prefix) + "; " if prefix else "") + shlex.join(argv), **extra)


def pl(name, fmt, password, handler, expr, prefix="", **kw):
    """expr is the passlib call as written in the command, evaluated here."""
    out = eval(expr, {handler.name: handler}, {"pw": password})
    cmd = "python3 -c " + shlex.quote("from passlib.hash import %s; print(%s)" % (handler.name, expr.replace("pw", repr(password))))
    both(name, fmt, password, prefix + out, (("printf %s " + shlex.quote(prefix) + "; ") if prefix else "") + cmd, **kw)


# yescrypt (libxcrypt): every cost mkpasswd writes; 10 and 11 (512 MiB,
# 1 GiB) are over the default limit.
for cost, pw in [(1, "password"), (2, NFC), (3, CYRILLIC), (4, "correct horse battery staple"),
                 (5, "password"), (6, EMOJI), (7, "p@ss w0rd!$:"), (8, "password"), (9, NFC)]:
    mk("yescrypt-mkpasswd-R%d" % cost, "yescrypt", pw, ["mkpasswd", "-m", "yescrypt", "-R", str(cost), pw])
for cost in (10, 11):
    mk("yescrypt-mkpasswd-R%d-over-limit" % cost, "yescrypt", "password",
       ["mkpasswd", "-m", "yescrypt", "-R", str(cost), "password"], error="limit")
mk("yescrypt-mkpasswd-fixed-salt", "yescrypt", "password",
   ["mkpasswd", "-m", "yescrypt", "-S", "$y$j9T$abcdefghijklmnopqrstu.", "password"])
mk("yescrypt-mkpasswd-empty-salt", "yescrypt", "",
   ["mkpasswd", "-m", "yescrypt", "-S", "$y$j75$", ""])

# scrypt, libxcrypt's $7$ (mkpasswd -R 6..11; 10 and 11 over the limit),
# and passlib's $7$ and $scrypt$ forms.
for cost, pw in [(6, "password"), (7, NFC), (8, CYRILLIC), (9, "correct horse battery staple")]:
    mk("scrypt-mkpasswd-R%d" % cost, "scrypt", pw, ["mkpasswd", "-m", "scrypt", "-R", str(cost), pw])
for cost in (10, 11):
    mk("scrypt-mkpasswd-R%d-over-limit" % cost, "scrypt", "password",
       ["mkpasswd", "-m", "scrypt", "-R", str(cost), "password"], error="limit")
mk("scrypt-mkpasswd-fixed-salt", "scrypt", EMOJI, ["mkpasswd", "-m", "scrypt", "-S", "$7$BU..../....saltsalt", EMOJI])
mk("scrypt-mkpasswd-r1-p2", "scrypt", "password", ["mkpasswd", "-m", "scrypt", "-S", "$7$8/....0....abc", "password"])
pl("scrypt-passlib-7", "scrypt", "password", scrypt, "scrypt.using(ident='$7$', rounds=12, block_size=8, salt=b'c2FsdCtzYWx0').hash(pw)")
pl("scrypt-passlib-ln16", "scrypt-passlib", "password", scrypt, "scrypt.using(rounds=16, block_size=8, parallelism=1).hash(pw)")
pl("scrypt-passlib-ln10-r4-p4", "scrypt-passlib", NFC, scrypt, "scrypt.using(rounds=10, block_size=4, parallelism=4, salt=b'saltsaltsaltsalt').hash(pw)")
pl("scrypt-passlib-ln14-r8-p2", "scrypt-passlib", CYRILLIC, scrypt, "scrypt.using(rounds=14, block_size=8, parallelism=2).hash(pw)")
pl("scrypt-passlib-empty-salt", "scrypt-passlib", "password", scrypt, "scrypt.using(rounds=4, block_size=1, salt=b'').hash(pw)")

# bcrypt and DES-family crypt from mkpasswd, for {CRYPT} and Dovecot below.
mk("bcrypt-mkpasswd-R12", "bcrypt", "password", ["mkpasswd", "-m", "bcrypt", "-R", "12", "password"])

# passlib bcrypt_sha256, v=2 (HMAC-SHA256 keyed by the salt) and v=1.
pl("bcrypt-sha256-passlib-v2", "bcrypt-sha256", "password", bcrypt_sha256, "bcrypt_sha256.using(rounds=5).hash(pw)")
pl("bcrypt-sha256-passlib-v2-long", "bcrypt-sha256", LONG80 + "tail", bcrypt_sha256, "bcrypt_sha256.using(rounds=4).hash(pw)")
pl("bcrypt-sha256-passlib-v2-nfc", "bcrypt-sha256", NFC, bcrypt_sha256, "bcrypt_sha256.using(rounds=6, salt='abcdefghijklmnopqrstuu').hash(pw)")
pl("bcrypt-sha256-passlib-v2-cost10", "bcrypt-sha256", EMOJI, bcrypt_sha256, "bcrypt_sha256.using(rounds=10).hash(pw)")
pl("bcrypt-sha256-passlib-v1", "bcrypt-sha256", "password", bcrypt_sha256, "bcrypt_sha256.using(version=1, rounds=5).hash(pw)")

# phpass: WordPress ($P$B = 2^13), phpBB ($H$9 = 2^11), passlib's default 19.
for cost, ident, pw in [(8, "P", "password"), (11, "H", NFC), (13, "P", CYRILLIC), (16, "H", EMOJI),
                        (19, "P", "correct horse battery staple")]:
    pl("phpass-%s-%d" % (ident, cost), "phpass", pw, phpass, "phpass.using(ident=%r, rounds=%d).hash(pw)" % (ident, cost))
pl("phpass-fixed-salt", "phpass", "p@ss w0rd!$:", phpass, "phpass.using(rounds=7, salt='saltsalt').hash(pw)")

# Django hashers (passlib's django_* reimplementations).
pl("django-pbkdf2-sha256-1000", "django-pbkdf2-sha256", "password", django_pbkdf2_sha256, "django_pbkdf2_sha256.using(rounds=1000).hash(pw)")
pl("django-pbkdf2-sha256-870000", "django-pbkdf2-sha256", NFC, django_pbkdf2_sha256,
   "django_pbkdf2_sha256.using(rounds=870000, salt='Zq3mX9pL2vB8nC4kT7wR1y').hash(pw)")
pl("django-pbkdf2-sha256-emoji", "django-pbkdf2-sha256", EMOJI, django_pbkdf2_sha256, "django_pbkdf2_sha256.using(rounds=20000).hash(pw)")
pl("django-pbkdf2-sha1", "django-pbkdf2-sha1", "password", django_pbkdf2_sha1, "django_pbkdf2_sha1.using(rounds=10000).hash(pw)")
pl("django-pbkdf2-sha1-cyrillic", "django-pbkdf2-sha1", CYRILLIC, django_pbkdf2_sha1, "django_pbkdf2_sha1.using(rounds=1000, salt='abc').hash(pw)")
pl("django-argon2id", "django-argon2", "password", django_argon2, "django_argon2.using(type='ID', memory_cost=1024, rounds=2, parallelism=2).hash(pw)")
pl("django-argon2id-default-cost", "django-argon2", NFC, django_argon2, "django_argon2.using(type='ID').hash(pw)")
pl("django-argon2i", "django-argon2", CYRILLIC, django_argon2, "django_argon2.using(type='I', memory_cost=512, rounds=2, parallelism=2).hash(pw)")
pl("django-bcrypt-sha256", "django-bcrypt-sha256", "password", django_bcrypt_sha256, "django_bcrypt_sha256.using(rounds=5).hash(pw)")
pl("django-bcrypt-sha256-long", "django-bcrypt-sha256", LONG80 + EMOJI, django_bcrypt_sha256, "django_bcrypt_sha256.using(rounds=4).hash(pw)")
pl("django-bcrypt", "django-bcrypt", NFC, django_bcrypt, "django_bcrypt.using(rounds=5).hash(pw)")
pl("django-sha1", "django-sha1", "password", django_salted_sha1, "django_salted_sha1.hash(pw)")
pl("django-sha1-nfc", "django-sha1", NFC, django_salted_sha1, "django_salted_sha1.using(salt='a1b2c').hash(pw)")
pl("django-md5", "django-md5", "password", django_salted_md5, "django_salted_md5.hash(pw)")
pl("django-md5-cyrillic", "django-md5", CYRILLIC, django_salted_md5, "django_salted_md5.using(salt='x').hash(pw)")
pl("django-des-crypt", "des-crypt", "password", django_des_crypt, "django_des_crypt.hash(pw)", error="insecure")

# LDAP schemes (passlib's ldap_* handlers; OpenLDAP's slappasswd writes the
# same), and scheme names in other cases, which OpenLDAP and Dovecot accept.
pl("ldap-ssha", "ldap-ssha", "password", ldap_salted_sha1, "ldap_salted_sha1.hash(pw)")
pl("ldap-ssha-16-byte-salt", "ldap-ssha", NFC, ldap_salted_sha1, "ldap_salted_sha1.using(salt_size=16).hash(pw)")
pl("ldap-ssha256", "ldap-ssha256", CYRILLIC, ldap_salted_sha256, "ldap_salted_sha256.hash(pw)")
pl("ldap-ssha512", "ldap-ssha512", EMOJI, ldap_salted_sha512, "ldap_salted_sha512.hash(pw)")
pl("ldap-ssha512-4-byte-salt", "ldap-ssha512", "password", ldap_salted_sha512, "ldap_salted_sha512.using(salt_size=4).hash(pw)")
pl("ldap-sha", "ldap-sha", "password", ldap_sha1, "ldap_sha1.hash(pw)")
pl("ldap-sha-nfc", "ldap-sha", NFC, ldap_sha1, "ldap_sha1.hash(pw)")
out = ldap_salted_sha1.using(salt=b"\x01\x02\x03\x04").hash("password")
both("ldap-ssha-lower-case-scheme", "ldap-ssha", "password", "{ssha}" + out[len("{SSHA}"):],
     "python3 -c " + shlex.quote("from passlib.hash import ldap_salted_sha1; print(ldap_salted_sha1.using(salt=b'\\x01\\x02\\x03\\x04').hash('password'))")
     + " | sed 's/^{SSHA}/{ssha}/'")
pl("ldap-md5", "ldap-md5", "password", ldap_md5, "ldap_md5.hash(pw)", error="insecure")
pl("ldap-smd5", "ldap-smd5", "password", ldap_salted_md5, "ldap_salted_md5.hash(pw)", error="insecure")
pl("ldap-cleartext", "plaintext", "password", ldap_plaintext, "ldap_plaintext.hash(pw)", prefix="{CLEARTEXT}", error="insecure")

# {CRYPT} and Dovecot's crypt schemes: the prefix and a mkpasswd hash.
mk("ldap-crypt-sha512", "sha512-crypt", "password", ["mkpasswd", "-m", "sha512crypt", "password"], prefix="{CRYPT}")
mk("ldap-crypt-lower-md5", "md5-crypt", NFC, ["mkpasswd", "-m", "md5crypt", NFC], prefix="{crypt}")
mk("ldap-crypt-yescrypt", "yescrypt", CYRILLIC, ["mkpasswd", "-m", "yescrypt", CYRILLIC], prefix="{CRYPT}")
mk("ldap-crypt-scrypt", "scrypt", "password", ["mkpasswd", "-m", "scrypt", "-R", "6", "password"], prefix="{CRYPT}")
mk("ldap-crypt-bcrypt", "bcrypt", EMOJI, ["mkpasswd", "-m", "bcrypt", "-R", "5", EMOJI], prefix="{CRYPT}")
mk("dovecot-sha512-crypt", "sha512-crypt", "password", ["mkpasswd", "-m", "sha512crypt", "-R", "5000", "password"], prefix="{SHA512-CRYPT}")
mk("dovecot-sha256-crypt", "sha256-crypt", NFC, ["mkpasswd", "-m", "sha256crypt", NFC], prefix="{SHA256-CRYPT}")
mk("dovecot-blf-crypt", "bcrypt", "password", ["mkpasswd", "-m", "bcrypt", "-R", "5", "password"], prefix="{BLF-CRYPT}")
mk("dovecot-md5-crypt", "md5-crypt", CYRILLIC, ["mkpasswd", "-m", "md5crypt", CYRILLIC], prefix="{MD5-CRYPT}")
mk("dovecot-ssha256-lower", "ldap-ssha256", "password", ["/usr/bin/python3", "-c", "from passlib.hash import ldap_salted_sha256 as h; print(h.hash('password')[len('{SSHA256}'):])"], prefix="{ssha256}")

# Broken formats: named by Identify, refused by Verify.
mk("descrypt-mkpasswd", "des-crypt", "password", ["mkpasswd", "-m", "descrypt", "password"], error="insecure")
mk("bsdicrypt-mkpasswd", "bsdi-crypt", "password", ["mkpasswd", "-m", "bsdicrypt", "password"], error="insecure")
mk("nt-mkpasswd", "nt-hash", "password", ["mkpasswd", "-m", "nt", "password"], error="insecure")
mk("ldap-crypt-descrypt", "des-crypt", "password", ["mkpasswd", "-m", "descrypt", "password"], prefix="{CRYPT}", error="insecure")


# ASP.NET Core Identity: the layout of PasswordHasher.cs written out with
# hashlib and struct.
def aspnet_v3(name, password, prf, iters, salt):
    digest = {0: "sha1", 1: "sha256", 2: "sha512"}[prf]
    sub = hashlib.pbkdf2_hmac(digest, password.encode(), salt, iters, 32)
    blob = b"\x01" + struct.pack(">III", prf, iters, len(salt)) + salt + sub
    both(name, "aspnet-identity-v3", password, base64.b64encode(blob).decode(),
         "python3 -c " + shlex.quote(
             "import base64,hashlib,struct; s=%r; print(base64.b64encode(b'\\x01'+struct.pack('>III',%d,%d,len(s))+s+"
             "hashlib.pbkdf2_hmac(%r,%r,s,%d,32)).decode())" % (salt, prf, iters, digest, password.encode(), iters)))


def aspnet_v2(name, password, salt):
    sub = hashlib.pbkdf2_hmac("sha1", password.encode(), salt, 1000, 32)
    both(name, "aspnet-identity-v2", password, base64.b64encode(b"\x00" + salt + sub).decode(),
         "python3 -c " + shlex.quote("import base64,hashlib; s=%r; print(base64.b64encode(b'\\x00'+s+hashlib.pbkdf2_hmac('sha1',%r,s,1000,32)).decode())"
                                     % (salt, password.encode())))


aspnet_v3("aspnet-v3-sha256-10000", "password", 1, 10000, bytes(range(16)))
aspnet_v3("aspnet-v3-sha512-100000", NFC, 2, 100000, b"saltsaltsaltsalt")
aspnet_v3("aspnet-v3-sha1-1000", CYRILLIC, 0, 1000, bytes(range(100, 132)))
aspnet_v2("aspnet-v2", "password", bytes(range(16)))
aspnet_v2("aspnet-v2-emoji", EMOJI, b"\xff" * 16)


# SFTPGo's pbkdf2 as SFTPGo reads it: a UTF-8 salt used as its bytes, and a
# key as long as the stored checksum (16 to 64 bytes).
def sftpgo_len(name, digest, password, salt, iters, dklen):
    dk = hashlib.pbkdf2_hmac(digest, password.encode(), salt.encode(), iters, dklen)
    enc = "$pbkdf2-%s$%d$%s$%s" % (digest, iters, salt, base64.b64encode(dk).decode())
    both(name, "pbkdf2-sftpgo", password, enc, "python3 -c " + shlex.quote(
        "import base64,hashlib; print(base64.b64encode(hashlib.pbkdf2_hmac(%r, %r, %r, %d, %d)).decode())"
        % (digest, password.encode(), salt.encode(), iters, dklen)))


sftpgo_len("pbkdf2-sftpgo-utf8-salt", "sha256", "password", "s\u00e4lt\u5bc6", 1000, 32)
sftpgo_len("pbkdf2-sftpgo-sha1-16-byte-key", "sha1", NFC, "saltsalt", 1000, 16)
sftpgo_len("pbkdf2-sftpgo-sha256-64-byte-key", "sha256", CYRILLIC, "saltsalt", 1000, 64)
sftpgo_len("pbkdf2-sftpgo-sha512-24-byte-key", "sha512", EMOJI, "\U0001f9c2", 1000, 24)


here = os.path.dirname(os.path.abspath(__file__))
for fname, part in (("vectors.jsonl", rows[:SPLIT]), ("vectors-formats.jsonl", rows[SPLIT:])):
    with open(os.path.join(here, fname), "w", encoding="utf-8") as out:
        for r in part:
            out.write(json.dumps(r, ensure_ascii=False) + "\n")
