package ui

import (
	"reflect"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/tracehound/tracehound/investigation"
)

// finishedOffline runs the offline analyzer on the demo to its end, saved,
// without pauses, in a w×h explorer.
func finishedOffline(t *testing.T, w, h int) *appHarness {
	t.Helper()
	dir := t.TempDir()
	a := newAppHarness(t, demoConfig(t, func(o *investigation.Options) {
		o.PauseBetweenPhases = false
		o.TranscriptDir = dir
	}), w, h)
	a.untilScreen("Exception")
	a.press("a")
	a.until("the run to finish", func() bool { return a.m.finished })
	a.untilScreen("final report")
	return a
}

// clipboard runs a copy command and returns what it puts on the
// clipboard and what it says on the status bar.
func clipboard(t *testing.T, cmd tea.Cmd) (text, status string) {
	t.Helper()
	if cmd == nil {
		t.Fatal("no command")
	}
	var msgs []tea.Msg
	switch m := cmd().(type) {
	case tea.BatchMsg:
		for _, c := range m {
			msgs = append(msgs, c())
		}
	default:
		msgs = append(msgs, m)
	}
	for _, m := range msgs {
		switch m := m.(type) {
		case statusMsg:
			status = string(m)
		default:
			// tea.SetClipboard's message is an unexported string type.
			if v := reflect.ValueOf(m); v.Kind() == reflect.String && strings.Contains(reflect.TypeOf(m).String(), "lipboard") {
				text = v.String()
			}
		}
	}
	return text, status
}

// In the agent pane of a finished run: the footer and the chat say how to
// hand it off; v opens what the model saw (here: no model, the analyzer's
// tool results) beside the answer; y copies the report, or the selected
// card, with a confirmation; the tree's y still copies the node's id.
func TestAgentPaneHandoffKeys(t *testing.T) {
	a := finishedOffline(t, 140, 45)
	a.press("3", "G")
	s := a.screen()
	for _, want := range []string{"y copy", "v model saw", "Hand it off: y copies the report", "export-report 2"} {
		if !strings.Contains(s, want) {
			t.Errorf("the finished screen does not say %q:\n%s", want, s)
		}
	}
	help := a.m.panes[paneChat].Bindings()
	var found []string
	for _, b := range help {
		if b.Enabled() && (b.Help().Key == "y" || b.Help().Key == "v") {
			found = append(found, b.Help().Key)
		}
	}
	if strings.Join(found, " ") != "y v" {
		t.Errorf("the agent pane's enabled bindings have %v, want y and v", found)
	}

	// y: the report.
	text, status := clipboard(t, a.m.chat.copyFromChat())
	if rep := lastReport(&a.m.chat.red); rep == nil || text != rep.Markdown() || !strings.Contains(status, "copied the report (") {
		t.Errorf("y copied %q and said %q", firstLineOf(text), status)
	}
	a.press("y")
	a.settle()
	if !strings.Contains(a.screen(), "copied the report") {
		t.Errorf("no confirmation on screen:\n%s", a.screen())
	}
	// With a card selected: the card.
	a.press("g", "tab")
	text, status = clipboard(t, a.m.chat.copyFromChat())
	if !strings.HasPrefix(text, "get_error_event c92dbb7c\narguments: {\"id\":\"c92dbb7c\"}") || !strings.Contains(text, "Exception") ||
		!strings.Contains(status, "copied the get_error_event card") {
		t.Errorf("y on a card copied %q and said %q", firstLineOf(text), status)
	}

	// v: what the model saw, beside the answer.
	a.press("v")
	cv, ok := a.m.drill.(*contextView)
	if !ok {
		t.Fatalf("v opened %T", a.m.drill)
	}
	a.checkScreen("what the model saw")
	s = a.screen()
	for _, want := range []string{"▌ What the model saw", "The answer", "No model saw anything", "tool result: get_error_event", "y copy", "q/esc close"} {
		if !strings.Contains(s, want) {
			t.Errorf("the view lacks %q:\n%s", want, s)
		}
	}
	text, status = clipboard(t, cv.Update(chatKey("y")))
	if !strings.HasPrefix(text, "# What the model saw") || !strings.Contains(status, "copied what the model saw") {
		t.Errorf("y in the view copied %q and said %q", firstLineOf(text), status)
	}
	a.press("esc")
	if a.m.drill != nil {
		t.Error("esc did not close the view")
	}

	// The tree's y: the node's id, as before.
	a.press("1")
	_, status = clipboard(t, a.m.copySelected())
	if !strings.Contains(status, a.m.tree.Selected().ID) {
		t.Errorf("the tree's y says %q", status)
	}
}

// The view at 80×24 (the answer above the context) and 160×40 (the
// answer in its own column).
func TestModelViewScreens(t *testing.T) {
	for _, sz := range []struct {
		w, h int
		file string
	}{{80, 24, "modelview_80x24.txt"}, {160, 40, "modelview_160x40.txt"}} {
		a := finishedOffline(t, sz.w, sz.h)
		a.press("3", "v")
		a.checkScreen(sz.file)
		golden(t, sz.file, a.raw())
	}
}

func firstLineOf(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}
