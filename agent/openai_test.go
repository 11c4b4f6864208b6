package agent

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tracehound/tracehound/agent/llmtest"
	"github.com/tracehound/tracehound/sentryapi"
	"github.com/tracehound/tracehound/sentryapi/local/localtest"
)

func newTestModel(t *testing.T, srv *llmtest.Server) *OpenAI {
	t.Helper()
	p, err := NewOpenAI(ModelConfig{BaseURL: srv.URL(), APIKey: "test-key", Model: "gpt-4o-mini", MaxRetries: 2})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestOpenAIStreamsTextReasoningAndTools(t *testing.T) {
	srv := llmtest.NewServer(t,
		llmtest.Reasoning("The checkout fails downstream.").Text("Let me open the backend error.").
			Tool("get_error_event", `{"id":"214e70f1"}`).Tool("get_transaction_spans", `{"id":"1fdbda14","budget":500}`).Usage(1200, 40),
		llmtest.Reasoning("thinking in the other field").ReasoningField(llmtest.FieldReasoning).Text("done"),
	)
	p := newTestModel(t, srv)
	var text, reasoning strings.Builder
	h := StreamHandler{OnText: func(s string) { text.WriteString(s) }, OnReasoning: func(s string) { reasoning.WriteString(s) }}
	comp, err := p.Complete(context.Background(), ChatRequest{
		Messages: []Message{{Role: "system", Content: "sys"}, {Role: "user", Content: "go"}},
		Tools:    []ToolSpec{{Name: "get_error_event", Parameters: objectSchema([]string{"id"}, map[string]any{"id": stringProp("id")})}},
	}, h)
	if err != nil {
		t.Fatal(err)
	}
	if text.String() != "Let me open the backend error." || comp.Message.Content != text.String() {
		t.Errorf("text = %q", text.String())
	}
	if reasoning.String() != "The checkout fails downstream." || comp.Message.Reasoning != reasoning.String() {
		t.Errorf("reasoning = %q", reasoning.String())
	}
	tc := comp.Message.ToolCalls
	if len(tc) != 2 || tc[0].Name != "get_error_event" || tc[0].Arguments != `{"id":"214e70f1"}` || tc[1].Arguments != `{"id":"1fdbda14","budget":500}` || tc[0].ID == tc[1].ID {
		t.Fatalf("tool calls = %+v", tc)
	}
	if comp.Usage.PromptTokens != 1200 || comp.Usage.CompletionTokens != 40 || comp.FinishReason != "tool_calls" {
		t.Errorf("usage/finish = %+v %q", comp.Usage, comp.FinishReason)
	}
	req := srv.Requests()[0]
	if req.APIKey() != "test-key" || !req.HasTool("get_error_event") || !req.IncludeUsage || req.Model != "gpt-4o-mini" {
		t.Errorf("request = %+v", req)
	}
	// The other reasoning field name.
	reasoning.Reset()
	if _, err := p.Complete(context.Background(), ChatRequest{Messages: []Message{{Role: "user", Content: "x"}}}, h); err != nil || reasoning.String() != "thinking in the other field" {
		t.Errorf("reasoning field: %v %q", err, reasoning.String())
	}
}

func TestOpenAIFailures(t *testing.T) {
	ctx := context.Background()
	req := ChatRequest{Messages: []Message{{Role: "user", Content: "x"}}}
	t.Run("429 then success", func(t *testing.T) {
		srv := llmtest.NewServer(t, llmtest.RateLimited(10*time.Millisecond), llmtest.Text("ok"))
		comp, err := newTestModel(t, srv).Complete(ctx, req, StreamHandler{})
		if err != nil || comp.Message.Content != "ok" || len(srv.Requests()) != 2 {
			t.Fatalf("%v %+v", err, comp)
		}
	})
	t.Run("a cut stream is a clear error", func(t *testing.T) {
		srv := llmtest.NewServer(t, llmtest.Text("I am in the middle of a long answer").CutAfter(3))
		_, err := newTestModel(t, srv).Complete(ctx, req, StreamHandler{})
		if err == nil || !strings.Contains(err.Error(), "model server") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("no finish reason is a truncated answer", func(t *testing.T) {
		srv := llmtest.NewServer(t, llmtest.Text("half").NoFinishReason())
		_, err := newTestModel(t, srv).Complete(ctx, req, StreamHandler{})
		if err == nil || !strings.Contains(err.Error(), "ended before the answer was complete") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("401 says what to check, never the key", func(t *testing.T) {
		srv := llmtest.NewServer(t, llmtest.Unauthorized())
		_, err := newTestModel(t, srv).Complete(ctx, req, StreamHandler{})
		if err == nil || !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "OPENAI_API_KEY") || strings.Contains(err.Error(), "test-key") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("cancellation is prompt", func(t *testing.T) {
		srv := llmtest.NewServer(t, llmtest.Text("slow").Hang())
		cctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := newTestModel(t, srv).Complete(cctx, req, StreamHandler{})
		if err == nil || time.Since(start) > 3*time.Second {
			t.Fatalf("err = %v after %s", err, time.Since(start))
		}
	})
	t.Run("models", func(t *testing.T) {
		srv := llmtest.NewServer(t).WithModels("qwen2.5-coder", "llama3.1")
		ids, err := newTestModel(t, srv).Models(ctx)
		if err != nil || strings.Join(ids, ",") != "llama3.1,qwen2.5-coder" {
			t.Fatalf("%v %v", ids, err)
		}
	})
}

func TestWindowFor(t *testing.T) {
	for model, want := range map[string]int{"gpt-4o-mini": 128_000, "gpt-4.1-nano": 1_047_576, "qwen2.5-coder:7b": 32_768,
		"meta-llama/llama3.1-70b": 128_000, "something-new": DefaultContextWindow, "gpt-4": 8_192} {
		if got := WindowFor(model); got != want {
			t.Errorf("WindowFor(%q) = %d, want %d", model, got, want)
		}
	}
}

// TestRunAgainstScriptedModel drives a whole investigation through the real
// openai-go client: several steps, several tools, a denial whose reason
// reaches the model, and a redirect delivered at the next step.
func TestRunAgainstScriptedModel(t *testing.T) {
	in, _ := loadDemo(t)
	var runs []string
	write := echoTool("restart_service", false, &runs)
	srv := llmtest.NewServer(t,
		llmtest.Text("The storefront only sees a 500; following the chain.").
			Tool("get_error_event", `{"id":"41da8e73"}`).Tool("get_error_event", `{"id":"0bae0003"}`),
		llmtest.Text("Payments was refused by auth-service.").Tool("get_error_event", `{"id":"214e70f1"}`).
			Expect(func(r llmtest.Request) error {
				m, ok := r.ToolResult("call_1_1")
				if !ok || !strings.Contains(m.Content, "ServiceAuthError") {
					return fmt.Errorf("the payments error did not reach the model: %+v", m)
				}
				return nil
			}),
		llmtest.Tool("restart_service", `{"q":"auth-service"}`),
		llmtest.Text("Not restarting; reading the signing code instead.").Tool("report_root_cause",
			`{"summary":"auth-service signs the query string","service":"auth-service","repo":"acme/auth-service","file":"internal/signing/canonical.go","function":"CanonicalRequest","explanation":"RequestURI includes the query","confidence":"high","evidence":[{"kind":"error","ref":"214e70f1","detail":"signature mismatch"}],"causal_chain":[{"service":"auth-service","what":"rejects the signature"}]}`).
			Expect(func(r llmtest.Request) error {
				m, ok := r.ToolResult("call_3_0")
				if !ok || !strings.Contains(m.Content, "do not restart production") {
					return fmt.Errorf("the denial reason did not reach the model: %+v", m)
				}
				return nil
			}),
		llmtest.Tool("report_solution", `{"steps":["sign the path only"]}`).
			Expect(func(r llmtest.Request) error {
				for _, m := range r.Messages {
					if m.Role == "user" && strings.Contains(m.Content, "check the key rotation too") {
						return nil
					}
				}
				return fmt.Errorf("the redirect did not reach the model")
			}),
		llmtest.Tool("finish", `{}`),
	)
	p := newTestModel(t, srv)
	// Paused between phases, as in the UI: the redirect is typed while the
	// run waits after the root cause.
	r := Start(context.Background(), Options{Provider: p, Incident: in, Tools: append(in.Tools(), write), PauseBetweenPhases: true})
	var sawText bool
	redirected := false
	for e := range r.Events() {
		switch e.Kind {
		case EventTextDelta:
			sawText = true
		case EventToolAwaiting:
			if err := r.Decide(e.Call.ID, Decision{Kind: Deny, Reason: "do not restart production"}); err != nil {
				t.Error(err)
			}
		case EventPhase:
			switch {
			case e.Phase == PhaseSolution && !redirected:
				redirected = true
				r.Send("check the key rotation too", false) // also resumes
			case e.Phase == PhasePatch:
				r.Continue()
			}
		}
	}
	rep, err := r.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if !sawText || !rep.Found() || rep.RootCause.Function != "CanonicalRequest" || len(rep.Solution) != 1 || len(runs) != 0 {
		t.Fatalf("report %+v, ran %v", rep, runs)
	}
	if n := len(srv.Requests()); n != 6 {
		t.Errorf("%d model requests, want 6", n)
	}
	// The first message carried the issue, its event and the tree.
	first := srv.Requests()[0].Messages[1].Content
	for _, want := range []string{"STOREFRONT-4Z", "◀ this issue", "The issue's event", "Error: POST /api/checkout failed"} {
		if !strings.Contains(first, want) {
			t.Errorf("first message lacks %q", want)
		}
	}
}

// TestRunBadModelOutputAndSecrets drives the loop through openai-go with a
// model that invents a tool, sends invalid JSON arguments and an id that is
// not in the trace — each ends well — over an incident whose event carries
// secrets that must never reach the model.
func TestRunBadModelOutputAndSecrets(t *testing.T) {
	fsys := localtest.Dataset()
	const (
		bearer = "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlc2lnbmF0dXJl"
		email  = "jane.doe@example.com"
		pass   = "hunter2-very-secret"
	)
	ev := string(fsys["events/backend/"+localtest.ErrorEventID+".json"].Data)
	ev = strings.Replace(ev, `"tags":[`, `"entries_extra":1,"tags":[{"key":"user","value":"`+email+`"},`, 1)
	ev = strings.Replace(ev, `{"type":"made-up-entry"`, `{"type":"request","data":{"method":"POST","url":"https://api.example.com/pay?password=`+pass+`","headers":[["Authorization","`+bearer+`"],["X-Contact","`+email+`"]]}},{"type":"breadcrumbs","data":{"values":[{"message":"login ok for `+email+` with password=`+pass+`","category":"auth"}]}},{"type":"made-up-entry"`, 1)
	fsys["events/backend/"+localtest.ErrorEventID+".json"].Data = []byte(ev)
	c, _ := clientFor(t, fsys, "acme")
	in, err := Load(context.Background(), c, sentryapi.Target{Kind: sentryapi.TargetShortID, Issue: "BACKEND-1AB"})
	if err != nil {
		t.Fatal(err)
	}
	srv := llmtest.NewServer(t,
		llmtest.Tool("no_such_tool", `{}`),
		llmtest.Turn{}.ToolParts("get_error_event", `{"id": "0a1b`, `2c3d"`), // cut JSON
		llmtest.Tool("get_error_event", `{"id":"deadbeef"}`),                 // an invented id
		llmtest.Tool("get_error_event", `{"id":"0a1b2c3d"}`),
		llmtest.Tool("finish", `{}`),
	)
	// Three bad calls in a row would stop the run (the loop guard); this
	// test wants to see each answered, then a good call.
	r := Start(context.Background(), Options{Provider: newTestModel(t, srv), Incident: in, Tools: in.Tools(), MaxBadCalls: 4})
	for range r.Events() {
	}
	if _, err := r.Wait(); err != nil {
		t.Fatal(err)
	}
	reqs := srv.Requests()
	if len(reqs) != 5 {
		t.Fatalf("%d requests", len(reqs))
	}
	for i, want := range []string{"no tool named", "not valid JSON", "no event in trace"} {
		if got := reqs[i+1].Last().Content; !strings.Contains(got, want) {
			t.Errorf("request %d: tool result %q lacks %q", i+2, got, want)
		}
	}
	if got := reqs[4].Last().Content; !strings.Contains(got, "ValueError: boom") {
		t.Errorf("the error view did not reach the model: %q", got)
	}
	for i, req := range reqs {
		body := string(req.Body)
		for _, secret := range []string{"hunter2", email, "eyJhbGciOiJIUzI1NiJ9", "c2lnbmF0dXJl"} {
			if strings.Contains(body, secret) {
				t.Errorf("request %d sent %q to the model", i+1, secret)
			}
		}
	}
}
