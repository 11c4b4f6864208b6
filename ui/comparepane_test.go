package ui

import (
	"strings"
	"testing"
)

// C on a node of a transaction opens the Compare tab: the transaction
// against the demo's healthy trace, the first divergence named; the tab
// is on the tab line of every transaction and [ ] reach it.
func TestAppCompareView(t *testing.T) {
	a := newAppHarness(t, demoConfig(t), 140, 45)
	a.untilScreen("Exception")
	a.press("C")
	a.untilScreen("First divergence")
	a.checkScreen("compare")
	golden(a.t, "app_compare_140x45.txt", a.raw())
	s := a.screen()
	for _, want := range []string{
		"│ Compare ",
		"Compare storefront ui.action.click /checkout with a healthy trace",
		"Releases differ: auth-service@2.13.0 → auth-service@2.14.0",
		"First divergence: auth-service function signing.Verify",
		"◀ first divergence",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("the compare view lacks %q:\n%s", want, s)
		}
	}
	// enter shows whole descriptions; the pane scrolls like the others.
	a.press("2", "enter")
	if p, ok := a.m.detail.ts[TabCompare].pane.(*detailCompare); !ok || !p.full || p.hint() != "short descriptions" {
		t.Errorf("enter did not show whole descriptions")
	}
	// Another transaction, compared with its own healthy counterpart; one
	// with none says so and what to do.
	n, err := a.m.in.Tree.Resolve("4f0aa257") // GET /api/cart: no other trace has it
	if err != nil || !a.m.tree.selectNode(n) {
		t.Fatal("no cart transaction in the tree")
	}
	a.run(a.m.selectionChanged())
	a.press("C")
	a.untilScreen("Could not load a healthy trace to compare 4f0aa257 with")
	a.checkScreen("compare failed")
	if s := a.screen(); !strings.Contains(s, "no healthy trace of api-gateway http.server GET /api/cart found") || !strings.Contains(s, "--healthy") {
		t.Errorf("the failure does not say what was searched and what to do:\n%s", s)
	}
}

func TestAppCompareAt80x24(t *testing.T) {
	a := newAppHarness(t, demoConfig(t), 80, 24)
	a.untilScreen("Exception")
	a.press("C")
	a.untilScreen("First divergence")
	a.checkScreen("compare 80×24")
	golden(a.t, "app_compare_80x24.txt", a.raw())
}
