package hash_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/latchkit/latch/hash"
)

// fuzzHasher has limits low enough that any hash the fuzzer can reach costs
// at most about a millisecond: bcrypt cost 4, 1000 PBKDF2 iterations or
// sha-crypt rounds, Argon2 with 64 KiB, two passes and two lanes, scrypt and
// yescrypt with 128 KiB, phpass 2^7, 64-byte passwords and 256-byte encoded
// hashes.
func fuzzHasher(f *testing.F) *hash.Hasher {
	h, err := hash.New(hash.Config{
		Argon2:                      hash.Argon2Params{Time: 1, Memory: 64, Lanes: 1, SaltLength: 8, KeyLength: 16},
		InsecureAllowWeakParameters: true,
		Limits: hash.Limits{
			MaxBcryptCost: 4, MaxPBKDF2Iterations: 1000, MaxSHACryptRounds: 1000,
			MaxArgon2Memory: 64, MaxArgon2Time: 2, MaxArgon2Lanes: 2,
			MaxScryptMemory: 128, MaxPhpassCost: 7,
			MaxEncodedLength: 256, MaxPasswordLength: 64,
		},
	})
	if err != nil {
		f.Fatal(err)
	}
	return h
}

func addSeeds(f *testing.F, withPassword bool) {
	for _, v := range loadVectors(f) {
		if withPassword {
			f.Add(v.Password, v.Encoded)
		} else {
			f.Add(v.Encoded)
		}
	}
	for _, c := range hostileCases() {
		if len(c.encoded) > 2048 {
			continue
		}
		if withPassword {
			f.Add("password", c.encoded)
		} else {
			f.Add(c.encoded)
		}
	}
}

// FuzzIdentify checks that Identify never panics, that every error is one of
// the sentinels with an empty Format, and that the parser is canonical: any
// string it accepts re-encodes to itself byte for byte.
func FuzzIdentify(f *testing.F) {
	h := fuzzHasher(f)
	addSeeds(f, false)
	f.Fuzz(func(t *testing.T, encoded string) { checkIdentify(t, h, encoded) })
}

// checkIdentify is FuzzIdentify's property, shared by the per-format
// targets below.
func checkIdentify(t *testing.T, h *hash.Hasher, encoded string) {
	format, err := h.Identify(encoded)
	if err != nil {
		if errors.Is(err, hash.ErrInsecureFormat) {
			if format == "" {
				t.Fatalf("Identify named no format for a broken one")
			}
		} else if format != "" {
			t.Fatalf("Identify returned %q with error %v", format, err)
		}
		if !errors.Is(err, hash.ErrUnknownFormat) && !errors.Is(err, hash.ErrMalformed) &&
			!errors.Is(err, hash.ErrLimit) && !errors.Is(err, hash.ErrInsecureFormat) {
			t.Fatalf("Identify error %v is not a sentinel", err)
		}
		if !h.NeedsRehash(encoded) {
			t.Fatalf("NeedsRehash false for a hash Identify refuses")
		}
	} else if format == "" {
		t.Fatalf("Identify returned no format and no error")
	}
	canon, derr := hash.Decode(encoded)
	if derr == nil && canon != encoded {
		t.Fatalf("not canonical: %q re-encodes to %q", encoded, canon)
	}
	if err == nil && derr != nil {
		t.Fatalf("Identify accepted what Decode refused: %v", derr)
	}
}

// fuzzFormat fuzzes one parser: the fuzzer writes what follows prefix, and
// the seeds are the vectors and hostile rows that start with it.
func fuzzFormat(f *testing.F, prefixes ...string) {
	h := fuzzHasher(f)
	seeds := map[string]bool{}
	for _, v := range loadVectors(f) {
		seeds[v.Encoded] = true
	}
	for _, c := range hostileCases() {
		seeds[c.encoded] = true
	}
	for s := range seeds {
		for i, p := range prefixes {
			if rest, ok := strings.CutPrefix(s, p); ok && len(s) <= 2048 {
				f.Add(i, rest)
			}
		}
	}
	f.Fuzz(func(t *testing.T, which int, rest string) {
		if which < 0 || which >= len(prefixes) {
			return
		}
		encoded := prefixes[which] + rest
		checkIdentify(t, h, encoded)
		if _, err := h.Verify("password", encoded); err == nil {
			if _, idErr := h.Identify(encoded); idErr != nil {
				t.Fatalf("Verify accepted what Identify refused (%v)", idErr)
			}
		}
	})
}

func FuzzYescrypt(f *testing.F)     { fuzzFormat(f, "$y$") }
func FuzzScrypt(f *testing.F)       { fuzzFormat(f, "$7$", "$scrypt$") }
func FuzzBcryptSHA256(f *testing.F) { fuzzFormat(f, "$bcrypt-sha256$", "bcrypt_sha256$", "bcrypt$") }
func FuzzPhpass(f *testing.F)       { fuzzFormat(f, "$P$", "$H$") }
func FuzzDjango(f *testing.F) {
	fuzzFormat(f, "pbkdf2_sha256$", "pbkdf2_sha1$", "argon2$", "sha1$", "md5$", "crypt$")
}
func FuzzLDAPScheme(f *testing.F) { fuzzFormat(f, "{") }
func FuzzSFTPGo(f *testing.F) {
	fuzzFormat(f, "$pbkdf2-sha1$", "$pbkdf2-sha256$", "$pbkdf2-b64salt-sha256$")
}
func FuzzBrokenCrypt(f *testing.F) { fuzzFormat(f, "", "_", "$3$") }
func FuzzWrapped(f *testing.F)     { fuzzFormat(f, "$latch-wrap$") }

// FuzzASPNet fuzzes the ASP.NET Identity decoder with the blob's bytes, so
// that the fuzzer reaches past the base64 layer.
func FuzzASPNet(f *testing.F) {
	h := fuzzHasher(f)
	for _, v := range loadVectors(f) {
		if strings.HasPrefix(v.Format, "aspnet") {
			b, err := base64.StdEncoding.DecodeString(v.Encoded)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, blob []byte) {
		checkIdentify(t, h, base64.StdEncoding.EncodeToString(blob))
	})
}

// FuzzVerify checks that Verify never panics, returns (false, sentinel) on
// every error, and agrees with Identify on which strings are usable. The
// fuzz Hasher's limits bound the time of every call.
func FuzzVerify(f *testing.F) {
	h := fuzzHasher(f)
	addSeeds(f, true)
	f.Fuzz(func(t *testing.T, password, encoded string) {
		ok, err := h.Verify(password, encoded)
		_, idErr := h.Identify(encoded)
		if err != nil {
			if ok {
				t.Fatalf("Verify returned true with error %v", err)
			}
			if !errors.Is(err, hash.ErrUnknownFormat) && !errors.Is(err, hash.ErrMalformed) &&
				!errors.Is(err, hash.ErrLimit) && !errors.Is(err, hash.ErrPasswordTooLong) &&
				!errors.Is(err, hash.ErrInsecureFormat) {
				t.Fatalf("Verify error %v is not a sentinel", err)
			}
			if idErr == nil && !errors.Is(err, hash.ErrPasswordTooLong) {
				t.Fatalf("Verify refused (%v) what Identify accepted", err)
			}
			return
		}
		if idErr != nil {
			t.Fatalf("Verify accepted what Identify refused (%v)", idErr)
		}
	})
}
