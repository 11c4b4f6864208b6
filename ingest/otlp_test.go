package ingest

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	rpcstatus "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/tracehound/tracehound/ingest/otlp"
	"github.com/tracehound/tracehound/ingest/otlp/otlptest"
	"github.com/tracehound/tracehound/sentryapi"
	"github.com/tracehound/tracehound/tracetree"
)

// postOTLP sends an export of td encoded as enc (gzipped when asked) and
// returns the status, the response's content type and body.
func (h *harness) postOTLP(td ptrace.Traces, enc string, gz bool) (int, string, []byte) {
	h.t.Helper()
	req := ptraceotlp.NewExportRequestFromTraces(td)
	var body []byte
	var err error
	if enc == otlp.JSON {
		body, err = req.MarshalJSON()
	} else {
		body, err = req.MarshalProto()
	}
	if err != nil {
		h.t.Fatal(err)
	}
	hdr := map[string]string{"Content-Type": enc}
	if gz {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		w.Write(body)
		w.Close()
		body = b.Bytes()
		hdr["Content-Encoding"] = "gzip"
	}
	return h.postRaw(body, hdr)
}

func (h *harness) postRaw(body []byte, hdr map[string]string) (int, string, []byte) {
	h.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, h.srv.URL+OTLPTracesPath, bytes.NewReader(body))
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), b
}

// exportResponse decodes a 200 answer in its encoding.
func exportResponse(t *testing.T, ctype string, body []byte) ptraceotlp.ExportResponse {
	t.Helper()
	resp := ptraceotlp.NewExportResponse()
	var err error
	switch ctype {
	case otlp.JSON:
		err = resp.UnmarshalJSON(body)
	case otlp.Protobuf:
		err = resp.UnmarshalProto(body)
	default:
		t.Fatalf("answered with Content-Type %q", ctype)
	}
	if err != nil {
		t.Fatalf("the answer does not decode: %v (%q)", err, body)
	}
	return resp
}

// checkCheckout reads the checkout back through the Sentry-compatible API:
// one tree storefront → orders → payments, the three projects created on
// first sight, each transaction with its error, payments' error with the
// frame that failed.
func checkCheckout(t *testing.T, h *harness) {
	t.Helper()
	ctx := context.Background()
	tr, err := h.api.Trace(ctx, otlptest.TraceID, sentryapi.TraceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tree := tracetree.Build(tr.Items, tracetree.BuildOptions{TraceID: otlptest.TraceID})
	rendered := tracetree.Render(tree, tracetree.RenderOptions{})
	if tree.Transactions != 3 || tree.Errors != 3 || len(tree.Roots) != 1 || strings.Join(tree.Services, ",") != "orders,payments,storefront" {
		t.Fatalf("tree: %d transactions, %d errors, %d roots, services %v:\n%s", tree.Transactions, tree.Errors, len(tree.Roots), tree.Services, rendered)
	}
	root := tr.Items[0]
	if root.ProjectSlug != "storefront" || root.Transaction != "GET /checkout" || root.Op != "http.server" {
		t.Errorf("root: %s %q %s", root.ProjectSlug, root.Transaction, root.Op)
	}
	projects, err := h.api.Projects(ctx)
	if err != nil || len(projects) != 3 {
		t.Fatalf("projects %+v %v", projects, err)
	}
	issues, err := h.api.LatestIssues(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	var pay *string
	for i := range issues {
		if issues[i].Project.Slug == "payments" {
			id := string(issues[i].ID)
			pay = &id
			if issues[i].Metadata.Function != "parseAmountCents" || !strings.HasPrefix(issues[i].ShortID, "PAYMENTS-") {
				t.Errorf("payments issue: %+v", issues[i])
			}
		}
	}
	if len(issues) != 3 || pay == nil {
		t.Fatalf("%d issues, payments' found: %v", len(issues), pay != nil)
	}
	ev, err := h.api.RecommendedEvent(ctx, *pay)
	if err != nil {
		t.Fatal(err)
	}
	ex := ev.Exception()
	if ev.TraceID() != otlptest.TraceID || ex == nil || len(ex.Values) != 1 {
		t.Fatalf("payments event: trace %q, exception %+v", ev.TraceID(), ex)
	}
	frames := ex.Values[0].Stacktrace.Frames
	if f := frames[len(frames)-3]; f.Function != "parseAmountCents" || f.AbsPath != "/home/dev/otel/payments/main.go" || f.LineNo != 71 || !f.IsInApp() {
		t.Errorf("the failing frame: %+v", f)
	}
	// The transaction's spans keep their attributes as data.
	tx, err := h.api.Event(ctx, "orders", root.Children[0].Children[0].TransactionID)
	if err != nil {
		t.Fatal(err)
	}
	var db bool
	for _, sp := range tx.Spans() {
		if sp.Op == "db" && sp.Description == "SELECT * FROM carts WHERE id = $1" && sp.Data != nil {
			db = true
		}
	}
	if !db {
		t.Errorf("orders transaction spans: %+v", tx.Spans())
	}
}

func TestOTLPEncodings(t *testing.T) {
	for _, tc := range []struct {
		name string
		enc  string
		gz   bool
	}{
		{"protobuf", otlp.Protobuf, false},
		{"protobuf gzip", otlp.Protobuf, true},
		{"json", otlp.JSON, false},
		{"json gzip", otlp.JSON, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, Options{}) // no projects: OTLP creates them
			code, ctype, body := h.postOTLP(otlptest.Checkout(), tc.enc, tc.gz)
			if code != 200 {
				t.Fatalf("%d %s", code, body)
			}
			if ps := exportResponse(t, ctype, body).PartialSuccess(); ps.RejectedSpans() != 0 || ps.ErrorMessage() != "" {
				t.Errorf("partial success %d %q", ps.RejectedSpans(), ps.ErrorMessage())
			}
			checkCheckout(t, h)
			// Sent again (an exporter retrying): stored once.
			if code, _, body := h.postOTLP(otlptest.Checkout(), tc.enc, tc.gz); code != 200 {
				t.Fatalf("again: %d %s", code, body)
			}
			checkCheckout(t, h)
		})
	}
}

// Each service exports on its own, in its own encoding: the tree is the
// same.
func TestOTLPServicesApart(t *testing.T) {
	h := newHarness(t, Options{}, "orders") // one project exists already
	for i, svc := range []string{"payments", "orders", "storefront"} {
		td := ptrace.NewTraces()
		otlptest.CheckoutService(td, svc)
		enc := otlp.Protobuf
		if i%2 == 1 {
			enc = otlp.JSON
		}
		if code, _, body := h.postOTLP(td, enc, false); code != 200 {
			t.Fatalf("%s: %d %s", svc, code, body)
		}
	}
	checkCheckout(t, h)
}

func TestOTLPPartialSuccess(t *testing.T) {
	h := newHarness(t, Options{})
	td := otlptest.Checkout()
	td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().AppendEmpty().SetName("no ids")
	code, ctype, body := h.postOTLP(td, otlp.JSON, false)
	if code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	ps := exportResponse(t, ctype, body).PartialSuccess()
	if ps.RejectedSpans() != 1 || !strings.Contains(ps.ErrorMessage(), "trace_id") {
		t.Errorf("partial success %d %q", ps.RejectedSpans(), ps.ErrorMessage())
	}
	checkCheckout(t, h) // the others are kept
}

func TestOTLPErrors(t *testing.T) {
	h := newHarness(t, Options{MaxBody: 2048})
	big := ptrace.NewTraces()
	for range 30 {
		otlptest.CheckoutService(big, "orders")
	}
	bigBody, _ := ptraceotlp.NewExportRequestFromTraces(big).MarshalProto()
	for _, tc := range []struct {
		name     string
		body     []byte
		hdr      map[string]string
		code     int
		wantType string
		want     string
	}{
		{"bad json", []byte(`{"resourceSpans": [`), map[string]string{"Content-Type": otlp.JSON}, 400, otlp.JSON, "malformed"},
		{"bad protobuf", []byte{0x0a, 0xff, 0xff, 0xff}, map[string]string{"Content-Type": otlp.Protobuf}, 400, otlp.Protobuf, "malformed"},
		{"corrupt gzip", []byte("not gzip"), map[string]string{"Content-Type": otlp.Protobuf, "Content-Encoding": "gzip"}, 400, otlp.Protobuf, ""},
		{"over the limit", bigBody, map[string]string{"Content-Type": otlp.Protobuf}, 413, otlp.Protobuf, "limit"},
		{"another content type", []byte("x"), map[string]string{"Content-Type": "text/plain"}, 415, otlp.JSON, "application/x-protobuf"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, ctype, body := h.postRaw(tc.body, tc.hdr)
			if code != tc.code || ctype != tc.wantType {
				t.Fatalf("%d %q, want %d %q: %s", code, ctype, tc.code, tc.wantType, body)
			}
			var st rpcstatus.Status
			var err error
			if ctype == otlp.JSON {
				err = protojson.Unmarshal(body, &st)
			} else {
				err = proto.Unmarshal(body, &st)
			}
			if err != nil || st.Code != codeInvalidArgument || !strings.Contains(st.Message, tc.want) {
				t.Errorf("status body %+v (%v)", &st, err)
			}
		})
	}
	if counts, _ := h.store.Counts(); len(counts) != 0 {
		t.Errorf("rejected bodies stored something: %v", counts)
	}
	req, _ := http.NewRequest(http.MethodGet, h.srv.URL+OTLPTracesPath, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "POST, OPTIONS" {
		t.Errorf("GET: %d %q", resp.StatusCode, resp.Header.Get("Allow"))
	}
}

// OTLP/gRPC (serve --otlp-grpc-addr): the Collector's own gRPC client
// exports the checkout; it is stored as over HTTP, and rejected spans come
// back as partial success.
func TestOTLPGRPC(t *testing.T) {
	h := newHarness(t, Options{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- NewServer(h.store, Options{}).ServeOTLPGRPC(ctx, ln) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	conn, err := grpc.NewClient(ln.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	td := otlptest.Checkout()
	td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().AppendEmpty().SetName("no ids")
	resp, err := ptraceotlp.NewGRPCClient(conn).Export(ctx, ptraceotlp.NewExportRequestFromTraces(td))
	if err != nil {
		t.Fatal(err)
	}
	if resp.PartialSuccess().RejectedSpans() != 1 {
		t.Errorf("rejected %d", resp.PartialSuccess().RejectedSpans())
	}
	checkCheckout(t, h)
}
