package agent

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/tracehound/tracehound/sentryapi"
	"github.com/tracehound/tracehound/tracetree"
)

// The view methods return exactly the text the agent's tools give the
// model for an id, and the CLI prints the same text (tracehound tree,
// event, spans, profile), so a person can see what the model saw.

// TreeText is the trace tree, within budget tokens (0: no limit).
func (in *Incident) TreeText(budget int) (string, error) {
	if in.Tree == nil {
		return "", errors.New("this incident has no trace: its event carries no trace id")
	}
	return tracetree.Render(in.Tree, tracetree.RenderOptions{Budget: budget}), nil
}

// lookup finds the node for an id or unique prefix. ok is false (with no
// error) when there is no tree, or when a full 32-hex id is not in it, so
// callers can fetch the event directly.
func (in *Incident) lookup(id string) (n *tracetree.Node, ok bool, err error) {
	id = strings.TrimSpace(id)
	if in.Tree == nil {
		if !sentryapi.IsHexID(id) {
			return nil, false, fmt.Errorf("%q is not a 32-character event id (short ids need a trace: give the issue or trace too)", id)
		}
		return nil, false, nil
	}
	n, err = in.Tree.Resolve(id)
	if err != nil {
		var amb *tracetree.AmbiguousError
		if sentryapi.IsHexID(id) && !errors.As(err, &amb) {
			return nil, false, nil // a full id from outside this trace
		}
		return nil, false, err
	}
	return n, true, nil
}

// ErrorText is the error view of an error event: its exception chain with
// source context, breadcrumbs, request and tags. A transaction id is
// refused with a pointer to its spans (what the model should call).
func (in *Incident) ErrorText(ctx context.Context, id string, budget int) (string, error) {
	return in.eventText(ctx, id, budget, false)
}

// EventText is ErrorText that also renders transactions (a summary), for
// people who ask for any event.
func (in *Incident) EventText(ctx context.Context, id string, budget int) (string, error) {
	return in.eventText(ctx, id, budget, true)
}

func (in *Incident) eventText(ctx context.Context, id string, budget int, anyKind bool) (string, error) {
	n, ok, err := in.lookup(id)
	if err != nil {
		return "", err
	}
	opts := tracetree.DefaultEventOptions()
	opts.Budget = budget
	var ev *wire.Event
	if ok {
		switch {
		case anyKind:
		case n.Kind == tracetree.KindTransaction:
			return "", fmt.Errorf("%s is a transaction (%s), not an error; its spans are shown by get_transaction_spans / `tracehound spans %s`", tracetree.ShortID(n.ID), n.Label(), tracetree.ShortID(n.ID))
		case n.Kind == tracetree.KindOccurrence:
			return "", fmt.Errorf("%s is a performance issue (%s) on the transaction %s; look at that transaction's spans", tracetree.ShortID(n.ID), n.Label(), tracetree.ShortID(parentID(n)))
		}
		opts.IssueShortID = n.IssueShortID
		if ev, err = in.EventFor(ctx, n); err != nil {
			return "", fmt.Errorf("error event %s: %w", tracetree.ShortID(n.ID), err)
		}
	} else if ev = in.cached(strings.ToLower(id)); ev == nil {
		if ev, err = FindEvent(ctx, in.Client, "", strings.ToLower(id)); err != nil {
			return "", err
		}
		in.remember(ev)
	}
	if in.Issue != nil && ev.GroupID == in.Issue.ID {
		opts.IssueShortID = in.Issue.ShortID
	}
	return tracetree.ErrorView(ev, opts), nil
}

func parentID(n *tracetree.Node) string {
	if n.Parent != nil {
		return n.Parent.ID
	}
	return ""
}

// SpansText is the span view of a transaction: its span tree with the
// critical path, repeated groups and gaps.
func (in *Incident) SpansText(ctx context.Context, id string, budget int) (string, error) {
	st, err := in.SpanTree(ctx, id)
	if err != nil {
		return "", err
	}
	return st.Text(tracetree.SpanOptions{Budget: budget}), nil
}

// SpanTree builds the span tree of a transaction: from its event's spans,
// or, when the event has none or cannot be fetched, from the spans the
// trace carries.
func (in *Incident) SpanTree(ctx context.Context, id string) (*tracetree.SpanTree, error) {
	n, ok, err := in.lookup(id)
	if err != nil {
		return nil, err
	}
	if ok && n.Kind != tracetree.KindTransaction {
		txn := ""
		if n.Parent != nil {
			txn = fmt.Sprintf("; it happened in transaction %s (%s)", tracetree.ShortID(n.Parent.ID), n.Parent.Label())
		}
		return nil, fmt.Errorf("%s is an error, not a transaction%s", tracetree.ShortID(n.ID), txn)
	}
	var ev *wire.Event
	if ok {
		ev, err = in.EventFor(ctx, n)
	} else {
		ev, err = FindEvent(ctx, in.Client, "", strings.ToLower(id))
		if err == nil {
			in.remember(ev)
		}
	}
	// The event's spans when it has them; the trace's own spans when the
	// event has none (span-streaming data) or could not be fetched.
	if err == nil && ev.Type == "transaction" && (len(ev.Spans()) > 0 || !ok || len(n.Spans) <= 1) {
		return tracetree.BuildSpanTree(ev)
	}
	if ok && len(n.Spans) > 0 {
		// The trace's own spans: EAP-only data, or the event is gone.
		return tracetree.BuildSpanTreeFromTrace(n.Spans[0]), nil
	}
	if err != nil {
		return nil, fmt.Errorf("transaction %s: %w", tracetree.ShortID(id), err)
	}
	return tracetree.BuildSpanTree(ev)
}

// ProfileText is the profile view of a transaction: the call tree of app
// code on the thread that matters, centred on the functions of the issue's
// stack, and the hottest functions.
func (in *Incident) ProfileText(ctx context.Context, id string, budget int) (string, error) {
	pt, opts, err := in.profile(ctx, id)
	if err != nil {
		return "", err
	}
	opts.Budget = budget
	return pt.Text(opts), nil
}

// relevantFunctions are the app functions of the errors that happened in
// a transaction (the issue's own event when it is of the same service),
// which the profile view marks and centres on.
func (in *Incident) relevantFunctions(ctx context.Context, n *tracetree.Node) []string {
	var fns []string
	seen := map[string]bool{}
	add := func(ev *wire.Event) {
		for _, f := range tracetree.RelevantFunctions(ev) {
			if !seen[f] {
				seen[f] = true
				fns = append(fns, f)
			}
		}
	}
	for _, c := range n.Children {
		if c.Kind == tracetree.KindError {
			if ev, err := in.EventFor(ctx, c); err == nil {
				add(ev)
			}
		}
	}
	if len(fns) == 0 && in.Event != nil && in.Event.ProjectSlug != "" && in.Event.ProjectSlug == n.Project {
		add(in.Event)
	}
	return fns
}

// ProfileTree builds the profile of a transaction in the trace (by id or
// prefix): its transaction profile, else the continuous profile of its
// time window.
func (in *Incident) ProfileTree(ctx context.Context, id string) (*tracetree.ProfileTree, error) {
	pt, _, err := in.profile(ctx, id)
	return pt, err
}

func (in *Incident) profile(ctx context.Context, id string) (*tracetree.ProfileTree, tracetree.ProfileOptions, error) {
	var opts tracetree.ProfileOptions
	n, ok, err := in.lookup(id)
	if err != nil {
		return nil, opts, err
	}
	if !ok {
		return nil, opts, fmt.Errorf("%s is not in this trace; give a transaction id from the tree (those marked \"profile available\")", id)
	}
	if n.Kind != tracetree.KindTransaction {
		if n.Parent == nil {
			return nil, opts, fmt.Errorf("%s is not a transaction", tracetree.ShortID(n.ID))
		}
		n = n.Parent // an error: its transaction's profile
	}
	if n.HasProfile() {
		opts.RelevantFunctions = in.relevantFunctions(ctx, n)
	}
	switch {
	case n.ProfileID != "":
		p, err := in.ProfileFor(ctx, n)
		if err != nil {
			return nil, opts, fmt.Errorf("profile of %s: %w", tracetree.ShortID(n.ID), err)
		}
		pt, err := tracetree.BuildProfile(p, opts)
		return pt, opts, err
	case n.ProfilerID != "":
		ch, err := in.ChunkFor(ctx, n)
		if err != nil {
			return nil, opts, fmt.Errorf("continuous profile of %s: %w", tracetree.ShortID(n.ID), err)
		}
		pt, err := tracetree.BuildChunkProfile(ch, n.Start, n.End, opts)
		return pt, opts, err
	}
	var with []string
	for _, x := range in.Tree.Nodes {
		if x.Kind == tracetree.KindTransaction && x.HasProfile() {
			with = append(with, tracetree.ShortID(x.ID)+" ("+x.Label()+")")
		}
	}
	msg := fmt.Sprintf("transaction %s (%s) has no profile", tracetree.ShortID(n.ID), n.Label())
	if len(with) > 0 {
		msg += "; these have one: " + strings.Join(with, ", ")
	} else {
		msg += "; no transaction of this trace was profiled"
	}
	return nil, opts, errors.New(msg)
}

// EventByID returns the full event for an id or unique prefix.
func (in *Incident) EventByID(ctx context.Context, id string) (*wire.Event, error) {
	n, ok, err := in.lookup(id)
	if err != nil {
		return nil, err
	}
	if ok {
		return in.EventFor(ctx, n)
	}
	if ev := in.cached(strings.ToLower(id)); ev != nil {
		return ev, nil
	}
	ev, err := FindEvent(ctx, in.Client, "", strings.ToLower(id))
	if err == nil {
		in.remember(ev)
	}
	return ev, err
}
