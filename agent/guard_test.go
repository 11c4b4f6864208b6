package agent

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// forever repeats one scripted step n times.
func forever(n int, step func(context.Context, ChatRequest, StreamHandler) (*Completion, error)) []func(context.Context, ChatRequest, StreamHandler) (*Completion, error) {
	out := make([]func(context.Context, ChatRequest, StreamHandler) (*Completion, error), n)
	for i := range out {
		out[i] = step
	}
	return out
}

func failingTool(name string) Tool {
	return Tool{
		Name: name, Description: "fails", ReadOnly: true,
		Parameters: objectSchema(nil, map[string]any{"id": stringProp("id")}),
		Run: func(ctx context.Context, args json.RawMessage) (Result, error) {
			return Result{}, errors.New("no event in trace abc with id " + string(args))
		},
	}
}

func TestLoopGuard(t *testing.T) {
	var runs []string
	cases := []struct {
		name    string
		steps   []func(context.Context, ChatRequest, StreamHandler) (*Completion, error)
		max     int
		reason  string
		reqs    int
		gathers int
	}{
		{"an unknown tool forever", forever(20, call("get_everything", `{}`)), 0,
			"stopped: the model kept calling get_everything, which does not exist (3 times in a row)", 3, 0},
		{"invalid JSON forever", forever(20, call("lookup", `{"q":`)), 0,
			"stopped: the model kept calling lookup with arguments that are not valid JSON (3 times in a row)", 3, 0},
		{"invented ids, configurable limit", forever(20, func(ctx context.Context, req ChatRequest, h StreamHandler) (*Completion, error) {
			return call("get_error_event", `{"id":"deadbeef`+string(rune('0'+len(req.Messages)%10))+`"}`)(ctx, req, h)
		}), 5, "stopped: the model kept making failing calls to get_error_event (5 in a row; last: no event in trace abc", 5, 0},
		{"a mix, after a good call", append([]func(context.Context, ChatRequest, StreamHandler) (*Completion, error){
			call("lookup", `{"q":"a"}`), call("nope", `{}`), call("lookup", `{`)}, forever(5, call("get_error_event", `{"id":"x"}`))...), 0,
			"stopped: the model made 3 bad tool calls in a row (nope does not exist; lookup with invalid JSON; get_error_event failed: no event", 4, 1},
		{"parallel bad calls in one step", forever(3, call("a", `{}`, "b", `{}`, "c", `{}`, "d", `{}`)), 0,
			"stopped: the model made 3 bad tool calls in a row (a does not exist; b does not exist; c does not exist)", 1, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := &fakeProvider{steps: tc.steps}
			r := Start(context.Background(), Options{Provider: p, Incident: testIncident(), MaxBadCalls: tc.max,
				Tools: []Tool{echoTool("lookup", true, &runs), failingTool("get_error_event")}})
			evs := collect(t, r, nil)
			rep, err := r.Wait()
			if err != nil {
				t.Fatal(err)
			}
			if rep == nil || rep.Complete || !strings.HasPrefix(rep.StoppedBecause, tc.reason) {
				t.Fatalf("report %+v\nwant stopped_because %q", rep, tc.reason)
			}
			if n := len(p.requests()); n != tc.reqs {
				t.Errorf("%d model requests, want %d", n, tc.reqs)
			}
			if len(rep.Gathered) != tc.gathers {
				t.Errorf("gathered %+v", rep.Gathered)
			}
			if last := evs[len(evs)-1]; last.Kind != EventFinished || !strings.HasPrefix(last.Text, tc.reason) {
				t.Errorf("last event %+v", last)
			}
			if !strings.Contains(kinds(evs), "report,finished") {
				t.Errorf("no report before the end: %s", kinds(evs))
			}
			md := rep.Markdown()
			if !strings.Contains(md, "**Incomplete**") || !strings.Contains(md, "does not exist") && !strings.Contains(md, "JSON") && !strings.Contains(md, "fail") {
				t.Errorf("markdown does not say why it stopped:\n%s", md)
			}
			// Every call the model made was answered: the conversation stays valid.
			msgs := r.Messages()
			for i, m := range msgs {
				for _, c := range m.ToolCalls {
					found := false
					for _, a := range msgs[i+1:] {
						found = found || a.Role == "tool" && a.ToolCallID == c.ID
					}
					if !found {
						t.Errorf("call %s was not answered", c.ID)
					}
				}
			}
		})
	}
}

func TestEveryStopHasAReport(t *testing.T) {
	t.Run("step limit", func(t *testing.T) {
		var runs []string
		p := &fakeProvider{steps: []func(context.Context, ChatRequest, StreamHandler) (*Completion, error){
			call("lookup", `{"q":"1"}`), call("lookup", `{"q":"2"}`), call("lookup", `{"q":"3"}`)}}
		r := Start(context.Background(), Options{Provider: p, Incident: testIncident(), MaxSteps: 2, Tools: []Tool{echoTool("lookup", true, &runs)}})
		collect(t, r, nil)
		rep, err := r.Wait()
		if err != nil || rep.Complete || rep.StoppedBecause != "stopped after 2 model steps without a final report" {
			t.Fatalf("report %+v err %v", rep, err)
		}
		if len(rep.Gathered) != 2 || rep.Gathered[0].Kind != "lookup" || rep.Gathered[0].Ref != `{"q":"1"}` || rep.Gathered[0].Detail != `lookup says {"q":"1"}` {
			t.Errorf("gathered %+v", rep.Gathered)
		}
		md := rep.Markdown()
		for _, want := range []string{"**Incomplete**", "stopped after 2 model steps", "## Evidence gathered", "No root cause was established"} {
			if !strings.Contains(md, want) {
				t.Errorf("markdown lacks %q:\n%s", want, md)
			}
		}
		b, _ := json.Marshal(rep)
		if !strings.Contains(string(b), `"complete":false`) || !strings.Contains(string(b), `"stopped_because":"stopped after 2`) {
			t.Errorf("json %s", b)
		}
	})
	t.Run("model error keeps what was said", func(t *testing.T) {
		p := &fakeProvider{steps: []func(context.Context, ChatRequest, StreamHandler) (*Completion, error){
			func(ctx context.Context, req ChatRequest, h StreamHandler) (*Completion, error) {
				return &Completion{Message: Message{Role: "assistant", Content: "Auth-service looks guilty.", ToolCalls: []ToolCall{{ID: "1", Name: "nope", Arguments: "{}"}}}, FinishReason: "tool_calls"}, nil
			},
		}}
		r := Start(context.Background(), Options{Provider: p, Incident: testIncident()})
		collect(t, r, nil)
		rep, err := r.Wait()
		if err == nil || rep == nil || rep.Complete || !strings.Contains(rep.StoppedBecause, "no scripted step left") || rep.Summary != "Auth-service looks guilty." {
			t.Fatalf("report %+v err %v", rep, err)
		}
	})
	t.Run("finished is complete", func(t *testing.T) {
		p := &fakeProvider{steps: []func(context.Context, ChatRequest, StreamHandler) (*Completion, error){
			call("report_root_cause", rootCause), call("finish", `{}`)}}
		r := Start(context.Background(), Options{Provider: p, Incident: testIncident()})
		collect(t, r, nil)
		rep, _ := r.Wait()
		if !rep.Complete || rep.StoppedBecause != "" || strings.Contains(rep.Markdown(), "Incomplete") {
			t.Fatalf("report %+v", rep)
		}
	})
}
