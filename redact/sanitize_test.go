package redact

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSanitize(t *testing.T) {
	tests := []struct{ in, want, wantLine string }{
		{"GET /api/users", "GET /api/users", "GET /api/users"},
		{"ünïcødé ✓ 日本", "ünïcødé ✓ 日本", "ünïcødé ✓ 日本"},
		{"a\nb\tc", "a\nb\tc", "a⏎b c"},
		{"\x1b[31mred\x1b[0m", `\x1b[31mred\x1b[0m`, `\x1b[31mred\x1b[0m`},
		{"\x1b]52;c;ZXZpbA==\x07", `\x1b]52;c;ZXZpbA==\x07`, `\x1b]52;c;ZXZpbA==\x07`},
		{"title\x1b]0;pwned\x1b\\", `title\x1b]0;pwned\x1b\`, `title\x1b]0;pwned\x1b\`},
		{"\u009b31m", `\u009b31m`, `\u009b31m`},
		{"abc\u202edcba", `abc\u202edcba`, `abc\u202edcba`},
		{"x\u2066y\u2069", `x\u2066y\u2069`, `x\u2066y\u2069`},
		{"bad\xffutf8", `bad\xffutf8`, `bad\xffutf8`},
		{"cr\rreturn", "cr\rreturn", "crreturn"},
		{"del\x7f", `del\x7f`, `del\x7f`},
		{"nul\x00", `nul\x00`, `nul\x00`},
	}
	for _, tt := range tests {
		if got := Sanitize(tt.in); got != tt.want {
			t.Errorf("Sanitize(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := SanitizeLine(tt.in); got != tt.wantLine {
			t.Errorf("SanitizeLine(%q) = %q, want %q", tt.in, got, tt.wantLine)
		}
	}
}

func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"plain", "\x1b[2J", "\u202e", "\xff\xfe", "a\nb", "\u0085"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, out := range []string{Sanitize(s), SanitizeLine(s)} {
			if !utf8.ValidString(out) {
				t.Fatalf("invalid UTF-8 out of %q: %q", s, out)
			}
			if strings.ContainsRune(out, 0x1b) || strings.ContainsRune(out, 0x9b) || strings.ContainsRune(out, 0x7) || strings.ContainsRune(out, 0x202e) {
				t.Fatalf("unsafe rune survived in %q: %q", s, out)
			}
		}
		if strings.ContainsAny(SanitizeLine(s), "\n\r\t") {
			t.Fatalf("SanitizeLine kept a line break: %q", s)
		}
	})
}
