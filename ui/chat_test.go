package ui

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	xansi "github.com/charmbracelet/x/ansi"

	"github.com/tracehound/tracehound/agent"
)

var chatSizes = [][2]int{{40, 12}, {100, 30}, {200, 60}}

func TestChatViewIsExactlyItsSize(t *testing.T) {
	c := newTestChat(t)
	check := func(what string) {
		t.Helper()
		for _, sz := range chatSizes {
			for _, focused := range []bool{true, false} {
				v := c.View(sz[0], sz[1], focused)
				chatCheckSize(t, v, sz[0], sz[1])
			}
		}
		_ = what
	}
	check("empty")
	for _, s := range chatScript() {
		for _, e := range s.events {
			c.Apply(e)
			if e.Kind != agent.EventTextDelta && e.Kind != agent.EventReasoningDelta {
				check(s.name)
			}
		}
		check(s.name)
		switch s.name {
		case "read awaiting", "patch awaiting":
			chatPress(t, c, "d")
			check(s.name + " deny")
			chatPress(t, c, "esc", "e")
			check(s.name + " edit")
			c.edit.SetValue("{")
			chatPress(t, c, "ctrl+s")
			check(s.name + " edit error")
			chatPress(t, c, "esc", "i")
			check(s.name + " typing")
			chatPress(t, c, "esc", "tab")
			check(s.name + " selected")
		case "streaming":
			chatPress(t, c, "r")
			check("reasoning expanded")
			chatPress(t, c, "esc")
			check("esc hint")
			chatPress(t, c, "r")
		}
	}
	// Degenerate chatSizes never panic and stay exact.
	for _, sz := range [][2]int{{1, 1}, {8, 2}, {12, 3}, {20, 5}, {3, 40}} {
		chatCheckSize(t, c.View(sz[0], sz[1], true), sz[0], sz[1])
	}
	if v := c.View(0, 3, true); v != "\n\n" {
		t.Errorf("0×3 view = %q", v)
	}
}

// A finished run offers follow-ups only when it can take them.
func TestChatFollowUpHint(t *testing.T) {
	for _, ok := range []bool{false, true} {
		c := newTestChat(t)
		c.SetFollowUps(ok)
		chatRunTo(t, c, "report")
		got := strings.Contains(plainScreen(c.View(100, 30, true)), "press i to ask a follow-up")
		if got != ok {
			t.Errorf("follow-ups %v: hint shown %v", ok, got)
		}
	}
}

func TestChatGoldenScreens(t *testing.T) {
	for _, tc := range []struct{ name, stage string }{
		{"chat_streaming", "streaming"},
		{"chat_approval", "patch awaiting"},
		{"chat_report", "report"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestChat(t)
			c.SetFollowUps(true) // a model's run (the offline analyzer takes none)
			chatRunTo(t, c, tc.stage)
			v := c.View(100, 30, true)
			chatCheckSize(t, v, 100, 30)
			golden(t, tc.name+".golden", v)
		})
	}
}

func TestChatApprovalChoicesAndKeys(t *testing.T) {
	awaiting := func(t *testing.T) *Chat {
		c := newTestChat(t)
		chatRunTo(t, c, "read awaiting")
		if p := c.Pending(); p == nil || p.ID != "call_2" {
			t.Fatalf("Pending() = %+v, want call_2", p)
		}
		return c
	}
	t.Run("choices shown", func(t *testing.T) {
		c := awaiting(t)
		s := plainScreen(c.View(100, 30, true))
		for _, want := range []string{"a approve once", "s session", "S all reads", "d deny", "e edit args", "awaiting approval", "╭─ ? read_file"} {
			if !strings.Contains(s, want) {
				t.Errorf("view lacks %q:\n%s", want, s)
			}
		}
		// At 48 columns (the agent pane at 80) the short forms still show
		// every choice.
		s = plainScreen(c.View(48, 12, true))
		if !strings.Contains(s, "a once · s session · S reads · d deny · e edit") {
			t.Errorf("narrow view lacks the choices:\n%s", s)
		}
	})
	t.Run("a approves once", func(t *testing.T) {
		c := awaiting(t)
		it := chatPress(t, c, "a")
		if it.Kind != IntentDecide || it.CallID != "call_2" || it.Decision.Kind != agent.ApproveOnce {
			t.Fatalf("a → %+v", it)
		}
		if c.Pending() != nil {
			t.Error("still pending after a decision")
		}
		if it := chatPress(t, c, "a"); it.Kind != IntentNone {
			t.Errorf("second a → %+v, want nothing (the run is going)", it)
		}
		if s := plainScreen(c.View(100, 30, true)); !strings.Contains(s, "approved") {
			t.Errorf("card does not say approved:\n%s", s)
		}
	})
	t.Run("s approves for the session", func(t *testing.T) {
		c := awaiting(t)
		if it := chatPress(t, c, "s"); it.Kind != IntentDecide || it.Decision.Kind != agent.ApproveSession || it.CallID != "call_2" {
			t.Fatalf("s → %+v", it)
		}
	})
	t.Run("S approves every read-only tool for the session", func(t *testing.T) {
		c := awaiting(t)
		it := chatPress(t, c, "S")
		if it.Kind != IntentDecide || it.Decision.Kind != agent.ApproveSession || it.Decision.Scope != agent.ScopeReadOnly || it.CallID != "call_2" {
			t.Fatalf("S → %+v", it)
		}
		if s := plainScreen(c.View(100, 30, true)); !strings.Contains(s, "every read-only tool") {
			t.Errorf("the card does not say what S approved:\n%s", s)
		}
	})
	t.Run("d asks for a reason", func(t *testing.T) {
		c := awaiting(t)
		if it := chatPress(t, c, "d"); it.Kind != IntentHandled || !c.Typing() {
			t.Fatalf("d → %+v, typing %v", it, c.Typing())
		}
		if s := plainScreen(c.View(100, 30, true)); !strings.Contains(s, "Deny read_file") || !strings.Contains(s, "reason ›") {
			t.Errorf("no reason input:\n%s", s)
		}
		chatType(c, "read the handler: a/s/d/e")
		if c.Pending() == nil {
			t.Fatal("typing the reason decided the call")
		}
		it := chatPress(t, c, "enter")
		want := agent.Decision{Kind: agent.Deny, Reason: "read the handler: a/s/d/e"}
		if it.Kind != IntentDecide || it.CallID != "call_2" || it.Decision.Kind != want.Kind || it.Decision.Reason != want.Reason {
			t.Fatalf("enter → %+v", it)
		}
		if c.Typing() {
			t.Error("reason input still open")
		}
	})
	t.Run("esc closes the reason", func(t *testing.T) {
		c := awaiting(t)
		chatPress(t, c, "d")
		chatType(c, "no")
		if it := chatPress(t, c, "esc"); it.Kind != IntentHandled || c.Typing() || c.Pending() == nil {
			t.Fatalf("esc → %+v typing %v pending %v", it, c.Typing(), c.Pending())
		}
	})
	t.Run("e edits the arguments", func(t *testing.T) {
		c := awaiting(t)
		chatPress(t, c, "e")
		if !c.Typing() {
			t.Fatal("e did not open the editor")
		}
		if v := c.edit.Value(); !strings.Contains(v, "\n  \"path\": \"payments/api/verify.py\",\n") {
			t.Fatalf("editor holds %q, want the arguments pretty-printed", v)
		}
		it := chatPress(t, c, "ctrl+s")
		if it.Kind != IntentDecide || it.Decision.Kind != agent.Edit {
			t.Fatalf("ctrl+s → %+v", it)
		}
		var want bytes.Buffer
		json.Compact(&want, []byte(`{"repo":"payments","path":"payments/api/verify.py","start_line":1,"end_line":60}`))
		if string(it.Decision.Args) != want.String() {
			t.Errorf("args %s, want %s", it.Decision.Args, want.String())
		}
	})
	t.Run("an edit that is not JSON is refused", func(t *testing.T) {
		c := awaiting(t)
		chatPress(t, c, "e")
		for _, bad := range []struct{ text, msg string }{
			{`{"repo": "payments", `, "not valid JSON"},
			{`["payments"]`, "must be a JSON object"},
		} {
			c.edit.SetValue(bad.text)
			if it := chatPress(t, c, "ctrl+s"); it.Kind != IntentHandled {
				t.Fatalf("%s accepted: %+v", bad.text, it)
			}
			if !c.Typing() || c.Pending() == nil {
				t.Fatal("the editor closed on invalid JSON")
			}
			if s := plainScreen(c.View(100, 30, true)); !strings.Contains(s, bad.msg) {
				t.Errorf("no %q error shown:\n%s", bad.msg, s)
			}
		}
		c.edit.SetValue(`{"repo":"payments","path":"payments/api/handler.py"}`)
		it := chatPress(t, c, "ctrl+s")
		if it.Kind != IntentDecide || string(it.Decision.Args) != `{"repo":"payments","path":"payments/api/handler.py"}` {
			t.Fatalf("valid edit → %+v (%s)", it, it.Decision.Args)
		}
	})
	t.Run("esc closes the editor", func(t *testing.T) {
		c := awaiting(t)
		chatPress(t, c, "e")
		if it := chatPress(t, c, "esc"); it.Kind != IntentHandled || c.Typing() || c.Pending() == nil {
			t.Fatalf("esc → %+v", it)
		}
	})
	t.Run("typing a message never answers", func(t *testing.T) {
		c := awaiting(t)
		chatPress(t, c, "i")
		chatType(c, "ads e")
		if c.Pending() == nil {
			t.Fatal("keys typed in the input decided the call")
		}
		if c.input.Value() != "ads e" {
			t.Errorf("input = %q", c.input.Value())
		}
		if s := plainScreen(c.View(100, 30, true)); !strings.Contains(s, "esc leave the input to answer") {
			t.Errorf("no hint to leave the input:\n%s", s)
		}
	})
	t.Run("enter opens the pending card", func(t *testing.T) {
		c := awaiting(t)
		if it := chatPress(t, c, "enter"); it.Kind != IntentDrill || it.CallID != "call_2" {
			t.Fatalf("enter → %+v", it)
		}
	})
	t.Run("the bell rings", func(t *testing.T) {
		c := newTestChat(t)
		chatRunTo(t, c, "answer done")
		st := chatScript()
		var cmd tea.Cmd
		for _, s := range st {
			if s.name == "read awaiting" {
				for _, e := range s.events {
					if got := c.Apply(e); e.Kind == agent.EventToolAwaiting {
						cmd = got
					} else if got != nil {
						t.Errorf("%v returned a command", e.Kind)
					}
				}
			}
		}
		if cmd == nil {
			t.Fatal("no command for an approval request")
		}
		if msg, ok := cmd().(tea.RawMsg); !ok || msg.Msg != "\a" {
			t.Errorf("command → %#v, want a raw BEL", cmd())
		}
	})
	t.Run("the pending card is scrolled into view", func(t *testing.T) {
		c := newTestChat(t)
		chatRunTo(t, c, "answer done")
		c.View(100, 20, true)
		chatPress(t, c, "g") // the user reads from the top
		for _, s := range chatScript() {
			if s.name == "read awaiting" {
				for _, e := range s.events {
					c.Apply(e)
				}
			}
		}
		if s := plainScreen(c.View(100, 20, true)); !strings.Contains(s, "╰────") || !strings.Contains(s, "╭─ ? read_file") {
			t.Errorf("pending card not in view:\n%s", s)
		}
	})
}

func TestChatDoubleXStops(t *testing.T) {
	now := chatT0
	c := newTestChat(t)
	c.now = func() time.Time { return now }
	if it := chatPress(t, c, "x", "x"); it.Kind != IntentNone {
		t.Fatalf("x x with no run → %+v", it)
	}
	chatRunTo(t, c, "step1")
	if it := chatPress(t, c, "x"); it.Kind != IntentHandled {
		t.Fatalf("first x → %+v", it)
	}
	if s := plainScreen(c.View(100, 30, true)); !strings.Contains(s, "press x again to stop the run") {
		t.Errorf("no x hint:\n%s", s)
	}
	now = now.Add(3 * time.Second)
	c.Tick()
	if s := plainScreen(c.View(100, 30, true)); strings.Contains(s, "press x again") {
		t.Errorf("x hint still shown after 3s:\n%s", s)
	}
	if it := chatPress(t, c, "x"); it.Kind != IntentHandled {
		t.Fatalf("x after 3s → %+v, want a new first x", it)
	}
	if it := chatPress(t, c, "j", "x"); it.Kind != IntentHandled {
		t.Fatalf("x j x → %+v, want nothing (another key came between)", it)
	}
	now = now.Add(500 * time.Millisecond)
	if it := chatPress(t, c, "x"); it.Kind != IntentCancel {
		t.Fatalf("x x within 2s → %+v, want cancel", it)
	}
	if s := plainScreen(c.View(100, 30, true)); !strings.Contains(s, "cancelling…") {
		t.Errorf("title does not say cancelling:\n%s", s)
	}
	// esc never stops the run: it leaves the input, then the card
	// selection, then the pane (the app's).
	c2 := newTestChat(t)
	chatRunTo(t, c2, "step1")
	chatPress(t, c2, "i")
	if it := chatPress(t, c2, "esc"); it.Kind != IntentHandled || c2.Typing() {
		t.Fatalf("i esc → %+v (typing %v), want the input left", it, c2.Typing())
	}
	if it := chatPress(t, c2, "esc", "esc"); it.Kind != IntentNone || c2.cancelling {
		t.Fatalf("esc esc → %+v (cancelling %v), want the key left to the app", it, c2.cancelling)
	}
}

func TestChatStartSendInterruptContinue(t *testing.T) {
	c := newTestChat(t)
	if s := plainScreen(c.View(100, 30, true)); !strings.Contains(s, "Press a to start the investigation") {
		t.Errorf("idle placeholder missing:\n%s", s)
	}
	if c.Running() {
		t.Fatal("running before any start")
	}
	if it := chatPress(t, c, "a"); it.Kind != IntentStart || it.Text != "" {
		t.Fatalf("a → %+v", it)
	}
	if !c.Running() {
		t.Error("not running after IntentStart")
	}
	if it := chatPress(t, c, "a"); it.Kind != IntentNone {
		t.Errorf("second a → %+v", it)
	}
	// A failed start (the app's notice, before any event of the run)
	// allows another.
	c.Notice("no model configured")
	if c.Running() {
		t.Error("still running after a start that failed")
	}
	if it := chatPress(t, c, "enter"); it.Kind != IntentStart {
		t.Errorf("enter on an idle pane → %+v", it)
	}

	c = newTestChat(t)
	chatPress(t, c, "i")
	chatType(c, "focus on payments")
	if it := chatPress(t, c, "enter"); it.Kind != IntentStart || it.Text != "focus on payments" {
		t.Fatalf("i … enter before a run → %+v", it)
	}

	c = newTestChat(t)
	chatRunTo(t, c, "step1")
	chatPress(t, c, "i")
	if it := chatPress(t, c, "enter"); it.Kind != IntentHandled || !c.Typing() {
		t.Fatalf("enter on an empty input → %+v", it)
	}
	chatType(c, "check orders too")
	if it := chatPress(t, c, "enter"); it.Kind != IntentSend || it.Text != "check orders too" {
		t.Fatalf("enter → %+v", it)
	}
	if c.Typing() {
		t.Error("input still focused after sending")
	}
	if s := plainScreen(c.View(100, 30, true)); !strings.Contains(s, "you — queued for the agent's next step") || !strings.Contains(s, "check orders too") {
		t.Errorf("queued message not shown:\n%s", s)
	}
	c.Apply(agent.Event{Kind: agent.EventUserMessage, Step: 2, Text: "check orders too"})
	if s := plainScreen(c.View(100, 30, true)); strings.Contains(s, "queued") || strings.Count(s, "check orders too") != 1 {
		t.Errorf("delivered message still queued or doubled:\n%s", s)
	}
	for _, k := range []string{"alt+enter", "ctrl+enter"} {
		chatPress(t, c, "i")
		chatType(c, "stop, wrong service")
		if it := chatPress(t, c, k); it.Kind != IntentInterrupt || it.Text != "stop, wrong service" {
			t.Fatalf("%s → %+v", k, it)
		}
	}

	c = newTestChat(t)
	chatRunTo(t, c, "root cause")
	s := plainScreen(c.View(100, 30, true))
	for _, want := range []string{"Root cause reported — press c to continue, or i to redirect", "root cause reported", "Root cause in payments payments/api/verify.py:12"} {
		if !strings.Contains(s, want) {
			t.Errorf("paused view lacks %q:\n%s", want, s)
		}
	}
	if it := chatPress(t, c, "c"); it.Kind != IntentContinue {
		t.Fatalf("c → %+v", it)
	}
	if it := chatPress(t, c, "c"); it.Kind != IntentNone {
		t.Errorf("second c → %+v", it)
	}
}

func TestChatFollowMode(t *testing.T) {
	c := newTestChat(t)
	chatRunTo(t, c, "call1 done")
	more := func(text string) {
		for _, e := range chatDeltas(agent.EventTextDelta, 7, text, 4) {
			c.Apply(e)
		}
	}
	more("First line of a new answer.\n\n")
	v := plainScreen(c.View(80, 14, true))
	if c.offset != c.total-c.vh || !strings.Contains(v, "First line of a new answer.") {
		t.Fatalf("not at the bottom: offset %d total %d vh %d\n%s", c.offset, c.total, c.vh, v)
	}
	more("Second paragraph arrives.\n\n")
	v = plainScreen(c.View(80, 14, true))
	if c.offset != c.total-c.vh || !strings.Contains(v, "Second paragraph arrives.") {
		t.Fatalf("did not follow new text:\n%s", v)
	}
	// Scrolled up: new text does not move the view.
	chatPress(t, c, "k", "k")
	v = c.View(80, 14, true)
	off := c.offset
	top := strings.Split(plainScreen(v), "\n")[1]
	more("Third paragraph, out of view.\n\nAnd a fourth.\n\n")
	v = c.View(80, 14, true)
	if c.offset != off || strings.Split(plainScreen(v), "\n")[1] != top {
		t.Fatalf("the view moved while scrolled up: offset %d → %d\n%s", off, c.offset, plainScreen(v))
	}
	if !strings.Contains(strings.Split(plainScreen(v), "\n")[0], "↓") {
		t.Errorf("title does not say there is more below:\n%s", plainScreen(v))
	}
	// Back at the bottom (j), it follows again.
	for range 20 {
		chatPress(t, c, "j")
	}
	more("Fifth, followed.\n\n")
	if v := plainScreen(c.View(80, 14, true)); !strings.Contains(v, "Fifth, followed.") {
		t.Fatalf("did not follow after scrolling back down:\n%s", v)
	}
	chatPress(t, c, "g")
	c.View(80, 14, true)
	if c.offset != 0 {
		t.Errorf("g: offset %d", c.offset)
	}
	chatPress(t, c, "G")
	more("Sixth.\n\n")
	if v := plainScreen(c.View(80, 14, true)); !strings.Contains(v, "Sixth.") {
		t.Fatalf("G did not turn following on:\n%s", v)
	}
}

func TestChatCardsAndDrill(t *testing.T) {
	c := newTestChat(t)
	chatRunTo(t, c, "step1")
	s := plainScreen(c.View(100, 30, true))
	if !strings.Contains(s, "⠋ get_error_event  a1b2c3d4") || !strings.Contains(s, "running") {
		t.Errorf("running card:\n%s", s)
	}
	c.Tick()
	if s := plainScreen(c.View(100, 30, true)); !strings.Contains(s, "⠙ get_error_event") {
		t.Errorf("spinner did not turn:\n%s", s)
	}
	if !c.Animating() {
		t.Error("not animating with a running card")
	}
	c = newTestChat(t)
	chatRunTo(t, c, "search failed")
	s = plainScreen(c.View(100, 60, true))
	for _, want := range []string{"✓ get_error_event  a1b2c3d4", "42ms", "… 30 more lines — enter to open",
		"⊘ read_file  payments payments/api/verify.py:1-60", "WARN denied by you: read the request handler instead",
		"✗ search_code  \"verify_signature(\"", "invalid regular expression: missing closing )"} {
		if !strings.Contains(s, want) {
			t.Errorf("view lacks %q:\n%s", want, s)
		}
	}
	if got, _ := c.Call("call_1"); got.Output != chatFortyLines() {
		t.Error("the full output was not kept")
	}
	// A denial is a warning, not an error.
	st := c.st
	errSGR := strings.TrimSuffix(st.Error.Render("x"), "x\x1b[m")
	for _, l := range strings.Split(c.View(100, 60, true), "\n") {
		if strings.Contains(l, "WARN denied") && errSGR != "" && strings.Contains(l, errSGR) {
			t.Errorf("denial styled as an error: %q", l)
		}
	}

	// tab selects cards in view, enter drills in.
	chatPress(t, c, "g")
	c.View(100, 60, true)
	chatPress(t, c, "tab")
	if c.selected != "call_1" {
		t.Fatalf("tab selected %q", c.selected)
	}
	it := chatPress(t, c, "enter")
	if it.Kind != IntentDrill || it.CallID != "call_1" || it.Node != "a1b2c3d4e5f60718" {
		t.Fatalf("enter → %+v", it)
	}
	chatPress(t, c, "tab")
	if c.selected != "call_2" {
		t.Errorf("tab → %q", c.selected)
	}
	if it := chatPress(t, c, "shift+tab"); it.Kind != IntentHandled || c.selected != "call_1" {
		t.Errorf("shift+tab → %+v %q", it, c.selected)
	}
	// The selection goes around: the pane keeps the focus (esc leaves).
	if it := chatPress(t, c, "shift+tab"); it.Kind != IntentHandled || c.selected != "call_3" {
		t.Errorf("shift+tab on the first card → %+v %q, want the last card", it, c.selected)
	}
	if it := chatPress(t, c, "tab"); it.Kind != IntentHandled || c.selected != "call_1" {
		t.Errorf("tab on the last card → %+v %q, want the first", it, c.selected)
	}
	if it := chatPress(t, c, "esc"); it.Kind != IntentHandled || c.selected != "" {
		t.Errorf("esc on a card → %+v %q, want the selection cleared", it, c.selected)
	}
	chatPress(t, c, "G")
	c.View(100, 60, true)
	if it := chatPress(t, c, "shift+tab"); it.Kind != IntentHandled || c.selected != "call_3" {
		t.Errorf("shift+tab at the bottom → %+v %q, want the last card", it, c.selected)
	}

	d := c.DrillFor("call_1")
	if d == nil || c.DrillFor("nope") != nil {
		t.Fatal("DrillFor")
	}
	v := d.View(80, 12)
	chatCheckSize(t, v, 80, 12)
	s = plainScreen(v)
	if !strings.Contains(s, "get_error_event  a1b2c3d4") || !strings.Contains(s, "Arguments") || !strings.Contains(s, `"id": "a1b2c3d4"`) {
		t.Errorf("drill top:\n%s", s)
	}
	d.Update(chatKey("G"))
	s = plainScreen(d.View(80, 12))
	if !strings.Contains(s, "frame 40") || strings.Contains(s, "Arguments") {
		t.Errorf("G did not reach the end:\n%s", s)
	}
	d.Update(chatKey("g"))
	d.Update(chatKey("j"))
	if d.offset != 1 {
		t.Errorf("j: offset %d", d.offset)
	}
	d.Update(chatKey("pgdown"))
	if d.offset != 10 {
		t.Errorf("pgdown: offset %d, want 10 (a page of 10 lines, less one)", d.offset)
	}
	d.Update(chatKey("pgup"))
	d.Update(chatKey("k"))
	if d.offset != 0 {
		t.Errorf("pgup k: offset %d", d.offset)
	}
	d.Update(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if d.offset != 3 {
		t.Errorf("wheel: offset %d", d.offset)
	}
	for _, sz := range chatSizes {
		chatCheckSize(t, d.View(sz[0], sz[1]), sz[0], sz[1])
	}
	chatCheckSize(t, d.View(5, 2), 5, 2)
	if d.Closed() {
		t.Fatal("closed early")
	}
	d.Update(chatKey("q"))
	if !d.Closed() {
		t.Error("q did not close")
	}
}

func TestChatPatchApprovalCard(t *testing.T) {
	c := newTestChat(t)
	chatRunTo(t, c, "patch awaiting")
	v := c.View(100, 40, true)
	st := c.st
	for _, want := range []string{
		st.OK.Render("+    raw = request.get_data(cache=True)"),
		st.Error.Bold(false).Render("-    digest = hmac.new(KEY, body, sha256).hexdigest()"),
		st.Info.Render("@@ -10,6 +10,7 @@ def verify_signature(body, header):"),
	} {
		if !strings.Contains(v, want) {
			t.Errorf("diff line not coloured: %q", xansi.Strip(want))
		}
	}
	// The run ends while a call waits: it shows as not run.
	c.Apply(agent.Event{Kind: agent.EventFinished, Text: "cancelled"})
	s := plainScreen(c.View(100, 40, true))
	if c.Pending() != nil || !strings.Contains(s, "◌ propose_patch") || !strings.Contains(s, "Run ended: cancelled.") {
		t.Errorf("after the end:\n%s", s)
	}
}

func TestChatReasoningAndUsage(t *testing.T) {
	c := newTestChat(t)
	chatRunTo(t, c, "streaming")
	s := plainScreen(c.View(100, 40, true))
	if !strings.Contains(s, "▸ reasoning (78 chars, r to expand) Check what the digest is computed over.") {
		t.Errorf("collapsed reasoning:\n%s", s)
	}
	if strings.Contains(s, "The frames point at verify_signature.") {
		t.Errorf("collapsed reasoning shows more than its last line:\n%s", s)
	}
	chatPress(t, c, "r")
	s = plainScreen(c.View(100, 40, true))
	if !strings.Contains(s, "▾ reasoning") || !strings.Contains(s, "The frames point at verify_signature.") {
		t.Errorf("expanded reasoning:\n%s", s)
	}
	c = newTestChat(t)
	chatRunTo(t, c, "answer done")
	title := strings.Split(plainScreen(c.View(100, 30, true)), "\n")[0]
	if !strings.HasSuffix(title, "12.3k / 128k tokens") {
		t.Errorf("title %q", title)
	}
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1k", 12345: "12.3k", 99999: "100k", 128000: "128k", 131072: "131k", 1_050_000: "1.1M"} {
		if got := formatTokens(n); got != want {
			t.Errorf("formatTokens(%d) = %q, want %q", n, got, want)
		}
	}
}

// chatSGR matches the escape sequences the pane may print: SGR.
var chatSGR = regexp.MustCompile("\x1b\\[[0-9;:]*m")

func TestChatShowsEscapesAsText(t *testing.T) {
	c := newTestChat(t)
	evil := "\x1b[31mred\x1b[0m \x1b]0;pwned\a \x1b[2J\x9b31m \u202eabc\r\n"
	c.Apply(agent.Event{Kind: agent.EventReasoningDelta, Step: 1, Text: "thinking " + evil})
	c.Apply(agent.Event{Kind: agent.EventTextDelta, Step: 1, Text: "Look: " + evil + "\n\nsee [docs](http://example.com/\x1b[2J)\n\n```\n" + evil + "```\n"})
	cl := &agent.Call{ID: "x", Name: "get\x1b[1m_event", Args: json.RawMessage(`{"id":"\u001b[31mab"}`), Output: "out " + evil, Node: "n"}
	c.Apply(agent.Event{Kind: agent.EventToolProposed, Step: 1, Call: cl})
	c.Apply(agent.Event{Kind: agent.EventToolDone, Step: 1, Call: cl})
	c.Apply(agent.Event{Kind: agent.EventUserMessage, Step: 2, Text: "user " + evil})
	c.Apply(agent.Event{Kind: agent.EventError, Step: 2, Err: "error " + evil})
	r := chatReport()
	r.Title = "title " + evil
	c.Apply(agent.Event{Kind: agent.EventReport, Step: 2, Report: r})
	chatPress(t, c, "r")
	for _, v := range []string{c.View(100, 200, true), c.DrillFor("x").View(100, 40)} {
		rest := chatSGR.ReplaceAllString(v, "")
		if i := strings.IndexAny(rest, "\x1b\a\r\u009b"); i >= 0 {
			t.Fatalf("raw control character in the view at %d: %q", i, rest[max(i-20, 0):min(i+20, len(rest))])
		}
		s := xansi.Strip(v)
		if !strings.Contains(s, `\x1b[31mred`) {
			t.Errorf("the escape does not show as text:\n%s", s)
		}
	}
	s := xansi.Strip(c.View(100, 200, true))
	for _, want := range []string{`thinking \x1b[31mred`, `get\x1b[1m_event`, `out \x1b[31mred`, `user \x1b[31mred`, `error \x1b[31mred`, `\u202eabc`, `title \x1b[31mred`} {
		if !strings.Contains(s, want) {
			t.Errorf("view lacks %q", want)
		}
	}
}

func TestChatManyDeltasRenderIncrementally(t *testing.T) {
	c := newTestChat(t)
	c.Apply(agent.Event{Kind: agent.EventPhase, Phase: agent.PhaseRootCause})
	text := longMarkdown(40)
	events := chatDeltas(agent.EventTextDelta, 1, text, len(text)/500)
	if len(events) < 500 {
		t.Fatalf("%d deltas", len(events))
	}
	for _, e := range events {
		c.Apply(e)
		chatCheckSize(t, c.View(100, 30, true), 100, 30)
	}
	// Each delta renders at most the tail and one new chunk: never the whole
	// text again.
	if c.md.calls > 2*len(events) {
		t.Errorf("%d renders for %d deltas", c.md.calls, len(events))
	}
	if c.md.bytes > 12*len(text) {
		t.Errorf("rendered %d bytes of markdown for a %d-byte text over %d deltas (a full render each time would be ~%d)",
			c.md.bytes, len(text), len(events), len(text)*len(events)/2)
	}
	// Views without new text render nothing.
	calls := c.md.calls
	for range 50 {
		c.View(100, 30, true)
		c.Tick()
	}
	if c.md.calls != calls {
		t.Errorf("idle views rendered markdown %d times", c.md.calls-calls)
	}
	// The result is the markdown of the whole text.
	got := normLines(c.items[len(c.items)-1].md.lines(&c.md, 100, true))
	var r mdRenderer
	want := normLines(r.render(cleanText(text), 100, true))
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("incremental render differs from a full render:\n--- incremental\n%s\n--- full\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestChatKeysLeftToTheApp(t *testing.T) {
	c := newTestChat(t)
	chatRunTo(t, c, "call1 done")
	c.View(100, 30, true)
	for _, k := range []string{"j", "k", "pgup", "pgdown", "g", "G", "r", "ctrl+u", "ctrl+d"} {
		if it := chatPress(t, c, k); it.Kind != IntentHandled {
			t.Errorf("%s → %v, want handled", k, it.Kind)
		}
	}
	// Keys the pane does not use are the app's (quit, help, panes, copy).
	for _, k := range []string{"q", "?", "1", "2", "3", "z", "y", "o", "e", "d", "s"} {
		if it := chatPress(t, c, k); it.Kind != IntentNone || c.Typing() {
			t.Errorf("%s → %v (typing %v), want it left to the app", k, it.Kind, c.Typing())
		}
	}
	// A run the app started elsewhere (not by IntentStart) is running too.
	c = newTestChat(t)
	c.Apply(agent.Event{Kind: agent.EventStepDone, Text: "started"})
	if !c.Running() {
		t.Error("not running after the app's start")
	}
	c = newTestChat(t)
	c.Started()
	if !c.Running() || chatPress(t, c, "a").Kind != IntentNone {
		t.Error("Started")
	}
	// A replayed transcript (text, results, phases, up to its end) is not
	// a running run.
	c = newTestChat(t)
	c.Apply(agent.Event{Kind: agent.EventTextDelta, Text: "earlier answer"})
	c.Apply(agent.Event{Kind: agent.EventStepDone})
	c.Apply(agent.Event{Kind: agent.EventPhase, Phase: agent.PhaseSolution})
	c.Apply(agent.Event{Kind: agent.EventFinished, Text: "interrupted before it finished; it can go on"})
	c.Notice("resumed: press a to continue the investigation")
	if c.Running() {
		t.Error("a replay made the pane think a run is going")
	}
	if it := chatPress(t, c, "a"); it.Kind != IntentStart {
		t.Errorf("a after a replay → %v", it.Kind)
	}
}

func TestChatErrorsSayWhatToDo(t *testing.T) {
	view := func(c *Chat) string { return plainScreen(c.View(100, 40, true)) }
	c := newTestChat(t)
	chatPress(t, c, "a")
	c.Apply(agent.Event{Kind: agent.EventError, Err: "no model: set OPENAI_API_KEY or run with --offline"})
	if s := view(c); !strings.Contains(s, "✗ no model: set OPENAI_API_KEY") || !strings.Contains(s, "Fix this, then press a to try again.") {
		t.Errorf("start failure:\n%s", s)
	}

	c = newTestChat(t)
	chatRunTo(t, c, "step1")
	c.Apply(agent.Event{Kind: agent.EventError, Step: 1, Err: "rate limited; retrying in 2s"})
	if s := view(c); !strings.Contains(s, "The run goes on; press i to tell the agent how to proceed.") {
		t.Errorf("error during the run:\n%s", s)
	}
	c.Apply(agent.Event{Kind: agent.EventUsage, Step: 1, Usage: &agent.Usage{ContextTokens: 1}})
	c.Apply(agent.Event{Kind: agent.EventError, Step: 1, Err: "the model step failed: 500"})
	c.Apply(agent.Event{Kind: agent.EventFinished, Step: 1, Text: "the model step failed; the run can be resumed"})
	s := view(c)
	for _, want := range []string{"The run stopped. `tracehound resume` lists saved investigations", "Run ended: the model step failed; the run can be resumed."} {
		if !strings.Contains(s, want) {
			t.Errorf("error that ended the run: no %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "The run goes on") || strings.Count(s, "The run stopped") != 1 {
		t.Errorf("stale hints after the end:\n%s", s)
	}
}

func TestChatPasteAndTheme(t *testing.T) {
	c := newTestChat(t)
	chatRunTo(t, c, "read awaiting")
	// A paste goes to the input, never to the approval keys.
	c.Update(tea.PasteMsg{Content: "asd"})
	if !c.Typing() || c.input.Value() != "asd" || c.Pending() == nil {
		t.Fatalf("paste: typing %v value %q pending %v", c.Typing(), c.input.Value(), c.Pending() != nil)
	}
	chatPress(t, c, "esc")
	dark := c.View(100, 30, true)
	c.SetStyles(NewStyles(false))
	light := c.View(100, 30, true)
	chatCheckSize(t, light, 100, 30)
	if light == dark {
		t.Error("the light theme looks the same")
	}
	if plainScreen(light) != plainScreen(dark) {
		t.Errorf("the text changed with the theme:\n%s\n---\n%s", plainScreen(dark), plainScreen(light))
	}
}

func TestChatCallIDReusedByALaterRun(t *testing.T) {
	c := newTestChat(t)
	chatRunTo(t, c, "call1 done")
	c.Apply(agent.Event{Kind: agent.EventFinished, Text: "finished"})
	again := &agent.Call{ID: "call_1", Name: "get_trace_tree", Args: json.RawMessage(`{}`)}
	c.Apply(agent.Event{Kind: agent.EventToolProposed, Call: again})
	c.Apply(agent.Event{Kind: agent.EventToolRunning, Call: again})
	s := plainScreen(c.View(100, 60, true))
	if !strings.Contains(s, "✓ get_error_event") || !strings.Contains(s, "get_trace_tree") {
		t.Errorf("the earlier card was overwritten:\n%s", s)
	}
}

// The offline analyzer takes no messages: the paused and running pane
// does not offer a redirect it would ignore, and i says why.
func TestChatOfflineOffersNoRedirect(t *testing.T) {
	c := newOfflineChat(t)
	chatRunTo(t, c, "step1")
	s := plainScreen(c.View(100, 30, true))
	if strings.Contains(s, "i message") || strings.Contains(s, "redirect") {
		t.Errorf("the offline analyzer's run offers a message:\n%s", s)
	}
	if it := chatPress(t, c, "i"); it.Kind != IntentHandled || c.Typing() {
		t.Fatalf("i → %+v (typing %v), want a note and no input", it, c.Typing())
	}
	if s := plainScreen(c.View(100, 30, true)); !strings.Contains(s, "cannot take messages") {
		t.Errorf("i does not say why:\n%s", s)
	}
	c.Apply(agent.Event{Kind: agent.EventPhase, Phase: agent.PhaseSolution})
	if s := plainScreen(c.View(100, 30, true)); strings.Contains(s, "redirect") || !strings.Contains(s, "press c to continue") {
		t.Errorf("paused offline run:\n%s", s)
	}
}

// TestChatWaitingAndNotices: while the model has not sent its first
// token the title says how long the run has waited; notices (a stalled
// step retried, context compacted, a report read from prose) are lines.
func TestChatWaitingAndNotices(t *testing.T) {
	c := newTestChat(t)
	c.Apply(agent.Event{Kind: agent.EventStepDone, Text: "started"})
	c.Apply(agent.Event{Kind: agent.EventWaiting, Step: 1, Text: "waiting for the model… 15 s"})
	title := strings.Split(plainScreen(c.View(100, 20, true)), "\n")[0]
	if !strings.Contains(title, "waiting for the model… 15 s") {
		t.Errorf("title %q", title)
	}
	c.Apply(agent.Event{Kind: agent.EventNotice, Step: 1, Text: "the model sent nothing for 60s — retrying the step once"})
	s := plainScreen(c.View(100, 20, true))
	if strings.Contains(strings.Split(s, "\n")[0], "waiting") || !strings.Contains(s, "note: the model sent nothing for 60s — retrying the step once") {
		t.Errorf("after a notice:\n%s", s)
	}
	c.Apply(agent.Event{Kind: agent.EventWaiting, Step: 2, Text: "waiting for the model… 5 s"})
	c.Apply(agent.Event{Kind: agent.EventTextDelta, Step: 2, Text: "Looking"})
	if title := strings.Split(plainScreen(c.View(100, 20, true)), "\n")[0]; strings.Contains(title, "waiting") {
		t.Errorf("the first token did not end the wait: %q", title)
	}
}
