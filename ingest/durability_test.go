package ingest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// killHelperEnv makes the test binary the server of
// TestKill9KeepsAcknowledgedEnvelopes: it serves the store named by the
// variable and prints its address.
const killHelperEnv = "TRACEHOUND_INGEST_KILL_HELPER_DB"

// A server killed with SIGKILL while four senders stream envelopes to
// it loses none that it acknowledged: each 2xx was sent only after the
// group commit holding its envelope was on disk.
func TestKill9KeepsAcknowledgedEnvelopes(t *testing.T) {
	if db := os.Getenv(killHelperEnv); db != "" {
		serveForKill(t, db)
		return
	}
	path := filepath.Join(t.TempDir(), "ingest.db")
	st, err := Open(path, Retention{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := st.EnsureProject("p", "go")
	if err != nil {
		t.Fatal(err)
	}
	st.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^TestKill9KeepsAcknowledgedEnvelopes$")
	cmd.Env = append(os.Environ(), killHelperEnv+"="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("the server process printed no address: %v", err)
	}
	var addr string
	if _, err := fmt.Sscanf(line, "listening %s", &addr); err != nil {
		t.Fatalf("the server process printed %q", line)
	}
	url := fmt.Sprintf("http://%s/api/%d/envelope/", addr, p.ID)

	const senders, killAfter = 4, 200
	var (
		mu      sync.Mutex
		acked   []string
		next    atomic.Int64
		killed  = make(chan struct{})
		once    sync.Once
		wg      sync.WaitGroup
		refused atomic.Int64
	)
	client := &http.Client{Timeout: 30 * time.Second}
	for range senders {
		wg.Go(func() {
			for {
				id := fmt.Sprintf("%032x", 0xd0000000+next.Add(1))
				env := envelopeOf(`{}`, [2]string{"event", errorEvent(id, "1000000000000001", "Killed", "f")})
				req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(env))
				req.Header.Set("X-Sentry-Auth", "Sentry sentry_key="+p.Key)
				resp, err := client.Do(req)
				if err != nil {
					select {
					case <-killed:
						return // the server is gone: the stream ends
					default:
						t.Errorf("sending before the kill: %v", err)
						return
					}
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode/100 != 2 {
					refused.Add(1)
					continue
				}
				mu.Lock()
				acked = append(acked, id)
				n := len(acked)
				mu.Unlock()
				if n >= killAfter {
					once.Do(func() {
						close(killed)
						cmd.Process.Kill() // SIGKILL, while the others are mid-request
					})
				}
			}
		})
	}
	wg.Wait()
	cmd.Wait()
	if t.Failed() {
		return
	}

	st, err = Open(path, Retention{})
	if err != nil {
		t.Fatalf("reopening after kill -9: %v", err)
	}
	defer st.Close()
	lost := 0
	for _, id := range acked {
		if r, err := st.get(KindError, id); err != nil || r == nil {
			lost++
		}
	}
	sent := next.Load()
	t.Logf("%d envelopes sent, %d acknowledged (%d refused) before SIGKILL; %d acknowledged ones missing after reopening", sent, len(acked), refused.Load(), lost)
	if lost > 0 {
		t.Errorf("%d of %d acknowledged envelopes were lost", lost, len(acked))
	}
	if len(acked) < killAfter {
		t.Errorf("only %d envelopes were acknowledged", len(acked))
	}
	issues, err := st.Issues()
	if err != nil || len(issues) != 1 {
		t.Fatalf("issues after reopening: %v %v", issues, err)
	}
}

// serveForKill is the server process: it serves the store until killed.
func serveForKill(t *testing.T, db string) {
	st, err := Open(db, Retention{})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("listening %s\n", ln.Addr())
	os.Stdout.Sync()
	srv := &http.Server{Handler: NewServer(st, Options{RatePerSecond: 1e9})}
	t.Fatal(srv.Serve(ln)) // returns only if serving fails: the parent kills this process
}
