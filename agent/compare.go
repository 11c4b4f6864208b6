package agent

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/tracehound/tracehound/redact"
	"github.com/tracehound/tracehound/sentryapi"
	"github.com/tracehound/tracehound/sentryapi/wire"
	"github.com/tracehound/tracehound/tracetree"
	"github.com/tracehound/tracehound/tracetree/compare"
)

// Comparison is a transaction of the incident compared with the same
// transaction in a healthy trace.
type Comparison struct {
	*compare.Result
	// Failing is the compared transaction of the incident's trace;
	// Healthy the same transaction in HealthyTree.
	Failing, Healthy *tracetree.Node
	HealthyTree      *tracetree.Tree
	// Notes say what could not be loaded (the tags of a transaction).
	Notes []string
}

// NoHealthyError says that no healthy trace of the transaction was found,
// what was searched, and what to do. It is a not-found error.
type NoHealthyError struct {
	Transaction string // "storefront ui.action.click /checkout"
	Searched    string // what was asked
	Skipped     []string
}

func (e *NoHealthyError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "no healthy trace of %s found: %s", e.Transaction, e.Searched)
	if len(e.Skipped) > 0 {
		fmt.Fprintf(&b, "; the candidates were not healthy: %s", strings.Join(e.Skipped, "; "))
	}
	b.WriteString(". Compare with a trace you know is good: --healthy TRACE_ID (the compare_with_healthy tool's healthy_trace), e.g. a trace id from Sentry's Traces view of this transaction")
	return b.String()
}

func (e *NoHealthyError) Unwrap() error { return sentryapi.ErrNotFound }

// How many search hits are looked at, and how many of their traces
// fetched, before giving up on finding a healthy one.
const (
	compareSearchLimit = 10
	compareCandidates  = 5
	compareMaxEvents   = 40 // transaction events fetched per side for their tags
)

type compareCache struct {
	mu   sync.Mutex
	done map[string]*Comparison
}

// CompareTarget is the transaction a node stands for: the node itself, the
// transaction of an error; "" is the transaction of the event.
func (in *Incident) CompareTarget(id string) (*tracetree.Node, error) {
	if in.Tree == nil {
		return nil, errors.New("this incident has no trace to compare")
	}
	var n *tracetree.Node
	if strings.TrimSpace(id) == "" {
		n = in.Tree.Focus
		if n == nil && len(in.Tree.Roots) > 0 {
			n = in.Tree.Roots[0]
		}
	} else {
		var err error
		if n, err = in.Tree.Resolve(id); err != nil {
			return nil, err
		}
	}
	t := compare.TransactionOf(n)
	if t == nil {
		return nil, fmt.Errorf("%s is not in a transaction: nothing to compare", nodeName(n))
	}
	return t, nil
}

// Compare compares a transaction of the incident (id: a transaction or
// error id from the tree, "" for the issue's) with the same transaction in
// a healthy trace: healthyTrace when given, else the newest trace in which
// it ran with status ok and without errors, found by a transaction search.
// The result is cached.
func (in *Incident) Compare(ctx context.Context, id, healthyTrace string) (*Comparison, error) {
	node, err := in.CompareTarget(id)
	if err != nil {
		return nil, err
	}
	healthyTrace = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(healthyTrace), "-", ""))
	if healthyTrace != "" && !sentryapi.IsHexID(healthyTrace) {
		return nil, fmt.Errorf("--healthy %q is not a trace id (32 hex characters)", healthyTrace)
	}
	key := node.ID + "|" + healthyTrace
	in.cmp.mu.Lock()
	if c := in.cmp.done[key]; c != nil {
		in.cmp.mu.Unlock()
		return c, nil
	}
	in.cmp.mu.Unlock()

	tree, hnode, how, err := in.findHealthy(ctx, node, healthyTrace)
	if err != nil {
		return nil, err
	}
	c := &Comparison{Failing: node, Healthy: hnode, HealthyTree: tree}
	fa, fnotes := in.transactionAttrs(ctx, node, true)
	ha, hnotes := in.transactionAttrs(ctx, hnode, false)
	c.Notes = append(fnotes, hnotes...)
	r, err := compare.Compare(compare.Input{Tree: in.Tree, Root: node, Attrs: fa}, compare.Input{Tree: tree, Root: hnode, Attrs: ha}, compare.Options{})
	if err != nil {
		return nil, err
	}
	r.HealthyHow = how
	c.Result = r
	in.cmp.mu.Lock()
	if in.cmp.done == nil {
		in.cmp.done = map[string]*Comparison{}
	}
	in.cmp.done[key] = c
	in.cmp.mu.Unlock()
	return c, nil
}

func txnName(n *tracetree.Node) string {
	return strings.TrimSpace(n.Project + " " + n.Op + " " + n.Name)
}

// findHealthy loads the healthy trace: the one given, or the newest
// search hit whose transaction ran without errors.
func (in *Incident) findHealthy(ctx context.Context, node *tracetree.Node, traceID string) (*tracetree.Tree, *tracetree.Node, string, error) {
	load := func(id string, at wire.Timestamp) (*tracetree.Tree, *tracetree.Node, error) {
		opts := sentryapi.TraceOptions{}
		if at > 0 {
			opts.Timestamp = time.Unix(int64(at), 0)
		}
		tr, err := in.Client.Trace(ctx, id, opts)
		if err != nil {
			return nil, nil, fmt.Errorf("loading the healthy trace %s: %w", tracetree.ShortID(id), err)
		}
		tree := tracetree.Build(tr.Items, tracetree.BuildOptions{TraceID: id, Legacy: tr.Legacy})
		h := compare.Find(tree, node)
		if h == nil {
			return tree, nil, fmt.Errorf("trace %s has no transaction %s: %w", tracetree.ShortID(id), redact.Line(txnName(node)), sentryapi.ErrNotFound)
		}
		return tree, h, nil
	}
	if traceID != "" {
		tree, h, err := load(traceID, 0)
		if err != nil {
			return nil, nil, "", err
		}
		how := "given with --healthy"
		if ok, why := compare.Healthy(h); !ok {
			how += "; note: it is not healthy either (" + why + ")"
		}
		return tree, h, how, nil
	}
	s := sentryapi.TransactionSearch{Transaction: node.Name, Op: node.Op, Status: "ok", ExcludeTrace: in.TraceID(), Limit: compareSearchLimit}
	if node.ProjectID != 0 {
		s.ProjectID = fmt.Sprint(node.ProjectID)
	}
	searched := fmt.Sprintf("searched for another trace in which it ran with status ok (query: %s)", s.Query())
	hits, err := in.Client.SearchTransactions(ctx, s)
	if err != nil {
		return nil, nil, "", fmt.Errorf("searching for a healthy trace of %s: %w (pass --healthy TRACE_ID to name one)", redact.Line(txnName(node)), err)
	}
	nf := &NoHealthyError{Transaction: txnName(node), Searched: searched + ": no other trace has one"}
	seen := map[string]bool{in.TraceID(): true}
	tried := 0
	for _, h := range hits {
		if seen[h.TraceID] || (node.Project != "" && h.Project != "" && h.Project != node.Project) {
			continue
		}
		seen[h.TraceID] = true
		if tried == compareCandidates {
			break
		}
		tried++
		tree, hn, err := load(h.TraceID, h.Timestamp)
		if err != nil {
			nf.Skipped = append(nf.Skipped, err.Error())
			continue
		}
		if ok, why := compare.Healthy(hn); !ok {
			nf.Skipped = append(nf.Skipped, "trace "+tracetree.ShortID(h.TraceID)+": "+why)
			continue
		}
		how := fmt.Sprintf("the newest trace in which %s ran with status ok and no errors (found by search", redact.Line(txnName(node)))
		if n := len(nf.Skipped); n > 0 {
			how += fmt.Sprintf("; %d newer %s not healthy", n, pluralWord(n, "candidate was", "candidates were"))
		}
		return tree, hn, how + ")", nil
	}
	if tried > 0 {
		nf.Searched = searched + fmt.Sprintf(": %d %s found", tried, pluralWord(tried, "trace", "traces"))
	}
	return nil, nil, "", nf
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// transactionAttrs reads the tags of every transaction under root (the
// compared one and those it called) and the data of their spans, by span
// id, from their events. Events that do not load are noted, not fatal.
func (in *Incident) transactionAttrs(ctx context.Context, root *tracetree.Node, own bool) (map[string]map[string]string, []string) {
	var nodes []*tracetree.Node
	stack := []*tracetree.Node{root}
	for len(stack) > 0 && len(nodes) < compareMaxEvents {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n.Kind != tracetree.KindTransaction {
			continue
		}
		nodes = append(nodes, n)
		stack = append(stack, n.Children...)
	}
	evs := make([]*wire.Event, len(nodes))
	var missed int
	if own {
		var wg sync.WaitGroup
		for i, n := range nodes {
			wg.Go(func() { evs[i], _ = in.EventFor(ctx, n) })
		}
		wg.Wait()
	} else {
		refs := make([]sentryapi.EventRef, len(nodes))
		for i, n := range nodes {
			refs[i] = sentryapi.EventRef{Project: n.Project, EventID: n.ID}
			if n.Project == "" {
				refs[i].Project = fmt.Sprint(n.ProjectID)
			}
		}
		evs, _ = in.Client.Events(ctx, refs)
	}
	attrs := map[string]map[string]string{}
	for i, ev := range evs {
		if ev == nil {
			missed++
			continue
		}
		m := map[string]string{}
		for _, t := range ev.Tags {
			m[t.Key] = string(t.Value)
		}
		attrs[nodes[i].SpanID] = m
		for _, sp := range ev.Spans() {
			if len(sp.Data) == 0 && len(sp.Tags) == 0 {
				continue
			}
			sm := map[string]string{}
			for k, v := range sp.Tags {
				sm[k] = rawText(v)
			}
			for k, v := range sp.Data {
				sm[k] = rawText(v)
			}
			attrs[sp.SpanID] = sm
		}
	}
	var notes []string
	if missed > 0 {
		side := "healthy"
		if own {
			side = "failing"
		}
		notes = append(notes, fmt.Sprintf("the tags of %d %s transaction %s could not be loaded: their attributes are not compared", missed, side, pluralWord(missed, "event", "events")))
	}
	return attrs, notes
}

// rawText is a JSON value as text: a string unquoted, anything else as
// written.
func rawText(v wire.Raw) string {
	if v.Kind() == '"' {
		var s string
		if wire.Decode(v, &s) == nil {
			return s
		}
	}
	return string(v)
}

// CompareText is the comparison as text (the compare view, the
// compare_with_healthy tool, `tracehound compare`).
func (in *Incident) CompareText(ctx context.Context, id, healthyTrace string, budget int) (string, error) {
	c, err := in.Compare(ctx, id, healthyTrace)
	if err != nil {
		return "", err
	}
	text := c.Text(compare.TextOptions{Budget: budget})
	for _, n := range c.Notes {
		text += "Note: " + n + ".\n"
	}
	return text, nil
}
