package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tracehound/tracehound/agent"
	"github.com/tracehound/tracehound/sentryapi"
)

func newTraceCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "trace [TRACE_ID]",
		Short: "Print a whole trace: its transactions and connected errors",
		Long: `Print a trace by its 32-hex id or a trace URL. With --format json the
output is the /trace/ array with Sentry's own field names (is_transaction,
errors, children, project_slug…). With --demo, --data or --local and no
TRACE_ID, the trace of that data's issue.`,
		Args: maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.checkFormat(); err != nil {
				return err
			}
			if len(args) == 0 {
				// With --demo, --data or --local: the trace of its issue.
				if !a.demo && a.data == "" && !a.local && !a.localURL() {
					return usagef("expected one TRACE_ID (32 hex characters) or a trace URL (or --demo for the demo's trace)")
				}
				in, src, err := a.loadIncident(cmd.Context(), "")
				if err != nil {
					return err
				}
				if in.TraceID() == "" {
					return fmt.Errorf("%s: its issue's event carries no trace id", src.Label)
				}
				a.printLabel(src)
				if in.Trace == nil {
					return printTrace(cmd.Context(), a, src, in.TraceID())
				}
				return a.writeTrace(in)
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
	in, err := a.load(ctx, src, sentryapi.Target{Kind: sentryapi.TargetTrace, Trace: traceID})
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
		return a.emitJSON(a.stdout, in.Trace.Items)
	}
	renderTrace(a.stdout, in.Trace, in.Meta)
	return nil
}
