package investigation

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tracehound/tracehound/agent"
	"github.com/tracehound/tracehound/internal/goldenfile"
)

// golden compares got with testdata/name (rewritten with -update).
func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", name), got)
}

// offlineDemo runs the offline analyzer on the demo to its end and
// loads its transcript, with a fixed id.
func offlineDemo(t *testing.T) *agent.TranscriptData {
	t.Helper()
	dir := t.TempDir()
	inv := openDemo(t, Options{TranscriptDir: dir, Model: ModelConfig{Offline: true}, Policy: Policy{Headless: true, DenyReason: "headless"}})
	if err := inv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := inv.Wait(); err != nil {
		t.Fatal(err)
	}
	id := inv.TranscriptID()
	inv.Close()
	d, err := agent.LoadTranscript(filepath.Join(dir, id+".jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	d.Header.ID = "20261206-230000-storefront-4z-test"
	return d
}

// The hand-offs of the offline analyzer's demo investigation: a
// postmortem with the issue's impact and the trace's timeline, a chat
// summary, the model's-eye view (no model: the analyzer's tool results),
// and no PR description (it proposes no patch).
func TestHandoffsOfTheDemo(t *testing.T) {
	d := offlineDemo(t)
	if d.Header.Facts == nil || len(d.Header.Facts.Timeline) == 0 {
		t.Fatalf("no facts recorded in the transcript: %+v", d.Header.Facts)
	}
	pm, err := RenderHandoff(d, HandoffPostmortem)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "postmortem_demo.md", pm)
	sum, err := RenderHandoff(d, HandoffSummary)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "summary_demo.txt", sum)
	if n := strings.Count(sum, "\n"); n > 6 {
		t.Errorf("the chat summary has %d lines", n)
	}
	golden(t, "context_demo_offline.txt", ModelContextText(ReplayContext(d), d.Header.Analyzer))
	if _, err := RenderHandoff(d, HandoffPR); !errors.Is(err, ErrNoApprovedPatch) || !strings.Contains(err.Error(), "proposed no patch") {
		t.Errorf("pr without a patch: %v", err)
	}
}

// patched is an investigation whose patch was approved by alice and
// applied, with secrets in what the model wrote.
func patched() *agent.TranscriptData {
	rep := &agent.Report{
		Analyzer: "llm", Model: "gpt-4o-mini", Issue: "STOREFRONT-4Z", Title: "Error: POST /api/checkout failed", Complete: true,
		Summary: "auth-service signs the query string since v2.14.0, so payments' signatures no longer match.",
		RootCause: &agent.RootCause{Service: "auth-service", Repo: "acme/auth-service", File: "internal/signing/canonical.go", Line: 14,
			Function: "CanonicalRequest", Confidence: "high", Explanation: "RequestURI includes the query; callers sign the path only. Token seen: Bearer sk_live_4eC39HqLyjWDarjtT1zdp7dc",
			Evidence: []agent.Evidence{{Kind: "error", Ref: "214e70f1", Detail: "signature mismatch"}, {Kind: "commit", Ref: "8b6a508", Detail: "cover the query string"}}},
		Solution: []string{"Sign the path only in CanonicalRequest.", "Add a test with a query string."},
		Patch: &agent.PatchInfo{Repo: "acme/auth-service", Explanation: "Sign the request path without the query string. It restores the contract callers rely on.",
			Diff:    "--- a/internal/signing/canonical.go\n+++ b/internal/signing/canonical.go\n@@ -12,3 +12,3 @@\n-\treturn r.Method + \"\\n\" + r.RequestURI\n+\treturn r.Method + \"\\n\" + r.URL.Path\n--- a/internal/signing/canonical_test.go\n+++ b/internal/signing/canonical_test.go\n@@ -1,0 +1,2 @@\n+func TestQuery(t *testing.T) {}\n+// \x1b[31mred\x1b[0m\n",
			Applied: true, Branch: "tracehound/storefront-4z", Commit: "1a2b3c4"},
	}
	call := &agent.Call{ID: "call_7", Name: agent.ToolProposePatch}
	return &agent.TranscriptData{
		Header: agent.TranscriptHeader{ID: "20261206-230000-storefront-4z-pr", Analyzer: "llm", Model: "gpt-4o-mini",
			Facts: &agent.Facts{Issue: "STOREFRONT-4Z", Title: "Error: POST /api/checkout failed", Project: "storefront", Events: "37", Users: 31,
				FirstSeen: "2026-11-19T22:41:07.288000Z", LastSeen: "2026-11-20T03:12:24.563600Z", Environments: []string{"production"},
				Releases: []string{"storefront@4.12.0"}, Permalink: "https://acme.sentry.io/issues/6102934471/?token=abc123secret",
				Timeline: []agent.TimelineEntry{{At: time.Date(2026, 11, 20, 3, 12, 23, 968e6, time.UTC), Kind: "transaction", Service: "api-gateway", Op: "http.server", Name: "POST /api/checkout", DurationMS: 590, Status: "internal_error", ID: "1fdbda14"}}}},
		Report:   rep,
		Finished: true,
		Events:   []agent.Event{{Kind: agent.EventDecision, Call: call, Decision: &agent.Decision{Kind: agent.ApproveOnce, By: "alice"}}},
	}
}

// A PR description for an approved patch: title, what and why, the
// diff's summary, how it was verified; scrubbed. Without an applied
// patch, a clear error.
func TestPRDescription(t *testing.T) {
	d := patched()
	pr, err := RenderHandoff(d, HandoffPR)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "pr_patched.md", pr)
	for _, bad := range []string{"sk_live_4eC39HqLyjWDarjtT1zdp7dc", "abc123secret", "\x1b"} {
		if strings.Contains(pr, bad) {
			t.Errorf("the PR description carries %q", bad)
		}
	}
	sum, _ := RenderHandoff(d, HandoffSummary)
	golden(t, "summary_patched.txt", sum)

	d.Report.Patch.Applied = false
	if _, err := RenderHandoff(d, HandoffPR); !errors.Is(err, ErrNoApprovedPatch) || !strings.Contains(err.Error(), "proposed but not approved") {
		t.Errorf("unapproved patch: %v", err)
	}
	d.Report = nil
	if _, err := RenderHandoff(d, HandoffPostmortem); !errors.Is(err, ErrNoReport) {
		t.Errorf("no report: %v", err)
	}
}
