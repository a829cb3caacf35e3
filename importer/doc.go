// Package importer reads user accounts, with their password hashes, from
// the files other systems keep them in, so that users move to Latch
// without a password reset: each hash is stored as it is and re-hashed to
// the current policy at the user's first sign-in.
//
//	r, err := importer.NewReader(f, importer.SFTPGo, importer.Options{})
//	for {
//		u, err := r.Next()
//		var skip *importer.SkippedLine
//		switch {
//		case errors.As(err, &skip):
//			// not importable: skip.Line, skip.Username, skip.Reason
//		case errors.Is(err, io.EOF):
//			// done
//		case err != nil:
//			// fatal: the file cannot be read on
//		default:
//			// u.Username, u.Email, u.PasswordHash, u.AllowedIPs, u.Disabled, u.Notes
//		}
//	}
//
// auth.Service.ImportUsers creates the users, a batch at a time; the
// example server's "import" command does both for a file.
//
// # Formats
//
// [SFTPGo] reads the users of an SFTPGo dump (dumpdata). Status 0 and an
// expiration date in the past come in disabled; a future expiration date,
// SSH public keys, denied IPs, login methods and protocols, TOTP (its
// secret is encrypted with SFTPGo's key), recovery codes, virtual folders,
// per-directory permissions and groups do not carry over and are listed in
// the user's Notes. allowed_ip becomes AllowedIPs.
//
// [LDIF] reads an LDAP export (RFC 2849: folded lines, base64 values,
// comments) as OpenLDAP's slapcat writes it: uid is the username, mail the
// email, userPassword the hash ("{CRYPT}" before a crypt(3) string is
// removed; other schemes are left to the hash package). Entries without
// uid or userPassword, such as organizational units, are skipped with a
// reason, and an entry with pwdAccountLockedTime comes in disabled.
//
// [CSV] (a header naming the columns username, password_hash and
// optionally email) and [JSONL] ({"username", "email", "password_hash"}
// per line) are for everything else.
//
// [Htpasswd], [Shadow], [ProFTPD] and [PureFTPd] read those systems'
// colon-separated files.
//
// Every format skips an entry whose hash [hash.Identify] does not
// recognise, with the reason. A hash in a broken format (one Identify
// names and refuses with [hash.ErrInsecureFormat]: DES crypt, unsalted
// MD5, a clear-text {CLEARTEXT} password) brings its account in without a
// usable password (an empty PasswordHash), with a note naming the format,
// so that the host can send a password reset.
//
// # Bounds
//
// A Reader holds one entry at a time, whatever the file's size: lines and
// LDIF values up to [MaxLineLen] bytes, SFTPGo user objects up to
// [MaxObjectLen], and LDIF attributes Latch does not keep are passed over
// as they stream by. A longer line or object is [ErrTooLarge]. The
// convenience functions ([ReadAll], [ParseHtpasswd] and the like) collect
// at most [MaxUsers] entries.
//
// Duplicate usernames are not looked for here (that would take memory in
// proportion to the file): the store's uniqueness refuses the second one,
// which ImportUsers reports as a conflict.
package importer
