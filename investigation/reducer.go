package investigation

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tracehound/tracehound/agent"
)

// ItemKind is what a display item is.
type ItemKind int

// The display items of an investigation's chat.
const (
	ItemUser      ItemKind = iota // a participant's message (Author)
	ItemText                      // the model's text (Text, grows while Open)
	ItemReasoning                 // the model's reasoning (Text, grows while Open)
	ItemTool                      // a tool call's card (Call, State, Decision)
	ItemPhase                     // a phase marker (Title, Detail)
	ItemReport                    // the report (Report)
	ItemError                     // an error line (Text, ErrState)
	ItemNote                      // a system line (Text): a notice, why a run ended
)

var itemNames = [...]string{"user", "text", "reasoning", "tool", "phase", "report", "error", "note"}

func (k ItemKind) String() string {
	if int(k) < len(itemNames) {
		return itemNames[k]
	}
	return "item(" + strconv.Itoa(int(k)) + ")"
}

// ToolState is where a tool call is in its life.
type ToolState int

// The states of a tool card.
const (
	ToolProposed ToolState = iota
	ToolAwaiting           // waiting for a participant's decision
	ToolRunning
	ToolDone
	ToolFailed
	ToolDenied
	ToolNotRun // the run ended before it ran
)

var toolStateNames = [...]string{"proposed", "awaiting", "running", "done", "failed", "denied", "not_run"}

func (s ToolState) String() string {
	if int(s) < len(toolStateNames) {
		return toolStateNames[s]
	}
	return "state(" + strconv.Itoa(int(s)) + ")"
}

// ErrState says what an error meant for the run.
type ErrState int

// The states of an error line.
const (
	ErrDuring  ErrState = iota // the run went on after it (and is running)
	ErrEnded                   // the run ended with it
	ErrPast                    // the run went on after it, and has ended since
	ErrNoStart                 // the run's first event: it could not start
)

// Item is one entry of the chat.
type Item struct {
	Kind ItemKind
	Step int
	// Text is the text of a message, text or reasoning block, error or
	// note; the title of a phase.
	Text string
	// Detail is a phase's second line (what was reported).
	Detail string
	// Open marks a text or reasoning block still receiving deltas.
	Open bool
	// Author names who sent a user message (a participant's name; "" for
	// the local user of an older transcript).
	Author string
	// ChatOnly marks a participant's line to the others that the model
	// did not get (a guest who may not steer the agent).
	ChatOnly bool
	// Call, State, Started and Decision describe a tool card: the call as
	// last published, where it is, since when it runs, and the decision
	// that answered its approval request (with who made it).
	Call     *agent.Call
	State    ToolState
	Started  time.Time
	Decision *agent.Decision
	// Phase is a phase marker's phase.
	Phase agent.Phase
	// Report is a report item's report.
	Report *agent.Report
	// ErrState says what an error meant for the run.
	ErrState ErrState
	// Version grows with every change of the item.
	Version int
}

// Reducer folds an investigation's events into display items: deltas
// append to the open text or reasoning block, tool events create or move
// the card of their call, phases, errors, the report and a run's end are
// items. Every front end (the explorer's chat, the markdown export, a
// guest's screen) reduces the same events the same way. The zero value
// is ready; it is not safe for concurrent use.
type Reducer struct {
	// Items are the chat's entries, in order.
	Items []*Item

	// Running says a run is under way (from its first event to its end).
	Running bool
	// Paused is the phase a running run paused before ("" when not).
	Paused agent.Phase
	// Finished says a run ended; FinishReason says why.
	Finished     bool
	FinishReason string
	// Usage is the last model step's token usage (HasUsage: one was seen).
	Usage    agent.Usage
	HasUsage bool
	// Context is the last request's context as the model received it
	// (the model's-eye view, modelview.go).
	Context agent.ModelContext

	cards   map[string]*Item
	lastErr *Item
}

// Card returns the tool card of a call.
func (r *Reducer) Card(id string) (*Item, bool) {
	it, ok := r.cards[id]
	return it, ok
}

// Pending returns the card waiting for a decision (nil when none).
func (r *Reducer) Pending() *Item {
	for _, it := range r.Items {
		if it.Kind == ItemTool && it.State == ToolAwaiting {
			return it
		}
	}
	return nil
}

// Apply folds one event in and returns the items it added or changed.
func (r *Reducer) Apply(e agent.Event) []*Item {
	// The participants' lines are not the run's: they change no run state.
	switch e.Kind {
	case agent.EventChat:
		return r.with(nil, r.add(&Item{Kind: ItemUser, Step: e.Step, Text: e.Text, Author: e.By, ChatOnly: true}))
	case agent.EventPresence:
		return r.with(nil, r.add(&Item{Kind: ItemNote, Step: e.Step, Text: e.Text}))
	case agent.EventContext:
		r.Context.Apply(e.Step, e.Context)
		return nil
	}
	if e.Kind != agent.EventFinished && e.Kind != agent.EventUsage {
		r.lastErr = nil
	}
	first := !r.Running
	if e.Kind != agent.EventFinished {
		r.Running, r.Finished = true, false
	}
	if e.Kind != agent.EventUsage && e.Kind != agent.EventPhase {
		r.Paused = ""
	}
	switch e.Kind {
	case agent.EventTextDelta, agent.EventReasoningDelta:
		return r.delta(e)
	case agent.EventToolProposed, agent.EventToolAwaiting, agent.EventToolRunning,
		agent.EventToolDone, agent.EventToolFailed, agent.EventToolDenied, agent.EventDecision:
		return r.with(r.closeStreams(), r.call(e))
	case agent.EventPhase:
		return r.with(r.closeStreams(), r.phase(e))
	case agent.EventUsage:
		if e.Usage != nil {
			r.Usage, r.HasUsage = *e.Usage, true
		}
	case agent.EventStepDone:
		return r.with(r.closeStreams(), nil)
	case agent.EventNotice:
		return r.with(r.closeStreams(), r.add(&Item{Kind: ItemNote, Step: e.Step, Text: "note: " + e.Text}))
	case agent.EventUserMessage:
		return r.with(r.closeStreams(), r.add(&Item{Kind: ItemUser, Step: e.Step, Text: e.Text, Author: e.By}))
	case agent.EventReport:
		if e.Report != nil {
			return r.with(r.closeStreams(), r.add(&Item{Kind: ItemReport, Step: e.Step, Report: e.Report}))
		}
		return r.with(r.closeStreams(), nil)
	case agent.EventError:
		msg := e.Err
		if msg == "" {
			msg = e.Text
		}
		it := r.add(&Item{Kind: ItemError, Step: e.Step, Text: msg})
		if first {
			it.ErrState = ErrNoStart
		}
		r.lastErr = it
		return r.with(r.closeStreams(), it)
	case agent.EventFinished:
		return r.with(r.closeStreams(), r.finish(e)...)
	}
	return nil
}

func (r *Reducer) with(a []*Item, b ...*Item) []*Item {
	for _, it := range b {
		if it != nil {
			a = append(a, it)
		}
	}
	return a
}

func (r *Reducer) add(it *Item) *Item {
	it.Version = 1
	r.Items = append(r.Items, it)
	return it
}

func (r *Reducer) last() *Item {
	if n := len(r.Items); n > 0 {
		return r.Items[n-1]
	}
	return nil
}

func (r *Reducer) closeStreams() []*Item {
	if l := r.last(); l != nil && l.Open {
		l.Open = false
		l.Version++
		return []*Item{l}
	}
	return nil
}

func (r *Reducer) delta(e agent.Event) []*Item {
	kind := ItemText
	if e.Kind == agent.EventReasoningDelta {
		kind = ItemReasoning
	}
	var changed []*Item
	l := r.last()
	if l == nil || !l.Open || l.Kind != kind || l.Step != e.Step {
		if e.Text == "" {
			return nil
		}
		changed = r.closeStreams()
		l = r.add(&Item{Kind: kind, Step: e.Step, Open: true})
	}
	l.Text += e.Text
	l.Version++
	return append(changed, l)
}

func (r *Reducer) call(e agent.Event) *Item {
	if e.Call == nil {
		return nil
	}
	call := *e.Call
	if call.Summary == "" {
		call.Summary = agent.CallSummary(call)
	}
	if r.cards == nil {
		r.cards = map[string]*Item{}
	}
	it := r.cards[call.ID]
	if it != nil && e.Kind == agent.EventToolProposed {
		switch it.State {
		case ToolDone, ToolFailed, ToolDenied, ToolNotRun:
			it = nil // an id reused by a later run (a resumed one): a new card
		}
	}
	if it == nil || call.ID == "" {
		if e.Kind == agent.EventDecision {
			return nil // a decision on a call that is not shown
		}
		it = r.add(&Item{Kind: ItemTool, Step: e.Step})
		if call.ID != "" {
			r.cards[call.ID] = it
		}
	}
	it.Version++
	if e.Kind == agent.EventDecision {
		if e.Decision != nil {
			d := *e.Decision
			it.Decision = &d
		}
		return it
	}
	it.Call = &call
	switch e.Kind {
	case agent.EventToolProposed:
		it.State = ToolProposed
	case agent.EventToolAwaiting:
		it.State, it.Decision = ToolAwaiting, nil
	case agent.EventToolRunning:
		it.State, it.Started = ToolRunning, e.Time
	case agent.EventToolDone:
		it.State = ToolDone
	case agent.EventToolFailed:
		it.State = ToolFailed
	case agent.EventToolDenied:
		it.State = ToolDenied
	}
	return it
}

// phase is the marker of a phase, with what was reported for it.
func (r *Reducer) phase(e agent.Event) *Item {
	it := &Item{Kind: ItemPhase, Step: e.Step, Phase: e.Phase}
	switch e.Phase {
	case agent.PhaseRootCause:
		it.Text = "investigating the root cause"
	case agent.PhaseSolution:
		it.Text = "root cause reported"
		if rep := e.Report; rep != nil && rep.RootCause != nil {
			it.Detail = rootCauseLine(rep)
		}
		r.Paused = e.Phase
	case agent.PhasePatch:
		it.Text = "solution plan reported"
		if rep := e.Report; rep != nil && len(rep.Solution) > 0 {
			it.Detail = fmt.Sprintf("Plan of %d steps; first: %s", len(rep.Solution), firstLine(strings.TrimSpace(rep.Solution[0])))
		}
		r.Paused = e.Phase
	case agent.PhaseDone:
		it.Text = "investigation finished"
	default:
		it.Text = string(e.Phase)
	}
	return r.add(it)
}

// rootCauseLine is "Root cause in SERVICE FILE:LINE (confidence: C): summary".
func rootCauseLine(rep *agent.Report) string {
	rc := rep.RootCause
	where := rc.Service
	if rc.File != "" {
		where += " " + rc.File
		if rc.Line > 0 {
			where += ":" + strconv.Itoa(rc.Line)
		}
	}
	what := rep.Summary
	if what == "" {
		what = rc.Explanation
	}
	s := "Root cause in " + where
	if rc.Confidence != "" {
		s += " (confidence: " + rc.Confidence + ")"
	}
	if what = firstLine(strings.TrimSpace(what)); what != "" {
		s += ": " + what
	}
	return s
}

// finish ends a run: errors say whether the run ended with them, cards
// that never ran say so, and a run that did not finish normally gets a
// note saying why.
func (r *Reducer) finish(e agent.Event) []*Item {
	r.Running, r.Finished, r.Paused = false, true, ""
	r.FinishReason = e.Text
	var changed []*Item
	for _, it := range r.Items {
		switch {
		case it.Kind == ItemError && it.ErrState == ErrDuring:
			it.ErrState = ErrPast
			if it == r.lastErr {
				it.ErrState = ErrEnded
			}
		case it.Kind == ItemTool && (it.State == ToolProposed || it.State == ToolAwaiting || it.State == ToolRunning):
			it.State = ToolNotRun
		default:
			continue
		}
		it.Version++
		changed = append(changed, it)
	}
	r.lastErr = nil
	if e.Text != "" && e.Text != "finished" {
		changed = append(changed, r.add(&Item{Kind: ItemNote, Step: e.Step, Text: "Run ended: " + e.Text + "."}))
	}
	return changed
}
