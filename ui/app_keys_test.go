package ui

import (
	"context"
	"errors"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/tracehound/tracehound/investigation"
	"github.com/tracehound/tracehound/tracetree"
)

// statusLine is the screen's last line.
func (a *appHarness) statusLine() string {
	lines := strings.Split(a.screen(), "\n")
	return lines[len(lines)-1]
}

// At 80×24 the help screen fits, scrolls to its end (the agent's keys and
// the legend of the marks), and lists every key of every pane: it is
// generated from the bindings.
func TestAppHelpAt80x24(t *testing.T) {
	a := newAppHarness(t, demoConfig(t), 80, 24)
	a.untilScreen("Exception")
	a.press("?")
	a.checkScreen("help 80×24")
	golden(t, "app_help_80x24_top.txt", a.raw())
	if s := a.screen(); !strings.Contains(s, "? or esc closes") || !strings.Contains(s, "more lines") {
		t.Errorf("the first help screen does not say how to scroll or close:\n%s", s)
	}
	var all strings.Builder
	all.WriteString(a.screen())
	for range 40 {
		a.press("j")
		all.WriteString(a.screen())
	}
	a.press("G")
	a.checkScreen("help 80×24, end")
	golden(t, "app_help_80x24_end.txt", a.raw())
	end := a.screen()
	for _, mark := range []string{"✗", "⚠", "▶", "◆", "◀", "◔"} {
		if !strings.Contains(end, mark+" ") {
			t.Errorf("the legend lacks %s:\n%s", mark, end)
		}
	}
	seen := all.String() + end
	for i, p := range a.m.panes {
		for _, b := range p.Bindings() {
			if h := b.Help(); h.Key != "" && !strings.Contains(seen, h.Key) {
				t.Errorf("pane %d's key %q (%s) is not in the help", i+1, h.Key, h.Desc)
			}
		}
	}
	for _, b := range a.m.keys.list() {
		if !strings.Contains(seen, b.Help().Desc) {
			t.Errorf("the global key %q is not in the help", b.Help().Key)
		}
	}
	a.press("esc")
	if a.m.showHelp {
		t.Error("esc did not close the help")
	}
}

// The status bar keeps ? help and q quit at 80 columns, whatever the
// focused pane offers; the agent pane keeps its number, its name and the
// analyzer's name on its border.
func TestAppStatusAndTitlesAt80x24(t *testing.T) {
	cfg := demoConfig(t, askReadOnly)
	a := newAppHarness(t, cfg, 80, 24)
	a.untilScreen("Exception")
	check := func(what string) {
		t.Helper()
		a.checkScreen(what)
		st := a.statusLine()
		if !strings.Contains(st, "? help") || !strings.Contains(st, "q quit") {
			t.Errorf("%s: the status bar lacks ? help or q quit: %q", what, st)
		}
		for _, title := range []string{"1 Trace", "2 Detail", "3 Agent"} {
			if !strings.Contains(a.screen(), title) {
				t.Errorf("%s: no %q on the borders:\n%s", what, title, a.screen())
			}
		}
	}
	check("start")
	a.press("2")
	check("detail focused")
	a.press("a")
	a.untilScreen("awaiting approval")
	check("approval")
	if s := a.screen(); !strings.Contains(s, "3 Agent · offline analyzer") {
		t.Errorf("the agent pane lost its label once the run started:\n%s", s)
	}
	if st := a.statusLine(); !strings.Contains(st, "a approve") {
		t.Errorf("the status bar does not offer the approval: %q", st)
	}
}

// The quit confirmation says what is true, and disarms after another
// key, a resize or its window.
func TestAppQuitConfirmationDisarms(t *testing.T) {
	cfg := demoConfig(t, askReadOnly)
	a := newAppHarness(t, cfg, 100, 30)
	a.untilScreen("Exception")
	a.press("a")
	a.untilScreen("awaiting approval")
	quit := func() tea.Cmd {
		t.Helper()
		_, cmd := a.m.Update(chatKey("q"))
		return cmd
	}
	// isQuit runs cmd, which must not be the confirmation's tick (it
	// would wait for its window).
	isQuit := func(cmd tea.Cmd) bool {
		if cmd == nil {
			return false
		}
		_, ok := cmd().(tea.QuitMsg)
		return ok
	}
	if quit(); !a.m.quitArmed {
		t.Fatal("the first q did not ask while the agent waits")
	}
	if st := a.statusLine(); !strings.Contains(st, "waits for your approval") || !strings.Contains(st, "q again quits") {
		t.Errorf("the confirmation does not say what is true: %q", st)
	}
	// Another key disarms it: the next q asks again.
	a.press("1")
	if a.m.quitArmed || strings.Contains(a.statusLine(), "q again quits") {
		t.Errorf("a key did not disarm the confirmation: %q", a.statusLine())
	}
	if quit(); !a.m.quitArmed {
		t.Fatal("q after another key did not ask again")
	}
	// A resize disarms it.
	a.deliver(tea.WindowSizeMsg{Width: 120, Height: 30})
	a.w = 120
	if a.m.quitArmed {
		t.Error("a resize did not disarm the confirmation")
	}
	// Its window ends it: the tick it armed disarms it; an older tick
	// does not disarm a newer confirmation.
	quit()
	seq := a.m.quitSeq
	a.deliver(quitDisarmMsg{seq: seq - 1})
	if !a.m.quitArmed {
		t.Error("an older confirmation's tick disarmed the new one")
	}
	a.deliver(quitDisarmMsg{seq: seq})
	if a.m.quitArmed {
		t.Error("the confirmation's tick did not disarm it")
	}
	// Armed, the second q quits.
	quit()
	if !isQuit(quit()) {
		t.Error("q q did not quit")
	}
}

// A failed load marks the failed step ✗, and Run's caller gets the error
// (printed after the screen closes, exit status non-zero).
func TestAppLoadFailureMarksTheStepAndReturnsTheError(t *testing.T) {
	cause := errors.New("sentry: 404 Not Found: the issue does not exist")
	cfg := Config{Source: "sentry.io", Open: func(ctx context.Context, progress Progress) (*investigation.Investigation, error) {
		progress.Step("fetching issue ACME-1")
		return nil, cause
	}}
	a := newAppHarness(t, cfg, 80, 24)
	a.untilScreen("Could not load the incident")
	if s := a.screen(); !strings.Contains(s, "✗ fetching issue ACME-1") || strings.Contains(s, "✓") {
		t.Errorf("the failed step is not marked ✗:\n%s", s)
	}
	if err := a.m.exitErr(nil); !errors.Is(err, cause) {
		t.Errorf("exitErr = %v, want the load error", err)
	}
}

// selectWhere selects the first node of the tree that ok accepts and
// waits for the detail pane to show it.
func (a *appHarness) selectWhere(what string, ok func(*tracetree.Node) bool) *tracetree.Node {
	a.t.Helper()
	for _, n := range a.m.in.Tree.Nodes {
		if ok(n) {
			if !a.m.tree.selectNode(n) {
				a.t.Fatalf("cannot select %s", what)
			}
			a.run(a.m.selectionChanged())
			return n
		}
	}
	a.t.Fatalf("no %s in the demo's tree", what)
	return nil
}

// The tab line always shows the three tabs, the ones the node has not
// dimmed with why, and ] says so instead of doing nothing.
func TestAppDetailTabsSayWhyNot(t *testing.T) {
	a := newAppHarness(t, demoConfig(t), 140, 45)
	a.untilScreen("Exception")
	a.selectWhere("an inventory transaction without errors", func(n *tracetree.Node) bool {
		return n.Kind == tracetree.KindTransaction && n.Project == "inventory" && len(n.Children) == 0 && !n.HasProfile()
	})
	a.untilScreen("critical path")
	s := a.screen()
	if !strings.Contains(s, "Spans │ Error (none in this transaction) │ Profile (not profiled)") {
		t.Errorf("the tab line does not show the missing tabs with why:\n%s", s)
	}
	a.press("2", "]")
	a.untilScreen("No other tab for this node: Error: none in this transaction; Profile: not profiled.")
}

// From a failed span (payments' 401 client call to auth-service), e
// opens the error it led to: the ServiceAuthError payments raised.
func TestAppFailedSpanOpensItsError(t *testing.T) {
	a := newAppHarness(t, demoConfig(t), 140, 45)
	a.untilScreen("Exception")
	a.selectWhere("the payments transaction", func(n *tracetree.Node) bool {
		return n.Kind == tracetree.KindTransaction && n.Project == "payments"
	})
	a.untilScreen("critical path")
	a.press("2")
	if _, _, ok := a.m.detail.failedSpan(); !ok {
		t.Fatalf("the waterfall does not start on the failed span:\n%s", a.screen())
	}
	if !strings.Contains(a.screen(), "e its error") {
		t.Errorf("the tab line does not offer e on the failed span:\n%s", a.screen())
	}
	a.press("e")
	a.until("the error to be selected", func() bool {
		n := a.m.tree.Selected()
		return n != nil && n.Kind == tracetree.KindError
	})
	if n := a.m.tree.Selected(); !strings.Contains(n.Name, "ServiceAuthError") {
		t.Errorf("e on the 401 span selected %q, want payments' ServiceAuthError", n.Name)
	}
	a.untilScreen("ServiceAuthError")
	if a.m.detail.Tab() != TabError {
		t.Errorf("the detail pane shows %v, want the error", a.m.detail.Tab())
	}
}

// e from the event walks its causal chain toward the cause.
func TestAppNextErrorFollowsTheCausalChain(t *testing.T) {
	a := newAppHarness(t, demoConfig(t), 140, 45)
	a.untilScreen("Exception")
	var got []string
	for range 3 {
		a.press("e")
		got = append(got, a.m.tree.Selected().Project)
	}
	if want := []string{"api-gateway", "payments", "auth-service"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("e from the issue visited %v, want %v", got, want)
	}
	a.press("E")
	if p := a.m.tree.Selected().Project; p != "payments" {
		t.Errorf("E went to %s, want back to payments", p)
	}
}
