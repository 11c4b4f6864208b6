package e2e

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// TestCompareInTheExplorer: on the demo, C on the transaction opens
// the Compare tab — the healthy checkout from before auth-service 2.14.0,
// the releases that differ, the first divergence in auth-service — at
// 80×24 and at 200×60.
func TestCompareInTheExplorer(t *testing.T) {
	bin := build(t)
	for _, size := range [][2]int{{80, 24}, {200, 60}} {
		tm := start(t, size[0], size[1], stateEnv(t), bin+" --demo --offline")
		tm.waitText("1 Trace", "2 Detail", "Exception")
		tm.keys("C")
		s := tm.waitText("Compare", "First divergence:", "Releases differ: auth-service@2.13.0")
		if !strings.Contains(s, "signing.Verify") {
			t.Errorf("%dx%d: the first divergence is not signing.Verify:\n%s", size[0], size[1], s)
		}
		if size[0] == 200 {
			// Everything fits: the tree of differences with its marks.
			tm.waitText("◀ first divergence", "+ │     └ api-gateway http.client DELETE", "only in the healthy trace")
		}
		// The tree keeps working; another transaction without a healthy
		// counterpart says so and what to do.
		tm.keys("/")
		tm.text("GET /api/cart")
		tm.keys("Enter")
		tm.waitText("http.server GET /api/cart  861ms") // the detail pane follows the match
		tm.keys("C")
		tm.waitText("Could not load a healthy trace", "no healthy trace of api-gateway")
		tm.keys("q")
		tm.waitText("[exited 0]")
	}
}

// TestCompareCLI: tracehound compare on the demo, as text and JSON, and
// the exit code when no healthy trace exists.
func TestCompareCLI(t *testing.T) {
	bin := build(t)
	out := run(t, bin, "compare", "--demo")
	for _, want := range []string{"First divergence: auth-service function signing.Verify", "Releases differ: auth-service@2.13.0 → auth-service@2.14.0", "Noise rule:"} {
		if !strings.Contains(out, want) {
			t.Errorf("compare --demo lacks %q:\n%s", want, out)
		}
	}
	var j struct {
		First struct {
			Description string `json:"description"`
		} `json:"first_divergence"`
		Healthy struct {
			TraceID string `json:"trace_id"`
		} `json:"healthy"`
	}
	if err := json.Unmarshal([]byte(run(t, bin, "compare", "--demo", "--json")), &j); err != nil || j.First.Description != "signing.Verify" || j.Healthy.TraceID == "" {
		t.Errorf("compare --json: %+v, %v", j, err)
	}
	cmd := exec.Command(bin, "compare", "--demo", "--transaction", "4f0aa257")
	cmd.Env = append(cmd.Environ(), "XDG_STATE_HOME="+t.TempDir())
	b, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errorsAs(err, &ee) || ee.ExitCode() != 4 || !strings.Contains(string(b), "no healthy trace of api-gateway http.server GET /api/cart found") {
		t.Errorf("no healthy trace: %v\n%s", err, b)
	}
}

func errorsAs(err error, target **exec.ExitError) bool {
	e, ok := err.(*exec.ExitError)
	if ok {
		*target = e
	}
	return ok
}
