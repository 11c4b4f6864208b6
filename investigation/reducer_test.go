package investigation

import (
	"strings"
	"testing"

	"github.com/tracehound/tracehound/agent"
)

func TestReducer(t *testing.T) {
	call := func(id, name, args string) *agent.Call {
		return &agent.Call{ID: id, Name: name, Args: []byte(args)}
	}
	rc := &agent.Report{Summary: "The signing key rotated.\nMore.", RootCause: &agent.RootCause{Service: "auth-service", File: "verify.go", Line: 42, Confidence: "high"}}
	tests := []struct {
		name   string
		events []agent.Event
		want   string // items, one a line
		state  string // running/paused/finished
	}{
		{
			name: "deltas of a step make one block; another step or kind a new one",
			events: []agent.Event{
				{Kind: agent.EventReasoningDelta, Step: 1, Text: "think "},
				{Kind: agent.EventReasoningDelta, Step: 1, Text: "more"},
				{Kind: agent.EventTextDelta, Step: 1, Text: "Looking "},
				{Kind: agent.EventTextDelta, Step: 1, Text: "at it."},
				{Kind: agent.EventTextDelta, Step: 2, Text: "Next."},
				{Kind: agent.EventStepDone, Step: 2},
			},
			want:  "reasoning: think more\ntext: Looking at it.\ntext: Next.",
			state: "running",
		},
		{
			name: "a tool card moves through its states and records the decision",
			events: []agent.Event{
				{Kind: agent.EventTextDelta, Step: 1, Text: "Reading."},
				{Kind: agent.EventToolProposed, Step: 1, Call: call("c1", agent.ToolReadFile, `{"repo":"acme/auth","path":"verify.go","start_line":10,"end_line":20}`)},
				{Kind: agent.EventToolAwaiting, Step: 1, Call: call("c1", agent.ToolReadFile, `{}`)},
				{Kind: agent.EventDecision, Step: 1, Call: call("c1", agent.ToolReadFile, `{}`), By: "ana", Decision: &agent.Decision{Kind: agent.ApproveOnce, By: "ana"}},
				{Kind: agent.EventToolRunning, Step: 1, Call: call("c1", agent.ToolReadFile, `{"repo":"acme/auth","path":"verify.go","start_line":10,"end_line":20}`)},
				{Kind: agent.EventToolDone, Step: 1, Call: call("c1", agent.ToolReadFile, `{"repo":"acme/auth","path":"verify.go","start_line":10,"end_line":20}`)},
			},
			want:  "text: Reading.\ntool: read_file acme/auth verify.go:10-20 [done] by ana",
			state: "running",
		},
		{
			name: "phases name what was reported and pause",
			events: []agent.Event{
				{Kind: agent.EventPhase, Phase: agent.PhaseRootCause},
				{Kind: agent.EventPhase, Phase: agent.PhaseSolution, Report: rc},
			},
			want:  "phase: investigating the root cause\nphase: root cause reported | Root cause in auth-service verify.go:42 (confidence: high): The signing key rotated.",
			state: "paused solution",
		},
		{
			name: "a user message with its author; the report",
			events: []agent.Event{
				{Kind: agent.EventUserMessage, Text: "check payments", By: "ana"},
				{Kind: agent.EventWaiting, Text: "waiting for the model… 15 s"},
				{Kind: agent.EventNotice, Text: "the context was compacted"},
				{Kind: agent.EventReport, Report: rc},
				{Kind: agent.EventFinished, Text: "finished"},
			},
			want:  "user: check payments (ana)\nnote: note: the context was compacted\nreport: auth-service",
			state: "finished finished",
		},
		{
			name: "the end: the last error ended the run, earlier ones are past, waiting cards did not run",
			events: []agent.Event{
				{Kind: agent.EventStepDone},
				{Kind: agent.EventError, Err: "rate limited"},
				{Kind: agent.EventToolProposed, Call: call("c2", agent.ToolSearchCode, `{"query":"verify"}`)},
				{Kind: agent.EventError, Err: "the model step failed"},
				{Kind: agent.EventFinished, Text: "the model step failed; the run can be resumed"},
			},
			want:  "error: rate limited [past]\ntool: search_code \"verify\" [not_run]\nerror: the model step failed [ended]\nnote: Run ended: the model step failed; the run can be resumed.",
			state: "finished the model step failed; the run can be resumed",
		},
		{
			name: "an error as a run's first event: it could not start",
			events: []agent.Event{
				{Kind: agent.EventError, Err: "could not prepare the first message"},
				{Kind: agent.EventFinished, Text: "could not prepare the first message"},
			},
			want:  "error: could not prepare the first message [nostart]\nnote: Run ended: could not prepare the first message.",
			state: "finished could not prepare the first message",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Reducer
			for _, e := range tt.events {
				r.Apply(e)
			}
			if got := itemLines(r.Items); got != tt.want {
				t.Errorf("items\n%s\nwant\n%s", got, tt.want)
			}
			state := "idle"
			switch {
			case r.Paused != "":
				state = "paused " + string(r.Paused)
			case r.Running:
				state = "running"
			case r.Finished:
				state = "finished " + r.FinishReason
			}
			if state != tt.state {
				t.Errorf("state %q, want %q", state, tt.state)
			}
		})
	}
}

func itemLines(items []*Item) string {
	var lines []string
	for _, it := range items {
		l := it.Kind.String() + ": " + it.Text
		switch it.Kind {
		case ItemTool:
			l += it.Call.Name + " " + it.Call.Summary + " [" + it.State.String() + "]"
			if it.Decision != nil {
				l += " by " + it.Decision.By
			}
		case ItemPhase:
			if it.Detail != "" {
				l += " | " + it.Detail
			}
		case ItemUser:
			l += " (" + it.Author + ")"
		case ItemReport:
			l += it.Report.RootCause.Service
		case ItemError:
			l += " [" + [...]string{"during", "ended", "past", "nostart"}[it.ErrState] + "]"
		}
		lines = append(lines, l)
	}
	return strings.Join(lines, "\n")
}

// Apply returns the items it changed, so a front end redraws only those.
func TestReducerReportsChanges(t *testing.T) {
	var r Reducer
	ch := r.Apply(agent.Event{Kind: agent.EventTextDelta, Step: 1, Text: "a"})
	if len(ch) != 1 || !ch[0].Open {
		t.Fatalf("changed %+v", ch)
	}
	text := ch[0]
	v := text.Version
	ch = r.Apply(agent.Event{Kind: agent.EventStepDone, Step: 1})
	if len(ch) != 1 || ch[0] != text || text.Open || text.Version <= v {
		t.Fatalf("closing the block: changed %+v", ch)
	}
}
