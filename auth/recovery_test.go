package auth_test

import (
	"crypto/hkdf"
	"crypto/sha256"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/totp"
)

// recoveryKeyOf derives the recovery-digest key as documented in
// recovery.go: HKDF-SHA-256 of the sealing key, info
// "latch/auth/recovery-digest/v1", 32 bytes.
func recoveryKeyOf(t *testing.T, sealing []byte) []byte {
	t.Helper()
	k, err := hkdf.Key(sha256.New, sealing, nil, "latch/auth/recovery-digest/v1", 32)
	require.NoError(t, err)
	return k
}

func keyedDigest(t *testing.T, sealing []byte, userID, code string) string {
	t.Helper()
	d, err := totp.KeyedRecoveryCodeDigest(recoveryKeyOf(t, sealing), userID, code)
	require.NoError(t, err)
	return d
}

func legacyDigest(t *testing.T, userID, code string) string {
	t.Helper()
	d, err := totp.RecoveryCodeDigest(userID, code)
	require.NoError(t, err)
	return d
}

// signInWithRecoveryCode signs name in with goodPassword and a recovery code.
func (e *env) signInWithRecoveryCode(name, code string) error {
	e.t.Helper()
	res, err := e.svc.LoginPassword(ctx, ipA, name, goodPassword)
	require.NoError(e.t, err)
	require.True(e.t, res.SecondFactorRequired)
	_, err = e.svc.LoginRecoveryCode(ctx, ipA, res.ChallengeToken, code)
	return err
}

// TestRecoveryDigestsAreKeyed: what the store holds for new codes cannot be
// tested offline without the sealing key: it is not the public SHA-256 form
// and another sealing key gives other digests.
func TestRecoveryDigestsAreKeyed(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		u := e.user("kim")
		p := e.principal("kim")
		key, codes := e.enableTOTP(p)
		otherKey := []byte("another sealing key of 32 bytes!")
		require.Len(t, otherKey, 32)

		check := func(what string, codes []string) {
			stored, err := e.st.RecoveryCodeDigests(ctx, u.ID)
			require.NoError(t, err)
			require.Len(t, stored, len(codes))
			for _, c := range codes {
				assert.Contains(t, stored, keyedDigest(t, sealingKey, u.ID, c), "%s: the documented keyed form", what)
				assert.NotContains(t, stored, legacyDigest(t, u.ID, c), "%s: not the public SHA-256 form", what)
				assert.NotContains(t, stored, keyedDigest(t, otherKey, u.ID, c), "%s: the digest depends on the sealing key", what)
			}
		}
		check("activation", codes)

		fresh, err := e.svc.RegenerateRecoveryCodes(ctx, ipA, p, u.ID, e.code(key))
		require.NoError(t, err)
		check("regeneration", fresh)

		require.NoError(t, e.signInWithRecoveryCode("kim", fresh[0]))
		require.ErrorIs(t, e.signInWithRecoveryCode("kim", fresh[0]), auth.ErrIncorrectCode, "single use")
		require.ErrorIs(t, e.signInWithRecoveryCode("kim", codes[1]), auth.ErrIncorrectCode, "the old set is gone")
	})
}

// TestLegacyRecoveryDigests: codes stored as plain SHA-256 digests keep
// working once each; the one used is consumed, the others stay legacy
// until used or until the set is regenerated.
func TestLegacyRecoveryDigests(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		u := e.user("lou")
		p := e.principal("lou")
		key, _ := e.enableTOTP(p)

		legacy, err := totp.GenerateRecoveryCodes(3)
		require.NoError(t, err)
		keyed, err := totp.GenerateRecoveryCodes(1)
		require.NoError(t, err)
		digests := []string{
			legacyDigest(t, u.ID, legacy[0]), legacyDigest(t, u.ID, legacy[1]), legacyDigest(t, u.ID, legacy[2]),
			keyedDigest(t, sealingKey, u.ID, keyed[0]),
		}
		require.NoError(t, e.st.ReplaceRecoveryCodes(ctx, u.ID, digests), "as an older version stored them, plus one keyed")

		for _, tc := range []struct {
			name, code string
			want       error
		}{
			{"legacy code", legacy[0], nil},
			{"legacy code again", legacy[0], auth.ErrIncorrectCode},
			{"legacy code as typed", "  " + legacy[1] + " ", nil},
			{"keyed code", keyed[0], nil},
			{"keyed code again", keyed[0], auth.ErrIncorrectCode},
			{"malformed code", "not a code", auth.ErrIncorrectCode},
		} {
			t.Run(tc.name, func(t *testing.T) { // in order: the "again" rows follow the first use
				err := e.signInWithRecoveryCode("lou", tc.code)
				if tc.want == nil {
					require.NoError(t, err)
				} else {
					require.ErrorIs(t, err, tc.want)
				}
			})
		}
		stored, err := e.st.RecoveryCodeDigests(ctx, u.ID)
		require.NoError(t, err)
		assert.Equal(t, []string{digests[2]}, stored, "the unused legacy digest stays as it was")

		fresh, err := e.svc.RegenerateRecoveryCodes(ctx, ipA, p, u.ID, e.code(key))
		require.NoError(t, err)
		stored, err = e.st.RecoveryCodeDigests(ctx, u.ID)
		require.NoError(t, err)
		assert.NotContains(t, stored, digests[2], "regeneration drops the last legacy digest")
		assert.Contains(t, stored, keyedDigest(t, sealingKey, u.ID, fresh[0]))
		require.ErrorIs(t, e.signInWithRecoveryCode("lou", legacy[2]), auth.ErrIncorrectCode)
	})
}

// TestLegacyRecoveryDigestReset2FA: a legacy code also removes TOTP, once.
func TestLegacyRecoveryDigestReset2FA(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.user("max")
	p := e.principal("max")
	e.enableTOTP(p)
	legacy, err := totp.GenerateRecoveryCodes(1)
	require.NoError(t, err)
	require.NoError(t, e.st.ReplaceRecoveryCodes(ctx, u.ID, []string{legacyDigest(t, u.ID, legacy[0])}))
	require.NoError(t, e.svc.Reset2FA(ctx, ipA, p, u.ID, legacy[0]))
	st, err := e.svc.TOTPStatus(ctx, p, u.ID)
	require.NoError(t, err)
	assert.False(t, st.Enabled)
}

// TestDumpRestoreRecoveryCodes: keyed and legacy digests survive a dump and
// a restore into a service with the same sealing key, and stay single use.
func TestDumpRestoreRecoveryCodes(t *testing.T) {
	t.Parallel()
	src := newEnv(t)
	u := src.user("ned")
	_, codes := src.enableTOTP(src.principal("ned"))
	legacy, err := totp.GenerateRecoveryCodes(1)
	require.NoError(t, err)
	stored, err := src.st.RecoveryCodeDigests(ctx, u.ID)
	require.NoError(t, err)
	require.NoError(t, src.st.ReplaceRecoveryCodes(ctx, u.ID, append(stored, legacyDigest(t, u.ID, legacy[0]))))
	dump, err := src.svc.Dump(ctx, auth.System())
	require.NoError(t, err)
	for _, c := range append(codes, legacy[0]) {
		assert.NotContains(t, string(dump), c, "no code in the dump")
	}

	for _, b := range backends {
		t.Run("fresh "+b.name, func(t *testing.T) {
			dst := newEnvClock(t, b.open(t), src.clock)
			require.NoError(t, dst.svc.Restore(ctx, auth.System(), dump))
			require.NoError(t, dst.signInWithRecoveryCode("ned", codes[0]), "keyed code")
			require.NoError(t, dst.signInWithRecoveryCode("ned", legacy[0]), "legacy code")
			require.ErrorIs(t, dst.signInWithRecoveryCode("ned", codes[0]), auth.ErrIncorrectCode, "still single use")
			require.ErrorIs(t, dst.signInWithRecoveryCode("ned", legacy[0]), auth.ErrIncorrectCode, "still single use")
		})
	}
}

// TestLegacyRecoveryDigestRace: of concurrent sign-ins with one legacy
// code, exactly one succeeds, as with keyed codes.
func TestLegacyRecoveryDigestRace(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		u := e.user("ola")
		e.enableTOTP(e.principal("ola"))
		legacy, err := totp.GenerateRecoveryCodes(1)
		require.NoError(t, err)
		require.NoError(t, e.st.ReplaceRecoveryCodes(ctx, u.ID, []string{legacyDigest(t, u.ID, legacy[0])}))

		const n = 4 // under the 5 code attempts an account gets per window
		challenges := make([]string, n)
		for i := range challenges {
			res, err := e.svc.LoginPassword(ctx, ipA, "ola", goodPassword)
			require.NoError(t, err)
			challenges[i] = res.ChallengeToken
		}
		errs := make(chan error, n)
		for _, c := range challenges {
			go func() {
				_, err := e.svc.LoginRecoveryCode(ctx, ipA, c, legacy[0])
				errs <- err
			}()
		}
		won := 0
		for range n {
			if err := <-errs; err == nil {
				won++
			} else {
				require.ErrorIs(t, err, auth.ErrIncorrectCode)
			}
		}
		assert.Equal(t, 1, won)
	})
}
