package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tracehound/tracehound/demo"
)

func TestCompareCommandOnTheDemo(t *testing.T) {
	r := runCLI(t, nil, "compare", "--demo")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	wantContains(t, "compare --demo", r.stdout,
		"Compare storefront ui.action.click /checkout with a healthy trace of the same transaction",
		"healthy  trace "+demo.HealthyTraceID[:8],
		"(found by search)",
		"Releases differ: auth-service@2.13.0 → auth-service@2.14.0",
		"First divergence: auth-service function signing.Verify — status ok → unauthenticated; error AUTH-SERVICE-3M",
		"- │     │   └ payments db INSERT INTO charges",
		"+ │     └ api-gateway http.client DELETE http://inventory.internal:8000/v1/reservations/rsv_91c4e2d7  only in the failing trace",
		"Noise rule: a duration changed when it moved by ≥25ms and by ×1.5 or more")

	r = runCLI(t, nil, "compare", "--demo", "--format", "json")
	if r.code != 0 {
		t.Fatalf("json: exit %d: %s", r.code, r.stderr)
	}
	var j struct {
		Healthy struct {
			TraceID string `json:"trace_id"`
			Found   string `json:"found"`
		} `json:"healthy"`
		First struct {
			Project     string   `json:"project"`
			Description string   `json:"description"`
			Change      []string `json:"change"`
			Path        []string `json:"path"`
		} `json:"first_divergence"`
		Differences []struct {
			Change []string `json:"change"`
		} `json:"differences"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &j); err != nil {
		t.Fatalf("json: %v\n%s", err, r.stdout)
	}
	if j.Healthy.TraceID != demo.HealthyTraceID || j.First.Description != "signing.Verify" || j.First.Project != "auth-service" ||
		strings.Join(j.First.Change, ",") != "status,errors" || len(j.First.Path) != 8 || len(j.Differences) < 10 {
		t.Errorf("json: %+v", j)
	}
}

func TestCompareCommandChoices(t *testing.T) {
	// A transaction of the trace, compared with a trace named on the
	// command line.
	r := runCLI(t, nil, "compare", "--demo", "--transaction", "3766ca99", "--healthy", demo.HealthyTraceID)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	wantContains(t, "--transaction --healthy", r.stdout, "Compare payments http.server /v1/charges", "given with --healthy",
		"First divergence: auth-service function signing.Verify")

	// No other trace has GET /api/cart: say so, what was searched and
	// what to do; exit 4 (not found).
	r = runCLI(t, nil, "compare", "--demo", "--transaction", "4f0aa257")
	if r.code != exitNotFound || r.stdout != "" {
		t.Fatalf("no healthy trace: exit %d, stdout %q", r.code, r.stdout)
	}
	wantContains(t, "no healthy trace", r.stderr, "no healthy trace of api-gateway http.server GET /api/cart found",
		`transaction:"GET /api/cart"`, "--healthy TRACE_ID")

	// The healthy trace named must have the transaction.
	r = runCLI(t, nil, "compare", "--demo", "--transaction", "4f0aa257", "--healthy", demo.HealthyTraceID)
	if r.code != exitNotFound {
		t.Fatalf("healthy trace without the transaction: exit %d: %s", r.code, r.stderr)
	}
	wantContains(t, "healthy trace without the transaction", r.stderr, "has no transaction api-gateway http.server GET /api/cart")

	for _, args := range [][]string{
		{"compare", "--demo", "--healthy", "nope"},
		{"compare", "--demo", "--transaction", "zzzz"},
		{"compare", "--demo", "--budget", "-1"},
	} {
		if r := runCLI(t, nil, args...); r.code != exitUsage {
			t.Errorf("%v: exit %d, want %d: %s", args, r.code, exitUsage, r.stderr)
		}
	}
}
