package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tracehound/tracehound/agent"
	"github.com/tracehound/tracehound/demo"
)

// errEvalFailed carries exitNoRootCause for eval.
var errEvalFailed = errors.New("some incidents were not solved")

// expected is a dataset's expected.json.
type expected struct {
	Service     string `json:"service"`
	Repo        string `json:"repo"`
	File        string `json:"file"`
	Function    string `json:"function"`
	Explanation string `json:"explanation"`
}

func newEvalCmd(a *app) *cobra.Command {
	var m modelFlags
	cmd := &cobra.Command{
		Use:   "eval [DIR...]",
		Short: "Score the analyzer on incident datasets with a known root cause",
		Long: `Run the investigation (the model, or the offline analyzer with --offline or
when no model is configured) on each incident dataset that has an
expected.json, and score whether the report names the expected service,
file and function. Without DIR, the incidents shipped with tracehound are
used. Prints a line per incident and "N passed, M failed"; exit code 3 when
any failed.`,
		Example: `  tracehound eval --offline
  TRACEHOUND_MODEL=gpt-4o-mini tracehound eval ./incidents/*`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runEval(cmd.Context(), a, &m, args)
		},
	}
	m.register(cmd)
	return cmd
}

type evalCase struct {
	name  string
	fsys  fs.FS
	label string
	demo  bool
}

func runEval(ctx context.Context, a *app, m *modelFlags, dirs []string) error {
	var cases []evalCase
	if len(dirs) == 0 {
		for _, name := range demo.Incidents() {
			fsys, err := demo.IncidentDataset(name)
			if err != nil {
				return err
			}
			cases = append(cases, evalCase{name: name, fsys: fsys, label: "demo incident " + name, demo: true})
		}
	}
	for _, d := range dirs {
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			return usagef("%s is not a dataset directory", d)
		}
		abs, _ := filepath.Abs(d)
		cases = append(cases, evalCase{name: filepath.Base(abs), fsys: os.DirFS(abs), label: "dataset " + d})
	}
	var passed, failed, skipped int
	var hits [3]int
	for _, c := range cases {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var want expected
		if err := readJSON(c.fsys, "expected.json", &want); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				fmt.Fprintf(a.stdout, "SKIP %-20s no expected.json\n", c.name)
				skipped++
				continue
			}
			return fmt.Errorf("%s: %w", c.label, err)
		}
		start := time.Now()
		rep, err := evalOne(ctx, a, m, c)
		took := time.Since(start).Round(100 * time.Millisecond)
		if err != nil {
			failed++
			fmt.Fprintf(a.stdout, "FAIL %-20s error: %s\n", c.name, line(firstLine(err.Error())))
			continue
		}
		got := agent.RootCause{}
		if rep.Found() {
			got = *rep.RootCause
		}
		s := scoreCase(want, got)
		for i, h := range s {
			if h {
				hits[i]++
			}
		}
		status := "PASS"
		if s[0] && s[1] && s[2] {
			passed++
		} else {
			status = "FAIL"
			failed++
		}
		fmt.Fprintf(a.stdout, "%s %-20s service %s file %s function %s  got %s %s %s (%s)\n", status, c.name,
			mark(s[0]), mark(s[1]), mark(s[2]), line(orNone(got.Service)), line(orNone(got.File)), line(orNone(got.Function)), took)
		if status == "FAIL" {
			fmt.Fprintf(a.stdout, "     %-20s want %s %s %s\n", "", want.Service, want.File, want.Function)
		}
	}
	total := passed + failed
	fmt.Fprintf(a.stdout, "%d passed, %d failed", passed, failed)
	if total > 0 {
		fmt.Fprintf(a.stdout, " (service %d/%d, file %d/%d, function %d/%d)", hits[0], total, hits[1], total, hits[2], total)
	}
	if skipped > 0 {
		fmt.Fprintf(a.stdout, ", %d skipped", skipped)
	}
	fmt.Fprintln(a.stdout)
	if failed > 0 {
		return errEvalFailed
	}
	return nil
}

func mark(ok bool) string {
	if ok {
		return "✓"
	}
	return "✗"
}

func orNone(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// evalOne runs the investigation of one dataset's default issue.
func evalOne(ctx context.Context, a *app, m *modelFlags, c evalCase) (*agent.Report, error) {
	src, err := a.openDataset(c.fsys, c.label, c.demo)
	if err != nil {
		return nil, err
	}
	t, err := a.targetOrDefault("", src)
	if err != nil {
		return nil, err
	}
	in, err := agent.Load(ctx, src.Client, t)
	if err != nil {
		return nil, err
	}
	dir, err := datasetCacheDir(src)
	if err != nil {
		return nil, err
	}
	checkouts, err := demo.MaterializeSources(c.fsys, dir)
	if err != nil {
		return nil, err
	}
	repos, err := agent.DatasetRepos(c.fsys, checkouts)
	if err != nil {
		return nil, err
	}
	prov, analyzer, err := a.provider(m, in, repos)
	if err != nil {
		return nil, err
	}
	run := agent.Start(ctx, agent.Options{
		Provider: prov, Incident: in, Analyzer: analyzer,
		Tools: append(in.Tools(), repos.Tools(agent.CodeToolOptions{})...),
		Policy: agent.Policy{Decide: func(call agent.Call) agent.Decision {
			if call.ReadOnly {
				return agent.Decision{Kind: agent.ApproveOnce}
			}
			return agent.Decision{Kind: agent.Deny, Reason: "evaluation run: changes are not applied; finish the investigation."}
		}},
	})
	for range run.Events() {
	}
	rep, err := run.Wait()
	if rep == nil {
		rep = &agent.Report{}
	}
	return rep, err
}

// scoreCase compares a report's root cause with the expected one: service
// (case-insensitive), file (one path ends with the other) and function
// (the bare name, without receiver, class or module).
func scoreCase(want expected, got agent.RootCause) [3]bool {
	norm := func(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
	svc := norm(want.Service) != "" && norm(want.Service) == norm(got.Service)
	wf, gf := strings.TrimPrefix(norm(want.File), "./"), strings.TrimPrefix(norm(got.File), "./")
	file := wf != "" && gf != "" && (strings.HasSuffix(wf, gf) || strings.HasSuffix(gf, wf)) && filepath.Base(wf) == filepath.Base(gf)
	fn := bareName(want.Function) != "" && bareName(want.Function) == bareName(got.Function)
	return [3]bool{svc, file, fn}
}

// bareName reduces "(*Verifier).Verify", "payments.risk.score", "Cart#total"
// and "score_transaction()" to the function's own name.
func bareName(f string) string {
	f = strings.TrimSpace(f)
	f = strings.TrimSuffix(f, "()")
	if i := strings.LastIndexAny(f, ".#:"); i >= 0 {
		f = f[i+1:]
	}
	return strings.ToLower(strings.Trim(f, "()* "))
}
