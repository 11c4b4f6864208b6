package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/tracehound/tracehound/examples/otel/internal/otelkit"
)

// The discount written "15%" fails, and the failure is recorded where it
// happens: an exception event on parseDiscountPercent's span, with a stack
// through that function (what tracehound's error view and analyzer read).
func TestPriceRecordsTheFailure(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	srv := httptest.NewServer((&server{svc: &otelkit.Service{Name: "pricing", Tracer: tp.Tracer("pricing")}}).routes())
	defer srv.Close()

	for sku, want := range map[string]int{"s1": 200, "s3": 200, "s2": 500, "nope": 404} {
		resp, err := http.Get(srv.URL + "/prices/" + sku)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("%s: %d, want %d", sku, resp.StatusCode, want)
		}
	}
	var found bool
	for _, s := range rec.Ended() {
		for _, ev := range s.Events() {
			if ev.Name != "exception" {
				continue
			}
			var stack string
			for _, a := range ev.Attributes {
				if a.Key == "exception.stacktrace" {
					stack = a.Value.AsString()
				}
			}
			if s.Name() != "parseDiscountPercent" || !strings.Contains(stack, "parseDiscountPercent") {
				t.Errorf("an exception on %q, stack:\n%s", s.Name(), stack)
			}
			found = true
		}
	}
	if !found {
		t.Error("no exception was recorded")
	}
}
