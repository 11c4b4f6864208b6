package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tracehound/tracehound/sentryapi/wire"

	xansi "github.com/charmbracelet/x/ansi"

	"github.com/tracehound/tracehound/agent"
)

// An SDK that sends no source lines (sentry-go) gets them from the
// checkout, said as such; the event the agent shares is left alone.
func TestLocalSourceForFramesWithout(t *testing.T) {
	dir := t.TempDir()
	src := "package payments\n\nfunc parseAmountCents(s string) (int64, error) {\n\treturn strconv.ParseInt(s, 10, 64)\n}\n"
	if err := os.MkdirAll(filepath.Join(dir, "payments"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "payments", "charges.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	repos, err := agent.NewRepos([]agent.Repo{{Name: "shop", Path: dir, Projects: []string{"payments"}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	yes, no := true, false
	ev := &wire.Event{ID: "e1", Platform: "go", Entries: []wire.Entry{{Type: wire.EntryException, Exception: &wire.ExceptionData{
		Values: []wire.ExceptionValue{{Type: "*strconv.NumError", Value: "invalid syntax", Stacktrace: &wire.Stacktrace{Frames: []wire.Frame{
			{Function: "ParseInt", AbsPath: "/usr/local/go/src/strconv/atoi.go", LineNo: 200, InApp: &no},
			{Function: "parseAmountCents", AbsPath: "/build/shop/payments/charges.go", LineNo: 4, InApp: &yes},
		}}}},
	}}}}
	got := withLocalSource(ev, repos, "payments")
	if got == ev {
		t.Fatal("no source was filled in")
	}
	if ev.Exception().Values[0].Stacktrace.Frames[1].Context != nil {
		t.Fatal("the shared event was changed")
	}
	frames := got.Exception().Values[0].Stacktrace.Frames
	if len(frames[1].Context) != 5 || frames[0].Context != nil || localSourceOf(&frames[1]) != "shop/payments/charges.go" {
		t.Fatalf("frames: %+v", frames)
	}
	d := NewDetail(NewStyles(true))
	d.ShowEvent("e1", got, "PAYMENTS-1")
	screen := xansi.Strip(d.View(100, 30, true))
	for _, want := range []string{"source from your checkout (shop/payments/charges.go); it may differ from what ran", "→ 4", "strconv.ParseInt(s, 10, 64)"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the error pane lacks %q:\n%s", want, screen)
		}
	}
	// Without repositories nothing changes.
	if withLocalSource(ev, nil, "payments") != ev {
		t.Error("changed without repositories")
	}
}
