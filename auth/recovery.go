package auth

import (
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/latchkit/latch/store"
	"github.com/latchkit/latch/totp"
)

// Recovery-code digests.
//
// New codes (TOTP activation, regeneration) are stored as
// totp.KeyedRecoveryCodeDigest under a key derived from Config.SealingKey
// ("latch/auth/recovery-digest/v1"): whoever reads the store or a dump,
// without the sealing key, cannot test a guess against them. Codes stored
// before were the unkeyed totp.RecoveryCodeDigest, which anyone can compute.
// They keep working until used or replaced:
//
//   - a typed code is looked up as its keyed digest first, then as its
//     legacy digest; each lookup is the store's atomic ConsumeRecoveryCode,
//     so either form is used at most once;
//   - a legacy code that is used is consumed, like any other;
//   - the user's other legacy digests stay as they are (they cannot be
//     recomputed without the codes, which are not kept) until each is used,
//     or until RegenerateRecoveryCodes (or a new TOTP activation, or a
//     DeleteTOTP) replaces the whole set with keyed digests.
//
// A dump holds the digests as stored, keyed or not; a restore into a
// service with the same SealingKey keeps every code working.

// recoveryDigestInfo is the HKDF info of the recovery-digest key.
const recoveryDigestInfo = "latch/auth/recovery-digest/v1"

// deriveRecoveryKey derives the recovery-digest key from the sealing key.
func deriveRecoveryKey(sealingKey []byte) ([]byte, error) {
	k, err := hkdf.Key(sha256.New, sealingKey, nil, recoveryDigestInfo, 32)
	if err != nil {
		return nil, fmt.Errorf("auth: deriving keys: %w", err)
	}
	return k, nil
}

// newRecoveryCodes returns a fresh set of codes and their keyed digests.
func (s *Service) newRecoveryCodes(userID string) (codes, digests []string, err error) {
	codes, err = totp.GenerateRecoveryCodes(totp.DefaultRecoveryCodes)
	if err != nil {
		return nil, nil, internal(err)
	}
	digests = make([]string, len(codes))
	for i, code := range codes {
		if digests[i], err = totp.KeyedRecoveryCodeDigest(s.recoveryKey, userID, code); err != nil {
			return nil, nil, internal(err)
		}
	}
	return codes, digests, nil
}

// errNoRecoveryCode is a typed code that matches none of the user's codes.
var errNoRecoveryCode = errors.New("no such recovery code")

// consumeRecoveryCode deletes the user's recovery code equal to code,
// atomically: its keyed digest, or else its legacy digest. It returns
// errNoRecoveryCode when neither is stored (or the code is malformed),
// another error when the store fails, and whether the code was a legacy
// one.
func (s *Service) consumeRecoveryCode(ctx context.Context, userID, code string) (legacy bool, err error) {
	keyed, err := totp.KeyedRecoveryCodeDigest(s.recoveryKey, userID, code)
	if err != nil {
		return false, errNoRecoveryCode
	}
	switch err := s.st.ConsumeRecoveryCode(ctx, userID, keyed); {
	case err == nil:
		return false, nil
	case !errors.Is(err, store.ErrNotFound):
		return false, err
	}
	plain, err := totp.RecoveryCodeDigest(userID, code)
	if err != nil {
		return false, errNoRecoveryCode
	}
	switch err := s.st.ConsumeRecoveryCode(ctx, userID, plain); {
	case err == nil:
		return true, nil
	case errors.Is(err, store.ErrNotFound):
		return false, errNoRecoveryCode
	default:
		return false, err
	}
}
