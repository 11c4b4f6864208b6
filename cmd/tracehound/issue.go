package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/tracehound/tracehound/sentryapi/wire"

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

// parseTargetArg parses TARGET, falling back to the source's default issue.
func (a *app) parseTargetArg(arg string) (*sentryapi.Target, error) {
	if arg == "" {
		return nil, nil
	}
	if strings.HasPrefix(arg, "@") {
		if _, ok := shorthands[arg]; !ok {
			return nil, usagef("%s is not a target shorthand: use @latest or @most_frequent (with --project to pick a project)", arg)
		}
		return nil, nil // resolved once the source is open
	}
	t, err := sentryapi.ParseTarget(arg)
	if err != nil {
		return nil, usageError{err}
	}
	return &t, nil
}

// openTarget parses TARGET, opens the source it names (or the configured
// one) and resolves the target, the source's default issue when arg is
// empty.
func (a *app) openTarget(ctx context.Context, arg string) (*source, sentryapi.Target, error) {
	pt, err := a.parseTargetArg(arg)
	if err != nil {
		return nil, sentryapi.Target{}, err
	}
	src, err := a.openSource(ctx, pt)
	if err != nil {
		return nil, sentryapi.Target{}, err
	}
	if sort, ok := shorthands[arg]; ok {
		t, err := a.resolveShorthand(ctx, src, arg, sort)
		return src, t, err
	}
	t, err := a.targetOrDefault(arg, src)
	if err != nil {
		return nil, sentryapi.Target{}, err
	}
	return src, t, nil
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
		if a.local || a.localURL() {
			return sentryapi.Target{}, fmt.Errorf("%s has received no error yet: point an SDK at a DSN `tracehound serve` printed, or pass a trace or event id: %w", src.Label, errNotFound)
		}
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
	if root && arg == "" && !a.demo && a.data == "" && !a.local && !a.localURL() {
		return usagef("no TARGET given: pass an issue id, short id, event or trace id, or a Sentry URL (or try --demo)")
	}
	src, t, err := a.openTarget(ctx, arg)
	if err != nil {
		return err
	}
	if t.Kind == sentryapi.TargetProfile {
		return usagef("%s is a profile; tracehound opens issues, events and traces", arg)
	}
	in, err := a.load(ctx, src, t)
	if err != nil {
		return err
	}
	a.printLabel(src)
	if in.Issue == nil && in.Event == nil {
		// A bare trace: show the trace itself.
		return a.writeTrace(in)
	}
	if a.format == "json" {
		defer a.printMissing(in)
		return a.emitJSON(a.stdout, issueJSON{Issue: in.Issue, Event: in.Event, TraceID: in.TraceID(), TraceMeta: in.Meta})
	}
	renderIncident(a.stdout, src, in)
	a.printMissing(in)
	return nil
}

// issueJSON is `issue --format json`: Sentry's own objects and field names.
type issueJSON struct {
	Issue     *wire.Issue     `json:"issue"`
	Event     *wire.Event     `json:"event"`
	TraceID   string          `json:"traceId,omitempty"`
	TraceMeta *wire.TraceMeta `json:"traceMeta,omitempty"`
}
