package e2e

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// proc is a background process whose output is collected.
type proc struct {
	cmd *exec.Cmd
	mu  sync.Mutex
	out strings.Builder
}

func (p *proc) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.Write(b)
}

func (p *proc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// startProc runs name with args and env, stopped when the test ends.
func startProc(t *testing.T, env []string, name string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(name, args...)}
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = p, p
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = p.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { p.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			p.cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("%s output:\n%s", filepath.Base(name), p.output())
		}
	})
	return p
}

// waitOutput waits until the process printed something matching re.
func (p *proc) waitOutput(t *testing.T, what string, re *regexp.Regexp) []string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(p.output()); m != nil {
			return m
		}
		if p.cmd.ProcessState != nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s; output:\n%s", what, p.output())
	return nil
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// run runs the tracehound binary and returns its stdout.
func run(t *testing.T, bin string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "TRACEHOUND_MODEL=", "OPENAI_BASE_URL=", "XDG_STATE_HOME="+t.TempDir())
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tracehound %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, out, stderr.String())
	}
	return string(out)
}

// TestRealSDKThroughServe is the whole path with the real Sentry Go SDK:
// three services of examples/shop send to `tracehound serve`, and the CLI
// reads back one trace with the three transactions linked, the errors on
// the right transactions, and an offline analysis naming the failing
// service and function.
func TestRealSDKThroughServe(t *testing.T) {
	bin := build(t)
	shop, err := filepath.Abs("../examples/shop")
	if err != nil {
		t.Fatal(err)
	}
	svcDir := t.TempDir()
	// -trimpath=false: sentry-go decides in_app by the frames' absolute
	// paths, which a GOFLAGS=-trimpath would drop.
	b := exec.Command("go", "build", "-trimpath=false", "-o", svcDir, "./storefront", "./orders", "./payments")
	b.Dir = shop
	if out, err := b.CombinedOutput(); err != nil {
		t.Fatalf("building examples/shop: %v\n%s", err, out)
	}

	port := freePort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	serve := startProc(t, nil, bin, "serve", "storefront", "orders", "payments",
		"--addr", fmt.Sprintf("127.0.0.1:%d", port), "--db", filepath.Join(t.TempDir(), "ingest.db"))
	serve.waitOutput(t, "the DSNs", regexp.MustCompile(`payments\s+SENTRY_DSN=(\S+)`))
	dsn := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^\s+(\w+)\s+SENTRY_DSN=(\S+)$`).FindAllStringSubmatch(serve.output(), -1) {
		dsn[m[1]] = m[2]
	}
	if len(dsn) != 3 {
		t.Fatalf("serve printed %d DSNs:\n%s", len(dsn), serve.output())
	}

	ports := map[string]int{"storefront": freePort(t), "orders": freePort(t), "payments": freePort(t)}
	url := func(s string) string { return fmt.Sprintf("http://127.0.0.1:%d", ports[s]) }
	for _, s := range []string{"payments", "orders", "storefront"} {
		p := startProc(t, []string{
			"SENTRY_DSN=" + dsn[s], fmt.Sprintf("PORT=%d", ports[s]), "SENTRY_RELEASE=" + s + "@1.0.0",
			"ORDERS_URL=" + url("orders"), "PAYMENTS_URL=" + url("payments"),
		}, filepath.Join(svcDir, s))
		p.waitOutput(t, s+" to listen", regexp.MustCompile(s+` listening on`))
	}

	// A checkout with a decimal amount fails in payments.
	resp, err := http.Get(url("storefront") + "/checkout?cart=c1")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode < 500 {
		t.Fatalf("checkout answered %d, want the failure", resp.StatusCode)
	}

	// Wait until the three errors are in (the SDKs send synchronously, but
	// the storefront's error is the last one): storefront → orders →
	// payments, each transaction with its own error.
	chain := []string{"storefront", "orders", "payments"}
	waitChain(t, bin, base, chain)

	// The offline analyzer, given the services' code, names the failing
	// service and function.
	var repos []string
	for _, s := range chain {
		repos = append(repos, "--repo", s+"="+shop)
	}
	// The latest issue is the storefront's; the analysis follows the
	// connected errors down to payments.
	report := run(t, bin, append([]string{"analyze", "--local", "--url", base, "--offline"}, repos...)...)
	if !strings.Contains(report, "payments") || !strings.Contains(report, "parseAmountCents") {
		t.Errorf("the analysis does not name payments and parseAmountCents:\n%s", report)
	}
}
