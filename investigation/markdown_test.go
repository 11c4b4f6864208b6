package investigation

import (
	"strings"
	"testing"

	"github.com/tracehound/tracehound/agent"
)

// The chat renders as markdown from the same items, with authors and
// decisions, and nothing unsafe from the run reaches it.
func TestMarkdown(t *testing.T) {
	var r Reducer
	call := &agent.Call{ID: "c1", Name: agent.ToolSearchCode, Args: []byte(`{"query":"verify"}`)}
	for _, e := range []agent.Event{
		{Kind: agent.EventPhase, Phase: agent.PhaseRootCause},
		{Kind: agent.EventUserMessage, Text: "check payments", By: "ana"},
		{Kind: agent.EventReasoningDelta, Step: 1, Text: "scratch"},
		{Kind: agent.EventTextDelta, Step: 1, Text: "The token is Bearer abcdef0123456789abcdef0123456789 \x1b]0;owned\x07here."},
		{Kind: agent.EventToolProposed, Step: 1, Call: call},
		{Kind: agent.EventToolAwaiting, Step: 1, Call: call},
		{Kind: agent.EventDecision, Step: 1, Call: call, By: "you", Decision: &agent.Decision{Kind: agent.ApproveSession, By: "you"}},
		{Kind: agent.EventToolRunning, Step: 1, Call: call},
		{Kind: agent.EventToolDone, Step: 1, Call: call},
		{Kind: agent.EventReport, Report: &agent.Report{Issue: "X-1", Summary: "s", RootCause: &agent.RootCause{Service: "auth-service"}}},
		{Kind: agent.EventFinished, Text: "finished"},
	} {
		r.Apply(e)
	}
	md := Markdown(r.Items)
	for _, want := range []string{
		"### investigating the root cause",
		"> **ana:** check payments",
		"- `search_code` \"verify\" — done (approve session by you)",
		"## Investigation of X-1",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	for _, bad := range []string{"scratch", "abcdef0123456789abcdef0123456789", "\x1b", "\x07"} {
		if strings.Contains(md, bad) {
			t.Errorf("markdown carries %q:\n%s", bad, md)
		}
	}
}
