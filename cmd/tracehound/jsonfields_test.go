package main

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tracehound/tracehound/demo"
)

func decodeJSON(t *testing.T, what, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("%s: not JSON: %v\n%s", what, err, s)
	}
	return v
}

func keys(v any) []string {
	m, _ := v.(map[string]any)
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Every view takes --json (= --format json) and --fields; the field names
// are the stable ones the README lists.
func TestJSONFieldsOnViews(t *testing.T) {
	env := agentEnv(t, nil)
	for _, tc := range []struct {
		args   []string
		fields string
		want   []string // the members of the object (of each element, for lists)
	}{
		{[]string{"issue", demo.IssueShortID}, "issue.shortId,issue.title,traceId", []string{"issue", "traceId"}},
		{[]string{"event", "c92dbb7c"}, "id,title,culprit", []string{"culprit", "id", "title"}},
		{[]string{"trace", "6773fd48a22fb5769c8758a2d3810fac"}, "event_id,project_slug", []string{"event_id", "project_slug"}},
		{[]string{"tree", demo.IssueShortID}, "trace_id,transactions,errors,services", []string{"errors", "services", "trace_id", "transactions"}},
		{[]string{"spans", "1fdbda14"}, "kind,label,total_ms,failed", []string{"failed", "kind", "label", "total_ms"}},
		{[]string{"profile", "1fdbda14"}, "kind,thread,total_ms", []string{"kind", "thread", "total_ms"}},
		{[]string{"analyze", "--offline"}, "issue,complete,root_cause", []string{"complete", "issue", "root_cause"}},
	} {
		t.Run(tc.args[0], func(t *testing.T) {
			full := runCLI(t, env, append(tc.args, "--demo", "--json")...)
			alias := runCLI(t, env, append(tc.args, "--demo", "--format", "json")...)
			if full.code != 0 || alias.code != 0 || !reflect.DeepEqual(keys(decodeJSON(t, "--json", full.stdout)), keys(decodeJSON(t, "--format json", alias.stdout))) {
				t.Fatalf("--json (exit %d) and --format json (exit %d) differ\n%s", full.code, alias.code, full.stderr)
			}
			if tc.args[0] != "analyze" && full.stdout != alias.stdout { // a report carries its own time
				t.Errorf("--json and --format json differ")
			}
			r := runCLI(t, env, append(tc.args, "--demo", "--fields", tc.fields)...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			v := decodeJSON(t, "--fields", r.stdout)
			if list, ok := v.([]any); ok {
				if len(list) == 0 {
					t.Fatal("an empty list")
				}
				for _, e := range list {
					if got := keys(e); !slices.Equal(got, tc.want) && !subset(got, tc.want) {
						t.Fatalf("element members %v, want %v", got, tc.want)
					}
				}
				return
			}
			if got := keys(v); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("members %v, want %v", got, tc.want)
			}
		})
	}
}

// subset: a list element may lack an optional member another has.
func subset(got, want []string) bool {
	for _, g := range got {
		if !slices.Contains(want, g) {
			return false
		}
	}
	return len(got) > 0
}

func TestJSONFieldsErrors(t *testing.T) {
	r := runCLI(t, nil, "issue", "--demo", "--fields", "issue.shortId,nope")
	if r.code != exitUsage || !strings.Contains(r.stderr, `no field "nope"`) || !strings.Contains(r.stderr, "traceId") {
		t.Errorf("unknown field: exit %d %s", r.code, r.stderr)
	}
	r = runCLI(t, nil, "issue", "--demo", "--json", "--format", "text")
	if r.code != exitUsage {
		t.Errorf("--json with --format text: exit %d", r.code)
	}
	r = runCLI(t, nil, "issue", "--demo", "--fields", " , ")
	if r.code != exitUsage {
		t.Errorf("empty --fields: exit %d", r.code)
	}
	// Nested picks keep the path.
	r = runCLI(t, nil, "issue", "--demo", "--fields", "issue.shortId")
	v := decodeJSON(t, "nested", r.stdout).(map[string]any)
	if v["issue"].(map[string]any)["shortId"] != demo.IssueShortID {
		t.Errorf("nested: %s", r.stdout)
	}
}

// @latest and @most_frequent name issues by their rank, per --project.
func TestTargetShorthands(t *testing.T) {
	short := func(args ...string) (string, result) {
		r := runCLI(t, nil, append(args, "--demo", "--fields", "issue.shortId")...)
		if r.code != 0 {
			return "", r
		}
		return decodeJSON(t, "issue", r.stdout).(map[string]any)["issue"].(map[string]any)["shortId"].(string), r
	}
	if got, r := short("issue", "@latest"); got != demo.IssueShortID {
		t.Errorf("@latest = %q (%s)", got, r.stderr)
	}
	if got, r := short("issue", "@most_frequent"); got != "STOREFRONT-1R" {
		t.Errorf("@most_frequent = %q (%s)", got, r.stderr)
	}
	if got, r := short("issue", "@most_frequent", "--project", "payments"); !strings.HasPrefix(got, "PAYMENTS-") {
		t.Errorf("@most_frequent --project payments = %q (%s)", got, r.stderr)
	}
	r := runCLI(t, nil, "tree", "@latest", "--demo", "--fields", "focus_event_id")
	if r.code != 0 {
		t.Errorf("tree @latest: exit %d %s", r.code, r.stderr)
	}
	r = runCLI(t, nil, "issue", "@latest", "--demo", "--project", "nope")
	if r.code != exitNotFound || !strings.Contains(r.stderr, `no project "nope"`) {
		t.Errorf("unknown project: exit %d %s", r.code, r.stderr)
	}
	r = runCLI(t, nil, "issue", "@oldest", "--demo")
	if r.code != exitUsage || !strings.Contains(r.stderr, "@latest or @most_frequent") {
		t.Errorf("unknown shorthand: exit %d %s", r.code, r.stderr)
	}
}
