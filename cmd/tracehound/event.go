package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/tracehound/tracehound/agent"
	"github.com/tracehound/tracehound/sentryapi"
)

func newEventCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "event EVENT_ID",
		Short: "Print an event (error or transaction) by id",
		Long: `Print an event by its 32-hex id, or by a Sentry URL that names one.

With --project the event is fetched from that project; without it, its
project is found through the organization's event-id lookup.`,
		Args: exactArgs(1, "one EVENT_ID (32 hex characters) or an event URL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runEvent(cmd.Context(), a, args[0])
		},
	}
}

func runEvent(ctx context.Context, a *app, arg string) error {
	if err := a.checkFormat(); err != nil {
		return err
	}
	t, err := sentryapi.ParseTarget(arg)
	if err != nil {
		return usageError{err}
	}
	src, err := a.openSource(ctx, &t)
	if err != nil {
		return err
	}
	project := a.project
	if project == "" {
		project = t.Project
	}
	var ev *sentryapi.Event
	switch {
	case t.Kind == sentryapi.TargetIssue || t.Kind == sentryapi.TargetShortID:
		if t.Event == "" {
			return usagef("%s is an issue, not an event; use `tracehound issue %s`", arg, arg)
		}
		in, lerr := agent.Load(ctx, src.Client, t)
		if lerr != nil {
			return lerr
		}
		ev = in.Event
	case t.Event != "":
		ev, err = agent.FindEvent(ctx, src.Client, project, t.Event)
	default:
		return usagef("%s does not name an event", arg)
	}
	if err != nil {
		return err
	}
	a.printLabel(src)
	if a.format == "json" {
		return writeJSON(a.stdout, ev)
	}
	renderEvent(a.stdout, ev)
	return nil
}

func newTraceCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "trace TRACE_ID",
		Short: "Print a whole trace: its transactions and connected errors",
		Long: `Print a trace by its 32-hex id or a trace URL. With --format json the
output is the /trace/ array with Sentry's own field names (is_transaction,
errors, children, project_slug…).`,
		Args: exactArgs(1, "one TRACE_ID (32 hex characters) or a trace URL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.checkFormat(); err != nil {
				return err
			}
			t, err := sentryapi.ParseTarget(args[0])
			if err != nil {
				return usageError{err}
			}
			if t.Trace == "" {
				return usagef("%s is not a trace id", args[0])
			}
			src, err := a.openSource(cmd.Context(), &t)
			if err != nil {
				return err
			}
			a.printLabel(src)
			return printTrace(cmd.Context(), a, src, t.Trace)
		},
	}
}

// printTrace loads a trace (and its meta, in parallel) and prints it.
func printTrace(ctx context.Context, a *app, src *source, traceID string) error {
	in, err := agent.Load(ctx, src.Client, sentryapi.Target{Kind: sentryapi.TargetTrace, Trace: traceID})
	if err != nil {
		return err
	}
	return a.writeTrace(in)
}

// writeTrace prints a loaded trace: the /trace/ array for json.
func (a *app) writeTrace(in *agent.Incident) error {
	if in.Trace == nil || len(in.Trace.Items) == 0 {
		return &sentryapi.APIError{Class: sentryapi.ErrNotFound, Method: "GET", Path: "trace " + in.TraceID(),
			Detail: "the trace has no spans or errors", Hint: "It may be older than the retention period, or in another organization."}
	}
	if a.format == "json" {
		return writeJSON(a.stdout, in.Trace.Items)
	}
	renderTrace(a.stdout, in.Trace, in.Meta)
	return nil
}
