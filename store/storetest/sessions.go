package storetest

import (
	"fmt"
	"strings"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/store"
)

// sessionTokens returns the refresh tokens of session id, by digest, as
// the store's dump holds them.
func sessionTokens(t tb, s store.Store, id string) []store.RefreshToken {
	t.Helper()
	var out []store.RefreshToken
	for _, r := range dump(t, s).RefreshTokens {
		if r.SessionID == id {
			out = append(out, r)
		}
	}
	return out
}

func sessionIDs(t tb, s store.Store, userID string) []string {
	t.Helper()
	list, err := s.ListSessions(t.Context(), userID)
	require.NoError(t, err, "ListSessions")
	ids := []string{}
	for _, sess := range list {
		ids = append(ids, sess.ID)
	}
	return ids
}

// mustRotate rotates presented to next and requires the outcome want.
func mustRotate(t tb, s store.Store, presented, next string, now time.Time, grace time.Duration, want store.Rotation) (*store.Session, *store.User) {
	t.Helper()
	sess, u, r, err := s.RotateRefreshToken(t.Context(), presented, next, now, grace)
	require.NoError(t, err, "RotateRefreshToken(%s)", presented)
	require.Equal(t, want, r, "RotateRefreshToken(%s)", presented)
	require.NotNil(t, sess)
	require.NotNil(t, u)
	return sess, u
}

// gone checks that session id and all its refresh tokens are deleted.
func gone(t tb, s store.Store, id string, msgAndArgs ...any) {
	t.Helper()
	_, err := s.Session(t.Context(), id)
	notFound(t, err, msgAndArgs...)
	assert.Empty(t, sessionTokens(t, s, id), msgAndArgs...)
}

func (x suite) sessions(t tb) {
	x.run(t, "CreateAndLookUp", func(t tb, s store.Store) {
		ctx := t.Context()
		mustUser(t, s, "u1")
		mustUser(t, s, "u2")
		// Created out of order: ListSessions is oldest first.
		s2 := session("s2", "u1")
		s2.CreatedAt = at(2 * time.Minute)
		s1 := session("s1", "u1")
		s1.CreatedAt, s1.LastUsedAt = at(time.Minute), at(90*time.Second)
		s3 := session("s3", "u1")
		s3.CreatedAt, s3.ClientIP, s3.Generation = at(3*time.Minute), "", 0
		for _, sess := range []*store.Session{s2, s3, s1} {
			require.NoError(t, s.CreateSession(ctx, sess, refresh(sess.ID, 1), 0))
		}
		other := mustSession(t, s, "o1", "u2")

		for _, want := range []*store.Session{s1, s2, s3, other} {
			got, err := s.Session(ctx, want.ID)
			require.NoError(t, err, "Session %s", want.ID)
			equalSession(t, want, got)
		}
		list, err := s.ListSessions(ctx, "u1")
		require.NoError(t, err)
		require.Len(t, list, 3)
		for i, want := range []*store.Session{s1, s2, s3} {
			equalSession(t, want, &list[i], "ListSessions[%d], oldest first", i)
		}
		assert.Equal(t, []string{"o1"}, sessionIDs(t, s, "u2"))
		assert.Empty(t, sessionIDs(t, s, "nobody"), "a missing user has no sessions")
		_, err = s.Session(ctx, "missing")
		notFound(t, err)

		// The first refresh token: Seq 1, created with the session, live.
		assert.Equal(t, []store.RefreshToken{{Digest: refresh("s1", 1), SessionID: "s1", Seq: 1, CreatedAt: s1.CreatedAt}},
			sessionTokens(t, s, "s1"))
	})

	x.run(t, "WithOwner", func(t tb, s store.Store) {
		ctx := t.Context()
		u1 := mustUser(t, s, "u1")
		u2 := user("u2")
		u2.Permissions, u2.Disabled, u2.Generation = []string{"read"}, true, 7
		require.NoError(t, s.CreateUser(ctx, u2))
		s1 := mustSession(t, s, "s1", "u1")
		s2 := session("s2", "u2")
		s2.Generation = 7
		require.NoError(t, s.CreateSession(ctx, s2, refresh("s2", 1), 0))
		for _, c := range []struct {
			sess  *store.Session
			owner *store.User
		}{{s1, u1}, {s2, u2}} {
			gotS, gotU, err := s.SessionWithOwner(ctx, c.sess.ID)
			require.NoError(t, err, "SessionWithOwner %s", c.sess.ID)
			equalSession(t, c.sess, gotS, "the session, as Session returns it")
			equalUser(t, c.owner, gotU, "its owner, as User returns it")
		}
		for _, id := range []string{"", "missing", "S1", "s1 "} {
			gotS, gotU, err := s.SessionWithOwner(ctx, id)
			notFound(t, err, "id %q", id)
			assert.Nil(t, gotS)
			assert.Nil(t, gotU)
		}
		require.NoError(t, s.DeleteSession(ctx, "u1", "s1"))
		_, _, err := s.SessionWithOwner(ctx, "s1")
		notFound(t, err, "deleted session")
		require.NoError(t, s.DeleteUser(ctx, "u2"))
		_, _, err = s.SessionWithOwner(ctx, "s2")
		notFound(t, err, "deleted owner")
	})

	x.run(t, "CountLive", func(t tb, s store.Store) {
		counter, ok := s.(store.SessionCounter)
		if !ok {
			return // optional
		}
		ctx := t.Context()
		mustUser(t, s, "u1")
		off := user("u2")
		off.Disabled = true
		require.NoError(t, s.CreateUser(ctx, off))
		moved := user("u3")
		moved.Generation = 4 // after the sessions' generation 3
		require.NoError(t, s.CreateUser(ctx, moved))
		mustUser(t, s, "u4")

		mustSession(t, s, "live1", "u1")
		mustSession(t, s, "live2", "u1")
		mustSession(t, s, "live3", "u4")
		mustSession(t, s, "disabled", "u2")
		mustSession(t, s, "old-generation", "u3")
		idle := session("idle", "u1")
		idle.IdleTimeout = 10 * time.Minute // ends at t0+10m
		require.NoError(t, s.CreateSession(ctx, idle, refresh("idle", 1), 0))
		short := session("short", "u4")
		short.ExpiresAt = at(20 * time.Minute)
		require.NoError(t, s.CreateSession(ctx, short, refresh("short", 1), 0))
		before := dump(t, s)

		tests := []struct {
			name string
			now  time.Time
			want int
		}{
			{"before any end", at(time.Minute), 5},
			{"an instant before the idle end", at(10*time.Minute - time.Microsecond), 5},
			{"at the idle end", at(10 * time.Minute), 4},
			{"at the absolute end", at(20 * time.Minute), 3},
			{"after every end", at(25 * time.Hour), 0},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t tb) {
				n, err := counter.CountLiveSessions(ctx, tc.now)
				require.NoError(t, err)
				assert.Equal(t, tc.want, n)
			})
		}
		assert.Equal(t, before, dump(t, s), "counting changes nothing")

		require.NoError(t, s.DeleteSession(ctx, "u1", "live1"))
		require.NoError(t, s.DeleteUser(ctx, "u4"))
		n, err := counter.CountLiveSessions(ctx, at(time.Minute))
		require.NoError(t, err)
		assert.Equal(t, 2, n, "deleted sessions and users' sessions are gone")
	})

	x.run(t, "CreateRefused", func(t tb, s store.Store) {
		ctx := t.Context()
		mustUser(t, s, "u1")
		mustUser(t, s, "u2")
		mustSession(t, s, "s1", "u1")
		mustRotate(t, s, refresh("s1", 1), refresh("s1", 2), at(time.Minute), 0, store.Rotated)
		before := dump(t, s)
		tests := []struct {
			name   string
			sess   *store.Session
			digest string
			want   error
		}{
			{"unknown user", session("s9", "nobody"), "fresh", store.ErrNotFound},
			{"same ID", session("s1", "u1"), "fresh", store.ErrConflict},
			{"same ID other user", session("s1", "u2"), "fresh", store.ErrConflict},
			{"same digest as a live token", session("s9", "u1"), refresh("s1", 2), store.ErrConflict},
			{"same digest as a spent token", session("s9", "u2"), refresh("s1", 1), store.ErrConflict},
		}
		for _, tc := range tests {
			for _, maxPerUser := range []int{0, 1} {
				// With a cap of 1 the existing session would be ended: a
				// refused creation ends nothing.
				t.Run(fmt.Sprintf("%s cap %d", tc.name, maxPerUser), func(t tb) {
					require.ErrorIs(t, s.CreateSession(ctx, tc.sess, tc.digest, maxPerUser), tc.want, "cap %d", maxPerUser)
					assert.Equal(t, before, dump(t, s), "cap %d: nothing changed", maxPerUser)
				})
			}
		}
	})

	x.run(t, "Cap", func(t tb, s store.Store) {
		ctx := t.Context()
		mustUser(t, s, "u1")
		mustUser(t, s, "u2")
		create := func(id, userID string, created time.Duration, maxPerUser int) {
			t.Helper()
			sess := session(id, userID)
			sess.CreatedAt = at(created)
			require.NoError(t, s.CreateSession(ctx, sess, refresh(id, 1), maxPerUser), "CreateSession %s", id)
		}
		create("c", "u1", 3*time.Minute, 3)
		create("a", "u1", time.Minute, 3)
		create("b", "u1", 2*time.Minute, 3)
		assert.Equal(t, []string{"a", "b", "c"}, sessionIDs(t, s, "u1"), "up to the cap")
		create("o", "u2", 0, 3)
		mustRotate(t, s, refresh("a", 1), refresh("a", 2), at(30*time.Minute), 0, store.Rotated)

		create("d", "u1", 4*time.Minute, 3)
		assert.Equal(t, []string{"b", "c", "d"}, sessionIDs(t, s, "u1"), "the oldest ended, whatever its last use")
		gone(t, s, "a", "the ended session's tokens go with it")
		assert.Equal(t, []string{"o"}, sessionIDs(t, s, "u2"), "the cap is per user")

		// A new session older than the others is kept: the cap ends the
		// oldest of the existing ones.
		create("early", "u1", 0, 3)
		assert.Equal(t, []string{"early", "c", "d"}, sessionIDs(t, s, "u1"))

		// A lower cap ends as many as it takes.
		create("e", "u1", 5*time.Minute, 2)
		assert.Equal(t, []string{"d", "e"}, sessionIDs(t, s, "u1"))
		create("f", "u1", 6*time.Minute, 1)
		assert.Equal(t, []string{"f"}, sessionIDs(t, s, "u1"))
		for _, id := range []string{"b", "c", "d", "e", "early"} {
			gone(t, s, id)
		}

		// Ties on CreatedAt are broken by ID: "g1" is older than "g2".
		create("g2", "u1", 7*time.Minute, 0)
		create("g1", "u1", 7*time.Minute, 0)
		create("h", "u1", 8*time.Minute, 2)
		assert.Equal(t, []string{"g2", "h"}, sessionIDs(t, s, "u1"))

		// No cap.
		create("i", "u1", 9*time.Minute, 0)
		create("j", "u1", 10*time.Minute, -1)
		assert.Equal(t, []string{"g2", "h", "i", "j"}, sessionIDs(t, s, "u1"), "cap 0 or less means no cap")

		// Sessions that are no longer live count, and are the first to go.
		dead := session("dead", "u2")
		dead.CreatedAt, dead.ExpiresAt = at(-48*time.Hour), at(-24*time.Hour)
		require.NoError(t, s.CreateSession(ctx, dead, refresh("dead", 1), 0))
		create("p", "u2", time.Hour, 2)
		assert.Equal(t, []string{"o", "p"}, sessionIDs(t, s, "u2"))
	})

	x.run(t, "Rotate", func(t tb, s store.Store) {
		ctx := t.Context()
		u := mustUser(t, s, "u1")
		want := mustSession(t, s, "s1", "u1")
		mustSession(t, s, "s2", "u1")
		var tokens []store.RefreshToken
		tokens = append(tokens, store.RefreshToken{Digest: refresh("s1", 1), SessionID: "s1", Seq: 1, CreatedAt: t0})
		// Each rotation is within the idle timeout of the one before, and
		// the last is past the idle timeout of the first: the idle window
		// slides with every use.
		for i, now := range []time.Time{at(50 * time.Minute), at(100 * time.Minute), at(150 * time.Minute)} {
			seq := int64(i + 1)
			got, gotU := mustRotate(t, s, refresh("s1", seq), refresh("s1", seq+1), now, time.Minute, store.Rotated)
			want.RefreshSeq, want.LastUsedAt = seq+1, now
			equalSession(t, want, got, "rotation %d: the session as it is after the step", seq)
			equalUser(t, u, gotU, "rotation %d: its user", seq)
			stored, err := s.Session(ctx, "s1")
			require.NoError(t, err)
			equalSession(t, want, stored, "rotation %d: as stored", seq)
			tokens[len(tokens)-1].SpentAt = now
			tokens = append(tokens, store.RefreshToken{Digest: refresh("s1", seq+1), SessionID: "s1", Seq: seq + 1, CreatedAt: now})
			assert.Equal(t, tokens, sessionTokens(t, s, "s1"), "rotation %d: every token kept, only the last live", seq)
		}
		assert.Equal(t, at(-time.Minute), want.AuthTime, "a refresh never moves AuthTime")
		assert.Equal(t, at(24*time.Hour), want.ExpiresAt, "nor ExpiresAt")
		s2, err := s.Session(ctx, "s2")
		require.NoError(t, err)
		equalSession(t, session("s2", "u1"), s2, "another session of the user is untouched")
	})

	x.run(t, "Grace", func(t tb, s store.Store) {
		ctx := t.Context()
		u := mustUser(t, s, "u1")
		const grace = 30 * time.Second
		t1 := at(10 * time.Minute)

		// Within the window, and at its very end: nothing changes.
		mustSession(t, s, "s1", "u1")
		rotated, _ := mustRotate(t, s, refresh("s1", 1), refresh("s1", 2), t1, grace, store.Rotated)
		before := dump(t, s)
		for _, now := range []time.Time{t1, t1.Add(10 * time.Second), t1.Add(grace), t1.Add(-time.Minute)} {
			got, gotU := mustRotate(t, s, refresh("s1", 1), "unused", now, grace, store.RotationGrace)
			equalSession(t, rotated, got, "at %v: the session as it is", now)
			equalUser(t, u, gotU)
			assert.Equal(t, before, dump(t, s), "at %v: nothing changed", now)
		}
		// Just past the window: reuse, the session and all its tokens end.
		got, gotU := mustRotate(t, s, refresh("s1", 1), "unused", t1.Add(grace+time.Microsecond), grace, store.RotationReused)
		equalSession(t, rotated, got, "the session as it was before the deletion")
		equalUser(t, u, gotU)
		gone(t, s, "s1", "reuse ends the session")
		_, _, _, err := s.RotateRefreshToken(ctx, refresh("s1", 2), "unused", t1.Add(time.Minute), grace)
		notFound(t, err, "the live token went with the session")

		// A token two rotations back is reuse, however recent.
		mustSession(t, s, "s2", "u1")
		mustRotate(t, s, refresh("s2", 1), refresh("s2", 2), t1, grace, store.Rotated)
		mustRotate(t, s, refresh("s2", 2), refresh("s2", 3), t1, grace, store.Rotated)
		mustRotate(t, s, refresh("s2", 1), "unused", t1, grace, store.RotationReused)
		gone(t, s, "s2", "reuse of an older token ends the session")

		// The grace period is the caller's: 0 allows only the same instant.
		mustSession(t, s, "s3", "u1")
		mustRotate(t, s, refresh("s3", 1), refresh("s3", 2), t1, 0, store.Rotated)
		mustRotate(t, s, refresh("s3", 1), "unused", t1, 0, store.RotationGrace)
		mustRotate(t, s, refresh("s3", 2), refresh("s3", 3), t1.Add(time.Second), 0, store.Rotated)
		got, _ = mustRotate(t, s, refresh("s3", 3), refresh("s3", 4), t1.Add(2*time.Second), grace, store.Rotated)
		assert.Equal(t, int64(4), got.RefreshSeq, "after a grace answer the live token still rotates")
		mustRotate(t, s, refresh("s3", 2), "unused", t1.Add(2*time.Second), time.Hour, store.RotationReused)
		gone(t, s, "s3")

		// Other sessions are untouched by all of this.
		mustSession(t, s, "s4", "u1")
		mustRotate(t, s, refresh("s4", 1), refresh("s4", 2), t1, grace, store.Rotated)
		assert.Equal(t, []string{"s4"}, sessionIDs(t, s, "u1"))
	})

	x.run(t, "Expiry", func(t tb, s store.Store) {
		ctx := t.Context()
		mustUser(t, s, "u1")
		// Idle: live until LastUsedAt+IdleTimeout, not at it.
		idle := mustSession(t, s, "idle", "u1")
		end := idle.LastUsedAt.Add(idle.IdleTimeout)
		assert.True(t, idle.Live(end.Add(-time.Nanosecond)))
		assert.False(t, idle.Live(end), "not live at the end of the idle timeout")
		_, _, _, err := s.RotateRefreshToken(ctx, refresh("idle", 1), refresh("idle", 2), end, time.Minute)
		notFound(t, err, "idled out exactly at LastUsedAt+IdleTimeout")
		gone(t, s, "idle", "an expired session found by a rotation is deleted")

		mustSession(t, s, "edge", "u1")
		got, _ := mustRotate(t, s, refresh("edge", 1), refresh("edge", 2), end.Add(-time.Microsecond), 0, store.Rotated)
		assert.True(t, got.Live(end), "the rotation moved the idle window")

		// Absolute: not live at ExpiresAt, whatever the last use.
		abs := session("abs", "u1")
		abs.ExpiresAt = at(2 * time.Hour)
		require.NoError(t, s.CreateSession(ctx, abs, refresh("abs", 1), 0))
		mustRotate(t, s, refresh("abs", 1), refresh("abs", 2), at(59*time.Minute), 0, store.Rotated)
		got, _ = mustRotate(t, s, refresh("abs", 2), refresh("abs", 3), at(118*time.Minute), 0, store.Rotated)
		assert.Equal(t, abs.ExpiresAt, got.ExpiresAt, "a refresh never moves ExpiresAt")
		_, _, _, err = s.RotateRefreshToken(ctx, refresh("abs", 3), refresh("abs", 4), abs.ExpiresAt, time.Minute)
		notFound(t, err, "expired exactly at ExpiresAt")
		gone(t, s, "abs")
		// A spent token of an expired session is not found either: the
		// session ends as expired, not as reused.
		old := mustSession(t, s, "old", "u1")
		mustRotate(t, s, refresh("old", 1), refresh("old", 2), t0, 0, store.Rotated)
		_, _, r, err := s.RotateRefreshToken(ctx, refresh("old", 1), "unused", old.ExpiresAt, time.Minute)
		notFound(t, err)
		assert.Zero(t, r)
		gone(t, s, "old")

		// DeleteExpiredSessions at the same edges, to the nanosecond.
		require.NoError(t, s.DeleteUser(ctx, "u1"))
		mustUser(t, s, "u1")
		a := mustSession(t, s, "a", "u1") // idles out at t0+1h
		b := session("b", "u1")           // expires at t0+30m
		b.ExpiresAt = at(30 * time.Minute)
		require.NoError(t, s.CreateSession(ctx, b, refresh("b", 1), 0))
		c := session("c", "u1") // live until t0+2h
		c.IdleTimeout = 2 * time.Hour
		require.NoError(t, s.CreateSession(ctx, c, refresh("c", 1), 0))
		steps := []struct {
			now  time.Time
			want []string
		}{
			{b.ExpiresAt.Add(-time.Nanosecond), []string{"a", "b", "c"}},
			{b.ExpiresAt, []string{"a", "c"}},
			{a.LastUsedAt.Add(a.IdleTimeout - time.Nanosecond), []string{"a", "c"}},
			{a.LastUsedAt.Add(a.IdleTimeout), []string{"c"}},
			{at(-time.Hour), []string{"c"}},
			{at(2 * time.Hour), nil},
		}
		for _, st := range steps {
			require.NoError(t, s.DeleteExpiredSessions(ctx, st.now))
			d := dump(t, s)
			var ids, tokenOwners []string
			for _, sess := range d.Sessions {
				ids = append(ids, sess.ID)
			}
			for _, r := range d.RefreshTokens {
				tokenOwners = append(tokenOwners, r.SessionID)
			}
			assert.Equal(t, st.want, ids, "DeleteExpiredSessions(%v)", st.now)
			assert.Equal(t, st.want, tokenOwners, "DeleteExpiredSessions(%v): tokens go with their session", st.now)
		}
	})

	x.run(t, "UnknownDigest", func(t tb, s store.Store) {
		ctx := t.Context()
		mustUser(t, s, "u1")
		mustSession(t, s, "s1", "u1")
		mustSession(t, s, "s2", "u1")
		mustRotate(t, s, refresh("s1", 1), refresh("s1", 2), at(time.Minute), 0, store.Rotated)
		before := dump(t, s)
		for _, d := range []string{"missing", "", strings.ToUpper(refresh("s1", 2)), refresh("s1", 2) + " ", "refresh-s1-%", "refresh-s1-_"} {
			sess, u, r, err := s.RotateRefreshToken(ctx, d, "next", at(2*time.Minute), time.Minute)
			notFound(t, err, "digest %q", d)
			assert.Nil(t, sess)
			assert.Nil(t, u)
			assert.Zero(t, r)
			assert.Equal(t, before, dump(t, s), "digest %q: nothing changed", d)
		}
		// A next digest that exists: refused, nothing changed.
		for _, next := range []string{refresh("s1", 1), refresh("s1", 2), refresh("s2", 1)} {
			_, _, _, err := s.RotateRefreshToken(ctx, refresh("s1", 2), next, at(2*time.Minute), time.Minute)
			require.ErrorIs(t, err, store.ErrConflict, "next %q", next)
			assert.Equal(t, before, dump(t, s), "next %q: nothing changed", next)
		}
		mustRotate(t, s, refresh("s1", 2), refresh("s1", 3), at(2*time.Minute), 0, store.Rotated)
	})

	x.run(t, "Delete", func(t tb, s store.Store) {
		ctx := t.Context()
		mustUser(t, s, "u1")
		mustUser(t, s, "u2")
		s1 := mustSession(t, s, "s1", "u1")
		mustSession(t, s, "s2", "u1")
		mustSession(t, s, "s3", "u1")
		mustSession(t, s, "o1", "u2")
		mustRotate(t, s, refresh("s1", 1), refresh("s1", 2), at(time.Minute), 0, store.Rotated)

		notFound(t, s.DeleteSession(ctx, "u2", "s1"), "another user's session")
		got, err := s.Session(ctx, "s1")
		require.NoError(t, err, "still there")
		s1.RefreshSeq, s1.LastUsedAt = 2, at(time.Minute)
		equalSession(t, s1, got)
		notFound(t, s.DeleteSession(ctx, "u1", "missing"))

		require.NoError(t, s.DeleteSession(ctx, "u1", "s1"))
		gone(t, s, "s1")
		notFound(t, s.DeleteSession(ctx, "u1", "s1"), "second delete")
		_, _, _, err = s.RotateRefreshToken(ctx, refresh("s1", 2), refresh("s1", 3), at(2*time.Minute), 0)
		notFound(t, err, "its refresh token went with it")
		assert.Equal(t, []string{"s2", "s3"}, sessionIDs(t, s, "u1"))

		n, err := s.DeleteUserSessions(ctx, "u1")
		require.NoError(t, err)
		assert.Equal(t, 2, n)
		gone(t, s, "s2")
		gone(t, s, "s3")
		n, err = s.DeleteUserSessions(ctx, "u1")
		require.NoError(t, err)
		assert.Zero(t, n, "none left")
		n, err = s.DeleteUserSessions(ctx, "nobody")
		require.NoError(t, err)
		assert.Zero(t, n, "an unknown user")
		assert.Equal(t, []string{"o1"}, sessionIDs(t, s, "u2"), "another user's sessions stay")
		mustSession(t, s, "s1", "u1") // ID and digest are free again
	})

	x.run(t, "DeleteUserCascades", func(t tb, s store.Store) {
		ctx := t.Context()
		mustUser(t, s, "u1")
		mustUser(t, s, "u2")
		mustSession(t, s, "s1", "u1")
		mustSession(t, s, "s2", "u1")
		mustSession(t, s, "o1", "u2")
		mustRotate(t, s, refresh("s1", 1), refresh("s1", 2), at(time.Minute), 0, store.Rotated)
		require.NoError(t, s.DeleteUser(ctx, "u1"))
		gone(t, s, "s1")
		gone(t, s, "s2")
		assert.Empty(t, sessionIDs(t, s, "u1"))
		d := dump(t, s)
		require.Len(t, d.Sessions, 1)
		assert.Equal(t, "o1", d.Sessions[0].ID)
		assert.Equal(t, []store.RefreshToken{{Digest: refresh("o1", 1), SessionID: "o1", Seq: 1, CreatedAt: t0}}, d.RefreshTokens)
		mustUser(t, s, "u1")
		mustSession(t, s, "s1", "u1") // IDs and digests are free again
	})
}
