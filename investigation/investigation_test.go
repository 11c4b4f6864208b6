package investigation

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tracehound/tracehound/agent"
	"github.com/tracehound/tracehound/demo"
	"github.com/tracehound/tracehound/sentryapi"
	"github.com/tracehound/tracehound/sentryapi/local"
)

// demoSource is the embedded demo read through the fake Sentry.
func demoSource(t *testing.T) Source {
	t.Helper()
	srv, err := local.New(demo.Dataset())
	if err != nil {
		t.Fatal(err)
	}
	c, err := sentryapi.New(sentryapi.Options{BaseURL: "http://dataset.test", Org: demo.OrgSlug, Transport: srv.Transport()})
	if err != nil {
		t.Fatal(err)
	}
	return Source{
		Client: c, Label: demo.Label, Dataset: demo.Dataset(), Demo: true,
		Target: sentryapi.Target{Kind: sentryapi.TargetShortID, Issue: demo.IssueShortID},
		Ref:    agent.Source{Kind: "demo", Name: demo.Incident},
	}
}

// openDemo opens the demo investigation with the options given.
func openDemo(t *testing.T, opts Options) *Investigation {
	t.Helper()
	opts.Source = demoSource(t)
	if opts.CacheDir == "" {
		opts.CacheDir = t.TempDir()
	}
	opts.Header.Target = demo.IssueShortID
	inv, err := Open(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inv.Close() })
	return inv
}

// readUntil reads a subscription up to and including the first event
// that stop accepts.
func readUntil(t *testing.T, s *Subscription, stop func(agent.Event) bool) []agent.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out []agent.Event
	for {
		e, ok := s.Next(ctx)
		if !ok {
			t.Fatalf("the stream ended before the expected event; got %s", kindList(out))
		}
		out = append(out, e)
		if stop(e) {
			return out
		}
	}
}

func isKind(k agent.EventKind) func(agent.Event) bool {
	return func(e agent.Event) bool { return e.Kind == k }
}

// merged is a stream with consecutive deltas of a kind and step merged,
// as a slow subscriber may receive it; times are dropped.
func merged(evs []agent.Event) []agent.Event {
	var out []agent.Event
	for _, e := range evs {
		e.Time = time.Time{}
		out = appendEvent(out, e, 0)
	}
	return out
}

func kindList(evs []agent.Event) string {
	var ks []string
	for _, e := range evs {
		ks = append(ks, e.Kind.String())
	}
	return strings.Join(ks, ",")
}

func sameStream(t *testing.T, what string, got, want []agent.Event) {
	t.Helper()
	g, w := merged(got), merged(want)
	gj, _ := json.Marshal(g)
	wj, _ := json.Marshal(w)
	if string(gj) != string(wj) {
		t.Errorf("%s differs:\n got %s\nwant %s", what, kindList(g), kindList(w))
	}
}

// A subscriber that joins a running investigation (paused after the root
// cause) first receives the whole history, then the live events, exactly
// as a subscriber that was there from the start.
func TestLateSubscriberGetsHistoryThenLive(t *testing.T) {
	inv := openDemo(t, Options{PauseBetweenPhases: true})
	early := inv.Subscribe()
	if err := inv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	paused := func(e agent.Event) bool { return e.Kind == agent.EventPhase && e.Phase == agent.PhaseSolution }
	before := readUntil(t, early, paused)

	late := inv.Subscribe()
	history := readUntil(t, late, paused)
	sameStream(t, "the late subscriber's history", history, before)
	if evs, _ := late.Drain(); len(evs) != 0 {
		t.Fatalf("the late subscriber got %d events past the pause: %s", len(evs), kindList(evs))
	}

	inv.Continue()
	rest := readUntil(t, early, func(e agent.Event) bool { return e.Kind == agent.EventPhase && e.Phase == agent.PhasePatch })
	inv.Continue() // it pauses again after the solution plan
	rest = append(rest, readUntil(t, early, isKind(agent.EventFinished))...)
	liveLate := readUntil(t, late, isKind(agent.EventFinished))
	sameStream(t, "the late subscriber's live stream", liveLate, rest)
	if rep, err := inv.Wait(); err != nil || !rep.Found() {
		t.Fatalf("report %+v, err %v", rep, err)
	}
	inv.Close()
	if _, ok := late.Next(context.Background()); ok {
		t.Error("a subscription goes on after Close")
	}
}

// script is a provider that plays scripted steps.
type script struct {
	mu    sync.Mutex
	steps []func(context.Context, agent.StreamHandler) (*agent.Completion, error)
}

func (s *script) Name() string       { return "scripted" }
func (s *script) ContextWindow() int { return 32000 }
func (s *script) Complete(ctx context.Context, _ agent.ChatRequest, h agent.StreamHandler) (*agent.Completion, error) {
	s.mu.Lock()
	if len(s.steps) == 0 {
		s.mu.Unlock()
		return nil, fmt.Errorf("script: no step left")
	}
	step := s.steps[0]
	s.steps = s.steps[1:]
	s.mu.Unlock()
	return step(ctx, h)
}

func words(text string) func(context.Context, agent.StreamHandler) (*agent.Completion, error) {
	return func(_ context.Context, h agent.StreamHandler) (*agent.Completion, error) {
		for _, w := range strings.SplitAfter(text, " ") {
			h.OnText(w)
		}
		return &agent.Completion{Message: agent.Message{Role: "assistant", Content: text}}, nil
	}
}

func calls(name, args string) func(context.Context, agent.StreamHandler) (*agent.Completion, error) {
	return func(context.Context, agent.StreamHandler) (*agent.Completion, error) {
		return &agent.Completion{Message: agent.Message{Role: "assistant", ToolCalls: []agent.ToolCall{{ID: "call_" + name, Name: name, Arguments: args}}}}, nil
	}
}

func scripted(steps ...func(context.Context, agent.StreamHandler) (*agent.Completion, error)) ModelConfig {
	return ModelConfig{New: func(*agent.Incident, *agent.Repos) (agent.Provider, error) { return &script{steps: steps}, nil }}
}

// One subscriber never reads: the run is not slowed and the others get
// everything; it later finds every event in order, its deltas merged.
func TestFanOutWithAStuckSubscriber(t *testing.T) {
	long := strings.Repeat("the gateway forwards the request and the payments service answers 401 ", 200)
	inv := openDemo(t, Options{Model: scripted(words(long), calls(agent.ToolFinish, `{"summary":"done"}`))})
	stuck := inv.Subscribe()
	readers := make([]*Subscription, 3)
	got := make([][]agent.Event, 3)
	var wg sync.WaitGroup
	for i := range readers {
		readers[i] = inv.Subscribe()
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = readUntil(t, readers[i], isKind(agent.EventFinished))
		}()
	}
	if err := inv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := inv.Wait(); err != nil { // returns although one subscriber never read
		t.Fatal(err)
	}
	wg.Wait()
	all := inv.History()
	for i := range got {
		sameStream(t, fmt.Sprintf("reader %d", i), got[i], all)
	}
	queued, _ := stuck.Drain()
	sameStream(t, "the stuck subscriber's queue", queued, all)
	deltas, text := 0, ""
	for _, e := range queued {
		if e.Kind == agent.EventTextDelta {
			deltas++
			text += e.Text
		}
	}
	if words := strings.Count(long, " "); deltas > defaultDeltaRoom || deltas >= words || text != long {
		t.Errorf("the stuck subscriber has %d text deltas for %d words (want at most %d: merged once it is that far behind), text intact: %v",
			deltas, words, defaultDeltaRoom, text == long)
	}
}

// Approval requests are answered by an allowed participant only; the
// first answer wins and records who made it, in the stream and the
// transcript.
func TestApprovalByAllowedParticipant(t *testing.T) {
	dir := t.TempDir()
	inv := openDemo(t, Options{
		TranscriptDir: dir,
		Policy:        Policy{AskReadOnly: true},
		Model:         scripted(calls(agent.ToolTraceTree, `{}`), calls(agent.ToolFinish, `{}`)),
	})
	sub := inv.Subscribe()
	if err := inv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	evs := readUntil(t, sub, isKind(agent.EventToolAwaiting))
	id := evs[len(evs)-1].Call.ID
	guest := Participant{ID: "ssh:ana", Name: "ana", CanMessage: true}
	if err := inv.Decide(guest, id, agent.Decision{Kind: agent.ApproveOnce}); err == nil {
		t.Fatal("a guest without approval rights approved a call")
	}
	if err := inv.Decide(LocalUser, id, agent.Decision{Kind: agent.Deny, Reason: "not now"}); err != nil {
		t.Fatal(err)
	}
	if err := inv.Decide(LocalUser, id, agent.Decision{Kind: agent.ApproveOnce}); err == nil {
		t.Fatal("a second answer to the same request was accepted")
	}
	evs = readUntil(t, sub, isKind(agent.EventFinished))
	var decision *agent.Event
	for i, e := range evs {
		if e.Kind == agent.EventDecision {
			decision = &evs[i]
		}
	}
	if decision == nil || decision.By != LocalUser.Name || decision.Decision.Kind != agent.Deny || decision.Decision.Reason != "not now" {
		t.Fatalf("decision event %+v", decision)
	}
	id2 := inv.TranscriptID()
	inv.Close()
	d, err := agent.LoadTranscript(filepath.Join(dir, id2+".jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range d.Events {
		if e.Kind == agent.EventDecision && e.By == LocalUser.Name {
			found = true
		}
	}
	if !found {
		t.Error("the transcript does not record who decided")
	}
}

// A message carries its author; a participant without the right to
// message is refused.
func TestMessagesCarryTheirAuthor(t *testing.T) {
	inv := openDemo(t, Options{Model: scripted(words("Looking."), calls(agent.ToolFinish, `{}`))})
	sub := inv.Subscribe()
	watcher := Participant{ID: "ssh:bo", Name: "bo"}
	if err := inv.Send(context.Background(), watcher, "hello", false); err == nil {
		t.Fatal("a watcher sent a message")
	}
	ana := Participant{ID: "ssh:ana", Name: "ana", CanMessage: true}
	if err := inv.Send(context.Background(), ana, "check payments first", false); err != nil {
		t.Fatal(err)
	}
	evs := readUntil(t, sub, isKind(agent.EventFinished))
	var r Reducer
	for _, e := range evs {
		r.Apply(e)
	}
	for _, it := range r.Items {
		if it.Kind == ItemUser {
			if it.Author != "ana" || it.Text != "check payments first" {
				t.Errorf("user item %+v", it)
			}
			return
		}
	}
	t.Errorf("no user message among %s", kindList(evs))
}

// Resume: the saved investigation is the start of the history, so a
// subscriber sees the old conversation before the continuation.
func TestResumeReplaysTheTranscript(t *testing.T) {
	dir := t.TempDir()
	first := openDemo(t, Options{TranscriptDir: dir, Model: scripted(words("Looking at the tree."), calls(agent.ToolTraceTree, `{}`),
		func(context.Context, agent.StreamHandler) (*agent.Completion, error) {
			return nil, os.ErrDeadlineExceeded
		})})
	sub := first.Subscribe()
	if err := first.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	live := readUntil(t, sub, isKind(agent.EventFinished))
	id := first.TranscriptID()
	first.Close()
	path := filepath.Join(dir, id+".jsonl")
	d, err := agent.LoadTranscript(path)
	if err != nil {
		t.Fatal(err)
	}
	second := openDemo(t, Options{Resume: d, ResumePath: path, Model: scripted(calls(agent.ToolFinish, `{"summary":"resumed"}`))})
	var before, after Reducer
	for _, e := range live {
		before.Apply(e)
	}
	for _, e := range second.History() {
		after.Apply(e)
	}
	if a, b := describe(after.Items), describe(before.Items); a != b {
		t.Errorf("the resumed history shows\n%s\nthe live run showed\n%s", a, b)
	}
	s2 := second.Subscribe()
	if err := second.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	readUntil(t, s2, isKind(agent.EventFinished)) // the saved run's end
	readUntil(t, s2, isKind(agent.EventFinished)) // the continuation's
	if rep, err := second.Wait(); err != nil || rep == nil || rep.Summary != "resumed" {
		t.Fatalf("resumed report %+v, %v", rep, err)
	}
}

// describe lists items as kind: text, for comparisons.
func describe(items []*Item) string {
	var b strings.Builder
	for _, it := range items {
		fmt.Fprintf(&b, "%s: %s", it.Kind, it.Text)
		if it.Call != nil {
			fmt.Fprintf(&b, " %s %s [%s]", it.Call.Name, it.Call.Summary, it.State)
		}
		b.WriteByte('\n')
	}
	return b.String()
}
