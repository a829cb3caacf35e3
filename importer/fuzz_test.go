package importer

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/latchkit/latch/hash"
)

// fuzzRead reads b in format f to the end and checks what every Reader
// promises on any input: no panic, at most one entry per byte (so it
// always ends), non-decreasing positive line numbers, users with a text
// username and either no hash or one hash.Identify accepts, and sticky
// fatal errors.
func fuzzRead(t *testing.T, b []byte, f Format) {
	r, err := NewReader(bytes.NewReader(b), f, Options{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	last := 0
	for i := 0; ; i++ {
		if i > len(b)+1 {
			t.Fatalf("%s: more entries than bytes", f)
		}
		u, err := r.Next()
		var skip *SkippedLine
		switch {
		case errors.As(err, &skip):
			if u != nil || skip.Reason == "" || skip.Line < last || skip.Line < 1 {
				t.Fatalf("%s: bad skip %+v after line %d", f, skip, last)
			}
			last = skip.Line
			continue
		case err != nil:
			if u != nil {
				t.Fatalf("%s: user with error %v", f, err)
			}
			if _, again := r.Next(); again != err {
				t.Fatalf("%s: error %v then %v", f, err, again)
			}
			return
		}
		if u == nil || u.Username == "" || !text(u.Username) || !text(u.Email) || u.Line < last || u.Line < 1 {
			t.Fatalf("%s: bad user %+v after line %d", f, u, last)
		}
		last = u.Line
		if u.PasswordHash == "" && len(u.Notes) == 0 {
			t.Fatalf("%s: user without a password and without a note", f)
		}
		if u.PasswordHash != "" {
			if _, err := hash.Identify(u.PasswordHash); err != nil && !errors.Is(err, hash.ErrLimit) {
				t.Fatalf("%s: unusable hash kept: %v", f, err)
			}
		}
	}
}

// addFixtures seeds f with the start of each fixture. Short seeds keep
// the fuzzing engine's minimization of new inputs quick (it is quadratic
// in their length), so that a few seconds of fuzzing mostly fuzz.
func addFixtures(f *testing.F, names ...string) {
	for _, name := range names {
		b := readFixture(f, name)
		f.Add(b[:min(len(b), 600)])
	}
}

const maxFuzzInput = 64 << 10

func FuzzColonFiles(f *testing.F) {
	addFixtures(f, "pureftpd.passwd", "ftpd.passwd", "htpasswd", "shadow")
	f.Add([]byte("sam:!$1$RTKcCOGM$o9BODCbsVBKRg2vldO/G21:19000:0:99999:7::20000:\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > maxFuzzInput {
			return
		}
		for _, format := range []Format{Htpasswd, Shadow, ProFTPD, PureFTPd} {
			fuzzRead(t, b, format)
		}
	})
}

func FuzzSFTPGo(f *testing.F) {
	addFixtures(f, "sftpgo-dump.json")
	for _, s := range []string{
		`{"users":[{"username":"u","password":"$1$RTKcCOGM$o9BODCbsVBKRg2vldO/G21","status":1,"expiration_date":1}]}`,
		`{"admins":[{"a":[[{}]]}],"users":null,"users":[1,{"username":"x","filters":{"allowed_ip":["::1"]}}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > maxFuzzInput {
			return
		}
		fuzzRead(t, b, SFTPGo)
	})
}

func FuzzLDIF(f *testing.F) {
	addFixtures(f, "slapcat.ldif")
	f.Add([]byte("version: 1\ndn: uid=u\nui\n d:: dQ==\nuserPassword: {CRYPT}$1$RTKcCOGM$o9BODCbsVBKRg2vldO/G21\n\n# c\n \n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > maxFuzzInput {
			return
		}
		fuzzRead(t, b, LDIF)
	})
}

func FuzzCSV(f *testing.F) {
	addFixtures(f, "users.csv")
	f.Add([]byte("password_hash,username\n\"$1$RTKcCOGM$o9BODCbsVBKRg2vldO/G21\",\"u\"\"\"\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > maxFuzzInput {
			return
		}
		fuzzRead(t, b, CSV)
	})
}

func FuzzJSONL(f *testing.F) {
	addFixtures(f, "users.jsonl")
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > maxFuzzInput {
			return
		}
		fuzzRead(t, b, JSONL)
	})
}

// TestReadersEndOnEOF checks that every Reader returns io.EOF again after
// the end.
func TestReadersEndOnEOF(t *testing.T) {
	t.Parallel()
	for _, f := range Formats() {
		t.Run(string(f), func(t *testing.T) {
			t.Parallel()
			in := ""
			if f == SFTPGo {
				in = "{}"
			}
			r, err := NewReader(bytes.NewReader([]byte(in)), f, Options{})
			if err != nil {
				t.Fatal(err)
			}
			for range 2 {
				if _, err := r.Next(); !errors.Is(err, io.EOF) {
					t.Fatalf("got %v", err)
				}
			}
		})
	}
}
