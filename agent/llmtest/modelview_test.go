package llmtest_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/tracehound/tracehound/agent"
	"github.com/tracehound/tracehound/agent/llmtest"
	"github.com/tracehound/tracehound/demo"
	"github.com/tracehound/tracehound/investigation"
	"github.com/tracehound/tracehound/sentryapi"
	"github.com/tracehound/tracehound/sentryapi/local"
)

// The model's-eye view is made of what the run handed to the provider,
// so its text is the request body the model server received: for every
// request, each message of the view (folded from the run's events, as
// the explorer and the transcript get them) is the message of the body
// at its index, byte for byte — secrets scrubbed, results capped, old
// results summarised when the window is small.
func TestModelViewIsTheRequestBody(t *testing.T) {
	ls, err := local.New(demo.Dataset())
	if err != nil {
		t.Fatal(err)
	}
	c, err := sentryapi.New(sentryapi.Options{BaseURL: "http://dataset.test", Org: demo.OrgSlug, Transport: ls.Transport()})
	if err != nil {
		t.Fatal(err)
	}
	in, err := agent.Load(context.Background(), c, sentryapi.Target{Kind: sentryapi.TargetShortID, Issue: demo.IssueShortID})
	if err != nil {
		t.Fatal(err)
	}
	const secret = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"
	config := agent.Tool{
		Name: "get_config", Description: "the service's configuration", ReadOnly: true,
		Parameters: map[string]any{"type": "object", "properties": map[string]any{}},
		Run: func(context.Context, json.RawMessage) (agent.Result, error) {
			return agent.Result{Text: "PAYMENTS_URL=http://payments:8080\nSTRIPE_API_KEY=" + secret + "\nAuthorization: Bearer " + secret + "\n"}, nil
		},
	}
	srv := llmtest.NewInProcess(t,
		llmtest.Text("Opening the connected error.").Tool("get_error_event", `{"id":"214e70f1"}`),
		llmtest.Tool("get_config", `{}`),
		llmtest.Tool("get_trace_tree", `{"budget":3000}`),
		llmtest.Tool("report_root_cause", `{"summary":"auth-service signs the query","service":"auth-service","file":"internal/signing/canonical.go","function":"CanonicalRequest","explanation":"RequestURI includes the query","confidence":"high","evidence":[{"kind":"error","ref":"214e70f1","detail":"signature mismatch"}],"causal_chain":[]}`),
		llmtest.Tool("finish", `{"summary":"auth-service signs the query string"}`),
	)
	// A small window: the old results must be summarised to fit.
	p, err := agent.NewOpenAI(agent.ModelConfig{BaseURL: srv.URL(), HTTPClient: srv.HTTPClient(), Model: "small-local", ContextWindow: 5000})
	if err != nil {
		t.Fatal(err)
	}
	run := agent.Start(context.Background(), agent.Options{Provider: p, Incident: in, Tools: append(in.Tools(), config)})
	var red investigation.Reducer
	var views []*agent.ModelContext // the view as each request left
	for e := range run.Events() {
		red.Apply(e)
		if e.Kind == agent.EventContext {
			v := red.Context
			v.Messages = append([]agent.SentMessage(nil), v.Messages...)
			views = append(views, &v)
		}
	}
	if _, err := run.Wait(); err != nil {
		t.Fatal(err)
	}
	reqs := srv.Requests()
	if len(reqs) != 5 || len(views) != len(reqs) {
		t.Fatalf("%d requests, %d views", len(reqs), len(views))
	}
	summarised := 0
	for i, req := range reqs {
		v := views[i]
		intro, blocks := investigation.ModelContextBlocks(v, "llm")
		if len(blocks) != len(req.Messages) {
			t.Fatalf("request %d: %d messages sent, the view shows %d", i+1, len(req.Messages), len(blocks))
		}
		text := investigation.ModelContextText(v, "llm")
		at := 0
		for j, m := range req.Messages {
			b := blocks[j]
			if b.Text != m.Content || b.Message != j {
				t.Errorf("request %d message %d (%s): the view shows\n%q\nthe server received\n%q", i+1, j, m.Role, clip(b.Text), clip(m.Content))
			}
			if !strings.Contains(b.Heading, map[string]string{"system": "system prompt", "user": "message", "assistant": "the model's answer", "tool": "tool result"}[m.Role]) {
				t.Errorf("request %d message %d (%s): heading %q", i+1, j, m.Role, b.Heading)
			}
			if strings.Contains(b.Heading, "summarised") {
				summarised++
			}
			// The text shows each message whole, in order.
			k := strings.Index(text[at:], m.Content)
			if k < 0 {
				t.Fatalf("request %d: message %d is not in the view's text after offset %d", i+1, j, at)
			}
			at += k + len(m.Content)
		}
		if !strings.Contains(intro, "small-local") || !strings.Contains(intro, "5,000") {
			t.Errorf("request %d: intro %q", i+1, intro)
		}
		if strings.Contains(string(req.Body), secret) || strings.Contains(text, secret) {
			t.Errorf("request %d: the secret reached the model or the view", i+1)
		}
	}
	if summarised == 0 {
		t.Error("nothing was summarised in a 5,000-token window: the test no longer covers compaction")
	}
	last := investigation.ModelContextText(views[len(views)-1], "llm")
	if p := os.Getenv("MODELVIEW_DUMP"); p != "" {
		_ = os.WriteFile(p, []byte(last), 0o600)
	}
	for _, want := range []string{"first message: the incident", "parts (tokens): issue", "The issue's event", "tool result: get_config", "STRIPE_API_KEY="} {
		if !strings.Contains(last, want) {
			t.Errorf("the view lacks %q:\n%s", want, clip(last))
		}
	}
}

func clip(s string) string {
	if len(s) > 600 {
		return s[:300] + " … " + s[len(s)-300:]
	}
	return s
}
