package hash_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/latchkit/latch/hash"
)

func ExampleVerify() {
	// A hash imported from SFTPGo (the example in its documentation).
	stored := "$pbkdf2-sha256$150000$E86a9YMX3zC7$R5J62hsSq+pYw00hLLPKBbcGXmq7fj5+/M0IFoYtZbo="
	ok, err := hash.Verify("password", stored)
	fmt.Println(ok, err)
	ok, err = hash.Verify("Password", stored)
	fmt.Println(ok, err)
	// Output:
	// true <nil>
	// false <nil>
}

// Verify's errors say why a stored hash cannot be used; a wrong password is
// not an error.
func ExampleVerify_errorChecking() {
	for _, stored := range []string{
		"$1$saltsalt$qjXMvbEw8oaL.CzflDtaK/", // openssl passwd -1 -salt saltsalt password
		"$2b$31$abcdefghijklmnopqrstuuZVEMa1pjhlynBQ1qXmSvGBJpN9h1w8G",
		"$6$rounds=01000$saltsalt$qFmFH.bQmmtXzyBY0s9v7Oicd2z4XSIecDzlB5KiA2/jctKu9YterLp8wwnSq.qc.eoxqOmSuNp2xS0ktL3nh/",
		"{MD5}X03MO1qnZdYdgyfeuILPmQ==", // slappasswd -h {MD5} -s password
		"$9$abc$def",
	} {
		ok, err := hash.Verify("password", stored)
		switch {
		case errors.Is(err, hash.ErrInsecureFormat):
			fmt.Println("broken format, reset the password:", err)
		case errors.Is(err, hash.ErrLimit):
			fmt.Println("too expensive to verify:", err)
		case errors.Is(err, hash.ErrMalformed):
			fmt.Println("corrupt hash:", err)
		case errors.Is(err, hash.ErrUnknownFormat):
			fmt.Println("unsupported hash:", err)
		case err != nil:
			fmt.Println("error:", err)
		default:
			fmt.Println("password matches:", ok)
		}
	}
	// Output:
	// password matches: true
	// too expensive to verify: hash: parameters over the safety limits: bcrypt cost 31, limit 14
	// corrupt hash: hash: malformed encoded hash: sha512-crypt rounds= is not a canonical decimal in [1000, 999999999]
	// broken format, reset the password: hash: insecure format: ldap-md5 (the account needs a password reset)
	// unsupported hash: hash: unknown format: unrecognised prefix
}

func ExampleHash() {
	stored, err := hash.Hash("correct horse battery staple")
	if err != nil {
		panic(err)
	}
	fmt.Println(strings.HasPrefix(stored, "$argon2id$v=19$m=19456,t=2,p=1$"))
	ok, _ := hash.Verify("correct horse battery staple", stored)
	fmt.Println(ok)
	// Output:
	// true
	// true
}

func ExampleNeedsRehash() {
	// Upgrade a user's hash when they sign in with the right password.
	password := "password"
	stored := "$6$saltsalt$qFmFH.bQmmtXzyBY0s9v7Oicd2z4XSIecDzlB5KiA2/jctKu9YterLp8wwnSq.qc.eoxqOmSuNp2xS0ktL3nh/"
	if ok, err := hash.Verify(password, stored); err == nil && ok && hash.NeedsRehash(stored) {
		stored, _ = hash.Hash(password)
	}
	f, _ := hash.Identify(stored)
	fmt.Println(f, hash.NeedsRehash(stored))
	// Output:
	// argon2id false
}

func ExampleIdentify() {
	for _, stored := range []string{
		"$2y$10$iUXJloVAKJdsaEWTliIGo.jxbFUwn0LA9q3tyYc7hg8Hd9c5rYXKi",
		"$pbkdf2-sha256$29000$c2FsdHNhbHRzYWx0c2FsdA$7xwbY5rCP.qJhnvJ80W3FI7hSRg8wNnl3S9rczjVuCk",
		"$apr1$saltsalt$yAAkm4libquA.ZWLHbSBq/",
		"$y$j9T$abcdefghijklmnopqrstu.$HVfVmMMY7RAnAkeXQamvZ4ljXGsNvkHySO1yktkGQc8",
		"{ssha}ouUZQtFbhkQrfIJ43qx176Wfj4YBAgME",
		"{CRYPT}$6$uj4yQVePqiH7e0O4$Dqqaie77p/c5CwH0B.9BInGeXzNfvZEfg98F1FiVOTMVxID/Kar3eoXL8raOCzgXoD5gUUzHks4y8.RbVyHLT/",
		"AQAAAAEAACcQAAAAEAABAgMEBQYHCAkKCwwNDg/rbIFTVZIgPAkrFY+NOQlnI2Km9dvQDZgoBEy6qLJS6Q==",
		"abJnggxhB/yWI", // mkpasswd -m descrypt
		"$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA", // no tag
	} {
		f, err := hash.Identify(stored)
		fmt.Printf("%q %v\n", f, err)
	}
	// Output:
	// "bcrypt" <nil>
	// "pbkdf2-passlib" <nil>
	// "apr1" <nil>
	// "yescrypt" <nil>
	// "ldap-ssha" <nil>
	// "sha512-crypt" <nil>
	// "aspnet-identity-v3" <nil>
	// "des-crypt" hash: insecure format: des-crypt (the account needs a password reset)
	// "" hash: malformed encoded hash: argon2 hash has 5 fields, want 6
}

// Wrap protects cheap legacy hashes at import, before their users sign in
// again: the wrapped hash verifies the same password, and is replaced by a
// plain Argon2id hash at the next sign-in.
func ExampleWrap() {
	legacy := "$1$saltsalt$qjXMvbEw8oaL.CzflDtaK/" // openssl passwd -1 -salt saltsalt password
	wrapped, err := hash.Wrap(legacy)
	if err != nil {
		panic(err)
	}
	fmt.Println(wrapped[:len("$latch-wrap$md5-crypt$$1$saltsalt$argon2id$v=19$m=19456,t=2,p=1$")])
	f, _ := hash.Identify(wrapped)
	ok, _ := hash.Verify("password", wrapped)
	fmt.Println(f, ok, hash.NeedsRehash(wrapped))
	_, err = hash.Wrap("$2y$10$iUXJloVAKJdsaEWTliIGo.jxbFUwn0LA9q3tyYc7hg8Hd9c5rYXKi")
	fmt.Println(err)
	// Output:
	// $latch-wrap$md5-crypt$$1$saltsalt$argon2id$v=19$m=19456,t=2,p=1$
	// latch-wrap true true
	// hash: format cannot be wrapped: bcrypt
}

// A host whose other services read the hashes can choose bcrypt, and tighten
// the limits on what it accepts.
func ExampleNew() {
	h, err := hash.New(hash.Config{
		Algorithm:  hash.FormatBcrypt,
		BcryptCost: 10,
		Limits:     hash.Limits{MaxBcryptCost: 12, MaxPasswordLength: 256},
	})
	if err != nil {
		panic(err)
	}
	stored, err := h.Hash("correct horse battery staple")
	if err != nil {
		panic(err)
	}
	fmt.Println(stored[:7], h.NeedsRehash(stored))
	_, err = h.Hash(strings.Repeat("x", 73))
	fmt.Println(err)
	_, err = hash.New(hash.Config{Argon2: hash.Argon2Params{Memory: 19}})
	fmt.Println(err)
	// Output:
	// $2a$10$ false
	// hash: password too long: bcrypt uses at most 72 bytes
	// hash: invalid config: Argon2 m=19 KiB, t=2 is below the OWASP floor (set InsecureAllowWeakParameters to allow it)
}
