package ui

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	xansi "github.com/charmbracelet/x/ansi"

	"github.com/tracehound/tracehound/agent"
	"github.com/tracehound/tracehound/agent/llmtest"
	"github.com/tracehound/tracehound/demo"
	"github.com/tracehound/tracehound/investigation"
	"github.com/tracehound/tracehound/sentryapi"
	"github.com/tracehound/tracehound/sentryapi/local"
	"github.com/tracehound/tracehound/tracetree"
)

// appHarness drives the top-level model as the Bubble Tea runtime would:
// commands run in goroutines and their messages come back through Update,
// one at a time. Ticks are dropped (animation only), so screens are
// deterministic.
type appHarness struct {
	t    *testing.T
	m    *Model
	msgs chan tea.Msg
	done chan struct{}
	w, h int
}

func newAppHarness(t *testing.T, cfg Config, w, h int) *appHarness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	a := &appHarness{t: t, m: New(ctx, cfg), msgs: make(chan tea.Msg, 256), done: make(chan struct{}), w: w, h: h}
	t.Cleanup(func() {
		cancel()
		a.m.close()
		close(a.done)
	})
	a.deliver(tea.WindowSizeMsg{Width: w, Height: h})
	a.run(a.m.Init())
	return a
}

func (a *appHarness) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		msg := cmd()
		select {
		case a.msgs <- msg:
		case <-a.done:
		}
	}()
}

func (a *appHarness) deliver(msg tea.Msg) {
	switch msg := msg.(type) {
	case nil, tickMsg:
	case tea.BatchMsg:
		for _, c := range msg {
			a.run(c)
		}
	default:
		_, cmd := a.m.Update(msg)
		a.run(cmd)
	}
}

// until processes messages until cond holds.
func (a *appHarness) until(what string, cond func() bool) {
	a.t.Helper()
	deadline := time.After(20 * time.Second)
	for !cond() {
		select {
		case msg := <-a.msgs:
			a.deliver(msg)
		case <-deadline:
			a.t.Fatalf("timed out waiting for %s; the screen:\n%s", what, a.screen())
		}
	}
}

// untilScreen waits until the screen shows s.
func (a *appHarness) untilScreen(s string) {
	a.t.Helper()
	a.until("the screen to show "+s, func() bool { return strings.Contains(a.screen(), s) })
}

// settle processes the messages that arrive within a short while.
func (a *appHarness) settle() {
	for {
		select {
		case msg := <-a.msgs:
			a.deliver(msg)
		case <-time.After(150 * time.Millisecond):
			return
		}
	}
}

func (a *appHarness) press(keys ...string) {
	for _, k := range keys {
		a.deliver(chatKey(k))
	}
}

func (a *appHarness) typeText(s string) {
	for _, r := range s {
		a.deliver(tea.KeyPressMsg(tea.Key{Code: r, Text: string(r)}))
	}
}

func (a *appHarness) raw() string { return a.m.View().Content }

// screen is the view without styles, trailing spaces trimmed.
func (a *appHarness) screen() string { return plainScreen(a.raw()) }

// demoConfig opens the demo incident through the fake Sentry, with the
// demo's repositories, and the offline analyzer as the model; with
// changes to the investigation's options.
func demoConfig(t testing.TB, change ...func(*investigation.Options)) Config {
	t.Helper()
	srv, err := local.New(demo.Dataset())
	if err != nil {
		t.Fatal(err)
	}
	c, err := sentryapi.New(sentryapi.Options{BaseURL: "http://dataset.test", Org: demo.OrgSlug, Transport: srv.Transport()})
	if err != nil {
		t.Fatal(err)
	}
	opts := investigation.Options{
		Source: investigation.Source{
			Client: c, Label: demo.Label, Dataset: demo.Dataset(), Demo: true,
			Target: sentryapi.Target{Kind: sentryapi.TargetShortID, Issue: demo.IssueShortID},
		},
		CacheDir:           t.TempDir(),
		Model:              investigation.ModelConfig{Offline: true},
		PauseBetweenPhases: true,
		Header:             agent.TranscriptHeader{Target: demo.IssueShortID},
	}
	for _, f := range change {
		f(&opts)
	}
	return Config{
		Source: "demo data", Demo: true,
		Open: func(ctx context.Context, progress Progress) (*investigation.Investigation, error) {
			progress.Step("fetching issue " + demo.IssueShortID)
			opts := opts
			opts.Progress = progress.Step
			return investigation.Open(ctx, opts)
		},
	}
}

// askReadOnly is the explorer's --ask-read-only.
func askReadOnly(o *investigation.Options) { o.Policy.AskReadOnly = true }

// checkScreen fails unless the view is exactly w×h cells and carries no
// escape sequence but SGR styles.
func (a *appHarness) checkScreen(what string) {
	a.t.Helper()
	v := a.raw()
	lines := strings.Split(v, "\n")
	if len(lines) != a.h {
		a.t.Fatalf("%s: %d lines on a %d-line terminal:\n%s", what, len(lines), a.h, a.screen())
	}
	for i, l := range lines {
		if got := xansi.StringWidth(l); got != a.w {
			a.t.Fatalf("%s: line %d is %d cells on a %d-cell terminal: %q", what, i, got, a.w, xansi.Strip(l))
		}
	}
	if bad := nonSGR.FindString(v); bad != "" {
		a.t.Fatalf("%s: the screen carries the escape sequence %q", what, bad)
	}
	for _, r := range xansi.Strip(v) {
		if r < 0x20 && r != '\n' || r == 0x7f {
			a.t.Fatalf("%s: control character %U on screen", what, r)
		}
	}
}

// nonSGR matches any escape sequence but an SGR colour/style one.
var nonSGR = regexp.MustCompile(`\x1b(?:\[[0-9;:]*[A-Za-ln-z@]|[^\[]|\[[^0-9;:mA-Za-z@]|$)`)

func TestAppOpensOnTheIssueEvent(t *testing.T) {
	a := newAppHarness(t, demoConfig(t), 140, 45)
	a.untilScreen("Exception")
	a.checkScreen("start")
	golden(a.t, "app_start_140x45.txt", a.raw())
	s := a.screen()
	for _, want := range []string{
		"DEMO DATA",                               // never passes for real data
		"STOREFRONT-4Z",                           // the issue
		"▶ ✗ Error: POST /api/checkout",           // its event, on the focus path
		"✗ *signing.VerificationErr",              // the deepest error, visible in the tree
		"apiFetch in app:///src/api/client.ts:12", // the event's crash site in the detail pane
		"Press a to start the investigation",
		"e next error",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("the first screen lacks %q:\n%s", want, s)
		}
	}
	if sel := a.m.tree.Selected(); sel == nil || !sel.Focus {
		t.Errorf("selected %v, want the issue's event", sel)
	}
}

func TestAppNavigatesTreeToDetail(t *testing.T) {
	a := newAppHarness(t, demoConfig(t), 140, 45)
	a.untilScreen("Exception")

	// e walks the errors; the detail pane follows.
	seen := map[string]bool{}
	for i := 0; i < 6; i++ {
		a.press("e")
		n := a.m.tree.Selected()
		if n.Kind != tracetree.KindError && n.Kind != tracetree.KindOccurrence {
			t.Fatalf("e selected a %v", n.Kind)
		}
		seen[n.ID] = true
	}
	if len(seen) < 4 {
		t.Errorf("e visited %d errors", len(seen))
	}

	// The filter finds the auth error; its stack trace shows.
	a.press("/")
	a.typeText("signature")
	a.press("enter")
	a.untilScreen("(*Verifier).Verify in github.com/acme/auth-service/internal/signing/verify.go:71")
	a.checkScreen("filtered")
	if !strings.Contains(a.screen(), "/ signature") || !strings.Contains(a.screen(), "matches") {
		t.Errorf("the filter is not shown:\n%s", a.screen())
	}
	a.press("esc")
	if a.m.tree.filter != "" {
		t.Errorf("esc did not clear the filter")
	}

	// A transaction shows its spans, and its profile on the next tab.
	n, err := a.m.in.Tree.Resolve("3766ca99")
	if err != nil || !a.m.tree.selectNode(n) {
		t.Fatal("no payments transaction in the tree")
	}
	a.run(a.m.selectionChanged())
	a.untilScreen("critical path")
	a.press("[") // around to the last tab: Spans, Error (its ServiceAuthError), Profile
	a.untilScreen("Call tree")
	a.checkScreen("profile")
	golden(a.t, "app_profile_140x45.txt", a.raw())
	if !strings.Contains(a.screen(), "_jaccard") && !strings.Contains(a.screen(), "score_transaction") {
		t.Errorf("the profile lacks the hot path:\n%s", a.screen())
	}

	// Collapse and expand.
	before := len(a.m.tree.rows)
	a.press("g", "h")
	if len(a.m.tree.rows) >= before {
		t.Errorf("h on the root did not collapse it (%d rows, before %d)", len(a.m.tree.rows), before)
	}
	a.press("l")
	if len(a.m.tree.rows) != before {
		t.Errorf("l did not expand it back (%d rows, want %d)", len(a.m.tree.rows), before)
	}
}

func TestAppHelpZoomAndTinyTerminal(t *testing.T) {
	a := newAppHarness(t, demoConfig(t), 100, 30)
	a.untilScreen("Exception")
	a.checkScreen("100×30")
	golden(a.t, "app_start_100x30.txt", a.raw())
	a.press("?")
	s := a.screen()
	for _, want := range []string{"tracehound — keys", "next error", "1 Trace pane"} {
		if !strings.Contains(s, want) {
			t.Errorf("help lacks %q:\n%s", want, s)
		}
	}
	a.checkScreen("help")
	golden(a.t, "app_help_100x30.txt", a.raw())
	for range 60 {
		a.press("j")
		s += a.screen()
	}
	for _, want := range []string{"2 Detail pane", "3 Agent pane", "approve", "Marks in the tree"} {
		if !strings.Contains(s, want) {
			t.Errorf("the help, scrolled through, lacks %q:\n%s", want, s)
		}
	}
	a.press("esc")
	a.press("2", "z")
	a.checkScreen("zoomed")
	if s := a.screen(); strings.Contains(s, "1 Trace") || !strings.Contains(s, "2 Detail") {
		t.Errorf("z did not zoom the detail pane:\n%s", s)
	}
	a.press("z")

	a.deliver(tea.WindowSizeMsg{Width: 50, Height: 12})
	a.w, a.h = 50, 12
	a.checkScreen("tiny")
	if s := a.screen(); !strings.Contains(s, "needs at least") || !strings.Contains(s, "80×20") {
		t.Errorf("tiny terminal:\n%s", s)
	}
	a.deliver(tea.WindowSizeMsg{Width: 200, Height: 60})
	a.w, a.h = 200, 60
	a.checkScreen("200×60")
	golden(a.t, "app_start_200x60.txt", a.raw())
	if s := a.screen(); !strings.Contains(s, "1 Trace") || !strings.Contains(s, "3 Agent") {
		t.Errorf("200×60:\n%s", s)
	}
}

func TestAppLoadFailureSaysWhatToDo(t *testing.T) {
	cfg := Config{Source: "sentry.io", Open: func(ctx context.Context, progress Progress) (*investigation.Investigation, error) {
		progress.Step("fetching issue ACME-1")
		return nil, errors.New("sentry: 401 Unauthorized: Invalid token \x1b]0;pwned\x07")
	}}
	a := newAppHarness(t, cfg, 100, 30)
	a.untilScreen("Could not load the incident")
	a.checkScreen("load failure")
	s := a.screen()
	if !strings.Contains(s, "401 Unauthorized") || !strings.Contains(s, "Press q to quit") {
		t.Errorf("load failure:\n%s", s)
	}
}

// The whole investigation with the offline analyzer, asking before every
// tool: approve, continue through the phases, drill into a result, read
// the report.
func TestAppOfflineInvestigation(t *testing.T) {
	cfg := demoConfig(t, askReadOnly)
	a := newAppHarness(t, cfg, 140, 45)
	a.untilScreen("Exception")
	a.press("a")
	a.untilScreen("awaiting approval")
	a.checkScreen("approval")
	golden(a.t, "app_approval_140x45.txt", a.raw())
	if a.m.focus != paneChat {
		t.Errorf("the chat is not focused while a call waits")
	}
	s := a.screen()
	if !strings.Contains(s, "offline analyzer (heuristic, not an LLM)") || !strings.Contains(s, "a approve once") {
		t.Errorf("approval screen:\n%s", s)
	}
	if strings.Contains(s, "tokens") {
		t.Errorf("a token count for the offline analyzer:\n%s", s)
	}
	a.press("s") // this tool for the session
	phases := 0
	for !a.m.finished {
		a.until("an approval, a phase or the end", func() bool {
			return a.m.finished || a.m.chat.Pending() != nil || (a.m.chat.paused != "" && a.m.chat.running)
		})
		a.checkScreen("during the run")
		switch {
		case a.m.finished:
		case a.m.chat.Pending() != nil:
			a.press("s")
		default:
			phases++
			if !strings.Contains(a.screen(), "press c to continue") {
				t.Errorf("paused without saying how to go on:\n%s", a.screen())
			}
			a.press("c")
		}
	}
	if phases != 2 {
		t.Errorf("%d phase pauses, want 2 (root cause, solution)", phases)
	}
	a.untilScreen("final report")
	a.checkScreen("report")
	if s := a.screen(); !strings.Contains(s, "not an LLM") || !strings.Contains(s, "Investigation of STOREFRONT-4Z") {
		t.Errorf("the report:\n%s", s)
	}
	// Drill into the first tool card.
	a.press("g", "tab", "enter")
	if a.m.drill == nil {
		t.Fatalf("enter on a card opened nothing:\n%s", a.screen())
	}
	a.checkScreen("drill")
	a.press("esc")
	if a.m.drill != nil {
		t.Errorf("esc did not close the drill-in view")
	}
	// q quits at once when the run is over.
	a.deliver(chatKey("q"))
}

// Escape sequences in event data never reach the terminal from the tree,
// the title or the detail pane.
func TestAppSanitisesEventData(t *testing.T) {
	cfg := demoConfig(t)
	open := cfg.Open
	cfg.Open = func(ctx context.Context, progress Progress) (*investigation.Investigation, error) {
		inv, err := open(ctx, progress)
		if err == nil {
			in := inv.Incident()
			in.Issue.Title = "evil \x1b[2J\x1b]8;;http://x\x07title"
			for _, n := range in.Tree.Nodes {
				n.Name += " \x1b]0;owned\x07\x1b[31m"
			}
		}
		return inv, err
	}
	a := newAppHarness(t, cfg, 140, 45)
	a.untilScreen("Exception")
	a.checkScreen("escapes in names")
	if !strings.Contains(a.screen(), `evil \x1b[2J`) {
		t.Errorf("the escape in the title is not shown as text:\n%s", a.screen())
	}
}

// A model behind a scripted OpenAI-compatible server: streamed text shows
// as it arrives, a denial's reason reaches the model, a message typed
// mid-run redirects the next step, the phases pause, and the report ends
// it.
func TestAppScriptedModel(t *testing.T) {
	slow := "The payments service answers 500 because auth-service rejects its signature; the release of auth-service changed the canonical request."
	hasUser := func(r llmtest.Request, text string) bool {
		for _, m := range r.Messages {
			if m.Role == "user" && strings.Contains(m.Content, text) {
				return true
			}
		}
		return false
	}
	srv := llmtest.NewServer(t,
		llmtest.Reasoning("The checkout error is the symptom; start with the deepest error.").
			Text("Let me open the auth error.").
			Tool("get_error_event", `{"id":"214e70f1"}`),
		llmtest.Text(slow).Pace(40*time.Millisecond).Expect(func(r llmtest.Request) error {
			m, ok := r.ToolResult("call_1_0")
			if !ok || !strings.Contains(m.Content, "look at the payments spans first") {
				return fmt.Errorf("the denial's reason did not reach the model: %+v", m)
			}
			return nil
		}).Tool("get_transaction_spans", `{"id":"3766ca99"}`),
		llmtest.Tool("report_root_cause", `{"summary":"auth-service signs a different canonical request since 2.14.0","service":"auth-service","file":"internal/signing/canonical.go","function":"CanonicalRequest","explanation":"The query string is now part of the string to sign.","confidence":"high","evidence":[],"causal_chain":[]}`).
			Expect(func(r llmtest.Request) error {
				if !hasUser(r, "check the auth-service release") {
					return fmt.Errorf("the user's redirect did not reach the model: %+v", r.Messages)
				}
				return nil
			}),
		llmtest.Tool("finish", `{"notes":["verify in staging"]}`),
	)
	cfg := demoConfig(t, askReadOnly, func(o *investigation.Options) {
		o.Model = investigation.ModelConfig{OpenAI: agent.ModelConfig{BaseURL: srv.URL(), APIKey: "test-key", Model: "gpt-test"}}
	})
	a := newAppHarness(t, cfg, 140, 45)
	a.untilScreen("Exception")
	a.press("a")
	a.untilScreen("awaiting approval")
	if s := a.screen(); !strings.Contains(s, "Let me open the auth error.") || !strings.Contains(s, "get_error_event") {
		t.Errorf("before the first approval:\n%s", s)
	}
	// Deny with a reason.
	a.press("d")
	a.typeText("look at the payments spans first")
	a.press("enter")
	// The next answer streams slowly: part of it shows before the end.
	a.untilScreen("The payments service answers 500")
	if strings.Contains(a.screen(), "changed the canonical") {
		t.Errorf("the streamed text appeared all at once, not as it arrived")
	}
	// Redirect while it streams: the message waits for the next step.
	a.press("i")
	a.typeText("check the auth-service release")
	a.press("enter")
	a.untilScreen("the canonical request.")
	if s := a.screen(); strings.Contains(s, "queued for the agent") &&
		strings.Index(s, "check the auth-service release") < strings.Index(s, "the canonical request.") {
		t.Errorf("the queued message split the streamed text instead of waiting below it:\n%s", s)
	}
	a.until("the spans call to wait", func() bool { return a.m.chat.Pending() != nil })
	a.press("a")
	a.until("the root-cause pause", func() bool { return a.m.chat.paused != "" && a.m.chat.running })
	if s := a.screen(); !strings.Contains(s, "root cause reported") || !strings.Contains(s, "tokens") {
		t.Errorf("at the root cause (a model's run shows its token count):\n%s", s)
	}
	a.press("c")
	a.until("the end", func() bool { return a.m.finished })
	a.untilScreen("final report")
	a.checkScreen("model report")
	if got := len(srv.Requests()); got != 4 {
		t.Errorf("%d model requests, want 4", got)
	}
	for _, r := range srv.Requests() {
		for _, m := range r.Messages {
			if strings.Contains(m.Content, "test-key") {
				t.Errorf("the API key reached the conversation")
			}
		}
	}
	if !strings.Contains(a.screen(), "press i to ask a follow-up") {
		t.Errorf("a model's finished run does not offer follow-ups:\n%s", a.screen())
	}
}

// With NO_COLOR the selection must not rely on a background colour: the
// selected tree row is in reverse video, and only it.
func TestAppNoColorSelection(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	a := newAppHarness(t, demoConfig(t), 140, 45)
	a.untilScreen("Exception")
	reverse := regexp.MustCompile(`\x1b\[(?:[0-9;]*;)?7(?:;[0-9;]*)?m`)
	var rows []string
	for _, l := range strings.Split(a.raw(), "\n") {
		if reverse.MatchString(l) && !strings.Contains(l, "DEMO DATA") {
			rows = append(rows, xansi.Strip(l))
		}
	}
	if len(rows) != 1 || !strings.Contains(rows[0], "Error: POST /api/checkout") {
		t.Errorf("rows in reverse video: %q, want the selected issue event only", rows)
	}
	// The span waterfall's selected row too.
	a.press("h")
	a.press("2")
	a.untilScreen("critical path")
	a.press("j")
	// The focused waterfall's row is in reverse video; the tree's (no
	// longer focused) selection is underlined.
	var rev, under []string
	underline := regexp.MustCompile(`\x1b\[(?:[0-9;]*;)?4(?:;[0-9;]*)?m`)
	for _, l := range strings.Split(a.raw(), "\n") {
		if reverse.MatchString(l) && !strings.Contains(l, "DEMO DATA") {
			rev = append(rev, xansi.Strip(l))
		}
		if underline.MatchString(l) {
			under = append(under, xansi.Strip(l))
		}
	}
	if len(rev) != 1 || !strings.Contains(rev[0], "ms") {
		t.Errorf("rows in reverse video: %q, want the waterfall's selected row", rev)
	}
	if !slices.ContainsFunc(under, func(l string) bool { return strings.Contains(l, "▶ ui.action.click /checkout") }) {
		t.Errorf("underlined rows: %q, want the tree's selection among them", under)
	}
}

// Live mode (serve --tui): new data reloads the incident, keeping the
// selection, until the agent starts; then it only says so.
func TestAppLiveReload(t *testing.T) {
	cfg := demoConfig(t)
	var mu sync.Mutex
	loads := 0
	open := cfg.Open
	cfg.Open = func(ctx context.Context, progress Progress) (*investigation.Investigation, error) {
		mu.Lock()
		loads++
		mu.Unlock()
		return open(ctx, progress)
	}
	count := func() int { mu.Lock(); defer mu.Unlock(); return loads }
	updates := make(chan struct{}, 1)
	cfg.Updates = updates
	a := newAppHarness(t, cfg, 140, 45)
	a.untilScreen("Exception")
	a.press("k") // move the selection off the issue's event
	before := a.m.tree.Selected().ID
	updates <- struct{}{}
	a.until("the reload", func() bool { return count() == 2 && !a.m.reloading })
	if s := a.screen(); !strings.Contains(s, "Live: new data — STOREFRONT-4Z's trace has 11 transactions and 5 errors.") {
		t.Errorf("no word of the reload:\n%s", s)
	}
	if got := a.m.tree.Selected().ID; got != before {
		t.Errorf("the selection moved from %s to %s", before, got)
	}
	// R reloads by hand.
	a.press("R")
	a.until("the manual reload", func() bool { return count() == 3 && !a.m.reloading })
	// Once the agent has started, new data does not pull the rug.
	a.press("a")
	a.until("the agent to start", func() bool { return a.m.started })
	updates <- struct{}{}
	a.untilScreen("New data arrived")
	a.settle()
	if count() != 3 {
		t.Errorf("reloaded under a running agent (%d loads)", count())
	}
}
