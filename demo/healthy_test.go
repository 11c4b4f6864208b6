package demo_test

import (
	"testing"

	"github.com/tracehound/tracehound/demo"
	"github.com/tracehound/tracehound/sentryapi/wire"
)

// The demo's healthy trace is the failing checkout's transaction as it ran
// before auth-service 2.14.0: the same services, no errors, every
// transaction ok, its events consistent with the trace.
func TestDemoHealthyTrace(t *testing.T) {
	fsys := demo.Dataset()
	ix := checkTrace(t, fsys, demo.HealthyTraceID)
	if len(ix.errors) != 0 {
		t.Errorf("the healthy trace has %d errors", len(ix.errors))
	}
	failing := checkTrace(t, fsys, demo.TraceID)
	names := map[string]bool{}
	for _, root := range failing.txns {
		names[root.ProjectSlug+" "+root.Transaction] = true
	}
	release := map[string]string{}
	for id, root := range ix.txns {
		if root.Status != "ok" {
			t.Errorf("healthy transaction %s %s: status %s", root.ProjectSlug, root.Transaction, root.Status)
		}
		if !names[root.ProjectSlug+" "+root.Transaction] {
			t.Errorf("healthy transaction %s %s is not in the failing trace", root.ProjectSlug, root.Transaction)
		}
		ev := decodeFile[wire.Event](t, fsys, "events/"+root.ProjectSlug+"/"+id+".json")
		release[root.ProjectSlug] = ev.Tag("release")
	}
	if release["auth-service"] != "auth-service@2.13.0" || release["payments"] != "payments@3.8.1" || len(ix.txns) != 6 {
		t.Errorf("healthy trace: %d transactions, releases %v", len(ix.txns), release)
	}
}
