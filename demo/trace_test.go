package demo_test

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/tracehound/tracehound/demo"
)

type traceIndex struct {
	items  map[string]*wire.TraceItem // span id → item
	txns   map[string]*wire.TraceItem // transaction id → its root item
	errors map[string]*wire.TraceItem // event id → the span item it hangs under
	spans  int
}

func indexTrace(t *testing.T, tr wire.Trace) traceIndex {
	ix := traceIndex{items: map[string]*wire.TraceItem{}, txns: map[string]*wire.TraceItem{}, errors: map[string]*wire.TraceItem{}}
	var walk func(it *wire.TraceItem, parent *wire.TraceItem)
	walk = func(it *wire.TraceItem, parent *wire.TraceItem) {
		if it.EventType != wire.TraceItemSpan {
			t.Errorf("%s: event_type %q among the spans", it.EventID, it.EventType)
			return
		}
		ix.spans++
		if _, dup := ix.items[it.EventID]; dup {
			t.Errorf("span id %s twice", it.EventID)
		}
		ix.items[it.EventID] = it
		if it.IsTransaction {
			ix.txns[it.TransactionID] = it
		}
		if parent != nil {
			if it.ParentSpanID != parent.EventID {
				t.Errorf("%s: parent_span_id %s, nested under %s", it.EventID, it.ParentSpanID, parent.EventID)
			}
			if us(it.StartTimestamp) < us(parent.StartTimestamp) || us(it.EndTimestamp) > us(parent.EndTimestamp) {
				t.Errorf("%s %q [%v, %v] is not within its parent %q [%v, %v]", it.EventID, it.Description, it.StartTimestamp, it.EndTimestamp,
					parent.Description, parent.StartTimestamp, parent.EndTimestamp)
			}
			if !it.IsTransaction && it.TransactionID != parent.TransactionID {
				t.Errorf("%s: a non-segment span in another transaction than its parent", it.EventID)
			}
		} else if it.ParentSpanID != "" {
			t.Errorf("root %s has parent %s", it.EventID, it.ParentSpanID)
		}
		if d := us(it.EndTimestamp) - us(it.StartTimestamp); d < 0 || abs(float64(d)/1000-float64(it.Duration)) > 0.002 {
			t.Errorf("%s: duration %v ms for [%v, %v]", it.EventID, it.Duration, it.StartTimestamp, it.EndTimestamp)
		}
		for i := range it.Errors {
			e := &it.Errors[i]
			if e.EventType != wire.TraceItemError || e.IssueID == 0 || e.ShortID == "" {
				t.Errorf("%s: malformed error item %+v", it.EventID, e)
			}
			ix.errors[e.EventID] = it
		}
		for i := 1; i < len(it.Children); i++ {
			if it.Children[i].StartTimestamp < it.Children[i-1].StartTimestamp {
				t.Errorf("%s: children not sorted by start", it.EventID)
			}
		}
		for i := range it.Children {
			walk(&it.Children[i], it)
		}
	}
	for i := range tr {
		walk(&tr[i], nil)
	}
	return ix
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

func TestTraceShape(t *testing.T) {
	fsys := demo.Dataset()
	tr := decodeFile[wire.Trace](t, fsys, "traces/"+demo.TraceID+".json")
	ix := indexTrace(t, tr)
	if len(ix.txns) < 8 || ix.spans < 300 {
		t.Errorf("%d transactions and %d spans; want ≥ 8 and ≥ 300", len(ix.txns), ix.spans)
	}
	services := map[string]bool{}
	for id, under := range ix.errors {
		ev := decodeFile[wire.Event](t, fsys, "events/"+under.ProjectSlug+"/"+id+".json")
		if ev.TraceID() != demo.TraceID || ev.Contexts.Trace.SpanID != under.EventID {
			t.Errorf("error %s: contexts.trace %s/%s, hung under %s", id, ev.TraceID(), ev.Contexts.Trace.SpanID, under.EventID)
		}
		issue := decodeFile[wire.Issue](t, fsys, "issues/"+string(ev.GroupID)+".json")
		if issue.Project.Slug != under.ProjectSlug || issue.Count == "" || issue.FirstSeen == "" || issue.ShortID == "" {
			t.Errorf("issue %s: %+v", ev.GroupID, issue)
		}
		services[under.ProjectSlug] = true
	}
	if len(ix.errors) < 4 || len(services) < 3 {
		t.Errorf("%d connected errors in %d services; want ≥ 4 in ≥ 3", len(ix.errors), len(services))
	}
	if under, ok := ix.errors[eventIDOf(t, fsys, demo.IssueID)]; !ok || under.ProjectSlug != "storefront" {
		t.Errorf("the demo issue's event is not in the trace under a storefront span")
	}

	// Every transaction is a full event whose spans are the trace's spans.
	for id, root := range ix.txns {
		ev := decodeFile[wire.Event](t, fsys, "events/"+root.ProjectSlug+"/"+id+".json")
		if ev.Type != "transaction" || ev.Contexts.Trace == nil || ev.Contexts.Trace.SpanID != root.EventID || ev.Contexts.Trace.ParentSpanID != root.ParentSpanID {
			t.Errorf("transaction %s does not match its trace item", id)
			continue
		}
		if us(ev.StartTimestamp) != us(root.StartTimestamp) || us(ev.EndTimestamp) != us(root.EndTimestamp) {
			t.Errorf("transaction %s: event times differ from the trace", id)
		}
		byID := map[string]wire.Span{}
		for _, s := range ev.Spans() {
			byID[s.SpanID] = s
		}
		for _, s := range ev.Spans() {
			it, ok := ix.items[s.SpanID]
			if !ok || it.TransactionID != id || us(it.StartTimestamp) != us(s.StartTimestamp) || us(it.EndTimestamp) != us(s.Timestamp) {
				t.Errorf("transaction %s: span %s differs from the trace", id, s.SpanID)
				continue
			}
			parentStart, parentEnd := ev.StartTimestamp, ev.EndTimestamp
			if p, ok := byID[s.ParentSpanID]; ok {
				parentStart, parentEnd = p.StartTimestamp, p.Timestamp
			} else if s.ParentSpanID != root.EventID {
				t.Errorf("transaction %s: span %s has a parent outside the transaction", id, s.SpanID)
			}
			if us(s.StartTimestamp) < us(parentStart) || us(s.Timestamp) > us(parentEnd) {
				t.Errorf("transaction %s: span %s is not within its parent", id, s.SpanID)
			}
			if d := float64(us(s.Timestamp)-us(s.StartTimestamp)) / 1000; float64(s.ExclusiveTime) < 0 || float64(s.ExclusiveTime) > d+0.002 {
				t.Errorf("transaction %s: span %s exclusive time %v of %v ms", id, s.SpanID, s.ExclusiveTime, d)
			}
		}
		n := 0
		for _, it := range ix.items {
			if it.TransactionID == id {
				n++
			}
		}
		if n != len(ev.Spans())+1 {
			t.Errorf("transaction %s: %d spans in the event, %d in the trace", id, len(ev.Spans())+1, n)
		}
	}
}

func eventIDOf(t *testing.T, fsys fs.FS, issueID string) string {
	var found string
	fs.WalkDir(fsys, "events", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			ev := decodeFile[wire.Event](t, fsys, p)
			if string(ev.GroupID) == issueID {
				found = ev.EventID
			}
		}
		return nil
	})
	return found
}

func TestProfilesLink(t *testing.T) {
	fsys := demo.Dataset()
	ix := indexTrace(t, decodeFile[wire.Trace](t, fsys, "traces/"+demo.TraceID+".json"))
	var profiles, chunks int
	for id, root := range ix.txns {
		ev := decodeFile[wire.Event](t, fsys, "events/"+root.ProjectSlug+"/"+id+".json")
		pc := ev.Contexts.Profile
		switch {
		case pc == nil:
			if root.ProfileID != "" || root.ProfilerID != "" {
				t.Errorf("%s: trace item has a profile, the event has none", id)
			}
		case pc.ProfileID != "":
			profiles++
			if root.ProfileID != pc.ProfileID {
				t.Errorf("%s: trace item profile_id %q, event %q", id, root.ProfileID, pc.ProfileID)
			}
			p := decodeFile[wire.Profile](t, fsys, "profiles/"+root.ProjectSlug+"/"+pc.ProfileID+".json")
			tx := p.MainTransaction()
			if tx == nil || tx.ID != id || tx.TraceID != demo.TraceID || tx.ActiveThreadID.IsZero() {
				t.Fatalf("%s: profile transaction %+v", id, tx)
			}
			active, inApp := 0, 0
			for _, s := range p.Profile.Samples {
				if s.ThreadID == tx.ActiveThreadID {
					active++
				}
				if int(s.StackID) >= len(p.Profile.Stacks) {
					t.Errorf("sample stack %d out of range", s.StackID)
				}
			}
			for _, f := range p.Profile.Frames {
				if f.InApp != nil && *f.InApp {
					inApp++
					src, err := fs.ReadFile(fsys, "sources/acme/"+root.ProjectSlug+"/"+f.Filename)
					if err != nil || int(f.LineNo) > strings.Count(string(src), "\n")+1 || f.LineNo < 1 {
						t.Errorf("profile frame %s %s:%d is not in the source (%v)", f.Function, f.Filename, f.LineNo, err)
					}
				}
			}
			if active < 30 || inApp < 5 || p.Profile.ThreadMetadata[tx.ActiveThreadID.String()].Name == "" {
				t.Errorf("%s: %d samples on the active thread, %d in-app frames", id, active, inApp)
			}
		case pc.ProfilerID != "":
			chunks++
			if root.ProfilerID != pc.ProfilerID {
				t.Errorf("%s: trace item profiler_id %q, event %q", id, root.ProfilerID, pc.ProfilerID)
			}
			entries, err := fs.ReadDir(fsys, "chunks/"+pc.ProfilerID)
			if err != nil || len(entries) == 0 {
				t.Fatalf("%s: no chunk for profiler %s", id, pc.ProfilerID)
			}
			c := decodeFile[wire.ProfileChunk](t, fsys, "chunks/"+pc.ProfilerID+"/"+entries[0].Name())
			if c.ProfilerID != pc.ProfilerID || c.Version != "2" {
				t.Errorf("chunk %+v", c)
			}
			in := 0
			for _, s := range c.Profile.Samples {
				if s.Time() >= ev.StartTimestamp && s.Time() <= ev.EndTimestamp {
					in++
				}
			}
			if in < 30 {
				t.Errorf("%s: %d chunk samples inside the transaction", id, in)
			}
		}
	}
	if profiles != 1 || chunks != 1 {
		t.Errorf("%d transaction profiles and %d continuous profiles; want 1 and 1", profiles, chunks)
	}
}
