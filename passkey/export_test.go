package passkey

import "time"

// SetClock makes rp read the time from now, for tests of expiry.
func SetClock(rp *RP, now func() time.Time) { rp.now = now }
