package main

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tracehound/tracehound/sentryapi"
)

func newRootCmd(a *app) *cobra.Command {
	var m modelFlags
	var noTUI bool
	root := &cobra.Command{
		Use:   "tracehound [TARGET]",
		Short: "Debug a Sentry issue through its distributed trace, in the terminal",
		Long: `tracehound shows a Sentry issue's distributed trace: the services it crossed,
the connected errors, spans and profiles, and investigates the incident.

TARGET is a numeric issue id, a short id (PAYMENTS-1AB), a 32-hex event or
trace id, a pasted Sentry URL, or @latest / @most_frequent (the most recent,
or most frequent, unresolved issue; of --project when given). With --demo and no TARGET, the embedded
demo incident is opened. On a terminal this opens the explorer (press ?
for its keys); otherwise it prints the issue, its event and its trace.`,
		Example: `  tracehound --demo                       the demo incident, no account needed
  tracehound PAYMENTS-1AB --org acme      an issue on sentry.io
  tracehound https://acme.sentry.io/issues/6507376925/
  tracehound config                       where the Sentry settings come from

` + exitCodesHelp,
		Version:       sentryapi.Version,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !noTUI && a.format == "text" && isTerminal(a.stdout) {
				if len(args) == 0 && !a.demo && a.data == "" && !a.local && !a.localURL() {
					return usagef("no TARGET given: pass an issue id, short id, event or trace id, or a Sentry URL (or try --demo)")
				}
				return runTUI(cmd.Context(), a, &m, argOr(args), nil, "", nil)
			}
			return runIssue(cmd.Context(), a, argOr(args), true)
		},
	}
	m.register(root)
	root.Flags().BoolVar(&m.askReadOnly, "ask-read-only", false, "ask before the agent's read-only tools too (by default they run and only changes wait for you)")
	root.Flags().BoolVar(&noTUI, "no-tui", false, "print the issue instead of opening the explorer (the default when stdout is not a terminal)")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	f := root.PersistentFlags()
	f.StringVar(&a.url, "url", "", "Sentry base `URL` (default https://sentry.io; env SENTRY_URL)")
	f.StringVar(&a.org, "org", "", "organization `SLUG` (env SENTRY_ORG)")
	f.StringVar(&a.token, "auth-token", "", "auth `TOKEN` with org:read, project:read, event:read (env SENTRY_AUTH_TOKEN)")
	f.StringVar(&a.project, "project", "", "project `SLUG` (env SENTRY_PROJECT)")
	f.BoolVar(&a.demo, "demo", false, "use the embedded demo incident instead of Sentry (no account needed)")
	f.BoolVar(&a.local, "local", false, "read what 'tracehound serve' received (at --url, default http://"+defaultIngestAddr+"); no TARGET: the latest issue")
	f.StringVar(&a.data, "data", "", "use the dataset directory `DIR` (from 'tracehound export'), or a directory of OTLP JSON files (the Collector's file exporter), instead of Sentry")
	f.StringVar(&a.format, "format", "text", "output `FORMAT`: text or json (JSON keys: see the README)")
	f.DurationVar(&a.timeout, "timeout", 30*time.Second, "per request attempt (a `DURATION` like 30s): how long to wait for Sentry to start answering, or for more of an answer (a long download is not cut); retries stop after 3× this")
	a.maxBody = 512 << 20
	f.Var((*byteSize)(&a.maxBody), "max-body", "the largest answer tracehound reads (a `SIZE` like 512MiB or 2GiB); a bigger trace is refused with a message naming this flag")
	f.BoolVar(&a.jsonOut, "json", false, "print JSON (the same as --format json)")
	var fields string
	f.StringVar(&fields, "fields", "", "with JSON, only these members, comma-separated (dots go into objects: issue.shortId,event.title); implies --json")
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		return a.applyJSONFlags(cmd, fields)
	}
	f.BoolVar(&a.debug, "debug", false, "log requests and show where the configuration came from (tokens masked)")

	root.AddCommand(
		newIssueCmd(a),
		newEventCmd(a),
		newTraceCmd(a),
		newTreeCmd(a),
		newSpansCmd(a),
		newProfileCmd(a),
		newCompareCmd(a),
		newConfigCmd(a),
		newExportCmd(a),
		newAnalyzeCmd(a),
		newResumeCmd(a),
		newExportReportCmd(a),
		newEvalCmd(a),
		newModelsCmd(a),
		newCodeCmd(a),
		newServeDataCmd(a),
		newServeCmd(a),
		newMCPCmd(a),
		newShareCmd(a),
	)
	return root
}

func argOr(args []string) string {
	if len(args) > 0 {
		return args[0]
	}
	return ""
}

func maxArgs(n int) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) > n {
			return usagef("expected at most %d argument(s), got %d: %s", n, len(args), strings.Join(args, " "))
		}
		return nil
	}
}

func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("expected %s", what)
		}
		return nil
	}
}

// applyJSONFlags makes --json and --fields mean --format json, and reads
// the fields.
func (a *app) applyJSONFlags(cmd *cobra.Command, fields string) error {
	if cmd.Flags().Changed("fields") {
		fs, err := parseFields(fields)
		if err != nil {
			return err
		}
		a.fields, a.jsonOut = fs, true
	}
	if a.jsonOut {
		if cmd.Flags().Changed("format") && a.format != "json" {
			return usagef("--json (or --fields) and --format %s ask for different outputs", a.format)
		}
		a.format = "json"
	}
	return nil
}

// checkFormat validates --format.
func (a *app) checkFormat() error {
	switch a.format {
	case "text", "json":
		return nil
	}
	return usagef("--format must be text or json, not %q", a.format)
}

func newConfigCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "config",
		Short: "Show the Sentry connection settings and where each came from (token masked)",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := a.resolveConfig()
			if cfg != nil {
				fmt.Fprint(a.stdout, cfg.Describe())
			}
			if err != nil {
				return usageError{err}
			}
			if cfg.Token == "" {
				fmt.Fprintf(a.stdout, "\nNo token: create one at %s/settings/account/api/auth-tokens/ with scopes %s,\nthen set SENTRY_AUTH_TOKEN or add it under [auth] token in ~/.sentryclirc.\n",
					strings.TrimSuffix(cfg.URL, "/"), strings.Join(sentryapi.RequiredScopes, ", "))
			}
			return nil
		},
	}
}

func parseHost(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("not a URL: %q", raw)
	}
	return strings.ToLower(u.Scheme + "://" + u.Host), nil
}

func hostLabel(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	return u.Host
}
