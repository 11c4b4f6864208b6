package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// Wrapping keeps identifiers whole: short ids, releases, service and
// type names, trace ids; a styled line keeps its styles.
func TestWrapKeepsIdentifiersWhole(t *testing.T) {
	st := NewStyles(true)
	for _, tc := range []struct {
		text  string
		w     int
		whole []string
	}{
		{"event c92dbb7c · issue STOREFRONT-4Z · release storefront@4.12.0", 30, []string{"STOREFRONT-4Z", "storefront@4.12.0"}},
		{"connected errors: PAYMENTS-7Q (payments) ← AUTH-SERVICE-3M (auth-service); the deepest is in auth-service.", 40, []string{"AUTH-SERVICE-3M", "auth-service);", "auth-service."}},
		{"release auth-service@2.14.0-rc.1 · trace 6773fd48a22fb5769c8758a2d3810fac", 34, []string{"auth-service@2.14.0-rc.1", "6773fd48a22fb5769c8758a2d3810fac"}},
		{st.Bold.Render("ServiceAuthError") + ": auth-service rejected service-to-service call", 24, []string{"service-to-service", "ServiceAuthError"}},
	} {
		lines := wrapLines(tc.text, tc.w, " ")
		for _, l := range lines {
			if ansi.StringWidth(l) > tc.w {
				t.Errorf("%q: line %q is wider than %d", tc.text, ansi.Strip(l), tc.w)
			}
		}
		plain := ansi.Strip(strings.Join(lines, "\n"))
		for _, id := range tc.whole {
			if !strings.Contains(plain, id) {
				t.Errorf("%q wrapped at %d splits %q:\n%s", ansi.Strip(tc.text), tc.w, id, plain)
			}
		}
		if strings.Contains(plain, nbHyphen) {
			t.Errorf("a non-breaking hyphen is left in %q", plain)
		}
		if strings.ReplaceAll(plain, "\n", " ") != ansi.Strip(tc.text) {
			t.Errorf("wrapping changed the text:\n%q\n%q", strings.ReplaceAll(plain, "\n", " "), ansi.Strip(tc.text))
		}
	}
	// A word longer than the line is still cut (nothing overflows).
	if lines := wrapLines("a-very-long-hyphenated-identifier-indeed", 10, " "); len(lines) < 2 {
		t.Errorf("an overlong word was not cut: %q", lines)
	}
}
