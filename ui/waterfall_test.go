package ui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tracehound/tracehound/sentryapi/wire"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/tracehound/tracehound/tracetree"
)

// TestWaterfallNPlusOne: the 36 sequential stock queries of the inventory
// transaction are one row with their count.
func TestWaterfallNPlusOne(t *testing.T) {
	d := dtDetails(t)["spans_inventory"]
	for _, w := range []int{200, 100, 60} {
		plain := ansi.Strip(d.View(w, 30, true))
		rows := 0
		for _, l := range strings.Split(plain, "\n") {
			if strings.Contains(l, "SELECT") && strings.Contains(l, "├─") || strings.Contains(l, "└─") && strings.Contains(l, "db ") {
				rows++
				if !strings.Contains(l, "(repeated 36×)") || !strings.Contains(l, "751ms") {
					t.Errorf("width %d: group row %q", w, l)
				}
			}
		}
		if rows != 1 {
			t.Errorf("width %d: %d query rows, want 1:\n%s", w, rows, plain)
		}
		if w >= 100 && !strings.Contains(plain, "most of the time: db - SELECT") {
			t.Errorf("width %d: no hot line:\n%s", w, plain)
		}
	}
}

// TestWaterfallBars: bars sit on one axis, critical rows use
// BarCritical, failed ones BarError with a ✗, narrow panes drop them.
func TestWaterfallBars(t *testing.T) {
	st := NewStyles(true)
	d := dtDetails(t)["spans_gateway"]
	d.SetStyles(st)
	d.View(120, 40, false)
	p := d.ts[TabSpans].pane.(*detailSpans)
	var charges, handler, helmet int = -1, -1, -1
	for i, r := range p.rows {
		switch {
		case strings.Contains(r.Label, "/v1/charges"):
			charges = i
		case strings.Contains(r.Label, "request_handler") || r.Op == "request_handler.express":
			handler = i
		case strings.Contains(r.Label, "helmetMiddleware"):
			helmet = i
		}
	}
	if charges < 0 || handler < 0 || helmet < 0 {
		t.Fatalf("rows not found: %d %d %d", charges, handler, helmet)
	}
	// on is the SGR sequence a style opens with.
	on := func(s lipgloss.Style) string { return strings.Split(s.Render("█"), "█")[0] }
	crit := p.rowText(handler, nil)
	if !p.rows[handler].Critical || !strings.Contains(crit, on(st.BarCritical)+"███") || !strings.Contains(crit, st.BarCritical.Render("◆ ")) {
		t.Errorf("critical row without BarCritical: %q", crit)
	}
	failed := p.rowText(charges, nil)
	if !strings.Contains(failed, on(st.BarError)+"███") || !strings.Contains(ansi.Strip(failed), "✗ http.client") || !strings.Contains(ansi.Strip(failed), " 500") {
		t.Errorf("failed row: %q", ansi.Strip(failed))
	}
	other := p.rowText(helmet, nil)
	if p.rows[helmet].Critical || !strings.Contains(other, on(st.Bar)+"█") || strings.Contains(other, on(st.BarCritical)+"█") {
		t.Errorf("row off the critical path: %q", other)
	}

	// One axis: the payments call (66ms → 532ms of 591ms) starts about a
	// ninth of the way in and ends about nine tenths of the way.
	plain := ansi.Strip(failed)
	barStart := wfMark + p.lw + 1
	bar := []rune(plain)[barStart : barStart+p.bw]
	first, last := strings.IndexRune(string(bar), '█'), strings.LastIndex(string(bar), "█")
	first = len([]rune(string(bar)[:first]))
	last = len([]rune(string(bar)[:last]))
	if lo, hi := p.bw*66/591, p.bw*532/591; first < lo-1 || first > lo+1 || last < hi-1 || last > hi+1 {
		t.Errorf("bar %d–%d of %d, want about %d–%d: %q", first, last, p.bw, lo, hi, string(bar))
	}
	head := ansi.Strip(strings.Join(p.head, "\n"))
	for _, want := range []string{"0ms", "295ms", "591ms", "13 spans", "critical path 590ms", "POST /api/checkout"} {
		if !strings.Contains(head, want) {
			t.Errorf("header lacks %q:\n%s", want, head)
		}
	}

	// Narrow: no bars, the label and the duration stay.
	narrow := ansi.Strip(d.View(60, 30, false))
	if strings.Contains(narrow, "███") || !strings.Contains(narrow, "466ms") || !strings.Contains(narrow, "✗ http.client") {
		t.Errorf("narrow waterfall:\n%s", narrow)
	}
}

// TestWaterfallSelect moves the selection and opens a row's attributes.
func TestWaterfallSelect(t *testing.T) {
	d := dtDetails(t)["spans_gateway"]
	const w, h = 100, 30
	d.View(w, h, true)
	p := d.ts[TabSpans].pane.(*detailSpans)
	if !strings.Contains(p.rows[p.sel].Label, "/v1/charges") {
		t.Errorf("first selection is %q, want the failed payments call", p.rows[p.sel].Label)
	}
	sel := p.sel
	d.Update(dtKey("j"))
	if p.sel != sel+1 {
		t.Errorf("j: selection %d, want %d", p.sel, sel+1)
	}
	d.Update(dtKey("k"))
	d.Update(dtKey("enter"))
	out := ansi.Strip(d.View(w, h, true))
	for _, want := range []string{"status internal_error", "HTTP 500", "from +66ms to +532ms"} {
		if !strings.Contains(out, want) {
			t.Errorf("open row lacks %q:\n%s", want, out)
		}
	}
	dtCheckScreen(t, "open", d.View(w, h, true), w, h)
	d.Update(dtKey("enter"))
	if strings.Contains(ansi.Strip(d.View(w, h, true)), "status internal_error") {
		t.Error("enter did not close the row")
	}
	// The selection follows to the last row and back; the view scrolls.
	d.Update(dtKey("G"))
	if p.sel != len(p.rows)-1 {
		t.Errorf("G: selection %d of %d", p.sel, len(p.rows))
	}
	d.Update(dtKey("g"))
	if p.sel != 0 || d.ts[TabSpans].off != 0 {
		t.Errorf("g: selection %d, offset %d", p.sel, d.ts[TabSpans].off)
	}
	d.Update(dtKey("k"))
	if p.sel != 0 {
		t.Errorf("k at the top: selection %d", p.sel)
	}
	// In a short pane the selection stays visible.
	for range 12 {
		d.Update(dtKey("j"))
	}
	small := d.View(w, 8, true)
	if !strings.Contains(ansi.Strip(small), ansi.Strip(p.rowText(p.sel, nil))[:30]) {
		t.Errorf("selected row %d not visible:\n%s", p.sel, ansi.Strip(small))
	}
	dtCheckScreen(t, "small", small, w, 8)
}

// TestWaterfallPrefixes draws the tree connectors from the depths.
func TestWaterfallPrefixes(t *testing.T) {
	rows := []tracetree.WaterfallRow{{Depth: 0}, {Depth: 1}, {Depth: 2}, {Depth: 2}, {Depth: 1}, {Depth: 2}}
	got := wfPrefixes(rows)
	want := []string{"", "├─ ", "│  ├─ ", "│  └─ ", "└─ ", "   └─ "}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("prefixes %q, want %q", got, want)
	}
}

func TestWaterfallAxis(t *testing.T) {
	if got := wfAxis(591, 27); got != "0ms ······ 296ms ···· 591ms" {
		t.Errorf("axis %q", got)
	}
	if got := wfAxis(591, 8); got != "0ms ····" {
		t.Errorf("narrow axis %q", got)
	}
	for _, w := range []int{20, 40, 61, 95} {
		a := wfAxis(591.3, w)
		if n := len([]rune(a)); n != w {
			t.Errorf("axis of %d cells is %d: %q", w, n, a)
		}
		if !strings.HasPrefix(a, "0ms") || !strings.HasSuffix(a, "591ms") {
			t.Errorf("axis %q", a)
		}
	}
}

// wfBig is a transaction with n spans: a fan-out or a chain.
func wfBig(n int, chain bool) *tracetree.SpanTree {
	const t0 = 1_700_000_000.0
	spans := make([]wire.Span, n)
	for i := range spans {
		parent := "root"
		if chain && i > 0 {
			parent = spans[i-1].SpanID
		}
		spans[i] = wire.Span{SpanID: fmt.Sprintf("%016x", i+1), ParentSpanID: parent, Op: "cache", Description: fmt.Sprintf("GET key-%c%c%c", 'a'+i%26, 'a'+i/26%26, 'a'+i/676%26),
			StartTimestamp: wire.Timestamp(t0 + float64(i)*1e-5), Timestamp: wire.Timestamp(t0 + float64(i)*1e-5 + 5e-6)}
		if chain {
			spans[i].Timestamp = wire.Timestamp(t0 + 1.4 - float64(i)*1e-6)
		}
	}
	ev := &wire.Event{ID: "f00df00df00df00df00df00df00df00d", Type: "transaction", Title: "big",
		Contexts:       wire.Contexts{Trace: &wire.TraceContext{SpanID: "root", Op: "task"}},
		StartTimestamp: t0, EndTimestamp: t0 + 1.5,
		Entries: []wire.Entry{{Type: wire.EntrySpans, Spans: spans}}}
	tr, err := tracetree.BuildSpanTree(ev)
	if err != nil {
		panic(err)
	}
	return tr
}

// TestWaterfallLarge: 100k spans show at once, and only the visible rows
// are styled.
func TestWaterfallLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("100k spans")
	}
	for _, chain := range []bool{false, true} {
		tr := wfBig(100_000, chain)
		d := NewDetail(NewStyles(true))
		d.ShowSpans("big", tr)
		out := d.View(120, 40, true)
		dtCheckScreen(t, "big", out, 120, 40)
		d.Update(dtKey("G"))
		out = d.View(120, 40, true)
		dtCheckScreen(t, "big end", out, 120, 40)
		p := d.ts[TabSpans].pane.(*detailSpans)
		styled := 0
		for _, c := range p.cache {
			if c != "" {
				styled++
			}
		}
		if styled > 80 {
			t.Errorf("chain=%v: %d of %d rows styled for two screens", chain, styled, len(p.rows))
		}
		if chain && !strings.Contains(ansi.Strip(out), "┄") {
			t.Errorf("the deepest rows do not show their depth:\n%s", ansi.Strip(out))
		}
	}
}

func BenchmarkWaterfall100k(b *testing.B) {
	tr := wfBig(100_000, false)
	st := NewStyles(true)
	for b.Loop() {
		d := NewDetail(st)
		d.ShowSpans("big", tr)
		_ = d.View(160, 50, true)
		d.Update(dtKey("G"))
		_ = d.View(160, 50, true)
	}
}

// BenchmarkWaterfallScroll is the cost of a frame while scrolling.
func BenchmarkWaterfallScroll(b *testing.B) {
	tr := wfBig(100_000, false)
	d := NewDetail(NewStyles(true))
	d.ShowSpans("big", tr)
	_ = d.View(160, 50, true)
	for b.Loop() {
		d.Update(dtKey("j"))
		_ = d.View(160, 50, true)
	}
}
