package tracetree

import (
	"encoding/json"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/tracehound/tracehound/tracetree/tracegen"
)

// The 100k-span trace of tracegen.Default100k (2,000 transactions, 30
// services, 40 errors), generated once per test binary.
var bench100k = sync.OnceValue(func() *tracegen.Result { return tracegen.Generate(tracegen.Default100k()) })

// peakHeap samples the live heap while fn runs and returns its highest
// value above the heap in use before fn started.
func peakHeap(fn func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	base := sample[0].Value.Uint64()
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(200 * time.Microsecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	fn()
	close(stop)
	<-done
	if p := peak.Load(); p > base {
		return p - base
	}
	return 0
}

// BenchmarkDecodeBaseline is the reference for loading: plain
// encoding/json into generic values, of the same bytes.
func BenchmarkDecodeBaseline(b *testing.B) {
	data := bench100k().JSON()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadTrace100k decodes the 100k-span trace into sentryapi types
// and builds the tree: what opening an incident costs. Targets: ≤ 1.5× the
// baseline's time; peak heap ≤ 3× the JSON size (reported as peak-x-json).
func BenchmarkLoadTrace100k(b *testing.B) {
	res := bench100k()
	data := res.JSON()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var worst uint64
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		runtime.GC()
		b.StartTimer()
		var tree *Tree
		p := peakHeap(func() {
			var tr wire.Trace
			if err := wire.Decode(data, &tr); err != nil {
				b.Fatal(err)
			}
			tree = Build(tr, BuildOptions{TraceID: res.TraceID, FocusEventID: res.FocusEventID})
		})
		if tree.Spans != res.Spans || tree.Errors != res.Errors {
			b.Fatalf("built %d spans / %d errors, want %d / %d", tree.Spans, tree.Errors, res.Spans, res.Errors)
		}
		worst = max(worst, p)
	}
	b.ReportMetric(float64(worst)/float64(len(data)), "peak-x-json")
	b.ReportMetric(float64(worst)/(1<<20), "peak-MiB")
}

// BenchmarkRenderBudget100k renders the 100k-span tree at a 3,000-token
// budget. Targets: ≤ 3,000 tokens with every error and the whole focus
// path present (checked on every iteration).
func BenchmarkRenderBudget100k(b *testing.B) {
	res := bench100k()
	var tr wire.Trace
	if err := wire.Decode(res.JSON(), &tr); err != nil {
		b.Fatal(err)
	}
	tree := Build(tr, BuildOptions{TraceID: res.TraceID, FocusEventID: res.FocusEventID})
	const budget = 3000
	b.ReportAllocs()
	var tokens int
	for b.Loop() {
		out := Render(tree, RenderOptions{Budget: budget})
		tokens = CountTokens(out)
		if tokens > budget {
			b.Fatalf("%d tokens over a %d budget", tokens, budget)
		}
		for _, id := range res.ErrorEventIDs {
			if !strings.Contains(out, "id="+ShortID(id)) {
				b.Fatalf("error %s missing", ShortID(id))
			}
		}
		for n := tree.Focus; n != nil; n = n.Parent {
			if !strings.Contains(out, "id="+ShortID(n.ID)) {
				b.Fatalf("focus path node %s missing", ShortID(n.ID))
			}
		}
	}
	b.ReportMetric(float64(tokens), "tokens")
}

// TestBudget100k checks the budget contract on the generated 100k trace in
// ordinary test runs (no timing): every error and the focus path survive
// budgets from 3,000 tokens up, and the output stays within them.
func TestBudget100k(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 100k-span trace")
	}
	res := bench100k()
	var tr wire.Trace
	if err := wire.Decode(res.JSON(), &tr); err != nil {
		t.Fatal(err)
	}
	tree := Build(tr, BuildOptions{TraceID: res.TraceID, FocusEventID: res.FocusEventID})
	if tree.Transactions != res.Transactions || tree.Errors != res.Errors || tree.Focus == nil {
		t.Fatalf("tree: %d txns %d errors focus %v", tree.Transactions, tree.Errors, tree.Focus != nil)
	}
	for _, budget := range []int{3000, 6000, 12000} {
		out := Render(tree, RenderOptions{Budget: budget})
		if n := CountTokens(out); n > budget {
			t.Errorf("budget %d: %d tokens", budget, n)
		}
		for _, id := range res.ErrorEventIDs {
			if !strings.Contains(out, "id="+ShortID(id)) {
				t.Errorf("budget %d: error %s missing", budget, ShortID(id))
			}
		}
		for n := tree.Focus; n != nil; n = n.Parent {
			if !strings.Contains(out, "id="+ShortID(n.ID)) {
				t.Errorf("budget %d: focus path node %s missing", budget, ShortID(n.ID))
			}
		}
	}
}
