package agent

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestOfflineAnalyzerFindsTheDemoRootCause(t *testing.T) {
	in, _ := loadDemo(t)
	repos, _ := demoRepos(t)
	tools := append(in.Tools(), repos.Tools(CodeToolOptions{IssueShortID: in.Issue.ShortID})...)
	r := Start(context.Background(), Options{Provider: NewOffline(in, repos), Incident: in, Tools: tools, Analyzer: "heuristic",
		Policy: Policy{Decide: func(Call) Decision { return Decision{Kind: Deny, Reason: "headless"} }}})
	var called []string
	var text strings.Builder
	for e := range r.Events() {
		switch e.Kind {
		case EventToolDone:
			called = append(called, e.Call.Name)
		case EventTextDelta:
			text.WriteString(e.Text)
		}
	}
	rep, err := r.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Found() {
		t.Fatalf("no root cause: %+v", rep)
	}
	rc := rep.RootCause
	if rc.Service != "auth-service" || rc.File != "internal/signing/canonical.go" || rc.Function != "CanonicalRequest" || rc.Repo != "acme/auth-service" {
		t.Errorf("root cause = %s %s %s %s; want auth-service acme/auth-service internal/signing/canonical.go CanonicalRequest\n%s", rc.Service, rc.Repo, rc.File, rc.Function, rc.Explanation)
	}
	if rep.Analyzer != "heuristic" || !strings.Contains(rep.Markdown(), "not an LLM") {
		t.Errorf("the report is not labelled heuristic")
	}
	joined := strings.Join(called, ",")
	for _, want := range []string{"get_error_event", "get_transaction_spans", "read_file", "report_root_cause", "report_solution", "finish"} {
		if !strings.Contains(joined, want) {
			t.Errorf("the analyzer never called %s (%s)", want, joined)
		}
	}
	if !strings.Contains(text.String(), "not an LLM") || !strings.Contains(text.String(), "AUTH-SERVICE-3M") {
		t.Errorf("narration: %q", text.String())
	}
	var chain []string
	for _, s := range rep.Chain {
		chain = append(chain, s.Service)
	}
	// One step per service: the root cause's own error joins its step.
	if want := "auth-service payments api-gateway storefront"; strings.Join(chain, " ") != want {
		t.Errorf("causal chain services %v, want %s: %+v", chain, want, rep.Chain)
	}
	if !strings.Contains(rep.Chain[0].What, "CanonicalRequest") || !strings.Contains(rep.Chain[0].What, "signature mismatch") {
		t.Errorf("the root cause's step %q lacks the function or its service's error", rep.Chain[0].What)
	}
	var ev []string
	for _, e := range rc.Evidence {
		ev = append(ev, e.Kind+":"+e.Ref)
	}
	if !strings.Contains(strings.Join(ev, " "), "commit:") {
		t.Errorf("evidence lacks the commit that changed the file: %v", ev)
	}
	b, _ := json.Marshal(rep)
	if strings.Contains(string(b), "patch") && rep.Patch != nil {
		t.Errorf("the offline analyzer proposed a patch")
	}
}

func TestDedupeReasons(t *testing.T) {
	got := dedupe([]string{"changed in v2 (abc)", "called by F", "its file changed in v2 (abc)", "called by F"})
	want := []string{"called by F", "its file changed in v2 (abc)"}
	if !slices.Equal(got, want) {
		t.Errorf("dedupe = %q, want %q", got, want)
	}
}

func TestReportTitleIsEscaped(t *testing.T) {
	r := &Report{Title: "*errors.errorString: a_b [x]"}
	md := r.Markdown()
	if !strings.Contains(md, `**\*errors.errorString: a\_b \[x\]**`) {
		t.Errorf("title not escaped:\n%s", md)
	}
}
