package tracetree

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tracehound/tracehound/internal/fixtures"
	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/tracehound/tracehound/demo"
)

// The demo transactions the span view is checked against.
const (
	spanDemoStock        = "events/inventory/e4212a75d058d54f046d2d1dd61b559c.json"   // GET /v1/stock: the N+1
	spanDemoCharges      = "events/payments/3766ca994cc7b959748377bd0564cef3.json"    // POST /v1/charges: the 401
	spanDemoCheckout     = "events/api-gateway/1fdbda141bc53dd1b130ba1ba0b06967.json" // POST /api/checkout
	spanDemoReservations = "events/inventory/3d95f9d6ef89f53a093feac8a4bdd1c6.json"   // POST /v1/reservations: a loop
	spanDemoPageload     = "events/storefront/1c7c27994a96b4c058794d3b265e3aec.json"  // 197 browser spans
)

func spanDemoEvent(t testing.TB, name string) *wire.Event {
	t.Helper()
	b, err := fs.ReadFile(demo.Dataset(), name)
	if err != nil {
		t.Fatal(err)
	}
	var ev wire.Event
	if err := wire.Decode(b, &ev); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return &ev
}

func spanDemoTree(t testing.TB, name string) *SpanTree {
	t.Helper()
	tr, err := BuildSpanTree(spanDemoEvent(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// spanFixture reads ../shared/fixtures/sentry/<rel> next to the module
// root, or skips the test when the fixtures are not there.
func spanFixture(t *testing.T, rel string) []byte {
	t.Helper()
	dir := fixtures.Dir()
	if dir == "" {
		t.Skip("../shared/fixtures/sentry is not present next to the repository; fixture test skipped")
	}
	path := filepath.Join(dir, filepath.FromSlash(rel))
	b, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("public fixture %s not available (%v)", path, err)
	}
	return b
}

// spanHeaderLines is how many lines of a text are header, not rows.
func spanHeaderLines(text string) int {
	n := 0
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, "Spans of ") || strings.HasPrefix(l, "most of the time: ") || strings.HasPrefix(l, "◆ critical path") || strings.HasPrefix(l, "✗ failed") ||
			strings.HasPrefix(l, "+offset") || strings.HasPrefix(l, "note: ") {
			n++
			continue
		}
		break
	}
	return n
}

// spanRows is the text's row lines (header and footer left out).
func spanRows(text string) []string {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	lines = lines[spanHeaderLines(text):]
	if k := len(lines); k > 0 && strings.HasPrefix(lines[k-1], "(") {
		lines = lines[:k-1]
	}
	return lines
}

// spanBody strips a row's marker, offset and tree prefix.
func spanBody(row string) string {
	r := []rune(row)
	if len(r) < 10 {
		return row
	}
	return strings.TrimLeft(string(r[10:]), "│├└─ ┄")
}

func TestSpanTreeDemo(t *testing.T) {
	tests := []struct {
		name, file, golden string
		spans              int
		check              func(t *testing.T, tr *SpanTree, text string, rows []WaterfallRow)
	}{
		{
			name: "inventory stock N+1", file: spanDemoStock, golden: "spans_demo_inventory_stock.txt", spans: 36,
			check: func(t *testing.T, tr *SpanTree, text string, rows []WaterfallRow) {
				if len(rows) != 2 {
					t.Fatalf("want the transaction and one group row, got %d rows:\n%s", len(rows), text)
				}
				g := rows[1]
				if g.Kind != WaterfallGroup || g.Repeat != 36 || g.MaxParallel != 1 || !g.Critical || g.Op != "db" {
					t.Errorf("the 36 stock_levels queries must be one sequential, critical group: %+v", g)
				}
				if g.TotalMS < 700 || g.TotalMS > 800 {
					t.Errorf("group total %v, want the sum of the 36 queries (~751ms)", g.TotalMS)
				}
				for _, want := range []string{"(repeated 36 times, 751ms total, sequential — likely N+1, 19ms–23ms each)", "FROM stock_levels WHERE sku = %s", "db=postgresql", "critical path 751ms through 36 spans"} {
					if !strings.Contains(text, want) {
						t.Errorf("missing %q in:\n%s", want, text)
					}
				}
				if len(tr.CriticalPath) != 37 || tr.CriticalPath[0] != "4f6deb0d6b56239e" {
					t.Errorf("critical path = %d ids starting %v; the queries ran one after another, so all 36 are on it", len(tr.CriticalPath), tr.CriticalPath[:1])
				}
			},
		},
		{
			name: "payments charges", file: spanDemoCharges, golden: "spans_demo_payments_charges.txt", spans: 8,
			check: func(t *testing.T, tr *SpanTree, text string, rows []WaterfallRow) {
				var gap, introspect *WaterfallRow
				for i := range rows {
					switch {
					case rows[i].Kind == WaterfallGap:
						gap = &rows[i]
					case strings.Contains(rows[i].Label, "/v1/tokens/introspect"):
						introspect = &rows[i]
					}
				}
				if gap == nil || gap.Depth != 2 || gap.TotalMS < 350 || gap.TotalMS > 360 || !gap.Critical {
					t.Errorf("want the ~355ms uninstrumented gap inside risk.score_transaction, on the critical path: %+v", gap)
				}
				if introspect == nil || !introspect.Failed || introspect.HTTPStatus != 401 || introspect.Status != "unauthenticated" {
					t.Errorf("the introspect call failed with a 401: %+v", introspect)
				}
				if !rows[0].Failed || rows[0].HTTPStatus != 500 {
					t.Errorf("the transaction answered 500: %+v", rows[0])
				}
				for _, want := range []string{"✗ http.client - POST http://auth-service.internal:8080/v1/tokens/introspect?audience=payments (6.7ms) status=unauthenticated http.status=401",
					"· gap 355ms (no child span)", "function - risk.score_transaction (363ms, self 356ms)", "✗ failed"} {
					if !strings.Contains(text, want) {
						t.Errorf("missing %q in:\n%s", want, text)
					}
				}
			},
		},
		{
			name: "gateway checkout", file: spanDemoCheckout, golden: "spans_demo_gateway_checkout.txt", spans: 13,
			check: func(t *testing.T, tr *SpanTree, text string, rows []WaterfallRow) {
				if !slices.Contains(tr.CriticalPath, "7f7bf0d87b480e63") {
					t.Errorf("the 466ms payments call bounded the checkout; critical path %v", tr.CriticalPath)
				}
				if slices.Contains(tr.CriticalPath, "98f57119de0f8351") {
					t.Error("helmetMiddleware (0ms, overlapped by corsMiddleware's start) is not on the critical path")
				}
				if !strings.Contains(text, "✗ http.client - POST http://payments.internal:8000/v1/charges (466ms) status=internal_error http.status=500") {
					t.Errorf("the failed payments call is not marked:\n%s", text)
				}
			},
		},
		{
			name: "inventory reservations loop", file: spanDemoReservations, golden: "spans_demo_inventory_reservations.txt", spans: 13,
			check: func(t *testing.T, tr *SpanTree, text string, rows []WaterfallRow) {
				if rows[1].Kind != WaterfallLoop || rows[1].Repeat != 6 || rows[2].Repeat != 6 || rows[3].Repeat != 6 || rows[2].Depth != 2 {
					t.Errorf("SELECT … FOR UPDATE / UPDATE alternating 6 times must be one loop of 2 steps: %+v", rows[1:4])
				}
				if !strings.Contains(text, "loop of 2 steps, repeated 6 times (30ms total, sequential — likely N+1)") {
					t.Errorf("loop line missing:\n%s", text)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := spanDemoTree(t, tt.file)
			text := tr.Text(SpanOptions{})
			rows := tr.Waterfall()
			if tr.SpanCount != tt.spans {
				t.Errorf("SpanCount = %d, want %d", tr.SpanCount, tt.spans)
			}
			if got := len(spanRows(text)); got != len(rows) {
				t.Errorf("text has %d rows, Waterfall %d", got, len(rows))
			}
			tt.check(t, tr, text, rows)
			golden(t, tt.golden, text)
		})
	}
}

func TestSpanTreeFixtures(t *testing.T) {
	tests := []struct {
		file, golden string
		check        func(t *testing.T, tr *SpanTree, text string)
	}{
		{"api/performance-event.json", "spans_fixture_performance_event.txt", func(t *testing.T, tr *SpanTree, text string) {
			if !tr.DerivedTimes || tr.DurationMS != 250 {
				t.Errorf("the event has no start/end: times must come from its spans (250ms), got %v derived=%v", tr.DurationMS, tr.DerivedTimes)
			}
			if !strings.Contains(text, "db.query - SELECT * FROM users WHERE id = ? (repeated 3 times") {
				t.Errorf("the three users queries (id = 1, 2, 3) must group with the id normalised:\n%s", text)
			}
			if !strings.Contains(text, "· gap 215ms (no child span)") {
				t.Errorf("215ms of GET /api/users are not covered by a span:\n%s", text)
			}
		}},
		{"api/trace-event.json", "spans_fixture_trace_event.txt", func(t *testing.T, tr *SpanTree, text string) {
			if tr.SpanCount != 0 || !strings.Contains(text, "no spans recorded") || !strings.Contains(text, "✗ http.server - POST /mcp") {
				t.Errorf("a failed transaction with no spans:\n%s", text)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			var ev wire.Event
			if err := wire.Decode(spanFixture(t, tt.file), &ev); err != nil {
				t.Fatal(err)
			}
			tr, err := BuildSpanTree(&ev)
			if err != nil {
				t.Fatal(err)
			}
			text := tr.Text(SpanOptions{})
			tt.check(t, tr, text)
			golden(t, tt.golden, text)
		})
	}
}

// spanEvent builds a transaction event from compact span specs:
// "id parent op description startMS endMS [status]" (times relative to
// the transaction start; "-" for an empty field).
func spanEvent(rootMS float64, specs ...string) *wire.Event {
	const t0 = 1_700_000_000.0
	ev := &wire.Event{
		ID: "0123456789abcdef0123456789abcdef", EventID: "0123456789abcdef0123456789abcdef", Type: "transaction",
		Title: "GET /test", ProjectSlug: "shop",
		Contexts:       wire.Contexts{Trace: &wire.TraceContext{SpanID: "root", Op: "http.server", Status: "ok"}},
		StartTimestamp: wire.Timestamp(t0), EndTimestamp: wire.Timestamp(t0 + rootMS/1000),
	}
	var spans []wire.Span
	for _, s := range specs {
		f := strings.Fields(s)
		for i := range f {
			if f[i] == "-" {
				f[i] = ""
			}
			if i == 3 {
				f[i] = strings.ReplaceAll(f[i], "_", " ")
			}
		}
		var start, end float64
		fmt.Sscan(f[4], &start)
		fmt.Sscan(f[5], &end)
		sp := wire.Span{SpanID: f[0], ParentSpanID: f[1], Op: f[2], Description: f[3], Status: "ok",
			StartTimestamp: wire.Timestamp(t0 + start/1000), Timestamp: wire.Timestamp(t0 + end/1000)}
		if len(f) > 6 {
			sp.Status = f[6]
		}
		spans = append(spans, sp)
	}
	ev.Entries = []wire.Entry{{Type: wire.EntrySpans, Spans: spans}}
	return ev
}

func spanMustBuild(t testing.TB, ev *wire.Event) *SpanTree {
	t.Helper()
	tr, err := BuildSpanTree(ev)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func spanFind(tr *SpanTree, id string) *SpanNode {
	stack := []*SpanNode{tr.Root}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n.SpanID == id {
			return n
		}
		stack = append(stack, n.Children...)
	}
	return nil
}

func TestSpanCriticalPath(t *testing.T) {
	tests := []struct {
		name     string
		ev       *wire.Event
		want     []string
		wantMS   float64
		notOnIt  []string
		critical string // a line that must carry the ◆
	}{
		{
			name: "sequential, parallel and nested",
			ev: spanEvent(100,
				"a root db A 0 30", // still running when B started: did not hold it up
				"b root function B 10 90",
				"c root http.client C 20 40", // runs alongside B and ends before it
				"b1 b db B1 10 50",
				"b2 b db B2 50 88",
				"b3 b cache B3 20 30", // alongside B1
				"d root http.client D 90 100",
			),
			want:    []string{"root", "b", "b1", "b2", "d"},
			wantMS:  90, // D 10 + B 80
			notOnIt: []string{"a", "c", "b3"},
		},
		{
			name: "the child ending last wins over the longest",
			ev: spanEvent(100,
				"long root db long 0 80",
				"late root db late 70 95",
			),
			want:    []string{"root", "late"},
			wantMS:  25,
			notOnIt: []string{"long"},
		},
		{
			name: "a fan-out: only the call that finished last",
			ev: spanEvent(100,
				"f1 root http.client one 0 50",
				"f2 root http.client two 1 60",
				"f3 root http.client three 2 70",
				"after root db after 72 90",
			),
			want:    []string{"root", "f3", "after"},
			wantMS:  86,
			notOnIt: []string{"f1", "f2"},
		},
		{
			name: "a child running past its parent is clipped",
			ev: spanEvent(50,
				"async root queue.publish async 10 400",
				"early root db early 0 5",
			),
			want:   []string{"root", "early", "async"},
			wantMS: 45,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := spanMustBuild(t, tt.ev)
			if !slices.Equal(tr.CriticalPath, tt.want) {
				t.Errorf("CriticalPath = %v, want %v", tr.CriticalPath, tt.want)
			}
			if tr.CriticalMS != tt.wantMS {
				t.Errorf("CriticalMS = %v, want %v", tr.CriticalMS, tt.wantMS)
			}
			for _, id := range tt.notOnIt {
				if spanFind(tr, id).Critical {
					t.Errorf("%s ran in parallel with a span that ended later; it is not on the critical path", id)
				}
			}
			text := tr.Text(SpanOptions{})
			for _, row := range spanRows(text) {
				body := spanBody(row)
				for _, id := range tt.want[1:] {
					n := spanFind(tr, id)
					if strings.Contains(body, " - "+n.Description+" (") && !strings.HasPrefix(row, "◆") {
						t.Errorf("critical span %s not marked: %q", id, row)
					}
				}
				for _, id := range tt.notOnIt {
					n := spanFind(tr, id)
					if strings.Contains(body, " - "+n.Description+" (") && strings.HasPrefix(row, "◆") {
						t.Errorf("span %s marked critical: %q", id, row)
					}
				}
			}
			if !strings.Contains(text, fmt.Sprintf("critical path %s through %s", FormatDuration(tt.wantMS), plural(len(tt.want)-1, "span"))) {
				t.Errorf("header does not state the critical path:\n%s", text)
			}
		})
	}
}

func TestSpanGaps(t *testing.T) {
	tr := spanMustBuild(t, spanEvent(200,
		"a root db first 0 20",
		"b root db second 150 160",
		"c b db inner 150 151", // b is 10ms: its 9ms without a child is no gap
	))
	rows := tr.Waterfall()
	var kinds []string
	for _, r := range rows {
		if r.Kind == WaterfallGap {
			kinds = append(kinds, fmt.Sprintf("gap %v-%v", r.StartMS, r.EndMS))
		} else {
			kinds = append(kinds, r.Label)
		}
	}
	want := []string{"http.server - GET /test", "db - first", "gap 20-150", "db - second", "db - inner", "gap 160-200"}
	if !slices.Equal(kinds, want) {
		t.Errorf("rows in time order = %q, want %q", kinds, want)
	}
	text := tr.Text(SpanOptions{})
	for _, w := range []string{"· gap 130ms (no child span)", "· gap 40ms (no child span)", "(200ms, self 170ms)"} {
		if !strings.Contains(text, w) {
			t.Errorf("missing %q:\n%s", w, text)
		}
	}
	if strings.Count(text, "· gap") != 2 {
		t.Errorf("a gap of 5%% of a span is not worth a line:\n%s", text)
	}
}

func TestSpanTreeOddInput(t *testing.T) {
	tests := []struct {
		name  string
		ev    *wire.Event
		check func(t *testing.T, tr *SpanTree, text string)
	}{
		{"missing parent", spanEvent(100,
			"a root db ok 0 10",
			"b deadbeefcafe0001 db orphan 20 30",
			"c - db parentless 40 50",
		), func(t *testing.T, tr *SpanTree, text string) {
			for _, id := range []string{"b", "c"} {
				if n := spanFind(tr, id); n == nil || n.Parent != tr.Root || n.Note == "" {
					t.Errorf("%s must hang under the root with a note: %+v", id, n)
				}
			}
			if tr.Orphans != 2 || !strings.Contains(text, "[parent deadbeef is not in this transaction]") ||
				!strings.Contains(text, "[names no parent span]") || !strings.Contains(text, "2 spans without their parent") {
				t.Errorf("orphans not explained (%d):\n%s", tr.Orphans, text)
			}
		}},
		{"duplicate ids", spanEvent(100,
			"a root db first 0 10",
			"a root db again 20 30",
			"root - db the_root_again 0 100",
		), func(t *testing.T, tr *SpanTree, text string) {
			if tr.Duplicates != 2 || tr.SpanCount != 1 || strings.Contains(text, "again") {
				t.Errorf("duplicates must be shown once (dups %d, spans %d):\n%s", tr.Duplicates, tr.SpanCount, text)
			}
			if !strings.Contains(text, "2 spans with an already seen id left out") {
				t.Errorf("duplicates not mentioned:\n%s", text)
			}
		}},
		{"cycle", spanEvent(100,
			"x root db fine 0 10",
			"a b db loop_a 20 30",
			"b a db loop_b 30 40",
			"s s db self_parent 50 60",
		), func(t *testing.T, tr *SpanTree, text string) {
			a, b, s := spanFind(tr, "a"), spanFind(tr, "b"), spanFind(tr, "s")
			if a == nil || b == nil || s == nil || a.Parent != tr.Root || b.Parent != a || s.Parent != tr.Root {
				t.Fatalf("the loop must be cut at its first span and hang under the root:\n%s", text)
			}
			if tr.Looped != 3 || !strings.Contains(a.Note, "loops") || !strings.Contains(text, "3 spans in a parent loop") {
				t.Errorf("loop not explained (looped %d):\n%s", tr.Looped, text)
			}
		}},
		{"missing and negative timestamps", spanEvent(100,
			"a root db timed 10 20",
			"b root db no_end 30 0",
			"c root db negative -1700000005000 -1700000004000",
			"d root db backwards 50 40",
		), func(t *testing.T, tr *SpanTree, text string) {
			if tr.Untimed != 3 {
				t.Errorf("Untimed = %d, want 3", tr.Untimed)
			}
			if !strings.Contains(text, "?") || !strings.Contains(text, "db - no end (duration unknown)") || !strings.Contains(text, "3 spans without valid timestamps") {
				t.Errorf("untimed spans must still show:\n%s", text)
			}
			rows := tr.Waterfall()
			if last := rows[len(rows)-1]; last.HasTime {
				t.Errorf("untimed spans sort last and have no time: %+v", last)
			}
		}},
		{"span starting before the transaction", spanEvent(100,
			"early root http.client skewed -5 20",
		), func(t *testing.T, tr *SpanTree, text string) {
			if !strings.Contains(text, "-5.0ms ├─ http.client - skewed (25ms)") {
				t.Errorf("clock skew shows as a negative offset:\n%s", text)
			}
		}},
		{"transaction without times", func() *wire.Event {
			ev := spanEvent(0, "a root db one 10 20", "b root db two 30 60")
			ev.StartTimestamp, ev.EndTimestamp = 0, 0
			return ev
		}(), func(t *testing.T, tr *SpanTree, text string) {
			if !tr.DerivedTimes || tr.DurationMS != 50 || !strings.Contains(text, "taken from its spans") {
				t.Errorf("times must come from the spans (got %vms):\n%s", tr.DurationMS, text)
			}
			if r := tr.Waterfall(); r[1].StartMS != 0 || r[len(r)-1].EndMS != 50 {
				t.Errorf("offsets relative to the first span: %+v", r)
			}
		}},
		{"nothing timed at all", func() *wire.Event {
			ev := spanEvent(0, "a root db one -1700000000000 -1700000000000")
			ev.StartTimestamp, ev.EndTimestamp = 0, 0
			return ev
		}(), func(t *testing.T, tr *SpanTree, text string) {
			if !strings.Contains(text, "(duration unknown)") || len(tr.CriticalPath) != 1 {
				t.Errorf("no times, no critical path beyond the root:\n%s", text)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := spanMustBuild(t, tt.ev)
			text := tr.Text(SpanOptions{})
			tt.check(t, tr, text)
			if got := len(spanRows(text)); got != len(tr.Waterfall()) {
				t.Errorf("text rows %d != waterfall rows %d", got, len(tr.Waterfall()))
			}
		})
	}
}

func TestSpanTreeNotATransaction(t *testing.T) {
	if _, err := BuildSpanTree(nil); err == nil {
		t.Error("nil event: want an error")
	}
	ev := spanDemoEvent(t, "events/payments/0bae00036f60844109f6674d1cae98b9.json")
	_, err := BuildSpanTree(ev)
	if err == nil || !strings.Contains(err.Error(), `event 0bae0003 is of type "error", not a transaction`) {
		t.Errorf("error event: got %v", err)
	}
	if _, err := BuildSpanTree(&wire.Event{ID: "x"}); err == nil {
		t.Error("an empty event is no transaction")
	}
}

func TestSpanGrouping(t *testing.T) {
	tests := []struct {
		name  string
		ev    *wire.Event
		check func(t *testing.T, rows []WaterfallRow, text string)
	}{
		{"literals and ids are normalised", spanEvent(40,
			"a root db SELECT_*_FROM_items_WHERE_sku_=_'A1' 0 10",
			"b root db SELECT_*_FROM_items_WHERE_sku_=_'B2' 10 20",
			"c root db SELECT_*_FROM_items_WHERE_sku_=_'C3' 20 30",
			"d root db SELECT_*_FROM_orders_WHERE_id_=_7 30 40",
		), func(t *testing.T, rows []WaterfallRow, text string) {
			if len(rows) != 3 || rows[1].Repeat != 3 || rows[2].Repeat != 1 {
				t.Fatalf("want one group of 3 and the orders query: %+v", rows)
			}
			if !strings.Contains(text, "db - SELECT * FROM items WHERE sku = ? (repeated 3 times, 30ms total, sequential, 10ms each)") {
				t.Errorf("group line:\n%s", text)
			}
		}},
		{"parallel calls", spanEvent(70,
			"a root http.client GET_/api/v1/users/1001 0 50",
			"b root http.client GET_/api/v1/users/1002 1 60",
			"c root http.client GET_/api/v1/users/1003 2 40",
			"d root http.client GET_/api/v1/users/1004 3 70",
			"e root http.client GET_/api/v1/users/1005 4 55",
		), func(t *testing.T, rows []WaterfallRow, text string) {
			if rows[1].Repeat != 5 || rows[1].MaxParallel != 5 {
				t.Errorf("five overlapping calls: %+v", rows[1])
			}
			if !strings.Contains(text, "(repeated 5 times, 265ms total, all in parallel over 70ms, 38ms–67ms each, 1 on the critical path)") || strings.Contains(text, "N+1") {
				t.Errorf("parallel calls are not an N+1:\n%s", text)
			}
		}},
		{"similar children collapse with their parents", spanEvent(200,
			"p1 root function process_item 0 30",
			"q1 p1 db SELECT_price_FROM_prices_WHERE_sku_=_%s 1 10",
			"p2 root function process_item 30 60",
			"q2 p2 db SELECT_price_FROM_prices_WHERE_sku_=_%s 31 40",
			"q3 p2 db SELECT_price_FROM_prices_WHERE_sku_=_%s 41 50",
			"p3 root function process_item 60 90",
			"q4 p3 db SELECT_price_FROM_prices_WHERE_sku_=_%s 61 70",
			"p4 root function process_item 90 120",
			"r4 p4 cache GET_price 91 95", // different structure: its own line
		), func(t *testing.T, rows []WaterfallRow, text string) {
			if len(rows) < 5 || rows[1].Repeat != 3 || rows[2].Repeat != 4 || rows[2].Depth != 2 || rows[3].Repeat != 1 {
				t.Fatalf("want process_item ×3 over SELECT ×4, then the odd one: %+v", rows)
			}
		}},
		{"a failure is never hidden in a group", spanEvent(30,
			"a root db INSERT_INTO_t_VALUES_(1) 0 10",
			"b root db INSERT_INTO_t_VALUES_(2) 10 20 internal_error",
			"c root db INSERT_INTO_t_VALUES_(3) 20 30",
		), func(t *testing.T, rows []WaterfallRow, text string) {
			if len(rows) != 4 || !rows[2].Failed || rows[1].Failed {
				t.Errorf("the failed insert needs its own row: %+v", rows)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := spanMustBuild(t, tt.ev)
			tt.check(t, tr.Waterfall(), tr.Text(SpanOptions{}))
		})
	}
}

func TestSpanNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"SELECT * FROM t WHERE sku = 'A1'":                          "SELECT * FROM t WHERE sku = ?",
		"SELECT * FROM t WHERE id IN (1, 2, 3)":                     "SELECT * FROM t WHERE id IN (?)",
		"GET /v1/orders/7c9e6679-7425-40de-944b-e07fc1f90ae7/items": "GET /v1/orders/?/items",
		"GET cart:c_8d41f07a":                                       "GET cart:?",
		"/assets/index-B9pQ1xZr.css":                                "/assets/index-?.css",
		"SELECT id FROM oauth2_tokens WHERE v = %s":                 "SELECT id FROM oauth2_tokens WHERE v = %s",
		"risk:model:v7":                                             "risk:model:v7",
		"INSERT INTO t (a) VALUES ('it''s', 42, 3.14)":              "INSERT INTO t (a) VALUES (?)",
	} {
		if got := spanNormalize(in); got != want {
			t.Errorf("spanNormalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSpanSanitize(t *testing.T) {
	ev := spanEvent(100,
		"a root db\x1b[31m SELECT_\x1b]0;pwned\x07 0 10",
		"b a\x1b[2J http.client GET_/x 10 20",
	)
	ev.ProjectSlug = "shop\x1b[5m"
	ev.Title = "GET /evil\u202e"
	ev.Entries[0].Spans[0].Data = wire.Extra{"db.system": []byte(`"postgres\u001b[0m"`), "thread.name": []byte(`"t\u0007"`)}
	tr := spanMustBuild(t, ev)
	text := tr.Text(SpanOptions{})
	if strings.ContainsAny(text, "\x1b\x07\u202e") {
		t.Errorf("control characters reached the text: %q", text)
	}
	for _, want := range []string{`db\x1b[31m - SELECT \x1b]0;pwned\x07`, `db=postgres\x1b[0m`, `[shop\x1b[5m]`, `GET /evil\u202e`, `parent a\x1b[2J is not`} {
		if !strings.Contains(text, want) {
			t.Errorf("missing visible %q in:\n%s", want, text)
		}
	}
	for _, r := range tr.Waterfall() {
		if strings.ContainsAny(r.Label+r.Op+r.Attrs+r.Note, "\x1b\x07") {
			t.Errorf("unsanitised waterfall row: %+v", r)
		}
	}
	budgeted := tr.Text(SpanOptions{Budget: 60})
	if strings.ContainsAny(budgeted, "\x1b\x07") {
		t.Errorf("budgeted text not sanitised: %q", budgeted)
	}
}

func TestSpanBudget(t *testing.T) {
	trees := map[string]*SpanTree{
		"gateway":  spanDemoTree(t, spanDemoCheckout),
		"payments": spanDemoTree(t, spanDemoCharges),
		"pageload": spanDemoTree(t, spanDemoPageload),
		"stock":    spanDemoTree(t, spanDemoStock),
	}
	for name, tr := range trees {
		full := tr.Text(SpanOptions{})
		fullRows := spanRows(full)
		rows := tr.Waterfall()
		for _, budget := range []int{1, 10, 40, 80, 150, 250, 400, 800, 1500, 3000, 100_000} {
			t.Run(fmt.Sprintf("%s/%d", name, budget), func(t *testing.T) {
				out := tr.Text(SpanOptions{Budget: budget})
				if n := CountTokens(out); n > budget {
					t.Fatalf("%d tokens over a budget of %d:\n%s", n, budget, out)
				}
				if again := tr.Text(SpanOptions{Budget: budget}); again != out {
					t.Fatal("budgeted output is not deterministic")
				}
				if CountTokens(full) <= budget {
					if out != full {
						t.Errorf("the full text fits in %d tokens but was cut", budget)
					}
					return
				}
				head := full[:strings.Index(full, "\n")+1]
				if !strings.HasPrefix(out, head) {
					if budget >= 150 {
						t.Errorf("header lost:\n%s", out)
					}
					return // a budget too small for the header: only the cap holds
				}
				// Shown rows are rows of the full text; dropped ones are
				// said to be dropped.
				shown := map[string]int{}
				for _, r := range spanRows(out) {
					if b := spanBody(r); !strings.HasPrefix(b, "… ") {
						shown[b]++
					}
				}
				bodies := map[string]int{}
				for _, r := range fullRows {
					bodies[spanBody(r)]++
				}
				for b, n := range shown {
					if bodies[b] < n {
						t.Errorf("row not in the full text: %q", b)
					}
				}
				if budget >= 150 && (!strings.Contains(out, " not shown") || !strings.Contains(out, fmt.Sprintf("to fit %d tokens", budget))) {
					t.Errorf("what was dropped is not said:\n%s", out)
				}
				// Critical and failed rows go only after every plain row.
				plainShown, importantMissing := false, false
				for i, r := range rows {
					b := spanBody(fullRows[i])
					if bodies[b] != 1 || i == 0 {
						continue
					}
					important := r.Critical || r.Failed
					if shown[b] > 0 && !important && r.Kind == WaterfallSpan {
						plainShown = true
					}
					if shown[b] == 0 && important {
						importantMissing = true
					}
				}
				if plainShown && importantMissing {
					t.Errorf("a plain row was kept while a critical or failed row was dropped:\n%s", out)
				}
			})
		}
	}
	// Critical path and failures survive a tight budget on the checkout.
	out := trees["gateway"].Text(SpanOptions{Budget: 300})
	for _, want := range []string{"✗ http.client - POST http://payments.internal:8000/v1/charges", "request_handler.express - /api/checkout", "critical path 590ms"} {
		if !strings.Contains(out, want) {
			t.Errorf("budget 300 lost %q:\n%s", want, out)
		}
	}
	golden(t, "spans_demo_gateway_checkout_budget300.txt", out)
}

func TestSpanTreeConcurrentReaders(t *testing.T) {
	tr := spanDemoTree(t, spanDemoPageload)
	want := tr.Text(SpanOptions{Budget: 700})
	done := make(chan string)
	for i := range 4 {
		go func() {
			if i%2 == 0 {
				_ = tr.Waterfall()
			}
			done <- tr.Text(SpanOptions{Budget: 700})
		}()
	}
	for range 4 {
		if got := <-done; got != want {
			t.Error("concurrent Text calls disagree")
		}
	}
}

func TestSpanWaterfallConsistency(t *testing.T) {
	for _, file := range []string{spanDemoStock, spanDemoCharges, spanDemoCheckout, spanDemoReservations, spanDemoPageload} {
		t.Run(filepath.Base(file), func(t *testing.T) {
			tr := spanDemoTree(t, file)
			rows := tr.Waterfall()
			text := tr.Text(SpanOptions{})
			trows := spanRows(text)
			if len(rows) != len(trows) {
				t.Fatalf("%d waterfall rows, %d text rows", len(rows), len(trows))
			}
			var parents []WaterfallRow // the open row at each depth
			for i, r := range rows {
				if !r.HasTime {
					t.Fatalf("row %d has no time in well-formed data: %+v", i, r)
				}
				if r.StartMS < 0 || r.EndMS > tr.DurationMS+0.001 || r.EndMS < r.StartMS {
					t.Errorf("row %d outside the transaction (0–%v): %+v", i, tr.DurationMS, r)
				}
				if r.Depth > 0 {
					p := parents[r.Depth-1]
					if r.StartMS < p.StartMS || r.EndMS > p.EndMS+0.001 {
						t.Errorf("row %d (%s) not within its parent (%s)", i, r.Label, p.Label)
					}
				}
				parents = append(parents[:r.Depth], r)
				if r.Critical != strings.HasPrefix(trows[i], "◆") {
					t.Errorf("row %d critical=%v but text %q", i, r.Critical, trows[i])
				}
				if r.Kind != WaterfallGap && r.Kind != WaterfallLoop && !strings.Contains(trows[i], r.Label) && !strings.Contains(trows[i], r.Op+" - ") {
					t.Errorf("row %d label %q not on text row %q", i, r.Label, trows[i])
				}
				if r.Failed != strings.Contains(trows[i], "✗ ") {
					t.Errorf("row %d failed=%v but text %q", i, r.Failed, trows[i])
				}
				if r.Repeat < 1 {
					t.Errorf("row %d: Repeat %d", i, r.Repeat)
				}
			}
		})
	}
}

func TestSpanTreeFromTrace(t *testing.T) {
	b, err := fs.ReadFile(demo.Dataset(), "traces/"+demo.TraceID+".json")
	if err != nil {
		t.Fatal(err)
	}
	var trace wire.Trace
	if err := wire.Decode(b, &trace); err != nil {
		t.Fatal(err)
	}
	var find func(items []wire.TraceItem) *wire.TraceItem
	find = func(items []wire.TraceItem) *wire.TraceItem {
		for i := range items {
			if items[i].IsTransaction && items[i].TransactionID == "1fdbda141bc53dd1b130ba1ba0b06967" {
				return &items[i]
			}
			if f := find(items[i].Children); f != nil {
				return f
			}
		}
		return nil
	}
	item := find(trace)
	if item == nil {
		t.Fatal("gateway transaction not in the demo trace")
	}
	tr := BuildSpanTreeFromTrace(item)
	if tr.SpanCount != 13 || tr.Project != "api-gateway" || !tr.FromTrace {
		t.Errorf("SpanCount %d, project %q", tr.SpanCount, tr.Project)
	}
	var boundaries []string
	for _, r := range tr.Waterfall() {
		if r.ServiceBoundary {
			boundaries = append(boundaries, r.Note)
		}
	}
	want := []string{
		"service boundary: auth-service transaction id=de796374",
		"service boundary: inventory transaction id=3d95f9d6",
		"service boundary: payments transaction id=3766ca99",
		"service boundary: inventory transaction id=38901396",
	}
	if !slices.Equal(boundaries, want) {
		t.Errorf("service boundaries = %q, want %q", boundaries, want)
	}
	// Same spans and critical path as the event's own span tree (plus the
	// child services inside the calls on it).
	ev := spanDemoTree(t, spanDemoCheckout)
	path := slices.DeleteFunc(slices.Clone(tr.CriticalPath), func(id string) bool { return spanFind(tr, id).ServiceBoundary })
	if !slices.Equal(path, ev.CriticalPath) {
		t.Errorf("critical path from trace %v, from event %v", tr.CriticalPath, ev.CriticalPath)
	}
	text := tr.Text(SpanOptions{})
	golden(t, "spans_trace_gateway_checkout.txt", text)

	if got := BuildSpanTreeFromTrace(nil).Text(SpanOptions{}); !strings.Contains(got, "no transaction") {
		t.Errorf("nil item: %q", got)
	}
	if rows := BuildSpanTreeFromTrace(nil).Waterfall(); len(rows) != 0 {
		t.Errorf("nil item: %d rows", len(rows))
	}
}

// spanChain is a transaction whose n spans each are the only child of the
// one before, every one a little shorter.
func spanChain(n int) *wire.Event {
	const t0 = 1_700_000_000.0
	spans := make([]wire.Span, n)
	parent := "root"
	for i := range spans {
		id := fmt.Sprintf("%016x", i+1)
		spans[i] = wire.Span{SpanID: id, ParentSpanID: parent, Op: "function", Description: fmt.Sprintf("step %d", i), Status: "ok",
			StartTimestamp: wire.Timestamp(t0 + float64(i)*1e-6), Timestamp: wire.Timestamp(t0 + 1 - float64(i)*1e-6)}
		parent = id
	}
	// Shuffle deterministically so children come before their parents.
	slices.Reverse(spans)
	return &wire.Event{ID: "c0ffee00c0ffee00c0ffee00c0ffee00", Type: "transaction", Title: "chain",
		Contexts:       wire.Contexts{Trace: &wire.TraceContext{SpanID: "root", Op: "task"}},
		StartTimestamp: t0, EndTimestamp: t0 + 1,
		Entries: []wire.Entry{{Type: wire.EntrySpans, Spans: spans}}}
}

func TestSpanTreeHugeChain(t *testing.T) {
	const n = 100_000
	tr := spanMustBuild(t, spanChain(n))
	if tr.SpanCount != n {
		t.Fatalf("SpanCount = %d", tr.SpanCount)
	}
	rows := tr.Waterfall()
	if len(rows) != n+1 || rows[n].Depth != n {
		t.Fatalf("%d rows, last depth %d", len(rows), rows[len(rows)-1].Depth)
	}
	if len(tr.CriticalPath) != n+1 {
		t.Errorf("every span of a nested chain is on the critical path: %d", len(tr.CriticalPath))
	}
	out := tr.Text(SpanOptions{Budget: 2000})
	if c := CountTokens(out); c > 2000 || !strings.Contains(out, "not shown") {
		t.Errorf("%d tokens for a 2000 budget:\n%.2000s", c, out)
	}
	// The deepest levels are drawn without more columns.
	full := tr.Text(SpanOptions{})
	last := full[strings.LastIndex(strings.TrimSuffix(full, "\n"), "\n")+1:]
	if !strings.Contains(last, fmt.Sprintf("┄(depth %d)", n)) || len(last) > 400 {
		t.Errorf("deepest line: %q", last)
	}
}

func TestSpanTreeHugeFanOut(t *testing.T) {
	const n = 100_000
	const t0 = 1_700_000_000.0
	spans := make([]wire.Span, n)
	for i := range spans {
		spans[i] = wire.Span{SpanID: fmt.Sprintf("%016x", i+1), ParentSpanID: "root", Op: "cache", Description: "GET key " + spanLetters(i),
			StartTimestamp: wire.Timestamp(t0 + float64(i)*1e-5), Timestamp: wire.Timestamp(t0 + float64(i)*1e-5 + 5e-6)}
	}
	ev := &wire.Event{ID: "f00df00df00df00df00df00df00df00d", Type: "transaction", Title: "fan-out",
		Contexts:       wire.Contexts{Trace: &wire.TraceContext{SpanID: "root", Op: "task"}},
		StartTimestamp: t0, EndTimestamp: t0 + 1.5,
		Entries: []wire.Entry{{Type: wire.EntrySpans, Spans: spans}}}
	tr := spanMustBuild(t, ev)
	out := tr.Text(SpanOptions{Budget: 1000})
	if c := CountTokens(out); c > 1000 {
		t.Errorf("%d tokens", c)
	}
	if len(tr.Waterfall()) != n+2 { // root, 100k distinct keys, the gap at the end
		t.Errorf("%d rows", len(tr.Waterfall()))
	}
}

// spanLetters names i with letters only (a, b, …, z, ba, bb, …), which
// normalisation keeps as they are.
func spanLetters(i int) string {
	s := ""
	for {
		s = string(rune('a'+i%26)) + s
		i /= 26
		if i == 0 {
			return s
		}
	}
}

func BenchmarkSpanTree100k(b *testing.B) {
	ev := spanChain(100_000)
	for b.Loop() {
		tr, err := BuildSpanTree(ev)
		if err != nil {
			b.Fatal(err)
		}
		_ = tr.Text(SpanOptions{Budget: 4000})
	}
}
