package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tracehound/tracehound/agent/llmtest"
	"github.com/tracehound/tracehound/sentryapi/local/localtest"
)

// wantNoLeaks fails when out carries a secret or a raw escape, control or
// bidi character of the hostile dataset.
func wantNoLeaks(t *testing.T, what, out string) {
	t.Helper()
	for _, l := range localtest.Leaks(out) {
		t.Errorf("%s: %s", what, l)
	}
}

// TestHostileEventData runs every command that prints event data over a
// dataset whose every field carries terminal escapes, C1 and bidi controls
// and secrets, in text and JSON: nothing of it may reach stdout or stderr.
func TestHostileEventData(t *testing.T) {
	dir := writeDataset(t, localtest.HostileDataset())
	env := agentEnv(t, nil)
	for _, args := range [][]string{
		{"issue", "BACKEND-1AB"},
		{"issue", "BACKEND-1AB", "--debug"},
		{"BACKEND-1AB", "--no-tui"},
		{"tree", "BACKEND-1AB"},
		{"event", localtest.ErrorEventID},
		{"event", localtest.TransactionID, "--project", "backend"},
		{"trace", localtest.TraceID},
		{"spans", localtest.TransactionID[:8]},
		{"profile", localtest.TransactionID[:8]},
	} {
		for _, format := range []string{"text", "json"} {
			args := append(args, "--data", dir, "--format", format)
			name := strings.Join(args, " ")
			r := runCLI(t, env, args...)
			if r.code != exitOK {
				t.Errorf("%s: exit %d\n%s", name, r.code, r.stderr)
				continue
			}
			wantNoLeaks(t, name+" stdout", r.stdout)
			wantNoLeaks(t, name+" stderr", r.stderr)
			if format == "json" && !json.Valid([]byte(r.stdout)) {
				t.Errorf("%s: stdout is not JSON:\n%s", name, r.stdout)
			}
			// Masked and made visible, not dropped.
			if !strings.Contains(r.stdout, "[Filtered") || !strings.Contains(r.stdout, `\x1b`) && !strings.Contains(r.stdout, `\u001b`) && !strings.Contains(r.stdout, `\u202e`) {
				t.Errorf("%s: no masked secret or visible escape in the output:\n%s", name, r.stdout)
			}
		}
	}

	// issue --format json keeps Sentry's objects and field names, masked.
	r := runCLI(t, env, "issue", "BACKEND-1AB", "--data", dir, "--format", "json")
	var got struct {
		Issue map[string]any `json:"issue"`
		Event map[string]any `json:"event"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("issue json: %v", err)
	}
	if got.Issue["shortId"] != "BACKEND-1AB" || got.Event["eventID"] != localtest.ErrorEventID || got.Event["entries"] == nil {
		t.Errorf("issue json lost Sentry's fields: %v", got)
	}
	if title, _ := got.Issue["title"].(string); !strings.Contains(title, "\x1b[2J") || !strings.Contains(title, "Bearer [Filtered]") {
		t.Errorf("issue title in JSON = %q, want the escape kept as data (JSON-escaped) and the token filtered", title)
	}
}

// TestHostileInvestigation runs analyze (the offline analyzer and a
// scripted model) over the hostile dataset: the report on stdout, the
// progress on stderr, the saved transcript, export-report and every
// request body sent to the model are free of its escapes and secrets.
func TestHostileInvestigation(t *testing.T) {
	dir := writeDataset(t, localtest.HostileDataset())
	srv := llmtest.NewServer(t,
		llmtest.Text("Looking.").Tool("get_error_event", `{"id":"0a1b2c3d"}`),
		llmtest.Tool("get_trace_tree", `{}`),
		llmtest.Tool("get_transaction_spans", `{"id":"9e9e9e9e"}`),
		llmtest.Tool("get_profile", `{"id":"9e9e9e9e"}`),
		llmtest.Tool("report_root_cause", `{"summary":"s","service":"backend","repo":"acme/backend","file":"app/views.py","function":"pay","explanation":"e","evidence":[],"causal_chain":[]}`),
		llmtest.Tool("finish", `{}`),
	)
	model := map[string]string{"OPENAI_BASE_URL": srv.URL(), "OPENAI_API_KEY": "k", "TRACEHOUND_MODEL": "scripted-model"}
	for _, run := range []struct {
		name string
		env  map[string]string
		args []string
	}{
		{"offline text", nil, []string{"--offline"}},
		{"offline json", nil, []string{"--offline", "--format", "json"}},
		{"model", model, nil},
	} {
		env := agentEnv(t, run.env)
		args := append([]string{"analyze", "BACKEND-1AB", "--data", dir}, run.args...)
		r := runCLI(t, env, args...)
		if r.code != exitOK && r.code != exitNoRootCause {
			t.Errorf("%s: exit %d\n%s", run.name, r.code, r.stderr)
			continue
		}
		wantNoLeaks(t, run.name+" stdout", r.stdout)
		wantNoLeaks(t, run.name+" stderr", r.stderr)

		m := regexp.MustCompile(`saved as (\S+)`).FindStringSubmatch(r.stderr)
		if m == nil {
			t.Errorf("%s: no transcript saved:\n%s", run.name, r.stderr)
			continue
		}
		files, _ := filepath.Glob(filepath.Join(env["XDG_STATE_HOME"], "tracehound", "sessions", "*.jsonl"))
		if len(files) != 1 {
			t.Errorf("%s: transcripts %v", run.name, files)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			wantNoLeaks(t, run.name+" transcript", string(b))
		}
		for _, format := range []string{"text", "json"} {
			r := runCLI(t, env, "export-report", m[1], "--format", format)
			if r.code != exitOK {
				t.Errorf("%s: export-report: exit %d\n%s", run.name, r.code, r.stderr)
			}
			wantNoLeaks(t, run.name+" export-report "+format, r.stdout+r.stderr)
		}
	}
	reqs := srv.Requests()
	if len(reqs) < 5 {
		t.Fatalf("%d model requests, want the scripted 6", len(reqs))
	}
	if first := reqs[0].Messages[1].Content; !strings.Contains(first, "Bearer [Filtered]") || !strings.Contains(first, `\x1b]52;`) {
		t.Errorf("the incident reached the model unmasked or not at all:\n%s", first)
	}
	for _, req := range reqs {
		wantNoLeaks(t, "model request "+itoa(req.N), string(req.Body))
		for _, msg := range req.Messages {
			wantNoLeaks(t, "model request "+itoa(req.N)+" "+msg.Role+" message", msg.Content)
		}
	}
}
