package compare

import (
	"strings"
	"unicode"
)

// Normalize reduces a span description to the part that names what the
// span does, so two requests of one transaction match: quoted strings
// become '?', and every word that carries an id-like value — all digits, or
// a digit among six or more characters (SKU-10719, c_8d41f07a, a UUID) —
// becomes '*'. Short words with a digit (v1, s3, utf8) are kept: they
// name versions and APIs. Runs of spaces become one.
func Normalize(desc string) string { return normalize(desc, false) }

// normalizeValue is Normalize for attribute values, where short numbers
// mean something (a status code 500, a version 2.14.0): only words of six
// or more characters with a digit become '*'.
func normalizeValue(v string) string { return normalize(v, true) }

func normalize(desc string, keepNumbers bool) string {
	var b strings.Builder
	b.Grow(len(desc))
	rs := []rune(strings.TrimSpace(desc))
	space := false
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case r == '\'' || r == '"':
			// A quoted value: skip to the closing quote.
			j := i + 1
			for j < len(rs) && rs[j] != r {
				j++
			}
			if j < len(rs) {
				b.WriteString("'?'")
				i = j + 1
				space = false
				continue
			}
			b.WriteRune(r)
			i++
		case unicode.IsSpace(r):
			if !space {
				b.WriteByte(' ')
			}
			space = true
			i++
			continue
		case isWord(r):
			j := i
			digits := 0
			for j < len(rs) && isWord(rs[j]) {
				if unicode.IsDigit(rs[j]) {
					digits++
				}
				j++
			}
			w := rs[i:j]
			if digits > 0 && (digits == len(w) && !keepNumbers || len(w) >= 6) {
				b.WriteByte('*')
			} else {
				b.WriteString(string(w))
			}
			i = j
		default:
			b.WriteRune(r)
			i++
		}
		space = false
	}
	return b.String()
}

// isWord reports the runes of an identifier-like word; '-' and '_' join
// the parts of an id (SKU-10719, rsv_91c4e2d7, a UUID).
func isWord(r rune) bool {
	return r == '_' || r == '-' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// volatileKey reports attributes that differ between any two requests
// (ids, times, hosts, sizes) and so say nothing about why one failed.
func volatileKey(k string) bool {
	k = strings.ToLower(k)
	for _, s := range []string{"_id", ".id", "-id", "id"} {
		if strings.HasSuffix(k, s) && (s != "id" || k == "id" || strings.HasSuffix(k, "uuid")) {
			return true
		}
	}
	for _, s := range []string{"timestamp", "time", "duration", "date", "trace", "span", "thread", "server_name", "hostname", "host.name", "request_id", "size", "length", "sentry.", "baggage", "user_agent", "user-agent", "elapsed", "latency", "performance.", "profile"} {
		if strings.Contains(k, s) {
			return true
		}
	}
	return false
}
