package compare

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/tracehound/tracehound/redact"
	"github.com/tracehound/tracehound/tracetree"
)

// Options tune the noise rule. Zero values take the defaults.
type Options struct {
	// MinDeltaMS is the least change of a duration that counts (default 25).
	MinDeltaMS float64
	// MinRatio is the least factor between the two durations that counts
	// (default 1.5).
	MinRatio float64
	// MaxAttrs caps the attribute changes kept per span (default 6).
	MaxAttrs int
}

// Defaults of Options.
const (
	DefaultMinDeltaMS = 25
	DefaultMinRatio   = 1.5
	DefaultMaxAttrs   = 6
)

func (o Options) withDefaults() Options {
	if o.MinDeltaMS <= 0 {
		o.MinDeltaMS = DefaultMinDeltaMS
	}
	if o.MinRatio <= 1 {
		o.MinRatio = DefaultMinRatio
	}
	if o.MaxAttrs <= 0 {
		o.MaxAttrs = DefaultMaxAttrs
	}
	return o
}

// Rule says the noise rule in words, for the views.
func (o Options) Rule() string {
	o = o.withDefaults()
	return fmt.Sprintf("a duration changed when it moved by ≥%s and by ×%.1f or more; for repeated spans the medians, and by more than the healthy repeats' spread",
		tracetree.FormatDuration(o.MinDeltaMS), o.MinRatio)
}

// Input is one side of a comparison: a trace tree and the transaction in it
// to compare from.
type Input struct {
	Tree *tracetree.Tree
	// Root is the compared transaction (a KindTransaction node of Tree).
	Root *tracetree.Node
	// Attrs are attributes by span id, optional: a transaction's tags under
	// its root span id, a span's data under its span id. Values are raw
	// event data; sensitive and volatile keys are dropped here.
	Attrs map[string]map[string]string
}

// Side is one span (or a group of repeats) on one side of a node.
type Side struct {
	SpanID        string  `json:"span_id,omitempty"`
	TransactionID string  `json:"transaction_id,omitempty"`
	Description   string  `json:"description"`
	Status        string  `json:"status,omitempty"`
	StartMS       float64 `json:"start_ms"`
	DurationMS    float64 `json:"duration_ms"`
	// Count is how many sibling repeats this node stands for (1 usually).
	Count int `json:"count"`
	// Spans is the size of the subtree (for a span only one side has).
	Spans int  `json:"spans"`
	Timed bool `json:"-"`
}

// Change is one value that differs: the healthy trace's, then the failing one's.
type Change struct {
	Key     string `json:"key,omitempty"`
	Healthy string `json:"healthy"`
	Failing string `json:"failing"`
}

// DurationChange is a duration that changed beyond noise.
type DurationChange struct {
	HealthyMS float64 `json:"healthy_ms"`
	FailingMS float64 `json:"failing_ms"`
	// Median is set when the durations are the medians of repeats.
	Median bool `json:"median,omitzero"`
}

// Ratio is failing / healthy (0 when healthy is 0).
func (d *DurationChange) Ratio() float64 {
	if d.HealthyMS == 0 {
		return 0
	}
	return d.FailingMS / d.HealthyMS
}

// Node is one node of the merged tree: a span matched on both sides, or a
// span (group) only one side has.
type Node struct {
	Project string `json:"project"`
	Op      string `json:"op"`
	// Description is the failing side's (the healthy one's when only it
	// has the span). Raw event data: sanitise before printing.
	Description string `json:"description"`
	Failing     *Side  `json:"failing,omitempty"`
	Healthy     *Side  `json:"healthy,omitempty"`

	Duration *DurationChange `json:"duration,omitempty"`
	Status   *Change         `json:"status,omitempty"`
	Attrs    []Change        `json:"attrs,omitempty"`
	// Errors are the errors in this span that only the failing trace has.
	Errors []string `json:"errors,omitempty"`
	// First marks the first divergence.
	First bool `json:"first_divergence,omitzero"`

	Children []*Node `json:"-"`
	Depth    int     `json:"depth"`
	// Seq is the position in trace order (pre-order of the merged tree).
	Seq int `json:"-"`

	shown  bool // a descendant differs in any way (the text draws the path)
	own    bool // the node differs (by the rule first uses)
	inside bool // a descendant differs
}

// Appeared reports a span only the failing trace has.
func (n *Node) Appeared() bool { return n.Healthy == nil && n.Failing != nil }

// Vanished reports a span only the healthy trace has.
func (n *Node) Vanished() bool { return n.Failing == nil && n.Healthy != nil }

// CountChanged reports repeats whose number differs.
func (n *Node) CountChanged() bool {
	return n.Failing != nil && n.Healthy != nil && n.Failing.Count != n.Healthy.Count
}

// Changed reports whether the node itself differs.
func (n *Node) Changed() bool {
	return n.Appeared() || n.Vanished() || n.CountChanged() || n.Duration != nil || n.Status != nil || len(n.Attrs) > 0 || len(n.Errors) > 0
}

// behaves reports a change in what the span did (presence, count,
// duration, status, errors), not only in its attributes.
func (n *Node) behaves() bool {
	return n.Appeared() || n.Vanished() || n.CountChanged() || n.Duration != nil || n.Status != nil || len(n.Errors) > 0
}

// Label is "project op description" for one line (raw: sanitise).
func (n *Node) Label() string {
	return strings.TrimSpace(n.Project + " " + n.Op + " " + n.Description)
}

// Result is a comparison.
type Result struct {
	// Root is the merged tree's root: the compared transaction.
	Root *Node
	// Diffs are the nodes that differ, in trace order.
	Diffs []*Node
	// First is the first divergence (nil when nothing differs).
	First *Node
	// Spans on each side, and how many were matched.
	FailingSpans, HealthySpans, Matched int
	Rule                                string
	// The two traces and when their compared transactions started (epoch
	// seconds).
	FailingTraceID, HealthyTraceID string
	FailingStart, HealthyStart     float64
	// HealthyHow says how the healthy trace was chosen (set by the caller).
	HealthyHow string
}

// Compare compares the failing transaction with the healthy one.
func Compare(failing, healthy Input, opts Options) (*Result, error) {
	if failing.Root == nil || healthy.Root == nil {
		return nil, fmt.Errorf("compare: both sides need a transaction")
	}
	opts = opts.withDefaults()
	f := buildSide(failing.Root, failing.Attrs)
	h := buildSide(healthy.Root, healthy.Attrs)
	m := matcher{opts: opts}
	root := m.pair([]*span{f}, []*span{h}, 0)
	r := &Result{Root: root, FailingSpans: f.size(), HealthySpans: h.size(), Matched: m.matched, Rule: opts.Rule(),
		FailingStart: float64(failing.Root.Start), HealthyStart: float64(healthy.Root.Start)}
	if failing.Tree != nil {
		r.FailingTraceID = failing.Tree.TraceID
	}
	if healthy.Tree != nil {
		r.HealthyTraceID = healthy.Tree.TraceID
	}
	seq := 0
	walk(root, func(n *Node) {
		n.Seq = seq
		seq++
		if n.Changed() {
			r.Diffs = append(r.Diffs, n)
		}
	})
	markInside(root, (*Node).Changed)
	walk(root, func(n *Node) { n.shown = n.inside })
	markInside(root, (*Node).behaves)
	r.First = first(root)
	if r.First == nil {
		// Only attributes differ: the first of those.
		markInside(root, (*Node).Changed)
		r.First = first(root)
	}
	if r.First != nil {
		r.First.First = true
	}
	return r, nil
}

type matcher struct {
	opts    Options
	matched int
}

// pair makes the merged node of a group of same-key siblings (fs on the
// failing side, hs on the healthy one; either may be empty) and recurses
// into the children of the first pairs.
func (m *matcher) pair(fs, hs []*span, depth int) *Node {
	n := &Node{Depth: depth}
	if len(fs) > 0 {
		n.Project, n.Op, n.Description = fs[0].project, fs[0].op, fs[0].desc
		n.Failing = sideOf(fs)
	}
	if len(hs) > 0 {
		if len(fs) == 0 {
			n.Project, n.Op, n.Description = hs[0].project, hs[0].op, hs[0].desc
		}
		n.Healthy = sideOf(hs)
	}
	if len(fs) == 0 || len(hs) == 0 {
		return n // the subtree is only on one side: its size says how big
	}
	m.matched += min(len(fs), len(hs))
	m.durations(n, fs, hs)
	if fs[0].status != "" && hs[0].status != "" && fs[0].status != hs[0].status {
		n.Status = &Change{Healthy: hs[0].status, Failing: fs[0].status}
	}
	n.Attrs = m.attrs(fs[0].attrs, hs[0].attrs)
	n.Errors = newErrors(fs, hs)
	// Children: those of the first pair (for repeats, one repeat's subtree
	// is compared with one, not N with M).
	fk, hk := fs[0].children, hs[0].children
	n.Children = m.children(fk, hk, depth+1)
	return n
}

func sideOf(ss []*span) *Side {
	s := ss[0]
	sd := &Side{SpanID: s.spanID, TransactionID: s.transactionID, Description: s.desc, Status: s.status, StartMS: round3(s.start), DurationMS: round3(s.dur), Count: len(ss), Timed: s.timed}
	for _, x := range ss {
		sd.Spans += x.size()
	}
	if len(ss) > 1 {
		sd.DurationMS = round3(median(ss))
	}
	return sd
}

// round3 rounds milliseconds to the microsecond (float noise out of JSON).
func round3(ms float64) float64 { return math.Round(ms*1000) / 1000 }

// children groups both sides' children by key and pairs the groups. The
// order is the failing side's (by first start); a group only the healthy
// side has goes right after the group that precedes it there, so the
// merged order respects both sides' order.
func (m *matcher) children(fk, hk []*span, depth int) []*Node {
	type group struct{ fs, hs []*span }
	groups := map[string]*group{}
	var fkeys, hkeys []string
	for _, x := range fk {
		g := groups[x.key]
		if g == nil {
			g = &group{}
			groups[x.key] = g
			fkeys = append(fkeys, x.key)
		}
		g.fs = append(g.fs, x)
	}
	for _, x := range hk {
		g := groups[x.key]
		if g == nil {
			g = &group{}
			groups[x.key] = g
		}
		if len(g.hs) == 0 {
			hkeys = append(hkeys, x.key)
		}
		g.hs = append(g.hs, x)
	}
	// after[k] are the healthy-only keys that follow k on the healthy side
	// ("" for those before any shared key).
	after := map[string][]string{}
	anchor := ""
	for _, k := range hkeys {
		if len(groups[k].fs) > 0 {
			anchor = k
			continue
		}
		after[anchor] = append(after[anchor], k)
	}
	keys := append([]string(nil), after[""]...)
	for _, k := range fkeys {
		keys = append(keys, k)
		keys = append(keys, after[k]...)
	}
	out := make([]*Node, 0, len(keys))
	for _, k := range keys {
		g := groups[k]
		if len(g.fs) == len(g.hs) && len(g.fs) > 1 {
			// As many on both sides: pair them one by one.
			for i := range g.fs {
				out = append(out, m.pair(g.fs[i:i+1], g.hs[i:i+1], depth))
			}
			continue
		}
		out = append(out, m.pair(g.fs, g.hs, depth))
	}
	return out
}

// durations records a duration change beyond noise: for one span each, the
// two durations; for repeats, the medians, which must also differ by more
// than the healthy repeats' spread.
func (m *matcher) durations(n *Node, fs, hs []*span) {
	if !fs[0].timed || !hs[0].timed {
		return
	}
	fd, hd := fs[0].dur, hs[0].dur
	repeated := len(fs) > 1 || len(hs) > 1
	if repeated {
		fd, hd = median(fs), median(hs)
	}
	delta := math.Abs(fd - hd)
	lo, hi := min(fd, hd), max(fd, hd)
	if delta < m.opts.MinDeltaMS || (lo > 0 && hi/lo < m.opts.MinRatio) {
		return
	}
	if repeated && len(hs) > 1 && delta <= spread(hs) {
		return
	}
	n.Duration = &DurationChange{HealthyMS: round3(hd), FailingMS: round3(fd), Median: repeated}
}

func median(ss []*span) float64 {
	var ds []float64
	for _, s := range ss {
		if s.timed {
			ds = append(ds, s.dur)
		}
	}
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	if len(ds)%2 == 1 {
		return ds[len(ds)/2]
	}
	return (ds[len(ds)/2-1] + ds[len(ds)/2]) / 2
}

func spread(ss []*span) float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range ss {
		if s.timed {
			lo, hi = min(lo, s.dur), max(hi, s.dur)
		}
	}
	if hi < lo {
		return 0
	}
	return hi - lo
}

// attrs lists the attributes whose values differ (after normalising), in
// key order, dropping secrets, personal data and volatile keys.
func (m *matcher) attrs(f, h map[string]string) []Change {
	var keys []string
	for k := range f {
		keys = append(keys, k)
	}
	for k := range h {
		if _, ok := f[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var out []Change
	for _, k := range keys {
		if volatileKey(k) || redact.IsSensitiveKey(k) || redact.IsPIITag(k) {
			continue
		}
		fv, fok := f[k]
		hv, hok := h[k]
		if fok && hok && normalizeValue(fv) == normalizeValue(hv) {
			continue
		}
		if !fok {
			fv = "(none)"
		}
		if !hok {
			hv = "(none)"
		}
		out = append(out, Change{Key: k, Healthy: hv, Failing: fv})
		if len(out) == m.opts.MaxAttrs {
			break
		}
	}
	return out
}

// newErrors are the errors of the failing spans whose title the healthy
// spans do not have.
func newErrors(fs, hs []*span) []string {
	seen := map[string]bool{}
	for _, s := range hs {
		for _, e := range s.errors {
			seen[Normalize(errTitle(e))] = true
		}
	}
	var out []string
	for _, s := range fs {
		for _, e := range s.errors {
			k := Normalize(errTitle(e))
			if !seen[k] {
				seen[k] = true
				out = append(out, e)
			}
		}
	}
	return out
}

// errTitle drops the short id from an error label.
func errTitle(label string) string {
	if i := strings.IndexByte(label, ' '); i > 0 && strings.ToUpper(label[:i]) == label[:i] && strings.Contains(label[:i], "-") {
		return label[i+1:]
	}
	return label
}

func walk(n *Node, f func(*Node)) {
	stack := []*Node{n}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		f(x)
		for i := len(x.Children) - 1; i >= 0; i-- {
			stack = append(stack, x.Children[i])
		}
	}
}

// markInside sets inside on every node with a descendant that differs
// (by changed) and records changed in own.
func markInside(root *Node, changed func(*Node) bool) {
	var post []*Node
	walk(root, func(n *Node) { post = append(post, n) })
	for i := len(post) - 1; i >= 0; i-- {
		n := post[i]
		n.own, n.inside = changed(n), false
		for _, c := range n.Children {
			if c.own || c.inside {
				n.inside = true
				break
			}
		}
	}
}

// first finds the first divergence: follow, in trace order, the first
// child whose subtree differs; stop at a span that appears or vanishes or
// whose own change no descendant explains.
func first(n *Node) *Node {
	for {
		if !n.inside {
			if n.own {
				return n
			}
			return nil
		}
		var next *Node
		for _, c := range n.Children {
			if c.own || c.inside {
				next = c
				break
			}
		}
		if next == nil {
			return nil
		}
		if next.Appeared() || next.Vanished() {
			return next
		}
		n = next
	}
}

// TransactionOf is the transaction a node belongs to: the node itself for a
// transaction, the transaction an error or occurrence hangs under.
func TransactionOf(n *tracetree.Node) *tracetree.Node {
	for n != nil && n.Kind != tracetree.KindTransaction {
		n = n.Parent
	}
	return n
}

// Find returns the transaction of t that is the same as want: the same
// project and name, and the same op when both have one; the earliest such.
func Find(t *tracetree.Tree, want *tracetree.Node) *tracetree.Node {
	if t == nil || want == nil {
		return nil
	}
	for _, n := range t.Nodes {
		if n.Kind == tracetree.KindTransaction && n.Project == want.Project && n.Name == want.Name &&
			(n.Op == "" || want.Op == "" || n.Op == want.Op) {
			return n
		}
	}
	return nil
}

// Healthy reports whether the transaction and every one below it ran
// without an error event and with an ok status; when not, it says why.
func Healthy(n *tracetree.Node) (bool, string) {
	stack := []*tracetree.Node{n}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		switch x.Kind {
		case tracetree.KindError:
			return false, "it has an error: " + x.Name
		case tracetree.KindTransaction:
			if x.Status != "" && x.Status != "ok" {
				return false, fmt.Sprintf("%s %s ended with status %s", x.Project, x.Name, x.Status)
			}
		}
		stack = append(stack, x.Children...)
	}
	return true, ""
}
