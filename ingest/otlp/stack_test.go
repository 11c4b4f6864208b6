package otlp

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tracehound/tracehound/ingest/otlp/otlptest"
)

// frameList renders frames as "function file:line [app]" lines, caller
// first.
func frameList(fs []Frame) string {
	var b strings.Builder
	for _, f := range fs {
		app := ""
		if f.InApp {
			app = " app"
		}
		fn := f.Function
		if f.Module != "" {
			fn = f.Module + "." + fn
		}
		fmt.Fprintf(&b, "%s %s:%d%s\n", fn, f.Filename, f.LineNo, app)
	}
	return b.String()
}

func TestParseStack(t *testing.T) {
	for _, tc := range []struct {
		name, lang, text, want string
	}{
		{"go goroutine dump cut short", "go", otlptest.GoStack, `net/http.HandlerFunc.ServeHTTP http/server.go:2294
main.(*server).charge payments/main.go:48 app
main.parseAmountCents payments/main.go:71 app
go.opentelemetry.io/otel/sdk/trace.(*recordingSpan).RecordError trace/span.go:513
go.opentelemetry.io/otel/sdk/trace.recordStackTrace trace/span.go:557
`},
		{"go without a language", "", "goroutine 1 [running]:\nmain.main()\n\t/app/main.go:9 +0x10\ncreated by main.start in goroutine 1\n\t/app/start.go:3 +0x2\n", `main.start app/start.go:3 app
main.main app/main.go:9 app
`},
		{"go module package", "go", "goroutine 7 [running]:\ngithub.com/acme/shop/payments.Charge(...)\n\t/src/shop/payments/charge.go:12 +0x1\n", "github.com/acme/shop/payments.Charge payments/charge.go:12 app\n"},
		{"python chained", "python", `Traceback (most recent call last):
  File "/usr/lib/python3.12/json/decoder.py", line 353, in raw_decode
    obj, end = self.scan_once(s, idx)
StopIteration: 0

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "/app/orders/views.py", line 42, in create_order
    total = parse_total(body)
  File "/app/orders/money.py", line 7, in parse_total
    return int(body["total"])
  File "/venv/lib/python3.12/site-packages/flask/app.py", line 880, in wrapper
    raise
ValueError: invalid literal for int() with base 10: '12.50'
`, `app.orders.views.create_order app/orders/views.py:42 app
app.orders.money.parse_total app/orders/money.py:7 app
flask.app.wrapper flask/app.py:880
`},
		{"java with cause", "java", `java.lang.IllegalStateException: payment failed
	at com.acme.pay.Charger.charge(Charger.java:88)
	at com.acme.pay.Api$Handler.handle(Api.java:31)
	at org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:897)
	at java.base/java.lang.Thread.run(Thread.java:1583)
Caused by: java.lang.NumberFormatException: For input string: "12.50"
	at java.base/java.lang.Long.parseLong(Long.java:709)
	... 4 more
`, `java.lang.Thread.run Thread.java:1583
org.springframework.web.servlet.FrameworkServlet.service FrameworkServlet.java:897
com.acme.pay.Api$Handler.handle Api.java:31 app
com.acme.pay.Charger.charge Charger.java:88 app
`},
		{"node", "nodejs", `TypeError: Cannot read properties of undefined (reading 'id')
    at getUser (/srv/app/src/users.js:14:22)
    at async Promise.all (index 0)
    at /srv/app/src/routes.js:30:5
    at Layer.handle [as handle_request] (/srv/app/node_modules/express/lib/router/layer.js:95:5)
    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)
`, `process.processTicksAndRejections node:internal/process/task_queues:95
Layer.handle [as handle_request] node_modules/express/lib/router/layer.js:95
 srv/app/src/routes.js:30 app
getUser srv/app/src/users.js:14 app
`},
		{".NET", "dotnet", `System.InvalidOperationException: Sequence contains no elements
   at System.Linq.ThrowHelper.ThrowNoElementsException()
   at Shop.Orders.OrderService.Total(Order o) in /src/Shop/Orders/OrderService.cs:line 27
   at Shop.Orders.OrdersController.Post(OrderDto dto) in C:\build\Shop\Orders\OrdersController.cs:line 15
`, `Shop.Orders.OrdersController.Post build/Shop/Orders/OrdersController.cs:15 app
Shop.Orders.OrderService.Total src/Shop/Orders/OrderService.cs:27 app
System.Linq.ThrowHelper.ThrowNoElementsException :0
`},
		{"unknown text", "", "something went wrong\nat some point", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := frameList(ParseStack(tc.text, tc.lang))
			if got != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

func TestParseStackBounds(t *testing.T) {
	var b strings.Builder
	b.WriteString("goroutine 1 [running]:\n")
	for i := range 500 {
		fmt.Fprintf(&b, "main.f%d()\n\t/app/main.go:%d +0x1\n", i, i+1)
	}
	fs := ParseStack(b.String(), "go")
	if len(fs) != maxFrames || fs[len(fs)-1].Function != "f0" {
		t.Fatalf("%d frames, last %q: want the %d innermost, f0 last", len(fs), fs[len(fs)-1].Function, maxFrames)
	}
}

func TestSlugify(t *testing.T) {
	for in, want := range map[string]string{
		"Storefront":            "storefront",
		"payments-api":          "payments-api",
		"My Service (EU) v2":    "my-service-eu-v2",
		"__weird__":             "weird",
		"":                      "unknown-service",
		"ünïcode":               "n-code",
		strings.Repeat("a", 80): strings.Repeat("a", 50),
	} {
		if got := Slugify(in); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
	}
}
