package agent

import (
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tracehound/tracehound/demo"
	"github.com/tracehound/tracehound/sentryapi"
	"github.com/tracehound/tracehound/sentryapi/wire"
)

// loadEvalIncident loads one of the shipped eval incidents with its
// repositories.
func loadEvalIncident(t *testing.T, name string) (*Incident, *Repos) {
	t.Helper()
	fsys, err := demo.IncidentDataset(name)
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Issue string `json:"issue"`
	}
	b, _ := fs.ReadFile(fsys, "dataset.json")
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	c, _ := clientFor(t, fsys, demo.OrgSlug)
	in, err := Load(context.Background(), c, sentryapi.Target{Kind: sentryapi.TargetShortID, Issue: m.Issue})
	if err != nil {
		t.Fatal(err)
	}
	checkouts, err := demo.MaterializeSources(fsys, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	repos, err := DatasetRepos(fsys, checkouts)
	if err != nil {
		t.Fatal(err)
	}
	return in, repos
}

// Each case is a shape of evidence the analyzer must follow from the
// crash site back to the function that made the bad value.
func TestOfflineWalksBackFromTheFailure(t *testing.T) {
	cases := []struct {
		incident, service, function, because string
	}{
		// The consumer's stack reads one field of the body (due_date) and
		// answers 422: the sender's writer of that field.
		{"ledger-date-format", "billing", "build_invoice_payload", "the failing code reads due_date"},
		// The error shows the value sent ('HIGH'), logged as a message
		// whose stack is only in its thread.
		{"export-priority-case", "reports-api", "buildJob", "the error shows the value sent in priority"},
		// The deepest error has no in-app frame (the framework rejected
		// the body); the error names the field (qty).
		{"shipment-unknown-field", "orders", "shipment_payload", `the error names the field lines[].qty`},
		// The error asks for a field the body lacks (email_address): the
		// body's nearest name (email) is the renamed one.
		{"profile-renamed-field", "profile", "toRecipient", "a renamed field"},
		// A Go struct tag json:"weight" leads to the literal setting Weight.
		{"parcel-weight-units", "checkout", "parcelFromCart", "the error shows the value sent in parcel.weight"},
		// A 500 on internal data: the crash site, not the sender.
		{"stock-null-crash", "inventory", "reserve", "raised here"},
	}
	for _, c := range cases {
		t.Run(c.incident, func(t *testing.T) {
			in, repos := loadEvalIncident(t, c.incident)
			o := NewOffline(in, repos)
			o.analysis = o.analyze(context.Background())
			rc, alts, chain, _ := o.rootCause()
			if rc == nil || rc.Service != c.service || rc.Function != c.function {
				t.Fatalf("root cause %+v, want %s %s", rc, c.service, c.function)
			}
			if !strings.Contains(rc.Explanation, c.because) {
				t.Errorf("explanation lacks %q:\n%s", c.because, rc.Explanation)
			}
			hasCode := false
			for _, e := range rc.Evidence {
				hasCode = hasCode || e.Kind == "code" && strings.Contains(e.Ref, ":")
			}
			if !hasCode || len(alts) > 2 || len(chain) < 2 || chain[0].Service != c.service {
				t.Errorf("evidence %+v, %d alternatives, chain %+v", rc.Evidence, len(alts), chain)
			}
			for _, alt := range alts {
				if alt.Function == rc.Function && alt.Service == rc.Service || alt.Confidence == "" {
					t.Errorf("alternative %+v", alt)
				}
			}
		})
	}
}

func TestFailingPathLeavesSideRequestsOut(t *testing.T) {
	in, _ := loadEvalIncident(t, "ledger-date-format")
	var names []string
	for _, n := range failingPath(in.Tree) {
		names = append(names, n.Project)
	}
	if got := strings.Join(names, ","); got != "storefront,gateway,billing,ledger" {
		t.Errorf("failing path = %s", got)
	}
	o := NewOffline(in, nil)
	fs := o.gatherFailures(context.Background(), failingPath(in.Tree), errorChain(in.Tree))
	for _, f := range fs {
		if f.service == "notifications" {
			t.Errorf("the side request's warning is on the failing path: %s", f.ev.Title)
		}
	}
	if len(fs) == 0 || fs[0].service != "ledger" || !fs[0].serious() {
		t.Errorf("the deepest serious error is not first: %+v", fs[0])
	}
}

func TestCluesRules(t *testing.T) {
	body := map[string]any{"invoice_id": "INV-1", "currency": "eur", "amount": "149.90",
		"recipient": map[string]any{"id": "u1", "email": "a@example.test"}, "lines": []any{map[string]any{"sku": "S1", "qty": 2}}}
	frame := func(line string) wire.Frame {
		yes := true
		return wire.Frame{InApp: &yes, LineNo: 3, Context: []wire.ContextLine{{Line: 3, Text: line}}}
	}
	keys := func(cs []clue) string {
		var out []string
		for _, c := range cs {
			out = append(out, c.path)
		}
		return strings.Join(out, ",")
	}
	for _, tc := range []struct {
		name, text string
		frames     []wire.Frame
		want       string
	}{
		{"value shown", "unsupported currency 'eur' for DE", nil, "currency"},
		{"field named", `Unrecognized field "qty" (class com.acme.Line)`, nil, "lines[].qty"},
		{"renamed field", "amount_cents: expected a positive integer, got undefined", nil, "amount"},
		{"nested renamed field", "mail: recipient u1 has no email_address", nil, "recipient.email"},
		{"one field read where it fails", "invalid date", []wire.Frame{frame(`due_on: parse(@params.fetch("currency"))`)}, "currency"},
		{"many fields read: no clue", "boom", []wire.Frame{frame(`svc.do(req.currency, req.amount)`)}, ""},
		{"an id is not bad data", "rejecting entry for invoice INV-1", nil, ""},
		{"a class name is not a field", `Cannot invoke "com.acme.Recipient.getEmail()"`, nil, ""},
	} {
		got := keys(clues(&failure{text: tc.text, frames: tc.frames, body: body}))
		if got != tc.want && !strings.HasPrefix(got, tc.want+",") || tc.want == "" && got != "" {
			t.Errorf("%s: clues = %q, want %q first", tc.name, got, tc.want)
		}
	}
}

func TestWriteSitesAcrossLanguages(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"a/payload.py":  "def build(order):\n    return {\n        \"qty\": order.n,\n    }\n",
		"b/job.ts":      "export function buildJob(req: Req) {\n  return { priority: req.urgent ? \"HIGH\" : \"LOW\" };\n}\n",
		"c/event.rb":    "class Event\n  def to_payload\n    { occurred_at: created_at.to_i }\n  end\nend\n",
		"d/parcel.go":   "package d\n\ntype Parcel struct {\n\tWeight int `json:\"weight\"`\n}\n\nfunc fromCart(g int) Parcel {\n\treturn Parcel{Weight: g}\n}\n",
		"e/types.ts":    "export interface Req {\n  priority: string;\n}\n",
		"f/sign.ts":     "export function deliver(b: string) {\n  return post({ signature: signBody(b) });\n}\n",
		"f/signbody.ts": "export function signBody(b: string): string {\n  return b;\n}\n",
	}
	for p, c := range files {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	repo := &Repo{Name: "acme/x", Path: dir}
	for key, want := range map[string]string{"qty": "build", "priority": "buildJob", "occurred_at": "to_payload", "weight": "fromCart", "signature": "deliver"} {
		sites := writeSites(repo, key)
		if len(sites) != 1 || sites[0].function != want {
			t.Errorf("writeSites(%s) = %+v, want one in %s (a type's field declaration is not a write)", key, sites, want)
		}
		if key == "signature" && (len(sites) == 0 || sites[0].calls != "signBody") {
			t.Errorf("the signature's value is computed by signBody: %+v", sites)
		}
	}
}

func TestOfflineSkipsADeniedKindOfCall(t *testing.T) {
	in, _ := loadDemo(t)
	repos, _ := demoRepos(t)
	tools := append(in.Tools(), repos.Tools(CodeToolOptions{IssueShortID: in.Issue.ShortID})...)
	asked := map[string]int{}
	r := Start(context.Background(), Options{Provider: NewOffline(in, repos), Incident: in, Tools: tools, Analyzer: "heuristic",
		Policy: Policy{AskReadOnly: true, Decide: func(c Call) Decision {
			asked[c.Name]++
			if c.Name == ToolErrorEvent {
				return Decision{Kind: Deny, Reason: "I have read the errors already"}
			}
			return Decision{Kind: ApproveOnce}
		}}})
	for range r.Events() {
	}
	rep, err := r.Wait()
	if err != nil || !rep.Found() {
		t.Fatalf("%v %+v", err, rep)
	}
	if asked[ToolErrorEvent] != 1 {
		t.Errorf("asked for %d %s calls after the first was denied with a reason, want 1", asked[ToolErrorEvent], ToolErrorEvent)
	}
	if asked[ToolTransactionSpans] == 0 {
		t.Errorf("other kinds of calls were skipped too: %v", asked)
	}
}

func TestFirstMessageCarriesTheEvidence(t *testing.T) {
	in, _ := loadEvalIncident(t, "ledger-date-format")
	msg, err := firstMessage(context.Background(), in, 32000)
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(msg, "## Evidence from the trace")
	if i < 0 {
		t.Fatalf("no evidence section:\n%s", msg)
	}
	ev := msg[i:]
	for _, want := range []string{"Failing path: storefront", "→ ledger POST /v1/entries (invalid_argument)", "Date::Error: invalid date", "due_date=12/06/2026", "sent by billing", "refused as bad"} {
		if !strings.Contains(ev, want) {
			t.Errorf("evidence lacks %q:\n%s", want, ev)
		}
	}
	if len(ev) > 1500 {
		t.Errorf("the evidence section is %d bytes; keep it small", len(ev))
	}
}
