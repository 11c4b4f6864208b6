package compare

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tracehound/tracehound/sentryapi/wire"
	"github.com/tracehound/tracehound/tracetree"
)

// sp is a span of a test trace: times in ms from the trace's start.
type sp struct {
	project, op, desc, status string
	start, dur                float64
	txn                       bool
	errors                    []string
	kids                      []sp
}

func txn(project, op, name string, start, dur float64, kids ...sp) sp {
	return sp{project: project, op: op, desc: name, status: "ok", start: start, dur: dur, txn: true, kids: kids}
}

func s(op, desc string, start, dur float64, kids ...sp) sp {
	return sp{op: op, desc: desc, status: "ok", start: start, dur: dur, kids: kids}
}

func (x sp) st(status string) sp     { x.status = status; return x }
func (x sp) err(titles ...string) sp { x.errors = titles; return x }
func (x sp) with(kids ...sp) sp      { x.kids = append(x.kids, kids...); return x }
func repeat(n int, x sp, gap float64) []sp {
	out := make([]sp, n)
	for i := range out {
		out[i] = x
		out[i].start = x.start + float64(i)*gap
	}
	return out
}

// build makes a trace tree from a root transaction; ids are derived from
// the trace name and the position, so the two sides never share one.
func build(name string, root sp) (*tracetree.Tree, *tracetree.Node) {
	const t0 = 1_800_000_000.0
	n := 0
	id := func(k int) string { return fmt.Sprintf("%016x", k+len(name)*1_000_000) }
	var conv func(x sp, project, parent, txnID string) wire.TraceItem
	conv = func(x sp, project, parent, txnID string) wire.TraceItem {
		n++
		spanID := id(n)
		if x.project != "" {
			project = x.project
		}
		if x.txn {
			txnID = fmt.Sprintf("%032x", n+len(name)*1_000_000)
		}
		it := wire.TraceItem{
			EventID: spanID, EventType: wire.TraceItemSpan, SpanID: spanID, ParentSpanID: parent, TransactionID: txnID,
			IsTransaction: x.txn, ProjectSlug: project, Op: x.op, Description: x.desc, Status: x.status,
			StartTimestamp: wire.Timestamp(t0 + x.start/1000), EndTimestamp: wire.Timestamp(t0 + (x.start+x.dur)/1000),
			Duration: wire.FlexFloat(x.dur),
		}
		if x.txn {
			it.Transaction = x.desc
		}
		for i, e := range x.errors {
			it.Errors = append(it.Errors, wire.TraceItem{EventID: fmt.Sprintf("%032x", 900000+n*10+i), EventType: wire.TraceItemError,
				SpanID: spanID, ProjectSlug: project, Description: e, Level: "error", StartTimestamp: it.EndTimestamp})
		}
		for _, k := range x.kids {
			it.Children = append(it.Children, conv(k, project, spanID, txnID))
		}
		return it
	}
	items := wire.Trace{conv(root, "", "", "")}
	tr := tracetree.Build(items, tracetree.BuildOptions{TraceID: fmt.Sprintf("%032x", len(name))})
	return tr, tr.Roots[0]
}

func run(t *testing.T, failing, healthy sp) *Result {
	t.Helper()
	ft, fr := build("failing", failing)
	ht, hr := build("healthy", healthy)
	r, err := Compare(Input{Tree: ft, Root: fr}, Input{Tree: ht, Root: hr}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// diffs describes every differing node as "label: facets", in trace order.
func diffs(r *Result) []string {
	var out []string
	for _, n := range r.Diffs {
		out = append(out, strings.TrimSpace(n.Op+" "+n.Description)+": "+facets(n, 80))
	}
	return out
}

func checkout(kids ...sp) sp {
	return txn("gateway", "http.server", "POST /checkout", 0, 500,
		append([]sp{s("db", "SELECT * FROM carts WHERE id = 17", 5, 10)}, kids...)...)
}

func TestCompareDifferences(t *testing.T) {
	charge := s("http.client", "POST http://payments/charges", 20, 300)
	cases := []struct {
		name             string
		failing, healthy sp
		want             []string // the differing nodes, in trace order
		first            string   // the first divergence's description
	}{
		{
			name:    "nothing differs",
			failing: checkout(charge), healthy: checkout(charge),
		},
		{
			name:    "a span appears",
			failing: checkout(charge, s("http.client", "DELETE http://inventory/reservations/rsv_91c4e2d7", 330, 40)),
			healthy: checkout(charge),
			want:    []string{"http.client DELETE http://inventory/reservations/rsv_91c4e2d7: only in the failing trace (40ms)"},
			first:   "DELETE http://inventory/reservations/rsv_91c4e2d7",
		},
		{
			name:    "a span vanishes with its subtree",
			failing: checkout(charge),
			healthy: checkout(charge, s("http.client", "POST http://orders/confirm", 330, 60, s("db", "INSERT INTO orders", 335, 5))),
			want:    []string{"http.client POST http://orders/confirm: only in the healthy trace (1 span below, 60ms)"},
			first:   "POST http://orders/confirm",
		},
		{
			name:    "a duration within noise is no difference",
			failing: checkout(s("http.client", "POST http://payments/charges", 20, 320)),
			healthy: checkout(charge),
		},
		{
			name:    "a small span doubling by less than the minimum delta is noise",
			failing: checkout(s("http.client", "POST http://payments/charges", 20, 300), s("cache", "GET k", 330, 8)),
			healthy: checkout(charge, s("cache", "GET k", 330, 4)),
		},
		{
			name:    "a duration beyond noise",
			failing: checkout(s("http.client", "POST http://payments/charges", 20, 460)),
			healthy: checkout(charge),
			want:    []string{"http.client POST http://payments/charges: 300ms → 460ms (×1.5)"},
			first:   "POST http://payments/charges",
		},
		{
			name:    "a status change",
			failing: checkout(charge.st("internal_error")),
			healthy: checkout(charge),
			want:    []string{"http.client POST http://payments/charges: status ok → internal_error"},
			first:   "POST http://payments/charges",
		},
		{
			name: "ids and numbers in descriptions still match",
			failing: txn("gateway", "http.server", "POST /checkout", 0, 500,
				s("db", "SELECT * FROM carts WHERE id = 99", 5, 10), s("db.redis", "GET cart:c_8d41f07a", 16, 1)),
			healthy: txn("gateway", "http.server", "POST /checkout", 0, 500,
				s("db", "SELECT * FROM carts WHERE id = 17", 5, 10), s("db.redis", "GET cart:c_00aa11bb", 16, 1)),
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := run(t, c.failing, c.healthy)
			got := diffs(r)
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("differences:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
			switch {
			case c.first == "" && r.First != nil:
				t.Errorf("first divergence %q, want none", r.First.Description)
			case c.first != "" && (r.First == nil || r.First.Description != c.first):
				t.Errorf("first divergence %v, want %q", r.First, c.first)
			}
		})
	}
}

// The status of a failed call propagates up to every caller; the first
// divergence is the callee where it started, not the first caller in
// trace order, and spans only the healthy trace has after it come later.
func TestFirstDivergenceFollowsTheCause(t *testing.T) {
	auth := func(status string) sp {
		v := s("function", "signing.Verify", 3, 1).st(status)
		if status != "ok" {
			v = v.err("VerificationError: signature mismatch")
		}
		return txn("auth", "http.server", "POST /introspect", 202, 6, v).st(status)
	}
	payments := func(ok bool) sp {
		st := "ok"
		if !ok {
			st = "unauthenticated"
		}
		kids := []sp{
			s("db", "SELECT id FROM orders WHERE id = %s", 101, 5),
			s("http.client", "POST http://auth/introspect?audience=payments", 201, 8, auth(st)).st(st),
		}
		if ok {
			kids = append(kids, s("http.client", "POST https://psp.test/v1/charges", 215, 180))
		}
		t := txn("payments", "http.server", "/v1/charges", 100, 300, kids...)
		if !ok {
			t = t.st("internal_error")
		}
		return t
	}
	call := func(ok bool) sp {
		c := s("http.client", "POST http://payments/v1/charges", 99, 302, payments(ok))
		if !ok {
			c = c.st("internal_error")
		}
		return c
	}
	failing := checkout(call(false)).st("internal_error")
	healthy := checkout(call(true))
	r := run(t, failing, healthy)
	if r.First == nil || r.First.Description != "signing.Verify" {
		t.Fatalf("first divergence %+v, want signing.Verify", r.First)
	}
	if got := facets(r.First, 80); got != "status ok → unauthenticated; error VerificationError: signature mismatch" {
		t.Errorf("first divergence facets %q", got)
	}
	want := []string{
		"http.server POST /checkout: status ok → internal_error",
		"http.client POST http://payments/v1/charges: status ok → internal_error",
		"http.server /v1/charges: status ok → internal_error",
		"http.client POST http://auth/introspect?audience=payments: status ok → unauthenticated",
		"http.server POST /introspect: status ok → unauthenticated",
		"function signing.Verify: status ok → unauthenticated; error VerificationError: signature mismatch",
		"http.client POST https://psp.test/v1/charges: only in the healthy trace (180ms)",
	}
	if got := diffs(r); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("differences:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	text := r.Text(TextOptions{})
	for _, line := range []string{
		"First divergence: auth function signing.Verify — status ok → unauthenticated; error VerificationError: signature mismatch",
		"  via payments /v1/charges › auth POST /introspect",
		"~     │   └ auth function signing.Verify  ◀ first divergence  status ok → unauthenticated; error VerificationError: signature mismatch",
		"-     └ payments http.client POST https://psp.test/v1/charges  only in the healthy trace (180ms)",
	} {
		if !strings.Contains(text, line) {
			t.Errorf("text lacks %q:\n%s", line, text)
		}
	}
}

// N+1: the same query repeated more often is one difference (the counts),
// not one per extra span; equal repeats pair one by one.
func TestRepeatedSpans(t *testing.T) {
	q := s("db", "SELECT * FROM stock WHERE sku = 'SKU-10719'", 10, 20)
	healthy := txn("inventory", "http.server", "/v1/stock", 0, 500, repeat(3, q, 25)...)
	failing := txn("inventory", "http.server", "/v1/stock", 0, 900, repeat(36, q, 24)...)
	r := run(t, failing, healthy)
	want := []string{
		"http.server /v1/stock: 500ms → 900ms (×1.8)",
		"db SELECT * FROM stock WHERE sku = 'SKU-10719': repeated 3 → 36",
	}
	if got := diffs(r); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("differences:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if r.First == nil || r.First.Op != "db" {
		t.Errorf("first divergence %+v, want the repeated query", r.First)
	}

	// Repeats slower beyond their spread: one median change.
	slow := q
	slow.dur = 90
	r = run(t, txn("inventory", "http.server", "/v1/stock", 0, 500, repeat(3, slow, 100)...),
		txn("inventory", "http.server", "/v1/stock", 0, 500, append(repeat(2, q, 25), s("db", q.desc, 60, 26))...))
	if got := diffs(r); len(got) != 3 || got[0] != "db SELECT * FROM stock WHERE sku = 'SKU-10719': 20ms → 90ms (×4.5)" {
		t.Errorf("equal repeats pair one by one; got:\n%s", strings.Join(got, "\n"))
	}
	// Repeats whose median moved, but within the spread of the healthy
	// ones, are noise.
	r = run(t, txn("inventory", "http.server", "/v1/stock", 0, 500, repeat(4, s("db", q.desc, 10, 60), 70)...),
		txn("inventory", "http.server", "/v1/stock", 0, 500, s("db", q.desc, 10, 10), s("db", q.desc, 30, 30), s("db", q.desc, 70, 110)))
	if got := diffs(r); len(got) != 1 || got[0] != "db SELECT * FROM stock WHERE sku = 'SKU-10719': repeated 3 → 4" {
		t.Errorf("got:\n%s", strings.Join(got, "\n"))
	}
}

func TestAttributes(t *testing.T) {
	ft, fr := build("failing", checkout())
	ht, hr := build("healthy", checkout())
	fa := map[string]map[string]string{fr.SpanID: {
		"http.status_code": "500", "release": "auth-service@2.14.0", "environment": "production",
		"server_name": "gw-6d8f9c7b4-h2xkq", "order_id": "ord_5f2c", "authorization": "Bearer abc", "user.email": "a@b.test",
		"url": "http://x/orders/ord_5f2c81d04a9e",
	}}
	ha := map[string]map[string]string{hr.SpanID: {
		"http.status_code": "200", "release": "auth-service@2.13.0", "environment": "production",
		"server_name": "gw-6d8f9c7b4-9tmzp", "order_id": "ord_77aa", "authorization": "Bearer xyz", "user.email": "c@d.test",
		"url": "http://x/orders/ord_0c1d2e3f4a5b", "cache": "hit",
	}}
	r, err := Compare(Input{Tree: ft, Root: fr, Attrs: fa}, Input{Tree: ht, Root: hr, Attrs: ha}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []Change{
		{Key: "cache", Healthy: "hit", Failing: "(none)"},
		{Key: "http.status_code", Healthy: "200", Failing: "500"},
		{Key: "release", Healthy: "auth-service@2.13.0", Failing: "auth-service@2.14.0"},
	}
	if got := fmt.Sprint(r.Root.Attrs); got != fmt.Sprint(want) {
		t.Errorf("attrs %s, want %s (volatile, secret and personal keys dropped)", got, fmt.Sprint(want))
	}
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"GET cart:c_8d41f07a":                              "GET cart:*",
		"SELECT * FROM t WHERE id = 42 AND s = 'held'":     "SELECT * FROM t WHERE id = * AND s = '?'",
		"GET http://inventory:8000/v1/stock?skus=SKU-1071": "GET http://inventory:*/v1/stock?skus=*",
		"/api/orders/3f2504e0-4f89-11d3-9a0c-0305e82c3301": "/api/orders/*",
		"POST   /v1/charges":                               "POST /v1/charges",
		`say "hi`:                                          `say "hi`,
	} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHealthyAndFind(t *testing.T) {
	tr, root := build("x", checkout(s("http.client", "POST http://a", 20, 30, txn("auth", "http.server", "POST /a", 21, 20).st("unauthenticated"))))
	if ok, why := Healthy(root); ok || !strings.Contains(why, "unauthenticated") {
		t.Errorf("Healthy = %v, %q; want false naming the status", ok, why)
	}
	_, ok2 := build("y", checkout(s("x", "y", 20, 30).err("Boom")))
	if ok, why := Healthy(ok2); ok || !strings.Contains(why, "Boom") {
		t.Errorf("Healthy = %v, %q; want false naming the error", ok, why)
	}
	if got := Find(tr, root); got != root {
		t.Errorf("Find = %v", got)
	}
	other, _ := build("z", txn("gateway", "http.server", "GET /cart", 0, 10))
	if got := Find(other, root); got != nil {
		t.Errorf("Find in a trace without the transaction = %v", got)
	}
}

// Event text in any field is scrubbed and made one safe line.
func TestTextIsClean(t *testing.T) {
	r := run(t, checkout(s("http.client", "GET http://x/?token=sekrit\x1b[31m", 20, 30)), checkout())
	text := r.Text(TextOptions{})
	if strings.Contains(text, "sekrit") || strings.Contains(text, "\x1b") {
		t.Errorf("text leaks a secret or an escape:\n%s", text)
	}
	if r := run(t, checkout(), checkout()); !strings.Contains(r.Text(TextOptions{}), "No difference beyond noise") {
		t.Errorf("no-difference text:\n%s", r.Text(TextOptions{}))
	}
}

func TestTextBudget(t *testing.T) {
	var kids []sp
	for i := range 60 {
		kids = append(kids, s("http.client", fmt.Sprintf("GET http://svc%c/path", 'a'+i%26)+strings.Repeat("x", i), float64(10+i), 5))
	}
	r := run(t, checkout(kids...), checkout())
	full := r.Text(TextOptions{})
	short := r.Text(TextOptions{Budget: 400})
	if tracetree.CountTokens(short) > 450 || !strings.Contains(short, "more lines (ask with a larger budget)") {
		t.Errorf("budgeted text (%d tokens of %d):\n%s", tracetree.CountTokens(short), tracetree.CountTokens(full), short)
	}
	if !strings.Contains(short, "First divergence:") {
		t.Errorf("the budget dropped the first divergence:\n%s", short)
	}
}
