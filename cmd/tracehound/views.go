package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tracehound/tracehound/agent"
	"github.com/tracehound/tracehound/sentryapi"
	"github.com/tracehound/tracehound/tracetree"
)

// The view commands print exactly the text the agent's tools return for
// the same ids, so a person can see what the model saw.

func newTreeCmd(a *app) *cobra.Command {
	var budget int
	cmd := &cobra.Command{
		Use:   "tree [TARGET] [--budget TOKENS]",
		Short: "Print the trace of an issue as a tree of services, the issue's path marked",
		Long: `Print the trace an issue (or event, or trace) belongs to as a tree of
transactions — the service boundaries — with the connected errors hung where
they happened, the path to the issue's own event marked with ▶, and similar
siblings collapsed. --budget caps the text at that many model tokens: the
focus path and every error are always kept, the rest is summarised.

This is the text the agent starts from (its get_trace_tree tool).`,
		Example: `  tracehound tree --demo
  tracehound tree --demo --budget 300
  tracehound tree PAYMENTS-1AB --format json`,
		Args: maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if budget < 0 {
				return usagef("--budget must be a positive number of tokens")
			}
			in, src, err := a.loadIncident(cmd.Context(), argOr(args))
			if err != nil {
				return err
			}
			if in.Tree == nil {
				if err := in.TraceErr(); err != nil {
					return err
				}
				return fmt.Errorf("%s has no trace: its event carries no trace id", argOr(args))
			}
			a.printLabel(src)
			if a.format == "json" {
				return a.emitJSON(a.stdout, in.Tree.JSON())
			}
			fmt.Fprint(a.stdout, tracetree.Render(in.Tree, tracetree.RenderOptions{Budget: budget}))
			return nil
		},
	}
	cmd.Flags().IntVar(&budget, "budget", 0, "most model tokens the tree may take (0: no limit)")
	return cmd
}

// loadIncident opens the source and loads the incident of TARGET (the
// dataset's default issue when empty).
func (a *app) loadIncident(ctx context.Context, arg string) (*agent.Incident, *source, error) {
	if err := a.checkFormat(); err != nil {
		return nil, nil, err
	}
	src, t, err := a.openTarget(ctx, arg)
	if err != nil {
		return nil, nil, err
	}
	if t.Kind == sentryapi.TargetProfile {
		return nil, nil, usagef("%s is a profile, not an issue, event or trace", arg)
	}
	in, err := a.load(ctx, src, t)
	return in, src, err
}

// incidentFor loads the incident an id belongs to: the --issue target,
// else (for a full 32-hex id) the event's own incident, else the dataset's
// default issue. Short ids need one of the first or the last.
func (a *app) incidentFor(ctx context.Context, id, issue string) (*agent.Incident, *source, string, error) {
	if err := a.checkFormat(); err != nil {
		return nil, nil, "", err
	}
	if issue != "" {
		in, src, err := a.loadIncident(ctx, issue)
		return in, src, id, err
	}
	if t, err := sentryapi.ParseTarget(id); err == nil && (t.Kind == sentryapi.TargetEvent || t.Kind == sentryapi.TargetHexID ||
		(t.Kind == sentryapi.TargetIssue || t.Kind == sentryapi.TargetShortID || t.Kind == sentryapi.TargetTrace) && t.Event != "") {
		// A full event id or an event URL: load its own incident.
		src, err := a.openSource(ctx, &t)
		if err != nil {
			return nil, nil, "", err
		}
		if t.Kind == sentryapi.TargetHexID {
			t = sentryapi.Target{Kind: sentryapi.TargetEvent, Event: t.Event, Project: a.project}
		}
		in, err := a.load(ctx, src, t)
		if err != nil {
			return nil, nil, "", err
		}
		return in, src, t.Event, nil
	}
	src, err := a.openSource(ctx, nil)
	if err != nil {
		return nil, nil, "", err
	}
	if src.DefaultIssue == "" {
		return nil, nil, "", usagef("%q is a short id: pass --issue TARGET so tracehound knows which trace it is in, or give the full 32-character id", id)
	}
	in, _, err := a.loadIncident(ctx, "")
	return in, src, id, err
}

// view is one id-addressed view command (event, spans, profile).
type view struct {
	use, short, long, example, args string
	// text renders the view; json returns its machine-readable form.
	text func(in *agent.Incident, ctx context.Context, id string, budget int) (string, error)
	json func(ctx context.Context, in *agent.Incident, id string) (any, error)
}

func newViewCmd(a *app, v view) *cobra.Command {
	var issue string
	var budget int
	cmd := &cobra.Command{
		Use: v.use, Short: v.short, Long: v.long, Example: v.example,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				// Where the ids come from, with this command line's source.
				return usagef("expected %s; `tracehound tree%s` lists the ids of the trace", v.args, a.sourceFlags())
			}
			return exactArgs(1, v.args)(nil, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if budget < 0 {
				return usagef("--budget must be a positive number of tokens")
			}
			ctx := cmd.Context()
			in, src, id, err := a.incidentFor(ctx, args[0], issue)
			if err != nil {
				return err
			}
			var out any
			var text string
			if a.format == "json" {
				out, err = v.json(ctx, in, id)
			} else {
				text, err = v.text(in, ctx, id, budget)
			}
			if err != nil {
				return err
			}
			a.printLabel(src)
			defer a.printMissing(in)
			if a.format == "json" {
				return a.emitJSON(a.stdout, out)
			}
			fmt.Fprint(a.stdout, text)
			return nil
		},
	}
	cmd.Flags().StringVar(&issue, "issue", "", "the issue (or trace) a short id belongs to")
	cmd.Flags().IntVar(&budget, "budget", 0, "most model tokens the view may take (0: no limit)")
	return cmd
}

func newEventCmd(a *app) *cobra.Command {
	return newViewCmd(a, view{
		use:   "event EVENT_ID",
		short: "Print an error event: exception chain with source, breadcrumbs, request, tags",
		long: `Print the error view of an event: the exception chain (the crash site
first), in-app frames with their source lines and the variables they use,
breadcrumbs relative to the error, the request (secrets scrubbed) and the
tags that matter. This is the text of the agent's get_error_event tool.

EVENT_ID is a full event id, an event URL, or a short id from
'tracehound tree' (with --issue, or with --demo / --data).`,
		example: `  tracehound event 214e70f1 --demo
  tracehound event 7ca573c0f4814912aaa9bdc77d1a7d51 --project backend`,
		args: "one EVENT_ID (a full or short event id, or an event URL)",
		text: (*agent.Incident).EventText,
		json: func(ctx context.Context, in *agent.Incident, id string) (any, error) { return in.EventByID(ctx, id) },
	})
}

func newSpansCmd(a *app) *cobra.Command {
	return newViewCmd(a, view{
		use:   "spans TXN_ID",
		short: "Print the spans of one transaction: critical path, repeated queries (N+1), gaps",
		long: `Print the span tree of a transaction: each span's op, description, duration,
self time and offset, the attributes that matter, the critical path marked,
repeated spans grouped ("repeated 36 times, 751ms total, likely N+1") and
large gaps shown. This is the text of the agent's get_transaction_spans tool;
--json gives the waterfall rows the UI draws (fields in the README).`,
		example: `  tracehound spans e4212a75 --demo`,
		args:    "one TXN_ID (a transaction id or a unique prefix from 'tracehound tree')",
		text:    (*agent.Incident).SpansText,
		json: func(ctx context.Context, in *agent.Incident, id string) (any, error) {
			st, err := in.SpanTree(ctx, id)
			if err != nil {
				return nil, err
			}
			return spansJSON(st.Waterfall()), nil
		},
	})
}

func newProfileCmd(a *app) *cobra.Command {
	return newViewCmd(a, view{
		use:   "profile TXN_ID",
		short: "Print the CPU profile of a transaction as a call tree of app code, with hot functions",
		long: `Print the profile of a transaction (its transaction profile, or the slice of
the continuous profile covering it): a call tree of the application's own
functions with total and self time, system frames folded into their
caller, the functions of the errors in that transaction marked, and the
hottest functions. This is the text of the agent's get_profile tool.`,
		example: `  tracehound profile 3766ca99 --demo`,
		args:    "one TXN_ID (a transaction marked \"profile available\" in 'tracehound tree')",
		text:    (*agent.Incident).ProfileText,
		json: func(ctx context.Context, in *agent.Incident, id string) (any, error) {
			pt, err := in.ProfileTree(ctx, id)
			if err != nil {
				return nil, err
			}
			return profileToJSON(pt), nil
		},
	})
}
