package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/tracehound/tracehound/agent"
	"github.com/tracehound/tracehound/agent/llmtest"
	"github.com/tracehound/tracehound/demo"
)

// agentEnv isolates the state (transcripts) and cache (materialised
// sources) directories of a test.
func agentEnv(t *testing.T, extra map[string]string) map[string]string {
	t.Helper()
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	env := map[string]string{"XDG_STATE_HOME": t.TempDir()}
	for k, v := range extra {
		env[k] = v
	}
	return env
}

func TestAnalyzeDemoOffline(t *testing.T) {
	env := agentEnv(t, nil)
	r := runCLI(t, env, "analyze", "--demo", "--offline")
	if r.code != exitOK {
		t.Fatalf("exit %d\nstderr: %s", r.code, r.stderr)
	}
	wantContains(t, "report", r.stdout, "# Investigation of "+demo.IssueShortID, "not an LLM",
		"auth-service — `acme/auth-service internal/signing/canonical.go", "in `CanonicalRequest`", "## Causal chain")
	wantContains(t, "progress", r.stderr, "[demo data]", "→ get_error_event", "→ read_file", "== root cause reported", "saved as ", "tracehound resume ")

	// The saved investigation is listed and exported.
	id := regexp.MustCompile(`saved as (\S+)`).FindStringSubmatch(r.stderr)[1]
	r = runCLI(t, env, "resume")
	wantContains(t, "resume list", r.stdout, id, "finished", demo.IssueShortID)
	r = runCLI(t, env, "export-report", id)
	if r.code != exitOK {
		t.Fatalf("export-report: %d %s", r.code, r.stderr)
	}
	wantContains(t, "export-report", r.stdout, "CanonicalRequest", "## Solution plan")
	r = runCLI(t, env, "export-report", id[:17], "--format", "json")
	var rep agent.Report
	if err := wire.Decode([]byte(r.stdout), &rep); err != nil || rep.RootCause == nil || rep.Analyzer != "heuristic" {
		t.Errorf("json report: %v %+v", err, rep)
	}
	// --chat: the whole conversation, as the explorer's chat shows it.
	r = runCLI(t, env, "export-report", id, "--chat")
	if r.code != exitOK {
		t.Fatalf("export-report --chat: %d %s", r.code, r.stderr)
	}
	wantContains(t, "export-report --chat", r.stdout, "### investigating the root cause", "- `get_error_event`", "— done",
		"### root cause reported", "## Investigation of "+demo.IssueShortID)
	r = runCLI(t, env, "export-report", "nope")
	if r.code != exitUsage || !strings.Contains(r.stderr, "no saved investigation") {
		t.Errorf("unknown id: %d %s", r.code, r.stderr)
	}
}

func TestAnalyzeWithoutModelSaysSo(t *testing.T) {
	env := agentEnv(t, nil)
	r := runCLI(t, env, "analyze", "--demo", "--format", "json")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	wantContains(t, "stderr", r.stderr, "no model configured", "offline analyzer, which is heuristic, not an LLM")
	var rep agent.Report
	if err := wire.Decode([]byte(r.stdout), &rep); err != nil || rep.RootCause.Function != "CanonicalRequest" {
		t.Fatalf("report: %v %+v", err, rep.RootCause)
	}
}

func TestAnalyzeWithScriptedModel(t *testing.T) {
	srv := llmtest.NewServer(t,
		llmtest.Text("Following the chain.").Tool("get_error_event", `{"id":"214e70f1"}`),
		llmtest.Tool("read_file", `{"repo":"acme/auth-service","path":"internal/signing/canonical.go"}`).
			Expect(func(r llmtest.Request) error {
				if m := r.Last(); !strings.Contains(m.Content, "signature mismatch") {
					return errorf("the error view did not reach the model: %q", m.Content)
				}
				return nil
			}),
		llmtest.Tool("propose_patch", `{"repo":"acme/auth-service","diff":"--- a/x\n+++ b/x\n","explanation":"fix"}`).
			Expect(func(r llmtest.Request) error {
				if m := r.Last(); !strings.Contains(m.Content, "func CanonicalRequest") {
					return errorf("the file did not reach the model: %q", m.Content)
				}
				return nil
			}),
		llmtest.Tool("report_root_cause", `{"summary":"s","service":"auth-service","repo":"acme/auth-service","file":"internal/signing/canonical.go","function":"CanonicalRequest","explanation":"signs the query","evidence":[],"causal_chain":[]}`).
			Expect(func(r llmtest.Request) error {
				if m := r.Last(); !strings.Contains(m.Content, "Error:") {
					return errorf("the invalid patch was not refused: %q", m.Content)
				}
				return nil
			}),
		llmtest.Tool("finish", `{}`),
	)
	env := agentEnv(t, map[string]string{"OPENAI_BASE_URL": srv.URL(), "OPENAI_API_KEY": "k", "TRACEHOUND_MODEL": "scripted-model"})
	r := runCLI(t, env, "analyze", "--demo")
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	wantContains(t, "report", r.stdout, "Produced by the model `scripted-model`", "CanonicalRequest")
	wantContains(t, "progress", r.stderr, "investigating with scripted-model", "✗ propose_patch") // an invalid diff is refused before any approval
	if n := len(srv.Requests()); n != 5 {
		t.Errorf("%d model requests, want 5", n)
	}
}

func TestAnalyzeNoRootCauseExitCode(t *testing.T) {
	// A model that concludes nothing, in prose, whatever it is asked (the
	// report tool forced, json_schema, a plain JSON request).
	srv := llmtest.NewServer(t).Forever(llmtest.Text("I cannot tell from this data."))
	env := agentEnv(t, map[string]string{"OPENAI_BASE_URL": srv.URL()})
	r := runCLI(t, env, "analyze", "--demo", "--model", "m")
	if r.code != exitNoRootCause || !strings.Contains(r.stderr, "no root cause was found") {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if n := len(srv.Requests()); n != 5 {
		t.Errorf("%d requests", n)
	}
}

// TestAnalyzeProseOnlyModel: a model that only ever answers in prose still
// gives a report naming what it concluded (marked unstructured), exit 0;
// what it supports is remembered in the cache.
func TestAnalyzeProseOnlyModel(t *testing.T) {
	const prose = "The checkout fails because payments is refused by auth-service: CanonicalRequest in internal/signing/canonical.go signs the query too. " +
		"The root cause is in auth-service."
	srv := llmtest.NewServer(t).Forever(llmtest.Text(prose)).RejectToolChoice()
	env := agentEnv(t, map[string]string{"OPENAI_BASE_URL": srv.URL()})
	r := runCLI(t, env, "analyze", "--demo", "--model", "prose-model")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	wantContains(t, "report", r.stdout, "**auth-service — `internal/signing/canonical.go` in `CanonicalRequest`** (confidence: low)",
		"read from its words", "## Solution plan")
	wantContains(t, "progress", r.stderr, "forced tool_choice: rejected", "remembered for the next runs")
	b, err := os.ReadFile(filepath.Join(os.Getenv("XDG_CACHE_HOME"), "tracehound", "models.json"))
	if err != nil || !strings.Contains(string(b), `"forced_tool_choice": "rejected"`) {
		t.Errorf("capability cache: %v %s", err, b)
	}
}

// TestAnalyzeStopsWithAPartialReport: a model that keeps calling a tool
// that does not exist is stopped by the loop guard within three calls,
// and analyze still prints a report saying why (exit 3); a model server
// that answers HTML prints one too, with a model error.
func TestAnalyzeStopsWithAPartialReport(t *testing.T) {
	srv := llmtest.NewServer(t).Forever(llmtest.Tool("get_everything", `{}`))
	env := agentEnv(t, map[string]string{"OPENAI_BASE_URL": srv.URL(), "OPENAI_API_KEY": "sk-secret-key-123"})
	r := runCLI(t, env, "analyze", "--demo", "--model", "m", "--format", "json")
	if r.code != exitNoRootCause {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var rep agent.Report
	if err := wire.Decode([]byte(r.stdout), &rep); err != nil || rep.Complete || rep.StoppedBecause != "stopped: the model kept calling get_everything, which does not exist (3 times in a row)" {
		t.Fatalf("report %v %+v", err, rep)
	}
	if len(rep.Unchecked) == 0 || !strings.Contains(rep.Unchecked[0], "was not opened") {
		t.Errorf("not checked: %q", rep.Unchecked)
	}
	if n := len(srv.Requests()); n != 3 {
		t.Errorf("%d requests", n)
	}

	html := llmtest.HTML("<html>login</html>")
	srv = llmtest.NewServer(t, html, html)
	env["OPENAI_BASE_URL"] = srv.URL()
	r = runCLI(t, env, "analyze", "--demo", "--model", "m", "--max-bad-calls", "5", "--stream-timeout", "30s")
	if r.code == exitOK || r.code == exitNoRootCause || r.code == exitUsage {
		t.Errorf("exit %d: a model error", r.code)
	}
	wantContains(t, "report", r.stdout, "**Incomplete**", "not a stream of completions", "## Not yet checked")
	wantContains(t, "stderr", r.stderr, "retrying the step once", "text/html")
	for _, out := range []string{r.stdout, r.stderr} {
		if strings.Contains(out, "sk-secret-key-123") {
			t.Error("the API key was printed")
		}
	}
}

func TestModelsCommand(t *testing.T) {
	srv := llmtest.NewServer(t).WithModels("qwen2.5-coder:14b", "gpt-4o-mini")
	r := runCLI(t, map[string]string{"OPENAI_BASE_URL": srv.URL()}, "models")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	wantContains(t, "models", r.stdout, "gpt-4o-mini\t128000 tokens", "qwen2.5-coder:14b\t32768 tokens")
}

func TestModelsProbe(t *testing.T) {
	srv := llmtest.NewServer(t,
		llmtest.Reasoning("Counting.").Text("1 2 3 4 5"),
		llmtest.Tool("get_weather", `{"city":"Paris"}`),
		llmtest.Tool("get_weather", `{"city":"Paris"}`).Tool("get_weather", `{"city":"Berlin"}`),
		// the forced tool is refused with 400 and uses no turn
		llmtest.Text(`{"city":"Paris","country":"France"}`),
	).RejectToolChoice().WithModels("qwen3:8b")
	env := agentEnv(t, map[string]string{"OPENAI_BASE_URL": srv.URL()})
	r := runCLI(t, env, "models", "--probe")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	wantContains(t, "table", r.stdout, "MODEL", "FORCED TOOL", "JSON SCHEMA",
		"qwen3:8b                     yes       yes        yes      rejected    yes         reasoning_content")
	// A run with that model goes straight past the forced tool.
	cache, err := os.ReadFile(filepath.Join(os.Getenv("XDG_CACHE_HOME"), "tracehound", "models.json"))
	if err != nil || !strings.Contains(string(cache), `"parallel_tool_calls": "yes"`) {
		t.Errorf("cache: %v %s", err, cache)
	}
}

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }

func itoa(n int) string { return strconv.Itoa(n) }

func TestCodeCommands(t *testing.T) {
	env := agentEnv(t, nil)
	r := runCLI(t, env, "code", "repos", "--demo")
	wantContains(t, "repos", r.stdout, "acme/auth-service", "local checkout")
	r = runCLI(t, env, "code", "search", "RequestURI", "--demo", "--in", "acme/auth-service")
	wantContains(t, "search", r.stdout, "internal/signing/canonical.go")
	r = runCLI(t, env, "code", "read", "acme/auth-service", "internal/signing/canonical.go", "--demo", "--start", "1", "--end", "5")
	wantContains(t, "read", r.stdout, "   1 | ")
	r = runCLI(t, env, "code", "read", "acme/auth-service", "../../etc/passwd", "--demo")
	if r.code != exitFailure {
		t.Errorf("escape: exit %d %s", r.code, r.stdout)
	}
}

// A model stream cut short is said once on stderr, not once as a run event
// and again as the command's error.
func TestAnalyzeStreamCutSaidOnce(t *testing.T) {
	cut := llmtest.Text("Looking at").Cut()
	srv := llmtest.NewServer(t, cut, cut, cut, cut)
	env := agentEnv(t, map[string]string{"OPENAI_BASE_URL": srv.URL(), "OPENAI_API_KEY": "k"})
	r := runCLI(t, env, "analyze", "--demo", "--model", "m")
	if r.code == exitOK {
		t.Fatalf("exit 0 after a cut stream:\n%s", r.stderr)
	}
	lines := map[string]int{}
	for _, l := range strings.Split(r.stderr, "\n") {
		if strings.HasPrefix(l, "tracehound: ") {
			lines[l]++
		}
	}
	for l, n := range lines {
		if n > 1 {
			t.Errorf("said %d times: %q\n%s", n, l, r.stderr)
		}
	}
	var errLines int
	for l := range lines {
		if strings.Contains(l, "EOF") || strings.Contains(l, "cut") {
			errLines++
		}
	}
	if errLines != 1 {
		t.Errorf("%d lines about the cut stream, want 1:\n%s", errLines, r.stderr)
	}
}

// resume ID without a terminal continues the saved investigation
// headless, printing only the continuation's progress, then the report.
func TestResumeHeadless(t *testing.T) {
	env := agentEnv(t, nil)
	r := runCLI(t, env, "analyze", "--demo", "--offline")
	id := regexp.MustCompile(`saved as (\S+)`).FindStringSubmatch(r.stderr)[1]
	r = runCLI(t, env, "resume", id)
	if r.code != exitOK {
		t.Fatalf("resume: exit %d\n%s", r.code, r.stderr)
	}
	wantContains(t, "resume stderr", r.stderr, "already finished; continuing it anyway", "saved as "+id)
	wantContains(t, "resume report", r.stdout, "# Investigation of "+demo.IssueShortID, "CanonicalRequest")
	if n := strings.Count(r.stderr, "== root cause reported"); n != 1 {
		t.Errorf("the saved run's progress was printed again (%d root causes):\n%s", n, r.stderr)
	}
}
