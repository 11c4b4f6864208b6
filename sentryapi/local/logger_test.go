package local_test

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/tracehound/tracehound/sentryapi/local"
)

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a handler.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestLogger(t *testing.T) {
	var buf syncBuffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	fsys := dataset()
	fsys["repos.json"] = &fstest.MapFile{Data: []byte(`[`)}
	s := newServer(t, fsys, local.WithLogger(log), local.WithToken(secret))
	c := conns(t, s)[1]
	c.get(t, "/api/0/organizations/acme/", "Authorization", "Bearer "+secret).want(t, 200)
	c.get(t, "/api/0/organizations/acme/repos/", "Authorization", "Bearer "+secret).want(t, 500)
	out := buf.String()
	for _, want := range []string{"level=DEBUG msg=request", "path=/api/0/organizations/acme/", "status=200",
		"level=ERROR msg=\"dataset problem\"", "dataset file repos.json"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, secret) {
		t.Errorf("the token was logged:\n%s", out)
	}
}
