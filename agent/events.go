package agent

import (
	"context"
	"encoding/json"
	"time"
)

// EventKind says what happened in a run.
type EventKind int

// The events a run publishes. Deltas (text, reasoning) may be coalesced
// when the consumer lags; every other kind changes state and is always
// delivered, in order.
const (
	EventTextDelta      EventKind = iota // model text, streamed
	EventReasoningDelta                  // model reasoning, streamed (servers that send it)
	EventToolProposed                    // the model asked for a tool call
	EventToolAwaiting                    // the call waits for the user's decision
	EventToolRunning
	EventToolDone
	EventToolFailed
	EventToolDenied
	EventPhase       // the investigation moved to another phase
	EventUsage       // token usage after a model step
	EventStepDone    // a model step (one completion) finished
	EventUserMessage // a user message reached the model
	EventReport      // the final report
	EventError       // something went wrong; Err says what, the run may go on
	EventFinished    // the run ended (Text says why)
	EventDecision    // an approval request was answered (Decision, By)
	EventWaiting     // the model has not sent its first token yet (Text: "waiting for the model… 15 s")
	EventNotice      // something the user should know that is not an error (context compacted, answer cut, structured output used)
	EventChat        // a participant's chat line for the others, not sent to the model (Text, By)
	EventPresence    // someone joined or left a shared investigation (Text)
	EventContext     // a request is sent to the model: its messages as sent (Context; sent.go)
)

var eventNames = [...]string{"text", "reasoning", "tool_proposed", "tool_awaiting_approval", "tool_running", "tool_done",
	"tool_failed", "tool_denied", "phase", "usage", "step_done", "user_message", "report", "error", "finished", "tool_decided", "waiting", "notice", "chat", "presence", "context_sent"}

func (k EventKind) String() string {
	if int(k) < len(eventNames) {
		return eventNames[k]
	}
	return "unknown"
}

// MarshalText makes kinds readable in transcripts.
func (k EventKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText reads a kind from a transcript.
func (k *EventKind) UnmarshalText(b []byte) error {
	for i, n := range eventNames {
		if n == string(b) {
			*k = EventKind(i)
			return nil
		}
	}
	*k = EventError
	return nil
}

// Phase is a stage of the investigation the user can see and stop between.
type Phase string

// The phases, in order.
const (
	PhaseRootCause Phase = "root_cause"
	PhaseSolution  Phase = "solution"
	PhasePatch     Phase = "patch"
	PhaseDone      Phase = "done"
)

// Usage counts model tokens.
type Usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	// ContextTokens is the size of the last prompt: how full the context
	// window is.
	ContextTokens int `json:"context_tokens"`
	ContextWindow int `json:"context_window"`
}

// Call describes one tool call through its life.
type Call struct {
	ID       string          `json:"id"`
	Name     string          `json:"name"`
	Args     json.RawMessage `json:"args"`
	ReadOnly bool            `json:"read_only"`
	// Summary says in one line what the call is about (Tool.Summarize).
	Summary string `json:"summary,omitempty"`
	// Preview is what the approval card shows for a writing tool (a diff).
	Preview string `json:"preview,omitempty"`
	// Output is the tool's full output (for drill-in); ModelOutput is what
	// the model was given (capped, scrubbed).
	Output      string        `json:"output,omitempty"`
	ModelOutput string        `json:"model_output,omitempty"`
	Node        string        `json:"node,omitempty"`
	Repo        string        `json:"repo,omitempty"`
	Path        string        `json:"path,omitempty"`
	Cached      bool          `json:"cached,omitempty"`
	Duration    time.Duration `json:"duration,omitempty"`
	// Reason is why a call was denied or failed.
	Reason string `json:"reason,omitempty"`
}

// Event is one thing that happened in a run.
type Event struct {
	Kind   EventKind `json:"kind"`
	Step   int       `json:"step"`
	Time   time.Time `json:"time"`
	Text   string    `json:"text,omitempty"`
	Call   *Call     `json:"call,omitempty"`
	Phase  Phase     `json:"phase,omitempty"`
	Usage  *Usage    `json:"usage,omitempty"`
	Report *Report   `json:"report,omitempty"`
	Err    string    `json:"error,omitempty"`
	// By names who sent a user message or answered an approval request
	// (a participant of the investigation, or "policy" for a headless
	// run's automatic answers).
	By string `json:"by,omitempty"`
	// Decision is the answer of an EventDecision (Call is the call).
	Decision *Decision `json:"decision,omitempty"`
	// Context is what an EventContext's request sent to the model.
	Context *SentContext `json:"context,omitempty"`
}

// bus delivers events to one consumer: state events always, in order;
// text and reasoning deltas coalesced while the consumer is behind, never
// dropped (their text is concatenated into the next delivery). Only the
// run's goroutine publishes, so the bus needs no lock.
type bus struct {
	ch      chan Event
	pending []Event // coalesced deltas waiting for room
	closed  bool
	// sink, when set, also receives every event (transcripts), in order.
	sink func(Event)
}

func newBus(size int, sink func(Event)) *bus {
	return &bus{ch: make(chan Event, size), sink: sink}
}

func isDelta(k EventKind) bool { return k == EventTextDelta || k == EventReasoningDelta }

// publish sends an event. Deltas never block: while the channel is full
// they are merged with the previous pending delta of the same kind and
// step. State events first deliver pending deltas (order is kept), then
// block until delivered or ctx ends.
func (b *bus) publish(ctx context.Context, e Event) {
	if b.closed {
		return
	}
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	if b.sink != nil {
		b.sink(e)
	}
	if isDelta(e.Kind) {
		if n := len(b.pending); n > 0 && b.pending[n-1].Kind == e.Kind && b.pending[n-1].Step == e.Step {
			b.pending[n-1].Text += e.Text
		} else {
			b.pending = append(b.pending, e)
		}
		b.flush(ctx, false)
		return
	}
	b.flush(ctx, true)
	select {
	case b.ch <- e:
	case <-ctx.Done():
	}
}

// flush moves pending deltas into the channel; with wait, it waits for
// room so that a state event is never delivered before earlier text.
func (b *bus) flush(ctx context.Context, wait bool) {
	for len(b.pending) > 0 {
		if wait {
			select {
			case b.ch <- b.pending[0]:
			case <-ctx.Done():
				return
			}
		} else {
			select {
			case b.ch <- b.pending[0]:
			default:
				return
			}
		}
		b.pending = b.pending[1:]
	}
}

func (b *bus) close(ctx context.Context) {
	if !b.closed {
		b.flush(ctx, true)
		b.closed = true
		close(b.ch)
	}
}
