package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/tracehound/tracehound/tracetree"
)

// fakeProvider plays scripted steps; each sees the request and streams.
type fakeProvider struct {
	mu    sync.Mutex
	steps []func(ctx context.Context, req ChatRequest, h StreamHandler) (*Completion, error)
	reqs  []ChatRequest
}

func (f *fakeProvider) Name() string       { return "fake-model" }
func (f *fakeProvider) ContextWindow() int { return 32000 }
func (f *fakeProvider) Complete(ctx context.Context, req ChatRequest, h StreamHandler) (*Completion, error) {
	f.mu.Lock()
	f.reqs = append(f.reqs, req)
	if len(f.steps) == 0 {
		f.mu.Unlock()
		return nil, fmt.Errorf("fake: no scripted step left")
	}
	step := f.steps[0]
	f.steps = f.steps[1:]
	f.mu.Unlock()
	return step(ctx, req, h)
}

func (f *fakeProvider) requests() []ChatRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]ChatRequest(nil), f.reqs...)
}

// say streams text then stops.
func say(text string) func(context.Context, ChatRequest, StreamHandler) (*Completion, error) {
	return func(_ context.Context, _ ChatRequest, h StreamHandler) (*Completion, error) {
		for _, w := range strings.SplitAfter(text, " ") {
			h.OnText(w)
		}
		return &Completion{Message: Message{Role: "assistant", Content: text}, FinishReason: "stop"}, nil
	}
}

// call asks for tool calls (name, args pairs).
func call(pairs ...string) func(context.Context, ChatRequest, StreamHandler) (*Completion, error) {
	return func(_ context.Context, _ ChatRequest, h StreamHandler) (*Completion, error) {
		var tcs []ToolCall
		for i := 0; i+1 < len(pairs); i += 2 {
			tcs = append(tcs, ToolCall{ID: fmt.Sprintf("call_%s_%d", pairs[i], i), Name: pairs[i], Arguments: pairs[i+1]})
		}
		return &Completion{Message: Message{Role: "assistant", ToolCalls: tcs}, FinishReason: "tool_calls", Usage: Usage{PromptTokens: 100, CompletionTokens: 10}}, nil
	}
}

func echoTool(name string, readOnly bool, runs *[]string) Tool {
	return Tool{
		Name: name, Description: "test tool", ReadOnly: readOnly,
		Parameters: objectSchema(nil, map[string]any{"q": stringProp("q")}),
		Run: func(ctx context.Context, args json.RawMessage) (Result, error) {
			*runs = append(*runs, name+" "+string(args))
			return Result{Text: name + " says " + string(args)}, nil
		},
	}
}

// collect drains events, answering approvals with decide.
func collect(t *testing.T, r *Run, decide func(Event) *Decision) []Event {
	t.Helper()
	var evs []Event
	timeout := time.After(10 * time.Second)
	for {
		select {
		case e, ok := <-r.Events():
			if !ok {
				return evs
			}
			evs = append(evs, e)
			if e.Kind == EventToolAwaiting && decide != nil {
				if d := decide(e); d != nil {
					if err := r.Decide(e.Call.ID, *d); err != nil {
						t.Errorf("decide: %v", err)
					}
				}
			}
		case <-timeout:
			t.Fatal("run did not finish")
		}
	}
}

func kinds(evs []Event) string {
	var ks []string
	for _, e := range evs {
		if isDelta(e.Kind) {
			continue
		}
		ks = append(ks, e.Kind.String())
	}
	return strings.Join(ks, ",")
}

// toolMessages returns the tool results the model received in request i.
func lastToolResult(req ChatRequest) string {
	for i := len(req.Messages) - 1; i >= 0; i-- {
		if req.Messages[i].Role == "tool" {
			return req.Messages[i].Content
		}
	}
	return ""
}

func testIncident() *Incident { return &Incident{} }

func runWith(t *testing.T, p *fakeProvider, tools []Tool, policy Policy) *Run {
	t.Helper()
	return Start(context.Background(), Options{Provider: p, Incident: testIncident(), Tools: tools, Policy: policy})
}

const rootCause = `{"summary":"s","service":"auth-service","file":"a.go","function":"F","explanation":"e","evidence":[],"causal_chain":[]}`

func TestRunStreamsAndReports(t *testing.T) {
	var runs []string
	p := &fakeProvider{steps: []func(context.Context, ChatRequest, StreamHandler) (*Completion, error){
		call("lookup", `{"q":"a"}`),
		call("report_root_cause", rootCause),
		call("report_solution", `{"steps":["fix it"]}`),
		call("finish", `{"notes":["n"]}`),
	}}
	r := runWith(t, p, []Tool{echoTool("lookup", true, &runs)}, Policy{})
	evs := collect(t, r, nil)
	rep, err := r.Wait()
	if err != nil || !rep.Found() || rep.RootCause.Service != "auth-service" || len(rep.Solution) != 1 || rep.Notes[0] != "n" {
		t.Fatalf("report %+v, err %v", rep, err)
	}
	if len(runs) != 1 {
		t.Errorf("tool runs = %v", runs)
	}
	ks := kinds(evs)
	for _, want := range []string{"tool_proposed,tool_running,tool_done", "phase", "report", "finished"} {
		if !strings.Contains(ks, want) {
			t.Errorf("events %s lack %s", ks, want)
		}
	}
	if last := evs[len(evs)-1]; last.Kind != EventFinished || last.Text != "finished" {
		t.Errorf("last event = %+v", last)
	}
	// The model saw the tool's result.
	if got := lastToolResult(p.requests()[1]); got != `lookup says {"q":"a"}` {
		t.Errorf("tool result sent = %q", got)
	}
}

func TestRunApprovals(t *testing.T) {
	t.Run("deny with reason reaches the model and the run continues", func(t *testing.T) {
		var runs []string
		p := &fakeProvider{steps: []func(context.Context, ChatRequest, StreamHandler) (*Completion, error){
			call("write", `{"q":"x"}`),
			call("finish", `{}`),
		}}
		r := runWith(t, p, []Tool{echoTool("write", false, &runs)}, Policy{})
		evs := collect(t, r, func(e Event) *Decision { return &Decision{Kind: Deny, Reason: "not on prod, please"} })
		r.Wait()
		if len(runs) != 0 {
			t.Errorf("a denied call ran: %v", runs)
		}
		if !strings.Contains(kinds(evs), "tool_awaiting_approval,tool_decided,tool_denied") {
			t.Errorf("events %s", kinds(evs))
		}
		if got := lastToolResult(p.requests()[1]); !strings.Contains(got, "not on prod, please") {
			t.Errorf("the model did not get the reason: %q", got)
		}
	})
	t.Run("approve for session asks once", func(t *testing.T) {
		var runs []string
		p := &fakeProvider{steps: []func(context.Context, ChatRequest, StreamHandler) (*Completion, error){
			call("write", `{"q":"1"}`),
			call("write", `{"q":"2"}`),
			call("finish", `{}`),
		}}
		asked := 0
		r := runWith(t, p, []Tool{echoTool("write", false, &runs)}, Policy{})
		collect(t, r, func(e Event) *Decision { asked++; return &Decision{Kind: ApproveSession} })
		r.Wait()
		if asked != 1 || len(runs) != 2 {
			t.Errorf("asked %d times, ran %v", asked, runs)
		}
	})
	t.Run("approve once asks every time; read-only tools do not ask", func(t *testing.T) {
		var runs []string
		p := &fakeProvider{steps: []func(context.Context, ChatRequest, StreamHandler) (*Completion, error){
			call("write", `{"q":"1"}`, "read", `{"q":"r"}`),
			call("write", `{"q":"2"}`),
			call("finish", `{}`),
		}}
		asked := 0
		r := runWith(t, p, []Tool{echoTool("write", false, &runs), echoTool("read", true, &runs)}, Policy{})
		collect(t, r, func(e Event) *Decision { asked++; return &Decision{Kind: ApproveOnce} })
		r.Wait()
		if asked != 2 || len(runs) != 3 {
			t.Errorf("asked %d times, ran %v", asked, runs)
		}
	})
	t.Run("ask for everything", func(t *testing.T) {
		var runs []string
		p := &fakeProvider{steps: []func(context.Context, ChatRequest, StreamHandler) (*Completion, error){call("read", `{}`), call("finish", `{}`)}}
		asked := 0
		r := runWith(t, p, []Tool{echoTool("read", true, &runs)}, Policy{AskReadOnly: true})
		collect(t, r, func(e Event) *Decision { asked++; return &Decision{Kind: ApproveOnce} })
		r.Wait()
		if asked != 1 || len(runs) != 1 { // read; finish only records the report and never asks
			t.Errorf("asked %d times, ran %v", asked, runs)
		}
	})
	t.Run("edit arguments", func(t *testing.T) {
		var runs []string
		p := &fakeProvider{steps: []func(context.Context, ChatRequest, StreamHandler) (*Completion, error){call("write", `{"q":"model"}`), call("finish", `{}`)}}
		r := runWith(t, p, []Tool{echoTool("write", false, &runs)}, Policy{})
		collect(t, r, func(e Event) *Decision { return &Decision{Kind: Edit, Args: json.RawMessage(`{"q":"user"}`)} })
		r.Wait()
		if len(runs) != 1 || runs[0] != `write {"q":"user"}` {
			t.Errorf("ran %v", runs)
		}
	})
	t.Run("headless policy", func(t *testing.T) {
		var runs []string
		p := &fakeProvider{steps: []func(context.Context, ChatRequest, StreamHandler) (*Completion, error){call("write", `{}`), call("finish", `{}`)}}
		r := runWith(t, p, []Tool{echoTool("write", false, &runs)}, Policy{Decide: func(Call) Decision { return Decision{Kind: Deny, Reason: "headless run"} }})
		collect(t, r, nil)
		r.Wait()
		if len(runs) != 0 || !strings.Contains(lastToolResult(p.requests()[1]), "headless run") {
			t.Errorf("headless: ran %v", runs)
		}
	})
	t.Run("cancel while waiting", func(t *testing.T) {
		var runs []string
		p := &fakeProvider{steps: []func(context.Context, ChatRequest, StreamHandler) (*Completion, error){call("write", `{}`)}}
		r := runWith(t, p, []Tool{echoTool("write", false, &runs)}, Policy{})
		evs := collect(t, r, func(e Event) *Decision { r.Cancel(); return nil })
		if len(runs) != 0 || evs[len(evs)-1].Text != "cancelled" {
			t.Errorf("cancel: ran %v, last %+v", runs, evs[len(evs)-1])
		}
		if err := r.Decide("call_write_0", Decision{}); err == nil {
			t.Errorf("deciding an abandoned call should fail")
		}
	})
}

func TestRunBadCalls(t *testing.T) {
	var runs []string
	p := &fakeProvider{steps: []func(context.Context, ChatRequest, StreamHandler) (*Completion, error){
		call("nope", `{}`),
		call("read", `{"q":`),
		call("read", `{"q":"same"}`),
		call("read", `{"q":"same"}`),
		call("finish", `{}`),
	}}
	r := runWith(t, p, []Tool{echoTool("read", true, &runs)}, Policy{})
	collect(t, r, nil)
	r.Wait()
	reqs := p.requests()
	if got := lastToolResult(reqs[1]); !strings.Contains(got, `no tool named "nope"`) || !strings.Contains(got, "read") {
		t.Errorf("unknown tool result: %q", got)
	}
	if got := lastToolResult(reqs[2]); !strings.Contains(got, "not valid JSON") {
		t.Errorf("invalid JSON result: %q", got)
	}
	if got := lastToolResult(reqs[4]); !strings.Contains(got, "same call as before") {
		t.Errorf("duplicate call result: %q", got)
	}
	if len(runs) != 1 {
		t.Errorf("the duplicate ran again: %v", runs)
	}
}

func TestRunLoopDetectionAndMaxSteps(t *testing.T) {
	var runs []string
	steps := []func(context.Context, ChatRequest, StreamHandler) (*Completion, error){}
	for range 6 {
		steps = append(steps, call("read", `{"q":"again"}`))
	}
	p := &fakeProvider{steps: steps}
	r := runWith(t, p, []Tool{echoTool("read", true, &runs)}, Policy{})
	evs := collect(t, r, nil)
	if last := evs[len(evs)-1]; !strings.Contains(last.Text, "repeated read") {
		t.Errorf("loop not detected: %+v", last)
	}

	p = &fakeProvider{}
	for i := range 5 {
		p.steps = append(p.steps, call("read", fmt.Sprintf(`{"q":"%d"}`, i)))
	}
	r = Start(context.Background(), Options{Provider: p, Incident: testIncident(), Tools: []Tool{echoTool("read", true, &runs)}, MaxSteps: 3})
	evs = collect(t, r, nil)
	if last := evs[len(evs)-1]; !strings.Contains(last.Text, "after 3 model steps") {
		t.Errorf("max steps: %+v", last)
	}
}

func TestRunRedirect(t *testing.T) {
	t.Run("queued to the next step", func(t *testing.T) {
		var runs []string
		ready := make(chan *Run, 1)
		p := &fakeProvider{steps: []func(context.Context, ChatRequest, StreamHandler) (*Completion, error){
			func(ctx context.Context, req ChatRequest, h StreamHandler) (*Completion, error) {
				(<-ready).Send("look at payments first", false)
				return call("read", `{}`)(ctx, req, h)
			},
			call("finish", `{}`),
		}}
		r := runWith(t, p, []Tool{echoTool("read", true, &runs)}, Policy{})
		ready <- r
		evs := collect(t, r, nil)
		reqs := p.requests()
		last := reqs[1].Messages[len(reqs[1].Messages)-1]
		if last.Role != "user" || !last.FromUser || !strings.Contains(last.Content, "look at payments first") || !strings.Contains(last.Content, "from the user") {
			t.Errorf("redirect not delivered at the step boundary: %+v", last)
		}
		if !strings.Contains(kinds(evs), "user_message") {
			t.Errorf("no user_message event: %s", kinds(evs))
		}
	})
	t.Run("interrupting the stream", func(t *testing.T) {
		ready := make(chan *Run, 1)
		p := &fakeProvider{steps: []func(context.Context, ChatRequest, StreamHandler) (*Completion, error){
			func(ctx context.Context, req ChatRequest, h StreamHandler) (*Completion, error) {
				h.OnText("I will read every file ")
				r := <-ready
				go r.Send("stop, check auth-service", true)
				<-ctx.Done() // a long stream, cut by the user
				return nil, ctx.Err()
			},
			call("finish", `{}`),
		}}
		r := runWith(t, p, nil, Policy{})
		ready <- r
		collect(t, r, nil)
		if _, err := r.Wait(); err != nil {
			t.Fatal(err)
		}
		msgs := p.requests()[1].Messages
		n := len(msgs)
		if msgs[n-2].Role != "assistant" || !strings.Contains(msgs[n-2].Content, "interrupted by the user") ||
			!strings.Contains(msgs[n-1].Content, "stop, check auth-service") {
			t.Errorf("after interrupt: %+v / %+v", msgs[n-2], msgs[n-1])
		}
	})
}

func TestRunPausesBetweenPhases(t *testing.T) {
	// synctest.Wait returns once the run is blocked (paused or done): a
	// run that went on without Continue would have asked the model again.
	synctest.Test(t, func(t *testing.T) {
		p := &fakeProvider{steps: []func(context.Context, ChatRequest, StreamHandler) (*Completion, error){
			call("report_root_cause", rootCause),
			call("finish", `{}`),
		}}
		r := Start(context.Background(), Options{Provider: p, Incident: testIncident(), PauseBetweenPhases: true})
		sawPhase := false
		for e := range r.Events() {
			if e.Kind == EventPhase && e.Phase == PhaseSolution {
				sawPhase = true
				synctest.Wait()
				if n := len(p.requests()); n != 1 {
					t.Errorf("the run went on without Continue (%d requests)", n)
				}
				r.Continue()
			}
		}
		if !sawPhase || len(p.requests()) != 2 {
			t.Errorf("phase %v, requests %d", sawPhase, len(p.requests()))
		}
	})
}

// A message sent early (which also wakes a pause) must not skip the pause
// of a phase reported later; while paused, the report's call is done.
func TestRunPauseAfterEarlyMessage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var runs []string
		p := &fakeProvider{steps: []func(context.Context, ChatRequest, StreamHandler) (*Completion, error){
			call("lookup", `{"q":"a"}`),
			call("report_root_cause", rootCause),
			call("finish", `{}`),
		}}
		r := Start(context.Background(), Options{Provider: p, Incident: testIncident(), PauseBetweenPhases: true,
			Tools: append(testIncident().Tools(), echoTool("lookup", true, &runs))})
		r.Send("look at the auth service first", false)
		reportDone := false
		for e := range r.Events() {
			if e.Kind == EventToolDone && e.Call.Name == "report_root_cause" {
				reportDone = true
				synctest.Wait()
				if n := len(p.requests()); n != 2 {
					t.Errorf("the run did not pause after the root cause (%d requests)", n)
				}
				r.Continue()
			}
		}
		if !reportDone || len(p.requests()) != 3 {
			t.Errorf("report done %v, requests %d", reportDone, len(p.requests()))
		}
	})
}

func TestRunModelError(t *testing.T) {
	p := &fakeProvider{steps: []func(context.Context, ChatRequest, StreamHandler) (*Completion, error){
		func(context.Context, ChatRequest, StreamHandler) (*Completion, error) {
			return nil, fmt.Errorf("stream cut: unexpected EOF")
		},
	}}
	r := runWith(t, p, nil, Policy{})
	evs := collect(t, r, nil)
	_, err := r.Wait()
	if err == nil || !strings.Contains(kinds(evs), "error,finished") || !strings.Contains(evs[len(evs)-1].Text, "can be resumed") {
		t.Errorf("model error: %v %s", err, kinds(evs))
	}
}

func TestBusCoalescesDeltasAndKeepsOrder(t *testing.T) {
	// In a bubble the slow consumer's sleep ends only once the publisher
	// is blocked: the overrun is certain, not a matter of timing.
	synctest.Test(t, func(t *testing.T) {
		b := newBus(2, nil)
		ctx := context.Background()
		done := make(chan []Event)
		go func() {
			var got []Event
			time.Sleep(20 * time.Millisecond) // a slow consumer
			for e := range b.ch {
				got = append(got, e)
			}
			done <- got
		}()
		for i := range 100 {
			b.publish(ctx, Event{Kind: EventTextDelta, Text: fmt.Sprintf("%d ", i)})
		}
		b.publish(ctx, Event{Kind: EventToolProposed})
		b.publish(ctx, Event{Kind: EventTextDelta, Text: "end"})
		b.close(ctx)
		got := <-done
		var text strings.Builder
		stateAt := -1
		for i, e := range got {
			if e.Kind == EventTextDelta {
				text.WriteString(e.Text)
			} else {
				stateAt = i
			}
		}
		want := ""
		for i := range 100 {
			want += fmt.Sprintf("%d ", i)
		}
		if text.String() != want+"end" {
			t.Errorf("text lost or reordered: %q", text.String())
		}
		if len(got) >= 102 {
			t.Errorf("deltas were not coalesced (%d events)", len(got))
		}
		if stateAt < 0 || got[len(got)-1].Text != "end" || got[stateAt].Kind != EventToolProposed {
			t.Errorf("state event order wrong")
		}
	})
}

func TestCapText(t *testing.T) {
	var lines []string
	for i := range 2000 {
		lines = append(lines, fmt.Sprintf("line %d: some code here", i))
	}
	s := strings.Join(lines, "\n")
	out := capText(s, 500)
	if !strings.HasPrefix(out, "line 0:") || !strings.HasSuffix(out, "line 1999: some code here") || !strings.Contains(out, "Narrow your query") {
		t.Errorf("capped text: %q…", clip(out, 200))
	}
	if n := tracetree.CountTokens(out); n > 520 {
		t.Errorf("capped to %d tokens", n)
	}
	if capText("short", 500) != "short" {
		t.Error("short text changed")
	}
}

func TestRunApproveReadOnlyClassForSession(t *testing.T) {
	var runs []string
	p := &fakeProvider{steps: []func(context.Context, ChatRequest, StreamHandler) (*Completion, error){
		call("read", `{"q":"1"}`),
		call("look", `{"q":"2"}`, "write", `{"q":"3"}`),
		call("write", `{"q":"4"}`),
		call("finish", `{}`),
	}}
	var asked []string
	r := runWith(t, p, []Tool{echoTool("read", true, &runs), echoTool("look", true, &runs), echoTool("write", false, &runs)}, Policy{AskReadOnly: true})
	evs := collect(t, r, func(e Event) *Decision {
		asked = append(asked, e.Call.Name)
		if e.Call.ReadOnly {
			return &Decision{Kind: ApproveSession, Scope: ScopeReadOnly, By: "ana"}
		}
		return &Decision{Kind: ApproveOnce, By: "ben"}
	})
	r.Wait()
	// One question covers every read-only tool; writing tools still ask each time.
	if strings.Join(asked, ",") != "read,write,write" || len(runs) != 4 {
		t.Errorf("asked %v, ran %v", asked, runs)
	}
	var who []string
	for _, e := range evs {
		if e.Kind == EventDecision {
			if e.Decision == nil || e.Call == nil || e.By != e.Decision.By {
				t.Fatalf("decision event %+v", e)
			}
			who = append(who, e.Call.Name+":"+e.By+":"+e.Decision.Kind.String())
		}
	}
	if got := strings.Join(who, " "); got != "read:ana:approve_session write:ben:approve_once write:ben:approve_once" {
		t.Errorf("decisions recorded: %s", got)
	}
}

func TestRunCallSummaryAndAuthor(t *testing.T) {
	var runs []string
	ready := make(chan struct{})
	p := &fakeProvider{steps: []func(context.Context, ChatRequest, StreamHandler) (*Completion, error){
		func(_ context.Context, _ ChatRequest, _ StreamHandler) (*Completion, error) {
			<-ready
			return call("read", `{"query":"verify","repo":"acme/auth"}`)(nil, ChatRequest{}, StreamHandler{})
		},
		call("finish", `{}`),
	}}
	tool := echoTool("read", true, &runs)
	tool.Summary = searchSummary
	r := runWith(t, p, []Tool{tool}, Policy{})
	r.SendAs("ana", "look at auth first", false)
	close(ready)
	evs := collect(t, r, nil)
	var sawSummary, sawAuthor bool
	for _, e := range evs {
		if e.Kind == EventToolProposed && e.Call.Summary == `"verify" in acme/auth` {
			sawSummary = true
		}
		if e.Kind == EventUserMessage && e.By == "ana" && e.Text == "look at auth first" {
			sawAuthor = true
		}
	}
	if !sawSummary || !sawAuthor {
		t.Errorf("summary %v, author %v: %s", sawSummary, sawAuthor, kinds(evs))
	}
}
