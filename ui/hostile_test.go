package ui

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	xansi "github.com/charmbracelet/x/ansi"

	"github.com/tracehound/tracehound/agent"
	"github.com/tracehound/tracehound/investigation"
	"github.com/tracehound/tracehound/sentryapi"
	"github.com/tracehound/tracehound/sentryapi/local"
	"github.com/tracehound/tracehound/sentryapi/local/localtest"
)

// hostileConfig opens localtest's hostile dataset, whose every field
// carries escapes, C1 and bidi controls and secrets, with the offline
// analyzer.
func hostileConfig(t *testing.T) Config {
	t.Helper()
	srv, err := local.New(localtest.HostileDataset())
	if err != nil {
		t.Fatal(err)
	}
	c, err := sentryapi.New(sentryapi.Options{BaseURL: "http://dataset.test", Org: "acme", Transport: srv.Transport()})
	if err != nil {
		t.Fatal(err)
	}
	return Config{
		Source: "hostile data",
		Open: func(ctx context.Context, progress Progress) (*investigation.Investigation, error) {
			return investigation.Open(ctx, investigation.Options{
				Source: investigation.Source{Client: c, Label: "hostile data",
					Target: sentryapi.Target{Kind: sentryapi.TargetShortID, Issue: "BACKEND-1AB"}},
				RepoConfig:         filepath.Join(t.TempDir(), "none.toml"), // no repositories
				Model:              investigation.ModelConfig{Offline: true},
				PauseBetweenPhases: true,
				Header:             agent.TranscriptHeader{Target: "BACKEND-1AB"},
				Progress:           progress.Step,
			})
		},
	}
}

// checkHostile fails when the screen carries an escape sequence but SGR,
// a raw control, C1 or bidi character, or a secret of the hostile dataset.
func (a *appHarness) checkHostile(what string) {
	a.t.Helper()
	a.checkScreen(what)
	for _, l := range localtest.Leaks(xansi.Strip(a.raw())) {
		a.t.Errorf("%s: %s\n%s", what, l, a.screen())
	}
}

// Every pane that shows event data — the tree, the title, the error
// pane (message, exception, frames and their variables, breadcrumbs,
// request, tags), spans, profile — and the investigation's chat and
// report show the hostile dataset's escapes as text and its secrets
// masked.
func TestAppHostileEventData(t *testing.T) {
	a := newAppHarness(t, hostileConfig(t), 140, 45)
	a.untilScreen("Exception")
	a.checkHostile("start")
	if s := a.screen(); !strings.Contains(s, `\x1b[2J`) || !strings.Contains(s, "[Filtered") {
		t.Errorf("the escapes are not shown as text or no secret is masked:\n%s", s)
	}
	// Each node, each of its tabs, scrolled through.
	for _, n := range a.m.in.Tree.Nodes {
		if !a.m.tree.selectNode(n) {
			continue
		}
		a.run(a.m.selectionChanged())
		a.settle()
		for tab := 0; tab < 4; tab++ {
			a.checkHostile("node " + n.ID + " tab " + string(rune('0'+tab)))
			a.press("tab", "pgdown")
			a.checkHostile("node " + n.ID + " tab " + string(rune('0'+tab)) + " scrolled")
			a.press("shift+tab", "]")
			a.settle()
		}
	}
	// The offline investigation: cards, phases and the report.
	a.press("a")
	for !a.m.finished {
		a.until("an approval, a phase or the end", func() bool {
			return a.m.finished || a.m.chat.Pending() != nil || (a.m.chat.paused != "" && a.m.chat.running)
		})
		a.checkHostile("during the run")
		switch {
		case a.m.finished:
		case a.m.chat.Pending() != nil:
			a.press("s")
		default:
			a.press("c")
		}
	}
	a.settle()
	a.checkHostile("report")
}
