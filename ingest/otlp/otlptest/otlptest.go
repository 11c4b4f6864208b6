// Package otlptest builds OpenTelemetry trace data for tests: a checkout
// across three services (storefront → orders → payments) as the Go SDK
// with otelhttp would record it, payments failing with an exception whose
// stack trace is the goroutine dump the Go SDK records.
package otlptest

import (
	"encoding/hex"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// TraceID is the checkout's trace id.
const TraceID = "5b8efff798038103d269b633813fc60c"

// Span ids of the checkout.
const (
	StorefrontServer = "1000000000000001"
	StorefrontClient = "1000000000000002"
	OrdersServer     = "2000000000000001"
	OrdersDB         = "2000000000000002"
	OrdersClient     = "2000000000000003"
	PaymentsServer   = "3000000000000001"
	PaymentsParse    = "3000000000000002"
)

// GoStack is what the Go SDK records for RecordError(err,
// trace.WithStackTrace(true)): runtime.Stack of the goroutine, absolute
// paths, the SDK's own frames on top, cut short at the end.
const GoStack = `goroutine 42 [running]:
go.opentelemetry.io/otel/sdk/trace.recordStackTrace()
	/root/go/pkg/mod/go.opentelemetry.io/otel/sdk@v1.38.0/trace/span.go:557 +0x4a
go.opentelemetry.io/otel/sdk/trace.(*recordingSpan).RecordError(0xc0001a2000, {0x8b2e40, 0xc000126030}, {0xc00011e0c0, 0x1, 0x1})
	/root/go/pkg/mod/go.opentelemetry.io/otel/sdk@v1.38.0/trace/span.go:513 +0x2f1
main.parseAmountCents({0xc000130010, 0x5})
	/home/dev/otel/payments/main.go:71 +0x1d4
main.(*server).charge(0xc000112000, {0x8b9f60, 0xc0001c0000}, 0xc0001b6000)
	/home/dev/otel/payments/main.go:48 +0x1a5
net/http.HandlerFunc.ServeHTTP(0xc000118000, {0x8b9f60, 0xc0001c0000}, 0xc0001b6000)
	/usr/local/go/src/net/http/server.go:2294 +0x29
go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp.(*middleware).serveHTTP(0xc0001`

var base = time.Date(2026, 12, 6, 20, 0, 0, 0, time.UTC)

func id8(s string) pcommon.SpanID {
	var out pcommon.SpanID
	hex.Decode(out[:], []byte(s))
	return out
}

func id16(s string) pcommon.TraceID {
	var out pcommon.TraceID
	hex.Decode(out[:], []byte(s))
	return out
}

func ts(ms int) pcommon.Timestamp {
	return pcommon.NewTimestampFromTime(base.Add(time.Duration(ms) * time.Millisecond))
}

func resource(td ptrace.Traces, service, lang string) ptrace.SpanSlice {
	rs := td.ResourceSpans().AppendEmpty()
	a := rs.Resource().Attributes()
	a.PutStr("service.name", service)
	a.PutStr("service.version", "1.0.0")
	a.PutStr("telemetry.sdk.language", lang)
	a.PutStr("telemetry.sdk.name", "opentelemetry")
	a.PutStr("telemetry.sdk.version", "1.38.0")
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName("go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp")
	return ss.Spans()
}

func addSpan(spans ptrace.SpanSlice, id, parent, name string, kind ptrace.SpanKind, start, end int, remoteParent bool) ptrace.Span {
	s := spans.AppendEmpty()
	s.SetTraceID(id16(TraceID))
	s.SetSpanID(id8(id))
	if parent != "" {
		s.SetParentSpanID(id8(parent))
		f := uint32(0x100)
		if remoteParent {
			f |= 0x200
		}
		s.SetFlags(f | 1)
	}
	s.SetName(name)
	s.SetKind(kind)
	s.SetStartTimestamp(ts(start))
	s.SetEndTimestamp(ts(end))
	return s
}

// Checkout is the whole trace in one export.
func Checkout() ptrace.Traces {
	td := ptrace.NewTraces()
	CheckoutService(td, "storefront")
	CheckoutService(td, "orders")
	CheckoutService(td, "payments")
	return td
}

// CheckoutService appends one service's part of the checkout to td, as
// that service's exporter sends it.
func CheckoutService(td ptrace.Traces, service string) {
	switch service {
	case "storefront":
		sp := resource(td, "Storefront", "go")
		s := addSpan(sp, StorefrontServer, "", "GET /checkout", ptrace.SpanKindServer, 0, 120, false)
		s.Attributes().PutStr("http.request.method", "GET")
		s.Attributes().PutStr("http.route", "/checkout")
		s.Attributes().PutStr("url.path", "/checkout")
		s.Attributes().PutInt("http.response.status_code", 502)
		s.Status().SetCode(ptrace.StatusCodeError)
		c := addSpan(sp, StorefrontClient, StorefrontServer, "POST", ptrace.SpanKindClient, 5, 110, false)
		c.Attributes().PutStr("http.request.method", "POST")
		c.Attributes().PutStr("url.full", "http://127.0.0.1:9/orders?token=secret")
		c.Attributes().PutInt("http.response.status_code", 500)
		c.Status().SetCode(ptrace.StatusCodeError)
	case "orders":
		sp := resource(td, "orders", "go")
		s := addSpan(sp, OrdersServer, StorefrontClient, "POST /orders", ptrace.SpanKindServer, 10, 105, true)
		s.Attributes().PutStr("http.request.method", "POST")
		s.Attributes().PutStr("http.route", "/orders")
		s.Attributes().PutInt("http.response.status_code", 500)
		s.Status().SetCode(ptrace.StatusCodeError)
		db := addSpan(sp, OrdersDB, OrdersServer, "SELECT carts", ptrace.SpanKindClient, 12, 20, false)
		db.Attributes().PutStr("db.system.name", "postgresql")
		db.Attributes().PutStr("db.query.text", "SELECT * FROM carts WHERE id = $1")
		c := addSpan(sp, OrdersClient, OrdersServer, "POST", ptrace.SpanKindClient, 25, 100, false)
		c.Attributes().PutStr("http.request.method", "POST")
		c.Attributes().PutStr("url.full", "http://127.0.0.1:10/charge")
		c.Attributes().PutInt("http.response.status_code", 500)
		c.Status().SetCode(ptrace.StatusCodeError)
	case "payments":
		sp := resource(td, "payments", "go")
		s := addSpan(sp, PaymentsServer, OrdersClient, "POST /charge", ptrace.SpanKindServer, 30, 95, true)
		s.Attributes().PutStr("http.request.method", "POST")
		s.Attributes().PutStr("http.route", "/charge")
		s.Attributes().PutInt("http.response.status_code", 500)
		s.Status().SetCode(ptrace.StatusCodeError)
		p := addSpan(sp, PaymentsParse, PaymentsServer, "parseAmountCents", ptrace.SpanKindInternal, 40, 41, false)
		p.Status().SetCode(ptrace.StatusCodeError)
		p.Status().SetMessage(`strconv.ParseInt: parsing "12.50": invalid syntax`)
		ev := p.Events().AppendEmpty()
		ev.SetName("exception")
		ev.SetTimestamp(ts(41))
		ev.Attributes().PutStr("exception.type", "*strconv.NumError")
		ev.Attributes().PutStr("exception.message", `strconv.ParseInt: parsing "12.50": invalid syntax`)
		ev.Attributes().PutStr("exception.stacktrace", GoStack)
	}
}
