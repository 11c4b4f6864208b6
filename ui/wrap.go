package ui

import (
	"regexp"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Wrapping never splits an identifier: ansi.Wrap and glamour break lines
// after any hyphen, which cut short ids (STOREFRONT-|4Z), releases
// (auth-|service@2.14.0) and service names in two. The wrappers below
// hide the hyphens inside words behind a non-breaking hyphen (one cell
// too) while wrapping, and put them back after.

// nbHyphen is U+2011 NON-BREAKING HYPHEN.
const nbHyphen = "\u2011"

// wordHyphen is a hyphen between two characters of a word.
var wordHyphen = regexp.MustCompile(`([\p{L}\p{N}_.@])-([\p{L}\p{N}_])`)

// joinHyphens replaces the hyphens inside words with nbHyphen; ok is
// false (and s unchanged) when s already holds one (it could not be told
// apart when restoring).
func joinHyphens(s string) (string, bool) {
	if !strings.Contains(s, "-") || strings.Contains(s, nbHyphen) {
		return s, false
	}
	// Twice: the regexp's matches do not overlap (a-b-c).
	s = wordHyphen.ReplaceAllString(s, "${1}"+nbHyphen+"${2}")
	return wordHyphen.ReplaceAllString(s, "${1}"+nbHyphen+"${2}"), true
}

// splitHyphens undoes joinHyphens.
func splitHyphens(s string, joined bool) string {
	if !joined {
		return s
	}
	return strings.ReplaceAll(s, nbHyphen, "-")
}

// wrapText wraps s (styled or not) to w cells at spaces and the
// breakpoints, keeping hyphenated words whole; only a word longer than a
// line is cut.
func wrapText(s string, w int, breakpoints string) string {
	j, ok := joinHyphens(s)
	return splitHyphens(ansi.Wrap(j, max(w, 1), breakpoints), ok)
}

// wrapLines is wrapText split into lines.
func wrapLines(s string, w int, breakpoints string) []string {
	return strings.Split(wrapText(s, w, breakpoints), "\n")
}
