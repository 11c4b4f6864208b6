package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/tracehound/tracehound/redact"
	"github.com/tracehound/tracehound/tracetree"
)

// DecisionKind is the user's answer to an approval request.
type DecisionKind int

const (
	// ApproveOnce runs this call.
	ApproveOnce DecisionKind = iota
	// ApproveSession runs this call and every later call of the same tool
	// (or, with Scope ScopeReadOnly, of every read-only tool) without
	// asking again.
	ApproveSession
	// Deny refuses the call; Reason goes back to the model and the run
	// continues.
	Deny
	// Edit runs the call with Args instead of the model's arguments.
	Edit
)

var decisionNames = [...]string{"approve_once", "approve_session", "deny", "edit"}

func (k DecisionKind) String() string {
	if int(k) < len(decisionNames) {
		return decisionNames[k]
	}
	return "unknown"
}

// MarshalText makes decisions readable in transcripts.
func (k DecisionKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText reads a decision from a transcript.
func (k *DecisionKind) UnmarshalText(b []byte) error {
	for i, n := range decisionNames {
		if n == string(b) {
			*k = DecisionKind(i)
			return nil
		}
	}
	return fmt.Errorf("unknown decision %q", b)
}

// ScopeReadOnly is the Scope of an ApproveSession that covers every
// read-only tool, not only the tool of the call.
const ScopeReadOnly = "read-only"

// Decision answers an approval request.
type Decision struct {
	Kind   DecisionKind    `json:"kind"`
	Reason string          `json:"reason,omitempty"` // for Deny
	Args   json.RawMessage `json:"args,omitempty"`   // for Edit
	// Scope widens an ApproveSession: "" is the call's tool,
	// ScopeReadOnly every read-only tool.
	Scope string `json:"scope,omitempty"`
	// By names who decided (recorded in the EventDecision).
	By string `json:"by,omitempty"`
}

// PolicyAuthor is the By of the decisions a Policy.Decide makes.
const PolicyAuthor = "policy"

// Policy says which calls need the user.
type Policy struct {
	// AskReadOnly asks before read-only tools too (by default they run).
	AskReadOnly bool
	// Decide, when set, answers approval requests without a person
	// (headless runs); it is called instead of waiting for Run.Decide.
	Decide func(Call) Decision
}

// Options configure a run.
type Options struct {
	Provider Provider
	Incident *Incident
	// Tools are every tool the model may call (see Toolset).
	Tools  []Tool
	Policy Policy
	// MaxSteps bounds the model steps (default 40).
	MaxSteps int
	// PauseBetweenPhases stops after the root cause and after the solution
	// plan until Continue (or a user message) — the UI's default.
	PauseBetweenPhases bool
	// Messages resumes a saved conversation; empty starts a new one.
	Messages []Message
	// Report resumes the report state of a saved run.
	Report *Report
	// Sink receives every event and every new message (transcripts).
	Sink func(Event, *Message)
	// Analyzer is "llm" or "heuristic" (for the report).
	Analyzer string
	// MaxBadCalls is how many bad tool calls in a row (unknown tool,
	// invalid JSON arguments, invented ids, failing calls) stop the run
	// (default DefaultMaxBadCalls).
	MaxBadCalls int
}

// Run is one investigation in progress. Its methods are safe to call from
// any goroutine (the UI's).
type Run struct {
	opts   Options
	bus    *bus
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}

	mu         sync.Mutex
	pending    map[string]chan Decision
	sessionOK  map[string]bool // tool names (or "*read-only") approved for the session
	queue      []queuedMessage // user messages waiting for the next step
	interrupt  context.CancelFunc
	continueCh chan struct{}
	phaseNext  Phase // a phase was reported: announce it and pause once its call is answered

	// Owned by the run goroutine.
	messages []Message
	report   *Report
	step     int
	calls    []string          // signatures of calls, in order (loop detection)
	cache    map[string]string // signature → model output
	finished bool
	reason   string
	err      error
	// The loop guard and the report of a run that stops (guard.go).
	bad       []badCall
	gathered  []Evidence
	completed bool   // the investigation ended on its own
	cutNote   string // tells the model its last answer was cut (bounded.go)
	// Structured reports from prose (structured.go): phases tried, and
	// what the model supports.
	structured map[string]bool
	caps       *ModelCaps
	// Context fitting (context.go): shrunk marks the messages of the
	// last fitMessages that were summarised or cut.
	specTokens, compacted int
	shrunk                map[int]bool
	// lastSent identifies the previous request's messages (sent.go).
	lastSent []string
}

// Start begins a run in its own goroutine. Read Events until it is
// closed; the last event is EventFinished.
func Start(ctx context.Context, opts Options) *Run {
	if opts.MaxSteps <= 0 {
		opts.MaxSteps = 40
	}
	if opts.Analyzer == "" {
		opts.Analyzer = "llm"
	}
	ctx, cancel := context.WithCancel(ctx)
	r := &Run{
		opts: opts, ctx: ctx, cancel: cancel, done: make(chan struct{}),
		pending: map[string]chan Decision{}, sessionOK: map[string]bool{},
		continueCh: make(chan struct{}, 1), cache: map[string]string{},
	}
	r.bus = newBus(256, func(e Event) {
		if opts.Sink != nil {
			opts.Sink(e, nil)
		}
	})
	r.opts.Tools = append(append([]Tool(nil), opts.Tools...), r.reportTools()...)
	r.messages = append([]Message(nil), opts.Messages...)
	r.report = opts.Report
	if r.report == nil {
		r.report = &Report{Analyzer: opts.Analyzer, Model: opts.Provider.Name()}
		if in := opts.Incident; in != nil {
			r.report.TraceID = in.TraceID()
			if in.Issue != nil {
				r.report.Issue, r.report.Title = in.Issue.ShortID, in.Issue.Title
			} else if in.Event != nil {
				r.report.Title = in.Event.Title
			}
		}
	}
	go r.loop()
	return r
}

// Events is the run's event stream, closed when the run ends.
func (r *Run) Events() <-chan Event { return r.bus.ch }

// Decide answers the approval request of a call. It fails when the call is
// not waiting (already decided, or unknown).
func (r *Run) Decide(callID string, d Decision) error {
	r.mu.Lock()
	ch, ok := r.pending[callID]
	if ok {
		delete(r.pending, callID)
	}
	r.mu.Unlock()
	if !ok {
		return fmt.Errorf("tool call %s is not waiting for a decision", callID)
	}
	ch <- d
	return nil
}

// queuedMessage is a user message waiting for the next step.
type queuedMessage struct{ text, by string }

// Send queues a message from the user: it reaches the model at the next
// step boundary, or at once (cutting the current model step short) when
// interrupt is true. The model is told it came from the user.
func (r *Run) Send(text string, interrupt bool) { r.SendAs("", text, interrupt) }

// SendAs is Send of a message by a named participant (EventUserMessage
// carries the name in By).
func (r *Run) SendAs(by, text string, interrupt bool) {
	text = strings.TrimSpace(text)
	if text == "" {
		return
	}
	r.mu.Lock()
	r.queue = append(r.queue, queuedMessage{text: text, by: by})
	cut := r.interrupt
	r.mu.Unlock()
	r.Continue()
	if interrupt && cut != nil {
		cut()
	}
}

// Continue resumes a run paused between phases.
func (r *Run) Continue() {
	select {
	case r.continueCh <- struct{}{}:
	default:
	}
}

// Cancel stops the run; pending approvals are abandoned.
func (r *Run) Cancel() { r.cancel() }

// Wait blocks until the run ends and returns its report (nil when none
// was produced) and the error that ended it, if any.
func (r *Run) Wait() (*Report, error) {
	<-r.done
	return r.final(), r.err
}

// Messages returns the conversation so far (after Wait: all of it).
func (r *Run) Messages() []Message {
	<-r.done
	return r.messages
}

// final is the run's report: every run ends with one, complete or not
// (Report.Complete, Report.StoppedBecause).
func (r *Run) final() *Report {
	return r.report
}

func (r *Run) publish(e Event) {
	e.Step = r.step
	if e.Call != nil {
		// The run keeps filling in its call (output, duration, reason)
		// while the UI reads the event: each event gets its own copy.
		c := *e.Call
		e.Call = &c
	}
	r.bus.publish(r.ctx, e)
}

func (r *Run) addMessage(m Message) {
	r.messages = append(r.messages, m)
	if r.opts.Sink != nil {
		r.opts.Sink(Event{}, &m)
	}
}

func (r *Run) finish(reason string, err error) {
	r.finished, r.reason, r.err = true, reason, err
}

func (r *Run) loop() {
	defer close(r.done)
	defer r.cancel()
	defer func() {
		if p := recover(); p != nil {
			r.err = fmt.Errorf("internal error in the agent: %v", p)
			r.reason = r.err.Error()
		}
		ctx := context.Background()
		if r.report != nil {
			r.closeReport()
			r.report.CreatedAt = time.Now()
			r.bus.publish(ctx, Event{Kind: EventReport, Step: r.step, Report: r.report})
		}
		if r.err != nil {
			r.bus.publish(ctx, Event{Kind: EventError, Step: r.step, Err: r.err.Error()})
		}
		r.bus.publish(ctx, Event{Kind: EventFinished, Step: r.step, Text: r.reason})
		r.bus.close(ctx)
	}()
	if len(r.messages) == 0 {
		r.addMessage(Message{Role: "system", Content: systemPrompt(r.opts)})
		first, err := firstMessage(r.ctx, r.opts.Incident, r.opts.Provider.ContextWindow())
		if err != nil {
			r.finish("could not prepare the first message", err)
			return
		}
		r.addMessage(Message{Role: "user", Content: first})
		r.publish(Event{Kind: EventPhase, Phase: PhaseRootCause})
	}
	nudged := false
	for !r.finished {
		if r.ctx.Err() != nil {
			r.finish("cancelled", nil)
			return
		}
		if r.step >= r.opts.MaxSteps {
			r.finish(fmt.Sprintf("stopped after %d model steps without a final report", r.opts.MaxSteps), nil)
			return
		}
		r.deliverQueued()
		r.step++
		comp, interrupted, err := r.completeBounded()
		if interrupted {
			continue // the user's message goes in at the top of the loop
		}
		if err != nil {
			if r.ctx.Err() != nil {
				r.finish("cancelled", nil)
				return
			}
			r.finish("the model step failed; the run can be resumed", err)
			return
		}
		r.addMessage(comp.Message)
		r.publish(Event{Kind: EventStepDone})
		if len(comp.Message.ToolCalls) == 0 {
			if r.hasQueued() {
				continue
			}
			if !nudged && r.report.RootCause == nil {
				nudged = true
				r.addMessage(Message{Role: "user", Content: "Please continue the investigation with the tools, and report what you found with report_root_cause (then report_solution and finish)."})
				continue
			}
			if r.structure(comp.Message.Content) {
				continue // a report was read from the model's answer (structured.go)
			}
			if r.report.Summary == "" {
				r.report.Summary = strings.TrimSpace(comp.Message.Content)
			}
			if r.report.RootCause == nil {
				r.finish("the model ended its answer without reporting a root cause", nil)
				return
			}
			r.completed = true
			r.finish("the model ended without calling finish", nil)
			return
		}
		for _, tc := range comp.Message.ToolCalls {
			if r.finished || r.ctx.Err() != nil {
				// Answer the remaining calls so the conversation stays valid.
				r.addMessage(Message{Role: "tool", ToolCallID: tc.ID, Name: tc.Name, Content: "Not run: the run ended."})
				continue
			}
			r.handleCall(tc)
			if next := r.phaseNext; next != "" {
				// A phase report: announce the phase and wait for the user
				// after its call is done (its card shows done, not running,
				// while the run waits).
				r.phaseNext = ""
				r.publish(Event{Kind: EventPhase, Phase: next, Report: r.snapshot()})
				r.pause()
			}
		}
	}
}

func (r *Run) hasQueued() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.queue) > 0
}

// deliverQueued adds the user's queued messages to the conversation.
func (r *Run) deliverQueued() {
	r.mu.Lock()
	q := r.queue
	r.queue = nil
	r.mu.Unlock()
	for _, m := range q {
		r.addMessage(Message{Role: "user", FromUser: true, Content: "Message from the user, who is watching this investigation: " + m.text})
		r.publish(Event{Kind: EventUserMessage, Text: m.text, By: m.by})
	}
}

// complete runs one model step. interrupted is true when the user cut it
// short to redirect.
func (r *Run) complete() (comp *Completion, interrupted bool, err error) {
	stepCtx, cut := context.WithCancel(r.ctx)
	r.mu.Lock()
	r.interrupt = cut
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.interrupt = nil
		r.mu.Unlock()
		cut()
	}()
	msgs := r.fitContext()
	var partial strings.Builder
	comp, err = r.send(stepCtx, ChatRequest{Messages: msgs, Tools: specs(r.opts.Tools)}, StreamHandler{
		OnText: func(s string) {
			partial.WriteString(s)
			r.publish(Event{Kind: EventTextDelta, Text: s})
		},
		OnReasoning: func(s string) { r.publish(Event{Kind: EventReasoningDelta, Text: s}) },
		OnWaiting:   r.waiting,
	})
	if err != nil && stepCtx.Err() != nil && r.ctx.Err() == nil {
		// Cut by the user: keep what the model had said.
		if t := strings.TrimSpace(partial.String()); t != "" {
			r.addMessage(Message{Role: "assistant", Content: t + " [interrupted by the user]"})
		}
		return nil, true, nil
	}
	if err != nil {
		return nil, false, err
	}
	u := comp.Usage
	u.ContextWindow = r.opts.Provider.ContextWindow()
	if u.ContextTokens == 0 {
		u.ContextTokens = u.PromptTokens
	}
	r.publish(Event{Kind: EventUsage, Usage: &u})
	return comp, false, nil
}

// fitContext returns the messages to send, scrubbed of secrets, escapes
// made visible, and compacted to leave room for the answer (context.go).
func (r *Run) fitContext() []Message { return r.fitMessages() }

// toolByName finds a tool.
func (r *Run) toolByName(name string) (*Tool, bool) {
	for i := range r.opts.Tools {
		if r.opts.Tools[i].Name == name {
			return &r.opts.Tools[i], true
		}
	}
	return nil, false
}

// MaxToolTokens is the most tokens a tool result may take in a context
// window of window tokens: 15% of it, at most 12,000.
func MaxToolTokens(window int) int { return min(window*15/100, 12000) }

// ModelOutput is a tool's text as a model with a context window of window
// tokens receives it: secrets scrubbed and escapes made visible
// (redact.Text), then capped (head and tail, with a hint to narrow the
// query). Scrubbing comes first: a secret cut in half
// by the cap would no longer be recognised.
func ModelOutput(text string, window int) string {
	return capText(redact.Text(text), MaxToolTokens(window))
}

// handleCall takes one tool call through validation, approval, running
// and the answer to the model.
func (r *Run) handleCall(tc ToolCall) {
	answer := func(text string) {
		r.addMessage(Message{Role: "tool", ToolCallID: tc.ID, Name: tc.Name, Content: text})
	}
	call := &Call{ID: tc.ID, Name: tc.Name, Args: json.RawMessage(tc.Arguments)}
	if !json.Valid([]byte(tc.Arguments)) || strings.TrimSpace(tc.Arguments) == "" {
		if strings.TrimSpace(tc.Arguments) == "" {
			tc.Arguments = "{}"
			call.Args = json.RawMessage(tc.Arguments)
		} else {
			call.Args = nil
		}
	}
	tool, ok := r.toolByName(tc.Name)
	if ok && call.Args != nil {
		call.ReadOnly, call.Summary = tool.ReadOnly, tool.Summarize(call.Args)
	}
	r.publish(Event{Kind: EventToolProposed, Call: call})
	if !ok {
		var names []string
		for _, t := range r.opts.Tools {
			names = append(names, t.Name)
		}
		call.Reason = "unknown tool"
		r.publish(Event{Kind: EventToolFailed, Call: call})
		answer(fmt.Sprintf("Error: there is no tool named %q. The tools are: %s.", tc.Name, strings.Join(names, ", ")))
		r.noteBadCall("unknown", tc.Name, "no such tool")
		return
	}
	if call.Args == nil {
		call.Reason = "invalid JSON arguments"
		r.publish(Event{Kind: EventToolFailed, Call: call})
		answer(fmt.Sprintf("Error: the arguments are not valid JSON (%s). Call %s again with a JSON object matching its schema.", clip(tc.Arguments, 200), tc.Name))
		r.noteBadCall("json", tc.Name, "invalid JSON")
		return
	}
	sig := tc.Name + " " + canonicalArgs(tc.Arguments)
	if r.looping(sig) {
		call.Reason = "the same call keeps repeating"
		r.publish(Event{Kind: EventToolFailed, Call: call})
		answer("Error: this exact call was already made several times; the run is stopped to avoid a loop.")
		r.finish(fmt.Sprintf("stopped: the model repeated %s with the same arguments", tc.Name), nil)
		return
	}
	r.calls = append(r.calls, sig)
	if cached, ok := r.cache[sig]; ok && tool.ReadOnly {
		call.Cached, call.ModelOutput, call.Output = true, cached, cached
		r.publish(Event{Kind: EventToolDone, Call: call})
		answer("(This is the same call as before; here is its result again. Use the earlier result instead of repeating calls.)\n" + cached)
		return
	}
	args := json.RawMessage(tc.Arguments)
	if tool.Validate != nil {
		preview, err := tool.Validate(r.ctx, args)
		if err != nil {
			call.Reason = err.Error()
			r.publish(Event{Kind: EventToolFailed, Call: call})
			answer("Error: " + err.Error())
			r.noteBadCall("failed", tc.Name, err.Error())
			return
		}
		call.Preview = preview
	}
	if tool.Record || tool.ReadOnly && !r.opts.Policy.AskReadOnly || r.approvedForSession(tool) {
		// No question to ask.
	} else {
		d, ok := r.ask(call)
		if !ok {
			answer("Not run: the run was cancelled.")
			return
		}
		switch d.Kind {
		case Deny:
			call.Reason = d.Reason
			if tool.Name == ToolProposePatch {
				r.recordPatch(args, nil, call.Preview)
			}
			r.publish(Event{Kind: EventToolDenied, Call: call})
			msg := "The user denied this call."
			if strings.TrimSpace(d.Reason) != "" {
				msg = deniedWithReason + " " + strings.TrimSpace(d.Reason)
			}
			answer(msg + " Do not retry it as is; take the user's reason into account and continue.")
			return
		case ApproveSession:
			r.mu.Lock()
			if d.Scope == ScopeReadOnly && tool.ReadOnly {
				r.sessionOK[sessionReadOnly] = true
			} else {
				r.sessionOK[tool.Name] = true
			}
			r.mu.Unlock()
		case Edit:
			if !json.Valid(d.Args) {
				call.Reason = "the edited arguments are not valid JSON"
				r.publish(Event{Kind: EventToolFailed, Call: call})
				answer("Error: the user edited the arguments but the edit is not valid JSON; the call was not run.")
				return
			}
			args, call.Args = d.Args, d.Args
			call.Summary = tool.Summarize(args)
			if tool.Validate != nil {
				preview, err := tool.Validate(r.ctx, args)
				if err != nil {
					call.Reason = err.Error()
					r.publish(Event{Kind: EventToolFailed, Call: call})
					answer("Error (after the user's edit of the arguments): " + err.Error())
					return
				}
				call.Preview = preview
			}
		}
	}
	r.publish(Event{Kind: EventToolRunning, Call: call})
	start := time.Now()
	res, err := tool.Run(r.ctx, args)
	call.Duration = time.Since(start)
	if err != nil {
		call.Reason = err.Error()
		r.publish(Event{Kind: EventToolFailed, Call: call})
		answer("Error: " + err.Error())
		r.noteBadCall("failed", tc.Name, err.Error())
		return
	}
	call.Output, call.Node, call.Repo, call.Path = res.Text, res.Node, res.Repo, res.Path
	if tool.Name == ToolProposePatch {
		r.recordPatch(args, &res, call.Preview)
	}
	call.ModelOutput = ModelOutput(res.Text, r.opts.Provider.ContextWindow())
	if tool.ReadOnly {
		r.cache[sig] = call.ModelOutput
	}
	r.publish(Event{Kind: EventToolDone, Call: call})
	answer(call.ModelOutput)
	r.noteGoodCall(call)
}

// sessionReadOnly is the sessionOK key of "every read-only tool".
const sessionReadOnly = "*read-only"

func (r *Run) approvedForSession(t *Tool) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sessionOK[t.Name] || t.ReadOnly && r.sessionOK[sessionReadOnly]
}

// ask publishes an approval request and waits for the decision (or asks
// the policy's Decide in headless runs). ok is false when the run ended.
func (r *Run) ask(call *Call) (Decision, bool) {
	if r.opts.Policy.Decide != nil {
		r.publish(Event{Kind: EventToolAwaiting, Call: call})
		d := r.opts.Policy.Decide(*call)
		if d.By == "" {
			d.By = PolicyAuthor
		}
		r.decided(call, d)
		return d, true
	}
	ch := make(chan Decision, 1)
	r.mu.Lock()
	r.pending[call.ID] = ch
	r.mu.Unlock()
	r.publish(Event{Kind: EventToolAwaiting, Call: call})
	select {
	case d := <-ch:
		r.decided(call, d)
		return d, true
	case <-r.ctx.Done():
		r.mu.Lock()
		delete(r.pending, call.ID)
		r.mu.Unlock()
		return Decision{}, false
	}
}

// decided records who answered an approval request, and how.
func (r *Run) decided(call *Call, d Decision) {
	r.publish(Event{Kind: EventDecision, Call: call, Decision: &d, By: d.By})
}

// looping reports whether sig was called 3 times among the last 10 calls.
func (r *Run) looping(sig string) bool {
	n := 0
	for i := len(r.calls) - 1; i >= 0 && i >= len(r.calls)-10; i-- {
		if r.calls[i] == sig {
			n++
		}
	}
	return n >= 3
}

// pause waits between phases for Continue, a user message or the end.
// phaseReported is called by a report tool: once its call is answered,
// the run announces the next phase and pauses for the user. A Continue
// (or message) sent before this does not count: only one sent after the
// user saw the phase.
func (r *Run) phaseReported(next Phase) {
	select {
	case <-r.continueCh:
	default:
	}
	r.phaseNext = next
}

func (r *Run) pause() {
	if !r.opts.PauseBetweenPhases || r.ctx.Err() != nil {
		return
	}
	select {
	case <-r.continueCh:
	case <-r.ctx.Done():
	}
}

// capText keeps the head and tail of a text longer than max tokens, with a
// note telling the model how to narrow the query.
func capText(s string, maxTokens int) string {
	n := tracetree.CountTokens(s)
	if n <= maxTokens {
		return s
	}
	lines := strings.Split(s, "\n")
	// Keep about 2/3 of the budget at the head and 1/3 at the tail.
	head, tail := []string{}, []string{}
	budget := maxTokens - 60
	used := 0
	for _, l := range lines {
		c := tracetree.CountTokens(l) + 1
		if used+c > budget*2/3 {
			break
		}
		head = append(head, l)
		used += c
	}
	for i := len(lines) - 1; i >= len(head); i-- {
		c := tracetree.CountTokens(lines[i]) + 1
		if used+c > budget {
			break
		}
		tail = append([]string{lines[i]}, tail...)
		used += c
	}
	omitted := len(lines) - len(head) - len(tail)
	return strings.Join(head, "\n") + fmt.Sprintf("\n[… %d lines (about %d tokens) omitted: the result is too long for the context. Narrow your query — a path_glob or repo for search_code, start_line/end_line for read_file, a smaller budget for views …]\n", omitted, n-used) + strings.Join(tail, "\n")
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
