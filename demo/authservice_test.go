package demo_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tracehound/tracehound/demo"
)

// queryTest signs a request the way payments/auth_client.py does (method,
// path without the query, timestamp, body hash) and expects auth-service to
// accept it. auth-service's own tests never sign a query string.
const queryTest = `package signing

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestVerifyAcceptsPaymentsSignatureWithQuery(t *testing.T) {
	now := time.Date(2026, 11, 20, 3, 12, 24, 0, time.UTC)
	secret := []byte("0123456789abcdef0123456789abcdef")
	body := ` + "`" + `{"token": "pt_live_7Hq2vKx9"}` + "`" + `
	r := httptest.NewRequest(http.MethodPost, "http://auth-service.internal:8080/v1/tokens/introspect?audience=payments", strings.NewReader(body))

	ts := strconv.FormatInt(now.Unix(), 10)
	sum := sha256.Sum256([]byte(body))
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(strings.Join([]string{"POST", r.URL.EscapedPath(), ts, hex.EncodeToString(sum[:])}, "\n")))
	r.Header.Set(HeaderKeyID, "payments-2026-10")
	r.Header.Set(HeaderTimestamp, ts)
	r.Header.Set(HeaderSignature, hex.EncodeToString(m.Sum(nil)))

	v := &Verifier{Keys: StaticKeys{"payments-2026-10": secret}, Now: func() time.Time { return now }}
	if _, err := v.Verify(r); err != nil {
		t.Fatalf("Verify rejected a payments-style signature: %v", err)
	}
}
`

func goTest(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("go", append([]string{"test", "-count=1"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOTOOLCHAIN=local", "GOFLAGS=-mod=mod", "GOPROXY=off")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestAuthServiceBugIsReal(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is not on PATH; cannot run auth-service's tests")
	}
	if testing.Short() {
		t.Skip("builds and tests the demo auth-service")
	}
	repos, err := demo.Materialize(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	auth := repos["acme/auth-service"]
	if out, err := goTest(t, auth, "./..."); err != nil {
		t.Fatalf("auth-service's own tests fail:\n%s", out)
	}

	if err := os.WriteFile(filepath.Join(auth, "internal/signing/query_test.go"), []byte(queryTest), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := goTest(t, auth, "./internal/signing/")
	if err == nil {
		t.Fatalf("a payments-style signed request with a query string verifies; the demo bug is gone:\n%s", out)
	}
	if !strings.Contains(out, "signature mismatch") {
		t.Errorf("the query-string test failed for another reason:\n%s", out)
	}

	if _, err := exec.LookPath("git"); err != nil {
		return
	}
	// The same test passes on 2.13.0, before the bad commit.
	git(t, auth, "checkout", "-q", "v2.13.0", "--", "internal/signing/canonical.go")
	if out, err := goTest(t, auth, "./internal/signing/"); err != nil {
		t.Errorf("the query-string test fails on 2.13.0 too:\n%s", out)
	}
}
