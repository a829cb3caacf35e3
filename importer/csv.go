package importer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

type csvReader struct {
	w   *window
	cr  *csv.Reader
	col struct{ username, email, hash int }
	err error
}

func newCSVReader(r io.Reader, _ Options) *csvReader {
	w := newWindow(r, MaxLineLen, "CSV record")
	cr := csv.NewReader(w)
	cr.ReuseRecord = true
	c := &csvReader{w: w, cr: cr}
	c.col.username, c.col.email, c.col.hash = -1, -1, -1
	return c
}

func (c *csvReader) Next() (*User, error) {
	if c.err != nil {
		return nil, c.err
	}
	if c.col.username < 0 {
		if err := c.header(); err != nil {
			c.err = err
			return nil, err
		}
	}
	c.w.setMark(c.cr.InputOffset())
	rec, err := c.cr.Read()
	var pe *csv.ParseError
	switch {
	case errors.As(err, &pe) && !errors.Is(err, ErrTooLarge):
		// The reader has consumed the bad record and goes on after it.
		return nil, &SkippedLine{Line: pe.StartLine, Reason: "malformed CSV: " + pe.Err.Error()}
	case errors.Is(err, io.EOF):
		c.err = io.EOF
		return nil, c.err
	case err != nil:
		if !errors.Is(err, ErrTooLarge) {
			err = fmt.Errorf("importer: reading CSV: %w", err)
		}
		c.err = err
		return nil, err
	}
	line, _ := c.cr.FieldPos(0)
	username := rec[c.col.username]
	email := ""
	if c.col.email >= 0 {
		email = rec[c.col.email]
	}
	return plainUser(line, username, email, rec[c.col.hash])
}

// header reads the first record, which names the columns.
func (c *csvReader) header() error {
	rec, err := c.cr.Read()
	if errors.Is(err, io.EOF) {
		return io.EOF
	}
	if err != nil {
		if !errors.Is(err, ErrTooLarge) {
			err = fmt.Errorf("importer: reading the CSV header: %w", err)
		}
		return err
	}
	c.cr.FieldsPerRecord = len(rec)
	c.col.username = -1
	for i, name := range rec {
		if i == 0 {
			name = strings.TrimPrefix(name, "\uFEFF") // a spreadsheet's byte-order mark
		}
		var col *int
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "username":
			col = &c.col.username
		case "email":
			col = &c.col.email
		case "password_hash":
			col = &c.col.hash
		default:
			return fmt.Errorf("importer: CSV header: unknown column %q (want username, email, password_hash)", clip([]string{name})[0])
		}
		if *col >= 0 {
			return fmt.Errorf("importer: CSV header: column %q given twice", name)
		}
		*col = i
	}
	if c.col.username < 0 || c.col.hash < 0 {
		c.col.username = -1
		return errors.New("importer: CSV header: want the columns username and password_hash (and optionally email)")
	}
	return nil
}

// plainUser checks the fields of a CSV record or JSON line.
func plainUser(line int, username, email, h string) (*User, error) {
	skip := func(name, reason string) (*User, error) {
		return nil, &SkippedLine{Line: line, Username: name, Reason: reason}
	}
	if !text(username) || !text(email) {
		return skip("", reasonNotText)
	}
	if username == "" {
		return skip("", reasonNoUsername)
	}
	encoded, note, reason := checkHash(h)
	if reason != "" {
		return skip(username, reason)
	}
	u := &User{Line: line, Username: username, Email: email, PasswordHash: encoded}
	if note != "" {
		u.Notes = append(u.Notes, note)
	}
	return u, nil
}

type jsonlReader struct {
	sc   *bufio.Scanner
	line int
	err  error
}

func newJSONLReader(r io.Reader, _ Options) *jsonlReader {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 512), MaxLineLen+1)
	return &jsonlReader{sc: sc}
}

// jsonlUser is one line of a JSON lines file.
type jsonlUser struct {
	Username     string `json:"username"`
	Email        string `json:"email"`
	PasswordHash string `json:"password_hash"`
}

func (j *jsonlReader) Next() (*User, error) {
	if j.err != nil {
		return nil, j.err
	}
	for j.sc.Scan() {
		j.line++
		b := bytes.TrimSpace(j.sc.Bytes())
		if len(b) == 0 {
			continue
		}
		skip := func(reason string) (*User, error) {
			return nil, &SkippedLine{Line: j.line, Reason: reason}
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		var ju jsonlUser
		if err := dec.Decode(&ju); err != nil {
			return skip("invalid JSON object: " + jsonReason(err))
		}
		if dec.More() || dec.InputOffset() != int64(len(b)) {
			return skip("invalid JSON object: data after the object")
		}
		return plainUser(j.line, ju.Username, ju.Email, ju.PasswordHash)
	}
	j.err = io.EOF
	if err := j.sc.Err(); errors.Is(err, bufio.ErrTooLong) {
		j.err = fmt.Errorf("%w: line %d is longer than %d bytes", ErrTooLarge, j.line+1, MaxLineLen)
	} else if err != nil {
		j.err = fmt.Errorf("importer: reading line %d: %w", j.line+1, err)
	}
	return nil, j.err
}

// jsonReason describes a decoding error without quoting the input (which
// may hold a hash).
func jsonReason(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("syntax error at byte %d", se.Offset)
	case errors.As(err, &te) && te.Field != "":
		return fmt.Sprintf("%q has the wrong type", te.Field)
	case errors.As(err, &te):
		return "not an object"
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "unknown field " + clip([]string{strings.TrimPrefix(err.Error(), "json: unknown field ")})[0]
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "truncated"
	}
	return "undecodable"
}
