package redact

// Text makes event-derived text safe for any output: secrets and personal
// data replaced (Secrets), then escapes and control characters made
// visible (Sanitize). Newlines and tabs are kept.
func Text(s string) string {
	s, _ = Secrets(s)
	return Sanitize(s)
}

// Line is Text for one-line contexts (SanitizeLine).
func Line(s string) string {
	s, _ = Secrets(s)
	return SanitizeLine(s)
}
