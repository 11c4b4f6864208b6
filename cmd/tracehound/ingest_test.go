package main

import (
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tracehound/tracehound/ingest"
	"github.com/tracehound/tracehound/sentryapi/local/localtest"
)

// --local and a loopback --url read a tracehound serve: the latest issue
// by default, a clear message before any error arrived, and when nothing
// listens.
func TestLocalIngest(t *testing.T) {
	st, err := ingest.Open(filepath.Join(t.TempDir(), "db"), ingest.DefaultRetention())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	p, err := st.EnsureProject("api", "go")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(ingest.NewServer(st, ingest.Options{}))
	defer srv.Close()

	r := runCLI(t, nil, "--local", "--url", srv.URL, "--no-tui")
	if r.code != exitNotFound {
		t.Errorf("before any error: exit %d", r.code)
	}
	wantContains(t, "stderr", r.stderr, "has received no error yet")

	for i, typ := range []string{"OldError", "NewError"} {
		ev := `{"event_id":"` + string(rune('a'+i)) + `0000000000000000000000000000000","platform":"go",` +
			`"exception":{"values":[{"type":"` + typ + `","value":"x"}]},` +
			`"contexts":{"trace":{"trace_id":"0123456789abcdef0123456789abcdef","span_id":"0123456789abcdef"}}}`
		if _, err := st.Ingest(p, "", []ingest.Item{{Type: "event", Payload: []byte(ev)}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{{"--local", "--url", srv.URL, "--no-tui"}, {"--url", srv.URL, "--no-tui"}, {"issue", "--url", srv.URL}} {
		r = runCLI(t, nil, args...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d: %s", args, r.code, r.stderr)
		}
		wantContains(t, "the latest issue", r.stdout, "API-2", "NewError: x")
	}

	srv.Close()
	r = runCLI(t, nil, "--local", "--url", srv.URL, "--no-tui")
	if r.code != exitAPI {
		t.Errorf("nothing listening: exit %d", r.code)
	}
	wantContains(t, "stderr", r.stderr, "nothing answers at", "tracehound serve")
}

// --repo NAME=PATH is honoured with --demo, --data and --local: it
// replaces the dataset's checkout of that project's repository, or adds a
// repository, and says so; never silently ignored.
func TestRepoFlagWithEverySource(t *testing.T) {
	mine := t.TempDir()
	env := agentEnv(t, nil)

	r := runCLI(t, env, "code", "repos", "--demo", "--repo", "auth-service="+mine)
	if r.code != 0 {
		t.Fatalf("--demo: exit %d: %s", r.code, r.stderr)
	}
	wantContains(t, "--demo stderr", r.stderr, "--repo auth-service: reads "+mine+" instead of the dataset's copy of acme/auth-service")
	wantContains(t, "--demo repos", r.stdout, "acme/auth-service", "acme/payments")

	dir := writeDataset(t, localtest.Dataset())
	r = runCLI(t, env, "code", "repos", "--data", dir, "--repo", "backend="+mine)
	if r.code != 0 {
		t.Fatalf("--data: exit %d: %s", r.code, r.stderr)
	}
	wantContains(t, "--data stderr", r.stderr, "--repo backend: adds "+mine)
	wantContains(t, "--data repos", r.stdout, "acme/backend", "Sentry projects: backend")

	st, err := ingest.Open(filepath.Join(t.TempDir(), "db"), ingest.DefaultRetention())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv := httptest.NewServer(ingest.NewServer(st, ingest.Options{}))
	defer srv.Close()
	r = runCLI(t, env, "code", "repos", "--local", "--url", srv.URL, "--repo", "api="+mine)
	if r.code != 0 {
		t.Fatalf("--local: exit %d: %s", r.code, r.stderr)
	}
	wantContains(t, "--local repos", r.stdout, "api\n", "Sentry projects: api")

	r = runCLI(t, env, "code", "repos", "--demo", "--repo", "no-path")
	if r.code != exitUsage || !strings.Contains(r.stderr, "want project=path") {
		t.Errorf("a bad --repo: exit %d: %s", r.code, r.stderr)
	}
}
