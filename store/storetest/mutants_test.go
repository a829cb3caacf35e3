package storetest_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"regexp"
	"slices"
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

	"update ignores version":         {func(s store.Store) store.Store { return updateIgnoresVersion{s} }, "Users/Version/StaleRefusedChangesNothing"},
	"sign-in bumps version":          {func(s store.Store) store.Store { return signInBumpsVersion{s} }, "Users/Version/SetLastLoginIsNoWrite"},
	"update writes last login":       {func(s store.Store) store.Store { return updateWritesLastLogin{s} }, "Users/Version/UpdateKeepsLastLoginAndCreated"},
	"split identifier namespaces":    {func(s store.Store) store.Store { return splitNamespaces{s} }, "Users/Identifiers/Create"},
	"request drops generation":       {func(s store.Store) store.Store { return requestDropsGeneration{s} }, "Requests/Generation"},
	"restore forgets the store":      {func(s store.Store) store.Store { return restoreForgets{s} }, "Backup/RestoreNeverRollsBack/StoreAhead"},
	"restore forgets the TOTP step":  {func(s store.Store) store.Store { return restoreForgets{s} }, "Backup/RestoreNeverRollsBack/TOTPStoreAhead"},
	"restore step of another secret": {func(s store.Store) store.Store { return restoreAnySecret{s} }, "Backup/RestoreNeverRollsBack/TOTPOtherSecret"},
	"version checked apart":          {func(s store.Store) store.Store { return racyUpdate{s} }, "Concurrent/AdminChangeNeverLost"},
	"identifiers checked apart":      {func(s store.Store) store.Store { return racyIdentifiers{splitNamespaces{s}} }, "Concurrent/OneIdentifierOneAccount"},

	"rotation checked apart":       {func(s store.Store) store.Store { return racyRotate{s} }, "Concurrent/RotateRefreshToken"},
	"grace without a window":       {func(s store.Store) store.Store { return graceForever{s} }, "Sessions/Grace"},
	"reuse keeps the session":      {func(s store.Store) store.Store { return reuseIsGrace{s} }, "Sessions/Grace"},
	"live at the idle end":         {func(s store.Store) store.Store { return liveAtEnd{s} }, "Sessions/Expiry"},
	"session cap checked apart":    {func(s store.Store) store.Store { return racySessionCap{s} }, "Concurrent/SessionCap"},
	"session cap apart, in pairs":  {func(s store.Store) store.Store { return racySessionCap{s} }, "Concurrent/SessionCapPairs"},
	"session cap ends the newest":  {func(s store.Store) store.Store { return capEndsNewest{s} }, "Sessions/Cap"},
	"restore brings sessions back": {func(s store.Store) store.Store { return restoreSessions{s} }, "Backup/RestoreThenDumpIsIdentical"},
	"sessions newest first":        {func(s store.Store) store.Store { return sessionsNewestFirst{s} }, "Sessions/CreateAndLookUp"},

	"passkey use checked apart":      {func(s store.Store) store.Store { return racyPasskeyUse{s} }, "Concurrent/RecordPasskeyUse"},
	"passkey cap checked apart":      {func(s store.Store) store.Store { return racyPasskeyCap{s} }, "Concurrent/PasskeyCap"},
	"any user's passkey":             {func(s store.Store) store.Store { return anyUsersPasskey{s} }, "Passkeys/CreateAndLookUp"},
	"rename any user's passkey":      {func(s store.Store) store.Store { return renameAnyPasskey{s} }, "Passkeys/Rename"},
	"handle set again":               {func(s store.Store) store.Store { return handleReplaced{s} }, "Passkeys/Handles"},
	"restore forgets the sign count": {func(s store.Store) store.Store { return restoreForgets{s} }, "Backup/RestoreNeverRollsBack/SignCountStoreAhead"},
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

// updateIgnoresVersion writes whatever version the caller read: the last
// writer wins.
type updateIgnoresVersion struct{ store.Store }

func (s updateIgnoresVersion) UpdateUser(ctx context.Context, u *store.User) error {
	if cur, err := s.User(ctx, u.ID); err == nil {
		u.Version = cur.Version
	}
	return s.Store.UpdateUser(ctx, u)
}

// signInBumpsVersion counts a sign-in as a write to the record.
type signInBumpsVersion struct{ store.Store }

func (s signInBumpsVersion) SetLastLogin(ctx context.Context, id string, at time.Time) error {
	if err := s.Store.SetLastLogin(ctx, id, at); err != nil {
		return err
	}
	u, err := s.User(ctx, id)
	if err != nil {
		return err
	}
	return s.Store.UpdateUser(ctx, u)
}

// updateWritesLastLogin writes the record's LastLoginAt too.
type updateWritesLastLogin struct{ store.Store }

func (s updateWritesLastLogin) UpdateUser(ctx context.Context, u *store.User) error {
	if err := s.Store.UpdateUser(ctx, u); err != nil {
		return err
	}
	return s.SetLastLogin(ctx, u.ID, u.LastLoginAt)
}

// splitNamespaces keeps usernames and emails apart (a username may be
// another user's email) by storing every username with a prefix no email
// has.
type splitNamespaces struct{ store.Store }

const usernamePrefix = "u:"

func splitIn(u *store.User) *store.User {
	c := *u
	c.Username = usernamePrefix + c.Username
	return &c
}

func splitOut(u *store.User, err error) (*store.User, error) {
	if err == nil {
		u.Username = strings.TrimPrefix(u.Username, usernamePrefix)
	}
	return u, err
}

func (s splitNamespaces) CreateUser(ctx context.Context, u *store.User) error {
	c := splitIn(u)
	err := s.Store.CreateUser(ctx, c)
	u.Version = c.Version
	return err
}

func (s splitNamespaces) UpdateUser(ctx context.Context, u *store.User) error {
	c := splitIn(u)
	err := s.Store.UpdateUser(ctx, c)
	u.Version = c.Version
	return err
}

func (s splitNamespaces) User(ctx context.Context, id string) (*store.User, error) {
	return splitOut(s.Store.User(ctx, id))
}

func (s splitNamespaces) UserByUsername(ctx context.Context, username string) (*store.User, error) {
	return splitOut(s.Store.UserByUsername(ctx, usernamePrefix+username))
}

func (s splitNamespaces) UserByEmail(ctx context.Context, email string) (*store.User, error) {
	return splitOut(s.Store.UserByEmail(ctx, email))
}

func (s splitNamespaces) Dump(ctx context.Context) (*store.Dump, error) {
	d, err := s.Store.Dump(ctx)
	if err == nil {
		for i := range d.Users {
			splitOut(&d.Users[i], nil)
		}
	}
	return d, err
}

func (s splitNamespaces) Restore(ctx context.Context, d *store.Dump) error {
	if d == nil {
		return s.Store.Restore(ctx, d)
	}
	c := *d
	c.Users = nil
	for i := range d.Users {
		c.Users = append(c.Users, *splitIn(&d.Users[i]))
	}
	return s.Store.Restore(ctx, &c)
}

// racyIdentifiers checks that no other user has the new username as its
// email or the new email as its username by looking them up, then writes
// in a separate step: two writers can both pass the check.
type racyIdentifiers struct{ splitNamespaces }

func (s racyIdentifiers) crossCheck(ctx context.Context, u *store.User) error {
	if o, err := s.UserByEmail(ctx, u.Username); err == nil && o.ID != u.ID {
		return store.ErrUsernameTaken
	}
	if o, err := s.UserByUsername(ctx, u.Email); u.Email != "" && err == nil && o.ID != u.ID {
		return store.ErrEmailTaken
	}
	time.Sleep(time.Millisecond)
	return nil
}

func (s racyIdentifiers) CreateUser(ctx context.Context, u *store.User) error {
	if err := s.crossCheck(ctx, u); err != nil {
		return err
	}
	return s.splitNamespaces.CreateUser(ctx, u)
}

func (s racyIdentifiers) UpdateUser(ctx context.Context, u *store.User) error {
	if err := s.crossCheck(ctx, u); err != nil {
		return err
	}
	return s.splitNamespaces.UpdateUser(ctx, u)
}

// requestDropsGeneration stores every request under generation 0.
type requestDropsGeneration struct{ store.Store }

func (s requestDropsGeneration) CreateRequest(ctx context.Context, r *store.Request) error {
	c := *r
	c.Generation = 0
	return s.Store.CreateRequest(ctx, &c)
}

// restoreForgets empties the store before restoring, so nothing of what
// it held (generations, versions, TOTP steps) is taken into account.
type restoreForgets struct{ store.Store }

func (s restoreForgets) Restore(ctx context.Context, d *store.Dump) error {
	if d != nil {
		if err := s.Store.Restore(ctx, &store.Dump{}); err != nil {
			return err
		}
	}
	return s.Store.Restore(ctx, d)
}

// restoreAnySecret keeps the store's greater TOTP step for the user
// whatever the secret.
type restoreAnySecret struct{ store.Store }

func (s restoreAnySecret) Restore(ctx context.Context, d *store.Dump) error {
	if d == nil {
		return s.Store.Restore(ctx, d)
	}
	c := *d
	c.TOTP = append([]store.TOTPCredential(nil), d.TOTP...)
	for i := range c.TOTP {
		if cur, err := s.ActiveTOTP(ctx, c.TOTP[i].UserID); err == nil {
			c.TOTP[i].LastStep = max(c.TOTP[i].LastStep, cur.LastStep)
		}
	}
	return s.Store.Restore(ctx, &c)
}

// racyUpdate compares the version, then writes in a separate step at
// whatever version is stored by then: a concurrent write in between is
// overwritten.
type racyUpdate struct{ store.Store }

func (s racyUpdate) UpdateUser(ctx context.Context, u *store.User) error {
	cur, err := s.User(ctx, u.ID)
	if err != nil {
		return err
	}
	if cur.Version != u.Version {
		return store.ErrStale
	}
	time.Sleep(time.Millisecond)
	if cur, err = s.User(ctx, u.ID); err != nil {
		return err
	}
	u.Version = cur.Version
	return s.Store.UpdateUser(ctx, u)
}

// refreshToken finds the refresh token with this digest through a dump.
func refreshToken(ctx context.Context, s store.Store, digest string) (store.RefreshToken, bool) {
	d, err := s.Dump(ctx)
	if err != nil {
		return store.RefreshToken{}, false
	}
	for _, t := range d.RefreshTokens {
		if t.Digest == digest {
			return t, true
		}
	}
	return store.RefreshToken{}, false
}

// racyRotate checks that the token is live, then rotates in a separate
// step: a caller that passed the check believes it rotated, even when a
// concurrent rotation came first.
type racyRotate struct{ store.Store }

func (s racyRotate) RotateRefreshToken(ctx context.Context, presented, next string, now time.Time, grace time.Duration) (*store.Session, *store.User, store.Rotation, error) {
	t, ok := refreshToken(ctx, s.Store, presented)
	live := ok && t.SpentAt.IsZero()
	if live {
		time.Sleep(time.Millisecond)
	}
	sess, u, r, err := s.Store.RotateRefreshToken(ctx, presented, next, now, grace)
	if err == nil && live && r == store.RotationGrace {
		r = store.Rotated
	}
	return sess, u, r, err
}

// graceForever accepts the predecessor of the live token however long ago
// it was spent.
type graceForever struct{ store.Store }

func (s graceForever) RotateRefreshToken(ctx context.Context, presented, next string, now time.Time, _ time.Duration) (*store.Session, *store.User, store.Rotation, error) {
	return s.Store.RotateRefreshToken(ctx, presented, next, now, 1<<62)
}

// reuseIsGrace answers every spent token with RotationGrace, ending
// nothing.
type reuseIsGrace struct{ store.Store }

func (s reuseIsGrace) RotateRefreshToken(ctx context.Context, presented, next string, now time.Time, grace time.Duration) (*store.Session, *store.User, store.Rotation, error) {
	if t, ok := refreshToken(ctx, s.Store, presented); ok && !t.SpentAt.IsZero() {
		sess, u, err := s.SessionWithOwner(ctx, t.SessionID)
		if err == nil && sess.Live(now) {
			return sess, u, store.RotationGrace, nil
		}
	}
	return s.Store.RotateRefreshToken(ctx, presented, next, now, grace)
}

// liveAtEnd counts a session as live at the very instant it ends.
type liveAtEnd struct{ store.Store }

func (s liveAtEnd) RotateRefreshToken(ctx context.Context, presented, next string, now time.Time, grace time.Duration) (*store.Session, *store.User, store.Rotation, error) {
	return s.Store.RotateRefreshToken(ctx, presented, next, now.Add(-time.Microsecond), grace)
}

func (s liveAtEnd) DeleteExpiredSessions(ctx context.Context, now time.Time) error {
	return s.Store.DeleteExpiredSessions(ctx, now.Add(-time.Microsecond))
}

// racySessionCap ends the user's oldest sessions, then creates the new one
// in a separate step: concurrent creations can pass the cap.
type racySessionCap struct{ store.Store }

func (s racySessionCap) CreateSession(ctx context.Context, sess *store.Session, digest string, maxPerUser int) error {
	if maxPerUser > 0 {
		list, err := s.ListSessions(ctx, sess.UserID)
		if err != nil {
			return err
		}
		for i := 0; i <= len(list)-maxPerUser; i++ {
			_ = s.DeleteSession(ctx, sess.UserID, list[i].ID)
		}
		time.Sleep(time.Millisecond)
	}
	return s.Store.CreateSession(ctx, sess, digest, 0)
}

// capEndsNewest ends the newest sessions to make room.
type capEndsNewest struct{ store.Store }

func (s capEndsNewest) CreateSession(ctx context.Context, sess *store.Session, digest string, maxPerUser int) error {
	if maxPerUser > 0 {
		list, err := s.ListSessions(ctx, sess.UserID)
		if err != nil {
			return err
		}
		for i := 0; i <= len(list)-maxPerUser; i++ {
			_ = s.DeleteSession(ctx, sess.UserID, list[len(list)-1-i].ID)
		}
	}
	return s.Store.CreateSession(ctx, sess, digest, 0)
}

// restoreSessions restores the dump's sessions too, each with its live
// refresh token.
type restoreSessions struct{ store.Store }

func (s restoreSessions) Restore(ctx context.Context, d *store.Dump) error {
	if err := s.Store.Restore(ctx, d); err != nil {
		return err
	}
	for _, sess := range d.Sessions {
		for _, t := range d.RefreshTokens {
			if t.SessionID == sess.ID && t.SpentAt.IsZero() {
				sess.RefreshSeq = 1
				_ = s.CreateSession(ctx, &sess, t.Digest, 0)
			}
		}
	}
	return nil
}

// sessionsNewestFirst lists sessions in the wrong order.
type sessionsNewestFirst struct{ store.Store }

func (s sessionsNewestFirst) ListSessions(ctx context.Context, userID string) ([]store.Session, error) {
	list, err := s.Store.ListSessions(ctx, userID)
	slices.Reverse(list)
	return list, err
}

// racyPasskeyUse compares the signature count, then records the use in a
// separate step at whatever count is stored by then: two assertions
// verified against one count are both recorded.
type racyPasskeyUse struct{ store.Store }

func (s racyPasskeyUse) RecordPasskeyUse(ctx context.Context, id string, oldCount, newCount uint32, backup bool, at time.Time) error {
	d, err := s.Dump(ctx)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(d.Passkeys, func(c store.PasskeyCredential) bool { return c.ID == id })
	if i < 0 {
		return store.ErrNotFound
	}
	if d.Passkeys[i].SignCount != oldCount {
		return store.ErrConflict
	}
	time.Sleep(time.Millisecond)
	if d, err = s.Dump(ctx); err != nil {
		return err
	}
	if i = slices.IndexFunc(d.Passkeys, func(c store.PasskeyCredential) bool { return c.ID == id }); i < 0 {
		return store.ErrNotFound
	}
	return s.Store.RecordPasskeyUse(ctx, id, d.Passkeys[i].SignCount, newCount, backup, at)
}

// racyPasskeyCap counts passkeys, then creates one in a separate step.
type racyPasskeyCap struct{ store.Store }

func (s racyPasskeyCap) CreatePasskey(ctx context.Context, c *store.PasskeyCredential, maxPerUser int) error {
	list, err := s.ListPasskeys(ctx, c.UserID)
	if err != nil {
		return err
	}
	if maxPerUser > 0 && len(list) >= maxPerUser {
		return store.ErrLimitReached
	}
	time.Sleep(time.Millisecond)
	return s.Store.CreatePasskey(ctx, c, 0)
}

// anyUsersPasskey returns a passkey whoever owns it.
type anyUsersPasskey struct{ store.Store }

func (s anyUsersPasskey) Passkey(ctx context.Context, userID, id string) (*store.PasskeyCredential, error) {
	d, err := s.Dump(ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range d.Passkeys {
		if c.ID == id {
			return &c, nil
		}
	}
	return nil, store.ErrNotFound
}

// renameAnyPasskey renames a passkey whoever owns it.
type renameAnyPasskey struct{ store.Store }

func (s renameAnyPasskey) RenamePasskey(ctx context.Context, userID, id, name string) error {
	d, err := s.Dump(ctx)
	if err != nil {
		return err
	}
	for _, c := range d.Passkeys {
		if c.ID == id {
			userID = c.UserID
		}
	}
	return s.Store.RenamePasskey(ctx, userID, id, name)
}

// handleReplaced lets a user's handle be set again, replacing the first.
type handleReplaced struct{ store.Store }

func (s handleReplaced) SetPasskeyHandle(ctx context.Context, userID string, handle []byte) error {
	err := s.Store.SetPasskeyHandle(ctx, userID, handle)
	if !errors.Is(err, store.ErrConflict) {
		return err
	}
	if _, herr := s.UserByPasskeyHandle(ctx, handle); herr == nil {
		return err // taken by someone: still refused
	}
	d, derr := s.Dump(ctx)
	if derr != nil {
		return derr
	}
	for i := range d.PasskeyHandles {
		if d.PasskeyHandles[i].UserID == userID {
			d.PasskeyHandles[i].Handle = handle
		}
	}
	return s.Store.Restore(ctx, d)
}
