package ingest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// rawPost writes a whole request on a plain connection (as a simple SDK or
// curl without Expect does: the body first, the answer after) and reads
// the answer.
func rawPost(t *testing.T, addr, path string, hdr map[string]string, body io.Reader, length int64) (*http.Response, string, error) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	var b strings.Builder
	fmt.Fprintf(&b, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", path, addr, length)
	for k, v := range hdr {
		fmt.Fprintf(&b, "%s: %s\r\n", k, v)
	}
	b.WriteString("\r\n")
	if _, err := io.WriteString(conn, b.String()); err != nil {
		return nil, "", err
	}
	if _, err := io.Copy(conn, body); err != nil {
		return nil, "", fmt.Errorf("writing the body: %w", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	rb, _ := io.ReadAll(resp.Body)
	return resp, string(rb), nil
}

// A body over the limit gets a readable 413, whether the client reads the
// answer while it writes (Go's client) or only after (a plain write-then-
// read client); an empty envelope gets 400; the server keeps serving.
func TestBodyLimitsAnswerReadably(t *testing.T) {
	h := newHarness(t, Options{MaxBody: 64 << 10}, "p")
	p := h.proj["p"]
	addr := strings.TrimPrefix(h.srv.URL, "http://")
	path := fmt.Sprintf("/api/%d/envelope/", p.ID)
	auth := map[string]string{"X-Sentry-Auth": "Sentry sentry_key=" + p.Key + ", sentry_version=7"}
	big := bytes.Repeat([]byte("x"), 8<<20)

	for i := range 3 {
		code, body := h.post(p, big, nil)
		if code != 413 || !strings.Contains(body, "exceeds the limit") {
			t.Fatalf("Go client, try %d: %d %q", i, code, body)
		}
	}
	for i := range 3 {
		resp, body, err := rawPost(t, addr, path, auth, bytes.NewReader(big), int64(len(big)))
		if err != nil {
			t.Fatalf("write-then-read client, try %d: %v (a broken pipe instead of an answer)", i, err)
		}
		if resp.StatusCode != 413 || !strings.Contains(body, "exceeds the limit") {
			t.Fatalf("write-then-read client, try %d: %d %q", i, resp.StatusCode, body)
		}
	}
	// Without a Content-Length (chunked), the limit is found while reading.
	req, _ := http.NewRequest(http.MethodPost, h.srv.URL+path, io.MultiReader(bytes.NewReader(big)))
	req.Header.Set("X-Sentry-Auth", auth["X-Sentry-Auth"])
	req.ContentLength = -1
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("chunked: %v", err)
	}
	rb, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 413 || !strings.Contains(string(rb), "limit") {
		t.Errorf("chunked: %d %q", resp.StatusCode, rb)
	}

	for _, empty := range []string{"", "\n", "{}\n", "{}"} {
		code, body := h.post(p, []byte(empty), nil)
		if code != 400 || !strings.Contains(body, "empty envelope") {
			t.Errorf("envelope %q: %d %q, want 400 saying it is empty", empty, code, body)
		}
	}
	// Still serving.
	env := envelopeOf(`{}`, [2]string{"event", errorEvent("55555555555555555555555555555555", "1", "E", "f")})
	if code, body := h.post(p, env, nil); code != 200 || !strings.Contains(body, "5555") {
		t.Errorf("after the rejections: %d %s", code, body)
	}
}
