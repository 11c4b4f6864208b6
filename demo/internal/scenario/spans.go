package scenario

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/tracehound/tracehound/demo/internal/genkit"
)

// BrowserUA is the customer's browser.
const BrowserUA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"

// SpanStatus is the span status Sentry derives from an HTTP status (0: no
// answer before the deadline).
func SpanStatus(code int) string {
	switch {
	case code == 0:
		return "deadline_exceeded"
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
	case code == 429:
		return "resource_exhausted"
	case code < 500:
		return "invalid_argument"
	case code == 503:
		return "unavailable"
	case code == 504:
		return "deadline_exceeded"
	default:
		return "internal_error"
	}
}

var reasons = map[int]string{
	200: "OK", 201: "Created", 204: "No Content", 400: "Bad Request", 404: "Not Found", 409: "Conflict",
	422: "Unprocessable Entity", 429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
	503: "Service Unavailable", 504: "Gateway Timeout",
}

// Reason is the HTTP reason phrase.
func Reason(code int) string { return reasons[code] }

// HTTP adds an outgoing HTTP call (op http.client) with the data the
// service's SDK records. status 0 means the call was cut by a deadline.
func (s *Span) HTTP(method, rawURL string, status int, offMS, durMS float64, opts ...Opt) *Span {
	u, err := url.Parse(rawURL)
	if err != nil {
		panic(err)
	}
	full := rawURL
	if u.Host == "" {
		full = s.txn.Service.inc.shop + rawURL
		u, _ = url.Parse(full)
	}
	data := []any{
		"http.request.method", method,
		"url", strings.SplitN(full, "?", 2)[0],
		"url.full", full,
		"server.address", u.Hostname(),
		"url.path", u.Path,
	}
	if status != 0 {
		data = append(data, "http.response.status_code", status)
	}
	if u.RawQuery != "" {
		data = append(data, "http.query", "?"+u.RawQuery)
	}
	origin := map[string]string{Browser: "auto.http.browser", Node: "auto.http.otel.node_fetch", Python: "auto.http.stdlib.httplib", Go: "auto.http.stdlib",
		Java: "auto.http.spring_jakarta.resttemplate", Ruby: "auto.http.net_http"}[s.txn.Service.Platform]
	if s.txn.Service.Platform == Browser {
		data = append(data, "type", "fetch")
	}
	opts = append([]Opt{With(data...), Status(SpanStatus(status)), Origin(origin)}, opts...)
	return s.Add("http.client", method+" "+rawURL, offMS, durMS, opts...)
}

// Serve creates the transaction that an http.client span caused on svc: it
// starts inMS after the client span starts and ends outMS before it ends.
// route is the route pattern, target the path and query requested.
func (s *Span) Serve(key string, svc *Service, route string, status int, inMS, outMS float64) *Txn {
	in := svc.inc
	method, rawURL, _ := strings.Cut(s.Desc, " ")
	u, _ := url.Parse(rawURL)
	target := u.RequestURI()
	name, source := method+" "+route, "route"
	if svc.Platform == Python {
		name, source = route, "url"
	}
	start, end := s.Start+MS(inMS), s.End-MS(outMS)
	if end <= start {
		panic(fmt.Errorf("%s: no room for the downstream transaction in %q", key, s.Desc))
	}
	t := in.newTxn(key, svc, "http.server", name, source, start, end)
	t.Root.Parent = s.ID
	s.downstream = append(s.downstream, t)
	in.Txns = append(in.Txns, t)

	caller := s.txn.Service
	root := t.Root
	root.Status = SpanStatus(status)
	root.Data = map[string]any{"http.request.method": method, "url.path": u.Path, "http.response.status_code": status, "sentry.source": source}
	path, query, _ := strings.Cut(target, "?")
	req := &wire.RequestData{Method: method, InferredContentType: "application/json"}
	if query != "" {
		q, _ := url.ParseQuery(query)
		for _, kv := range strings.Split(query, "&") {
			k, _, _ := strings.Cut(kv, "=")
			req.Query = append(req.Query, [2]string{k, q.Get(k)})
		}
	}
	ua := map[string]string{Browser: BrowserUA, Node: "node", Python: "python-requests/2.32.3", Go: "Go-http-client/1.1",
		Java: "Java-http-client/21.0.5", Ruby: "Ruby"}[caller.Platform]
	hdr := func(k, v string) {
		if svc.Platform == Node {
			k = strings.ToLower(k)
		}
		req.Headers = append(req.Headers, [2]string{k, v})
	}
	hdr("Accept", "application/json")
	if caller.Platform != Go {
		hdr("Baggage", in.baggage())
	}
	if method == "POST" || method == "PUT" || method == "PATCH" {
		hdr("Content-Type", "application/json")
	}
	hdr("Host", u.Host)
	hdr("Sentry-Trace", in.traceID+"-"+s.ID+"-1")
	hdr("User-Agent", ua)
	if caller.Platform == Browser {
		hdr("Cookie", "[Filtered]")
		hdr("X-Forwarded-For", "[Filtered]")
		hdr("X-Forwarded-Proto", "https")
		req.Cookies = wire.Pairs{{"acme_sid", "[Filtered]"}}
	}
	req.URL = u.Scheme + "://" + u.Host + path
	switch svc.Platform {
	case Python:
		root.Origin = "auto.http.flask"
		root.Data["thread.name"] = "ThreadPoolExecutor-0_0"
		_, port, _ := strings.Cut(u.Host, ":")
		req.Env = raw(map[string]any{"SERVER_NAME": svc.Server, "SERVER_PORT": cmpOr(port, "443")})
	case Node:
		root.Origin = "auto.http.otel.http"
		root.Data["http.route"] = route
		root.Data["otel.kind"] = "SERVER"
		root.Data["server.address"] = u.Hostname()
		root.Data["url.scheme"] = u.Scheme
	case Go:
		root.Origin = "auto.http.stdlib"
	case Java:
		root.Origin = "auto.http.spring_jakarta.webmvc"
	case Ruby:
		root.Origin = "auto.http.rails"
	}
	t.Request = req
	return t
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Express adds the Express middleware spans of a Node transaction (with a
// session middleware reading sessionKey from Redis, unless it is "") and
// returns the route handler span, which fills the rest of the request.
func (t *Txn) Express(route, sessionKey string) *Span {
	r := genkit.NewRNG(t.Key + "/mw")
	mw := func(name string, off, dur float64) *Span {
		return t.Root.Add("middleware.express", name, off, dur, Origin("auto.http.otel.express"),
			With("express.name", name, "express.type", "middleware", "http.route", "/"))
	}
	cur := 0.11
	for _, name := range []string{"helmetMiddleware", "corsMiddleware", "jsonParser", "cookieParser", "requestId"} {
		d := r.Between(0.04, 0.3)
		mw(name, cur, d)
		cur += d + r.Between(0.02, 0.08)
	}
	if sessionKey != "" {
		d := r.Between(1.2, 2.1)
		sess := mw("sessionMiddleware", cur, d)
		sess.Data["http.route"] = "/api"
		sess.Add("db.redis", "GET "+sessionKey, 0.1, d-0.3, Origin("auto.db.otel.redis"),
			With("db.system", "redis", "db.statement", "get "+strings.SplitN(sessionKey, ":", 2)[0]+":?", "net.peer.name", "redis.internal", "net.peer.port", 6379))
		cur += d + 0.1
	}
	start := cur + 0.2
	return t.Root.Add("request_handler.express", route, start, t.Root.DurMS()-start-0.6, Origin("auto.http.otel.express"),
		With("express.name", route, "express.type", "request_handler", "http.route", route))
}

// DB adds a query span on the service's database.
func (s *Span) DB(sql string, offMS, durMS float64, opts ...Opt) *Span {
	svc := s.txn.Service
	d := svc.DB
	origin := map[string]string{Python: "auto.db.psycopg", Node: "auto.db.otel.postgres", Go: "auto.db.otel.pgx", Java: "auto.db.jdbc", Ruby: "auto.db.rails"}[svc.Platform]
	op := strings.ToUpper(strings.Fields(sql)[0])
	data := With("db.system", d.System, "db.name", d.Name, "db.operation", op, "server.address", d.Host, "server.port", d.Port)
	return s.Add("db", sql, offMS, durMS, append([]Opt{data, Origin(origin)}, opts...)...)
}

// Cache adds a cache.get (or cache.put) span for key.
func (s *Span) Cache(op, key string, hit bool, offMS, durMS float64) *Span {
	data := []any{"cache.key", []string{key}, "network.peer.address", "redis.internal", "network.peer.port", 6379}
	if op == "cache.get" {
		data = append(data, "cache.hit", hit)
	}
	origin := map[string]string{Python: "auto.cache.redis", Node: "auto.cache.ioredis", Go: "manual"}[s.txn.Service.Platform]
	return s.Add(op, key, offMS, durMS, With(data...), Origin(origin))
}

// Crumb makes a breadcrumb.
func Crumb(at µs, typ, category, level, message string, data map[string]any) wire.Breadcrumb {
	b := wire.Breadcrumb{Timestamp: wire.ISOTime(ts(at)), Type: typ, Category: category, Level: level, Message: message}
	if data != nil {
		b.Data = raw(data)
	}
	return b
}

// HTTPCrumb is the breadcrumb the service's SDK leaves for an http.client
// span when it ends.
func (s *Span) HTTPCrumb() wire.Breadcrumb {
	method, u, _ := strings.Cut(s.Desc, " ")
	level := "info"
	code, _ := s.Data["http.response.status_code"].(int)
	if code >= 400 {
		level = "error"
	} else if code == 0 {
		level = "warning"
	}
	data := map[string]any{"method": method, "url": u}
	if code != 0 {
		data["status_code"] = code
	}
	cat := map[string]string{Browser: "fetch", Node: "http", Python: "httplib", Go: "http", Java: "http", Ruby: "net.http"}[s.txn.Service.Platform]
	if cat == "fetch" {
		data["__span"] = s.ID
		if pu, err := url.Parse(u); err == nil && pu.Host == "shop.acme.test" {
			data["url"] = pu.RequestURI()
		}
	}
	if cat == "httplib" {
		base, q, _ := strings.Cut(u, "?")
		data["url"] = base
		if q != "" {
			data["http.query"] = q
		}
		if code != 0 {
			data["reason"] = Reason(code)
		}
	}
	return Crumb(s.End, "http", cat, level, "", data)
}

// QueryCrumb is the breadcrumb of a db span.
func (s *Span) QueryCrumb() wire.Breadcrumb {
	return Crumb(s.End, "query", "query", "info", s.Desc, nil)
}

// baggage is the Dynamic Sampling Context of the trace.
func (in *Incident) baggage() string {
	head := in.Services[0]
	for _, t := range in.Txns {
		if t.Root.Parent == "" {
			head = t.Service
			break
		}
	}
	return "sentry-environment=production,sentry-release=" + url.QueryEscape(head.Release()) +
		",sentry-public_key=" + in.hexID(32, "dsn", head.Slug) + ",sentry-trace_id=" + in.traceID + ",sentry-sample_rate=1,sentry-sampled=true"
}

// Pageload starts a browser pageload of path with the navigation timing,
// paint and a few resource spans a React app records.
func (in *Incident) Pageload(key string, svc *Service, path, referer string, atMS, durMS float64) *Txn {
	t := in.Root(key, svc, "pageload", path, "route", atMS, durMS)
	in.browserTxn(t, path, referer)
	root := t.Root
	root.Origin = "auto.pageload.react.reactrouter_v6"
	root.Data = map[string]any{
		"sentry.op": "pageload", "sentry.origin": root.Origin, "sentry.source": "route",
		"sentry.idle_span_finish_reason": "idleTimeout", "performance.timeOrigin": float64(root.Start) / 1e6,
	}
	r := genkit.NewRNG(in.Name + "/" + key)
	ttfb := r.Between(90, 180)
	browser := func(desc string, a, b float64) {
		root.Add("browser", desc, a, b-a, Origin("auto.ui.browser.metrics"))
	}
	browser("cache", 0.8, 1.5)
	browser("DNS", 1.5, 9.7)
	browser("connect", 9.7, 48.3)
	browser("TLS/SSL", 24.1, 48.3)
	browser("request", 48.9, ttfb)
	browser("response", ttfb, ttfb+7.9)
	fcp := ttfb + r.Between(380, 520)
	root.Add("paint", "first-paint", fcp, 0, Origin("auto.ui.browser.metrics"))
	root.Add("paint", "first-contentful-paint", fcp, 0, Origin("auto.ui.browser.metrics"))
	res := func(op, u string, a, dur float64, blocking bool, size int) {
		st := "non-blocking"
		if blocking {
			st = "blocking"
		}
		root.Add(op, u, a, dur, Origin("auto.resource.browser.metrics"), With(
			"http.response_transfer_size", size+300, "http.response_content_length", size,
			"http.decoded_response_content_length", size*3, "resource.render_blocking_status", st,
			"server.address", "shop.acme.test", "url.scheme", "https", "url.same_origin", true))
	}
	res("resource.link", "/assets/index-"+in.hexID(8, "css")+".css", ttfb+12, r.Between(80, 140), true, 38211)
	res("resource.script", "/assets/index-"+in.hexID(8, "js")+".js", ttfb+12.3, r.Between(260, 420), true, 221934)
	res("resource.script", "/assets/vendor-react-Cm3V8bWq.js", ttfb+12.5, r.Between(200, 310), true, 143020)
	for i, name := range []string{"Header", "ProductCard", "Price", "Footer"} {
		res("resource.script", fmt.Sprintf("/assets/%s-%s.js", name, in.hexID(8, "chunk", name)), fcp+float64(i)*6.2, r.Between(20, 90), false, 2000+r.Intn(30000))
	}
	res("resource.img", "/assets/acme-logo-4f1c2d9e.svg", fcp+8.3, r.Between(10, 30), false, 4120)
	root.Add("mark", "sentry-tracing-init", fcp+40, 0, Origin("auto.ui.browser.metrics"))
	react := func(op, name string, a, b float64) {
		root.Add(op, "<"+name+">", a, b-a, Origin("auto.ui.react.profiler"))
	}
	react("ui.react.mount", "App", fcp+42, fcp+71)
	t.Measurements = map[string]any{
		"fp":             map[string]any{"value": fcp, "unit": "millisecond"},
		"fcp":            map[string]any{"value": fcp, "unit": "millisecond"},
		"ttfb":           map[string]any{"value": ttfb, "unit": "millisecond"},
		"connection.rtt": map[string]any{"value": 50, "unit": "millisecond"},
	}
	return t
}

// Click starts a browser ui.action.click transaction on the page at path.
func (in *Incident) Click(key string, svc *Service, path, component string, atMS, durMS float64) *Txn {
	t := in.Root(key, svc, "ui.action.click", path, "route", atMS, durMS)
	in.browserTxn(t, path, in.shop+path)
	t.Root.Origin = "auto.ui.browser.interaction"
	t.Root.Data = map[string]any{"sentry.op": "ui.action.click", "sentry.source": "route", "sentry.idle_span_finish_reason": "idleTimeout", "ui.component_name": component}
	return t
}

func (in *Incident) browserTxn(t *Txn, path, referer string) {
	t.Request = &wire.RequestData{URL: in.shop + path, Headers: wire.Pairs{{"Referer", referer}, {"User-Agent", BrowserUA}}}
	t.User = &wire.User{ID: in.userID(), IPAddress: "203.0.113." + fmt.Sprint(20+in.Ordinal*7)}
}

// userID is the customer of the incident.
func (in *Incident) userID() wire.FlexString {
	return wire.FlexString(fmt.Sprintf("u_%d", 40000+in.Ordinal*1733))
}

// BrowserUser is the customer as an error event records them.
func (in *Incident) BrowserUser() *wire.User {
	return &wire.User{ID: in.userID(), IPAddress: "203.0.113." + fmt.Sprint(20+in.Ordinal*7),
		Extra: toExtra(map[string]any{"geo": map[string]any{"country_code": "NL", "city": "Utrecht", "region": "Netherlands"}})}
}

// Navigation starts a browser navigation transaction (a route change
// within the app) from the page at from to path.
func (in *Incident) Navigation(key string, svc *Service, path, from string, atMS, durMS float64) *Txn {
	route, _, _ := strings.Cut(path, "?")
	t := in.Root(key, svc, "navigation", route, "route", atMS, durMS)
	in.browserTxn(t, path, in.shop+from)
	t.Root.Origin = "auto.navigation.react.reactrouter_v6"
	t.Root.Data = map[string]any{"sentry.op": "navigation", "sentry.source": "route", "sentry.idle_span_finish_reason": "idleTimeout", "from": from}
	return t
}
