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
				return fmt.Errorf("%s has no trace: its event carries no trace id", argOr(args))
			}
			a.printLabel(src)
			if a.format == "json" {
				return writeJSON(a.stdout, in.Tree.JSON())
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
	pt, err := a.parseTargetArg(arg)
	if err != nil {
		return nil, nil, err
	}
	src, err := a.openSource(ctx, pt)
	if err != nil {
		return nil, nil, err
	}
	t, err := a.targetOrDefault(arg, src)
	if err != nil {
		return nil, nil, err
	}
	if t.Kind == sentryapi.TargetProfile {
		return nil, nil, usagef("%s is a profile, not an issue, event or trace", arg)
	}
	in, err := agent.Load(ctx, src.Client, t)
	return in, src, err
}
