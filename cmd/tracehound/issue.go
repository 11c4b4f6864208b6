package main

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/spf13/cobra"

	"github.com/tracehound/tracehound/sentryapi"
)

func newIssueCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "issue [TARGET]",
		Short: "Print an issue, its recommended event and its trace id",
		Long: `Print an issue, the event tracehound would investigate (the recommended one,
or the one in a pasted event URL) and the trace it belongs to.

TARGET is an issue id, a short id, an event id or a Sentry URL; with --demo
or a dataset that names a default issue, it may be omitted.`,
		Args: maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runIssue(cmd.Context(), a, argOr(args), false)
		},
	}
}

// incident is what a target resolves to.
type incident struct {
	Issue   *sentryapi.Issue
	Event   *sentryapi.Event
	Which   string // how the event was chosen: recommended, latest, or "" for an explicit id
	TraceID string
	Meta    *sentryapi.TraceMeta
	MetaErr error
}

// parseTargetArg parses TARGET, falling back to the source's default issue.
func (a *app) parseTargetArg(arg string) (*sentryapi.Target, error) {
	if arg == "" {
		return nil, nil
	}
	t, err := sentryapi.ParseTarget(arg)
	if err != nil {
		return nil, usageError{err}
	}
	return &t, nil
}

func (a *app) targetOrDefault(arg string, src *source) (sentryapi.Target, error) {
	t, err := a.parseTargetArg(arg)
	if err != nil {
		return sentryapi.Target{}, err
	}
	if t != nil {
		return *t, nil
	}
	if src.DefaultIssue == "" {
		return sentryapi.Target{}, usagef("no TARGET given: pass an issue id, short id, event or trace id, or a Sentry URL")
	}
	dt, err := sentryapi.ParseTarget(src.DefaultIssue)
	if err != nil {
		return sentryapi.Target{}, fmt.Errorf("the dataset's default issue %q: %w", src.DefaultIssue, err)
	}
	return dt, nil
}

func runIssue(ctx context.Context, a *app, arg string, root bool) error {
	if err := a.checkFormat(); err != nil {
		return err
	}
	pt, err := a.parseTargetArg(arg)
	if err != nil {
		return err
	}
	if root && pt == nil && !a.demo && a.data == "" {
		return usagef("no TARGET given: pass an issue id, short id, event or trace id, or a Sentry URL (or try --demo)")
	}
	src, err := a.openSource(ctx, pt)
	if err != nil {
		return err
	}
	t, err := a.targetOrDefault(arg, src)
	if err != nil {
		return err
	}
	if t.Kind == sentryapi.TargetProfile {
		return usagef("%s is a profile; tracehound opens issues, events and traces", arg)
	}
	inc, err := resolveIncident(ctx, src, t)
	if err != nil {
		return err
	}
	a.printLabel(src)
	if inc.Issue == nil && inc.Event == nil {
		// A bare trace: show the trace itself.
		return printTrace(ctx, a, src, inc.TraceID)
	}
	if a.format == "json" {
		return writeJSON(a.stdout, issueJSON{Issue: inc.Issue, Event: inc.Event, TraceID: inc.TraceID, TraceMeta: inc.Meta})
	}
	renderIncident(a.stdout, src, inc)
	return nil
}

// issueJSON is `issue --format json`: Sentry's own objects and field names.
type issueJSON struct {
	Issue     *sentryapi.Issue     `json:"issue"`
	Event     *sentryapi.Event     `json:"event"`
	TraceID   string               `json:"traceId,omitempty"`
	TraceMeta *sentryapi.TraceMeta `json:"traceMeta,omitempty"`
}

// resolveIncident turns a target into an issue, an event and a trace id.
// Independent requests run in parallel: the issue and its event when the
// issue id is numeric, the event and the trace meta for a trace URL that
// names an event.
func resolveIncident(ctx context.Context, src *source, t sentryapi.Target) (*incident, error) {
	c := src.Client
	inc := &incident{}
	switch t.Kind {
	case sentryapi.TargetIssue:
		var wg sync.WaitGroup
		var ierr, eerr error
		wg.Go(func() { inc.Issue, ierr = c.Issue(ctx, t.Issue) })
		wg.Go(func() { inc.Event, inc.Which, eerr = issueEvent(ctx, c, t.Issue, t.Event) })
		wg.Wait()
		if ierr != nil {
			return nil, ierr
		}
		if eerr != nil {
			return nil, fmt.Errorf("issue %s: no event to show: %w", issueName(inc.Issue), eerr)
		}
	case sentryapi.TargetShortID:
		is, err := c.Issue(ctx, t.Issue)
		if err != nil {
			return nil, err
		}
		inc.Issue = is
		if inc.Event, inc.Which, err = issueEvent(ctx, c, string(is.ID), t.Event); err != nil {
			return nil, fmt.Errorf("issue %s: no event to show: %w", issueName(is), err)
		}
	case sentryapi.TargetEvent, sentryapi.TargetHexID:
		ev, err := findEvent(ctx, c, t.Project, t.Event)
		if errors.Is(err, sentryapi.ErrNotFound) && t.Kind == sentryapi.TargetHexID {
			// Not an event: try it as a trace id.
			inc.TraceID = t.Trace
			return inc, nil
		}
		if err != nil {
			return nil, err
		}
		inc.Event = ev
		if ev.GroupID != "" {
			if inc.Issue, err = c.Issue(ctx, string(ev.GroupID)); err != nil {
				return nil, err
			}
		}
	case sentryapi.TargetTrace:
		inc.TraceID = t.Trace
		if t.Event == "" {
			return inc, nil
		}
		var wg sync.WaitGroup
		var err error
		wg.Go(func() { inc.Event, err = findEvent(ctx, c, t.Project, t.Event) })
		wg.Go(func() { inc.Meta, inc.MetaErr = c.TraceMeta(ctx, t.Trace, sentryapi.TraceOptions{}) })
		wg.Wait()
		if err != nil {
			return nil, err
		}
		if inc.Event.GroupID != "" {
			inc.Issue, _ = c.Issue(ctx, string(inc.Event.GroupID))
		}
		return inc, nil
	default:
		return nil, usagef("unsupported target")
	}
	if inc.Event != nil && inc.TraceID == "" {
		inc.TraceID = inc.Event.TraceID()
	}
	if inc.TraceID != "" && inc.Meta == nil {
		opts := sentryapi.TraceOptions{}
		if inc.Event != nil && inc.Event.DateCreated != "" {
			if ts, err := sentryapi.ParseTimestamp(inc.Event.DateCreated); err == nil && ts != 0 {
				opts.Timestamp = ts.Time()
			}
		}
		inc.Meta, inc.MetaErr = c.TraceMeta(ctx, inc.TraceID, opts)
	}
	return inc, nil
}

// issueEvent fetches the event an issue view shows: the one named, else
// the recommended one (falling back to the latest).
func issueEvent(ctx context.Context, c *sentryapi.Client, issueID, which string) (*sentryapi.Event, string, error) {
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

// findEvent fetches an event by id, resolving its project through the
// event-id lookup when no project is known.
func findEvent(ctx context.Context, c *sentryapi.Client, project, id string) (*sentryapi.Event, error) {
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

func issueName(is *sentryapi.Issue) string {
	if is == nil {
		return "?"
	}
	if is.ShortID != "" {
		return is.ShortID
	}
	return string(is.ID)
}
