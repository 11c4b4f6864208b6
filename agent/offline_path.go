// The offline analyzer's view of the trace: the connected errors of the
// failing request and the transactions they happened in.

package agent

import (
	"regexp"
	"sort"

	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/tracehound/tracehound/tracetree"
)

func containsNode(ns []*tracetree.Node, n *tracetree.Node) bool {
	for _, x := range ns {
		if x == n {
			return true
		}
	}
	return false
}

// errorChain returns the connected errors that share the focus's request:
// errors in transactions on the path to the focus or below it, from the
// symptom (closest to the root) to the deepest (earliest first on ties).
// Without a focus, every error counts.
func errorChain(t *tracetree.Tree) []*tracetree.Node {
	root := focusRoot(t)
	var errs []*tracetree.Node
	for _, n := range subtree(root) {
		if n.Kind == tracetree.KindError {
			errs = append(errs, n)
		}
	}
	if t.Focus != nil && t.Focus.Kind == tracetree.KindError && !containsNode(errs, t.Focus) {
		errs = append(errs, t.Focus)
	}
	// Keep errors related to the focus: on its path or below the focus
	// path's transactions.
	if f := t.Focus; f != nil {
		var related []*tracetree.Node
		for _, e := range errs {
			if e == f || onPathOrBelow(e, f) {
				related = append(related, e)
			}
		}
		if len(related) > 0 {
			errs = related
		}
	}
	sort.SliceStable(errs, func(i, j int) bool {
		di, dj := errs[i].Depth(), errs[j].Depth()
		if di != dj {
			return di < dj
		}
		return errs[i].Start > errs[j].Start // the later error is the symptom
	})
	return errs
}

// onPathOrBelow reports whether e happened in a transaction that is the
// focus's transaction, an ancestor of it, or a descendant of the focus's
// transaction.
func onPathOrBelow(e, focus *tracetree.Node) bool {
	ft := focus.Parent
	if focus.Kind == tracetree.KindTransaction {
		ft = focus
	}
	if ft == nil {
		return false
	}
	for a := e.Parent; a != nil; a = a.Parent {
		if a == ft {
			return true
		}
	}
	for a := ft; a != nil; a = a.Parent {
		if a == e.Parent {
			return true
		}
	}
	return false
}

// focusRoot is the root transaction holding the focus (or the first root).
func focusRoot(t *tracetree.Tree) *tracetree.Node {
	if f := t.Focus; f != nil {
		n := f
		for n.Parent != nil {
			n = n.Parent
		}
		return n
	}
	if len(t.Roots) > 0 {
		return t.Roots[0]
	}
	return nil
}

func subtree(n *tracetree.Node) []*tracetree.Node {
	if n == nil {
		return nil
	}
	out := []*tracetree.Node{n}
	for i := 0; i < len(out); i++ {
		out = append(out, out[i].Children...)
	}
	return out
}

var timeoutRE = regexp.MustCompile(`(?i)time[ds]? ?out|deadline|took too long|pool exhausted|too many connections|504`)

func mentionsTimeout(ev *wire.Event) bool {
	if timeoutRE.MatchString(ev.Title) {
		return true
	}
	if ex := ev.Exception(); ex != nil {
		for _, v := range ex.Values {
			if timeoutRE.MatchString(v.Type + " " + v.Value) {
				return true
			}
		}
	}
	return false
}
