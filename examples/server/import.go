package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/importer"
	"github.com/latchkit/latch/store/sqlstore"
)

const importUsage = `usage: server import -format FORMAT [-role ROLE] [-permissions P1,P2] [-db DSN] [-key-file FILE] FILE

Creates a user for each account of FILE ("-" for standard input), keeping its
password hash: each is re-hashed to argon2id at its first sign-in. FORMAT is
one of %s.

Accounts that cannot be imported are listed with their line and the reason,
accounts whose name or email is taken as conflicts, and what of an account
did not carry over as notes; a summary ends the output. The exit status is
non-zero only when the import cannot go on (the file or the database cannot
be read, or the import is interrupted); every user is created whole or not
at all.

`

// importBatch is the number of accounts handed to ImportUsers at once: the
// accounts held in memory, whatever the file's size.
const importBatch = 500

// runImport is the import subcommand.
func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("import", flag.ContinueOnError)
	fl.SetOutput(stderr)
	names := make([]string, 0, 8)
	for _, f := range importer.Formats() {
		names = append(names, string(f))
	}
	format := fl.String("format", "", "file format: "+strings.Join(names, ", "))
	role := fl.String("role", "", "role of the imported users (default: the service's default role)")
	perms := fl.String("permissions", "", "comma-separated permissions of the imported users")
	dsn := fl.String("db", "latch.db", "SQLite file or postgres:// DSN (LATCH_DB)")
	keyFile := fl.String("key-file", "latch.key", "sealing key file, created with mode 0600 if missing (LATCH_KEY_FILE)")
	fl.Usage = func() {
		fmt.Fprintf(stderr, importUsage, strings.Join(names, ", "))
		fl.PrintDefaults()
	}
	if err := parseFlags(fl, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fl.NArg() != 1 {
		fl.Usage()
		return errors.New("import: give exactly one file")
	}
	f, err := importer.ParseFormat(*format)
	if err != nil {
		fl.Usage()
		return err
	}
	var in io.Reader = os.Stdin
	if name := fl.Arg(0); name != "-" {
		file, err := os.Open(name)
		if err != nil {
			return err
		}
		defer file.Close()
		in = file
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The service's audit events (one per user created) stay out of the
	// way at this level; the command's own output is the import's record.
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	key, err := loadOrCreateKey(*keyFile, logger)
	if err != nil {
		return err
	}
	st, err := sqlstore.Open(ctx, importDSN(*dsn))
	if err != nil {
		return fmt.Errorf("opening store: %w", err)
	}
	defer st.Close()
	svc, err := auth.New(ctx, st, auth.Config{SealingKey: key, Logger: logger})
	if err != nil {
		return err
	}
	defer svc.Close() // before the store closes (deferred earlier)
	r, err := importer.NewReader(bufio.NewReaderSize(in, 64<<10), f, importer.Options{})
	if err != nil {
		return err
	}
	imp := &importRun{
		svc: svc, role: *role, perms: splitList(*perms),
		out: stdout, progress: stderr, every: 2 * time.Second,
	}
	return imp.run(ctx, r)
}

// importDSN turns off SQLite's memory map of the database file for the
// import, unless dsn sets it: the file grows with every user, and each
// read after a write would map it again (an mmap and a munmap per user,
// a fifth of the import's time in profiles).
func importDSN(dsn string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") || strings.Contains(dsn, "mmap_size") {
		return dsn
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + "_pragma=mmap_size(0)"
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// importRun streams accounts from a Reader into the service, a batch at a
// time, reporting as it goes.
type importRun struct {
	svc      *auth.Service
	role     string
	perms    []string
	out      io.Writer // the report: skipped lines, conflicts, notes, summary
	progress io.Writer // progress lines on long imports
	every    time.Duration

	start, last time.Time
	sum         importSummary
}

// importSummary counts what an import did.
type importSummary struct {
	Read, Imported, Skipped, Conflicts, Refused int
	Disabled, WithoutPassword                   int
}

func (s importSummary) String() string {
	return fmt.Sprintf("imported %d (%d disabled, %d without a usable password), skipped %d, conflicts %d, refused %d",
		s.Imported, s.Disabled, s.WithoutPassword, s.Skipped, s.Conflicts, s.Refused)
}

func (m *importRun) run(ctx context.Context, r importer.Reader) error {
	// The role and permissions are checked once, before anything is read.
	if _, err := m.svc.ImportUsers(ctx, auth.System(), nil, m.role, m.perms); err != nil {
		return err
	}
	m.start = time.Now()
	m.last = m.start
	err := m.stream(ctx, r)
	elapsed := time.Since(m.start)
	rate := 0
	if elapsed > 0 {
		rate = int(float64(m.sum.Imported) / elapsed.Seconds())
	}
	fmt.Fprintf(m.out, "%s in %.1fs (%d users/s)\n", m.sum, elapsed.Seconds(), rate)
	if errors.Is(err, context.Canceled) {
		return errors.New("import interrupted: the users listed as imported exist, the rest were not imported")
	}
	return err
}

func (m *importRun) stream(ctx context.Context, r importer.Reader) error {
	batch := make([]importer.User, 0, importBatch)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		u, err := r.Next()
		var skip *importer.SkippedLine
		switch {
		case errors.As(err, &skip):
			m.sum.Skipped++
			if skip.Username == "" {
				fmt.Fprintf(m.out, "line %d: skipped: %s\n", skip.Line, skip.Reason)
			} else {
				fmt.Fprintf(m.out, "line %d: skipped %q: %s\n", skip.Line, skip.Username, skip.Reason)
			}
			if m.sum.Skipped%importBatch == 0 {
				m.report() // a file of lines that are all skipped shows progress too
			}
			continue
		case errors.Is(err, io.EOF):
			return m.flush(ctx, batch)
		case err != nil:
			// What was read before the fatal error is whole: import it.
			if ferr := m.flush(ctx, batch); ferr != nil {
				return ferr
			}
			return err
		}
		m.sum.Read++
		batch = append(batch, *u)
		if len(batch) == importBatch {
			if err := m.flush(ctx, batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
}

// flush imports a batch and reports on each of its accounts.
func (m *importRun) flush(ctx context.Context, batch []importer.User) error {
	if len(batch) == 0 {
		return nil
	}
	rep, err := m.svc.ImportUsers(ctx, auth.System(), batch, m.role, m.perms)
	failed := make(map[int]string, len(rep.Failed))
	for _, f := range rep.Failed {
		failed[f.Index] = f.Code
	}
	// Created and Failed follow the batch's order; an error stops the
	// batch after the last of them.
	done := len(rep.Created) + len(rep.Failed)
	for i := range batch[:done] {
		u := &batch[i]
		if code, ok := failed[i]; ok {
			kind := "refused"
			if code == auth.ErrUsernameAlreadyUsed.Code() || code == auth.ErrEmailAlreadyUsed.Code() {
				kind = "conflict"
				m.sum.Conflicts++
			} else {
				m.sum.Refused++
			}
			fmt.Fprintf(m.out, "line %d: %s %q: %s\n", u.Line, kind, u.Username, code)
			continue
		}
		m.sum.Imported++
		if u.Disabled {
			m.sum.Disabled++
		}
		if u.PasswordHash == "" {
			m.sum.WithoutPassword++
		}
		for _, note := range u.Notes {
			fmt.Fprintf(m.out, "line %d: %q: %s\n", u.Line, u.Username, note)
		}
	}
	m.report()
	return err
}

// report prints a progress line if the last one is m.every old.
func (m *importRun) report() {
	if now := time.Now(); now.Sub(m.last) >= m.every {
		m.last = now
		rate := float64(m.sum.Imported) / now.Sub(m.start).Seconds()
		fmt.Fprintf(m.progress, "import: %d read, %s; %.0f users/s\n", m.sum.Read+m.sum.Skipped, m.sum, rate)
	}
}
