package scenario

import (
	"fmt"
	"time"

	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/tracehound/tracehound/demo/internal/incident"
)

// cacheStampede: the shop-wide trending list is cached for exactly an hour
// and recomputed by whoever misses it. At 12:00:00 the key expires and every
// carousel request of every home page recomputes the same 1.5 s query at
// once; the 4-connection pools run dry, some requests time out waiting for
// a connection (503), the gateway fails the home page (502).
func cacheStampede() *Incident {
	in := New("cache-stampede", 4, time.Date(2026, 12, 8, 12, 0, 0, 412000000, time.UTC))
	in.Description = "Made-up incident (demo data): at the top of some hours the shop's home page fails with " +
		"\"502 Bad Gateway\" for a few seconds, then recovers on its own."
	sf := in.Service(&Service{Slug: "storefront", Platform: Browser, Version: "4.13.1", Deployed: "2026-11-27T10:02:18.331904Z"})
	gw := in.Service(&Service{Slug: "api-gateway", Platform: Node, Version: "1.32.0", Deployed: "2026-11-30T15:12:44.208113Z",
		Server: "api-gateway-7c9d8f6b5-m2x8r"})
	rc := in.Service(&Service{Slug: "recommendations", Platform: Python, Version: "4.1.0", Deployed: "2026-11-25T09:15:44.019256Z",
		Host: "recommendations.internal:8000", Server: "recommendations-58d4b7c9f-hk2vd",
		DB: DB{System: "postgresql", Name: "orders", Host: "pg-orders-replica.internal", Port: 5432}})

	const sid, customer = "s_0c7e1a95bd24", "cus_77120"
	pl := in.Pageload("pageload", sf, "/", "https://www.google.com/", 0, 4210.8)
	fetch := pl.Root.HTTP("GET", "/api/home", 502, 705.0, 1668.0)
	gt := fetch.Serve("gateway/home", gw, "/api/home", 502, 2.4, 1.9)
	h := gt.Express("/api/home", "sess:"+sid)

	const trendingSQL = "SELECT oi.sku, sum(oi.quantity) AS units, count(DISTINCT o.customer_id) AS buyers " +
		"FROM order_items oi JOIN orders o ON o.id = oi.order_id " +
		"WHERE o.created_at > now() - interval '7 days' AND o.status IN ('paid', 'shipped', 'delivered') " +
		"GROUP BY oi.sku ORDER BY buyers DESC, units DESC LIMIT 500"
	filters := map[string]string{
		"for-you":        "SELECT sku FROM products WHERE sku = ANY(%s) AND category_id = ANY(%s)",
		"deals":          "SELECT sku FROM products WHERE sku = ANY(%s) AND sale_price_cents IS NOT NULL",
		"gifts-under-50": "SELECT sku FROM products WHERE sku = ANY(%s) AND price_cents < 5000",
		"back-in-stock":  "SELECT sku FROM products WHERE sku = ANY(%s) AND restocked_at > now() - interval '3 days'",
	}
	type widget struct {
		name    string
		queryMS float64 // 0: no connection within the pool's 1 s timeout
	}
	widgets := []widget{{"trending", 1488.3}, {"for-you", 1541.0}, {"deals", 0}, {"gifts-under-50", -1}, {"back-in-stock", 0}}
	var calls []*Span
	var failed []*Span // the compute spans that found no connection
	for i, w := range widgets {
		off := 0.4 + 0.25*float64(i)
		var recoMS float64
		switch {
		case w.queryMS == 0:
			recoMS = 1.6 + 1003.4 + 1.9
		case w.queryMS < 0: // the slowest: ends just before the handler does
			recoMS = h.DurMS() - off - 1.6 - 2.0
		default:
			recoMS = 1.6 + w.queryMS + 0.9 + 0.2 + 0.8 + 0.3 + 1.7 + 0.6
		}
		status := 200
		if w.queryMS == 0 {
			status = 503
		}
		call := h.HTTP("GET", fmt.Sprintf("http://recommendations.internal:8000/v1/widgets/%s?customer=%s", w.name, customer), status, off, recoMS+2.0)
		calls = append(calls, call)
		rt := call.Serve("reco/"+w.name, rc, "/v1/widgets/<widget>", status, 1.1, 0.9)
		r := rt.Root
		r.Cache("cache.get", "reco:trending:v3", false, 0.4, 0.9)
		if w.queryMS == 0 {
			failed = append(failed, r.Add("function", "reco.compute_trending", 1.6, 1003.4, Status("internal_error")))
			continue
		}
		fn := r.Add("function", "reco.compute_trending", 1.6, recoMS-1.6-0.2-0.8-0.3-1.7-0.6)
		fn.DB(trendingSQL, 0.3, fn.DurMS()-0.9)
		r.Cache("cache.put", "reco:trending:v3", false, float64(fn.End-r.Start)/1000+0.2, 0.8)
		if sql, ok := filters[w.name]; ok {
			r.DB(sql, r.DurMS()-0.6-1.7, 1.7)
		}
	}

	// recommendations: two requests wait a second for a connection.
	poolFrames := func(widgetName string) []Frame {
		return append(FlaskDispatch()[3:],
			withVars(App("reco/app.py", "skus = trending.trending_skus()", "get_widget"),
				map[string]any{"widget": "'" + widgetName + "'", "title": map[string]string{"deals": "'Deals'", "back-in-stock": "'Back in stock'"}[widgetName], "sql": "'" + filters[widgetName] + "'"}),
			App("reco/trending.py", "return state.cache.get_or_compute(", "trending_skus"),
			withVars(App("reco/cache.py", "value = compute()", "get_or_compute"), map[string]any{
				"self": "<reco.cache.Cache object at 0x7fa1e4c3b2d0>", "key": "'reco:trending:v3'", "ttl_s": "3600", "raw": "None",
				"compute": "<function _compute_trending at 0x7fa1e4d0f9c0>"}),
			App("reco/trending.py", "with state.pool.connection() as conn:", "_compute_trending"),
			Sys("contextlib", "__enter__", "contextlib.py", "/usr/local/lib/python3.12/contextlib.py", 137, "            return next(self.gen)"),
			Sys("psycopg_pool.pool", "connection", "psycopg_pool/pool.py", "/usr/local/lib/python3.12/site-packages/psycopg_pool/pool.py", 171,
				"        conn = self.getconn(timeout=timeout)"),
			Sys("psycopg_pool.pool", "getconn", "psycopg_pool/pool.py", "/usr/local/lib/python3.12/site-packages/psycopg_pool/pool.py", 209,
				"                raise PoolTimeout("),
		)
	}
	poolIssue := &Issue{ShortID: "RECOMMENDATIONS-4H", Count: 612, FirstSeen: "2026-11-28T18:00:01Z", Substatus: "escalating", FirstRelease: "recommendations@4.0.2"}
	for i, f := range failed {
		name := []string{"deals", "back-in-stock"}[i]
		tx := f.Txn()
		in.Error(&Error{
			Key: "error/reco/" + name, Span: f, At: f.End - MS(0.2), Handled: true, Mechanism: "generic",
			Chain: []Exception{{Type: "PoolTimeout", Module: "psycopg_pool", Value: "couldn't get a connection after 1.00 sec", Frames: poolFrames(name)}},
			Crumbs: []wire.Breadcrumb{
				Crumb(tx.Root.Start+MS(1.3), "query", "redis", "info", "GET 'reco:trending:v3'", map[string]any{"redis.command": "GET", "redis.key": "reco:trending:v3"}),
			},
			Tags:     [][2]string{{"url", "http://recommendations.internal:8000/v1/widgets/" + name}},
			Contexts: map[string]any{"pool": map[string]any{"name": "pool-1", "pool_min": 4, "pool_max": 4, "pool_size": 4, "pool_available": 0, "requests_waiting": 37}},
			Issue:    poolIssue,
		})
	}

	// api-gateway: the first failed carousel fails the page.
	in.Error(&Error{
		Key: "error/gateway", Span: h, At: calls[3].End + MS(1.1), Mechanism: "auto.middleware.express",
		Chain: []Exception{{Type: "UpstreamError", Value: "recommendations responded 503 to GET /v1/widgets/deals?customer=" + customer, Frames: []Frame{
			{Path: "src/routes/home.ts", At: "const results = await Promise.allSettled(", Col: "Promise.allSettled", Function: "getHome"},
			NodeTicks(),
			{Path: "src/lib/upstream.ts", At: "throw new UpstreamError(", Col: "new UpstreamError", Function: "callUpstream"},
		}}},
		Crumbs: []wire.Breadcrumb{calls[2].HTTPCrumb(), calls[4].HTTPCrumb(), calls[0].HTTPCrumb(), calls[1].HTTPCrumb(), calls[3].HTTPCrumb()},
		Tags:   [][2]string{{"http.route", "/api/home"}, {"upstream.service", "recommendations"}},
		Contexts: map[string]any{"UpstreamError": map[string]any{"service": "recommendations", "status": 503, "method": "GET",
			"path": "/v1/widgets/deals?customer=" + customer, "body": `{"error":"busy"}`}},
		User:  &wire.User{ID: in.userID()},
		Issue: &Issue{ShortID: "API-GATEWAY-6P", Count: 655, Users: 540, FirstSeen: "2026-11-28T18:00:02Z", Substatus: "escalating", FirstRelease: "api-gateway@1.31.2"},
	})

	// storefront: the issue the user opens.
	in.Symptom = in.Error(&Error{
		Key: "error/storefront", Span: pl.Root, At: fetch.End + MS(1.5), Handled: true, Mechanism: "generic",
		Chain: []Exception{{Type: "Error", Value: "GET /api/home failed: 502 Bad Gateway", Frames: []Frame{
			{Path: "src/pages/HomePage.tsx", At: "setWidgets(await getHome());", Col: "getHome()", Function: "loadHome"},
			{Path: "src/api/home.ts", At: `const home = await apiFetch<{ widgets: Widget[] }>("GET", "/api/home");`, Col: "apiFetch", Function: "getHome"},
			{Path: "src/api/client.ts", At: "throw new Error(`${method} ${path} failed", Col: "new Error", Function: "apiFetch"},
		}}},
		Crumbs: []wire.Breadcrumb{fetch.HTTPCrumb()},
		User:   in.BrowserUser(),
		Issue:  &Issue{ShortID: "STOREFRONT-B4", Count: 598, Users: 571, FirstSeen: "2026-11-28T18:00:03Z", Substatus: "escalating", FirstRelease: "storefront@4.12.0"},
	})

	in.Expected = incident.Expected{
		Service: "recommendations", Repo: "acme/recommendations", File: "reco/cache.py", Function: "get_or_compute",
		Explanation: "Cache.get_or_compute lets every request that misses recompute the value (no single-flight lock or stale-while-revalidate) " +
			"and stores it with a fixed TTL (no jitter); when reco:trending:v3 expires on the hour, every carousel request of every home page " +
			"runs the same 1.5 s trending query at once, the 4-connection pools run dry, requests time out waiting for a connection " +
			"(PoolTimeout, 503), and api-gateway fails /api/home with 502.",
	}
	return in
}
