package investigation

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sync"

	"github.com/tracehound/tracehound/agent"
	"github.com/tracehound/tracehound/sentryapi"
	"github.com/tracehound/tracehound/tracetree"
)

// Source is where an investigation's data comes from. Every source — real
// Sentry, a dataset directory, the embedded demo, a local store — is read
// through the one sentryapi.Client; only its transport differs.
type Source struct {
	Client *sentryapi.Client
	// Target is what to investigate (an issue, an event, a trace).
	Target sentryapi.Target
	// Label says where the data is from ("demo data", "dataset DIR").
	Label string
	// Dataset is the dataset's files for the demo and --data (nil for
	// Sentry and a local store): its source trees become the repositories.
	Dataset fs.FS
	// Demo marks the embedded demo (its sources go to the demo's cache).
	Demo bool
	// Ref is recorded in the transcript, to reopen the source on resume.
	Ref agent.Source
}

// Options configure an investigation.
type Options struct {
	Source Source
	// Repos are the --repo PROJECT=PATH flags: with Sentry or a local
	// store they add to the config file's repositories; with a dataset
	// they replace the checkout of the repository they name, or add one.
	Repos []string
	// RepoConfig is the repositories' config file (read when it exists);
	// "" is agent.DefaultRepoConfigPath.
	RepoConfig string
	// CacheDir is where a dataset's source trees are materialised ("" is
	// the user's cache directory).
	CacheDir string
	// Model says which model answers (or the offline analyzer).
	Model ModelConfig
	// Policy says which tool calls need a person, and who answers
	// otherwise.
	Policy Policy
	// MaxBadCalls is how many bad tool calls in a row stop a run (0:
	// agent.DefaultMaxBadCalls).
	MaxBadCalls int
	// PauseBetweenPhases stops after the root cause and after the
	// solution plan until Continue or a message (the explorer's default).
	PauseBetweenPhases bool
	// TranscriptDir is where the investigation is saved ("" is not saved).
	TranscriptDir string
	// Header describes the investigation in its transcript (Target at
	// least); the rest is filled in.
	Header agent.TranscriptHeader
	// Resume continues a saved investigation: its events are the start of
	// the history and the run continues its conversation. ResumePath is
	// its file, which the continuation appends to.
	Resume     *agent.TranscriptData
	ResumePath string
	// Notify receives one-line notes for the person (stderr, a status
	// line): repositories not found, code mappings unavailable.
	Notify func(string)
	// Progress receives what is being fetched while the investigation
	// opens.
	Progress func(string)
	// Load, when set, loads the incident instead of agent.Load (a command
	// that explains a target missing from its data).
	Load func(ctx context.Context, c *sentryapi.Client, t sentryapi.Target) (*agent.Incident, error)
}

// Policy is the approval policy.
type Policy struct {
	// AskReadOnly asks before read-only tools too (by default they run).
	AskReadOnly bool
	// Headless answers without a person: read-only calls are approved,
	// writing calls denied with DenyReason (analyze, eval).
	Headless   bool
	DenyReason string
}

// Investigation is one incident under investigation: the incident (issue,
// event, trace tree), the repositories, the tools, the provider, the
// approval policy, the transcript and the run. Its events go to every
// subscriber; approvals and messages come from its participants. Its
// methods are safe for concurrent use.
type Investigation struct {
	opts     Options
	incident *agent.Incident
	repos    *agent.Repos
	hub      *hub

	mu       sync.Mutex
	provider agent.Provider
	analyzer string
	provErr  error
	run      *agent.Run
	pumped   chan struct{} // closed when the current run's events are all published
	tr       *agent.Transcript
	header   agent.TranscriptHeader
	closed   bool
}

// ErrFinished is Start's answer when the investigation has ended and
// there is no message to continue it with.
var ErrFinished = errors.New("the investigation is finished: its report is in the chat; send a message to ask a follow-up")

// ErrNoFollowUp is the answer to a follow-up message when the analyzer is
// the offline one.
var ErrNoFollowUp = errors.New("the offline analyzer cannot answer follow-up questions: it is heuristics, not an LLM; run with --model (or TRACEHOUND_MODEL) to ask one")

// Open loads the incident and its repositories. Nothing runs until Start
// (or a participant's message).
func Open(ctx context.Context, opts Options) (*Investigation, error) {
	if opts.Source.Client == nil {
		return nil, errors.New("investigation: no source client")
	}
	progress := opts.Progress
	if progress == nil {
		progress = func(string) {}
	}
	t := opts.Source.Target
	progress(fmt.Sprintf("fetching %s %s from %s", t.Kind, DescribeTarget(t), opts.Source.Label))
	load := opts.Load
	if load == nil {
		load = agent.Load
	}
	in, err := load(ctx, opts.Source.Client, t)
	if err != nil {
		return nil, err
	}
	if in.Issue != nil {
		progress(fmt.Sprintf("issue %s: %s", in.Issue.ShortID, in.Issue.Title))
	}
	if in.Tree != nil {
		progress(fmt.Sprintf("trace %s: %d transactions in %d services, %d spans, %d errors",
			tracetree.ShortID(in.TraceID()), in.Tree.Transactions, len(in.Tree.Services), in.Tree.Spans, in.Tree.Errors))
	}
	return open(ctx, in, opts)
}

// DescribeTarget names a target briefly: the issue, or the short id of
// the event or trace.
func DescribeTarget(t sentryapi.Target) string {
	switch {
	case t.Issue != "":
		return t.Issue
	case t.Event != "":
		return tracetree.ShortID(t.Event)
	}
	return tracetree.ShortID(t.Trace)
}

// open builds an investigation on a loaded incident.
func open(ctx context.Context, in *agent.Incident, opts Options) (*Investigation, error) {
	progress := opts.Progress
	if progress == nil {
		progress = func(string) {}
	}
	progress("finding the services' source code")
	repos, err := Repositories(ctx, opts)
	if err != nil {
		return nil, err
	}
	inv := &Investigation{opts: opts, incident: in, repos: repos, hub: newHub(), header: opts.Header}
	if in.Issue != nil {
		inv.header.Issue, inv.header.Title = in.Issue.ShortID, in.Issue.Title
	}
	if inv.header.Facts == nil {
		inv.header.Facts = agent.IncidentFacts(in)
	}
	if inv.header.Source.Kind == "" {
		inv.header.Source = opts.Source.Ref
	}
	if d := opts.Resume; d != nil {
		for _, e := range d.Replay() {
			inv.hub.publish(e)
		}
		if !endsRun(d.Events) {
			inv.hub.publish(agent.Event{Kind: agent.EventFinished, Text: "interrupted before it finished; it can go on"})
		}
	}
	return inv, nil
}

// endsRun reports whether a saved run ended (its last event is finished).
func endsRun(evs []agent.Event) bool {
	return len(evs) == 0 || evs[len(evs)-1].Kind == agent.EventFinished
}

// Incident is what is investigated: issue, event, trace tree.
func (inv *Investigation) Incident() *agent.Incident { return inv.incident }

// Repos are the repositories the tools read.
func (inv *Investigation) Repos() *agent.Repos { return inv.repos }

// Label says where the data is from.
func (inv *Investigation) Label() string { return inv.opts.Source.Label }

// Tools are every tool the model may call (the run adds its report
// tools): the trace tools and the code tools.
func (inv *Investigation) Tools() []agent.Tool {
	return append(inv.incident.Tools(), inv.repos.Tools(agent.CodeToolOptions{IssueShortID: inv.header.Issue})...)
}

// Provider is the model (or the offline analyzer) and which it is ("llm"
// or "heuristic"); it is made once, on first use.
func (inv *Investigation) Provider() (agent.Provider, string, error) {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	return inv.providerLocked()
}

func (inv *Investigation) providerLocked() (agent.Provider, string, error) {
	if inv.provider == nil && inv.provErr == nil {
		inv.provider, inv.analyzer, inv.provErr = inv.opts.Model.provider(inv.incident, inv.repos)
	}
	return inv.provider, inv.analyzer, inv.provErr
}

// TranscriptID is the id of the saved investigation ("" when it is not
// saved, or not yet).
func (inv *Investigation) TranscriptID() string {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	if inv.tr == nil {
		return ""
	}
	return inv.tr.Header.ID
}

// Subscribe returns the investigation's events: the history so far, then
// the live stream, until Close.
func (inv *Investigation) Subscribe() *Subscription { return inv.hub.subscribe() }

// History is every event so far (deltas merged).
func (inv *Investigation) History() []agent.Event { return inv.hub.snapshot() }

// Running reports whether a run is under way.
func (inv *Investigation) Running() bool {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	return inv.runningLocked()
}

func (inv *Investigation) runningLocked() bool {
	if inv.run == nil {
		return false
	}
	select {
	case <-inv.pumped:
		return false
	default:
		return true
	}
}

// Started reports whether a run was ever started in this process.
func (inv *Investigation) Started() bool {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	return inv.run != nil
}

// Start starts the investigation, or continues a run paused between
// phases. It fails when the provider cannot be made, or with ErrFinished
// when the investigation has ended (a message starts a follow-up: Send).
func (inv *Investigation) Start(ctx context.Context) error {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	if inv.runningLocked() {
		inv.run.Continue()
		return nil
	}
	if inv.run != nil {
		return ErrFinished
	}
	return inv.startLocked(ctx, Participant{}, "")
}

// Send delivers a participant's message: to the running run (at its next
// step, or at once with interrupt), or as the start of a run (the first,
// or a follow-up after the last one finished).
func (inv *Investigation) Send(ctx context.Context, who Participant, text string, interrupt bool) error {
	if !who.CanMessage {
		return fmt.Errorf("%s may watch this investigation but not message the agent", who.label())
	}
	inv.mu.Lock()
	defer inv.mu.Unlock()
	if inv.runningLocked() {
		inv.run.SendAs(who.Name, text, interrupt)
		return nil
	}
	return inv.startLocked(ctx, who, text)
}

func (inv *Investigation) startLocked(ctx context.Context, who Participant, text string) error {
	if inv.closed {
		return errors.New("the investigation is closed")
	}
	prov, analyzer, err := inv.providerLocked()
	if err != nil {
		return err
	}
	opts := agent.Options{
		Provider: prov, Incident: inv.incident, Analyzer: analyzer,
		Tools: inv.Tools(), Policy: inv.opts.Policy.agentPolicy(), PauseBetweenPhases: inv.opts.PauseBetweenPhases,
		MaxBadCalls: inv.opts.MaxBadCalls,
	}
	switch {
	case inv.run != nil:
		// A follow-up over the same conversation.
		if analyzer != "llm" {
			return ErrNoFollowUp
		}
		opts.Messages = inv.run.Messages()
		opts.Report, _ = inv.run.Wait()
	case inv.opts.Resume != nil:
		opts.Messages, opts.Report = inv.opts.Resume.ResumableMessages(), inv.opts.Resume.Report
	}
	inv.openTranscriptLocked(prov.Name(), analyzer)
	if inv.tr != nil {
		opts.Sink = inv.tr.Sink
	}
	run := agent.Start(ctx, opts)
	pumped := make(chan struct{})
	inv.run, inv.pumped = run, pumped
	if text != "" {
		run.SendAs(who.Name, text, false)
	}
	go func() {
		defer close(pumped)
		for e := range run.Events() {
			inv.hub.publish(e)
		}
	}()
	return nil
}

// openTranscriptLocked starts saving (once): appending to a resumed
// transcript, or a new one in TranscriptDir. A failure is a note, not an
// error: the investigation goes on unsaved.
func (inv *Investigation) openTranscriptLocked(model, analyzer string) {
	if inv.tr != nil {
		return
	}
	var err error
	switch {
	case inv.opts.ResumePath != "":
		inv.tr, err = agent.AppendTo(inv.opts.ResumePath)
	case inv.opts.TranscriptDir != "":
		h := inv.header
		h.Model, h.Analyzer = model, analyzer
		inv.tr, err = agent.NewTranscript(inv.opts.TranscriptDir, h)
	}
	if err != nil {
		inv.tr = nil
		inv.notify("the investigation will not be saved: " + err.Error())
	}
}

func (inv *Investigation) notify(msg string) {
	if inv.opts.Notify != nil {
		inv.opts.Notify(msg)
	}
}

// Continue resumes a run paused between phases.
func (inv *Investigation) Continue() {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	if inv.run != nil {
		inv.run.Continue()
	}
}

// Decide answers the approval request of callID on behalf of who. Only a
// participant allowed to approve may; the first valid answer wins (a
// later one fails: the call is no longer waiting). The decision is
// recorded with who made it (an EventDecision, saved in the transcript).
func (inv *Investigation) Decide(who Participant, callID string, d agent.Decision) error {
	if !who.CanApprove {
		return fmt.Errorf("%s may not approve tool calls in this investigation", who.label())
	}
	inv.mu.Lock()
	run := inv.run
	inv.mu.Unlock()
	if run == nil {
		return fmt.Errorf("tool call %s is not waiting for a decision: no run has started", callID)
	}
	d.By = who.Name
	return run.Decide(callID, d)
}

// Cancel stops the current run; pending approvals are abandoned.
func (inv *Investigation) Cancel() {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	if inv.run != nil {
		inv.run.Cancel()
	}
}

// Wait waits for the current run to end and its events to be published,
// and returns its report and error (nil, nil when no run started).
func (inv *Investigation) Wait() (*agent.Report, error) {
	inv.mu.Lock()
	run, pumped := inv.run, inv.pumped
	inv.mu.Unlock()
	if run == nil {
		return nil, nil
	}
	<-pumped
	return run.Wait()
}

// Close cancels the run, waits for it, closes the transcript (returning
// its first write error) and ends every subscription.
func (inv *Investigation) Close() error {
	inv.mu.Lock()
	if inv.closed {
		inv.mu.Unlock()
		return nil
	}
	inv.closed = true
	run := inv.run
	inv.mu.Unlock()
	if run != nil {
		run.Cancel()
		inv.Wait()
	}
	inv.hub.close()
	inv.mu.Lock()
	defer inv.mu.Unlock()
	if inv.tr != nil {
		return inv.tr.Close()
	}
	return nil
}
