package agent

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tracehound/tracehound/agent/llmtest"
)

// proseAnswer is what a small model says instead of calling the tools.
const proseAnswer = "Looking at the trace, checkout fails because payments is refused by auth-service. " +
	"The signature check in internal/signing/canonical.go (CanonicalRequest) signs the RequestURI with the query, " +
	"so the caller's signature does not match (ServiceAuthError, event 214e70f1). " +
	"The root cause is in auth-service: CanonicalRequest must sign the path only."

const rcJSON = `{"summary":"auth-service signs the query","service":"auth-service","repo":"acme/auth-service","file":"internal/signing/canonical.go","function":"CanonicalRequest","explanation":"RequestURI includes the query","confidence":"high","evidence":[{"kind":"error","ref":"214e70f1","detail":"signature mismatch"}],"causal_chain":[]}`

func runStructured(t *testing.T, srv *llmtest.Server, caps *CapsCache) (*Report, []llmtest.Request, []string) {
	t.Helper()
	in, _ := loadDemo(t)
	p, err := NewOpenAI(ModelConfig{BaseURL: srv.URL(), HTTPClient: srv.HTTPClient(), Model: "small-local", Caps: caps})
	if err != nil {
		t.Fatal(err)
	}
	r := Start(context.Background(), Options{Provider: p, Incident: in, Tools: in.Tools()})
	var notices []string
	for e := range r.Events() {
		if e.Kind == EventNotice {
			notices = append(notices, e.Text)
		}
	}
	rep, err := r.Wait()
	if err != nil {
		t.Fatal(err)
	}
	return rep, srv.Requests(), notices
}

func TestStructuredReportFromEveryModel(t *testing.T) {
	t.Run("prose only: the report is read from the prose", func(t *testing.T) {
		srv := llmtest.NewInProcess(t).Forever(llmtest.Text(proseAnswer))
		cache := &CapsCache{Path: filepath.Join(t.TempDir(), "models.json")}
		rep, reqs, notices := runStructured(t, srv, cache)
		if !rep.Found() || !rep.Complete || rep.Structured != "unstructured" {
			t.Fatalf("report %+v", rep)
		}
		rc := rep.RootCause
		if rc.Service != "auth-service" || rc.File != "internal/signing/canonical.go" || rc.Function != "CanonicalRequest" || rc.Confidence != "low" {
			t.Errorf("root cause %+v", rc)
		}
		var refs []string
		for _, e := range rc.Evidence {
			refs = append(refs, e.Kind+":"+e.Ref)
		}
		for _, want := range []string{"code:internal/signing/canonical.go", "code:CanonicalRequest", "error:214e70f1", "service:auth-service", "service:payments"} {
			if !strings.Contains(strings.Join(refs, " "), want) {
				t.Errorf("evidence %v lacks %s", refs, want)
			}
		}
		if len(rep.Solution) == 0 || !strings.Contains(rep.Markdown(), "read from its words") {
			t.Errorf("solution %q\n%s", rep.Solution, rep.Markdown())
		}
		// prose, nudge, forced tool, json_schema, plain JSON; then the
		// solution phase goes straight to the prose (nothing else worked);
		// then the model ends.
		if len(reqs) != 7 {
			t.Fatalf("%d requests", len(reqs))
		}
		if tc := string(reqs[2].Fields["tool_choice"]); tc != `{"function":{"name":"report_root_cause"},"type":"function"}` || len(reqs[2].Tools) != 1 {
			t.Errorf("forced request: tool_choice %s tools %v", tc, reqs[2].Tools)
		}
		var rf struct {
			Type       string `json:"type"`
			JSONSchema struct {
				Name   string         `json:"name"`
				Strict bool           `json:"strict"`
				Schema map[string]any `json:"schema"`
			} `json:"json_schema"`
		}
		if err := json.Unmarshal(reqs[3].Fields["response_format"], &rf); err != nil || rf.Type != "json_schema" || !rf.JSONSchema.Strict || rf.JSONSchema.Name != "report_root_cause" {
			t.Errorf("json_schema request: %v %s", err, reqs[3].Fields["response_format"])
		}
		props, _ := rf.JSONSchema.Schema["properties"].(map[string]any)
		if req, _ := rf.JSONSchema.Schema["required"].([]any); len(req) != len(props) || len(req) < 10 {
			t.Errorf("strict schema requires %v of %d properties", req, len(props))
		}
		if typ := props["file"].(map[string]any)["type"]; typ == nil || len(typ.([]any)) != 2 {
			t.Errorf("an optional field is not nullable: %v", props["file"])
		}
		if len(reqs[4].Tools) != 0 || !strings.Contains(reqs[4].Last().Content, `Reply with only a JSON object`) || !strings.Contains(reqs[4].Last().Content, `"service" (string, required)`) {
			t.Errorf("plain request: %v %q", reqs[4].Tools, reqs[4].Last().Content)
		}
		if got := cache.Get(srv.URL(), "small-local"); got.ForcedToolChoice != Ignored || got.JSONSchema != Ignored || got.PlainJSON != Ignored {
			t.Errorf("cached %+v", got)
		}
		if !strings.Contains(strings.Join(notices, "\n"), "structured output of small-local — forced tool_choice: ignored; response_format json_schema: ignored; a plain request for JSON: ignored") {
			t.Errorf("notices %q", notices)
		}

		// The next run knows: no forced tool, no json_schema, no plain JSON.
		srv2 := llmtest.NewInProcess(t).Forever(llmtest.Text(proseAnswer))
		cache2 := &CapsCache{Path: cache.Path}
		rep, reqs, _ = runStructured(t, srv2, cache2)
		if len(reqs) != 4 || !rep.Found() {
			t.Errorf("second run: %d requests, report %+v", len(reqs), rep)
		}
	})
	t.Run("rejects tool_choice: json_schema", func(t *testing.T) {
		srv := llmtest.NewInProcess(t,
			llmtest.Text("The auth-service looks wrong."), llmtest.Text("I think it is auth-service."),
			llmtest.Text("```json\n"+rcJSON+"\n```"),
			llmtest.Text("Sign the path only."),
			llmtest.Text(`{"steps":["sign the path only","add a test with a query string"]}`),
			llmtest.Tool("finish", `{}`),
		).RejectToolChoice()
		rep, reqs, _ := runStructured(t, srv, nil)
		if !rep.Found() || !rep.Complete || rep.Structured != "json_schema" || rep.RootCause.Function != "CanonicalRequest" || len(rep.Solution) != 2 {
			t.Fatalf("report %+v", rep)
		}
		// 2 prose, 1 rejected, json; prose, (no forced: known rejected) json; finish.
		if len(reqs) != 7 {
			t.Errorf("%d requests", len(reqs))
		}
	})
	t.Run("rejects both: a plain request, parsed leniently", func(t *testing.T) {
		srv := llmtest.NewInProcess(t,
			llmtest.Text("auth-service."), llmtest.Text("Still auth-service."),
			llmtest.Text("Sure! Here is the report:\n"+rcJSON+"\nLet me know if you need more."),
			llmtest.Tool("report_solution", `{"steps":["sign the path only"]}`),
			llmtest.Tool("finish", `{}`),
		).RejectToolChoice().RejectResponseFormat()
		rep, reqs, _ := runStructured(t, srv, nil)
		if !rep.Found() || rep.Structured != "json" || rep.RootCause.Confidence != "high" || len(reqs) != 7 {
			t.Fatalf("%d requests, report %+v", len(reqs), rep)
		}
	})
	t.Run("forced tool choice works", func(t *testing.T) {
		srv := llmtest.NewInProcess(t,
			llmtest.Text("auth-service."), llmtest.Text("Still auth-service."),
			llmtest.Tool("report_root_cause", rcJSON),
			llmtest.Tool("finish", `{}`),
		)
		rep, reqs, _ := runStructured(t, srv, nil)
		if !rep.Found() || rep.Structured != "forced_tool" || len(reqs) != 4 {
			t.Fatalf("%d requests, report %+v", len(reqs), rep)
		}
		// The forced call and its result are in the conversation.
		if _, ok := reqs[3].ToolResult("call_3_0"); !ok {
			t.Errorf("the forced call was not answered: %+v", reqs[3].Messages)
		}
	})
}

func TestLenientJSON(t *testing.T) {
	for in, want := range map[string]string{
		`{"a":1}`:                            `{"a":1}`,
		"```json\n{\"a\":1}\n```\ntrailing":  `{"a":1}`,
		`Here: {"a":{"b":2}} thanks {"x":1}`: `{"a":{"b":2}}`,
		`{"name":"t","arguments":{"a":1}}`:   `{"a":1}`,
		`{"t":{"a":1}}`:                      `{"a":1}`,
		`{broken {"a":1}`:                    `{"a":1}`,
	} {
		got, ok := lenientJSON(in, "t")
		if !ok || string(got) != want {
			t.Errorf("lenientJSON(%q) = %s %v, want %s", in, got, ok, want)
		}
	}
	if _, ok := lenientJSON("no json here", "t"); ok {
		t.Error("found JSON in prose")
	}
}

func TestProseReading(t *testing.T) {
	got := sentences("It fails in canonical.go (CanonicalRequest). Why? Because!\nNext line")
	want := []string{"It fails in canonical.go (CanonicalRequest).", "Why?", "Because!", "Next line"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("sentences = %q", got)
	}
	if got := stepsFromProse("The cause is X.\n- sign the path only\n- add a test"); strings.Join(got, "|") != "sign the path only|add a test" {
		t.Errorf("bullets = %q", got)
	}
	if got := stepsFromProse("The root cause is in auth-service. Fix it by signing the path only."); strings.Join(got, "|") != "Fix it by signing the path only." {
		t.Errorf("fix sentences = %q", got)
	}
	if !containsWord("payments is refused by auth-service", "auth-service") || containsWord("auth-service2 fails", "auth-service") || containsWord("my-payments", "payments") {
		t.Error("containsWord")
	}
}
