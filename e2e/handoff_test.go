package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestHandoff: the offline analyzer on the demo, run to its end in the
// explorer; the finished screen says how to hand it off; v shows what the
// model saw (no model: the analyzer's tool results) and y copies it; y in
// the agent pane copies the report (OSC 52, read back from tmux's paste
// buffer); then the saved investigation through export-report --as.
func TestHandoff(t *testing.T) {
	bin := build(t)
	state := t.TempDir()
	env := []string{"XDG_STATE_HOME=" + state, "NO_COLOR=", "TRACEHOUND_MODEL=", "OPENAI_API_KEY=", "OPENAI_BASE_URL="}
	tm := start(t, 100, 30, env, bin+" --demo --offline")
	// Applications may set tmux's clipboard (a paste buffer) with OSC 52.
	tm.run("set-option", "-g", "set-clipboard", "on")
	tm.waitText("1 Trace", "Exception")

	tm.keys("a")
	// Each pause is waited for by its own words: the next one may follow
	// the key faster than the screen is read.
	for _, pause := range []string{"Root cause reported — press c", "Solution plan reported — press c"} {
		tm.waitText(pause)
		tm.keys("c")
	}
	tm.waitText("Agent finished", "y copy", "v model saw")
	tm.keys("G")
	tm.waitText("Hand it off", "export-report")

	// What the model saw.
	tm.keys("v")
	s := tm.waitText("▌ What the model saw", "No model saw anything", "tool result: get_error_event", "q/esc close")
	if !strings.Contains(s, "The answer") {
		t.Errorf("the view does not show the answer:\n%s", s)
	}
	tm.keys("y")
	tm.waitText("copied what the model saw")
	if b := buffer(tm, "# What the model saw"); !strings.HasPrefix(b, "# What the model saw") {
		t.Errorf("the clipboard holds %.80q", b)
	}
	tm.keys("Escape")
	tm.waitFor("the view to close", func(s string) bool { return !strings.Contains(s, "▌ What the model saw") })

	// y in the agent pane: the report.
	tm.keys("y")
	tm.waitText("copied the report")
	if b := buffer(tm, "# Investigation of STOREFRONT-4Z"); !strings.Contains(b, "CanonicalRequest") {
		t.Errorf("the clipboard holds %.80q", b)
	}
	tm.keys("q")
	tm.waitText("[exited 0]")

	// The saved investigation, handed off from the command line.
	files, _ := filepath.Glob(filepath.Join(state, "tracehound", "sessions", "*.jsonl"))
	if len(files) != 1 {
		t.Fatalf("saved investigations: %v", files)
	}
	id := strings.TrimSuffix(filepath.Base(files[0]), ".jsonl")
	cli := func(args ...string) (string, error) {
		cmd := exec.Command(bin, append([]string{"export-report", id}, args...)...)
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	for as, want := range map[string][]string{
		"postmortem": {"# Postmortem draft: STOREFRONT-4Z", "37 events from 31 users", "## Timeline", "◀ the issue's event", "## Follow-ups"},
		"summary":    {"Root cause: auth-service", "Chain: auth-service → payments → api-gateway → storefront"},
		"context":    {"# What the model saw", "No model saw anything", "tool result: get_error_event"},
	} {
		out, err := cli("--as", as)
		if err != nil {
			t.Errorf("--as %s: %v\n%s", as, err, out)
		}
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("--as %s lacks %q:\n%s", as, w, out)
			}
		}
	}
	if out, err := cli("--as", "pr"); err == nil || !strings.Contains(out, "no approved patch") {
		t.Errorf("--as pr without a patch: %v\n%s", err, out)
	}
}

// buffer waits for tmux's newest paste buffer to start with prefix (the
// copy's confirmation and its OSC 52 are written independently), and
// returns it as it is at the deadline otherwise.
func buffer(tm *term, prefix string) string {
	tm.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, _ := exec.Command("tmux", "-L", tm.socket, "show-buffer").Output()
		if strings.HasPrefix(string(out), prefix) || time.Now().After(deadline) {
			return string(out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
