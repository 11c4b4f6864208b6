package ui

import (
	"testing"

	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/tracehound/tracehound/tracetree"
	"github.com/tracehound/tracehound/tracetree/tracegen"
)

// benchTreePane builds the tree pane over a generated trace, as the app
// shows it on start (the event selected, its path expanded).
func benchTreePane(b *testing.B, cfg tracegen.Config) *treePane {
	b.Helper()
	res := tracegen.Generate(cfg)
	var tr wire.Trace
	if err := wire.Decode(res.JSON(), &tr); err != nil {
		b.Fatal(err)
	}
	tree := tracetree.Build(tr, tracetree.BuildOptions{TraceID: res.TraceID, FocusEventID: res.FocusEventID})
	p := newTreePane(NewStyles(true), tree)
	p.View(treeBenchW, treeBenchH, true)
	if len(p.rows) < 2 {
		b.Fatalf("only %d rows", len(p.rows))
	}
	if len(p.rows) < treeBenchH {
		b.Fatalf("%d rows do not fill the %d-row pane: the frames would not compare", len(p.rows), treeBenchH)
	}
	return p
}

// The tree pane's size in both benchmarks: the left column of a 160×50
// terminal.
const treeBenchW, treeBenchH = 60, 44

// benchTreeFrames measures one frame of the tree pane per iteration: the
// selection moves a row (wrapping at the end) and the pane is drawn.
func benchTreeFrames(b *testing.B, p *treePane) {
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if p.sel == len(p.rows)-1 {
			p.toTop()
		} else {
			p.move(1)
		}
		if s := p.View(treeBenchW, treeBenchH, true); len(s) == 0 {
			b.Fatal("empty frame")
		}
	}
}

// BenchmarkViewTree100 is a frame of the tree of a 100-span trace, one
// with enough transactions (50) to fill the pane, so both benchmarks draw
// the same number of rows.
func BenchmarkViewTree100(b *testing.B) {
	benchTreeFrames(b, benchTreePane(b, tracegen.Config{Spans: 100, Transactions: 50, Services: 6, Errors: 3, Seed: 1}))
}

// BenchmarkViewTree100k is the same frame over tracegen.Default100k
// (100,000 spans, 2,000 transactions): virtualised rendering keeps it
// within 2× the 100-span frame.
func BenchmarkViewTree100k(b *testing.B) {
	benchTreeFrames(b, benchTreePane(b, tracegen.Default100k()))
}
