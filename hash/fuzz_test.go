package hash_test

import (
	"errors"
	"testing"

	"github.com/latchkit/latch/hash"
)

// fuzzHasher has limits low enough that any hash the fuzzer can reach costs
// at most about a millisecond: bcrypt cost 4, 1000 PBKDF2 iterations or
// sha-crypt rounds, Argon2 with 64 KiB, two passes and two lanes, 64-byte
// passwords and 256-byte encoded hashes.
func fuzzHasher(f *testing.F) *hash.Hasher {
	h, err := hash.New(hash.Config{
		Argon2:                      hash.Argon2Params{Time: 1, Memory: 64, Lanes: 1, SaltLength: 8, KeyLength: 16},
		InsecureAllowWeakParameters: true,
		Limits: hash.Limits{
			MaxBcryptCost: 4, MaxPBKDF2Iterations: 1000, MaxSHACryptRounds: 1000,
			MaxArgon2Memory: 64, MaxArgon2Time: 2, MaxArgon2Lanes: 2,
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
	f.Fuzz(func(t *testing.T, encoded string) {
		format, err := h.Identify(encoded)
		if err != nil {
			if format != "" {
				t.Fatalf("Identify returned %q with error %v", format, err)
			}
			if !errors.Is(err, hash.ErrUnknownFormat) && !errors.Is(err, hash.ErrMalformed) && !errors.Is(err, hash.ErrLimit) {
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
				!errors.Is(err, hash.ErrLimit) && !errors.Is(err, hash.ErrPasswordTooLong) {
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
