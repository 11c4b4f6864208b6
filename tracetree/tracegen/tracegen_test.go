package tracegen

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/tracehound/tracehound/sentryapi/wire"
)

var configs = map[string]Config{
	"zero":          {},
	"small":         {Spans: 300, Transactions: 12, Services: 6, Errors: 5, Occurrences: 2, Seed: 7, OrphanRoots: 2},
	"one span":      {Spans: 1},
	"two spans":     {Spans: 2, Transactions: 5},
	"one service":   {Spans: 500, Transactions: 20, Services: 1, Seed: 3},
	"two services":  {Spans: 500, Transactions: 20, Services: 2, Seed: 4},
	"many services": {Spans: 5000, Transactions: 200, Services: 70, Errors: 30, Seed: 5, OrphanRoots: 4},
	"shallow":       {Spans: 3000, Transactions: 120, MaxDepth: 4, Seed: 6, Errors: 10},
	"depth 5":       {Spans: 3000, Transactions: 120, MaxDepth: 5, Seed: 6},
	"deep":          {Spans: 3000, Transactions: 120, MaxDepth: 100, Seed: 8},
	"all links":     {Spans: 199, Transactions: 100, Seed: 9},
	"no extras":     {Spans: 2000, Transactions: 40, Errors: -1, Occurrences: -1, OrphanRoots: -1, Repeats: -1, Seed: 10},
	"all errors":    {Spans: 50, Transactions: 3, Errors: 50, Seed: 11},
	"many repeats":  {Spans: 4000, Transactions: 40, Repeats: 0.8, Occurrences: 10, Seed: 12},
	"repeats, tiny": {Spans: 1000, Transactions: 100, Repeats: 0.9, Occurrences: 50, Seed: 13},
}

func TestConfigs(t *testing.T) {
	for name, cfg := range configs {
		t.Run(name, func(t *testing.T) {
			r := Generate(cfg)
			check(t, r)
		})
	}
}

func TestDefault100k(t *testing.T) {
	start := time.Now()
	r := Generate(Default100k())
	t.Logf("100k spans generated in %v", time.Since(start))
	if r.Spans != 100_000 || r.Transactions != 2_000 || r.Errors != 40 || r.Occurrences != 5 || r.Roots != 4 {
		t.Fatalf("counts: %d spans, %d transactions, %d errors, %d occurrences, %d roots", r.Spans, r.Transactions, r.Errors, r.Occurrences, r.Roots)
	}
	check(t, r)
	services := map[string]bool{}
	sdks := map[string]bool{}
	var walk func([]wire.TraceItem)
	walk = func(items []wire.TraceItem) {
		for i := range items {
			services[items[i].ProjectSlug] = true
			sdks[items[i].SDKName] = true
			walk(items[i].Children)
		}
	}
	walk(r.Trace)
	if len(services) < 25 || len(sdks) != 5 {
		t.Errorf("%d services, %d SDKs", len(services), len(sdks))
	}
	if testing.Short() {
		return
	}
	data := r.JSON()
	t.Logf("JSON: %d bytes, depth %d", len(data), r.Depth)
	roundTrip(t, data)
}

func TestRoundTrip(t *testing.T) {
	for _, name := range []string{"zero", "small", "many services", "all errors"} {
		roundTrip(t, Generate(configs[name]).JSON())
	}
}

func roundTrip(t *testing.T, data []byte) {
	t.Helper()
	var tr wire.Trace
	if err := wire.Decode(data, &tr); err != nil {
		t.Fatal(err)
	}
	again, err := wire.Encode(tr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, data) {
		t.Fatalf("re-encoding changed the JSON (%d → %d bytes)", len(data), len(again))
	}
}

func TestDeterministic(t *testing.T) {
	cfg := Config{Spans: 5000, Transactions: 100, Services: 20, Seed: 42, OrphanRoots: 2}
	a, b := GenerateJSON(cfg), GenerateJSON(cfg)
	if !bytes.Equal(a, b) {
		t.Fatal("same config, different bytes")
	}
	cfg.Seed++
	if c := GenerateJSON(cfg); bytes.Equal(a, c) {
		t.Fatal("different seeds, same bytes")
	}
	r := Generate(Config{Seed: 1})
	if r.JSON()[0] != '[' || !bytes.Equal(r.JSON(), r.JSON()) {
		t.Fatal("JSON is not a stable array")
	}
}

func TestFocusIsDeepError(t *testing.T) {
	r := Generate(Config{Spans: 20_000, Transactions: 300, Errors: 30, Seed: 2})
	depth := map[string]int{}
	var spanDepths []int
	var walk func([]wire.TraceItem, int)
	walk = func(items []wire.TraceItem, d int) {
		for i := range items {
			spanDepths = append(spanDepths, d)
			for _, e := range items[i].Errors {
				depth[e.EventID] = d
			}
			walk(items[i].Children, d+1)
		}
	}
	walk(r.Trace, 1)
	fd, ok := depth[r.FocusEventID]
	if !ok {
		t.Fatalf("focus %q is not an error of the trace", r.FocusEventID)
	}
	sum := 0.0
	for _, d := range spanDepths {
		sum += float64(d)
	}
	errSum := 0.0
	for id, d := range depth {
		if d > fd {
			t.Errorf("error %s at depth %d is deeper than the focus (%d)", id, d, fd)
		}
		errSum += float64(d)
	}
	if mean, errMean := sum/float64(len(spanDepths)), errSum/float64(len(depth)); errMean <= mean {
		t.Errorf("errors are not deep: mean depth %.1f, spans %.1f", errMean, mean)
	}
}

var hex = func() (t [256]bool) {
	for _, c := range "0123456789abcdef" {
		t[c] = true
	}
	return t
}()

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !hex[s[i]] {
			return false
		}
	}
	return true
}

// check verifies every invariant of a generated trace against its config.
func check(t *testing.T, r *Result) {
	t.Helper()
	cfg := r.Config
	var (
		spans, txns, errs int
		ids               = map[string]string{} // id → what it is
		txnRoot           = map[string]string{} // transaction id → root span id
		occs              = map[string]bool{}
		maxDepth          int
		errIDs            []string
	)
	claim := func(id, what string) {
		if prev, ok := ids[id]; ok && prev != what {
			t.Errorf("id %s is both %s and %s", id, prev, what)
		} else if ok && what != "profiler" {
			t.Errorf("%s id %s repeats", what, id)
		}
		ids[id] = what
	}
	if !isHex(r.TraceID, 32) {
		t.Errorf("trace id %q", r.TraceID)
	}
	claim(r.TraceID, "trace")
	type frame struct {
		items  []wire.TraceItem
		parent *wire.TraceItem
		depth  int
	}
	within := func(what string, it *wire.TraceItem, start, end wire.Timestamp) {
		if it.StartTimestamp < start || (it.EndTimestamp != 0 && it.EndTimestamp > end) {
			t.Errorf("%s %s [%f, %f] outside [%f, %f]", what, it.EventID, float64(it.StartTimestamp), float64(it.EndTimestamp), float64(start), float64(end))
		}
	}
	stack := []frame{{items: r.Trace, depth: 1}}
	for len(stack) > 0 {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for i := range f.items {
			it := &f.items[i]
			spans++
			maxDepth = max(maxDepth, f.depth)
			if it.EventType != wire.TraceItemSpan || !isHex(it.EventID, 16) || !isHex(it.TransactionID, 32) {
				t.Fatalf("bad span item %+v", *it)
			}
			claim(it.EventID, "span")
			if it.Op == "" || it.Name == "" || it.Description == "" || it.Transaction == "" || it.SDKName == "" || it.ProjectSlug == "" || it.ProjectID == 0 {
				t.Errorf("span %s lacks fields: %+v", it.EventID, *it)
			}
			if it.EndTimestamp < it.StartTimestamp || it.StartTimestamp < 1.7e9 {
				t.Errorf("span %s times %f–%f", it.EventID, float64(it.StartTimestamp), float64(it.EndTimestamp))
			}
			if d := float64(it.EndTimestamp-it.StartTimestamp)*1000 - float64(it.Duration); math.Abs(d) > 1e-3 {
				t.Errorf("span %s: duration %f ms, timestamps say %f", it.EventID, float64(it.Duration), float64(it.EndTimestamp-it.StartTimestamp)*1000)
			}
			if it.ProfileID != "" {
				if !isHex(it.ProfileID, 32) {
					t.Errorf("profile id %q", it.ProfileID)
				}
				if it.IsTransaction {
					claim(it.ProfileID, "profile")
				}
			}
			if it.ProfilerID != "" {
				if !isHex(it.ProfilerID, 32) || it.ProfileID != "" {
					t.Errorf("profiler id %q with profile id %q", it.ProfilerID, it.ProfileID)
				}
				claim(it.ProfilerID, "profiler")
			}
			if it.IsTransaction {
				txns++
				claim(it.TransactionID, "transaction")
				txnRoot[it.TransactionID] = it.EventID
				if it.Description != it.Transaction {
					t.Errorf("transaction %s: description %q, name %q", it.EventID, it.Description, it.Transaction)
				}
			}
			if p := f.parent; p == nil {
				// A root: the first has no parent, orphans a missing one.
				if i == 0 && it.ParentSpanID != "" {
					t.Errorf("first root has parent %q", it.ParentSpanID)
				}
				if i > 0 && !isHex(it.ParentSpanID, 16) {
					t.Errorf("orphan root %s has parent %q", it.EventID, it.ParentSpanID)
				}
				if !it.IsTransaction {
					t.Errorf("root %s is not a transaction", it.EventID)
				}
			} else {
				if it.ParentSpanID != p.EventID {
					t.Errorf("span %s: parent_span_id %q, nested under %s", it.EventID, it.ParentSpanID, p.EventID)
				}
				within("span", it, p.StartTimestamp, p.EndTimestamp)
				if it.IsTransaction {
					if p.Op != "http.client" || len(p.Children) != 1 || p.ProjectSlug == it.ProjectSlug && cfg.Services > 2 && p.ProjectSlug != "api-gateway" {
						t.Errorf("transaction %s (%s) below %s %q of %s", it.EventID, it.ProjectSlug, p.Op, p.Description, p.ProjectSlug)
					}
				} else if it.TransactionID != p.TransactionID {
					t.Errorf("span %s: transaction %s, parent's %s", it.EventID, it.TransactionID, p.TransactionID)
				}
				if i > 0 && it.StartTimestamp < f.items[i-1].StartTimestamp {
					t.Errorf("children of %s out of order", p.EventID)
				}
			}
			for j := range it.Errors {
				e := &it.Errors[j]
				errs++
				errIDs = append(errIDs, e.EventID)
				if e.EventType != wire.TraceItemError || !isHex(e.EventID, 32) || e.IssueID == 0 || e.ShortID == "" ||
					e.Description == "" || e.Level == "" || e.Culprit == "" || e.ProjectSlug != it.ProjectSlug {
					t.Errorf("bad error %+v", *e)
				}
				claim(e.EventID, "error")
				within("error", e, it.StartTimestamp, it.EndTimestamp)
			}
			for j := range it.Occurrences {
				o := &it.Occurrences[j]
				if o.EventType != wire.TraceItemOccurrence || o.EventID != it.TransactionID || o.IssueType != 1006 {
					t.Errorf("bad occurrence %+v on %s", *o, it.EventID)
				}
				if it.StartTimestamp < o.StartTimestamp || it.EndTimestamp > o.EndTimestamp {
					t.Errorf("occurrence %s does not cover its offender %s", o.EventID, it.EventID)
				}
				occs[o.EventID] = true
			}
			if len(it.Children) > 0 {
				stack = append(stack, frame{items: it.Children, parent: it, depth: f.depth + 1})
			}
		}
	}
	for id := range occs {
		if ids[id] != "transaction" {
			t.Errorf("occurrence %s is not a transaction's event", id)
		}
	}
	if spans != cfg.Spans || spans != r.Spans {
		t.Errorf("%d spans, config %d, result %d", spans, cfg.Spans, r.Spans)
	}
	if txns != cfg.Transactions || txns != r.Transactions || len(r.TransactionIDs) != txns {
		t.Errorf("%d transactions, config %d, result %d", txns, cfg.Transactions, r.Transactions)
	}
	if errs != cfg.Errors || errs != r.Errors || len(r.ErrorEventIDs) != errs {
		t.Errorf("%d errors, config %d, result %d", errs, cfg.Errors, r.Errors)
	}
	if len(occs) != r.Occurrences || r.Occurrences > cfg.Occurrences {
		t.Errorf("%d occurrences, config %d, result %d", len(occs), cfg.Occurrences, r.Occurrences)
	}
	if want := 1 + cfg.OrphanRoots; len(r.Trace) != want || r.Roots != want {
		t.Errorf("%d roots, want %d", len(r.Trace), want)
	}
	if maxDepth > cfg.MaxDepth || maxDepth != r.Depth {
		t.Errorf("depth %d, max %d, result %d", maxDepth, cfg.MaxDepth, r.Depth)
	}
	for i, id := range r.TransactionIDs {
		if _, ok := txnRoot[id]; !ok {
			t.Errorf("transaction id %d %s is not in the trace", i, id)
		}
	}
	if r.TransactionIDs[0] != r.Trace[0].TransactionID {
		t.Error("the first transaction id is not the first root's")
	}
	inTrace := map[string]bool{}
	for _, id := range errIDs {
		inTrace[id] = true
	}
	for _, id := range r.ErrorEventIDs {
		if !inTrace[id] {
			t.Errorf("error id %s is not in the trace", id)
		}
	}
	if (r.FocusEventID == "") != (errs == 0) || r.FocusEventID != "" && !inTrace[r.FocusEventID] {
		t.Errorf("focus %q", r.FocusEventID)
	}
	for i := 1; i < len(r.Trace); i++ {
		if _, ok := ids[r.Trace[i].ParentSpanID]; ok {
			t.Errorf("orphan root %s has a parent in the trace", r.Trace[i].EventID)
		}
	}
}

func BenchmarkGenerate100k(b *testing.B) {
	cfg := Default100k()
	b.ReportAllocs()
	for b.Loop() {
		Generate(cfg)
	}
}

func BenchmarkEncode100k(b *testing.B) {
	r := Generate(Default100k())
	b.ReportAllocs()
	b.SetBytes(int64(len(r.JSON())))
	for b.Loop() {
		if _, err := wire.Encode(r.Trace); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeBaseline(b *testing.B) {
	data := GenerateJSON(Default100k())
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeTyped(b *testing.B) {
	data := GenerateJSON(Default100k())
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var tr wire.Trace
		if err := wire.Decode(data, &tr); err != nil {
			b.Fatal(err)
		}
	}
}
