package storetest_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/store"
	"github.com/latchkit/latch/store/memstore"
	"github.com/latchkit/latch/store/storetest"
)

// A mutant is memstore with one deliberate contract bug, and the suite's
// subtest that must catch it.
type mutant struct {
	wrap    func(s store.Store) store.Store
	catchBy string // -test.run pattern below TestMutant
}

var mutants = map[string]mutant{
	// The control: memstore unchanged passes every subtest named below.
	"none":                      {func(s store.Store) store.Store { return s }, ""},
	"case-sensitive username":   {func(s store.Store) store.Store { return caseSensitive{s} }, "Users/CreateAndLookUp"},
	"empty email conflicts":     {func(s store.Store) store.Store { return emptyEmailConflicts{s} }, "Users/EmptyEmailNeverConflicts"},
	"swap without CAS":          {func(s store.Store) store.Store { return swapNoCAS{s} }, "Users/SwapPasswordHash"},
	"truncates usernames":       {func(s store.Store) store.Store { return truncates{s} }, "BadInput/Users"},
	"offset cursor":             {func(s store.Store) store.Store { return offsetCursor{s} }, "ListUsers/StableUnderChanges"},
	"ignores context":           {func(s store.Store) store.Store { return ignoresContext{s} }, "Context/Cancelled"},
	"attempts never delete":     {func(s store.Store) store.Store { return attemptsNoDelete{s} }, "Requests/FailAttempts"},
	"new window drops ban":      {func(s store.Store) store.Store { return hitDropsBan{s} }, "Counters/Bans"},
	"prefix as LIKE pattern":    {func(s store.Store) store.Store { return likePrefix{s} }, "Counters/List"},
	"restore keeps counters":    {func(s store.Store) store.Store { return restoreKeepsCounters{s} }, "Backup/RestoreThenDumpIsIdentical"},
	"unsorted dump":             {func(s store.Store) store.Store { return unsortedDump{s} }, "Backup/DumpContents"},
	"local times":               {func(s store.Store) store.Store { return localTimes{s} }, "Times/Users"},
	"panics when closed":        {func(s store.Store) store.Store { return &panicsClosed{Store: s} }, "Closed/Closed"},
	"read-modify-write consume": {func(s store.Store) store.Store { return racyConsume{s} }, "Concurrent/ConsumeRecoveryCode"},
	"cap checked apart":         {func(s store.Store) store.Store { return racyCap{s} }, "Concurrent/APITokenCap"},
	"step checked apart":        {func(s store.Store) store.Store { return racyAdvance{s} }, "Concurrent/AdvanceTOTPStep"},
	"zero window allowed":       {func(s store.Store) store.Store { return zeroWindow{s} }, "BadInput/NilAndNonPositive"},
}

const mutantEnv = "LATCH_STORETEST_MUTANT"

// TestSuiteCatchesMutants runs each mutant's subtest in a child process
// and requires it to fail there.
func TestSuiteCatchesMutants(t *testing.T) {
	if os.Getenv(mutantEnv) != "" {
		t.Skip("in a mutant child process")
	}
	exe, err := os.Executable()
	require.NoError(t, err)
	for name, m := range mutants {
		if name == "none" {
			continue
		}
		t.Run(strings.ReplaceAll(name, " ", "_"), func(t *testing.T) {
			t.Parallel()
			out, err := runMutant(t, exe, name, m.catchBy)
			require.Error(t, err, "the suite passed a backend whose bug is %q:\n%s", name, out)
			require.Contains(t, out, "--- FAIL: TestMutant/"+m.catchBy, "%s", out)
		})
		t.Run("control/"+strings.ReplaceAll(name, " ", "_"), func(t *testing.T) {
			t.Parallel()
			out, err := runMutant(t, exe, "none", m.catchBy)
			require.NoError(t, err, "the unchanged backend fails %s:\n%s", m.catchBy, out)
			require.Contains(t, out, "--- PASS: TestMutant/"+m.catchBy, "%s", out)
		})
	}
}

// runMutant runs the subtest catchBy of TestMutant on the named mutant in a
// child process.
func runMutant(t *testing.T, exe, name, catchBy string) (string, error) {
	pattern := "^TestMutant$/^" + strings.ReplaceAll(catchBy, "/", "$/^") + "$"
	cmd := exec.CommandContext(t.Context(), exe, "-test.run="+pattern, "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), mutantEnv+"="+name)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestMutant runs the suite on the mutant named in the environment.
func TestMutant(t *testing.T) {
	name := os.Getenv(mutantEnv)
	if name == "" {
		t.Skip("run by TestSuiteCatchesMutants")
	}
	m, ok := mutants[name]
	require.True(t, ok, "unknown mutant %q", name)
	storetest.Run(t, func(t *testing.T) store.Store { return m.wrap(memstore.New()) })
}

type caseSensitive struct{ store.Store }

func (s caseSensitive) UserByUsername(ctx context.Context, username string) (*store.User, error) {
	u, err := s.Store.UserByUsername(ctx, username)
	if err == nil && u.Username != username {
		return nil, store.ErrNotFound
	}
	return u, err
}

type emptyEmailConflicts struct{ store.Store }

func (s emptyEmailConflicts) CreateUser(ctx context.Context, u *store.User) error {
	if u.Email == "" {
		list, _, _ := s.ListUsers(ctx, 1000, "")
		for _, o := range list {
			if o.Email == "" {
				return store.ErrEmailTaken
			}
		}
	}
	return s.Store.CreateUser(ctx, u)
}

type swapNoCAS struct{ store.Store }

func (s swapNoCAS) SwapPasswordHash(ctx context.Context, id, _, newHash string, at time.Time) error {
	u, err := s.User(ctx, id)
	if err != nil {
		return err
	}
	return s.Store.SwapPasswordHash(ctx, id, u.PasswordHash, newHash, at)
}

type truncates struct{ store.Store }

func (s truncates) CreateUser(ctx context.Context, u *store.User) error {
	c := *u
	c.Username = c.Username[:min(len(c.Username), store.MaxUsernameLen)]
	return s.Store.CreateUser(ctx, &c)
}

// offsetCursor pages by position, which skips users when earlier ones are
// deleted.
type offsetCursor struct{ store.Store }

func (s offsetCursor) ListUsers(ctx context.Context, limit int, cursor string) ([]store.User, string, error) {
	if limit < 1 || limit > 1000 {
		return nil, "", store.ErrInvalid
	}
	off := 0
	if cursor != "" {
		var err error
		if off, err = strconv.Atoi(cursor); err != nil || off < 0 {
			return nil, "", store.ErrInvalid
		}
	}
	var all []store.User
	c := ""
	for {
		page, next, err := s.Store.ListUsers(ctx, 1000, c)
		if err != nil {
			return nil, "", err
		}
		all = append(all, page...)
		if next == "" {
			break
		}
		c = next
	}
	off = min(off, len(all))
	end := min(off+limit, len(all))
	next := ""
	if end < len(all) {
		next = strconv.Itoa(end)
	}
	return all[off:end], next, nil
}

type ignoresContext struct{ store.Store }

func (s ignoresContext) CreateUser(_ context.Context, u *store.User) error {
	return s.Store.CreateUser(context.Background(), u)
}

type attemptsNoDelete struct{ store.Store }

func (s attemptsNoDelete) FailRequestAttempt(ctx context.Context, id string, max int) (int, error) {
	return s.Store.FailRequestAttempt(ctx, id, max+1)
}

type hitDropsBan struct{ store.Store }

func (s hitDropsBan) Hit(ctx context.Context, key string, delta int64, window time.Duration, now time.Time) (store.Counter, error) {
	c, err := s.Store.Hit(ctx, key, delta, window, now)
	if err == nil && c.Count == delta && !c.BannedUntil.IsZero() {
		_ = s.DeleteCounter(ctx, key)
		return s.Store.Hit(ctx, key, delta, window, now)
	}
	return c, err
}

// likePrefix matches prefixes the way an unescaped, case-insensitive SQL
// LIKE does.
type likePrefix struct{ store.Store }

func (s likePrefix) ListCounters(ctx context.Context, prefix string, now time.Time) ([]store.Counter, error) {
	all, err := s.Store.ListCounters(ctx, "", now)
	if err != nil {
		return nil, err
	}
	pat := regexp.QuoteMeta(prefix)
	pat = strings.NewReplacer("_", ".", "%", ".*").Replace(pat)
	re := regexp.MustCompile("(?i)^" + pat)
	out := []store.Counter{}
	for _, c := range all {
		if re.MatchString(c.Key) {
			out = append(out, c)
		}
	}
	return out, nil
}

type restoreKeepsCounters struct{ store.Store }

func (s restoreKeepsCounters) Restore(ctx context.Context, d *store.Dump) error {
	live, err := s.ListCounters(ctx, "", time.Time{})
	if err != nil {
		return err
	}
	if err := s.Store.Restore(ctx, d); err != nil {
		return err
	}
	for _, c := range live {
		if !c.BannedUntil.IsZero() {
			_ = s.Ban(ctx, c.Key, c.BannedUntil)
		}
	}
	return nil
}

type unsortedDump struct{ store.Store }

func (s unsortedDump) Dump(ctx context.Context) (*store.Dump, error) {
	d, err := s.Store.Dump(ctx)
	if err == nil && len(d.Users) > 1 {
		d.Users[0], d.Users[1] = d.Users[1], d.Users[0]
	}
	return d, err
}

type localTimes struct{ store.Store }

func (s localTimes) User(ctx context.Context, id string) (*store.User, error) {
	u, err := s.Store.User(ctx, id)
	if err == nil {
		u.CreatedAt = u.CreatedAt.In(time.FixedZone("X", 3600))
	}
	return u, err
}

type panicsClosed struct {
	store.Store
	closed atomic.Bool
}

func (s *panicsClosed) Close() error { s.closed.Store(true); return s.Store.Close() }

func (s *panicsClosed) UserByEmail(ctx context.Context, email string) (*store.User, error) {
	if s.closed.Load() {
		panic("closed")
	}
	return s.Store.UserByEmail(ctx, email)
}

// racyConsume reads the codes and writes them back without the consumed
// one: two callers can both succeed.
type racyConsume struct{ store.Store }

func (s racyConsume) ConsumeRecoveryCode(ctx context.Context, userID, digest string) error {
	list, err := s.RecoveryCodeDigests(ctx, userID)
	if err != nil {
		return err
	}
	i := indexOf(list, digest)
	if i < 0 {
		return store.ErrNotFound
	}
	time.Sleep(time.Millisecond) // widen the window the race needs
	return s.ReplaceRecoveryCodes(ctx, userID, append(list[:i:i], list[i+1:]...))
}

// racyCap counts tokens, then creates one in a separate step.
type racyCap struct{ store.Store }

func (s racyCap) CreateAPIToken(ctx context.Context, t *store.APIToken, maxPerUser int) error {
	list, err := s.ListAPITokens(ctx, t.UserID)
	if err != nil {
		return err
	}
	if maxPerUser > 0 && len(list) >= maxPerUser {
		return store.ErrLimitReached
	}
	time.Sleep(time.Millisecond)
	return s.Store.CreateAPIToken(ctx, t, 0)
}

// racyAdvance checks the step, then writes it in a separate step that does
// not check again: two callers with the same step can both succeed.
type racyAdvance struct{ store.Store }

func (s racyAdvance) AdvanceTOTPStep(ctx context.Context, userID string, step int64) error {
	c, err := s.ActiveTOTP(ctx, userID)
	if err != nil {
		return err
	}
	if step <= c.LastStep {
		return store.ErrConflict
	}
	time.Sleep(time.Millisecond)
	if err := s.Store.AdvanceTOTPStep(ctx, userID, step); err != nil && !errors.Is(err, store.ErrConflict) {
		return err
	}
	return nil
}

// zeroWindow treats a window that is not positive as one microsecond.
type zeroWindow struct{ store.Store }

func (s zeroWindow) Hit(ctx context.Context, key string, delta int64, window time.Duration, now time.Time) (store.Counter, error) {
	return s.Store.Hit(ctx, key, delta, max(window, time.Microsecond), now)
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}
