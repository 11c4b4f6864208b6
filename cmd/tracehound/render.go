package main

import (
	"bytes"
	stdjson "encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tracehound/tracehound/redact"
	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/tracehound/tracehound/agent"
	"github.com/tracehound/tracehound/sentryapi"
)

// line makes event-derived text safe for one terminal line: secrets
// masked, escapes made visible.
func line(s string) string { return redact.Line(s) }

// writeJSON writes v as indented JSON through redact.JSON: secrets masked
// and every escape or control character written as a \u escape, the
// members and their names kept.
func writeJSON(w io.Writer, v any) error {
	b, err := wire.Encode(v)
	if err != nil {
		return err
	}
	if b, err = redact.JSON(b, "  "); err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// printLabel says the data is the demo's, on stderr so that stdout holds
// only the answer (text or JSON), whatever the format.
func (a *app) printLabel(src *source) {
	if !src.Demo {
		return
	}
	w := a.stderr
	fmt.Fprintln(w, "[demo data] an embedded sample incident, not from a real Sentry")
}

// printMissing says, on stderr, which secondary parts of the incident
// could not be loaded while the view itself could.
func (a *app) printMissing(in *agent.Incident) {
	if in == nil {
		return
	}
	for _, m := range in.Missing() {
		fmt.Fprintln(a.stderr, "tracehound: note: "+line(m.String())+"; showing the rest")
	}
}

func fmtTime(s string) string {
	ts, err := wire.ParseTimestamp(s)
	if err != nil || ts == 0 {
		return line(s)
	}
	return ts.Time().Format("2006-01-02 15:04:05 UTC")
}

func fmtDur(ms float64) string {
	d := time.Duration(ms * float64(time.Millisecond))
	switch {
	case d >= time.Minute:
		return d.Round(time.Second).String()
	case d >= time.Second:
		return fmt.Sprintf("%.2fs", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%dms", d.Milliseconds())
	}
	return fmt.Sprintf("%.1fms", ms)
}

func renderIncident(w io.Writer, src *source, inc *agent.Incident) {
	if is := inc.Issue; is != nil {
		fmt.Fprintf(w, "%s  %s\n", line(issueName(is)), line(is.Title))
		plat := ""
		if is.Project.Platform != "" {
			plat = " (" + line(is.Project.Platform) + ")"
		}
		fmt.Fprintf(w, "  project:  %s%s\n", line(is.Project.Slug), plat)
		var st []string
		for _, s := range []string{is.Status, is.Substatus, is.Level, is.Priority} {
			if s != "" {
				st = append(st, line(s))
			}
		}
		if is.Count != "" {
			st = append(st, line(string(is.Count))+" events")
		}
		if is.UserCount > 0 {
			st = append(st, fmt.Sprintf("%d users", is.UserCount))
		}
		fmt.Fprintf(w, "  status:   %s\n", strings.Join(st, ", "))
		if is.FirstSeen != "" || is.LastSeen != "" {
			fmt.Fprintf(w, "  seen:     first %s, last %s\n", fmtTime(is.FirstSeen), fmtTime(is.LastSeen))
		}
		if is.Culprit != "" {
			fmt.Fprintf(w, "  culprit:  %s\n", line(is.Culprit))
		}
		if is.Permalink != "" {
			fmt.Fprintf(w, "  link:     %s\n", line(is.Permalink))
		}
		fmt.Fprintln(w)
	}
	if ev := inc.Event; ev != nil {
		which := ""
		if inc.Which != "" {
			which = " (" + inc.Which + ")"
		}
		fmt.Fprintf(w, "Event %s%s at %s\n", line(ev.EventID), which, fmtTime(ev.DateCreated))
		renderEventBody(w, ev, "  ", 6)
		fmt.Fprintln(w)
	}
	traceID := inc.TraceID()
	if traceID == "" {
		fmt.Fprintln(w, "No trace: the event carries no contexts.trace.trace_id.")
		return
	}
	if inc.Trace == nil && inc.TraceErr() != nil {
		fmt.Fprintf(w, "Trace %s: could not be loaded (see the note below)\n", traceID)
		return
	}
	fmt.Fprintf(w, "Trace %s", traceID)
	if m := inc.Meta; m != nil {
		fmt.Fprintf(w, ": %s", metaSummary(m))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  next: tracehound trace %s%s\n", traceID, src.Flags)
}

func metaSummary(m *wire.TraceMeta) string {
	parts := []string{}
	if n := m.Transactions(); n > 0 {
		parts = append(parts, plural(n, "transaction"))
	}
	parts = append(parts, plural(m.Spans(), "span"), plural(m.Errors(), "error"))
	if n := m.PerformanceIssues(); n > 0 {
		parts = append(parts, plural(n, "performance issue"))
	}
	return strings.Join(parts, ", ")
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// renderEventBody prints the exception chain (newest first, the crash site
// first within each), the request and the tags that matter.
func renderEventBody(w io.Writer, ev *wire.Event, indent string, maxFrames int) {
	if ex := ev.Exception(); ex != nil {
		for i := len(ex.Values) - 1; i >= 0; i-- {
			v := ex.Values[i]
			prefix := ""
			if i < len(ex.Values)-1 {
				prefix = "caused by "
			}
			fmt.Fprintf(w, "%s%s%s: %s\n", indent, prefix, line(v.Type), line(v.Value))
			if v.Stacktrace == nil {
				continue
			}
			frames := v.Stacktrace.Frames
			shown := 0
			for j := len(frames) - 1; j >= 0 && shown < maxFrames; j-- {
				f := frames[j]
				if !f.IsInApp() && hasInApp(frames) {
					continue
				}
				fn := f.Function
				if fn == "" {
					fn = "?"
				}
				file := f.Filename
				if file == "" {
					file = f.AbsPath
				}
				fmt.Fprintf(w, "%s    at %s (%s:%d)\n", indent, line(fn), line(file), f.LineNo)
				shown++
			}
		}
	} else if ev.Message != "" {
		fmt.Fprintf(w, "%s%s\n", indent, line(ev.Message))
	}
	if r := ev.Request(); r != nil && r.URL != "" {
		fmt.Fprintf(w, "%srequest:  %s\n", indent, line(strings.TrimSpace(r.Method+" "+r.URL)))
	}
	var tags []string
	for _, k := range []string{"environment", "release", "transaction", "server_name"} {
		if v := ev.Tag(k); v != "" {
			tags = append(tags, k+"="+line(v))
		}
	}
	if len(tags) > 0 {
		fmt.Fprintf(w, "%stags:     %s\n", indent, strings.Join(tags, "  "))
	}
	if tc := ev.Contexts.Trace; tc != nil && tc.TraceID != "" {
		fmt.Fprintf(w, "%strace:    %s span %s\n", indent, line(tc.TraceID), line(tc.SpanID))
	}
	if bc := ev.Breadcrumbs(); bc != nil && len(bc.Values) > 0 {
		fmt.Fprintf(w, "%sbreadcrumbs: %d (last: %s)\n", indent, len(bc.Values), line(lastCrumb(bc.Values)))
	}
}

func hasInApp(frames []wire.Frame) bool {
	for i := range frames {
		if frames[i].IsInApp() {
			return true
		}
	}
	return false
}

// compactJSON renders raw JSON on one line.
func compactJSON(raw wire.Raw) string {
	var buf bytes.Buffer
	if err := stdjson.Compact(&buf, raw); err != nil {
		return wire.RawText(raw)
	}
	return buf.String()
}

func lastCrumb(bs []wire.Breadcrumb) string {
	b := bs[len(bs)-1]
	s := b.Message
	if s == "" {
		s = compactJSON(b.Data)
	}
	if b.Category != "" {
		s = b.Category + ": " + s
	}
	if len(s) > 100 {
		s = s[:100] + "…"
	}
	return s
}

// renderTrace prints the trace's transactions as a tree, with the errors
// that happened in each.
func renderTrace(w io.Writer, tr *sentryapi.TraceResult, meta *wire.TraceMeta) {
	fmt.Fprintf(w, "Trace %s", tr.TraceID)
	if meta != nil {
		fmt.Fprintf(w, ": %s", metaSummary(meta))
	}
	fmt.Fprintln(w)
	if tr.Legacy {
		fmt.Fprintln(w, "  (from the legacy events-trace endpoint: transactions only)")
	}
	roots := collectTxns(tr.Items, nil)
	for i, n := range roots {
		printTxn(w, n, "", i == len(roots)-1)
	}
}

type txnNode struct {
	item     *wire.TraceItem
	errors   []*wire.TraceItem
	children []*txnNode
}

// collectTxns folds the span forest into a transaction tree: errors of
// non-transaction spans go to the nearest transaction above them.
func collectTxns(items []wire.TraceItem, parent *txnNode) []*txnNode {
	var out []*txnNode
	for i := range items {
		it := &items[i]
		switch {
		case it.EventType == wire.TraceItemError || it.EventType == wire.TraceItemOccurrence:
			if parent != nil {
				parent.errors = append(parent.errors, it)
			} else {
				out = append(out, &txnNode{item: it})
			}
			continue
		case it.IsTransaction || parent == nil:
			n := &txnNode{item: it}
			n.errors = append(n.errors, ptrs(it.Errors)...)
			n.errors = append(n.errors, ptrs(it.Occurrences)...)
			n.children = collectTxns(it.Children, n)
			out = append(out, n)
		default:
			parent.errors = append(parent.errors, ptrs(it.Errors)...)
			parent.errors = append(parent.errors, ptrs(it.Occurrences)...)
			out = append(out, collectTxns(it.Children, parent)...)
		}
	}
	return out
}

func ptrs(items []wire.TraceItem) []*wire.TraceItem {
	out := make([]*wire.TraceItem, len(items))
	for i := range items {
		out[i] = &items[i]
	}
	return out
}

func printTxn(w io.Writer, n *txnNode, prefix string, last bool) {
	branch, next := "├─ ", "│  "
	if last {
		branch, next = "└─ ", "   "
	}
	it := n.item
	if it.EventType == wire.TraceItemError {
		fmt.Fprintf(w, "%s%sERROR (no transaction): %s  %s %s\n", prefix, branch, line(it.Description), line(it.ProjectSlug), line(it.ShortID))
		return
	}
	name := it.Transaction
	if name == "" {
		name = it.Description
	}
	dur := float64(it.Duration)
	if dur == 0 && it.EndTimestamp > it.StartTimestamp {
		dur = (float64(it.EndTimestamp) - float64(it.StartTimestamp)) * 1000
	}
	id := it.TransactionID
	if len(id) > 8 {
		id = id[:8]
	}
	extra := ""
	if it.ProfileID != "" || it.ProfilerID != "" {
		extra = " (profile available)"
	}
	fmt.Fprintf(w, "%s%s%s - %s  [%s, %s, %s]%s\n", prefix, branch, line(it.Op), line(name), line(it.ProjectSlug), fmtDur(dur), id, extra)
	seen := map[string]bool{}
	for _, e := range n.errors {
		// Sentry hangs an occurrence on each of its offender spans.
		if key := e.EventType + e.EventID; seen[key] {
			continue
		} else {
			seen[key] = true
		}
		id := e.EventID
		if len(id) > 8 {
			id = id[:8]
		}
		kind := "ERROR"
		if e.EventType == wire.TraceItemOccurrence {
			kind = "PERFORMANCE ISSUE"
		}
		fmt.Fprintf(w, "%s%s  %s: %s  [%s %s]\n", prefix, next, kind, line(e.Description), line(e.ShortID), id)
	}
	for i, c := range n.children {
		printTxn(w, c, prefix+next, i == len(n.children)-1)
	}
}

func issueName(is *wire.Issue) string {
	if is == nil {
		return "?"
	}
	if is.ShortID != "" {
		return is.ShortID
	}
	return string(is.ID)
}
