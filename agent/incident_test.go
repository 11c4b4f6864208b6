package agent

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/tracehound/tracehound/demo"
	"github.com/tracehound/tracehound/sentryapi"
	"github.com/tracehound/tracehound/sentryapi/local"
	"github.com/tracehound/tracehound/sentryapi/local/localtest"
	"github.com/tracehound/tracehound/tracetree"
)

// clientFor serves a dataset in-process and counts its requests.
func clientFor(t *testing.T, fsys fs.FS, org string) (*sentryapi.Client, *local.Server) {
	t.Helper()
	srv, err := local.New(fsys)
	if err != nil {
		t.Fatal(err)
	}
	c, err := sentryapi.New(sentryapi.Options{BaseURL: "http://dataset.test", Org: org, Transport: srv.Transport()})
	if err != nil {
		t.Fatal(err)
	}
	return c, srv
}

func loadDemo(t *testing.T) (*Incident, *local.Server) {
	t.Helper()
	c, srv := clientFor(t, demo.Dataset(), demo.OrgSlug)
	in, err := Load(context.Background(), c, sentryapi.Target{Kind: sentryapi.TargetShortID, Issue: demo.IssueShortID})
	if err != nil {
		t.Fatal(err)
	}
	return in, srv
}

func TestLoadDemo(t *testing.T) {
	in, _ := loadDemo(t)
	if in.Issue == nil || in.Issue.ShortID != demo.IssueShortID || in.Event == nil || in.Which != sentryapi.EventRecommended {
		t.Fatalf("issue/event: %+v %+v", in.Issue, in.Event)
	}
	if in.TraceID() != demo.TraceID || in.Tree == nil || in.Tree.Focus == nil || in.Tree.Focus.ID != in.Event.EventID {
		t.Fatalf("trace %q, focus %v", in.TraceID(), in.Tree.Focus)
	}
	if in.Meta == nil || in.Meta.Errors() != 5 {
		t.Errorf("meta = %+v", in.Meta)
	}
}

func TestViewsOnDemo(t *testing.T) {
	in, srv := loadDemo(t)
	ctx := context.Background()

	tree, err := in.TreeText(0)
	if err != nil || !strings.Contains(tree, "◀ this issue") {
		t.Fatalf("tree: %v", err)
	}
	// An error by short id, twice: the second comes from the cache.
	text, err := in.ErrorText(ctx, "214e70f1", 0)
	if err != nil || !strings.Contains(text, "*signing.VerificationError: signature mismatch") || !strings.Contains(text, "issue AUTH-SERVICE-3M") {
		t.Fatalf("error view: %v\n%s", err, text)
	}
	before := len(srv.Requests())
	if again, _ := in.ErrorText(ctx, "214e70f1", 0); again != text || len(srv.Requests()) != before {
		t.Errorf("the second view was not served from the cache")
	}
	// A transaction id asked as an error points at the spans.
	if _, err := in.ErrorText(ctx, "1fdbda14", 0); err == nil || !strings.Contains(err.Error(), "is a transaction") || !strings.Contains(err.Error(), "spans") {
		t.Errorf("transaction as error: %v", err)
	}
	if s, err := in.EventText(ctx, "1fdbda14", 0); err != nil || !strings.Contains(s, "POST /api/checkout") {
		t.Errorf("EventText of a transaction: %v", err)
	}
	// Spans of the N+1 transaction.
	spans, err := in.SpansText(ctx, "e4212a75", 0)
	if err != nil || !strings.Contains(spans, "repeated 36 times") || !strings.Contains(spans, "likely N+1") {
		t.Fatalf("spans: %v\n%s", err, spans)
	}
	if _, err := in.SpansText(ctx, "0bae0003", 0); err == nil || !strings.Contains(err.Error(), "is an error") || !strings.Contains(err.Error(), "3766ca99") {
		t.Errorf("spans of an error: %v", err)
	}
	// Budgets hold.
	for _, b := range []int{200, 400} {
		s, err := in.SpansText(ctx, "1fdbda14", b)
		if err != nil || tracetree.CountTokens(s) > b {
			t.Errorf("spans budget %d: %v, %d tokens", b, err, tracetree.CountTokens(s))
		}
		e, err := in.ErrorText(ctx, "0bae0003", b)
		if err != nil || tracetree.CountTokens(e) > b {
			t.Errorf("error budget %d: %v, %d tokens", b, err, tracetree.CountTokens(e))
		}
	}
	// Profiles: v1 on payments, marking the payments error's functions;
	// v2 chunk on the gateway; an error id gives its transaction's profile.
	p, err := in.ProfileText(ctx, "3766ca99", 0)
	if err != nil || !strings.Contains(p, "_jaccard") || !strings.Contains(p, "create_charge (payments/charges.py:25) 410ms 87% ◀") {
		t.Fatalf("payments profile: %v\n%s", err, p)
	}
	if p2, err := in.ProfileText(ctx, "0bae0003", 0); err != nil || p2 != p {
		t.Errorf("profile by the error's id: %v", err)
	}
	if c, err := in.ProfileText(ctx, "1fdbda14", 0); err != nil || !strings.Contains(c, "Profile chunk") {
		t.Errorf("gateway chunk: %v", err)
	}
	if _, err := in.ProfileText(ctx, "e4212a75", 0); err == nil || !strings.Contains(err.Error(), "has no profile") || !strings.Contains(err.Error(), "3766ca99") {
		t.Errorf("no profile: %v", err)
	}
	// Unknown and malformed ids.
	if _, err := in.ErrorText(ctx, "ffffffff", 0); err == nil || !strings.Contains(err.Error(), "no event") {
		t.Errorf("unknown prefix: %v", err)
	}
	if _, err := in.ErrorText(ctx, "ab", 0); err == nil || !strings.Contains(err.Error(), "too short") {
		t.Errorf("short prefix: %v", err)
	}
}

func TestPrefetch(t *testing.T) {
	in, srv := loadDemo(t)
	if failed := in.Prefetch(context.Background()); len(failed) != 0 {
		t.Fatalf("prefetch failures: %v", failed)
	}
	before := len(srv.Requests())
	for _, n := range in.Tree.Nodes {
		if n.Kind == tracetree.KindOccurrence {
			continue
		}
		if _, err := in.EventFor(context.Background(), n); err != nil {
			t.Fatal(err)
		}
	}
	if after := len(srv.Requests()); after != before {
		t.Errorf("%d requests after prefetch, want 0", after-before)
	}
}

func TestLoadTargets(t *testing.T) {
	c, _ := clientFor(t, localtest.Dataset(), "acme")
	ctx := context.Background()
	for _, tt := range []sentryapi.Target{
		{Kind: sentryapi.TargetIssue, Issue: "100"},
		{Kind: sentryapi.TargetShortID, Issue: "BACKEND-1AB"},
		{Kind: sentryapi.TargetEvent, Event: localtest.ErrorEventID},
		{Kind: sentryapi.TargetHexID, Event: localtest.ErrorEventID, Trace: localtest.ErrorEventID},
		{Kind: sentryapi.TargetTrace, Trace: localtest.TraceID, Event: localtest.ErrorEventID},
	} {
		in, err := Load(ctx, c, tt)
		if err != nil {
			t.Fatalf("%+v: %v", tt, err)
		}
		if in.Issue == nil || in.Issue.ShortID != "BACKEND-1AB" || in.Tree == nil || in.Tree.Focus == nil {
			t.Errorf("%+v: issue %v tree %v", tt, in.Issue, in.Tree)
		}
	}
	// A bare trace id: no issue, a tree without focus.
	in, err := Load(ctx, c, sentryapi.Target{Kind: sentryapi.TargetHexID, Event: localtest.TraceID, Trace: localtest.TraceID})
	if err != nil || in.Issue != nil || in.Tree == nil || in.Tree.Transactions != 1 {
		t.Fatalf("bare trace: %v %+v", err, in)
	}
	// Not found is typed.
	if _, err := Load(ctx, c, sentryapi.Target{Kind: sentryapi.TargetIssue, Issue: "999"}); !errors.Is(err, sentryapi.ErrNotFound) {
		t.Errorf("missing issue: %v", err)
	}
	if _, err := Load(ctx, c, sentryapi.Target{Kind: sentryapi.TargetProfile, Profile: localtest.ProfileID}); err == nil {
		t.Errorf("a profile target should be refused")
	}
}

// One transaction's event and the profiles missing: the incident still
// opens, the other views work, and Missing names exactly what is gone.
func TestMissingTransactionAndProfile(t *testing.T) {
	in, srv := loadDemo(t)
	ctx := context.Background()
	txn, err := in.Node("e4212a75")
	if err != nil {
		t.Fatal(err)
	}
	srv.Inject(local.Fault{Path: "/events/" + txn.ID + "/$", Status: 404})
	srv.Inject(local.Fault{Path: "/eventids/" + txn.ID + "/$", Status: 404})
	srv.Inject(local.Fault{Path: "/profiling/", Status: 404})
	failed := in.Prefetch(ctx)
	if len(failed) != 1 || failed[txn.ID] == nil {
		t.Fatalf("Prefetch failures = %v, want only %s", failed, txn.ID)
	}
	// The transaction's spans fall back to the trace's own spans.
	if text, err := in.SpansText(ctx, "e4212a75", 0); err != nil || !strings.Contains(text, "repeated") {
		t.Errorf("the spans of a transaction whose event is missing: %v\n%s", err, text)
	}
	if text, err := in.ErrorText(ctx, "214e70f1", 0); err != nil || !strings.Contains(text, "signature mismatch") {
		t.Errorf("another node's view failed: %v", err)
	}
	if tree, err := in.TreeText(0); err != nil || !strings.Contains(tree, "e4212a75") {
		t.Errorf("tree: %v", err)
	}
	var prof *tracetree.Node
	for _, n := range in.Tree.Nodes {
		if n.Kind == tracetree.KindTransaction && n.ProfileID != "" {
			prof = n
			break
		}
	}
	if prof == nil {
		t.Fatal("the demo has no profiled transaction")
	}
	if _, err := in.ProfileFor(ctx, prof); !errors.Is(err, sentryapi.ErrNotFound) {
		t.Errorf("ProfileFor = %v", err)
	}
	var got []string
	for _, m := range in.Missing() {
		got = append(got, m.String())
	}
	want := []string{"the event of transaction e4212a75", "the profile of transaction " + tracetree.ShortID(prof.ID)}
	if len(got) != len(want) {
		t.Fatalf("Missing = %q", got)
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) || !strings.Contains(got[i], "could not be loaded: 404 not found") {
			t.Errorf("Missing[%d] = %q, want %q…", i, got[i], want[i])
		}
	}
}
