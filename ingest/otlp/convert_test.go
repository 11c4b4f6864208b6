package otlp

import (
	"encoding/json"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/tracehound/tracehound/ingest/otlp/otlptest"
)

type event struct {
	EventID        string  `json:"event_id"`
	Type           string  `json:"type"`
	Transaction    string  `json:"transaction"`
	Message        string  `json:"message"`
	Platform       string  `json:"platform"`
	Release        string  `json:"release"`
	StartTimestamp float64 `json:"start_timestamp"`
	Timestamp      float64 `json:"timestamp"`
	Contexts       struct {
		Trace struct {
			TraceID      string `json:"trace_id"`
			SpanID       string `json:"span_id"`
			ParentSpanID string `json:"parent_span_id"`
			Op           string `json:"op"`
			Status       string `json:"status"`
		} `json:"trace"`
	} `json:"contexts"`
	Spans []struct {
		SpanID       string         `json:"span_id"`
		ParentSpanID string         `json:"parent_span_id"`
		Op           string         `json:"op"`
		Description  string         `json:"description"`
		Status       string         `json:"status"`
		Data         map[string]any `json:"data"`
	} `json:"spans"`
	Exception struct {
		Values []struct {
			Type       string `json:"type"`
			Value      string `json:"value"`
			Stacktrace struct {
				Frames []Frame `json:"frames"`
			} `json:"stacktrace"`
		} `json:"values"`
	} `json:"exception"`
	Request struct {
		Method string `json:"method"`
		URL    string `json:"url"`
	} `json:"request"`
}

func decodeItems(t *testing.T, svc *Service) (txs, errs []event, loose []map[string]any) {
	t.Helper()
	for _, it := range svc.Items {
		switch it.Type {
		case "transaction", "event":
			var ev event
			if err := json.Unmarshal(it.Payload, &ev); err != nil {
				t.Fatal(err)
			}
			if it.Type == "transaction" {
				txs = append(txs, ev)
			} else {
				errs = append(errs, ev)
			}
		case "span":
			var m map[string]any
			if err := json.Unmarshal(it.Payload, &m); err != nil {
				t.Fatal(err)
			}
			loose = append(loose, m)
		default:
			t.Fatalf("item type %q", it.Type)
		}
	}
	return
}

func TestConvertCheckout(t *testing.T) {
	res := Convert(otlptest.Checkout())
	if res.Rejected != 0 || len(res.Services) != 3 {
		t.Fatalf("rejected %d, %d services", res.Rejected, len(res.Services))
	}
	var slugs []string
	for _, s := range res.Services {
		slugs = append(slugs, s.Slug)
	}
	if strings.Join(slugs, ",") != "storefront,orders,payments" || res.Services[0].Name != "Storefront" || res.Services[0].Platform != "go" {
		t.Fatalf("services %v (first %q, %q)", slugs, res.Services[0].Name, res.Services[0].Platform)
	}

	// storefront: the server span is the transaction, the client span its
	// span (URL without the query); the failed client call is the error
	// (the server's own ERROR status adds nothing: it is reported below).
	txs, errs, loose := decodeItems(t, res.Services[0])
	if len(txs) != 1 || len(errs) != 1 || len(loose) != 0 {
		t.Fatalf("storefront: %d transactions, %d errors, %d loose spans", len(txs), len(errs), len(loose))
	}
	tx := txs[0]
	if tx.Transaction != "GET /checkout" || tx.Contexts.Trace.Op != "http.server" || tx.Contexts.Trace.Status != "internal_error" ||
		tx.Contexts.Trace.SpanID != otlptest.StorefrontServer || tx.Contexts.Trace.TraceID != otlptest.TraceID || tx.Release != "storefront@1.0.0" {
		t.Errorf("storefront transaction: %+v", tx)
	}
	if tx.Timestamp-tx.StartTimestamp < 0.119 || tx.Timestamp-tx.StartTimestamp > 0.121 {
		t.Errorf("duration %.3fs, want 0.120", tx.Timestamp-tx.StartTimestamp)
	}
	if tx.Request.Method != "GET" || tx.Request.URL != "/checkout" {
		t.Errorf("request %+v", tx.Request)
	}
	if len(tx.Spans) != 1 || tx.Spans[0].Op != "http.client" || tx.Spans[0].Description != "POST http://127.0.0.1:9/orders" ||
		tx.Spans[0].ParentSpanID != otlptest.StorefrontServer || tx.Spans[0].Status != "internal_error" {
		t.Errorf("storefront spans: %+v", tx.Spans)
	}
	if tx.Spans[0].Data["url.full"] != "http://127.0.0.1:9/orders?token=secret" || tx.Spans[0].Data["otel.kind"] != "Client" {
		t.Errorf("span data not kept: %v", tx.Spans[0].Data)
	}
	if e := errs[0]; e.Message != "POST http://127.0.0.1:9/orders: HTTP 500" || e.Contexts.Trace.SpanID != otlptest.StorefrontClient || e.Transaction != "GET /checkout" {
		t.Errorf("storefront error: %+v", e)
	}

	// orders: a remote parent (storefront's client span) makes the server
	// span a local root; the database span is "db" with its query.
	txs, errs, _ = decodeItems(t, res.Services[1])
	if len(txs) != 1 || len(errs) != 1 || txs[0].Contexts.Trace.ParentSpanID != otlptest.StorefrontClient {
		t.Fatalf("orders: %d transactions, %d errors: %+v", len(txs), len(errs), txs)
	}
	if sp := txs[0].Spans[0]; sp.Op != "db" || sp.Description != "SELECT * FROM carts WHERE id = $1" {
		t.Errorf("orders db span: %+v", sp)
	}

	// payments: the exception, with the Go SDK's stack parsed.
	txs, errs, _ = decodeItems(t, res.Services[2])
	if len(txs) != 1 || len(errs) != 1 {
		t.Fatalf("payments: %d transactions, %d errors", len(txs), len(errs))
	}
	e := errs[0]
	if len(e.Exception.Values) != 1 || e.Exception.Values[0].Type != "*strconv.NumError" || e.Contexts.Trace.SpanID != otlptest.PaymentsParse || e.Transaction != "POST /charge" {
		t.Fatalf("payments error: %+v", e)
	}
	frames := e.Exception.Values[0].Stacktrace.Frames
	var app []string
	for _, f := range frames {
		if f.InApp {
			app = append(app, f.Function)
		}
	}
	if strings.Join(app, ",") != "(*server).charge,parseAmountCents" || frames[len(frames)-3].AbsPath != "/home/dev/otel/payments/main.go" {
		t.Errorf("payments frames: in-app %v, %+v", app, frames)
	}
	// The same data converted twice gives the same ids (a re-sent export is
	// stored once).
	again := Convert(otlptest.Checkout())
	if string(again.Services[2].Items[0].Payload) != string(res.Services[2].Items[0].Payload) {
		t.Error("converting twice gave different events")
	}
}

// A batch that holds a span but not its local root (the exporter sent
// them apart) keeps the span on its own; spans without ids are rejected.
func TestConvertSplitBatch(t *testing.T) {
	td := ptrace.NewTraces()
	otlptest.CheckoutService(td, "payments")
	spans := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
	spans.RemoveIf(func(s ptrace.Span) bool { return s.Name() == "POST /charge" })
	bad := spans.AppendEmpty()
	bad.SetName("no ids")
	res := Convert(td)
	if res.Rejected != 1 || res.Problem == "" {
		t.Errorf("rejected %d (%q), want 1", res.Rejected, res.Problem)
	}
	txs, errs, loose := decodeItems(t, res.Services[0])
	if len(txs) != 0 || len(errs) != 1 || len(loose) != 1 {
		t.Fatalf("%d transactions, %d errors, %d loose", len(txs), len(errs), len(loose))
	}
	if loose[0]["span_id"] != otlptest.PaymentsParse || loose[0]["parent_span_id"] != otlptest.PaymentsServer {
		t.Errorf("loose span %v", loose[0])
	}
	if errs[0].Transaction != "" || errs[0].Contexts.Trace.SpanID != otlptest.PaymentsParse {
		t.Errorf("error of a loose span: %+v", errs[0])
	}
}

func TestDecode(t *testing.T) {
	req := ptraceotlp.NewExportRequestFromTraces(otlptest.Checkout())
	pb, _ := req.MarshalProto()
	js, _ := req.MarshalJSON()
	for _, tc := range []struct {
		enc  string
		body []byte
	}{{Protobuf, pb}, {JSON, js}} {
		td, err := DecodeRequest(tc.body, tc.enc)
		if err != nil || td.SpanCount() != 7 {
			t.Errorf("%s: %d spans, %v", tc.enc, td.SpanCount(), err)
		}
	}
	if _, err := DecodeRequest([]byte("{not json"), JSON); err == nil {
		t.Error("bad JSON decoded")
	}
	if _, err := DecodeRequest([]byte{0xff, 0xff, 0xff}, Protobuf); err == nil {
		t.Error("bad protobuf decoded")
	}
	// The Collector's file exporter: one TracesData per line.
	var m ptrace.JSONMarshaler
	var file []byte
	for _, svc := range []string{"storefront", "orders", "payments"} {
		td := ptrace.NewTraces()
		otlptest.CheckoutService(td, svc)
		line, _ := m.MarshalTraces(td)
		file = append(append(file, line...), '\n')
	}
	td, err := DecodeFile(file)
	if err != nil || td.SpanCount() != 7 || td.ResourceSpans().Len() != 3 {
		t.Fatalf("file: %d spans, %v", td.SpanCount(), err)
	}
	if _, err := DecodeFile(append(file, []byte("{\"resourceSpans\": [\n")...)); err == nil || !strings.Contains(err.Error(), "line 4") {
		t.Errorf("a broken line: %v", err)
	}
	for in, want := range map[string]string{
		"application/x-protobuf": Protobuf, "application/json; charset=utf-8": JSON, "text/plain": "", "": "",
	} {
		if got := MediaType(in); got != want {
			t.Errorf("MediaType(%q) = %q", in, got)
		}
	}
}
