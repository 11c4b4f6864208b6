package agent

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/tracehound/tracehound/redact"
	"github.com/tracehound/tracehound/sentryapi"
	"github.com/tracehound/tracehound/tracetree"
)

// Incident is everything tracehound knows about one investigation: the
// issue, its event, the trace as a tree, and the events and profiles
// fetched on demand. It is the one loader and cache that the CLI views,
// the agent's tools and the UI share, so a span list fetched for a pane is
// the one a tool returns. It is safe for concurrent use.
type Incident struct {
	Client *sentryapi.Client
	Issue  *wire.Issue // nil when the target was a bare trace
	Event  *wire.Event // the issue's event (the focus); nil for a bare trace
	Which  string      // how Event was chosen: recommended, latest, or "" for an explicit id
	Trace  *sentryapi.TraceResult
	Tree   *tracetree.Tree
	Meta   *wire.TraceMeta // may be nil

	mu       sync.Mutex
	events   map[string]*wire.Event
	profiles map[string]*wire.Profile
	chunks   map[string]*wire.ProfileChunk
	missing  []Missing
	traceErr error
	cmp      compareCache
}

// Missing is a secondary part of an incident that could not be loaded
// while the primary view could: the issue of an event, the trace of an
// issue, the trace's summary, a transaction's event, a profile. Views show
// what they have and say what is missing, instead of failing.
type Missing struct {
	What string // e.g. "issue 123 (the event's group)"
	Err  error
}

func (m Missing) String() string {
	msg := m.Err.Error()
	var ae *sentryapi.APIError
	if errors.As(m.Err, &ae) {
		msg = ae.Short()
	}
	return m.What + " could not be loaded: " + msg
}

// Missing lists what could not be loaded so far, in the order it failed.
func (in *Incident) Missing() []Missing {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]Missing(nil), in.missing...)
}

// TraceErr is why the incident has no trace although its event names one
// (nil when the trace loaded or there is no trace id).
func (in *Incident) TraceErr() error {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.traceErr
}

// miss records a part that could not be loaded (once per what).
func (in *Incident) miss(what string, err error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, m := range in.missing {
		if m.What == what {
			return
		}
	}
	in.missing = append(in.missing, Missing{What: what, Err: err})
}

// TraceID is the incident's trace id, or "".
func (in *Incident) TraceID() string {
	if in.Trace != nil {
		return in.Trace.TraceID
	}
	if in.Event != nil {
		return in.Event.TraceID()
	}
	return ""
}

// Load resolves a target into an incident: the issue and its event (the
// recommended one unless the target names one), then the whole trace and
// its summary, in parallel where the requests are independent.
func Load(ctx context.Context, c *sentryapi.Client, t sentryapi.Target) (*Incident, error) {
	in := &Incident{Client: c}
	traceID := ""
	switch t.Kind {
	case sentryapi.TargetIssue:
		var wg sync.WaitGroup
		var ierr, eerr error
		wg.Go(func() { in.Issue, ierr = c.Issue(ctx, t.Issue) })
		wg.Go(func() { in.Event, in.Which, eerr = issueEvent(ctx, c, t.Issue, t.Event) })
		wg.Wait()
		if ierr != nil {
			return nil, ierr
		}
		if eerr != nil {
			return nil, fmt.Errorf("issue %s: no event to show: %w", issueName(in.Issue), eerr)
		}
	case sentryapi.TargetShortID:
		is, err := c.Issue(ctx, t.Issue)
		if err != nil {
			return nil, err
		}
		in.Issue = is
		if in.Event, in.Which, err = issueEvent(ctx, c, string(is.ID), t.Event); err != nil {
			return nil, fmt.Errorf("issue %s: no event to show: %w", issueName(is), err)
		}
	case sentryapi.TargetEvent, sentryapi.TargetHexID:
		ev, err := FindEvent(ctx, c, t.Project, t.Event)
		if errors.Is(err, sentryapi.ErrNotFound) && t.Kind == sentryapi.TargetHexID {
			traceID = t.Trace // not an event: a trace id
			break
		}
		if err != nil {
			return nil, err
		}
		in.Event = ev
		if err := in.loadGroup(ctx); err != nil {
			return nil, err
		}
	case sentryapi.TargetTrace:
		traceID = t.Trace
		if t.Event != "" {
			ev, err := FindEvent(ctx, c, t.Project, t.Event)
			if err != nil {
				return nil, err
			}
			in.Event = ev
			if err := in.loadGroup(ctx); err != nil {
				return nil, err
			}
		}
	default:
		return nil, fmt.Errorf("a %s is not something tracehound can investigate; give an issue, event or trace", t.Kind)
	}
	if in.Event != nil {
		in.remember(in.Event)
		if traceID == "" {
			traceID = in.Event.TraceID()
		}
	}
	if traceID == "" {
		return in, nil
	}
	opts := sentryapi.TraceOptions{}
	if in.Event != nil && in.Event.DateCreated != "" {
		if ts, err := wire.ParseTimestamp(in.Event.DateCreated); err == nil && ts != 0 {
			opts.Timestamp = ts.Time()
			opts.ErrorID = in.Event.EventID
		}
	}
	var wg sync.WaitGroup
	var terr, merr error
	wg.Go(func() { in.Trace, terr = c.Trace(ctx, traceID, opts) })
	wg.Go(func() { in.Meta, merr = c.TraceMeta(ctx, traceID, opts) })
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if terr != nil {
		terr = fmt.Errorf("trace %s: %w", traceID, terr)
		if in.Event == nil || t.Kind == sentryapi.TargetTrace {
			return nil, terr // the trace is what was asked for
		}
		// The issue and its event are the primary view; the trace is not.
		in.traceErr = terr
		in.miss("trace "+traceID, terr)
		return in, nil
	}
	if merr != nil {
		in.miss("the trace's summary (counts)", merr)
	}
	focus := ""
	if in.Event != nil {
		focus = in.Event.EventID
	}
	in.Tree = tracetree.Build(in.Trace.Items, tracetree.BuildOptions{TraceID: traceID, FocusEventID: focus, Legacy: in.Trace.Legacy})
	return in, nil
}

// loadGroup fetches the issue an event belongs to. The event is the
// primary view: when its issue cannot be read (deleted, merged, 404, no
// access) the incident goes on without it and records why.
func (in *Incident) loadGroup(ctx context.Context) error {
	gid := string(in.Event.GroupID)
	if gid == "" {
		return nil
	}
	is, err := in.Client.Issue(ctx, gid)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		in.miss("issue "+gid+" (the event's group)", err)
		return nil
	}
	in.Issue = is
	return nil
}

// issueEvent fetches the event an issue view shows: the one named, else
// the recommended one (falling back to the latest).
func issueEvent(ctx context.Context, c *sentryapi.Client, issueID, which string) (*wire.Event, string, error) {
	if which != "" {
		ev, err := c.IssueEvent(ctx, issueID, which)
		if sentryapi.IsHexID(which) {
			which = ""
		}
		return ev, which, err
	}
	ev, err := c.RecommendedEvent(ctx, issueID)
	return ev, sentryapi.EventRecommended, err
}

// FindEvent fetches an event by id, resolving its project through the
// event-id lookup when no project is known.
func FindEvent(ctx context.Context, c *sentryapi.Client, project, id string) (*wire.Event, error) {
	if project != "" {
		return c.Event(ctx, project, id)
	}
	lk, err := c.ResolveEventID(ctx, id)
	if err != nil {
		return nil, err
	}
	if lk.Event != nil && len(lk.Event.Entries) > 0 {
		if lk.Event.ProjectSlug == "" {
			lk.Event.ProjectSlug = lk.ProjectSlug
		}
		return lk.Event, nil
	}
	return c.Event(ctx, lk.ProjectSlug, id)
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

// nodeName names a node for a note: "transaction 1a2b3c4d (GET /pay)".
func nodeName(n *tracetree.Node) string {
	kind := "error"
	if n.Kind == tracetree.KindTransaction {
		kind = "transaction"
	}
	return kind + " " + tracetree.ShortID(n.ID) + " (" + redact.SanitizeLine(n.Label()) + ")"
}

func (in *Incident) remember(ev *wire.Event) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.events == nil {
		in.events = map[string]*wire.Event{}
	}
	in.events[ev.EventID] = ev
}

// cached is the event of that id if it was fetched already, else nil.
func (in *Incident) cached(id string) *wire.Event {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.events[id]
}

// Node resolves an id or unique id prefix from the tree.
func (in *Incident) Node(id string) (*tracetree.Node, error) {
	if in.Tree == nil {
		return nil, errors.New("this incident has no trace to look ids up in")
	}
	return in.Tree.Resolve(id)
}

// EventFor returns the full event of a node (a transaction or an error),
// fetched once and cached.
func (in *Incident) EventFor(ctx context.Context, n *tracetree.Node) (*wire.Event, error) {
	in.mu.Lock()
	ev := in.events[n.ID]
	in.mu.Unlock()
	if ev != nil {
		return ev, nil
	}
	project := n.Project
	if project == "" && n.ProjectID != 0 {
		project = fmt.Sprint(n.ProjectID)
	}
	ev, err := FindEvent(ctx, in.Client, project, n.ID)
	if err != nil {
		if ctx.Err() == nil {
			in.miss("the event of "+nodeName(n), err)
		}
		return nil, err
	}
	if ev.ProjectSlug == "" {
		ev.ProjectSlug = n.Project
	}
	in.remember(ev)
	return ev, nil
}

// Prefetch fetches the events of every transaction and error of the tree
// in parallel (bounded by the client), so views open instantly later.
// Failures are returned per node and do not stop the others.
func (in *Incident) Prefetch(ctx context.Context) map[string]error {
	if in.Tree == nil {
		return nil
	}
	var refs []sentryapi.EventRef
	var nodes []*tracetree.Node
	in.mu.Lock()
	for _, n := range in.Tree.Nodes {
		if n.Kind == tracetree.KindOccurrence || in.events[n.ID] != nil || n.Project == "" {
			continue
		}
		refs = append(refs, sentryapi.EventRef{Project: n.Project, EventID: n.ID})
		nodes = append(nodes, n)
	}
	in.mu.Unlock()
	evs, errs := in.Client.Events(ctx, refs)
	failed := map[string]error{}
	for i, ev := range evs {
		if errs[i] != nil {
			failed[nodes[i].ID] = errs[i]
			if ctx.Err() == nil {
				in.miss("the event of "+nodeName(nodes[i]), errs[i])
			}
			continue
		}
		in.remember(ev)
	}
	return failed
}

// ProfileFor returns the transaction profile (v1) of a transaction node,
// cached.
func (in *Incident) ProfileFor(ctx context.Context, n *tracetree.Node) (*wire.Profile, error) {
	if n.ProfileID == "" {
		return nil, fmt.Errorf("transaction %s has no transaction profile", tracetree.ShortID(n.ID))
	}
	in.mu.Lock()
	p := in.profiles[n.ProfileID]
	in.mu.Unlock()
	if p != nil {
		return p, nil
	}
	project := n.Project
	if project == "" {
		project = fmt.Sprint(n.ProjectID)
	}
	p, err := in.Client.Profile(ctx, project, n.ProfileID)
	if err != nil {
		if ctx.Err() == nil {
			in.miss("the profile of "+nodeName(n), err)
		}
		return nil, err
	}
	in.mu.Lock()
	if in.profiles == nil {
		in.profiles = map[string]*wire.Profile{}
	}
	in.profiles[n.ProfileID] = p
	in.mu.Unlock()
	return p, nil
}

// ChunkFor returns the continuous-profile data covering a transaction
// node's time window, cached.
func (in *Incident) ChunkFor(ctx context.Context, n *tracetree.Node) (*wire.ProfileChunk, error) {
	if n.ProfilerID == "" {
		return nil, fmt.Errorf("transaction %s has no continuous profile", tracetree.ShortID(n.ID))
	}
	if n.ProjectID == 0 {
		return nil, fmt.Errorf("transaction %s: the continuous profile needs the numeric project id, which the trace does not give", tracetree.ShortID(n.ID))
	}
	key := n.ID
	in.mu.Lock()
	ch := in.chunks[key]
	in.mu.Unlock()
	if ch != nil {
		return ch, nil
	}
	ch, err := in.Client.ProfileChunk(ctx, fmt.Sprint(n.ProjectID), n.ProfilerID, n.Start.Time(), n.End.Time())
	if err != nil {
		if ctx.Err() == nil {
			in.miss("the continuous profile of "+nodeName(n), err)
		}
		return nil, err
	}
	in.mu.Lock()
	if in.chunks == nil {
		in.chunks = map[string]*wire.ProfileChunk{}
	}
	in.chunks[key] = ch
	in.mu.Unlock()
	return ch, nil
}
