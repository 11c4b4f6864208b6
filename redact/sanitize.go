package redact

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Sanitize makes text that came from event data safe to print on a
// terminal and to show to a model: escape sequences (CSI, OSC, DCS, …),
// other C0 and C1 control characters, DEL, bidi overrides and invalid UTF-8
// become visible escapes such as \x1b or \u202e, so they show as text and
// never act on the terminal. Newlines and tabs are kept.
func Sanitize(s string) string { return sanitize(s, false) }

// SanitizeLine is Sanitize for one-line contexts: newlines, carriage
// returns and tabs also become visible (⏎ and a space).
func SanitizeLine(s string) string { return sanitize(s, true) }

func sanitize(s string, oneLine bool) string {
	if isPlain(s, oneLine) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n' || r == '\r':
			if oneLine {
				if r == '\n' {
					b.WriteString("⏎")
				}
			} else {
				b.WriteRune(r)
			}
		case r == '\t':
			if oneLine {
				b.WriteByte(' ')
			} else {
				b.WriteRune(r)
			}
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r >= 0x80 && r <= 0x9f:
			fmt.Fprintf(&b, `\u%04x`, r)
		case isBidiControl(r) || r == 0xfeff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// isPlain is the fast path: printable ASCII and ordinary UTF-8 only.
func isPlain(s string, oneLine bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return !hasUnsafeRune(s[i:])
		}
		if c < 0x20 || c == 0x7f {
			if !oneLine && (c == '\n' || c == '\t') {
				continue
			}
			return false
		}
	}
	return true
}

func hasUnsafeRune(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size <= 1) || r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || isBidiControl(r) || r == 0xfeff {
			return true
		}
		i += size
	}
	return false
}

// isBidiControl reports the Unicode bidirectional formatting characters
// that can make text display differently from what it is (Trojan Source).
func isBidiControl(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f || r == 0x061c
}
