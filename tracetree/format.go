package tracetree

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/tracehound/tracehound/redact"
)

// FormatDuration renders milliseconds in one consistent set of units for
// every view (Seer mixes "523.0 milliseconds" and "0.01234s"): "2.41s",
// "590ms", "4.2ms", "850µs", "1m05s".
func FormatDuration(ms float64) string {
	switch {
	case math.IsNaN(ms) || ms < 0:
		return "?"
	case ms == 0:
		return "0ms"
	}
	// Choose the unit from the value as it will be printed, so 999.7ms
	// reads "1.00s", not "1000ms".
	if s := math.Round(ms / 1000); s >= 60 {
		return fmt.Sprintf("%dm%02ds", int(s)/60, int(s)%60)
	}
	if r := math.Round(ms/100) / 10; r >= 10 {
		return fmt.Sprintf("%.1fs", ms/1000)
	}
	if r := math.Round(ms/10) / 100; r >= 1 {
		return fmt.Sprintf("%.2fs", ms/1000)
	}
	if r := math.Round(ms); r >= 10 {
		return fmt.Sprintf("%dms", int(r))
	}
	if r := math.Round(ms*10) / 10; r >= 1 {
		return fmt.Sprintf("%.1fms", ms)
	}
	return fmt.Sprintf("%dµs", int(math.Round(ms*1000)))
}

// ShortIDLen is the length of the short ids the views print: the first 8
// hex characters of an event or span id, resolvable by unique prefix.
const ShortIDLen = 8

// ShortID returns the first ShortIDLen characters of id.
func ShortID(id string) string {
	if len(id) <= ShortIDLen {
		return id
	}
	return id[:ShortIDLen]
}

// Truncate shortens s to at most n runes, cutting in the middle so that
// both the start (the verb, the table) and the end (the condition, the
// status) of a description stay readable: "SELECT a, b … WHERE id = %s".
func Truncate(s string, n int) string {
	if n <= 0 || utf8.RuneCountInString(s) <= n {
		return s
	}
	if n < 8 {
		return string([]rune(s)[:n-1]) + "…"
	}
	r := []rune(s)
	head := (n - 1) * 2 / 3
	tail := n - 1 - head
	return strings.TrimRight(string(r[:head]), " ") + "…" + strings.TrimLeft(string(r[len(r)-tail:]), " ")
}

// oneLine makes event text safe for a one-line tree label (redact.Line:
// secrets masked, escapes visible) and truncates it.
func oneLine(s string, n int) string {
	return Truncate(redact.Line(strings.TrimSpace(s)), n)
}

// headLine makes s safe (redact.Line) and cuts it at the end (keeping the start), for
// titles whose beginning says the most.
func headLine(s string, n int) string {
	s = redact.Line(strings.TrimSpace(s))
	if n <= 1 || utf8.RuneCountInString(s) <= n {
		return s
	}
	return strings.TrimRight(string([]rune(s)[:n-1]), " ") + "…"
}

// plural renders "1 span", "3 spans".
func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
