package incident

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/tracehound/tracehound/sentryapi/wire"
)

// Issue ids and short ids. The short id of the issue a user opens first is
// IssueShortID in package demo.
const (
	checkoutIssueID  = 6102934471
	gatewayIssueID   = 6102934388
	paymentsIssueID  = 6102934375
	authIssueID      = 6102933921
	resizeIssueID    = 5517230864
	nPlusOneIssueID  = 5830019452
	authDeployedAt   = "2026-11-19T22:36:40Z"
	firstFailureAt   = "2026-11-19T22:41:06Z"
	checkoutShortID  = "STOREFRONT-4Z"
	gatewayShortID   = "API-GATEWAY-2K"
	paymentsShortID  = "PAYMENTS-7Q"
	authShortID      = "AUTH-SERVICE-3M"
	resizeShortID    = "STOREFRONT-1R"
	nPlusOneShortID  = "INVENTORY-9"
	introspectTarget = "/v1/tokens/introspect?audience=payments"
)

func parseISO(s string) µs {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return usOf(t)
}

// frame is how a story names a stack frame: in-app frames by a needle that
// finds their line in the source file, system frames by a fixed line.
type frame struct {
	repo, path, needle, colAt string
	function, module          string
	// system frames
	file, abs string
	line, col int
	text      string
	vars      map[string]any
}

func (st *story) frames(p *project, fs ...frame) []wire.Frame {
	var out []wire.Frame
	for _, f := range fs {
		var fr wire.Frame
		fr.Function = f.function
		fr.Module = f.module
		if f.needle != "" {
			line := st.src.Find(f.repo, f.path, f.needle)
			fr.LineNo = wire.FlexInt(line)
			fr.Context = st.src.Context(f.repo, f.path, line)
			fr.InApp = ptr(true)
			if f.colAt != "" {
				fr.ColNo = wire.FlexInt(st.src.Col(f.repo, f.path, line, f.colAt))
			}
			switch p.platform {
			case "javascript-react":
				fr.AbsPath = "app:///" + f.path
				fr.Filename = fr.AbsPath
				fr.Module = strings.TrimSuffix(strings.TrimSuffix(f.path, ".ts"), ".tsx")
			case "node":
				fr.AbsPath = "/app/" + f.path
				fr.Filename = fr.AbsPath
				dir, file := pathSplit(strings.TrimSuffix(f.path, ".ts"))
				fr.Module = strings.ReplaceAll(dir, "/", ".") + ":" + file
			case "python":
				fr.AbsPath = "/app/" + f.path
				fr.Filename = f.path
				fr.Module = strings.ReplaceAll(strings.TrimSuffix(f.path, ".py"), "/", ".")
			case "go":
				fr.Filename = "github.com/acme/" + p.slug + "/" + f.path
				dir, _ := pathSplit(f.path)
				fr.Module = "github.com/acme/" + p.slug + "/" + dir
			}
		} else {
			fr.Filename, fr.AbsPath = f.file, f.abs
			fr.LineNo = wire.FlexInt(f.line)
			fr.ColNo = wire.FlexInt(f.col)
			fr.InApp = ptr(false)
			if f.text != "" {
				fr.Context = []wire.ContextLine{{Line: wire.FlexInt(f.line), Text: f.text}}
			}
		}
		if f.vars != nil {
			fr.Vars = raw(f.vars)
		}
		out = append(out, fr)
	}
	return out
}

func pathSplit(p string) (dir, file string) {
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return "", p
	}
	return p[:i], p[i+1:]
}

func crumb(at µs, typ, category, level, message string, data map[string]any) wire.Breadcrumb {
	b := wire.Breadcrumb{Timestamp: wire.ISOTime(ts(at)), Type: typ, Category: category, Level: level, Message: message}
	if data != nil {
		b.Data = raw(data)
	}
	return b
}

// sign computes what a caller really sends: the HMAC of its string-to-sign
// (the path only, as payments and api-gateway do) under a made-up secret.
func sign(keyID, canonical string) string {
	secret := sha256.Sum256([]byte("acme demo secret " + keyID))
	m := hmac.New(sha256.New, secret[:])
	m.Write([]byte(canonical))
	return hex.EncodeToString(m.Sum(nil))
}

func sha256hex(b string) string {
	s := sha256.Sum256([]byte(b))
	return hex.EncodeToString(s[:])
}

func (st *story) buildErrors() {
	sf, gw, pay, auth := st.byslug["storefront"], st.byslug["api-gateway"], st.byslug["payments"], st.byslug["auth-service"]
	lastSeen := func(e *errEvent) µs { return e.at }
	browserCtx := map[string]any{
		"browser": map[string]any{"name": "Chrome", "version": "131.0.0", "type": "browser"},
		"os":      map[string]any{"name": "macOS", "version": "10.15.7", "type": "os"},
	}
	user := &wire.User{ID: userID, IPAddress: "203.0.113.57", Extra: extra("geo", map[string]any{"country_code": "DE", "city": "Berlin", "region": "Germany"})}

	// (4) auth-service: the verifier rejects payments' signature.
	introTS := fmt.Sprint(st.introspectCall.start / 1e6)
	body := `{"token": "` + paymentToken + `"}`
	bodyHash := sha256hex(body)
	sent := sign(paymentsKey, strings.Join([]string{"POST", "/v1/tokens/introspect", introTS, bodyHash}, "\n"))
	authErr := &errEvent{
		key: "error/auth", proj: auth, span: st.verifySpan, at: st.verifySpan.start + ms(0.7), platform: "go",
		title: "*signing.VerificationError: signature mismatch", level: "error", handled: true, mechanism: "generic",
		culprit:    "github.com/acme/auth-service/internal/signing in (*Verifier).Verify",
		location:   "github.com/acme/auth-service/internal/signing/verify.go",
		serverName: st.introspect.serverName,
	}
	authErr.exception = &wire.ExceptionData{Values: []wire.ExceptionValue{{
		Type: "*signing.VerificationError", Value: "signature mismatch", Module: "github.com/acme/auth-service/internal/signing",
		Mechanism: &wire.Mechanism{Type: "generic", Handled: ptr(true)},
		Stacktrace: &wire.Stacktrace{Frames: st.frames(auth,
			frame{file: "net/http/server.go", function: "(*conn).serve", module: "net/http", line: 2067, text: "\t\tserverHandler{c.server}.ServeHTTP(w, w.req)"},
			frame{file: "net/http/server.go", function: "serverHandler.ServeHTTP", module: "net/http", line: 3311, text: "\thandler.ServeHTTP(rw, req)"},
			frame{file: "net/http/server.go", function: "HandlerFunc.ServeHTTP", module: "net/http", line: 2286, text: "\tf(w, r)"},
			frame{repo: auth.repo, path: "internal/obs/obs.go", needle: "next.ServeHTTP(rec, r.WithContext(ctx))", function: "Middleware.func1"},
			frame{file: "net/http/server.go", function: "(*ServeMux).ServeHTTP", module: "net/http", line: 2828, text: "\th.ServeHTTP(w, r)"},
			frame{file: "net/http/server.go", function: "HandlerFunc.ServeHTTP", module: "net/http", line: 2286, text: "\tf(w, r)"},
			frame{repo: auth.repo, path: "internal/httpapi/middleware.go", needle: "principal, err := s.verifier.Verify(r)", function: "(*Server).requireSignature.func1"},
			frame{repo: auth.repo, path: "internal/signing/verify.go", needle: "return Principal{}, newVerificationError(ReasonSignatureMismatch, keyID)", function: "(*Verifier).Verify"},
		), HasSystemFrames: true},
	}}, HasSystemFrames: true}
	authErr.metadata = wire.IssueMetadata{Type: "*signing.VerificationError", Value: "signature mismatch", Filename: "github.com/acme/auth-service/internal/signing/verify.go", Function: "(*Verifier).Verify"}
	authErr.breadcrumbs = []wire.Breadcrumb{
		crumb(st.introspect.root.start+ms(0.05), "http", "http.server", "info", "POST "+introspectTarget, map[string]any{"method": "POST", "url": authURL + introspectTarget, "remote_addr": "10.42.7.19"}),
		crumb(st.verifySpan.start+ms(0.5), "debug", "signing", "info", "computed string-to-sign", map[string]any{
			"key_id": paymentsKey, "string_to_sign": strings.Join([]string{"POST", introspectTarget, introTS, bodyHash}, "\n")}),
	}
	authErr.request = st.introspect.request
	authErr.contexts = map[string]any{
		"runtime": map[string]any{"name": "go", "version": "go1.26.4", "go_maxprocs": 4, "go_numcgocalls": 0, "go_numroutines": 23, "type": "runtime"},
		"os":      map[string]any{"name": "linux", "type": "os"},
		"device":  map[string]any{"arch": "amd64", "num_cpu": 4, "type": "device"},
	}
	authErr.tags = [][2]string{{"http.route", "POST /v1/tokens/introspect"}, {"signing.key_id", paymentsKey}, {"signing.reason", "signature_mismatch"}}
	authErr.issue = &issue{id: authIssueID, shortID: authShortID, count: 43, userCount: 0, firstSeen: parseISO(firstFailureAt) + ms(204.6), substatus: "new", priority: "high", unhandled: false, firstRelease: auth.release}

	// (3) payments: the introspection call fails, the charge answers 500.
	pay401 := &errEvent{
		key: "error/payments", proj: pay, span: st.payments.root, at: st.introspectCall.end + ms(1.8), platform: "python",
		title: "ServiceAuthError: auth-service rejected service token: 401 signature_mismatch", level: "error", mechanism: "flask",
		culprit: "payments.auth_client in introspect", location: "payments/auth_client.py", serverName: st.payments.serverName,
	}
	introURL := authURL + introspectTarget
	introVars := map[string]any{
		"self":     "<payments.auth_client.AuthClient object at 0x7f8c3d2e1a90>",
		"token":    "[Filtered]",
		"audience": "'payments'",
		"url":      "'" + introURL + "'",
		"body":     "[Filtered]",
		"headers": map[string]any{"Content-Type": "'application/json'", "X-Acme-Key-Id": "'" + paymentsKey + "'",
			"X-Acme-Signature": "'" + sent + "'", "X-Acme-Timestamp": "'" + introTS + "'"},
		"resp": "<Response [401]>",
	}
	flask := func(fn string, line int, text string) frame {
		return frame{file: "flask/app.py", abs: "/usr/local/lib/python3.12/site-packages/flask/app.py", module: "flask.app", function: fn, line: line, text: text}
	}
	httpErr := fmt.Sprintf("401 Client Error: Unauthorized for url: %s", introURL)
	pay401.exception = &wire.ExceptionData{Values: []wire.ExceptionValue{
		{
			Type: "HTTPError", Value: httpErr, Module: "requests.exceptions",
			Mechanism: &wire.Mechanism{Type: "chained", Handled: ptr(true), Extra: extra("source", "__cause__", "exception_id", 1, "parent_id", 0)},
			Stacktrace: &wire.Stacktrace{Frames: st.frames(pay,
				frame{repo: pay.repo, path: "payments/auth_client.py", needle: "resp.raise_for_status()", function: "introspect", vars: introVars},
				frame{file: "requests/models.py", abs: "/usr/local/lib/python3.12/site-packages/requests/models.py", module: "requests.models", function: "raise_for_status", line: 1024,
					text: "            raise HTTPError(http_error_msg, response=self)", vars: map[string]any{"self": "<Response [401]>", "http_error_msg": "'" + httpErr + "'", "reason": "'Unauthorized'"}},
			), HasSystemFrames: true},
		},
		{
			Type: "ServiceAuthError", Value: "auth-service rejected service token: 401 signature_mismatch", Module: "payments.errors",
			Mechanism: &wire.Mechanism{Type: "flask", Handled: ptr(false), Extra: extra("exception_id", 0)},
			Stacktrace: &wire.Stacktrace{Frames: st.frames(pay,
				flask("wsgi_app", 1511, "                response = self.full_dispatch_request()"),
				flask("full_dispatch_request", 919, "            rv = self.handle_user_exception(e)"),
				flask("handle_user_exception", 807, "            raise"),
				flask("full_dispatch_request", 917, "                rv = self.dispatch_request()"),
				flask("dispatch_request", 902, "        return self.ensure_sync(self.view_functions[rule.endpoint])(**view_args)  # type: ignore[no-any-return]"),
				frame{repo: pay.repo, path: "payments/charges.py", needle: `claims = auth.introspect(payload["payment_token"], audience="payments")`, function: "create_charge",
					vars: map[string]any{"payload": map[string]any{"order_id": "'" + orderID + "'", "idempotency_key": "'" + orderID + ":" + cartID + "'", "payment_token": "[Filtered]"},
						"order": "{'id': '" + orderID + "', 'customer_id': 'cus_19f3a7', 'total_cents': 18645, 'currency': 'USD', 'status': 'pending', 'created_at': 1795144343}",
						"score": "0.1187", "auth": "<payments.auth_client.AuthClient object at 0x7f8c3d2e1a90>"}},
				frame{repo: pay.repo, path: "payments/auth_client.py", needle: "=raise ServiceAuthError(", function: "introspect", vars: introVars},
			), HasSystemFrames: true},
		},
	}, HasSystemFrames: true}
	pay401.metadata = wire.IssueMetadata{Type: "ServiceAuthError", Value: "auth-service rejected service token: 401 signature_mismatch", Filename: "payments/auth_client.py", Function: "introspect"}
	pay401.breadcrumbs = []wire.Breadcrumb{
		crumb(st.payments.root.start+ms(6.5), "query", "query", "info", "SELECT id, customer_id, total_cents, currency, status, created_at FROM orders WHERE id = %s", nil),
		crumb(st.payments.root.start+ms(10.9), "query", "query", "info", "SELECT sku, quantity, unit_cents FROM order_items WHERE order_id = %s", nil),
		crumb(st.payments.root.start+ms(39.0), "query", "query", "info", "SELECT c.id, c.amount, c.created_at, array_agg(i.sku) AS skus FROM charges c JOIN order_items i ON i.order_id = c.order_id WHERE c.customer_id = %s AND c.created_at > now() - make_interval(days => %s) GROUP BY c.id", nil),
		crumb(st.payments.root.start+ms(47.9), "query", "query", "info", "SELECT count(*) AS n FROM chargebacks WHERE customer_id = %s", nil),
		crumb(st.introspectCall.end, "http", "httplib", "info", "", map[string]any{"method": "POST", "url": authURL + "/v1/tokens/introspect", "http.query": "audience=payments", "status_code": 401, "reason": "Unauthorized"}),
	}
	pay401.request = st.payments.request
	pay401.contexts = map[string]any{
		"runtime": map[string]any{"name": "CPython", "version": "3.12.7", "build": "3.12.7 (main, Oct 19 2024, 04:06:44) [GCC 12.2.0]", "type": "runtime"},
		"os":      map[string]any{"name": "Linux", "type": "os"},
	}
	pay401.issue = &issue{id: paymentsIssueID, shortID: paymentsShortID, count: 43, userCount: 0, firstSeen: parseISO(firstFailureAt) + ms(207.9), substatus: "new", priority: "high", unhandled: true, firstRelease: pay.release}

	// (2) api-gateway: the upstream 500 becomes the gateway's 500.
	gw500 := &errEvent{
		key: "error/gateway", proj: gw, span: st.handler, at: st.handler.children[len(st.handler.children)-1].end + ms(1.3), platform: "node",
		title: "UpstreamError: payments responded 500 to POST /v1/charges", level: "error", mechanism: "auto.middleware.express",
		culprit: "callUpstream(src.lib:upstream)", location: "/app/src/lib/upstream.ts", serverName: st.gwCheckout.serverName,
	}
	gw500.exception = &wire.ExceptionData{Values: []wire.ExceptionValue{{
		Type: "UpstreamError", Value: "payments responded 500 to POST /v1/charges",
		Mechanism: &wire.Mechanism{Type: "auto.middleware.express", Handled: ptr(false)},
		Stacktrace: &wire.Stacktrace{Frames: st.frames(gw,
			frame{repo: gw.repo, path: "src/routes/checkout.ts", needle: "const charge = await chargeOrder(", colAt: "chargeOrder(", function: "postCheckout"},
			frame{repo: gw.repo, path: "src/routes/checkout.ts", needle: `return await callUpstream<Charge>("payments"`, colAt: "callUpstream", function: "chargeOrder"},
			frame{file: "node:internal/process/task_queues", abs: "node:internal/process/task_queues", module: "task_queues", function: "process.processTicksAndRejections", line: 105, col: 5},
			frame{repo: gw.repo, path: "src/lib/upstream.ts", needle: "throw new UpstreamError(", colAt: "new UpstreamError", function: "callUpstream"},
		), HasSystemFrames: true},
	}}, HasSystemFrames: true}
	gw500.metadata = wire.IssueMetadata{Type: "UpstreamError", Value: "payments responded 500 to POST /v1/charges", Filename: "/app/src/lib/upstream.ts", Function: "callUpstream"}
	var gwCrumbs []wire.Breadcrumb
	for _, c := range st.handler.children {
		if c.op != "http.client" {
			continue
		}
		method, url, _ := strings.Cut(c.desc, " ")
		gwCrumbs = append(gwCrumbs, crumb(c.end, "http", "http", "info", "", map[string]any{"method": method, "url": url, "status_code": c.data["http.response.status_code"]}))
	}
	gw500.breadcrumbs = gwCrumbs
	gw500.request = &wire.RequestData{
		Method: "POST", URL: shopURL + "/api/checkout",
		Headers: wire.Pairs{
			{"accept", "*/*"}, {"accept-language", "de-DE,de;q=0.9,en;q=0.8"}, {"baggage", st.baggage()},
			{"content-type", "application/json"}, {"cookie", "[Filtered]"}, {"host", "shop.acme.test"},
			{"origin", shopURL}, {"referer", shopURL + "/checkout"}, {"sentry-trace", st.traceID + "-" + st.clickFetch.id + "-1"},
			{"user-agent", browserUA},
			{"x-forwarded-for", "[Filtered]"}, {"x-forwarded-proto", "https"},
		},
		Cookies: wire.Pairs{{"acme_sid", "[Filtered]"}},
		Data:    raw(map[string]any{"orderId": orderID, "cartId": cartID, "paymentToken": "[Filtered]"}), InferredContentType: "application/json",
	}
	gw500.contexts = map[string]any{
		"runtime":       map[string]any{"name": "node", "version": "v22.17.0", "type": "runtime"},
		"os":            map[string]any{"name": "linux", "version": "6.1.0-27-cloud-amd64", "type": "os"},
		"UpstreamError": map[string]any{"service": "payments", "status": 500, "method": "POST", "path": "/v1/charges", "body": `{"error":"internal_error"}`},
	}
	gw500.tags = [][2]string{{"http.route", "/api/checkout"}, {"upstream.service", "payments"}}
	gw500.user = &wire.User{ID: userID}
	gw500.issue = &issue{id: gatewayIssueID, shortID: gatewayShortID, count: 43, userCount: 35, firstSeen: parseISO(firstFailureAt) + ms(682.3), substatus: "new", priority: "high", unhandled: true, firstRelease: gw.release}

	// (1) storefront: what the customer sees; the issue the user opens.
	sfErr := &errEvent{
		key: "error/storefront", proj: sf, span: st.click.root, at: st.clickFetch.end + ms(1.9), platform: "javascript",
		title: "Error: POST /api/checkout failed: 500 Internal Server Error", level: "error", handled: true, mechanism: "generic",
		culprit: "apiFetch(src/api/client)", location: "app:///src/api/client.ts",
	}
	sfFrames := st.frames(sf,
		frame{repo: sf.repo, path: "src/pages/Checkout.tsx", needle: "const order = await placeOrder(", colAt: "placeOrder(", function: "handlePlaceOrder"},
		frame{repo: sf.repo, path: "src/api/checkout.ts", needle: `const order = await apiFetch<Order>("POST"`, colAt: "apiFetch", function: "placeOrder"},
		frame{repo: sf.repo, path: "src/api/client.ts", needle: "throw new Error(`${method} ${path} failed", colAt: "new Error", function: "apiFetch"},
	)
	rawFrames := make([]wire.Frame, len(sfFrames))
	for i, f := range sfFrames {
		rawFrames[i] = wire.Frame{
			Filename: "app:///assets/index-D4kq2xPz.js", AbsPath: "app:///assets/index-D4kq2xPz.js",
			Function: []string{"async Ou", "async Qr", "Hn"}[i], LineNo: 1, ColNo: wire.FlexInt([]int{188214, 171903, 170577}[i]),
			InApp: ptr(true), Extra: extra("mapUrl", "app:///assets/index-D4kq2xPz.js.map", "origFunction", f.Function),
		}
	}
	sfErr.exception = &wire.ExceptionData{Values: []wire.ExceptionValue{{
		Type: "Error", Value: "POST /api/checkout failed: 500 Internal Server Error",
		Mechanism:     &wire.Mechanism{Type: "generic", Handled: ptr(true)},
		Stacktrace:    &wire.Stacktrace{Frames: sfFrames},
		RawStacktrace: &wire.Stacktrace{Frames: rawFrames},
	}}}
	sfErr.metadata = wire.IssueMetadata{Type: "Error", Value: "POST /api/checkout failed: 500 Internal Server Error", Filename: "app:///src/api/client.ts", Function: "apiFetch"}
	sfErr.breadcrumbs = []wire.Breadcrumb{
		crumb(t0-ms(2203.5), "navigation", "navigation", "info", "", map[string]any{"from": "/cart", "to": "/checkout"}),
		crumb(st.cartFetch.end, "http", "fetch", "info", "", map[string]any{"method": "GET", "url": "/api/cart", "status_code": 200, "__span": st.cartFetch.id}),
		crumb(t0+ms(2401.3), "error", "console", "error", "ResizeObserver loop completed with undelivered notifications.", nil),
		crumb(st.click.root.start, "user", "ui.click", "info", "main.checkout > button#place-order.btn.btn-primary", nil),
		crumb(st.clickFetch.end, "http", "fetch", "error", "", map[string]any{"method": "POST", "url": "/api/checkout", "status_code": 500, "__span": st.clickFetch.id}),
	}
	sfErr.request = &wire.RequestData{URL: shopURL + "/checkout", Headers: wire.Pairs{
		{"Referer", shopURL + "/cart"},
		{"User-Agent", browserUA},
	}}
	sfErr.contexts = browserCtx
	sfErr.tags = [][2]string{{"browser", "Chrome 131.0.0"}, {"browser.name", "Chrome"}, {"os.name", "macOS"}, {"url", shopURL + "/checkout"}}
	sfErr.user = user
	sfErr.issue = &issue{id: checkoutIssueID, shortID: checkoutShortID, count: 37, userCount: 31, firstSeen: parseISO(firstFailureAt) + ms(1288.0), substatus: "new", priority: "high", unhandled: false, firstRelease: sf.release}

	// (5) storefront noise: a harmless ResizeObserver warning during the pageload.
	ro := &errEvent{
		key: "error/resize-observer", proj: sf, span: st.pageload.root, at: t0 + ms(2401.3), platform: "javascript",
		title: "Error: ResizeObserver loop completed with undelivered notifications.", level: "error", mechanism: "onerror",
		culprit: "/checkout", location: "",
	}
	ro.exception = &wire.ExceptionData{Values: []wire.ExceptionValue{{
		Type: "Error", Value: "ResizeObserver loop completed with undelivered notifications.",
		Mechanism: &wire.Mechanism{Type: "onerror", Handled: ptr(false)},
	}}}
	ro.metadata = wire.IssueMetadata{Type: "Error", Value: "ResizeObserver loop completed with undelivered notifications."}
	ro.breadcrumbs = []wire.Breadcrumb{
		crumb(t0-ms(2203.5), "navigation", "navigation", "info", "", map[string]any{"from": "/cart", "to": "/checkout"}),
		crumb(st.cartFetch.end, "http", "fetch", "info", "", map[string]any{"method": "GET", "url": "/api/cart", "status_code": 200, "__span": st.cartFetch.id}),
	}
	ro.request = sfErr.request
	ro.contexts = browserCtx
	ro.tags = sfErr.tags
	ro.user = user
	ro.issue = &issue{id: resizeIssueID, shortID: resizeShortID, count: 18402, userCount: 6121, firstSeen: parseISO("2026-06-02T17:21:45Z"), substatus: "ongoing", priority: "low", unhandled: true, firstRelease: "storefront@4.3.0"}

	for _, e := range []*errEvent{sfErr, gw500, pay401, authErr, ro} {
		e.eventID = hexID(32, "event", e.key)
		e.issue.proj = e.proj
		e.issue.title = e.title
		e.issue.culprit = e.culprit
		e.issue.level = e.level
		e.issue.status = "unresolved"
		e.issue.typ, e.issue.issueType, e.issue.issueCategory, e.issue.groupType = "error", "error", "error", 1
		e.issue.lastSeen = lastSeen(e)
		e.issue.metadata = map[string]any{"type": e.metadata.Type, "value": e.metadata.Value, "title": e.title,
			"sdk": map[string]any{"name": e.proj.sdkName, "name_normalized": e.proj.sdkName}, "initial_priority": map[string]int{"high": 75, "low": 25}[e.issue.priority]}
		if e.metadata.Filename != "" {
			e.issue.metadata["filename"] = e.metadata.Filename
			e.issue.metadata["function"] = e.metadata.Function
			e.issue.metadata["in_app_frame_mix"] = "mixed"
		}
		if e.proj.slug == "storefront" && e.metadata.Filename != "" {
			e.issue.metadata["in_app_frame_mix"] = "in-app-only"
		}
		e.span.errors = append(e.span.errors, e)
		st.errors = append(st.errors, e)
		st.issues = append(st.issues, e.issue)
	}

	// The N+1 performance issue on inventory's GET /v1/stock.
	inv := st.inventoryStock
	n1 := &issue{
		id: nPlusOneIssueID, shortID: nPlusOneShortID, proj: st.byslug["inventory"], title: "N+1 Query",
		culprit: "/v1/stock", level: "info", status: "unresolved", substatus: "ongoing", priority: "low",
		typ: "performance_n_plus_one_db_queries", issueType: "performance_n_plus_one_db_queries", issueCategory: "performance", groupType: 1006,
		count: 5310, userCount: 0, firstSeen: parseISO("2026-08-14T09:02:31Z"), lastSeen: inv.root.end, firstRelease: "inventory@0.17.0",
		metadata: map[string]any{"title": "N+1 Query", "value": "SELECT sku, warehouse_id, on_hand, reserved FROM stock_levels WHERE sku = %s", "location": "/v1/stock", "initial_priority": 25},
	}
	inv.perfIssue = n1
	st.issues = append(st.issues, n1)
	var offenders []string
	for _, s := range inv.spans {
		if s.offender {
			offenders = append(offenders, s.id)
		}
	}
	inv.occurrence = map[string]any{
		"id": hexID(32, "occurrence", "n+1"), "projectId": inv.proj.id, "eventId": inv.eventID,
		"fingerprint":   []string{"1-1006-" + hexID(40, "n+1 fingerprint")},
		"issueTitle":    "N+1 Query",
		"subtitle":      "SELECT sku, warehouse_id, on_hand, reserved FROM stock_levels WHERE sku = %s",
		"resourceId":    nil,
		"type":          1006,
		"detectionTime": float64(inv.root.end+ms(2100)) / 1e6,
		"level":         "info",
		"culprit":       "/v1/stock",
		"priority":      25,
		"assignee":      nil,
		"evidenceData": map[string]any{
			"transactionName":       "/v1/stock",
			"op":                    "db",
			"parentSpanIds":         []string{inv.root.id},
			"parentSpan":            "http.server - /v1/stock",
			"causeSpanIds":          []string{},
			"offenderSpanIds":       offenders,
			"numberRepeatingSpans":  fmt.Sprint(len(offenders)),
			"numPatternRepetitions": len(offenders),
			"repeatingSpansCompact": []string{"SELECT sku, warehouse_id, on_hand, reserved FROM stock_levels WHERE sku = %s"},
			"repeatingSpans":        []string{"db - SELECT sku, warehouse_id, on_hand, reserved FROM stock_levels WHERE sku = %s"},
		},
		"evidenceDisplay": []map[string]any{
			{"name": "Offending Spans", "value": "db - SELECT sku, warehouse_id, on_hand, reserved FROM stock_levels WHERE sku = %s", "important": true},
			{"name": "Repeated", "value": fmt.Sprintf("%d times", len(offenders)), "important": true},
		},
	}
}
