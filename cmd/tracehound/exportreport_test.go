package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/tracehound/tracehound/demo"
)

// export-report --as: the hand-offs, the model's context and the chat of
// a saved offline investigation of the demo; bad values and a PR without
// a patch are clear errors.
func TestExportReportAs(t *testing.T) {
	env := agentEnv(t, nil)
	r := runCLI(t, env, "analyze", "--demo", "--offline")
	if r.code != exitOK {
		t.Fatalf("analyze: %d %s", r.code, r.stderr)
	}
	id := regexp.MustCompile(`saved as (\S+)`).FindStringSubmatch(r.stderr)[1]
	for _, c := range []struct {
		as   []string
		want []string
	}{
		{[]string{"--as", "postmortem"}, []string{"# Postmortem draft: " + demo.IssueShortID, "## Impact", "37 events from 31 users", "## Timeline",
			"issue first seen", "◀ the issue's event", "## Root cause", "CanonicalRequest", "## Fix", "## Follow-ups"}},
		{[]string{"--as", "summary"}, []string{demo.IssueShortID, "Root cause: auth-service", "Chain: auth-service → payments → api-gateway → storefront", "not an LLM"}},
		{[]string{"--as", "context"}, []string{"# What the model saw", "No model saw anything", "━━ ", "tool result: get_error_event"}},
		{[]string{"--as", "chat"}, []string{"### investigating the root cause", "- `get_error_event`"}},
		{[]string{"--chat"}, []string{"### investigating the root cause"}},
		{[]string{"--as", "report"}, []string{"# Investigation of " + demo.IssueShortID, "## Solution plan"}},
	} {
		r := runCLI(t, env, append([]string{"export-report", id}, c.as...)...)
		if r.code != exitOK {
			t.Errorf("%v: exit %d %s", c.as, r.code, r.stderr)
			continue
		}
		wantContains(t, strings.Join(c.as, " "), r.stdout, c.want...)
		if strings.Contains(r.stdout, "\x1b") {
			t.Errorf("%v: an escape in the output", c.as)
		}
	}
	r = runCLI(t, env, "export-report", id, "--as", "pr")
	if r.code == exitOK || !strings.Contains(r.stderr, "no approved patch: the investigation proposed no patch") {
		t.Errorf("--as pr without a patch: %d %q", r.code, r.stderr)
	}
	r = runCLI(t, env, "export-report", id, "--as", "slides")
	if r.code != exitUsage || !strings.Contains(r.stderr, "--as must be one of report, chat, context, postmortem, summary, pr") {
		t.Errorf("--as slides: %d %q", r.code, r.stderr)
	}
	r = runCLI(t, env, "export-report", id, "--as", "summary", "--format", "json")
	if r.code != exitUsage {
		t.Errorf("--as summary --format json: %d %q", r.code, r.stderr)
	}
}
