package main

import (
	"cmp"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/tracehound/tracehound/agent"
)

// The eval's runs: the suite as shipped, and its perturbations.
const (
	runPlain     = "plain"
	runNoHistory = "no-history"
	runRenamed   = "renamed"
)

// evalResult is what eval reports (--format json writes it as is).
type evalResult struct {
	Analyzer string      `json:"analyzer"`
	Runs     []runResult `json:"runs"`
	Skipped  []string    `json:"skipped,omitempty"`
}

// runResult is one run over the suite.
type runResult struct {
	Name      string            `json:"name"`
	Incidents []incidentResult  `json:"incidents"`
	Totals    map[string]*tally `json:"totals"` // all, tuning, holdout
}

// incidentResult scores one incident's report.
type incidentResult struct {
	Name       string `json:"name"`
	Holdout    bool   `json:"holdout"`
	ServiceAt1 bool   `json:"service_at_1"`
	FileAt1    bool   `json:"file_at_1"`
	FuncAt1    bool   `json:"function_at_1"`
	FuncAt3    bool   `json:"function_at_3"`
	// Got is the root cause named ("service function"); Alternatives the
	// other candidates.
	Got          string   `json:"got,omitempty"`
	Alternatives []string `json:"alternatives,omitempty"`
	Want         string   `json:"want"`
	Confidence   string   `json:"confidence,omitempty"`
	Explanation  string   `json:"explanation,omitempty"`
	Judge        *verdict `json:"judge,omitempty"`
	Millis       int64    `json:"duration_ms"`
	Error        string   `json:"error,omitempty"`
}

// tally counts the hits of a part of the suite.
type tally struct {
	N          int `json:"n"`
	ServiceAt1 int `json:"service_at_1"`
	FuncAt1    int `json:"function_at_1"`
	FuncAt3    int `json:"function_at_3"`
	Solved     int `json:"solved"`
	Judged     int `json:"judged,omitzero"`
	Correct    int `json:"judge_correct,omitzero"`
	Partly     int `json:"judge_partly,omitzero"`
}

func (t *tally) allSolved() bool { return t == nil || t.Solved == t.N }

// solved is the plain run's pass mark: the right service and function.
func (r *incidentResult) solved() bool { return r.ServiceAt1 && r.FuncAt1 }

// score compares a report with the expected root cause: service
// (case-insensitive), file (one path ends with the other) and function
// (the bare name, without receiver, class or module), for the root cause
// and for its alternatives (function@3).
func (r *incidentResult) score(want expected, rep *agent.Report) {
	if rep == nil || !rep.Found() {
		return
	}
	rc := rep.RootCause
	r.Got = rc.Service + " " + orNone(rc.Function)
	r.Confidence = rc.Confidence
	r.ServiceAt1 = sameService(want.Service, rc.Service)
	r.FileAt1 = sameFile(want.File, rc.File)
	r.FuncAt1 = r.ServiceAt1 && sameFunction(want.Function, rc.Function)
	r.FuncAt3 = r.FuncAt1
	for _, alt := range rep.Alternatives {
		r.Alternatives = append(r.Alternatives, alt.Service+" "+orNone(alt.Function))
		if sameService(want.Service, alt.Service) && sameFunction(want.Function, alt.Function) {
			r.FuncAt3 = true
		}
	}
}

func norm(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func sameService(want, got string) bool { return norm(want) != "" && norm(want) == norm(got) }

func sameFile(want, got string) bool {
	wf, gf := strings.TrimPrefix(norm(want), "./"), strings.TrimPrefix(norm(got), "./")
	return wf != "" && gf != "" && (strings.HasSuffix(wf, gf) || strings.HasSuffix(gf, wf)) && filepath.Base(wf) == filepath.Base(gf)
}

func sameFunction(want, got string) bool {
	return bareName(want) != "" && bareName(want) == bareName(got)
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

// totals adds up a run's incidents: all, and the tuning and holdout parts.
func totals(rs []incidentResult) map[string]*tally {
	out := map[string]*tally{"all": {}}
	for _, r := range rs {
		part := "tuning"
		if r.Holdout {
			part = "holdout"
		}
		if out[part] == nil {
			out[part] = &tally{}
		}
		for _, t := range []*tally{out["all"], out[part]} {
			t.N++
			t.ServiceAt1 += b2i(r.ServiceAt1)
			t.FuncAt1 += b2i(r.FuncAt1)
			t.FuncAt3 += b2i(r.FuncAt3)
			t.Solved += b2i(r.solved())
			if r.Judge != nil && r.Judge.Verdict != "" {
				t.Judged++
				t.Correct += b2i(r.Judge.Verdict == "correct")
				t.Partly += b2i(r.Judge.Verdict == "partly")
			}
		}
	}
	return out
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// writeText prints the per-incident table of the plain run (with each
// perturbation's function@1 beside it) and the totals of every run.
func (res *evalResult) writeText(w io.Writer, verbose bool) {
	plain := res.Runs[0]
	judged := false
	for _, r := range plain.Incidents {
		judged = judged || r.Judge != nil
	}
	fmt.Fprintf(w, "%-28s %-7s %-5s %-4s %-4s", "INCIDENT", "PART", "SVC@1", "FN@1", "FN@3")
	for _, run := range res.Runs[1:] {
		fmt.Fprintf(w, " %-10s", strings.ToUpper(run.Name))
	}
	if judged {
		fmt.Fprintf(w, " %-8s", "JUDGE")
	}
	fmt.Fprintln(w, " GOT")
	for i, r := range plain.Incidents {
		part := "tuning"
		if r.Holdout {
			part = "holdout"
		}
		fmt.Fprintf(w, "%-28s %-7s %-5s %-4s %-4s", line(r.Name), part, mark(r.ServiceAt1), mark(r.FuncAt1), mark(r.FuncAt3))
		for _, run := range res.Runs[1:] {
			fmt.Fprintf(w, " %-10s", mark(run.Incidents[i].FuncAt1))
		}
		if judged {
			v := "—"
			if r.Judge != nil {
				v = cmp.Or(r.Judge.Verdict, "error")
			}
			fmt.Fprintf(w, " %-8s", v)
		}
		got := orNone(r.Got)
		if r.Error != "" {
			got = "error: " + r.Error
		}
		fmt.Fprintf(w, " %s (%.1fs)\n", line(got), float64(r.Millis)/1000)
		if !r.solved() && r.Error == "" {
			fmt.Fprintf(w, "%-28s want %s\n", "", line(r.Want))
		}
		if r.Judge != nil && r.Judge.Reason != "" {
			fmt.Fprintf(w, "%-28s judge: %s\n", "", line(r.Judge.Reason))
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%-11s %-8s %3s  %-14s %-14s %s\n", "RUN", "PART", "N", "SERVICE@1", "FUNCTION@1", "FUNCTION@3")
	for _, run := range res.Runs {
		for _, part := range []string{"tuning", "holdout", "all"} {
			t := run.Totals[part]
			if t == nil {
				continue
			}
			fmt.Fprintf(w, "%-11s %-8s %3d  %-14s %-14s %s", run.Name, part, t.N, pct(t.ServiceAt1, t.N), pct(t.FuncAt1, t.N), pct(t.FuncAt3, t.N))
			if t.Judged > 0 {
				fmt.Fprintf(w, "  judge: %d correct, %d partly of %d", t.Correct, t.Partly, t.Judged)
			}
			fmt.Fprintln(w)
		}
	}
	if verbose {
		for _, run := range res.Runs {
			for _, r := range run.Incidents {
				if !r.solved() {
					fmt.Fprintf(w, "\n[%s] %s: got %s, want %s\n  %s\n", run.Name, line(r.Name), line(orNone(r.Got)), line(r.Want), line(cmp.Or(r.Explanation, r.Error)))
				}
			}
		}
	}
	all := plain.Totals["all"]
	fmt.Fprintf(w, "\n%d passed, %d failed", all.Solved, all.N-all.Solved)
	if len(res.Skipped) > 0 {
		fmt.Fprintf(w, ", %d skipped (no expected.json: %s)", len(res.Skipped), strings.Join(res.Skipped, ", "))
	}
	fmt.Fprintln(w)
}

func pct(n, of int) string {
	if of == 0 {
		return "—"
	}
	return fmt.Sprintf("%d/%d %3.0f%%", n, of, 100*float64(n)/float64(of))
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
