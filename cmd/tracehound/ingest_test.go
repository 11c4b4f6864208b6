package main

import (
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/tracehound/tracehound/ingest"
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
