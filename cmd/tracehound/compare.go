package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tracehound/tracehound/sentryapi"
	"github.com/tracehound/tracehound/tracetree/compare"
)

func newCompareCmd(a *app) *cobra.Command {
	var txn, healthy string
	var budget int
	cmd := &cobra.Command{
		Use:   "compare [TARGET] [--transaction TXN_ID] [--healthy TRACE_ID]",
		Short: "Compare the failing transaction with a healthy trace of the same transaction",
		Long: `Compare a transaction of the issue's trace (by default the one the issue's
event happened in) with the same transaction in a healthy trace: the spans
that appear or vanish (matched by service, operation and description, not
by id), durations that changed beyond noise, status and attribute changes
(tags and span data, scrubbed), the errors only the failing trace has,
repeats whose count changed (N+1), and the first point where the two
diverge.

The healthy trace is the newest one in which the transaction ran with
status ok and no errors: searched on Sentry (Discover's events endpoint:
transaction name and status, newest first; the spans dataset when the
transactions dataset is refused), or among the traces of a
--data dataset or of the local store (--local); --healthy names one. When
none is found, the command says what it searched and exits 4.

This is the text of the agent's compare_with_healthy tool.`,
		Example: `  tracehound compare --demo
  tracehound compare --demo --transaction 3766ca99 --format json
  tracehound compare PAYMENTS-1AB --healthy 5b33968496646f091c7adb0f2ebb279d`,
		Args: maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if budget < 0 {
				return usagef("--budget must be a positive number of tokens")
			}
			if h := strings.ReplaceAll(strings.TrimSpace(healthy), "-", ""); healthy != "" && !sentryapi.IsHexID(h) {
				return usagef("--healthy %q is not a trace id (32 hex characters)", healthy)
			}
			ctx := cmd.Context()
			in, src, err := a.loadIncident(ctx, argOr(args))
			if err != nil {
				return err
			}
			if in.Tree == nil {
				if err := in.TraceErr(); err != nil {
					return err
				}
				return fmt.Errorf("%s has no trace to compare: its event carries no trace id", argOr(args))
			}
			if txn != "" {
				if _, err := in.CompareTarget(txn); err != nil {
					return usagef("--transaction %s: %v (`tracehound tree%s` lists the ids)", txn, err, src.Flags)
				}
			}
			c, err := in.Compare(ctx, txn, healthy)
			if err != nil {
				return err
			}
			a.printLabel(src)
			defer a.printMissing(in)
			if a.format == "json" {
				j := c.JSON()
				j.Notes = c.Notes
				return a.emitJSON(a.stdout, j)
			}
			fmt.Fprint(a.stdout, c.Text(compare.TextOptions{Budget: budget}))
			for _, n := range c.Notes {
				fmt.Fprintln(a.stderr, "note: "+n)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&txn, "transaction", "", "the transaction to compare (`TXN_ID` from 'tracehound tree'; default: the issue event's)")
	f.StringVar(&healthy, "healthy", "", "compare with this trace (`TRACE_ID`) instead of searching for a healthy one")
	f.IntVar(&budget, "budget", 0, "most model tokens the text may take (0: no limit)")
	return cmd
}
