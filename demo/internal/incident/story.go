package incident

import (
	"fmt"
	"strings"
	"time"

	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/tracehound/tracehound/demo/internal/genkit"
)

// Fixed facts of the incident.
const (
	OrgSlug = "acme"
	orgName = "Acme Shop (demo)"
	orgID   = "1150472"
	shopURL = "https://shop.acme.test"
	cdnURL  = "https://img.acme-cdn.test"

	authURL      = "http://auth-service.internal:8080"
	paymentsURL  = "http://payments.internal:8000"
	inventoryURL = "http://inventory.internal:8000"

	paymentToken = "pt_live_7Hq2vKx9"
	orderID      = "ord_5f2c81d04a9e4b7c93e1"
	cartID       = "c_8d41f07a"
	sessionID    = "s_3b9e2c71f4a8"
	userID       = "u_48213"
	paymentsKey  = "payments-2026-10"
	gatewayKey   = "api-gateway-2026-09"
)

const browserUA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"

// t0 is the start of the storefront pageload.
var t0 = usOf(time.Date(2026, 11, 20, 3, 12, 4, 118000000, time.UTC))

// story is the whole incident, built once from the source trees.
type story struct {
	src      *genkit.Sources
	traceID  string
	projects []*project
	byslug   map[string]*project
	txns     []*txn
	errors   []*errEvent
	issues   []*issue

	// Named parts of the trace other builders refer to.
	pageload, click, gwCart, gwCheckout, inventoryStock, payments, introspect *txn
	clickFetch, cartFetch, chargesCall, introspectCall, verifySpan, handler   *span
	cartSKUs, recoSKUs, recentSKUs                                            []string
}

func newStory(src *genkit.Sources) *story {
	st := &story{src: src, traceID: hexID(32, "trace"), byslug: map[string]*project{}}
	for _, p := range []*project{
		{id: 4508001112223301, slug: "storefront", name: "storefront", platform: "javascript-react", sdkName: "sentry.javascript.react", sdkVersion: "9.40.0", release: "storefront@4.12.0", dateCreate: "2024-03-11T09:20:41.118220Z"},
		{id: 4508001112223302, slug: "api-gateway", name: "api-gateway", platform: "node", sdkName: "sentry.javascript.node", sdkVersion: "9.40.0", release: "api-gateway@1.31.2", dateCreate: "2024-03-11T09:24:05.551013Z"},
		{id: 4508001112223303, slug: "payments", name: "payments", platform: "python", sdkName: "sentry.python.flask", sdkVersion: "2.33.0", release: "payments@3.8.1", dateCreate: "2024-03-12T14:02:17.904472Z"},
		{id: 4508001112223304, slug: "auth-service", name: "auth-service", platform: "go", sdkName: "sentry.go", sdkVersion: "0.34.1", release: "auth-service@2.14.0", dateCreate: "2024-05-02T11:45:30.271885Z"},
		{id: 4508001112223305, slug: "inventory", name: "inventory", platform: "python", sdkName: "sentry.python.flask", sdkVersion: "2.33.0", release: "inventory@0.19.4", dateCreate: "2024-03-12T14:05:52.003190Z"},
	} {
		p.repo = "acme/" + p.slug
		st.projects = append(st.projects, p)
		st.byslug[p.slug] = p
	}
	r := genkit.NewRNG("skus")
	sku := func() string { return fmt.Sprintf("SKU-%05d", 10000+int(r.Next()%89999)) }
	for range 6 {
		st.cartSKUs = append(st.cartSKUs, sku())
	}
	for range 30 {
		st.recoSKUs = append(st.recoSKUs, sku())
	}
	for range 10 {
		st.recentSKUs = append(st.recentSKUs, sku())
	}
	st.buildPageload()
	st.buildCheckout()
	st.buildErrors()
	return st
}

func (st *story) addTxn(t *txn) *txn {
	st.txns = append(st.txns, t)
	return t
}

// httpClient adds an outgoing HTTP call span with the usual data.
func httpClient(parent *span, method, url string, status int, offMS, durMS float64, opts ...spanOpt) *span {
	host := strings.SplitN(strings.SplitN(url, "://", 2)[1], "/", 2)[0]
	path := "/" + strings.SplitN(strings.SplitN(url, "://", 2)[1], "/", 2)[1]
	query := ""
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path, query = path[:i], path[i+1:]
	}
	data := []any{
		"http.request.method", method,
		"http.response.status_code", status,
		"url", strings.SplitN(url, "?", 2)[0],
		"url.full", url,
		"server.address", strings.SplitN(host, ":", 2)[0],
		"url.path", path,
	}
	if query != "" {
		data = append(data, "http.query", "?"+query)
	}
	opts = append([]spanOpt{withData(data...), withStatus(spanStatus(status))}, opts...)
	return parent.add("http.client", method+" "+url, offMS, durMS, opts...)
}

func spanStatus(code int) string {
	switch {
	case code < 400:
		return "ok"
	case code == 401:
		return "unauthenticated"
	case code == 403:
		return "permission_denied"
	case code == 404:
		return "not_found"
	case code == 409:
		return "already_exists"
	case code < 500:
		return "invalid_argument"
	default:
		return "internal_error"
	}
}

// gatewayTxn builds an api-gateway request: Express middleware, then the
// route handler; body fills the handler and returns its duration.
func (st *story) gatewayTxn(key, method, route string, client *span, inMS, outMS float64, server string) (*txn, *span) {
	gw := st.addTxn(client.serve(key, st.byslug["api-gateway"], "http.server", method+" "+route, "route", inMS, outMS))
	gw.serverName = server
	gw.request = &wire.RequestData{
		Method: method, URL: shopURL + route, InferredContentType: "application/json",
		Headers: wire.Pairs{
			{"accept", "*/*"}, {"accept-language", "de-DE,de;q=0.9,en;q=0.8"}, {"baggage", st.baggage()},
			{"cookie", "[Filtered]"}, {"host", "shop.acme.test"}, {"referer", shopURL + "/checkout"},
			{"sentry-trace", st.traceID + "-" + client.id + "-1"}, {"user-agent", browserUA},
			{"x-forwarded-for", "[Filtered]"}, {"x-forwarded-proto", "https"},
		},
		Cookies: wire.Pairs{{"acme_sid", "[Filtered]"}},
	}
	gw.root.origin = "auto.http.otel.http"
	gw.root.data = map[string]any{
		"http.request.method": method, "http.route": route, "url.path": route,
		"http.response.status_code": 200, "sentry.source": "route",
		"otel.kind": "SERVER", "server.address": "shop.acme.test", "url.scheme": "https",
	}
	mw := func(name string, off, dur float64) *span {
		return gw.root.add("middleware.express", name, off, dur, withOrigin("auto.http.otel.express"),
			withData("express.name", name, "express.type", "middleware", "http.route", "/"))
	}
	r := genkit.NewRNG(key + "/mw")
	cur := 0.12
	for _, name := range []string{"helmetMiddleware", "corsMiddleware", "jsonParser", "cookieParser", "requestId"} {
		d := r.Between(0.04, 0.35)
		if name == "jsonParser" && method == "POST" {
			d = 1.1
		}
		mw(name, cur, d)
		cur += d + r.Between(0.02, 0.08)
	}
	sess := mw("sessionMiddleware", cur, 2.05)
	sess.data["http.route"] = "/api"
	sess.add("db.redis", "GET sess:"+sessionID, 0.12, 1.71, withOrigin("auto.db.otel.redis"),
		withData("db.system", "redis", "db.statement", "get sess:?", "net.peer.name", "redis.internal", "net.peer.port", 6379))
	start := cur + 2.2
	handler := gw.root.add("request_handler.express", route, start, gw.root.durMS()-start-0.9, withOrigin("auto.http.otel.express"),
		withData("express.name", route, "express.type", "request_handler", "http.route", route))
	return gw, handler
}

// authValidate builds auth-service's POST /v1/sessions/validate.
func (st *story) authValidate(key string, client *span) {
	t := st.addTxn(client.serve(key, st.byslug["auth-service"], "http.server", "POST /v1/sessions/validate", "route", 0.9, 0.7))
	st.authTxn(t, "/v1/sessions/validate", 200, client, gatewayKey, "node", `{"session_id":"`+sessionID+`"}`)
	d := t.root.durMS()
	t.root.add("function", "signing.Verify", 0.21, 0.38, withOrigin("manual"))
	t.root.add("function", "sessions.Validate", 0.71, 0.09, withOrigin("manual"))
	_ = d
}

func (st *story) authTxn(t *txn, path string, status int, client *span, keyID, ua, body string) {
	t.serverName = "auth-service-5b7d9c6f48-qz2lm"
	u := strings.TrimPrefix(client.desc, "POST ")
	target := strings.TrimPrefix(u, authURL)
	ts := fmt.Sprint(client.start / 1e6)
	t.request = &wire.RequestData{
		Method: "POST", URL: strings.SplitN(u, "?", 2)[0], InferredContentType: "application/json", Data: raw("[Filtered]"),
		Headers: wire.Pairs{
			{"Accept", "*/*"}, {"Content-Length", fmt.Sprint(len(body))}, {"Content-Type", "application/json"},
			{"Host", "auth-service.internal:8080"}, {"Sentry-Trace", st.traceID + "-" + client.id + "-1"}, {"User-Agent", ua},
			{"X-Acme-Key-Id", keyID}, {"X-Acme-Signature", sign(keyID, strings.Join([]string{"POST", strings.SplitN(target, "?", 2)[0], ts, sha256hex(body)}, "\n"))},
			{"X-Acme-Timestamp", ts},
		},
	}
	if q := strings.SplitN(target, "?", 2); len(q) == 2 {
		k, v, _ := strings.Cut(q[1], "=")
		t.request.Query = wire.Pairs{{k, v}}
	}
	t.root.origin = "auto.http.stdlib"
	t.root.status = spanStatus(status)
	t.root.data = map[string]any{"http.request.method": "POST", "url.path": path, "http.response.status_code": status, "sentry.source": "route"}
}

func (st *story) buildPageload() {
	sf := st.byslug["storefront"]
	pl := st.addTxn(newTxn("pageload", sf, "pageload", "/checkout", "route", t0, 3412.7))
	st.pageload = pl
	pl.root.origin = "auto.pageload.react.reactrouter_v6"
	pl.request = &wire.RequestData{URL: shopURL + "/checkout", Headers: wire.Pairs{{"Referer", shopURL + "/cart"}, {"User-Agent", browserUA}}}
	pl.root.data = map[string]any{
		"sentry.op": "pageload", "sentry.origin": "auto.pageload.react.reactrouter_v6", "sentry.source": "route",
		"sentry.idle_span_finish_reason": "idleTimeout", "performance.timeOrigin": float64(t0) / 1e6,
		"performance.activationStart": 0, "lcp.element": "img.summary__item", "lcp.size": 16384,
	}
	root := pl.root
	browser := func(desc string, a, b float64) {
		root.add("browser", desc, a, b-a, withOrigin("auto.ui.browser.metrics"))
	}
	browser("cache", 0.9, 1.6)
	browser("DNS", 1.6, 12.4)
	browser("connect", 12.4, 61.8)
	browser("TLS/SSL", 30.2, 61.8)
	browser("request", 62.3, 171.9)
	browser("response", 171.9, 180.6)
	browser("domContentLoadedEvent", 918.2, 925.7)
	browser("loadEvent", 1876.4, 1880.1)
	root.add("paint", "first-paint", 642.1, 0, withOrigin("auto.ui.browser.metrics"))
	root.add("paint", "first-contentful-paint", 642.1, 0, withOrigin("auto.ui.browser.metrics"))
	root.add("mark", "sentry-tracing-init", 698.4, 0, withOrigin("auto.ui.browser.metrics"))
	root.add("mark", "checkout:cart-loaded", 2331.2, 0, withOrigin("auto.ui.browser.metrics"))
	root.add("measure", "checkout:time-to-interactive", 0, 2398.9, withOrigin("auto.ui.browser.metrics"))

	r := genkit.NewRNG("pageload/resources")
	resource := func(op, url string, a, dur float64, blocking bool, size int) {
		status := "non-blocking"
		if blocking {
			status = "blocking"
		}
		addr := "shop.acme.test"
		if strings.HasPrefix(url, "https://") {
			addr = strings.SplitN(url[8:], "/", 2)[0]
		}
		root.add(op, url, a, dur, withOrigin("auto.resource.browser.metrics"), withData(
			"http.response_transfer_size", size+300, "http.response_content_length", size,
			"http.decoded_response_content_length", size*3, "resource.render_blocking_status", status,
			"server.address", addr, "url.scheme", "https", "url.same_origin", addr == "shop.acme.test",
		))
	}
	resource("resource.link", "/assets/index-B9pQ1xZr.css", 186.0, 126.4, true, 38211)
	resource("resource.script", "/assets/index-D4kq2xPz.js", 186.3, 418.5, true, 214877)
	resource("resource.script", "/assets/vendor-react-Cm3V8bWq.js", 186.5, 310.7, true, 143020)
	names := []string{"Checkout", "OrderSummary", "PaymentForm", "AddressForm", "RecommendationCarousel", "CartItem",
		"PromoCode", "ShippingOptions", "TrustBadges", "Header", "Footer", "MiniCart", "SearchBox", "i18n-en",
		"currency", "analytics", "consent", "feature-flags", "sentry", "router", "forms", "validation", "icons", "dates"}
	cur := 606.0
	for i := range 56 {
		name := "chunk"
		if i < len(names) {
			name = names[i]
		}
		url := fmt.Sprintf("/assets/%s-%s.js", name, hexID(8, "chunk", fmt.Sprint(i)))
		d := r.Between(18, 160)
		resource("resource.script", url, cur, d, false, 2000+int(r.Next()%40000))
		cur += r.Between(4, 13)
	}
	resource("resource.script", "https://events.acme-analytics.test/sdk/v3.js", 702.2, 121.9, false, 28130)
	for i, w := range []string{"400", "500", "600", "700"} {
		resource("resource.css", fmt.Sprintf("/assets/inter-latin-%s-normal-%s.woff2", w, hexID(8, "font", w)), 318.0+float64(i)*2.1, r.Between(40, 95), false, 23000+int(r.Next()%4000))
	}
	resource("resource.img", "/assets/acme-logo-"+hexID(8, "logo")+".svg", 650.3, 22.8, false, 4120)
	for i, icon := range []string{"lock", "truck", "return", "chat", "chevron", "info", "tag", "heart"} {
		resource("resource.img", "/assets/icons/"+icon+".svg", 1210.0+float64(i)*3.3, r.Between(9, 40), false, 600+int(r.Next()%900))
	}
	for i, logo := range []string{"visa", "mastercard", "amex", "paypal", "applepay"} {
		resource("resource.img", "/assets/pay/"+logo+".svg", 1231.5+float64(i)*2.7, r.Between(12, 44), false, 1500+int(r.Next()%2500))
	}
	for i, s := range st.cartSKUs {
		resource("resource.img", fmt.Sprintf("%s/p/%s/thumb-128.webp", cdnURL, s), 2334.0+float64(i)*4.1, r.Between(40, 140), false, 5000+int(r.Next()%6000))
	}
	carousel := append(append([]string{}, st.recoSKUs...), st.recentSKUs...)
	cur = 2391.0
	for _, s := range carousel {
		resource("resource.img", fmt.Sprintf("%s/p/%s/card-256.webp", cdnURL, s), cur, r.Between(60, 380), false, 9000+int(r.Next()%14000))
		resource("resource.img", fmt.Sprintf("%s/p/%s/card-256-alt.webp", cdnURL, s), cur+1.3, r.Between(60, 380), false, 9000+int(r.Next()%14000))
		cur += r.Between(8, 17)
	}
	resource("resource.other", "/favicon.ico", 1302.4, 18.2, false, 1150)
	resource("resource.other", "/manifest.webmanifest", 1304.9, 21.7, false, 612)

	for _, lt := range [][2]float64{{605.2, 688.9}, {1182.0, 1261.4}, {2322.7, 2398.1}, {2402.0, 2452.3}} {
		root.add("ui.long-task", "Main UI thread blocked", lt[0], lt[1]-lt[0], withOrigin("auto.ui.browser.metrics"))
	}
	react := func(op, name string, a, b float64) *span {
		return root.add(op, "<"+name+">", a, b-a, withOrigin("auto.ui.react.profiler"))
	}
	react("ui.react.mount", "App", 699.0, 731.5)
	react("ui.react.mount", "CheckoutPage", 731.6, 744.0)
	react("ui.react.update", "CheckoutPage", 2319.0, 2322.5).data = map[string]any{"changedProps": []string{"cart"}}
	react("ui.react.mount", "OrderSummary", 2323.5, 2341.9)
	for i := range st.cartSKUs {
		a := 2325.0 + float64(i)*2.6
		react("ui.react.render", "CartItem", a, a+2.1)
	}
	react("ui.react.mount", "RecommendationCarousel", 2342.0, 2389.6)
	react("ui.react.mount", "PaymentForm", 2390.0, 2397.3)

	httpClient(root, "POST", "https://events.acme-analytics.test/v1/batch", 200, 1890.4, 71.3, withOrigin("auto.http.browser"), withData("type", "fetch"))
	st.cartFetch = httpClient(root, "GET", shopURL+"/api/cart", 200, 1452.0, 866.6, withOrigin("auto.http.browser"), withData("type", "fetch"))

	pl.measurements = map[string]any{
		"fp":               map[string]any{"value": 642.1, "unit": "millisecond"},
		"fcp":              map[string]any{"value": 642.1, "unit": "millisecond"},
		"lcp":              map[string]any{"value": 2471.6, "unit": "millisecond"},
		"ttfb":             map[string]any{"value": 171.9, "unit": "millisecond"},
		"ttfb.requestTime": map[string]any{"value": 109.6, "unit": "millisecond"},
		"cls":              map[string]any{"value": 0.042, "unit": ""},
		"connection.rtt":   map[string]any{"value": 50, "unit": "millisecond"},
	}

	// The cart request: gateway → auth-service (validate) → inventory (N+1).
	gw, h := st.gatewayTxn("gateway/cart", "GET", "/api/cart", st.cartFetch, 3.0, 2.2, "api-gateway-6d8f9c7b4-9tmzp")
	st.gwCart = gw
	v := httpClient(h, "POST", authURL+"/v1/sessions/validate", 200, 0.3, 6.2, withOrigin("auto.http.otel.node_fetch"))
	st.authValidate("auth/validate-cart", v)
	h.add("db.redis", "GET cart:"+cartID, 6.8, 0.9, withOrigin("auto.db.otel.redis"), withData("db.system", "redis", "db.statement", "get cart:?"))
	h.add("db.redis", "SMEMBERS reco:"+cartID, 7.9, 0.8, withOrigin("auto.db.otel.redis"), withData("db.system", "redis", "db.statement", "smembers reco:?"))
	skus := strings.Join(append(append([]string{}, st.cartSKUs...), st.recoSKUs...), ",")
	stockDur := h.durMS() - 8.9 - 7.4
	stock := httpClient(h, "GET", inventoryURL+"/v1/stock?skus="+skus, 200, 8.9, stockDur, withOrigin("auto.http.otel.node_fetch"))
	h.add("function", "priceCart", 8.9+stockDur+0.3, 6.1, withOrigin("manual"))

	inv := st.addTxn(stock.serve("inventory/stock", st.byslug["inventory"], "http.server", "/v1/stock", "url", 1.1, 0.9))
	st.inventoryStock = inv
	st.flaskTxn(inv, "GET", "/v1/stock", 200, "inventory-7f9b8c5d6-k4w2p")
	inv.request.Query = [][2]string{{"skus", skus}}
	rq := genkit.NewRNG("inventory/n+1")
	n := len(st.cartSKUs) + len(st.recoSKUs)
	durs := make([]float64, n)
	total := 0.0
	for i := range durs {
		durs[i] = rq.Between(19.2, 23.6)
		total += durs[i]
	}
	span := inv.root.durMS() - 1.8 - 9.4
	gap := (span - total) / float64(n)
	cur = 1.8
	for i := range n {
		q := inv.root.add("db", "SELECT sku, warehouse_id, on_hand, reserved FROM stock_levels WHERE sku = %s", cur, durs[i],
			withOrigin("auto.db.psycopg"), withData("db.system", "postgresql", "db.name", "inventory", "db.operation", "SELECT",
				"server.address", "pg-inventory.internal", "server.port", 5432))
		q.offender = true
		cur += durs[i] + gap
	}
}

// flaskTxn fills in what sentry-python's Flask integration records.
func (st *story) flaskTxn(t *txn, method, path string, status int, server string) {
	t.serverName = server
	t.root.origin = "auto.http.flask"
	t.root.status = spanStatus(status)
	t.root.data = map[string]any{"http.request.method": method, "url.path": path, "http.response.status_code": status, "sentry.source": "url", "thread.name": "ThreadPoolExecutor-0_0"}
	host := strings.TrimPrefix(inventoryURL, "http://")
	if t.proj.slug == "payments" {
		host = strings.TrimPrefix(paymentsURL, "http://")
	}
	t.request = &wire.RequestData{
		Method: method, URL: "http://" + host + path, InferredContentType: "application/json",
		Headers: wire.Pairs{
			{"Accept", "*/*"}, {"Baggage", st.baggage()}, {"Content-Type", "application/json"},
			{"Host", host}, {"Sentry-Trace", st.traceID + "-" + t.root.parent + "-1"}, {"User-Agent", "node"},
		},
		Env: raw(map[string]any{"SERVER_NAME": server, "SERVER_PORT": "8000"}),
	}
}

func (st *story) buildCheckout() {
	sf := st.byslug["storefront"]
	tc := t0 + ms(19842.6)
	click := st.addTxn(newTxn("click", sf, "ui.action.click", "/checkout", "route", tc, 1604.2))
	st.click = click
	click.root.origin = "auto.ui.browser.interaction"
	click.request = st.pageload.request
	click.root.data = map[string]any{"sentry.op": "ui.action.click", "sentry.source": "route", "sentry.idle_span_finish_reason": "idleTimeout", "ui.component_name": "CheckoutPage"}
	click.root.add("mark", "checkout:submit", 1.2, 0, withOrigin("auto.ui.browser.metrics"))
	st.clickFetch = httpClient(click.root, "POST", shopURL+"/api/checkout", 500, 4.8, 596.3, withOrigin("auto.http.browser"), withData("type", "fetch"))
	click.root.add("ui.react.update", "<CheckoutPage>", 603.4, 7.6, withOrigin("auto.ui.react.profiler"), withData("changedProps", []string{"placing", "error"}))
	click.root.add("ui.long-task", "Main UI thread blocked", 603.9, 57.2, withOrigin("auto.ui.browser.metrics"))

	gw, h := st.gatewayTxn("gateway/checkout", "POST", "/api/checkout", st.clickFetch, 3.1, 2.4, "api-gateway-6d8f9c7b4-h2xkq")
	st.gwCheckout, st.handler = gw, h
	gw.root.status = "internal_error"
	gw.root.data["http.response.status_code"] = 500
	gw.profilerID = hexID(32, "profiler", "api-gateway-6d8f9c7b4-h2xkq")
	gw.threadID, gw.threadName = "0", "main"

	v := httpClient(h, "POST", authURL+"/v1/sessions/validate", 200, 0.4, 6.5, withOrigin("auto.http.otel.node_fetch"))
	st.authValidate("auth/validate-checkout", v)
	h.add("db.redis", "GET cart:"+cartID, 7.2, 1.1, withOrigin("auto.db.otel.redis"), withData("db.system", "redis", "db.statement", "get cart:?"))
	res := httpClient(h, "POST", inventoryURL+"/v1/reservations", 201, 8.6, 52.5, withOrigin("auto.http.otel.node_fetch"))
	charges := httpClient(h, "POST", paymentsURL+"/v1/charges", 500, 61.5, 466.4, withOrigin("auto.http.otel.node_fetch"))
	st.chargesCall = charges
	rel := httpClient(h, "DELETE", inventoryURL+"/v1/reservations/rsv_91c4e2d7", 204, 528.8, 33.4, withOrigin("auto.http.otel.node_fetch"))

	// inventory: reserve, then release.
	r := genkit.NewRNG("inventory/reserve")
	reserve := st.addTxn(res.serve("inventory/reserve", st.byslug["inventory"], "http.server", "/v1/reservations", "url", 1.0, 0.8))
	st.flaskTxn(reserve, "POST", "/v1/reservations", 201, "inventory-7f9b8c5d6-k4w2p")
	cur := 0.9
	db := func(t *txn, sql, op string, _ ...string) {
		d := r.Between(1.4, 3.6)
		t.root.add("db", sql, cur, d, withOrigin("auto.db.psycopg"), withData("db.system", "postgresql", "db.name", "inventory", "db.operation", op,
			"server.address", "pg-inventory.internal", "server.port", 5432))
		cur += d + r.Between(0.1, 0.4)
	}
	for _, s := range st.cartSKUs {
		db(reserve, "SELECT on_hand, reserved FROM stock_levels WHERE sku = %s FOR UPDATE", "SELECT", s)
		db(reserve, "UPDATE stock_levels SET reserved = reserved + %s WHERE sku = %s", "UPDATE", "1", s)
	}
	db(reserve, "INSERT INTO reservations (items, status, expires_at) VALUES (%s, 'held', now() + interval '15 minutes') RETURNING id", "INSERT", "[Filtered]")
	release := st.addTxn(rel.serve("inventory/release", st.byslug["inventory"], "http.server", "/v1/reservations/<reservation_id>", "url", 0.9, 0.7))
	st.flaskTxn(release, "DELETE", "/v1/reservations/rsv_91c4e2d7", 204, "inventory-7f9b8c5d6-k4w2p")
	cur = 0.8
	db(release, "SELECT items FROM reservations WHERE id = %s AND status = 'held' FOR UPDATE", "SELECT", "rsv_91c4e2d7")
	for _, s := range st.cartSKUs {
		db(release, "UPDATE stock_levels SET reserved = reserved - %s WHERE sku = %s", "UPDATE", "1", s)
	}
	db(release, "UPDATE reservations SET status = 'released' WHERE id = %s", "UPDATE", "rsv_91c4e2d7")

	// payments: the charge that fails.
	pay := st.addTxn(charges.serve("payments/charges", st.byslug["payments"], "http.server", "/v1/charges", "url", 1.4, 1.1))
	st.payments = pay
	st.flaskTxn(pay, "POST", "/v1/charges", 500, "payments-84d6f9b7c-m8xvt")
	pay.profileID = hexID(32, "profile", "payments/charges")
	pay.threadID, pay.threadName = "140234561738432", "ThreadPoolExecutor-0_0"
	pdb, redis := paymentsDB, paymentsRedis
	redis(pay.root, "SET 'idempotency:"+orderID+":"+cartID+"' '1' 'NX' 'EX' 86400", 0.9, 1.1)
	pdb(pay.root, "SELECT id, customer_id, total_cents, currency, status, created_at FROM orders WHERE id = %s", "SELECT", 2.6, 3.8)
	pdb(pay.root, "SELECT sku, quantity, unit_cents FROM order_items WHERE order_id = %s", "SELECT", 6.9, 3.9)
	pdb(pay.root, "SELECT c.id, c.amount, c.created_at, array_agg(i.sku) AS skus FROM charges c JOIN order_items i ON i.order_id = c.order_id WHERE c.customer_id = %s AND c.created_at > now() - make_interval(days => %s) GROUP BY c.id", "SELECT", 11.2, 27.7)
	risk := pay.root.add("function", "risk.score_transaction", 39.5, 362.6, withOrigin("manual"))
	redis(risk, "GET 'risk:model:v7'", 0.5, 1.1)
	pdb(risk, "SELECT count(*) AS n FROM chargebacks WHERE customer_id = %s", "SELECT", 2.1, 5.7)
	st.introspectCall = httpClient(pay.root, "POST", authURL+"/v1/tokens/introspect?audience=payments", 401, 402.9, 6.7, withOrigin("auto.http.stdlib.httplib"))

	in := st.addTxn(st.introspectCall.serve("auth/introspect", st.byslug["auth-service"], "http.server", "POST /v1/tokens/introspect", "route", 1.2, 0.9))
	st.introspect = in
	st.authTxn(in, "/v1/tokens/introspect", 401, st.introspectCall, paymentsKey, "python-requests/2.32.3", `{"token": "`+paymentToken+`"}`)
	st.verifySpan = in.root.add("function", "signing.Verify", 0.3, 0.8, withOrigin("manual"), withStatus("unauthenticated"))
}

// paymentsDB adds a payments PostgreSQL query span under parent.
func paymentsDB(parent *span, sql, op string, off, dur float64) {
	parent.add("db", sql, off, dur, withOrigin("auto.db.psycopg"), withData("db.system", "postgresql", "db.name", "payments", "db.operation", op,
		"server.address", "pg-payments.internal", "server.port", 5432))
}

// paymentsRedis adds a payments Redis command span under parent.
func paymentsRedis(parent *span, cmd string, off, dur float64) {
	parent.add("db.redis", cmd, off, dur, withOrigin("auto.db.redis"), withData("db.system", "redis", "db.operation", strings.Fields(cmd)[0], "server.address", "redis.internal"))
}

// baggage is the Dynamic Sampling Context the storefront started.
func (st *story) baggage() string {
	return "sentry-environment=production,sentry-release=storefront%404.12.0,sentry-public_key=3c1a9e5f0b7d4e2a8f6c1b9d0e7a5c3f," +
		"sentry-trace_id=" + st.traceID + ",sentry-sample_rate=1,sentry-transaction=%2Fcheckout,sentry-sampled=true"
}
