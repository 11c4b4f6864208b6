package tracegen

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

// lang is a service's platform; it picks the SDK name, the SQL placeholder
// style, function naming, middleware spans and error titles.
type lang uint8

const (
	python lang = iota
	nodejs
	golang
	java
	browser
)

var sdkNames = [...]string{
	python:  "sentry.python",
	nodejs:  "sentry.javascript.node",
	golang:  "sentry.go",
	java:    "sentry.java",
	browser: "sentry.javascript.browser",
}

type svcKind uint8

const (
	kindBackend svcKind = iota
	kindFrontend
	kindGateway
	kindWorker
)

type svcSpec struct {
	slug   string
	lang   lang
	kind   svcKind
	tables []string
}

// catalog lists the services of a web shop, in the order Config.Services
// takes them: the browser front end, the gateway, then backends and workers.
var catalog = []svcSpec{
	{"frontend", browser, kindFrontend, nil},
	{"api-gateway", nodejs, kindGateway, []string{"products", "carts", "orders", "checkouts", "accounts", "searches"}},
	{"auth", golang, kindBackend, []string{"users", "sessions", "api_keys", "refresh_tokens"}},
	{"users", python, kindBackend, []string{"users", "profiles", "addresses", "preferences"}},
	{"orders", python, kindBackend, []string{"orders", "order_items", "order_events"}},
	{"payments", java, kindBackend, []string{"payments", "payment_methods", "refunds", "charges"}},
	{"inventory", golang, kindBackend, []string{"stock_levels", "warehouses", "reservations", "skus"}},
	{"search", python, kindBackend, []string{"search_queries", "synonyms", "boosts"}},
	{"catalog", java, kindBackend, []string{"products", "categories", "product_images", "prices"}},
	{"cart", nodejs, kindBackend, []string{"carts", "cart_items", "promotions"}},
	{"checkout", nodejs, kindBackend, []string{"checkouts", "checkout_sessions", "shipping_options"}},
	{"pricing", golang, kindBackend, []string{"price_rules", "discounts", "currencies"}},
	{"recommendations", python, kindBackend, []string{"user_embeddings", "product_affinities", "recommendation_cache"}},
	{"notifications", python, kindBackend, []string{"notifications", "notification_templates", "device_tokens"}},
	{"shipping", java, kindBackend, []string{"shipments", "carriers", "tracking_events"}},
	{"billing", java, kindBackend, []string{"invoices", "invoice_lines", "subscriptions"}},
	{"fraud-detection", python, kindBackend, []string{"risk_scores", "fraud_rules", "blocked_cards"}},
	{"reviews", nodejs, kindBackend, []string{"reviews", "review_votes", "moderation_queue"}},
	{"media", golang, kindBackend, []string{"assets", "thumbnails", "uploads"}},
	{"analytics", python, kindBackend, []string{"events", "sessions_daily", "funnels"}},
	{"email", nodejs, kindBackend, []string{"email_messages", "email_templates", "bounces"}},
	{"tax", java, kindBackend, []string{"tax_rates", "tax_jurisdictions", "exemptions"}},
	{"ledger", golang, kindBackend, []string{"ledger_entries", "accounts", "balances"}},
	{"loyalty", nodejs, kindBackend, []string{"loyalty_accounts", "reward_points", "tiers"}},
	{"geo", golang, kindBackend, []string{"regions", "postal_codes", "delivery_zones"}},
	{"sessions", nodejs, kindBackend, []string{"web_sessions", "session_events"}},
	{"webhooks", nodejs, kindBackend, []string{"webhook_endpoints", "webhook_deliveries"}},
	{"feature-flags", golang, kindBackend, []string{"flags", "flag_rules", "segments"}},
	{"audit-log", java, kindBackend, []string{"audit_events", "actors"}},
	{"worker", python, kindWorker, []string{"jobs", "job_runs", "dead_letters"}},
	{"scheduler", golang, kindWorker, []string{"schedules", "cron_runs"}},
	{"reporting", python, kindWorker, []string{"report_runs", "report_exports"}},
}

// route is a transaction name: an HTTP route ("GET /v1/orders/{id}"), a
// task name or a front-end page.
type route struct {
	method, path, name string
}

// service is one project of the trace with its pools of span descriptions.
// Descriptions are shared strings, so spans cost no string allocations.
type service struct {
	slug      string
	lang      lang
	kind      svcKind
	sdk       string
	projectID int64
	host      string // host its callers use in http.client descriptions
	routes    []route
	tables    []string
	txnOp     string
	contOp    string // op of container spans
	mwOp      string
	mw        []string
	funcs     []string
	sqls      []string
	byID      []string // SELECT … WHERE id = ?, the N+1 kind
	redis     []string
	cache     []string
	external  []string
	profilers []string // continuous-profiler session ids (python, node)
	issueSeq  int
}

var verbs = []string{"get", "list", "create", "update", "validate", "load", "serialize", "compute", "apply", "reserve", "fetch", "build", "resolve", "check", "enrich", "publish"}

func singular(t string) string {
	switch {
	case strings.HasSuffix(t, "ies"):
		return t[:len(t)-3] + "y"
	case strings.HasSuffix(t, "sses"), strings.HasSuffix(t, "ches"), strings.HasSuffix(t, "shes"), strings.HasSuffix(t, "xes"):
		return t[:len(t)-2]
	case strings.HasSuffix(t, "s") && !strings.HasSuffix(t, "ss"):
		return t[:len(t)-1]
	}
	return t
}

// pascal turns "payment_methods" or "fraud-detection" into "PaymentMethods".
func pascal(s string) string {
	var b strings.Builder
	up := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' || c == '-' || c == '.' {
			up = true
			continue
		}
		if up && c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		up = false
		b.WriteByte(c)
	}
	return b.String()
}

func camel(s string) string {
	p := pascal(s)
	if p == "" {
		return p
	}
	return strings.ToLower(p[:1]) + p[1:]
}

func pkgName(slug string) string { return strings.NewReplacer("-", "", "_", "").Replace(slug) }

func placeholder(l lang, n int) string {
	switch l {
	case python:
		return "%s"
	case java:
		return "?"
	}
	return "$" + strconv.Itoa(n)
}

// newService builds a service of the trace from its catalog entry; suffix
// tells copies apart ("-2").
func newService(spec svcSpec, suffix string, rng *rand.Rand, projectID int64) *service {
	s := &service{slug: spec.slug + suffix, lang: spec.lang, kind: spec.kind, sdk: sdkNames[spec.lang], projectID: projectID, tables: spec.tables}
	pkg := pkgName(spec.slug)
	switch s.kind {
	case kindFrontend:
		s.txnOp, s.contOp = "pageload", "ui.react.render"
		for _, p := range []string{"/", "/products/:slug", "/category/:slug", "/cart", "/checkout", "/account/orders", "/search"} {
			s.routes = append(s.routes, route{path: p, name: p})
		}
		for _, c := range []string{"App", "ProductGrid", "ProductCard", "CartDrawer", "CheckoutForm", "Header", "Recommendations", "ReviewList", "PriceTag", "SearchBox"} {
			s.funcs = append(s.funcs, "<"+c+">")
		}
		for _, u := range []string{"POST https://www.google-analytics.com/g/collect", "GET https://js.stripe.com/v3/", "POST https://o4509062593708032.ingest.sentry.io/api/1/envelope/", "GET https://fonts.googleapis.com/css2"} {
			s.external = append(s.external, u)
		}
		return s
	case kindGateway:
		s.host = "api.shop.example"
	default:
		s.host = s.slug + ".internal"
	}
	s.contOp = "function"
	if s.kind == kindWorker {
		s.txnOp = "task"
		for _, t := range s.tables {
			for _, v := range []string{"process", "retry", "cleanup"} {
				n := "tasks." + v + "_" + t
				if s.lang == golang {
					n = pkg + "." + pascal(v) + pascal(t)
				}
				s.routes = append(s.routes, route{name: n})
			}
		}
	} else {
		s.txnOp = "http.server"
		for j, t := range s.tables {
			res := "/v1/" + strings.ReplaceAll(t, "_", "-")
			s.routes = append(s.routes, route{method: "GET", path: res + "/{id}"}, route{method: "GET", path: res})
			if j < 2 {
				s.routes = append(s.routes, route{method: "POST", path: res}, route{method: "PATCH", path: res + "/{id}"})
			}
		}
		for j := range s.routes {
			s.routes[j].name = s.routes[j].method + " " + s.routes[j].path
		}
	}
	// Function names in the platform's style.
	for _, t := range s.tables {
		noun := singular(t)
		for k := 0; k < 4; k++ {
			v := verbs[rng.IntN(len(verbs))]
			var f string
			switch s.lang {
			case python:
				f = pkg + ".services." + v + "_" + noun
			case nodejs:
				f = pascal(noun) + "Service." + v + pascal(noun)
			case golang:
				f = pkg + ".(*" + pascal(noun) + "Store)." + pascal(v) + pascal(noun)
			case java:
				f = "com.shop." + pkg + "." + pascal(noun) + "Service." + v + pascal(noun)
			}
			s.funcs = append(s.funcs, f)
		}
	}
	switch s.lang {
	case python:
		s.mwOp = "middleware.django"
		s.mw = []string{"django.middleware.security.SecurityMiddleware.__call__", "django.contrib.sessions.middleware.SessionMiddleware.__call__", "django.middleware.common.CommonMiddleware.__call__", "django.middleware.csrf.CsrfViewMiddleware.__call__", "django.contrib.auth.middleware.AuthenticationMiddleware.__call__"}
	case nodejs:
		s.mwOp = "middleware.express"
		s.mw = []string{"query", "expressInit", "corsMiddleware", "jsonParser", "authenticate"}
	case golang:
		s.mwOp = "middleware.handler"
		s.mw = []string{"middleware.RequestID", "middleware.RealIP", "middleware.Recoverer", "auth.RequireToken"}
	case java:
		s.mwOp = "middleware.spring"
		s.mw = []string{"org.springframework.web.filter.CorsFilter.doFilter", "org.springframework.security.web.FilterChainProxy.doFilter", "org.springframework.web.filter.RequestContextFilter.doFilter"}
	}
	// SQL, in the driver's placeholder style.
	p1, p2, p3 := placeholder(s.lang, 1), placeholder(s.lang, 2), placeholder(s.lang, 3)
	for j, t := range s.tables {
		byID := "SELECT " + t + ".id, " + t + ".status, " + t + ".created_at, " + t + ".updated_at FROM " + t + " WHERE " + t + ".id = " + p1 + " LIMIT 1"
		s.byID = append(s.byID, byID)
		s.sqls = append(s.sqls, byID,
			"SELECT "+t+".* FROM "+t+" WHERE "+t+".account_id = "+p1+" ORDER BY "+t+".created_at DESC LIMIT "+p2,
			"SELECT COUNT(*) AS count FROM "+t+" WHERE "+t+".status = "+p1,
			"INSERT INTO "+t+" (id, status, created_at) VALUES ("+p1+", "+p2+", "+p3+")",
			"UPDATE "+t+" SET status = "+p1+", updated_at = "+p2+" WHERE "+t+".id = "+p3,
		)
		if j+1 < len(s.tables) {
			u := s.tables[j+1]
			s.sqls = append(s.sqls, "SELECT "+t+".id, "+u+".id FROM "+t+" INNER JOIN "+u+" ON "+u+"."+singular(t)+"_id = "+t+".id WHERE "+t+".id = "+p1)
		}
		noun := singular(t)
		s.redis = append(s.redis, "GET "+pkg+":"+noun+":*", "HGETALL "+pkg+":"+noun+":*", "SETEX "+pkg+":"+noun+":* 300 *")
		s.cache = append(s.cache, pkg+":"+noun+":*", pkg+":"+t+":list:*")
	}
	s.redis = append(s.redis, "INCR ratelimit:"+pkg+":*", "EXPIRE ratelimit:"+pkg+":* 60")
	s.external = externalFor(spec.slug, s.slug)
	if s.lang == python || s.lang == nodejs {
		for k := 0; k < 2; k++ {
			s.profilers = append(s.profilers, "") // filled in with ids later
		}
	}
	return s
}

func externalFor(kind, slug string) []string {
	switch kind {
	case "payments", "billing":
		return []string{"POST https://api.stripe.com/v1/payment_intents", "POST https://api.stripe.com/v1/refunds", "GET https://api.stripe.com/v1/customers/cus_*"}
	case "email", "notifications":
		return []string{"POST https://api.sendgrid.com/v3/mail/send", "POST https://fcm.googleapis.com/v1/projects/shop/messages:send"}
	case "shipping":
		return []string{"POST https://api.easypost.com/v2/shipments", "GET https://api.easypost.com/v2/trackers/*"}
	case "search", "recommendations":
		return []string{"POST http://elasticsearch.internal:9200/products/_search", "POST http://elasticsearch.internal:9200/_msearch"}
	case "fraud-detection":
		return []string{"POST https://api.sift.com/v205/events", "GET https://api.sift.com/v205/score/*"}
	case "tax":
		return []string{"POST https://rest.avatax.com/api/v2/transactions/create"}
	case "geo":
		return []string{"GET https://maps.googleapis.com/maps/api/geocode/json"}
	case "media":
		return []string{"PUT https://shop-media.s3.amazonaws.com/uploads/*", "GET https://shop-media.s3.amazonaws.com/originals/*"}
	}
	return []string{"POST https://api.segment.io/v1/batch", "GET http://vault.internal:8200/v1/secret/data/" + slug}
}

// Browser leaf spans.
var (
	browserScripts = []string{
		"https://cdn.shop.example/_next/static/chunks/main-3f9a1c2b7d.js",
		"https://cdn.shop.example/_next/static/chunks/framework-0e8c4a91b2.js",
		"https://cdn.shop.example/_next/static/chunks/webpack-77d2e10f4c.js",
		"https://cdn.shop.example/_next/static/chunks/pages/_app-a41b9c03de.js",
		"https://cdn.shop.example/_next/static/chunks/742-5c0de2f9a8.js",
		"https://js.stripe.com/v3/",
		"https://www.googletagmanager.com/gtag/js",
	}
	browserCSS  = []string{"https://cdn.shop.example/_next/static/css/8e2f6a7c1d.css", "https://fonts.googleapis.com/css2"}
	browserImgs = []string{"https://cdn.shop.example/images/products/*.webp", "https://cdn.shop.example/images/banners/*.avif", "https://cdn.shop.example/icons/sprite.svg"}
	browserOps  = []string{"connect", "request", "response", "domContentLoadedEvent", "loadEvent", "cache", "unloadEvent"}
	browserMark = []string{"hydration-start", "hydration-end", "first-product-visible"}
)

// Error titles by platform and the kind of span they happen in. {table},
// {host}, {noun}, {Noun} and {svc} are filled in from the span.
const (
	famDB = iota
	famCache
	famHTTP
	famCode
	numFam
)

type errTpl struct{ title, level string }

var errTemplates = [...][numFam][]errTpl{
	python: {
		famDB:    {{"OperationalError: server closed the connection unexpectedly", "error"}, {"IntegrityError: duplicate key value violates unique constraint \"{table}_pkey\"", "error"}, {"QueryCanceled: canceling statement due to statement timeout", "error"}},
		famCache: {{"ConnectionError: Error 111 connecting to redis.internal:6379. Connection refused.", "error"}, {"TimeoutError: Timeout reading from socket", "warning"}},
		famHTTP:  {{"ReadTimeout: HTTPSConnectionPool(host='{host}', port=443): Read timed out. (read timeout=5)", "error"}, {"HTTPError: 503 Server Error: Service Unavailable for url: https://{host}/", "error"}},
		famCode:  {{"KeyError: '{noun}_id'", "error"}, {"AttributeError: 'NoneType' object has no attribute 'currency'", "error"}, {"ValueError: invalid literal for int() with base 10: 'undefined'", "error"}},
	},
	nodejs: {
		famDB:    {{"QueryFailedError: duplicate key value violates unique constraint \"{table}_pkey\"", "error"}, {"Error: Connection terminated due to connection timeout", "error"}},
		famCache: {{"ReplyError: READONLY You can't write against a read only replica.", "error"}, {"Error: connect ECONNREFUSED 10.0.3.17:6379", "error"}},
		famHTTP:  {{"FetchError: request to https://{host}/ failed, reason: socket hang up", "error"}, {"AxiosError: Request failed with status code 502", "error"}},
		famCode:  {{"TypeError: Cannot read properties of undefined (reading '{noun}Id')", "error"}, {"RangeError: Invalid time value", "error"}},
	},
	golang: {
		famDB:    {{"*pq.Error: pq: canceling statement due to statement timeout", "error"}, {"*errors.errorString: sql: no rows in result set", "error"}},
		famCache: {{"*net.OpError: dial tcp 10.0.3.17:6379: connect: connection refused", "error"}, {"*errors.errorString: redis: connection pool timeout", "error"}},
		famHTTP:  {{"*url.Error: Get \"https://{host}/\": context deadline exceeded", "error"}, {"*errors.errorString: {host}: unexpected status 503", "error"}},
		famCode:  {{"runtime.Error: runtime error: invalid memory address or nil pointer dereference", "fatal"}, {"*errors.errorString: {svc}: {noun} reservation expired", "error"}},
	},
	java: {
		famDB:    {{"org.postgresql.util.PSQLException: ERROR: deadlock detected", "error"}, {"org.hibernate.exception.LockAcquisitionException: could not execute statement", "error"}},
		famCache: {{"io.lettuce.core.RedisCommandTimeoutException: Command timed out after 1 minute(s)", "error"}},
		famHTTP:  {{"java.net.SocketTimeoutException: Read timed out", "error"}, {"org.springframework.web.client.HttpServerErrorException$ServiceUnavailable: 503 Service Unavailable", "error"}},
		famCode:  {{"java.lang.NullPointerException: Cannot invoke \"com.shop.{svc}.{Noun}.getId()\" because \"{noun}\" is null", "error"}, {"java.lang.IllegalStateException: {Noun} already captured", "error"}},
	},
	browser: {
		famDB:    {{"TypeError: Cannot read properties of undefined (reading 'items')", "error"}},
		famCache: {{"QuotaExceededError: The quota has been exceeded.", "warning"}},
		famHTTP:  {{"TypeError: Failed to fetch", "error"}, {"TypeError: NetworkError when attempting to fetch resource.", "error"}},
		famCode:  {{"TypeError: Cannot read properties of undefined (reading 'items')", "error"}, {"ChunkLoadError: Loading chunk 742 failed.", "error"}, {"ReferenceError: gtag is not defined", "warning"}},
	},
}
