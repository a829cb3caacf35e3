package importer

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
)

// The attributes of an LDIF entry that Latch keeps; all others are passed
// over as they are read, so an entry's size (a jpegPhoto, say) costs no
// memory.
type ldifAttr int

const (
	attrIgnored ldifAttr = iota
	attrComment
	attrDN
	attrUID
	attrMail
	attrPassword
	attrLocked     // pwdAccountLockedTime (OpenLDAP ppolicy)
	attrChangeType // a change record, not an entry
	attrPending    // a line whose attribute name is still being read
)

// maxAttrName bounds an attribute description (with its options) while
// its colon has not been seen.
const maxAttrName = 1024

var ldifAttrs = map[string]ldifAttr{
	"dn":                   attrDN,
	"uid":                  attrUID,
	"userid":               attrUID, // uid's long name (RFC 4519)
	"mail":                 attrMail,
	"rfc822mailbox":        attrMail,
	"userpassword":         attrPassword,
	"pwdaccountlockedtime": attrLocked,
	"changetype":           attrChangeType,
}

// ldifMaxValues bounds the values kept of one attribute of one entry.
const ldifMaxValues = 8

// ldifEntry is what has been read of the current entry.
type ldifEntry struct {
	line      int // of its first line
	dn        string
	uids      []string
	mails     []string
	passwords []string
	more      [attrPending]int // values beyond ldifMaxValues
	locked    bool
	problem   string // the first reason to skip it
}

func (e *ldifEntry) fail(reason string) {
	if e.problem == "" {
		e.problem = reason
	}
}

type ldifReader struct {
	br *bufio.Reader
	// the physical line being read continues past the buffer
	inLine bool
	line   int
	// the logical line (attribute value) being assembled
	attr    ldifAttr
	start   int    // its first line
	pending []byte // its start, until the attribute name is known
	name    string // its attribute description, for reasons
	b64     bool
	url     bool
	value   []byte
	tooLong bool
	entry   *ldifEntry
	records int // entries (and the version line) seen
	err     error
}

func newLDIFReader(r io.Reader, _ Options) *ldifReader {
	return &ldifReader{br: bufio.NewReaderSize(r, 64<<10)}
}

func (l *ldifReader) Next() (*User, error) {
	if l.err != nil {
		return nil, l.err
	}
	for {
		chunk, err := l.br.ReadSlice('\n')
		full := errors.Is(err, bufio.ErrBufferFull)
		if err != nil && !full && !errors.Is(err, io.EOF) {
			l.err = fmt.Errorf("importer: reading LDIF line %d: %w", l.line+1, err)
			return nil, l.err
		}
		var done *ldifEntry
		switch {
		case len(chunk) == 0:
		case l.inLine:
			l.appendValue(trimEOL(chunk, full))
		default:
			l.line++
			done = l.startLine(trimEOL(chunk, full))
		}
		l.inLine = full
		if done == nil && errors.Is(err, io.EOF) {
			done = l.endEntry()
			if done == nil {
				l.err = io.EOF
				return nil, io.EOF
			}
		}
		if done != nil {
			return l.convert(done)
		}
	}
}

func trimEOL(b []byte, partial bool) []byte {
	if partial {
		return b
	}
	b = bytes.TrimSuffix(b, []byte{'\n'})
	return bytes.TrimSuffix(b, []byte{'\r'})
}

// startLine handles the first chunk of a physical line; it returns the
// entry a blank line ends.
func (l *ldifReader) startLine(b []byte) *ldifEntry {
	switch {
	case len(b) == 0:
		return l.endEntry()
	case b[0] == ' ':
		l.appendValue(b[1:])
		return nil
	case b[0] == '#':
		l.endValue()
		l.attr = attrComment
		return nil
	}
	l.endValue()
	if l.entry == nil {
		l.entry = &ldifEntry{line: l.line}
		l.records++
	}
	l.attr, l.start = attrPending, l.line
	l.pending = append(l.pending[:0], b...)
	l.resolve()
	return nil
}

// resolve reads the attribute description of the logical line begun in
// pending, once its colon has arrived (folding may split the name).
func (l *ldifReader) resolve() {
	name, rest, ok := bytes.Cut(l.pending, []byte{':'})
	if !ok {
		if len(l.pending) > maxAttrName {
			l.entry.fail(fmt.Sprintf("line %d is not an attribute line", l.start))
			l.attr = attrIgnored
		}
		return
	}
	desc := strings.ToLower(string(name))
	typ, _, _ := strings.Cut(desc, ";") // options: userPassword;binary
	l.attr = ldifAttrs[typ]
	l.name = typ
	e := l.entry
	first := e.dn == "" && e.uids == nil && e.mails == nil && e.passwords == nil
	switch {
	case typ == "version" && l.records == 1 && first:
		// "version: 1" opens the file, on its own or right before the
		// first entry's dn.
		l.entry = nil
		l.attr = attrIgnored
		return
	case l.attr == attrDN && e.dn != "":
		e.fail("two dn lines in one entry (a blank line is missing)")
	case l.attr != attrDN && e.dn == "":
		e.fail("entry does not start with dn:")
	}
	l.b64, l.url = false, false
	if len(rest) > 0 && rest[0] == ':' {
		l.b64, rest = true, rest[1:]
	} else if len(rest) > 0 && rest[0] == '<' {
		l.url, rest = true, rest[1:]
	}
	l.value, l.tooLong = l.value[:0], false
	l.appendValue(bytes.TrimLeft(rest, " "))
}

// appendValue adds to the value being assembled, if it is one Latch keeps.
func (l *ldifReader) appendValue(b []byte) {
	if l.attr == attrPending {
		l.pending = append(l.pending, b...)
		l.resolve()
		return
	}
	if l.attr == attrIgnored || l.attr == attrComment || l.tooLong {
		return
	}
	// base64 takes 4 bytes for every 3
	if len(l.value)+len(b) > MaxLineLen*4/3+4 {
		l.tooLong = true
		l.value = l.value[:0]
		return
	}
	l.value = append(l.value, b...)
}

// endValue stores the value assembled so far in the entry.
func (l *ldifReader) endValue() {
	a := l.attr
	l.attr = attrIgnored
	if a == attrPending {
		l.entry.fail(fmt.Sprintf("line %d is not an attribute line", l.start))
		return
	}
	if a == attrIgnored || a == attrComment || l.entry == nil {
		return
	}
	e := l.entry
	if l.tooLong {
		e.fail(fmt.Sprintf("%s value longer than %d bytes", l.name, MaxLineLen))
		return
	}
	if l.url {
		e.fail(l.name + " given as a URL (:<), which is not supported")
		return
	}
	v := string(l.value)
	if l.b64 {
		raw, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			e.fail("invalid base64 in " + l.name)
			return
		}
		v = string(raw)
	}
	if len(v) > MaxLineLen {
		e.fail(fmt.Sprintf("%s value longer than %d bytes", l.name, MaxLineLen))
		return
	}
	var list *[]string
	switch a {
	case attrDN:
		if v == "" {
			v = "(root DSE)" // the empty DN
		}
		e.dn = v
		return
	case attrLocked:
		e.locked = true
		return
	case attrChangeType:
		e.fail("change records (changetype:) are not supported")
		return
	case attrUID:
		list = &e.uids
	case attrMail:
		list = &e.mails
	case attrPassword:
		list = &e.passwords
	}
	if len(*list) == ldifMaxValues {
		e.more[a]++
		return
	}
	*list = append(*list, v)
}

// endEntry finishes the current entry, if there is one.
func (l *ldifReader) endEntry() *ldifEntry {
	l.endValue()
	e := l.entry
	l.entry = nil
	return e
}

func (l *ldifReader) convert(e *ldifEntry) (*User, error) {
	name := ""
	if len(e.uids) > 0 && text(e.uids[0]) {
		name = e.uids[0]
	}
	skip := func(reason string) (*User, error) {
		return nil, &SkippedLine{Line: e.line, Username: name, Reason: reason}
	}
	switch {
	case e.problem != "":
		return skip(e.problem)
	case len(e.uids) == 0:
		return skip("no uid attribute (dn: " + clip([]string{e.dn})[0] + ")")
	case name == "":
		return skip(reasonNotText)
	case len(e.passwords) == 0:
		return skip("no userPassword attribute")
	}
	u := &User{Line: e.line, Username: name, Disabled: e.locked}
	if len(e.mails) > 0 {
		if !text(e.mails[0]) {
			return skip(reasonNotText)
		}
		u.Email = e.mails[0]
	}
	var insecure string
	for _, p := range e.passwords {
		encoded, note, reason := checkHash(ldapHash(p))
		if reason == "" && note == "" {
			u.PasswordHash = encoded
			break
		}
		if note != "" && insecure == "" {
			insecure = note
		}
	}
	if u.PasswordHash == "" {
		if insecure == "" {
			return skip(reasonUnsupported)
		}
		u.Notes = append(u.Notes, insecure)
	}
	if e.locked {
		u.Notes = append(u.Notes, "locked by the password policy (pwdAccountLockedTime): imported disabled")
	}
	if n := len(e.uids) - 1 + e.more[attrUID]; n > 0 {
		u.Notes = append(u.Notes, fmt.Sprintf("%d more uid value(s) not carried over", n))
	}
	if n := len(e.mails) - 1 + e.more[attrMail]; n > 0 {
		u.Notes = append(u.Notes, fmt.Sprintf("%d more mail address(es) not carried over", n))
	}
	return u, nil
}

// ldapHash turns a userPassword value into the hash it holds: "{CRYPT}"
// marks a crypt(3) string and OpenLDAP's argon2 module writes "{ARGON2}"
// before a PHC string; other schemes ({SSHA}, ...) are kept whole for the
// hash package to identify.
func ldapHash(v string) string {
	for _, scheme := range []string{"{CRYPT}", "{ARGON2}"} {
		if len(v) > len(scheme) && strings.EqualFold(v[:len(scheme)], scheme) {
			return v[len(scheme):]
		}
	}
	return v
}
