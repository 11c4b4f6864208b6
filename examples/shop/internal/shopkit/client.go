package shopkit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	sentryhttpclient "github.com/getsentry/sentry-go/httpclient"
)

// Downstream calls another shop service over HTTP with JSON.
type Downstream struct {
	baseURL string
	client  *http.Client
}

// NewDownstream returns a client for the service at baseURL. Create it after
// sentry.Init. Its round tripper starts an "http.client" span ("POST
// http://…/charges") under the span on the request's context, sends the
// span's sentry-trace and baggage headers, and sets the span's status from
// the response's code.
func NewDownstream(baseURL string) *Downstream {
	return &Downstream{
		baseURL: strings.TrimRight(baseURL, "/"),
		client: &http.Client{
			Transport: sentryhttpclient.NewSentryRoundTripper(nil),
			Timeout:   15 * time.Second,
		},
	}
}

// PostJSON posts in as JSON to path and returns the response's status code.
// A 2xx body is decoded into out when out is not nil. ctx must be the
// incoming request's context (or one derived from it), which carries the
// transaction the outgoing call belongs to.
func (d *Downstream) PostJSON(ctx context.Context, path string, in, out any) (int, error) {
	body, err := json.Marshal(in)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.baseURL+path, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := d.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 || out == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		return resp.StatusCode, nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return resp.StatusCode, fmt.Errorf("decode the answer to POST %s: %w", path, err)
	}
	return resp.StatusCode, nil
}

// WriteJSON answers with code and v as JSON.
func WriteJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// WriteError answers with code and {"error": msg}.
func WriteError(w http.ResponseWriter, code int, msg string) {
	WriteJSON(w, code, map[string]string{"error": msg})
}
