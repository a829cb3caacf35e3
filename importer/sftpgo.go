package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// sftpgoUser is the part of an SFTPGo user (sdk.User as dataprovider
// dumps it) that Latch reads or reports on.
type sftpgoUser struct {
	Username string `json:"username"`
	Email    string `json:"email"`
	Password string `json:"password"`
	// 1 enabled, 0 disabled.
	Status int `json:"status"`
	// Milliseconds since the epoch; 0 (or absent) means none.
	ExpirationDate int64               `json:"expiration_date"`
	PublicKeys     []string            `json:"public_keys"`
	Permissions    map[string][]string `json:"permissions"`
	VirtualFolders []struct {
		VirtualPath string `json:"virtual_path"`
	} `json:"virtual_folders"`
	Groups []struct {
		Name string `json:"name"`
	} `json:"groups"`
	Filters struct {
		AllowedIP             []string   `json:"allowed_ip"`
		DeniedIP              []string   `json:"denied_ip"`
		DeniedLoginMethods    []string   `json:"denied_login_methods"`
		DeniedProtocols       []string   `json:"denied_protocols"`
		FilePatterns          []struct{} `json:"file_patterns"`
		AccessTime            []struct{} `json:"access_time"`
		RequirePasswordChange bool       `json:"require_password_change"`
		TOTPConfig            struct {
			Enabled bool `json:"enabled"`
			Secret  struct {
				Status string `json:"status"`
			} `json:"secret"`
		} `json:"totp_config"`
		RecoveryCodes []struct{} `json:"recovery_codes"`
	} `json:"filters"`
}

// maxDepth bounds the nesting of the sections passed over (SFTPGo's own
// are about six deep), so their bookkeeping stays small.
const maxDepth = 64

type sftpgoState int

const (
	sftpgoStart sftpgoState = iota // before the top-level '{'
	sftpgoTop                      // between top-level members
	sftpgoUsers                    // inside "users": [
	sftpgoDone                     // after the top-level '}'
)

type sftpgoReader struct {
	w     *window
	dec   *json.Decoder
	now   time.Time
	state sftpgoState
	err   error
}

func newSFTPGoReader(r io.Reader, o Options) *sftpgoReader {
	w := newWindow(r, MaxObjectLen, "SFTPGo user object or value")
	dec := json.NewDecoder(w)
	return &sftpgoReader{w: w, dec: dec, now: o.now()}
}

func (s *sftpgoReader) Next() (*User, error) {
	if s.err != nil {
		return nil, s.err
	}
	u, err := s.next()
	var skip *SkippedLine
	if err != nil && !errors.As(err, &skip) {
		if !errors.Is(err, io.EOF) && !errors.Is(err, ErrTooLarge) {
			err = fmt.Errorf("importer: SFTPGo dump, by line %d: %w", s.w.line(), err)
		}
		s.err = err
	}
	return u, err
}

func (s *sftpgoReader) token() (json.Token, error) {
	start := s.dec.InputOffset()
	s.w.setMark(start)
	tok, err := s.dec.Token()
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	if err == nil {
		err = s.checkSize(start)
	}
	return tok, err
}

// checkSize refuses a value that took more than MaxObjectLen bytes from
// start: the window keeps the decoder's memory near that bound, this
// makes the bound exact.
func (s *sftpgoReader) checkSize(start int64) error {
	if s.dec.InputOffset()-start > MaxObjectLen {
		return fmt.Errorf("%w: %s longer than %d bytes", ErrTooLarge, s.w.what, MaxObjectLen)
	}
	return nil
}

func (s *sftpgoReader) next() (*User, error) {
	for {
		switch s.state {
		case sftpgoStart:
			tok, err := s.token()
			if err != nil {
				return nil, err
			}
			if tok != json.Delim('{') {
				return nil, errors.New("not an SFTPGo dump: want a JSON object")
			}
			s.state = sftpgoTop
		case sftpgoTop:
			tok, err := s.token()
			if err != nil {
				return nil, err
			}
			if tok == json.Delim('}') {
				s.state = sftpgoDone
				continue
			}
			if tok != "users" {
				if err := s.skipValue(); err != nil {
					return nil, err
				}
				continue
			}
			tok, err = s.token()
			if err != nil {
				return nil, err
			}
			switch tok {
			case json.Delim('['):
				s.state = sftpgoUsers
			case nil: // "users": null, as SFTPGo writes an empty list
			default:
				return nil, errors.New(`"users" is not a list`)
			}
		case sftpgoUsers:
			if !s.dec.More() {
				if _, err := s.token(); err != nil { // ']'
					return nil, err
				}
				s.state = sftpgoTop
				continue
			}
			return s.user()
		case sftpgoDone:
			s.w.setMark(s.dec.InputOffset())
			if _, err := s.dec.Token(); !errors.Is(err, io.EOF) {
				if err == nil {
					err = errors.New("data after the dump's closing brace")
				}
				return nil, err
			}
			return nil, io.EOF
		}
	}
}

// skipValue passes over one value, token by token, so that a large section
// (folders, event rules, ...) is never held whole.
func (s *sftpgoReader) skipValue() error {
	depth := 0
	for {
		if depth > maxDepth {
			return fmt.Errorf("values nested more than %d deep", maxDepth)
		}
		tok, err := s.token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

// startLine is the line where the next value starts: the newlines read
// so far, less those the decoder has not consumed, plus those in the
// separators before the value.
func (s *sftpgoReader) startLine() int {
	var c newlineCounter
	_, _ = io.Copy(&c, s.dec.Buffered())
	return s.w.line() - c.total + c.leading
}

// newlineCounter counts the newlines written to it, and those before the
// first byte that is not JSON whitespace or a comma.
type newlineCounter struct {
	total, leading int
	started        bool
}

func (c *newlineCounter) Write(p []byte) (int, error) {
	c.total += bytes.Count(p, []byte{'\n'})
	if !c.started {
		i := 0
		for ; i < len(p) && strings.IndexByte(" \t\r\n,", p[i]) >= 0; i++ {
			if p[i] == '\n' {
				c.leading++
			}
		}
		c.started = i < len(p)
	}
	return len(p), nil
}

func (s *sftpgoReader) user() (*User, error) {
	line := s.startLine()
	start := s.dec.InputOffset()
	s.w.setMark(start)
	var su sftpgoUser
	err := s.dec.Decode(&su)
	if err == nil {
		err = s.checkSize(start)
	}
	if err != nil {
		var te *json.UnmarshalTypeError
		if !errors.As(err, &te) {
			return nil, err
		}
		// The decoder has read the whole value: the next one is intact.
		reason := "invalid user: not a JSON object"
		if te.Field != "" {
			reason = fmt.Sprintf("invalid user: %q has the wrong type", te.Field)
		}
		name := su.Username
		if !text(name) {
			name = ""
		}
		return nil, &SkippedLine{Line: line, Username: name, Reason: reason}
	}
	return s.convert(line, &su)
}

func (s *sftpgoReader) convert(line int, su *sftpgoUser) (*User, error) {
	skip := func(name, reason string) (*User, error) {
		return nil, &SkippedLine{Line: line, Username: name, Reason: reason}
	}
	if su.Username == "" {
		return skip("", reasonNoUsername)
	}
	if !text(su.Username) || !text(su.Email) {
		return skip("", reasonNotText)
	}
	if su.Password == "" && len(su.PublicKeys) > 0 {
		return skip(su.Username, "no password hash (public-key-only account)")
	}
	encoded, note, reason := checkHash(su.Password)
	if reason != "" {
		return skip(su.Username, reason)
	}
	u := &User{Line: line, Username: su.Username, Email: su.Email, PasswordHash: encoded, Disabled: su.Status != 1}
	if note != "" {
		u.Notes = append(u.Notes, note)
	}
	for _, entry := range su.Filters.AllowedIP {
		p, ok := parseIPEntry(entry)
		if !ok {
			return skip(su.Username, "unparsable allowed IP")
		}
		u.AllowedIPs = append(u.AllowedIPs, p)
	}
	if su.ExpirationDate > 0 {
		at := time.UnixMilli(su.ExpirationDate).UTC()
		if !at.After(s.now) {
			u.Disabled = true
			u.Notes = append(u.Notes, "account expired on "+at.Format(time.DateOnly)+": imported disabled")
		} else {
			u.Notes = append(u.Notes, "account expiry on "+at.Format(time.DateOnly)+" not carried over (Latch accounts do not expire)")
		}
	}
	f := &su.Filters
	notes := []struct {
		lost bool
		what string
	}{
		{len(su.PublicKeys) > 0, fmt.Sprintf("%d SSH public key(s)", len(su.PublicKeys))},
		{len(f.DeniedIP) > 0, "denied IPs " + strings.Join(clip(f.DeniedIP), ",")},
		{len(f.DeniedLoginMethods) > 0, "denied login methods " + strings.Join(clip(f.DeniedLoginMethods), ",")},
		{len(f.DeniedProtocols) > 0, "denied protocols " + strings.Join(clip(f.DeniedProtocols), ",")},
		{len(f.FilePatterns) > 0, "file name patterns"},
		{len(f.AccessTime) > 0, "access time restrictions"},
		{f.TOTPConfig.Enabled, totpNote(f.TOTPConfig.Secret.Status)},
		{len(f.RecoveryCodes) > 0, "recovery codes"},
		{f.RequirePasswordChange, "the requirement to change the password"},
		{len(su.VirtualFolders) > 0, fmt.Sprintf("%d virtual folder(s)", len(su.VirtualFolders))},
		{perDirectory(su.Permissions), "per-directory permissions"},
		{len(su.Groups) > 0, fmt.Sprintf("membership of %d group(s)", len(su.Groups))},
	}
	for _, n := range notes {
		if n.lost {
			u.Notes = append(u.Notes, n.what+" not carried over")
		}
	}
	return u, nil
}

// clip keeps a note short: at most four list entries, each printable and
// at most 64 bytes.
func clip(l []string) []string {
	out := make([]string, 0, 5)
	for i, s := range l {
		if i == 4 {
			out = append(out, fmt.Sprintf("and %d more", len(l)-4))
			break
		}
		if !text(s) || len(s) > 64 {
			s = "(unprintable)"
		}
		out = append(out, s)
	}
	return out
}

func totpNote(status string) string {
	if status != "" && status != "Plain" {
		return "TOTP second factor (secret encrypted by SFTPGo's KMS, " + clip([]string{status})[0] + ")"
	}
	return "TOTP second factor"
}

// perDirectory reports whether permissions name a directory other than
// the root ("/"), whose permissions Latch does not express either but
// which every SFTPGo user has.
func perDirectory(p map[string][]string) bool {
	for dir := range p {
		if dir != "/" {
			return true
		}
	}
	return false
}
