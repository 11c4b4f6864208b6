package main

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tracehound/tracehound/agent"
	"github.com/tracehound/tracehound/agent/llmtest"
	"github.com/tracehound/tracehound/demo"
)

func TestEvalShippedIncidents(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the offline analyzer on every shipped incident")
	}
	env := agentEnv(t, nil)
	r := runCLI(t, env, "eval", "--format", "json")
	if r.code != exitOK && r.code != exitNoRootCause {
		t.Fatalf("eval: exit %d\n%s", r.code, r.stderr)
	}
	if n := strings.Count(r.stderr, "no model configured"); n != 1 {
		t.Errorf("the no-model warning is printed %d times, want once:\n%s", n, r.stderr)
	}
	var res evalResult
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	plain := res.Runs[0]
	if plain.Name != runPlain || len(plain.Incidents) != len(demo.Incidents()) {
		t.Fatalf("run %q with %d incidents, want plain with %d", plain.Name, len(plain.Incidents), len(demo.Incidents()))
	}
	tt, ho := plain.Totals["tuning"], plain.Totals["holdout"]
	if tt == nil || ho == nil || tt.N+ho.N != len(demo.Incidents()) || ho.N < 6 {
		t.Fatalf("totals %+v", plain.Totals)
	}
	// A floor under the offline analyzer's score (22/22 when written):
	// a change that loses more than a tenth of the suite is a regression.
	if all := plain.Totals["all"]; all.FuncAt1*10 < all.N*9 {
		t.Errorf("function@1 %d/%d is below 90%%:\n%s", all.FuncAt1, all.N, r.stdout)
	}
	for _, in := range plain.Incidents {
		if in.Name == demo.Incident && !(in.ServiceAt1 && in.FuncAt1 && in.FuncAt3) {
			t.Errorf("the demo incident is not solved: %+v", in)
		}
	}
	// A directory that is not a dataset is refused.
	r = runCLI(t, env, "eval", "--offline", filepath.Join(t.TempDir(), "missing"))
	if r.code != exitUsage {
		t.Errorf("missing dir: exit %d", r.code)
	}
}

// copyIncident writes an embedded incident to a directory.
func copyIncident(t *testing.T, name string) string {
	t.Helper()
	fsys, err := demo.IncidentDataset(name)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), name)
	if err := os.CopyFS(dir, fsys); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestEvalTableAndPerturbations(t *testing.T) {
	env := agentEnv(t, nil)
	dir := copyIncident(t, "schema-mismatch")
	r := runCLI(t, env, "eval", "--offline", "--perturb", "all", dir)
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	wantContains(t, "table", r.stdout,
		"INCIDENT", "SVC@1", "FN@1", "FN@3", "NO-HISTORY", "RENAMED",
		"schema-mismatch              tuning  ✓     ✓    ✓",
		"plain       tuning     1  1/1 100%", "renamed     tuning     1  1/1 100%", "1 passed, 0 failed")
	if strings.Contains(r.stderr, "no model configured") {
		t.Errorf("--offline warns about the model:\n%s", r.stderr)
	}
	for _, bad := range [][]string{{"--format", "yaml"}, {"--part", "half"}, {"--perturb", "shuffle"}} {
		if r := runCLI(t, env, append([]string{"eval", "--offline"}, append(bad, dir)...)...); r.code != exitUsage {
			t.Errorf("%v: exit %d", bad, r.code)
		}
	}
}

func TestRenamedDatasetIsConsistent(t *testing.T) {
	fsys, err := demo.IncidentDataset("schema-mismatch")
	if err != nil {
		t.Fatal(err)
	}
	out, want, err := renamed(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if want.Service == "orders" || !strings.HasPrefix(want.Service, "svc-") || !strings.HasPrefix(want.Function, "fn_") {
		t.Fatalf("expected.json not renamed: %+v", want)
	}
	// The root cause's file exists under its renamed repository and
	// defines the renamed function.
	b, err := fs.ReadFile(out, "sources/"+strings.Replace(want.Repo, "orders", "x", 1)+"/"+want.File)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "func "+want.Function+"(") {
		t.Errorf("%s does not define %s:\n%s", want.File, want.Function, b)
	}
	// No slug or function name is left outside JSON keys, and JSON keys
	// are kept.
	fs.WalkDir(out, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := fs.ReadFile(out, p)
		if strings.Contains(p, "orders") || strings.Contains(string(b), "NewIntentRequest") {
			t.Errorf("%s still names orders or NewIntentRequest", p)
		}
		return nil
	})
	if _, err := fs.Stat(out, "dataset.json"); err != nil {
		t.Error(err)
	}
}

func TestWithoutHistory(t *testing.T) {
	fsys, _ := demo.IncidentDataset("schema-mismatch")
	h := withoutHistory{fsys}
	if _, err := fs.Stat(h, "history/acme/orders.json"); err == nil {
		t.Error("history is visible")
	}
	if _, err := fs.Stat(h, "expected.json"); err != nil {
		t.Error(err)
	}
}

func TestScoreFunctionAt3(t *testing.T) {
	want := expected{Service: "orders", File: "internal/payments/intent.go", Function: "NewIntentRequest"}
	var r incidentResult
	r.score(want, &agent.Report{
		RootCause:    &agent.RootCause{Service: "payments", Function: "parseIntentRequest"},
		Alternatives: []agent.RootCause{{Service: "orders", File: "internal/payments/intent.go", Function: "payments.NewIntentRequest"}},
	})
	if r.ServiceAt1 || r.FuncAt1 || !r.FuncAt3 || r.solved() {
		t.Errorf("%+v", r)
	}
	r = incidentResult{}
	r.score(want, &agent.Report{RootCause: &agent.RootCause{Service: "Orders", File: "./internal/payments/intent.go", Function: "NewIntentRequest()"}})
	if !r.ServiceAt1 || !r.FileAt1 || !r.FuncAt1 || !r.FuncAt3 {
		t.Errorf("%+v", r)
	}
	r = incidentResult{}
	r.score(want, nil)
	if r.ServiceAt1 || r.FuncAt3 || r.Got != "" {
		t.Errorf("%+v", r)
	}
}

func TestEvalJudge(t *testing.T) {
	srv := llmtest.NewServer(t,
		llmtest.Text(`Here is my grade: {"verdict": "Correct", "reason": "names NewIntentRequest in orders"}`).Expect(func(r llmtest.Request) error {
			if !strings.Contains(r.Last().Content, "Expected root cause: service orders") || !strings.Contains(r.Last().Content, "--- Report ---") {
				return errorf("the judge did not get the expected root cause and the report: %q", r.Last().Content)
			}
			return nil
		}),
	)
	env := agentEnv(t, map[string]string{"OPENAI_BASE_URL": srv.URL(), "OPENAI_API_KEY": "k"})
	dir := copyIncident(t, "schema-mismatch")
	r := runCLI(t, env, "eval", "--offline", "--judge-model", "judge-m", dir)
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	wantContains(t, "judged table", r.stdout, "JUDGE", "correct", "judge: names NewIntentRequest in orders", "judge: 1 correct, 0 partly of 1")
}

func TestParseVerdict(t *testing.T) {
	for in, want := range map[string]string{
		`{"verdict":"partly","reason":"right service"}`:             "partly",
		"```json\n{\"verdict\": \"WRONG\", \"reason\": \"x\"}\n```": "wrong",
		`I think it is right.`:                                      "",
		`{"verdict":"maybe","reason":"x"}`:                          "",
	} {
		v := parseVerdict(in)
		if v.Verdict != want || (want == "") != (v.Error != "") {
			t.Errorf("parseVerdict(%q) = %+v, want %q", in, v, want)
		}
	}
}
