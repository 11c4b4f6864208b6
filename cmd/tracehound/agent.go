package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/tracehound/tracehound/agent"
	"github.com/tracehound/tracehound/demo"
	"github.com/tracehound/tracehound/investigation"
	"github.com/tracehound/tracehound/sentryapi"
)

// errNoRootCause carries exitNoRootCause.
var errNoRootCause = errors.New("no root cause was found")

// modelFlags are the agent's flags shared by analyze, eval, resume and the
// TUI.
type modelFlags struct {
	model         string
	offline       bool
	contextWindow int
	repos         []string
	// askReadOnly (the explorer's --ask-read-only) asks before read-only
	// tools too.
	askReadOnly bool
	// The agent's bounds (also [agent] in the config file).
	streamTimeout   time.Duration
	maxOutputTokens int
	maxBadCalls     int
	// noted: the "no model configured" note was printed (once per command).
	noted bool
}

func (m *modelFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&m.model, "model", "", "model name on the OpenAI-compatible server (env TRACEHOUND_MODEL; OPENAI_BASE_URL, OPENAI_API_KEY)")
	f.BoolVar(&m.offline, "offline", false, "use the offline analyzer (heuristics, no model)")
	f.IntVar(&m.contextWindow, "context-window", 0, "the model's context window in tokens, when tracehound does not know it")
	f.StringArrayVar(&m.repos, "repo", nil, "a local checkout for a project: PROJECT=PATH (repeatable; also [[repo]] in the config file)")
	f.DurationVar(&m.streamTimeout, "stream-timeout", 0, "end a model step when nothing arrives for this long; retried once, then the run stops with a partial report (default 60s; [agent] stream_timeout)")
	f.IntVar(&m.maxOutputTokens, "max-output-tokens", 0, "cap on each model answer, sent and enforced (default: an eighth of the context window, 1024–16384; [agent] max_output_tokens)")
	f.IntVar(&m.maxBadCalls, "max-bad-calls", 0, "bad tool calls in a row (unknown tool, invalid JSON, invented ids, failing calls) that stop the run (default 3; [agent] max_bad_calls)")
}

// settings are the agent's bounds: the flags, else the config file's
// [agent] table, else the defaults (zero).
func (m *modelFlags) settings() (agent.Settings, error) {
	var s agent.Settings
	if path, err := agent.DefaultRepoConfigPath(); err == nil {
		if s, err = agent.LoadSettings(path); err != nil {
			return s, usageError{err}
		}
	}
	if m.streamTimeout < 0 || m.maxOutputTokens < 0 || m.maxBadCalls < 0 {
		return s, usagef("--stream-timeout, --max-output-tokens and --max-bad-calls must be positive")
	}
	if m.streamTimeout > 0 {
		s.StreamTimeout = m.streamTimeout
	}
	if m.maxOutputTokens > 0 {
		s.MaxOutputTokens = m.maxOutputTokens
	}
	if m.maxBadCalls > 0 {
		s.MaxBadCalls = m.maxBadCalls
	}
	return s, nil
}

// modelConfig chooses the model, or the offline analyzer when none is
// configured (saying so, once), and the loop guard's limit (0: default).
func (a *app) modelConfig(m *modelFlags) (investigation.ModelConfig, int, error) {
	model := m.model
	if model == "" {
		model = a.getenv("TRACEHOUND_MODEL")
	}
	if m.offline || model == "" {
		if !m.offline && !m.noted {
			m.noted = true
			fmt.Fprintln(a.stderr, "tracehound: no model configured (--model or TRACEHOUND_MODEL, with OPENAI_BASE_URL/OPENAI_API_KEY): using the offline analyzer, which is heuristic, not an LLM")
		}
		return investigation.ModelConfig{Offline: true}, 0, nil
	}
	window := m.contextWindow
	if window == 0 {
		if v, err := strconv.Atoi(a.getenv("TRACEHOUND_CONTEXT_WINDOW")); err == nil {
			window = v
		}
	}
	set, err := m.settings()
	if err != nil {
		return investigation.ModelConfig{}, 0, err
	}
	return investigation.ModelConfig{OpenAI: agent.ModelConfig{
		BaseURL: a.getenv("OPENAI_BASE_URL"), APIKey: a.getenv("OPENAI_API_KEY"), Model: model, ContextWindow: window,
		Headers:       parseHeaders(a.getenv("TRACEHOUND_MODEL_HEADERS")),
		StreamTimeout: set.StreamTimeout, MaxOutputTokens: set.MaxOutputTokens, Caps: a.capsCache(),
	}}, set.MaxBadCalls, nil
}

// invOptions are the options of an investigation of src's target t
// (named target in its transcript) with the model flags.
func (a *app) invOptions(m *modelFlags, src *source, t sentryapi.Target, target string) (investigation.Options, error) {
	model, maxBadCalls, err := a.modelConfig(m)
	if err != nil {
		return investigation.Options{}, err
	}
	return investigation.Options{
		Source: investigation.Source{
			Client: src.Client, Target: t, Label: src.Label, Dataset: src.Dataset, Demo: a.demo, Ref: a.sourceRef(src),
		},
		Repos:       m.repos,
		Model:       model,
		MaxBadCalls: maxBadCalls,
		Policy:      investigation.Policy{AskReadOnly: m.askReadOnly},
		Header:      agent.TranscriptHeader{Target: target},
		Notify:      func(msg string) { fmt.Fprintln(a.stderr, "tracehound: "+line(msg)) },
		Load: func(ctx context.Context, _ *sentryapi.Client, t sentryapi.Target) (*agent.Incident, error) {
			return a.load(ctx, src, t)
		},
	}, nil
}

// coreError turns the core's usage errors into the command's.
func coreError(err error) error {
	var ue investigation.UsageError
	if errors.As(err, &ue) {
		return usageError{ue.Err}
	}
	return err
}

// parseHeaders reads "Key: value; Key2: value2".
func parseHeaders(s string) map[string]string {
	out := map[string]string{}
	for _, part := range strings.Split(s, ";") {
		if k, v, ok := strings.Cut(part, ":"); ok && strings.TrimSpace(k) != "" {
			out[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return out
}

// sourceRef records where an investigation's data came from.
func (a *app) sourceRef(src *source) agent.Source {
	switch {
	case a.demo:
		return agent.Source{Kind: "demo", Name: demo.Incident}
	case a.data != "":
		abs, _ := filepath.Abs(a.data)
		return agent.Source{Kind: "data", Dir: abs}
	}
	s := agent.Source{Kind: "sentry", Org: src.Client.Org(), URL: src.Client.BaseURL()}
	return s
}

func newAnalyzeCmd(a *app) *cobra.Command {
	var m modelFlags
	var yesReadOnly, askReadOnly bool
	cmd := &cobra.Command{
		Use:   "analyze [TARGET]",
		Short: "Investigate an issue headlessly: progress on stderr, the report on stdout",
		Long: `Run the investigation without the TUI: the model (or, with --offline or no
model configured, the offline analyzer) calls the same tools as in the UI;
read-only tools run, patches are never applied (the proposed diff is in the
report). Progress goes to stderr, the report (markdown, or --format json)
to stdout. The run is saved and can be resumed (tracehound resume ID).

Every run ends with a report, complete or partial: a run stopped by the
step limit, the loop guard, a stalled stream or a model error prints what
was found so far, the evidence gathered, the leads not yet checked and why
it stopped (JSON: "complete": false, "stopped_because").

Real models are bounded: nothing from the model for --stream-timeout ends
the step (retried once), answers are capped at --max-output-tokens, and
--max-bad-calls bad tool calls in a row (unknown tool, invalid JSON,
invented ids, failing calls) stop the run. A model that answers in prose
instead of calling the report tool is asked again with the tool forced,
then for JSON (json_schema, then plainly); only then is its prose read into
a report marked "unstructured". What each model supports is remembered
(see tracehound models --probe).

Exit code: 0 when a root cause was found, 3 when not or when the run
stopped before it finished (partial report), 6 when the model server
failed (unreachable, refused, stalled or broken stream; the partial report
is still printed), 1 usage; see tracehound --help for the others.`,
		Example: `  tracehound analyze --demo --offline
  TRACEHOUND_MODEL=gpt-4o-mini tracehound analyze PAYMENTS-1AB
  OPENAI_BASE_URL=http://localhost:11434/v1 tracehound analyze --demo --model qwen2.5-coder:14b`,
		Args: maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkReportFormat(a); err != nil {
				return err
			}
			if askReadOnly && !yesReadOnly {
				return usagef("--ask-read-only needs a person to answer; in a headless run add --yes-read-only")
			}
			return runAnalyze(cmd.Context(), a, &m, argOr(args))
		},
	}
	m.register(cmd)
	cmd.Flags().BoolVar(&yesReadOnly, "yes-read-only", false, "approve every read-only tool call (the default policy already runs them)")
	cmd.Flags().BoolVar(&askReadOnly, "ask-read-only", false, "policy: ask before read-only tools too (needs --yes-read-only in a headless run)")
	return cmd
}

func checkReportFormat(a *app) error {
	switch a.format {
	case "text", "markdown", "md":
		a.format = "markdown"
	case "json":
	default:
		return usagef("--format must be markdown or json, not %q", a.format)
	}
	return nil
}

func runAnalyze(ctx context.Context, a *app, m *modelFlags, arg string) error {
	src, t, err := a.openTarget(ctx, arg)
	if err != nil {
		return err
	}
	if src.Demo {
		fmt.Fprintln(a.stderr, "[demo data] an embedded sample incident, not from a real Sentry")
	}
	target := arg
	if target == "" {
		target = src.DefaultIssue
	}
	opts, err := a.invOptions(m, src, t, target)
	if err != nil {
		return err
	}
	if dir, err := a.stateDir(); err == nil {
		opts.TranscriptDir = dir
	} else {
		fmt.Fprintf(a.stderr, "tracehound: the investigation will not be saved: %v\n", err)
	}
	return a.runHeadless(ctx, opts)
}

// runHeadless runs (or resumes) an investigation without a person: read-
// only calls run, changes are denied; it prints progress on stderr (a
// subscriber of the investigation's events) and the report on stdout.
func (a *app) runHeadless(ctx context.Context, opts investigation.Options) error {
	opts.Policy.Headless = true
	inv, err := investigation.Open(ctx, opts)
	if err != nil {
		return coreError(err)
	}
	defer inv.Close()
	prov, _, err := inv.Provider()
	if err != nil {
		return usageError{err}
	}
	sub := inv.Subscribe()
	sub.Drain() // a resumed investigation's history: shown when it ran
	if err := inv.Start(ctx); err != nil {
		return err
	}
	id := inv.TranscriptID()
	if id != "" {
		fmt.Fprintf(a.stderr, "tracehound: investigating with %s; saved as %s\n", prov.Name(), id)
	}
	progress(ctx, a.stderr, sub)
	rep, err := inv.Wait()
	if cerr := inv.Close(); cerr != nil {
		fmt.Fprintf(a.stderr, "tracehound: saving the transcript failed: %v\n", cerr)
	}
	if id != "" {
		fmt.Fprintf(a.stderr, "tracehound: resume with `tracehound resume %s`, export with `tracehound export-report %s`\n", id, id)
	}
	if rep != nil {
		if a.format == "json" {
			if werr := a.emitJSON(a.stdout, rep); werr != nil {
				return werr
			}
		} else {
			fmt.Fprint(a.stdout, rep.Markdown())
		}
	}
	if err != nil {
		return err
	}
	if rep != nil && rep.Found() && !rep.Complete {
		return fmt.Errorf("%w: the investigation stopped before it finished (%s); the report is partial", errNoRootCause, rep.StoppedBecause)
	}
	if !rep.Found() {
		return errNoRootCause
	}
	return nil
}

func (a *app) stateDir() (string, error) {
	if d := a.getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "tracehound", "sessions"), nil
	}
	if a.homeDir != "" {
		return filepath.Join(a.homeDir, ".local", "state", "tracehound", "sessions"), nil
	}
	return agent.StateDir()
}

// progress prints a run's events for a person watching stderr, up to the
// run's end.
func progress(ctx context.Context, w io.Writer, sub *investigation.Subscription) {
	var text strings.Builder
	flush := func() {
		if t := strings.TrimSpace(text.String()); t != "" {
			fmt.Fprintf(w, "  %s\n", line(t))
		}
		text.Reset()
	}
	for {
		e, ok := sub.Next(ctx)
		if !ok {
			flush()
			return
		}
		switch e.Kind {
		case agent.EventTextDelta:
			text.WriteString(e.Text)
		case agent.EventStepDone:
			flush()
		case agent.EventToolRunning:
			fmt.Fprintf(w, "  → %s %s\n", e.Call.Name, clip(line(string(e.Call.Args)), 120))
		case agent.EventToolDone:
			extra := ""
			if e.Call.Cached {
				extra = " (cached)"
			}
			if e.Call.Duration > 0 {
				extra += " " + e.Call.Duration.Round(time.Millisecond).String()
			}
			fmt.Fprintf(w, "    ✓ %s%s\n", e.Call.Name, extra)
		case agent.EventToolFailed:
			fmt.Fprintf(w, "    ✗ %s: %s\n", e.Call.Name, clip(line(e.Call.Reason), 200))
		case agent.EventToolDenied:
			fmt.Fprintf(w, "    ⊘ %s not run: %s\n", e.Call.Name, clip(line(e.Call.Reason), 200))
		case agent.EventPhase:
			flush()
			switch e.Phase {
			case agent.PhaseSolution:
				fmt.Fprintln(w, "== root cause reported")
			case agent.PhasePatch:
				fmt.Fprintln(w, "== solution plan reported")
			}
		case agent.EventWaiting:
			fmt.Fprintf(w, "  %s\n", line(e.Text))
		case agent.EventNotice:
			flush()
			fmt.Fprintf(w, "  note: %s\n", line(e.Text))
		case agent.EventError:
			// The run's error is what Wait returns: the command prints it
			// once, at the end.
			flush()
		case agent.EventFinished:
			flush()
			fmt.Fprintf(w, "== %s\n", line(e.Text))
			return
		}
	}
}

// clip cuts s to at most n bytes, at a character boundary: after line,
// so that a secret is masked whole before it is cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func newResumeCmd(a *app) *cobra.Command {
	var m modelFlags
	cmd := &cobra.Command{
		Use:   "resume [ID]",
		Short: "Continue a saved investigation (without ID: list them)",
		Args:  maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkReportFormat(a); err != nil {
				return err
			}
			dir, err := a.stateDir()
			if err != nil {
				return err
			}
			if len(args) == 0 {
				return listSessions(a, dir)
			}
			path, d, err := loadSession(dir, args[0])
			if err != nil {
				return err
			}
			if d.Finished {
				fmt.Fprintf(a.stderr, "tracehound: %s already finished; continuing it anyway\n", d.Header.ID)
			}
			ctx := cmd.Context()
			if err := a.reopen(d.Header.Source); err != nil {
				return err
			}
			if m.model == "" && d.Header.Analyzer == "llm" {
				m.model = d.Header.Model
			}
			m.offline = m.offline || d.Header.Analyzer == "heuristic"
			if isTerminal(a.stdout) && a.format == "markdown" {
				return runTUI(ctx, a, &m, d.Header.Target, d, path, nil)
			}
			src, t, err := a.openTarget(ctx, d.Header.Target)
			if err != nil {
				return err
			}
			opts, err := a.invOptions(&m, src, t, d.Header.Target)
			if err != nil {
				return err
			}
			opts.Header, opts.Resume, opts.ResumePath = d.Header, d, path
			return a.runHeadless(ctx, opts)
		},
	}
	m.register(cmd)
	return cmd
}

// reopen sets the source flags from a transcript's source.
func (a *app) reopen(s agent.Source) error {
	switch s.Kind {
	case "demo":
		a.demo = true
	case "data":
		a.data = s.Dir
	case "sentry":
		if a.url == "" {
			a.url = s.URL
		}
		if a.org == "" {
			a.org = s.Org
		}
	default:
		return fmt.Errorf("the transcript's source %q is unknown", s.Kind)
	}
	return nil
}

func listSessions(a *app, dir string) error {
	list, err := agent.ListTranscripts(dir)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		fmt.Fprintf(a.stdout, "No saved investigations in %s.\n", dir)
		return nil
	}
	for _, d := range list {
		state := "unfinished"
		switch {
		case d.Finished:
			state = "finished"
		case d.Report != nil && d.Report.RootCause != nil:
			state = "root cause found"
		}
		fmt.Fprintf(a.stdout, "%s  %s  %-16s %s  %s\n", d.Header.ID, d.Header.Created.Local().Format("2006-01-02 15:04"), state, line(d.Header.Issue), clip(line(d.Header.Title), 60))
	}
	return nil
}
