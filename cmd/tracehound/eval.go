package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/tracehound/tracehound/agent"
	"github.com/tracehound/tracehound/dataset"
	"github.com/tracehound/tracehound/demo"
	"github.com/tracehound/tracehound/investigation"
)

// errEvalFailed carries exitNoRootCause for eval.
var errEvalFailed = errors.New("some incidents were not solved")

// expected is a dataset's expected.json: the known root cause.
type expected = dataset.Expected

// evalFlags are eval's own flags.
type evalFlags struct {
	format     string
	part       string
	perturb    string
	judgeModel string
	verbose    bool
}

func newEvalCmd(a *app) *cobra.Command {
	var m modelFlags
	var f evalFlags
	cmd := &cobra.Command{
		Use:   "eval [DIR...]",
		Short: "Score the analyzer on incident datasets with a known root cause",
		Long: `Run the investigation (the model, or the offline analyzer with --offline or
when no model is configured) on each incident dataset that has an
expected.json, and score the report against the expected root cause:
service@1 (the root cause names the service), function@1 (and the
function) and function@3 (the function is the root cause or one of the
two alternatives). Without DIR, the incidents shipped with tracehound are
used.

Prints a row per incident and the totals of the tuning part and of the
holdout part (incidents marked "holdout": true, scored only when a change
to the analyzer is done). --perturb adds runs of the same suite with the
repositories' git history stripped (no-history) and with service and
function names consistently renamed (renamed): a drop against the plain
run means the analyzer keys on names or history, not on evidence.
--judge-model grades each report with a model against the expected root
cause's description (correct, partly or wrong, with a reason).

Exit code 3 when an incident of the plain run is not solved (service@1
and function@1).`,
		Example: `  tracehound eval --offline
  tracehound eval --offline --part tuning --perturb all
  tracehound eval --offline --format json > eval.json
  TRACEHOUND_MODEL=gpt-4o-mini tracehound eval --judge-model gpt-4o ./incidents/*`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runEval(cmd.Context(), a, &m, &f, args)
		},
	}
	m.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&f.format, "format", "text", "output: text (a table) or json (for CI trend lines)")
	fl.StringVar(&f.part, "part", "all", "which incidents: all, tuning or holdout")
	fl.StringVar(&f.perturb, "perturb", "", "extra runs: no-history, renamed or all (comma-separated)")
	fl.StringVar(&f.judgeModel, "judge-model", "", "grade each report with this model (OpenAI-compatible server, as --model)")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "print the explanation of every unsolved incident's report, in every run")
	return cmd
}

type evalCase struct {
	name  string
	fsys  fs.FS
	label string
	demo  bool
	want  expected
}

func runEval(ctx context.Context, a *app, m *modelFlags, f *evalFlags, dirs []string) error {
	runs, err := evalRuns(f)
	if err != nil {
		return err
	}
	cases, skipped, err := evalCases(a, f.part, dirs)
	if err != nil {
		return err
	}
	// One warning for the whole suite, not one per incident.
	mm := *m
	if !mm.offline && mm.model == "" && a.getenv("TRACEHOUND_MODEL") == "" {
		fmt.Fprintln(a.stderr, "tracehound: no model configured (--model or TRACEHOUND_MODEL, with OPENAI_BASE_URL/OPENAI_API_KEY): evaluating the offline analyzer, which is heuristic, not an LLM")
		mm.offline = true
	}
	var judge *judge
	if f.judgeModel != "" {
		if judge, err = a.newJudge(f.judgeModel); err != nil {
			return err
		}
	}
	res := evalResult{Analyzer: "offline"}
	if !mm.offline {
		res.Analyzer = cmp.Or(mm.model, a.getenv("TRACEHOUND_MODEL"))
	}
	for _, name := range skipped {
		res.Skipped = append(res.Skipped, name)
	}
	for _, run := range runs {
		rr := runResult{Name: run, Incidents: make([]incidentResult, len(cases))}
		// The incidents are independent (each has its own checkouts):
		// they run side by side, one per CPU.
		sem := make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))
		var wg sync.WaitGroup
		for i, c := range cases {
			wg.Go(func() {
				sem <- struct{}{}
				defer func() { <-sem }()
				rr.Incidents[i] = evalCaseRun(ctx, a, &mm, judge, run, c)
			})
		}
		wg.Wait()
		if err := ctx.Err(); err != nil {
			return err
		}
		rr.Totals = totals(rr.Incidents)
		res.Runs = append(res.Runs, rr)
	}
	if f.format == "json" {
		if err := writeJSON(a.stdout, res); err != nil {
			return err
		}
	} else {
		res.writeText(a.stdout, f.verbose)
	}
	if !res.Runs[0].Totals["all"].allSolved() {
		return errEvalFailed
	}
	return nil
}

// evalRuns checks the flags and names the runs: plain first.
func evalRuns(f *evalFlags) ([]string, error) {
	if f.format != "text" && f.format != "json" {
		return nil, usagef("--format must be text or json, not %q", f.format)
	}
	if f.part != "all" && f.part != "tuning" && f.part != "holdout" {
		return nil, usagef("--part must be all, tuning or holdout, not %q", f.part)
	}
	runs := []string{runPlain}
	for _, p := range strings.Split(f.perturb, ",") {
		switch p = strings.TrimSpace(p); p {
		case "":
		case "all":
			runs = append(runs, runNoHistory, runRenamed)
		case runNoHistory, runRenamed:
			runs = append(runs, p)
		default:
			return nil, usagef("--perturb takes no-history, renamed or all, not %q", p)
		}
	}
	return slices.Compact(runs), nil
}

// evalCases reads the incidents to score: the shipped ones, or DIRs. Those
// without expected.json are skipped.
func evalCases(a *app, part string, dirs []string) (cases []evalCase, skipped []string, err error) {
	var all []evalCase
	if len(dirs) == 0 {
		for _, name := range demo.Incidents() {
			fsys, err := demo.IncidentDataset(name)
			if err != nil {
				return nil, nil, err
			}
			all = append(all, evalCase{name: name, fsys: fsys, label: "demo incident " + name, demo: true})
		}
	}
	for _, d := range dirs {
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			return nil, nil, usagef("%s is not a dataset directory", d)
		}
		abs, _ := filepath.Abs(d)
		all = append(all, evalCase{name: filepath.Base(abs), fsys: os.DirFS(abs), label: "dataset " + d})
	}
	for _, c := range all {
		if err := readJSON(c.fsys, dataset.ExpectedFile, &c.want); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				skipped = append(skipped, c.name)
				continue
			}
			return nil, nil, fmt.Errorf("%s: %w", c.label, err)
		}
		if part == "all" || (part == "holdout") == c.want.Holdout {
			cases = append(cases, c)
		}
	}
	return cases, skipped, nil
}

// evalCaseRun investigates one incident in one run and scores the report.
func evalCaseRun(ctx context.Context, a *app, m *modelFlags, j *judge, run string, c evalCase) incidentResult {
	r := incidentResult{Name: c.name, Holdout: c.want.Holdout}
	pc, err := perturb(run, c)
	if err != nil {
		r.Error = firstLine(err.Error())
		return r
	}
	r.Want = pc.want.Service + " " + pc.want.Function
	start := time.Now()
	rep, err := evalOne(ctx, a, m, pc)
	r.Millis = time.Since(start).Milliseconds()
	if err != nil {
		r.Error = firstLine(err.Error())
		return r
	}
	r.score(pc.want, rep)
	if rep.Found() {
		r.Explanation = rep.RootCause.Explanation
	}
	if j != nil {
		r.Judge = j.grade(ctx, pc.want, rep)
	}
	return r
}

// evalOne runs the investigation of one dataset's default issue, headless.
func evalOne(ctx context.Context, a *app, m *modelFlags, c evalCase) (*agent.Report, error) {
	src, err := a.openDataset(c.fsys, c.label, c.demo)
	if err != nil {
		return nil, err
	}
	t, err := a.targetOrDefault("", src)
	if err != nil {
		return nil, err
	}
	opts, err := a.invOptions(m, src, t, "")
	if err != nil {
		return nil, err
	}
	opts.Source.Demo = false // an incident's sources have their own cache, not the demo's
	opts.Policy = investigation.Policy{Headless: true, DenyReason: "evaluation run: changes are not applied; finish the investigation."}
	inv, err := investigation.Open(ctx, opts)
	if err != nil {
		return nil, coreError(err)
	}
	defer inv.Close()
	if err := inv.Start(ctx); err != nil {
		return nil, err
	}
	rep, err := inv.Wait()
	if rep == nil {
		rep = &agent.Report{}
	}
	return rep, err
}
