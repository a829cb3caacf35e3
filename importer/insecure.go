package importer

// isInsecure reports whether err from hash.Identify marks a hash in a
// broken format, whose account comes in without a usable password.
func isInsecure(err error) bool { return false }

// insecureName names the broken format of err for the note.
func insecureName(err error) string { return "" }
