package share

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	gossh "golang.org/x/crypto/ssh"
)

// hello is a guest program that shows who it is for.
type hello struct{ name string }

func (h hello) Init() tea.Cmd { return nil }
func (h hello) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok && k.String() == "q" {
		return h, tea.Quit
	}
	return h, nil
}
func (h hello) View() tea.View { return tea.NewView("hello " + h.name) }

func newKey(t *testing.T) (gossh.Signer, string) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s, strings.TrimSpace(string(gossh.MarshalAuthorizedKey(s.PublicKey())))
}

type changes struct {
	mu   sync.Mutex
	list []Change
	ch   chan Change
}

func startServer(t *testing.T, cfg Config) (*Server, *changes) {
	t.Helper()
	dir := t.TempDir()
	cfg.Listen = "127.0.0.1:0"
	cfg.HostKeyPath = filepath.Join(dir, "host")
	if cfg.Program == nil {
		cfg.Program = func(g Guest) tea.Model { return hello{g.Name} }
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := &changes{ch: make(chan Change, 64)}
	s.OnChange(func(ch Change) { c.ch <- ch })
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.Close(ctx, "")
	})
	return s, c
}

func (c *changes) next(t *testing.T, kind ChangeKind) Change {
	t.Helper()
	for {
		select {
		case ch := <-c.ch:
			if ch.Kind == kind {
				return ch
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no change of kind %d within 10s", kind)
		}
	}
}

func dial(s *Server, user string, key gossh.Signer) (*gossh.Client, error) {
	return gossh.Dial("tcp", s.Addr().String(), &gossh.ClientConfig{
		User:            user,
		Auth:            []gossh.AuthMethod{gossh.PublicKeys(key)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(),
		Timeout:         10 * time.Second,
	})
}

func TestUnlistedKeyIsRefused(t *testing.T) {
	_, allowed := newKey(t)
	other, _ := newKey(t)
	s, c := startServer(t, Config{AllowKeys: []string{allowed}})
	if _, err := dial(s, "mallory", other); err == nil {
		t.Fatal("a key that is not listed got in")
	}
	ch := c.next(t, Refused)
	if ch.Guest.Name != "mallory" || !strings.Contains(ch.Reason, "not in the authorized keys") {
		t.Errorf("refusal = %+v", ch)
	}
}

func TestNoKeysNobodyJoins(t *testing.T) {
	k, _ := newKey(t)
	s, _ := startServer(t, Config{AuthorizedKeys: filepath.Join(t.TempDir(), "missing")})
	if s.Keys() != 0 {
		t.Fatalf("keys = %d", s.Keys())
	}
	if _, err := dial(s, "alice", k); err == nil {
		t.Fatal("joined with no authorized keys")
	}
}

func TestCommandsAndForwardingAreRefused(t *testing.T) {
	k, line := newKey(t)
	s, _ := startServer(t, Config{AllowKeys: []string{line}})
	cl, err := dial(s, "alice", k)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	sess, err := cl.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	sess.Stderr = &stderr
	err = sess.Run("cat /etc/passwd")
	var exit *gossh.ExitError
	if !errors.As(err, &exit) || exit.ExitStatus() != 1 {
		t.Errorf("exec: err = %v, want exit status 1", err)
	}
	if !strings.Contains(stderr.String(), "explorer only") {
		t.Errorf("exec: stderr = %q", stderr.String())
	}
	// Port forwarding: the channel is refused.
	if _, err := cl.Dial("tcp", "127.0.0.1:22"); err == nil {
		t.Error("a direct-tcpip channel was opened")
	}
	// A session without a terminal is refused with a hint.
	sess2, err := cl.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	var stderr2 bytes.Buffer
	sess2.Stderr = &stderr2
	if err := sess2.Shell(); err != nil {
		t.Fatal(err)
	}
	_ = sess2.Wait()
	if !strings.Contains(stderr2.String(), "needs a terminal") {
		t.Errorf("no pty: stderr = %q", stderr2.String())
	}
}

// guest opens a session with a terminal, as `ssh -t` does.
func guest(t *testing.T, s *Server, user string, key gossh.Signer) (*gossh.Session, *syncBuffer, func() error) {
	t.Helper()
	cl, err := dial(s, user, key)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	sess, err := cl.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	out := &syncBuffer{changed: make(chan struct{}, 1)}
	sess.Stdout = out
	sess.Stderr = out
	in, err := sess.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	_ = in
	if err := sess.RequestPty("xterm-256color", 24, 80, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	return sess, out, sess.Wait
}

type syncBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	changed chan struct{}
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	select {
	case b.changed <- struct{}{}:
	default:
	}
	return b.b.Write(p)
}

// waitFor waits for the text to appear, woken by each write.
func (b *syncBuffer) waitFor(t *testing.T, text string) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for !strings.Contains(b.String(), text) {
		select {
		case <-b.changed:
		case <-timeout:
			t.Fatalf("%q never appeared: %q", text, b.String())
		}
	}
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func TestGuestsJoinAndTheHostEndsTheirSessions(t *testing.T) {
	ka, la := newKey(t)
	kb, lb := newKey(t)
	s, c := startServer(t, Config{AllowKeys: []string{la, lb + " bob@laptop"}, MaxGuests: 2})
	_, outA, waitA := guest(t, s, "alice", ka)
	j := c.next(t, Joined)
	if j.Guest.Name != "alice" || j.Guest.ID != "ssh:alice" || !strings.HasPrefix(j.Guest.Key, "SHA256:") {
		t.Errorf("join = %+v", j.Guest)
	}
	// The same user twice is two participants.
	_, _, waitA2 := guest(t, s, "alice", kb)
	j2 := c.next(t, Joined)
	if j2.Guest.ID != "ssh:alice#2" || len(j2.Guests) != 2 {
		t.Errorf("second join = %+v (%d here)", j2.Guest, len(j2.Guests))
	}
	// A third is over the cap: told so, the others unaffected.
	cl, err := dial(s, "carol", kb)
	if err != nil {
		t.Fatal(err)
	}
	sess, _ := cl.NewSession()
	var full bytes.Buffer
	sess.Stderr = &full
	_ = sess.RequestPty("xterm", 24, 80, gossh.TerminalModes{})
	_ = sess.Shell()
	_ = sess.Wait()
	if !strings.Contains(full.String(), "full (2 guests)") {
		t.Errorf("over the cap: %q", full.String())
	}
	cl.Close()
	if got := len(s.Guests()); got != 2 {
		t.Errorf("%d guests after a refusal, want 2", got)
	}
	// The program is the guest's own.
	outA.waitFor(t, "hello alice")
	// The host ends the share: every guest is told and their ssh exits 0.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Close(ctx, "the host quit"); err != nil {
		t.Fatal(err)
	}
	for i, wait := range []func() error{waitA, waitA2} {
		if err := wait(); err != nil {
			t.Errorf("guest %d: ssh ended with %v, want exit 0", i, err)
		}
	}
	if !strings.Contains(outA.String(), "the host quit") {
		t.Errorf("alice was not told why: %q", outA.String())
	}
}

func TestHostKeyIsKeptPrivateAndStable(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "host")
	_, _, err := hostKey(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("host key mode = %v, %v", st.Mode(), err)
	}
	a, _, _ := hostKey(path)
	b, _, _ := hostKey(path)
	if gossh.FingerprintSHA256(a.PublicKey()) != gossh.FingerprintSHA256(b.PublicKey()) {
		t.Error("the host key changed between runs")
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := hostKey(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("a world-readable host key: %v", err)
	}
}

func TestAuthorizedKeysFile(t *testing.T) {
	_, line := newKey(t)
	keys, err := parseAuthorizedKeys([]byte("# team\n\n"+line+" ana@work\n"), "f")
	if err != nil || len(keys) != 1 || keys[0].comment != "ana@work" {
		t.Fatalf("keys = %+v, %v", keys, err)
	}
	if _, err := parseAuthorizedKeys([]byte("ssh-ed25519 notbase64!\n"), "f"); err == nil || !strings.Contains(err.Error(), "f line 1") {
		t.Errorf("a bad line: %v", err)
	}
}
