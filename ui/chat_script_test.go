package ui

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	xansi "github.com/charmbracelet/x/ansi"

	"github.com/tracehound/tracehound/agent"
)

// The scripted investigation the chat tests feed the pane, in stages.

var chatT0 = time.Date(2026, 3, 14, 9, 26, 0, 0, time.UTC)

type chatStage struct {
	name   string
	events []agent.Event
}

func chatEv(kind agent.EventKind, step int, f func(*agent.Event)) agent.Event {
	e := agent.Event{Kind: kind, Step: step, Time: chatT0.Add(time.Duration(step) * time.Second)}
	if f != nil {
		f(&e)
	}
	return e
}

// deltas splits text into deltas of n bytes.
func chatDeltas(kind agent.EventKind, step int, text string, n int) []agent.Event {
	var out []agent.Event
	for len(text) > 0 {
		k := min(n, len(text))
		out = append(out, chatEv(kind, step, func(e *agent.Event) { e.Text = text[:k] }))
		text = text[k:]
	}
	return out
}

func chatCall(id, name, args string, f func(*agent.Call)) *agent.Call {
	c := &agent.Call{ID: id, Name: name, Args: json.RawMessage(args)}
	if f != nil {
		f(c)
	}
	return c
}

func chatToolEv(kind agent.EventKind, step int, c *agent.Call) agent.Event {
	cp := *c
	return chatEv(kind, step, func(e *agent.Event) { e.Call = &cp })
}

func chatFortyLines() string {
	var b strings.Builder
	b.WriteString("error a1b2c3d4 · payments · ValueError: signature mismatch\n")
	for i := 2; i <= 40; i++ {
		fmt.Fprintf(&b, "  frame %02d  payments/api/verify.py:%d in verify_signature\n", i, 100+i)
	}
	return b.String()
}

const chatAnswer = "The checkout error is a **signature mismatch** raised in `payments`.\n\n" +
	"The verifier compares the header with a digest of the body:\n\n" +
	"```python\n" +
	"def verify_signature(body, header):\n" +
	"    digest = hmac.new(KEY, body, sha256).hexdigest()\n" +
	"    return hmac.compare_digest(digest, header)\n" +
	"```\n\n" +
	"Since orders 7.0.0 the body is re-serialised before it is signed, so:\n\n" +
	"1. the digest no longer matches;\n" +
	"2. every checkout fails with a 502.\n\n" +
	"I will read the handler next.\n"

const chatPatchDiff = "payments: 1 file, +2 −1\n" +
	"  M payments/api/verify.py  +2 −1\n" +
	"On approval: one commit \"Verify the raw body\" on a new branch tracehound/payments-1ab-verify from main (3f2a1bc).\n" +
	"\n" +
	"diff --git a/payments/api/verify.py b/payments/api/verify.py\n" +
	"--- a/payments/api/verify.py\n" +
	"+++ b/payments/api/verify.py\n" +
	"@@ -10,6 +10,7 @@ def verify_signature(body, header):\n" +
	"     if header is None:\n" +
	"         raise MissingSignature()\n" +
	"-    digest = hmac.new(KEY, body, sha256).hexdigest()\n" +
	"+    raw = request.get_data(cache=True)\n" +
	"+    digest = hmac.new(KEY, raw, sha256).hexdigest()\n" +
	"     return hmac.compare_digest(digest, header)\n"

func chatReport() *agent.Report {
	return &agent.Report{
		Analyzer: "llm", Model: "gpt-test", Issue: "PAYMENTS-1AB", Title: "ValueError: signature mismatch", TraceID: "4bf92f3577b34da6",
		Summary: "Checkout fails because payments verifies the signature over a re-serialised body since orders 7.0.0.",
		RootCause: &agent.RootCause{Service: "payments", Repo: "payments", File: "payments/api/verify.py", Line: 12, Function: "verify_signature",
			Explanation: "The digest is computed over the parsed and re-serialised JSON, not the raw bytes the sender signed.", Confidence: "high",
			Evidence: []agent.Evidence{{Kind: "error", Ref: "a1b2c3d4", Detail: "ValueError: signature mismatch in verify_signature"}}},
		Chain: []agent.ChainStep{
			{Service: "orders", What: "7.0.0 re-orders the JSON keys before sending"},
			{Service: "payments", What: "the signature check fails and returns 401"},
			{Service: "checkout", What: "shows a 502 to the user"},
		},
		Solution: []string{"Verify the signature over the raw request body.", "Add a test with re-ordered keys."},
		Patch:    &agent.PatchInfo{Repo: "payments", Explanation: "Verify the raw body", Diff: "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-old\n+new", Applied: true, Branch: "tracehound/payments-1ab-verify", Commit: "9c1d2e3"},
		Notes:    []string{"The orders change was not reverted."},
	}
}

// script is the investigation, chatStage by chatStage: the tests stop after the
// chatStage they look at.
func chatScript() []chatStage {
	c1 := chatCall("call_1", "get_error_event", `{"id":"a1b2c3d4"}`, nil)
	c2 := chatCall("call_2", "read_file", `{"repo":"payments","path":"payments/api/verify.py","start_line":1,"end_line":60}`, func(c *agent.Call) { c.ReadOnly = true })
	c3 := chatCall("call_3", "search_code", `{"query":"verify_signature(","regex":true}`, func(c *agent.Call) { c.ReadOnly = true })
	c4 := chatCall("call_4", "report_root_cause", `{"service":"payments","file":"payments/api/verify.py","summary":"…","explanation":"…"}`, func(c *agent.Call) { c.ReadOnly = true })
	c5 := chatCall("call_5", "propose_patch", `{"repo":"payments","diff":"--- a/payments/api/verify.py\n+++ …","explanation":"Verify the raw body\n\nThe sender signs the raw bytes."}`, func(c *agent.Call) { c.Preview = chatPatchDiff })

	var st []chatStage
	add := func(name string, events ...agent.Event) { st = append(st, chatStage{name, events}) }
	add("start", chatEv(agent.EventPhase, 0, func(e *agent.Event) { e.Phase = agent.PhaseRootCause }))
	step1 := append(chatDeltas(agent.EventReasoningDelta, 1, "The user sees a 502 at checkout.\nThe connected error in payments is the deepest one; start there.\n", 9),
		chatDeltas(agent.EventTextDelta, 1, "I'll start with the connected error in **payments**.\n", 7)...)
	step1 = append(step1,
		chatEv(agent.EventUsage, 1, func(e *agent.Event) {
			e.Usage = &agent.Usage{PromptTokens: 9876, CompletionTokens: 120, ContextTokens: 9876, ContextWindow: 128000}
		}),
		chatEv(agent.EventStepDone, 1, nil),
		chatToolEv(agent.EventToolProposed, 1, c1),
		chatToolEv(agent.EventToolRunning, 1, c1))
	add("step1", step1...)
	c1.Output, c1.ModelOutput, c1.Node, c1.Duration = chatFortyLines(), chatFortyLines(), "a1b2c3d4e5f60718", 42*time.Millisecond
	add("call1 done", chatToolEv(agent.EventToolDone, 1, c1))
	reasoning := chatDeltas(agent.EventReasoningDelta, 2, "The frames point at verify_signature.\nCheck what the digest is computed over.\n", 11)
	half := strings.Index(chatAnswer, "return hmac")
	add("streaming", append(reasoning, chatDeltas(agent.EventTextDelta, 2, chatAnswer[:half], 5)...)...)
	add("answer done", append(chatDeltas(agent.EventTextDelta, 2, chatAnswer[half:], 5),
		chatEv(agent.EventUsage, 2, func(e *agent.Event) {
			e.Usage = &agent.Usage{PromptTokens: 12345, CompletionTokens: 300, ContextTokens: 12345, ContextWindow: 128000}
		}),
		chatEv(agent.EventStepDone, 2, nil))...)
	add("read awaiting", chatToolEv(agent.EventToolProposed, 2, c2), chatToolEv(agent.EventToolAwaiting, 2, c2))
	c2.Reason = "read the request handler instead"
	add("read denied", chatToolEv(agent.EventToolDenied, 2, c2),
		chatEv(agent.EventUserMessage, 3, func(e *agent.Event) { e.Text = "look at the handler, not the verifier" }))
	c3.Reason = "invalid regular expression: missing closing )"
	add("search failed", chatToolEv(agent.EventToolProposed, 3, c3), chatToolEv(agent.EventToolRunning, 3, c3), chatToolEv(agent.EventToolFailed, 3, c3))
	add("root cause", chatToolEv(agent.EventToolProposed, 4, c4), chatToolEv(agent.EventToolRunning, 4, c4),
		chatEv(agent.EventPhase, 4, func(e *agent.Event) {
			r := chatReport()
			r.Solution, r.Patch, r.Notes = nil, nil, nil
			e.Phase, e.Report = agent.PhaseSolution, r
		}))
	c4.Output, c4.Duration = "Root cause recorded.", 3*time.Millisecond
	add("patch awaiting", chatToolEv(agent.EventToolDone, 4, c4),
		chatEv(agent.EventError, 5, func(e *agent.Event) { e.Err = "the model returned an empty answer; retrying" }),
		chatToolEv(agent.EventToolProposed, 5, c5), chatToolEv(agent.EventToolAwaiting, 5, c5))
	c5.Output, c5.Duration = "Committed 9c1d2e3 on tracehound/payments-1ab-verify.", 1200*time.Millisecond
	add("report", chatToolEv(agent.EventToolRunning, 5, c5), chatToolEv(agent.EventToolDone, 5, c5),
		chatEv(agent.EventPhase, 6, func(e *agent.Event) { e.Phase = agent.PhaseDone }),
		chatEv(agent.EventReport, 6, func(e *agent.Event) { e.Report = chatReport() }),
		chatEv(agent.EventFinished, 6, func(e *agent.Event) { e.Text = "finished" }))
	return st
}

// newTestChat is a chat on a fixed clock.
func newTestChat(t testing.TB) *Chat {
	t.Helper()
	c := NewChat(NewStyles(true))
	c.now = func() time.Time { return chatT0.Add(10 * time.Second) }
	c.SetFollowUps(true) // a model's run, which takes messages
	return c
}

// newOfflineChat is a chat pane for the offline analyzer, which takes no
// messages.
func newOfflineChat(t testing.TB) *Chat {
	c := newTestChat(t)
	c.SetFollowUps(false)
	return c
}

// runTo applies the script up to and including the named chatStage.
func chatRunTo(t testing.TB, c *Chat, name string) {
	t.Helper()
	for _, s := range chatScript() {
		for _, e := range s.events {
			c.Apply(e)
		}
		if s.name == name {
			return
		}
	}
	if name != "" {
		t.Fatalf("no chatStage %q", name)
	}
}

// keyMsg builds a key press from its name: "a", "enter", "alt+enter",
// "ctrl+s", "shift+tab", "G".
func chatKey(s string) tea.KeyPressMsg {
	var k tea.Key
	name := s
	for {
		switch {
		case strings.HasPrefix(name, "ctrl+") && len(name) > 5:
			k.Mod |= tea.ModCtrl
			name = name[5:]
			continue
		case strings.HasPrefix(name, "alt+") && len(name) > 4:
			k.Mod |= tea.ModAlt
			name = name[4:]
			continue
		case strings.HasPrefix(name, "shift+") && len(name) > 6:
			k.Mod |= tea.ModShift
			name = name[6:]
			continue
		}
		break
	}
	codes := map[string]rune{"enter": tea.KeyEnter, "esc": tea.KeyEscape, "tab": tea.KeyTab, "up": tea.KeyUp, "down": tea.KeyDown,
		"pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown, "home": tea.KeyHome, "end": tea.KeyEnd, "space": tea.KeySpace, "backspace": tea.KeyBackspace}
	if r, ok := codes[name]; ok {
		k.Code = r
		return tea.KeyPressMsg(k)
	}
	r := []rune(name)[0]
	k.Code = r
	if k.Mod == 0 {
		k.Text = name
	}
	return tea.KeyPressMsg(k)
}

func chatPress(t testing.TB, c *Chat, keys ...string) Intent {
	t.Helper()
	var it Intent
	for _, k := range keys {
		it, _ = c.Update(chatKey(k))
	}
	return it
}

func chatType(c *Chat, s string) {
	for _, r := range s {
		c.Update(tea.KeyPressMsg(tea.Key{Code: r, Text: string(r)}))
	}
}

// screen is a view without styles, trailing spaces trimmed.
// checkSize fails unless view is exactly w×h cells.
func chatCheckSize(t testing.TB, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Fatalf("%d×%d: view has %d lines:\n%s", w, h, len(lines), plainScreen(view))
	}
	for i, l := range lines {
		if got := xansi.StringWidth(l); got != w {
			t.Fatalf("%d×%d: line %d is %d cells wide: %q", w, h, i, got, xansi.Strip(l))
		}
	}
}
