// Package e2e drives the real tracehound binary in a tmux session, as a
// person would: keys in with send-keys, the screen read back with
// capture-pane. The tests skip when tmux is not installed, unless
// TRACEHOUND_E2E_REQUIRE_TMUX is set (.ci/run installs tmux and sets it).
package e2e

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tracehound/tracehound/agent/llmtest"
)

// built is the binary, compiled once per test binary run (each test's own
// build linked it again: seconds a test on a busy machine); TestMain
// removes its directory.
var built struct {
	once     sync.Once
	dir, bin string
	out      []byte
	err      error
}

// build compiles the binary once per test binary run and returns its path.
func build(t testing.TB) string {
	t.Helper()
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "tracehound-e2e-"); built.err != nil {
			return
		}
		built.bin = filepath.Join(built.dir, "tracehound")
		built.out, built.err = exec.Command("go", "build", "-o", built.bin, "../cmd/tracehound").CombinedOutput()
	})
	if built.err != nil {
		t.Fatalf("go build: %v\n%s", built.err, built.out)
	}
	return built.bin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

var sockets atomic.Int64

// term is one tmux session on its own server socket.
type term struct {
	t      *testing.T
	socket string
}

// start runs command in a detached w×h tmux session with env added.
func start(t *testing.T, w, h int, env []string, command string) *term {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("TRACEHOUND_E2E_REQUIRE_TMUX") != "" {
			t.Fatal("tmux is not installed, and TRACEHOUND_E2E_REQUIRE_TMUX says these tests must run")
		}
		t.Skip("tmux is not installed")
	}
	tm := &term{t: t, socket: fmt.Sprintf("tracehound-e2e-%d-%d", os.Getpid(), sockets.Add(1))}
	args := []string{"-f", "/dev/null", "new-session", "-d", "-s", "e2e", "-x", fmt.Sprint(w), "-y", fmt.Sprint(h)}
	for _, e := range env {
		args = append(args, "-e", e)
	}
	// The shell prints the exit status and lingers after the program ends,
	// so a crash can be read and quitting can be checked.
	args = append(args, command+`; echo "[exited $?]"; sleep 30`)
	tm.run(args...)
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", tm.socket, "kill-server").Run() })
	return tm
}

func (tm *term) run(args ...string) string {
	tm.t.Helper()
	cmd := exec.Command("tmux", append([]string{"-L", tm.socket}, args...)...)
	cmd.Env = append(os.Environ(), "TERM=xterm-256color")
	out, err := cmd.CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (tm *term) screen() string { return tm.run("capture-pane", "-p", "-t", "e2e") }

// keys sends tmux key names (Enter, Escape, Tab) or literal strings.
func (tm *term) keys(keys ...string) {
	tm.t.Helper()
	tm.run(append([]string{"send-keys", "-t", "e2e"}, keys...)...)
}

// text types s literally.
func (tm *term) text(s string) {
	tm.t.Helper()
	tm.run("send-keys", "-t", "e2e", "-l", s)
}

// waitFor polls the screen until ok says yes, and fails with the screen
// after the deadline.
func (tm *term) waitFor(what string, ok func(string) bool) string {
	tm.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := tm.screen()
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("timed out waiting for %s; the screen:\n%s", what, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitText waits for every one of texts to be on the screen.
func (tm *term) waitText(texts ...string) string {
	tm.t.Helper()
	return tm.waitFor(fmt.Sprintf("%q", texts), func(s string) bool {
		for _, x := range texts {
			if !strings.Contains(s, x) {
				return false
			}
		}
		return true
	})
}

// line is the screen line containing s ("" when none).
func line(screen, s string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

// stateEnv keeps saved sessions in the test's own directory.
func stateEnv(t *testing.T) []string {
	return []string{"XDG_STATE_HOME=" + t.TempDir(), "NO_COLOR=", "TRACEHOUND_MODEL=", "OPENAI_API_KEY=", "OPENAI_BASE_URL="}
}

// TestDemoOffline is the README's first experience: the demo incident,
// walked with the keyboard, investigated by the offline analyzer.
func TestDemoOffline(t *testing.T) {
	bin := build(t)
	tm := start(t, 140, 45, stateEnv(t), bin+" --demo --offline --ask-read-only")

	// The tree, the error selected and its stack trace open.
	s := tm.waitText("1 Trace", "STOREFRONT-4Z", "DEMO DATA", "Exception")
	if !strings.Contains(line(s, "✗ Error: POST /api/checkout"), "▶") {
		t.Errorf("the issue's event is not marked on its path:\n%s", s)
	}
	if !strings.Contains(s, "? help") || !strings.Contains(s, "a agent") {
		t.Errorf("the status bar does not say which keys to press:\n%s", s)
	}

	// To the backend error with the filter; its stack trace shows the
	// suspect line in auth-service.
	tm.keys("/")
	tm.text("signature")
	tm.keys("Enter")
	s = tm.waitText("matches, n/N", "signature mismatch", "verify.go:71")
	if !strings.Contains(s, "→ 71") {
		t.Errorf("the suspect line is not marked:\n%s", s)
	}
	// h goes up to the error's transaction: its span waterfall.
	tm.keys("h")
	tm.waitText("Spans", "critical path")

	// The agent: the offline analyzer, each call approved by hand.
	tm.keys("a")
	s = tm.waitText("offline analyzer (heuristic, not an LLM)", "awaiting approval")
	if !strings.Contains(s, "a approve once") {
		t.Errorf("the pending approval does not say its keys:\n%s", s)
	}
	// Each step waits for the line that asked (the pending card's title,
	// the pause's prompt) to change, so no key is pressed twice.
	asked := func(s string) string {
		if l := line(s, "─ ? "); l != "" {
			return l
		}
		return line(s, "press c to continue")
	}
	approvals, pauses := 0, 0
	for {
		s = tm.waitFor("an approval, a pause or the end", func(s string) bool {
			return asked(s) != "" || strings.Contains(s, "final report")
		})
		if strings.Contains(s, "final report") {
			break
		}
		q := asked(s)
		switch {
		case strings.Contains(q, "press c to continue"):
			pauses++
			if pauses > 3 {
				t.Fatalf("more pauses than phases:\n%s", s)
			}
			tm.keys("c")
		case approvals == 0:
			approvals++
			tm.keys("a") // approve once
		default:
			approvals++
			tm.keys("s") // approve this tool for the session
		}
		tm.waitFor("the key to take effect", func(n string) bool { return asked(n) != q })
	}
	if approvals == 0 || pauses != 2 {
		t.Errorf("%d approvals and %d pauses, want some and 2 (root cause, solution)", approvals, pauses)
	}
	// The report is shown as soon as it arrives; the run's end follows it.
	s = tm.waitFor("the run to finish", func(s string) bool {
		return strings.Contains(s, "Agent finished") && strings.Contains(s, "phase done")
	})
	// The finished pane opens on the report, whose summary names the root
	// cause; its end (G) says how to hand the investigation off.
	tm.keys("3")
	s = tm.waitText("final report", "CanonicalRequest")
	tm.keys("G")
	tm.waitText("Hand it off", "--as")

	// Drill into a result: from the top, tab selects the first card (the
	// storefront error the analyzer opened first), enter opens it in full
	// and the tree follows; esc comes back with the detail pane on it.
	if strings.Contains(s, "event c92dbb7c") {
		t.Fatalf("the detail pane already shows the first error; the drill-in would prove nothing:\n%s", s)
	}
	tm.keys("g", "Tab", "Enter")
	s = tm.waitText("▌ get_error_event", "q/esc close")
	if !strings.Contains(s, "Arguments") || !strings.Contains(s, "c92dbb7c") {
		t.Errorf("the drill-in does not show the call's arguments and result:\n%s", s)
	}
	tm.keys("Escape")
	tm.waitText("1 Trace", "event c92dbb7c")

	// q quits (the run is over: no confirmation needed).
	tm.keys("q")
	tm.waitText("[exited 0]")
}

// TestScriptedModel runs the binary against a scripted OpenAI-compatible
// server: the stream shows as it arrives, a denial's reason reaches the
// model, and a message typed while it streams steers the next step.
func TestScriptedModel(t *testing.T) {
	bin := build(t)
	slow := "The payments service answers 500 because auth-service rejects its signature; the canonical request of auth-service changed in its last release."
	srv := llmtest.NewServer(t,
		llmtest.Text("Let me open the auth error.").Tool("get_error_event", `{"id":"214e70f1"}`),
		llmtest.Text(slow).Pace(60*time.Millisecond).Expect(func(r llmtest.Request) error {
			if m, ok := r.ToolResult("call_1_0"); !ok || !strings.Contains(m.Content, "spans first") {
				return fmt.Errorf("the denial's reason did not reach the model: %+v", m)
			}
			return nil
		}).Tool("get_transaction_spans", `{"id":"3766ca99"}`),
		llmtest.Tool("report_root_cause", `{"summary":"auth-service signs a different canonical request since 2.14.0","service":"auth-service","file":"internal/signing/canonical.go","function":"CanonicalRequest","explanation":"The query string is now part of the string to sign.","confidence":"high","evidence":[],"causal_chain":[]}`).
			Expect(func(r llmtest.Request) error {
				for _, m := range r.Messages {
					if m.Role == "user" && strings.Contains(m.Content, "check the release") {
						return nil
					}
				}
				return fmt.Errorf("the redirect did not reach the model")
			}),
		llmtest.Tool("finish", `{"notes":["verify in staging"]}`),
	)
	env := append(stateEnv(t), "OPENAI_BASE_URL="+srv.URL(), "OPENAI_API_KEY=test-key", "TRACEHOUND_MODEL=gpt-test")
	tm := start(t, 140, 45, env, bin+" --demo --ask-read-only")
	tm.waitText("STOREFRONT-4Z", "Exception")
	tm.keys("a")
	tm.waitText("Agent · gpt-test", "Let me open the auth error.", "get_error_event", "awaiting approval")

	// Deny with a reason.
	tm.keys("d")
	tm.text("look at the payments spans first")
	tm.keys("Enter")
	s := tm.waitText("The payments service answers 500")
	if strings.Contains(s, "its last release.") {
		t.Errorf("the streamed answer appeared all at once:\n%s", s)
	}
	if !strings.Contains(s, "denied") {
		t.Errorf("the denied call is not shown as denied:\n%s", s)
	}
	// Redirect while it streams.
	tm.keys("i")
	tm.text("check the release")
	tm.keys("Enter")
	tm.waitText("queued for the agent")
	tm.waitText("last release.", "get_transaction_spans", "awaiting approval")
	tm.keys("a")
	tm.waitText("root cause reported", "press c to continue")
	tm.keys("c")
	s = tm.waitText("final report", "Agent finished")
	if !strings.Contains(s, "tokens") {
		t.Errorf("a model's run shows no token count:\n%s", s)
	}
	if got := len(srv.Requests()); got != 4 {
		t.Errorf("%d model requests, want 4", got)
	}
	tm.keys("q")
	tm.waitText("[exited 0]")
}

// TestServeTUI: `serve --tui` waits for the first error, opens the
// explorer on it, and follows newer issues as they arrive.
func TestServeTUI(t *testing.T) {
	bin := build(t)
	port := freePort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	tm := start(t, 140, 40, stateEnv(t), fmt.Sprintf("%s serve --tui web --addr 127.0.0.1:%d --db %s", bin, port, filepath.Join(t.TempDir(), "db")))
	s := tm.waitText("waiting for the first error event")
	m := regexp.MustCompile(`SENTRY_DSN=http://([0-9a-f]+)@`).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no DSN on screen:\n%s", s)
	}
	send := func(id, typ string) {
		t.Helper()
		env := fmt.Sprintf("{}\n{\"type\":\"event\"}\n{\"event_id\":%q,\"platform\":\"go\",\"exception\":{\"values\":[{\"type\":%q,\"value\":\"it broke\",\"stacktrace\":{\"frames\":[{\"function\":\"handle\",\"module\":\"main\",\"filename\":\"main.go\",\"lineno\":7,\"in_app\":true}]}}]},\"contexts\":{\"trace\":{\"trace_id\":\"%032x\",\"span_id\":\"1111222233334444\"}}}\n", id, typ, len(typ))
		req, _ := http.NewRequest(http.MethodPost, base+"/api/1/envelope/", strings.NewReader(env))
		req.Header.Set("X-Sentry-Auth", "Sentry sentry_key="+m[1]+", sentry_version=7")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("posting: %d", resp.StatusCode)
		}
	}
	send("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "FirstError")
	tm.waitText("WEB-1", "FirstError: it broke", "1 Trace")
	send("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "SecondError")
	tm.waitText("WEB-2", "SecondError: it broke")
	tm.keys("q")
	tm.waitText("[exited 0]")
}

// statusLine is the screen's last non-empty line (the status bar).
func statusLine(screen string) string {
	lines := strings.Split(strings.TrimRight(screen, "\n "), "\n")
	return lines[len(lines)-1]
}

// TestSmallTerminal is issue 17's 80×24 walk: the status bar keeps ? and
// q, the help scrolls to the legend of the marks, the agent pane keeps
// its title, tab stays in the agent pane (esc leaves it), and the quit
// confirmation disarms after another key and after its few seconds.
func TestSmallTerminal(t *testing.T) {
	bin := build(t)
	tm := start(t, 80, 24, stateEnv(t), bin+" --demo --offline --ask-read-only")
	s := tm.waitText("1 Trace", "2 Detail", "3 Agent", "Exception")
	if st := statusLine(s); !strings.Contains(st, "? help") || !strings.Contains(st, "q quit") {
		t.Errorf("at 80×24 the status bar drops ? help or q quit: %q", st)
	}

	// The help fits, scrolls, and ends with the legend.
	tm.keys("?")
	s = tm.waitText("tracehound — keys", "? or esc closes", "more lines")
	tm.keys("G")
	s = tm.waitText("Marks in the tree and the waterfall", "◆", "◀")
	for _, want := range []string{"▶ ", "✗ ", "⚠ ", "◆ ", "◀ "} {
		if !strings.Contains(s, want) {
			t.Errorf("the help's end lacks %q:\n%s", want, s)
		}
	}
	tm.keys("Escape")
	tm.waitText("1 Trace", "Exception")

	// The agent pane keeps its title once the run starts.
	tm.keys("a")
	s = tm.waitText("3 Agent · offline analyzer", "awaiting approval")

	// tab moves through the cards and stays in the pane: the status bar
	// keeps offering the agent's keys; esc twice (the card, then the
	// pane) goes back to the tree, whose keys it then offers.
	tm.keys("Tab")
	tm.waitText("card 1 of 1")
	tm.keys("Tab")
	s = tm.waitText("card 1 of 1", "awaiting approval")
	if st := statusLine(s); !strings.Contains(st, "a approve") {
		t.Errorf("tab left the agent pane: %q", st)
	}
	tm.keys("Escape")
	tm.waitFor("esc to clear the card selection", func(s string) bool { return !strings.Contains(s, "card 1 of 1") })
	if st := statusLine(tm.screen()); !strings.Contains(st, "a approve") {
		t.Errorf("the first esc left the agent pane: %q", st)
	}
	tm.keys("Escape")
	tm.waitFor("esc to leave the agent pane", func(s string) bool { return strings.Contains(statusLine(s), "/ filter") })

	// q asks (the agent waits for an approval); another key disarms it.
	tm.keys("q")
	s = tm.waitText("q again quits", "waits for your approval")
	tm.keys("j")
	tm.waitFor("another key to disarm the quit", func(s string) bool { return !strings.Contains(s, "q again quits") })
	// q asks again, and its few seconds pass.
	tm.keys("q")
	tm.waitText("q again quits")
	tm.waitFor("the confirmation to end by itself", func(s string) bool { return !strings.Contains(s, "q again quits") })
	// q q quits.
	tm.keys("q")
	tm.waitText("q again quits")
	tm.keys("q")
	tm.waitText("[exited 0]")
}

// TestFailedLoad: an unknown issue fails the load; the screen marks the
// step ✗, the error stays readable after the screen closes, and the
// process exits non-zero.
func TestFailedLoad(t *testing.T) {
	bin := build(t)
	tm := start(t, 80, 24, stateEnv(t), bin+" --demo NOPE-1")
	s := tm.waitText("Could not load the incident", "NOPE-1")
	if !strings.Contains(s, "✗ fetching") || strings.Contains(s, "✓ fetching") {
		t.Errorf("the failed step is not marked ✗:\n%s", s)
	}
	tm.keys("q")
	s = tm.waitFor("the process to exit", func(s string) bool { return strings.Contains(s, "[exited") })
	if strings.Contains(s, "[exited 0]") {
		t.Errorf("a failed load exits 0:\n%s", s)
	}
	if !strings.Contains(s, "tracehound: could not load the incident") || !strings.Contains(s, "NOPE-1") {
		t.Errorf("the error is not readable after the screen closed:\n%s", s)
	}
}
