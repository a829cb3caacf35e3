#!/usr/bin/python3
"""Regenerates vectors.jsonl: known-answer vectors for the hash package.

Every encoded hash below is produced by a tool that shares no code with
Latch: OpenSSL (`openssl passwd`), Apache's htpasswd, Debian's mkpasswd
(libxcrypt), the reference `argon2` CLI (libargon2), Python's hashlib and
crypt (libxcrypt) modules, and passlib. The exact command is stored in each
row's "command" field. Run it with Debian's Python, which has passlib:

    apt-get install -y apache2-utils whois argon2 openssl python3-passlib
    /usr/bin/python3 hash/testdata/generate.py > hash/testdata/vectors.jsonl

htpasswd picks its own random salt, so rows made by it differ on every run;
all other rows use fixed salts and are reproducible.
"""

import base64
import hashlib
import json
import shlex
import subprocess
import sys
import unicodedata
import warnings

warnings.simplefilter("ignore", DeprecationWarning)
import crypt  # noqa: E402  (libxcrypt through Python's crypt module)

from passlib.hash import pbkdf2_sha1, pbkdf2_sha256, pbkdf2_sha512  # noqa: E402

NFC = unicodedata.normalize("NFC", "p\u00e4ssw\u00f6rd")
NFD = unicodedata.normalize("NFD", NFC)
LONG80 = "0123456789" * 8  # 80 bytes: longer than bcrypt's 72-byte key
rows = []


def add(name, fmt, password, encoded, command):
    rows.append({"name": name, "format": fmt, "password": password,
                 "encoded": encoded, "command": command})


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

for r in rows:
    sys.stdout.write(json.dumps(r, ensure_ascii=False) + "\n")
