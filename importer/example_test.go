package importer_test

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/latchkit/latch/importer"
)

// A Reader streams a file of any size: one account at a time, with the
// entries it cannot import as *SkippedLine errors.
func ExampleNewReader() {
	file := strings.NewReader(`{"users": [
  {"username": "alice", "email": "alice@example.com", "status": 1,
   "password": "$1$RTKcCOGM$o9BODCbsVBKRg2vldO/G21",
   "virtual_folders": [{"name": "shared", "virtual_path": "/shared"}]},
  {"username": "bob", "status": 1, "public_keys": ["ssh-ed25519 AAAA... bob@laptop"]}
], "version": 16}`)
	r, err := importer.NewReader(file, importer.SFTPGo, importer.Options{})
	if err != nil {
		panic(err)
	}
	for {
		u, err := r.Next()
		var skip *importer.SkippedLine
		switch {
		case errors.As(err, &skip):
			fmt.Println(skip)
			continue
		case errors.Is(err, io.EOF):
			return
		case err != nil:
			panic(err)
		}
		fmt.Println(u.Line, u.Username, u.Email, u.PasswordHash[:3], u.Notes)
	}
	// Output:
	// 2 alice alice@example.com $1$ [1 virtual folder(s) not carried over]
	// line 5 ("bob") skipped: no password hash (public-key-only account)
}

// ReadAll collects a small file.
func ExampleReadAll() {
	file := strings.NewReader("username,email,password_hash\n" +
		"carol,carol@example.com,$apr1$ZaxhuLrB$1k63u9HUctjzupDvtVSKz/\n" +
		"dave,,hunter2\n")
	imp, err := importer.ReadAll(file, importer.CSV, importer.Options{})
	if err != nil {
		panic(err)
	}
	for _, u := range imp.Users {
		fmt.Println(u.Username, u.Email)
	}
	for _, s := range imp.Skipped {
		fmt.Println(s.Line, s.Username, s.Reason)
	}
	// Output:
	// carol carol@example.com
	// 3 dave unsupported password hash format
}
