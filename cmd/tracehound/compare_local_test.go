package main

import (
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tracehound/tracehound/ingest"
)

// sdkTransaction is a transaction event as an SDK sends it: POST /checkout
// of project shop, calling the payment provider (and, when it fails, the
// refund endpoint too, with the provider call failing).
func sdkTransaction(traceID, eventID string, start float64, failed bool) string {
	status, code, extra := "ok", 200, ""
	if failed {
		status, code = "internal_error", 500
		extra = fmt.Sprintf(`,{"span_id":"%s","parent_span_id":"a000000000000001","op":"http.client","description":"POST https://psp.test/v1/refunds","status":"ok","start_timestamp":%.3f,"timestamp":%.3f}`,
			eventID[:8]+"00000003", start+0.31, start+0.33)
	}
	pspStatus := "ok"
	if failed {
		pspStatus = "deadline_exceeded"
	}
	return fmt.Sprintf(`{"event_id":%q,"type":"transaction","platform":"go","transaction":"POST /checkout","release":"shop@1.0.%d",
 "start_timestamp":%.3f,"timestamp":%.3f,"tags":{"http.status_code":"%d"},
 "contexts":{"trace":{"trace_id":%q,"span_id":"a000000000000001","op":"http.server","status":%q}},
 "spans":[{"span_id":"%s","parent_span_id":"a000000000000001","op":"db","description":"SELECT * FROM carts WHERE id = 42","status":"ok","start_timestamp":%.3f,"timestamp":%.3f},
  {"span_id":"%s","parent_span_id":"a000000000000001","op":"http.client","description":"POST https://psp.test/v1/charges","status":%q,"start_timestamp":%.3f,"timestamp":%.3f}%s]}`,
		eventID, map[bool]int{false: 1, true: 2}[failed], start, start+0.4, code, traceID, status,
		eventID[:8]+"00000001", start+0.01, start+0.02,
		eventID[:8]+"00000002", pspStatus, start+0.03, start+map[bool]float64{false: 0.2, true: 0.3}[failed], extra)
}

// Two traces of one transaction ingested by tracehound serve, one failing:
// compare --local finds the healthy one among the store's traces and shows
// what differs.
func TestCompareOnIngestedTraces(t *testing.T) {
	st, err := ingest.Open(filepath.Join(t.TempDir(), "db"), ingest.DefaultRetention())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	p, err := st.EnsureProject("shop", "go")
	if err != nil {
		t.Fatal(err)
	}
	const healthyTrace, failingTrace = "11111111111111111111111111111111", "22222222222222222222222222222222"
	items := []ingest.Item{
		{Type: "transaction", Payload: []byte(sdkTransaction(healthyTrace, "b1000000000000000000000000000001", 1_800_000_000, false))},
		{Type: "transaction", Payload: []byte(sdkTransaction(failingTrace, "c2000000000000000000000000000002", 1_800_000_600, true))},
		{Type: "event", Payload: []byte(`{"event_id":"e3000000000000000000000000000003","platform":"go","transaction":"POST /checkout",
 "exception":{"values":[{"type":"PSPTimeout","value":"psp did not answer"}]},
 "contexts":{"trace":{"trace_id":"` + failingTrace + `","span_id":"c200000000000002"}}}`)},
	}
	for _, it := range items {
		if _, err := st.Ingest(p, "", []ingest.Item{it}); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(ingest.NewServer(st, ingest.Options{}))
	defer srv.Close()

	r := runCLI(t, nil, "compare", "--local", "--url", srv.URL)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	wantContains(t, "compare --local", r.stdout,
		"Compare shop http.server POST /checkout with a healthy trace",
		"healthy  trace 11111111",
		"Releases differ: shop@1.0.1 → shop@1.0.2",
		"First divergence: shop http.client POST https://psp.test/v1/charges — 170ms → 270ms (×1.6); status ok → deadline_exceeded; error SHOP-1 PSPTimeout: psp did not answer",
		"only in the failing trace",
		"POST https://psp.test/v1/refunds")

	// The failing trace named as the healthy one is compared too, with a
	// note that it is not healthy.
	r = runCLI(t, nil, "compare", "--local", "--url", srv.URL, "--healthy", failingTrace)
	if r.code != 0 || !strings.Contains(r.stdout, "it is not healthy either") {
		t.Errorf("--healthy the failing trace: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
