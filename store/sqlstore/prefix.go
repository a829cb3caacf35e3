package sqlstore

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
)

// schemaVersionTable is the table recording applied migrations. It is
// created by migrate, not by a migration file, so the prefixer adds it to
// the names it finds in the files.
const schemaVersionTable = "latch_schema_version"

// A prefixer rewrites the SQL text of statements so that every object the
// migrations create (tables, indexes, triggers, views, and the
// schema-version table) carries a prefix: on SQLite all of them share one
// namespace per database with the host's own objects.
//
// The names come from the embedded migration files themselves (see
// objectNames), so a later migration's tables, indexes and triggers are
// prefixed without a list to keep up to date. A name is rewritten wherever
// it is a whole identifier (bare or quoted, any letter case) outside string
// literals and comments, trigger bodies included, except where it is
// called as a function: followed by "(" and not after one of the keywords
// that put a table name before a parenthesis (INTO, REFERENCES, ON, TABLE,
// EXISTS, VIEW). So a table named like an SQL function (changes) and a
// call of that function (changes()) can meet in one statement.
//
// A nil *prefixer rewrites nothing.
type prefixer struct {
	prefix string
	names  map[string]bool // lower case
	cache  sync.Map        // statement text -> rewritten text
	cached atomic.Int64
}

// Bounds of a prefixer's cache: statements are the package's own constant
// texts (a few hundred), so these only matter if that ever changes.
const (
	maxCachedStatements = 4096
	maxCachedLen        = 16 << 10
)

// prefixerFor returns a prefixer of prefix for d's migrations, or nil for
// an empty prefix. Each store has its own (the package keeps no global
// state).
func prefixerFor(d Dialect, prefix string) (*prefixer, error) {
	if prefix == "" {
		return nil, nil
	}
	names, err := d.objectNames()
	if err != nil {
		return nil, err
	}
	return newPrefixer(prefix, names)
}

// newPrefixer returns a prefixer adding prefix to names. It refuses a
// prefix that would turn one name into another.
func newPrefixer(prefix string, names []string) (*prefixer, error) {
	p := &prefixer{prefix: prefix, names: make(map[string]bool, len(names))}
	for _, n := range names {
		p.names[strings.ToLower(n)] = true
	}
	for n := range p.names {
		if p.names[strings.ToLower(prefix)+n] {
			return nil, fmt.Errorf("%w: table prefix %q turns %s into %s", ErrOptions, prefix, n, prefix+n)
		}
	}
	return p, nil
}

// rewrite returns q with the prefix added to every object name in it.
func (p *prefixer) rewrite(q string) string {
	if p == nil {
		return q
	}
	if r, ok := p.cache.Load(q); ok {
		return r.(string)
	}
	r := p.apply(q)
	if len(q) <= maxCachedLen && p.cached.Load() < maxCachedStatements {
		if _, loaded := p.cache.LoadOrStore(q, r); !loaded {
			p.cached.Add(1)
		}
	}
	return r
}

// tableBeforeParen holds the keywords after which a name followed by "("
// is a table (or view) name, not a function call.
var tableBeforeParen = map[string]bool{
	"into": true, "references": true, "on": true, "table": true, "exists": true, "view": true,
}

func (p *prefixer) apply(q string) string {
	toks := lex(q)
	var b strings.Builder
	last, changed := 0, false
	prev := "" // the previous significant token, lower case
	for i, t := range toks {
		if t.kind == tokSpace || t.kind == tokComment {
			continue
		}
		text := q[t.start:t.end]
		if t.kind == tokIdent || t.kind == tokQuoted {
			name := text
			if t.kind == tokQuoted {
				name = text[1 : len(text)-1]
			}
			if p.names[strings.ToLower(name)] && !(nextIs(q, toks[i+1:], "(") && !tableBeforeParen[prev]) {
				at := t.start
				if t.kind == tokQuoted {
					at++
				}
				if !changed {
					b.Grow(len(q) + 8*len(p.prefix))
					changed = true
				}
				b.WriteString(q[last:at])
				b.WriteString(p.prefix)
				last = at
			}
		}
		prev = strings.ToLower(text)
	}
	if !changed {
		return q
	}
	b.WriteString(q[last:])
	return b.String()
}

// nextIs reports whether the first significant token of toks is s.
func nextIs(q string, toks []lexeme, s string) bool {
	for _, t := range toks {
		if t.kind == tokSpace || t.kind == tokComment {
			continue
		}
		return q[t.start:t.end] == s
	}
	return false
}

// Token kinds of lex.
const (
	tokSpace   = iota
	tokComment // -- to end of line, /* to */
	tokString  // '...', with '' inside
	tokIdent   // bare identifier or keyword
	tokQuoted  // "..." or `...` identifier without an escaped quote inside
	tokOther   // a number, a parameter ($1, ?1, :name, @name), a quoted identifier with an escaped quote, punctuation
)

type lexeme struct {
	kind       int
	start, end int
}

func isIdentByte(c byte) bool {
	return c == '_' || c == '$' || c >= 0x80 || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// lex splits SQL text into tokens, enough to tell identifiers from string
// literals, comments and the rest. It never fails: an unterminated literal
// or comment runs to the end of q. Its time is linear in len(q).
func lex(q string) []lexeme {
	var toks []lexeme
	for i := 0; i < len(q); {
		start := i
		c := q[i]
		kind := tokOther
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			kind = tokSpace
			for i < len(q) && strings.IndexByte(" \t\n\r\f\v", q[i]) >= 0 {
				i++
			}
		case c == '-' && strings.HasPrefix(q[i:], "--"):
			kind = tokComment
			if j := strings.IndexByte(q[i:], '\n'); j >= 0 {
				i += j
			} else {
				i = len(q)
			}
		case c == '/' && strings.HasPrefix(q[i:], "/*"):
			kind = tokComment
			if j := strings.Index(q[i+2:], "*/"); j >= 0 {
				i += j + 4
			} else {
				i = len(q)
			}
		case c == '\'' || c == '"' || c == '`':
			kind = tokString
			if c != '\'' {
				kind = tokQuoted
			}
			var closed bool
			i, closed = quotedEnd(q, i)
			switch {
			case !closed:
				kind = tokOther
			case kind == tokQuoted && strings.IndexByte(q[start+1:i-1], c) >= 0:
				kind = tokOther // "a""b": never one of the plain names
			}
		case c == '[':
			kind = tokOther
			if j := strings.IndexByte(q[i:], ']'); j >= 0 {
				i += j + 1
				if j >= 1 {
					kind = tokQuoted
				}
			} else {
				i = len(q)
			}
		case c == '$' || c == '?' || c == ':' || c == '@':
			i++
			for i < len(q) && isIdentByte(q[i]) {
				i++
			}
		case '0' <= c && c <= '9' || c == '.' && i+1 < len(q) && '0' <= q[i+1] && q[i+1] <= '9':
			for i < len(q) && (isIdentByte(q[i]) || q[i] == '.') {
				i++
			}
		case isIdentByte(c):
			kind = tokIdent
			for i < len(q) && isIdentByte(q[i]) {
				i++
			}
		default:
			i++
		}
		toks = append(toks, lexeme{kind, start, i})
	}
	return toks
}

// quotedEnd returns the index just after the literal or quoted identifier
// opening at q[i], where a doubled quote stands for one, and whether it
// is closed (len(q) if not).
func quotedEnd(q string, i int) (int, bool) {
	c := q[i]
	for j := i + 1; j < len(q); j++ {
		if q[j] != c {
			continue
		}
		if j+1 < len(q) && q[j+1] == c {
			j++
			continue
		}
		return j + 1, true
	}
	return len(q), false
}

// objectNames returns the name of every table, index, trigger and view
// that d's migrations create (or rename a table to), and the
// schema-version table.
func (d Dialect) objectNames() ([]string, error) {
	ms, err := d.migrations()
	if err != nil {
		return nil, err
	}
	names := []string{schemaVersionTable}
	for _, m := range ms {
		names = append(names, createdNames(m.sql)...)
	}
	return names, nil
}

// createdNames returns the names that CREATE [TEMP|TEMPORARY] [UNIQUE]
// TABLE|INDEX|TRIGGER|VIEW [IF NOT EXISTS] name and ALTER TABLE ... RENAME
// TO name give objects in the SQL text q (a schema-qualified name gives
// its last part).
func createdNames(q string) []string {
	var words []string // significant tokens, lower case; quoted identifiers unquoted
	for _, t := range lex(q) {
		switch t.kind {
		case tokSpace, tokComment:
			continue
		case tokQuoted:
			words = append(words, strings.ToLower(q[t.start+1:t.end-1]))
		case tokIdent:
			words = append(words, strings.ToLower(q[t.start:t.end]))
		default:
			words = append(words, "\x00"+q[t.start:t.end]) // never a name or keyword
		}
	}
	var names []string
	name := func(i int) {
		if i+2 < len(words) && words[i+1] == "\x00." {
			i += 2
		}
		if i < len(words) && !strings.HasPrefix(words[i], "\x00") {
			names = append(names, words[i])
		}
	}
	for i := 0; i < len(words); i++ {
		switch words[i] {
		case "create":
			j := i + 1
			for j < len(words) && (words[j] == "temp" || words[j] == "temporary" || words[j] == "unique") {
				j++
			}
			if j >= len(words) {
				continue
			}
			switch words[j] {
			case "table", "index", "trigger", "view":
			default:
				continue
			}
			j++
			if j+2 < len(words) && words[j] == "if" && words[j+1] == "not" && words[j+2] == "exists" {
				j += 3
			}
			name(j)
		case "rename":
			if i+1 < len(words) && words[i+1] == "to" {
				name(i + 2)
			}
		}
	}
	return names
}
