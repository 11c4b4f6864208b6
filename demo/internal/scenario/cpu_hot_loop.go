package scenario

import (
	"time"

	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/tracehound/tracehound/demo/internal/history"
	"github.com/tracehound/tracehound/demo/internal/incident"
)

// cpuHotLoop: search 2.8.0 builds its highlight regex with a leading
// "(?:\w+[\s,.;:/-]+)*?" so that snippets start at a word; finditer then
// retries that group from every position of a description that lacks the
// term: quadratic. One hit with a 17 kB description (matched through its
// synonyms, not its text) burns 2.3 s of CPU in highlight_snippet, search
// runs out of the 2.4 s the gateway gave it (504), the gateway answers 504
// and the search page fails. The transaction's profile shows the time.
func cpuHotLoop() *Incident {
	in := New("cpu-hot-loop", 5, time.Date(2026, 12, 9, 20, 47, 19, 318000000, time.UTC))
	in.Description = "Made-up incident (demo data): some searches in the shop fail with \"504 Gateway Timeout\" " +
		"since this afternoon; others work."
	sf := in.Service(&Service{Slug: "storefront", Platform: Browser, Version: "4.13.1", Deployed: "2026-11-27T10:02:18.331904Z"})
	gw := in.Service(&Service{Slug: "api-gateway", Platform: Node, Version: "1.32.0", Deployed: "2026-11-30T15:12:44.208113Z",
		Server: "api-gateway-7c9d8f6b5-z7t4w"})
	se := in.Service(&Service{Slug: "search", Platform: Python, Version: "2.8.0", Deployed: "2026-12-09T16:05:12.874310Z",
		Host: "search.internal:8000", Server: "search-6b5c8d7f9-q2lzr",
		DB: DB{System: "postgresql", Name: "catalog", Host: "pg-catalog-replica.internal", Port: 5432},
		History: []history.Commit{
			{Message: "Release 2.7.3", Author: "Acme Shop CI <ci@acme.test>", Date: "2026-11-26T10:14:09Z", Tag: "v2.7.3",
				Files: map[string]string{"search/highlight.py": "history/acme/search/v2.7.3/search/highlight.py"}},
			{Message: "highlight: start snippets at a word boundary\n\n" +
				"Snippets could start in the middle of a word. Capture the words leading\n" +
				"up to the first match (whatever punctuation separates them) so the\n" +
				"snippet can start at the first of them.\n",
				Author: "Tomás Ferreira <tomas.ferreira@acme.test>", Date: "2026-12-08T15:27:33Z"},
		}})

	const q = "moka%20pot"
	nav := in.Navigation("navigation", sf, "/search?q=moka+pot", "/", 0, 3120.4)
	fetch := nav.Root.HTTP("GET", "/api/search?q="+q, 504, 31.2, 2466.0)
	facets := nav.Root.HTTP("GET", "/api/search/facets?q="+q, 200, 32.0, 61.7)
	nav.Root.Add("resource.script", "/assets/SearchPage-"+in.hexID(8, "chunk", "SearchPage")+".js", 2.1, 24.3, Origin("auto.resource.browser.metrics"),
		With("http.response_transfer_size", 9120, "http.response_content_length", 8820, "http.decoded_response_content_length", 27311,
			"resource.render_blocking_status", "non-blocking", "server.address", "shop.acme.test", "url.scheme", "https", "url.same_origin", true))
	nav.Root.Add("ui.react.mount", "<SearchPage>", 27.0, 3.9, Origin("auto.ui.react.profiler"))
	nav.Root.Add("ui.react.update", "<SearchPage>", 95.1, 2.2, Origin("auto.ui.react.profiler"), With("changedProps", []string{"facets"}))
	nav.Root.Add("ui.react.update", "<SearchPage>", 2499.4, 1.8, Origin("auto.ui.react.profiler"), With("changedProps", []string{"failed"}))

	gt := fetch.Serve("gateway/search", gw, "/api/search", 504, 2.3, 1.7)
	h := gt.Express("/api/search", "")
	call := h.HTTP("GET", "http://search.internal:8000/v1/search?q="+q+"&size=24", 504, 0.3, h.DurMS()-0.3-1.9)
	st := call.Serve("search/search", se, "/v1/search", 504, 1.0, 0.8)
	s := st.Root
	osCall := s.HTTP("POST", "http://opensearch.internal:9200/products/_search", 200, 1.3, 36.8)
	cards := s.DB("SELECT sku, price_cents, on_hand FROM product_cards WHERE sku = ANY(%s)", 38.9, 4.6)
	build := s.Add("function", "search.build_results", 44.1, s.DurMS()-44.1-1.9, Status("internal_error"))

	ft := facets.Serve("gateway/facets", gw, "/api/search/facets", 200, 2.1, 1.5)
	fh := ft.Express("/api/search/facets", "")
	fcall := fh.HTTP("GET", "http://search.internal:8000/v1/facets?q="+q, 200, 0.3, fh.DurMS()-0.3-0.9)
	fs := fcall.Serve("search/facets", se, "/v1/facets", 200, 0.9, 0.7)
	fs.Root.HTTP("POST", "http://opensearch.internal:9200/products/_search", 200, 1.1, fs.Root.DurMS()-1.1-1.3)

	// The profile of /v1/search: where the request thread spent its time.
	view := func(at string) PFrame {
		return PFrame{Function: "search", Module: "search.views", Path: "search/views.py", At: at}
	}
	snippet := view(`"snippet": highlight_snippet(hit["description"], terms),`)
	hl := func(at string) PFrame {
		return PFrame{Function: "highlight_snippet", Module: "search.highlight", Path: "search/highlight.py", At: at}
	}
	finditer := hl("for m in pattern.finditer(text):")
	render := []PFrame{hl("return _render(text, start, end, spans)"),
		{Function: "_render", Module: "search.highlight", Path: "search/highlight.py", At: "out.append(html.escape(text[pos:a]))"}}
	opensearch := []PFrame{view("res = os_client.search("),
		PySite("_wrapped", "opensearchpy.client.utils", "opensearchpy/client/utils.py", 181),
		PySite("search", "opensearchpy.client", "opensearchpy/client/__init__.py", 1771),
		PySite("perform_request", "opensearchpy.transport", "opensearchpy/transport.py", 409),
		PySite("perform_request", "opensearchpy.connection.http_urllib3", "opensearchpy/connection/http_urllib3.py", 264),
		PySite("urlopen", "urllib3.connectionpool", "urllib3/connectionpool.py", 787),
		PySite("_make_request", "urllib3.connectionpool", "urllib3/connectionpool.py", 534),
		PyStd("getresponse", "http.client", "http/client.py", 1428),
		PyStd("_read_status", "http.client", "http/client.py", 292),
		PyStd("readinto", "socket", "socket.py", 720),
	}
	psycopg := []PFrame{view(`"SELECT sku, price_cents, on_hand FROM product_cards WHERE sku = ANY(%s)", ([h["sku"] for h in hits],)`),
		PySite("execute", "psycopg.connection", "psycopg/connection.py", 266),
		PySite("execute", "psycopg.cursor", "psycopg/cursor.py", 97),
		PySite("wait", "psycopg.connection", "psycopg/connection.py", 452),
		PySite("wait_c", "psycopg_binary._psycopg", "psycopg_binary/_psycopg/waiting.pyx", 199),
	}
	raise := []PFrame{view(`deadline.check("result building")`),
		{Function: "check", Module: "search.deadline", Path: "search/deadline.py", At: "raise DeadlineExceeded("}}
	capture := []PFrame{
		PySite("handle_user_exception", "flask.app", "flask/app.py", 802),
		{Function: "deadline_exceeded", Module: "search.app", Path: "search/app.py", At: "sentry_sdk.capture_exception(exc)"},
		PySite("capture_exception", "sentry_sdk.api", "sentry_sdk/api.py", 191),
		PySite("capture_event", "sentry_sdk.client", "sentry_sdk/client.py", 856),
		PySite("serialize", "sentry_sdk.serializer", "sentry_sdk/serializer.py", 380),
	}
	base := PyProfileBase()
	dur := s.DurMS()
	st.SetProfile(&Profile{
		ThreadID: "140093625911872", ThreadName: "ThreadPoolExecutor-0_0",
		Base: base,
		Segments: []Segment{
			{UntilMS: 38.1, Stacks: [][]PFrame{opensearch}},
			{UntilMS: 43.5, Stacks: [][]PFrame{psycopg}},
			{UntilMS: 71.0, Stacks: [][]PFrame{{snippet, finditer}, append([]PFrame{snippet}, render...), {snippet, finditer}}},
			{UntilMS: dur - 5.5, Stacks: [][]PFrame{{snippet, finditer}}},
			{UntilMS: dur - 3.0, Stacks: [][]PFrame{raise}},
			{UntilMS: dur + 1, Stacks: [][]PFrame{capture}},
		},
		Others: []ProfileThread{
			{ID: "140093671012160", Name: "MainThread", Stack: []PFrame{
				PySite("<module>", "gunicorn", "gunicorn/__main__.py", 7),
				PySite("run", "gunicorn.app.base", "gunicorn/app/base.py", 231),
				PySite("run", "gunicorn.workers.gthread", "gunicorn/workers/gthread.py", 214),
				PySite("wait_for_and_dispatch_connection_event", "gunicorn.workers.gthread", "gunicorn/workers/gthread.py", 174),
				PyStd("select", "selectors", "selectors.py", 468),
			}},
			{ID: "140093617518912", Name: "sentry-sdk.BackgroundWorker", Stack: []PFrame{
				PyStd("_bootstrap", "threading", "threading.py", 1032),
				PyStd("_bootstrap_inner", "threading", "threading.py", 1075),
				PyStd("run", "threading", "threading.py", 1012),
				PySite("_target", "sentry_sdk.worker", "sentry_sdk/worker.py", 128),
				PyStd("get", "queue", "queue.py", 171),
				PyStd("wait", "threading", "threading.py", 355),
			}},
		},
	})

	// search: the deadline passes after the slow snippet.
	hit := map[string]any{"sku": "'SKU-66120'", "name": "'Stovetop coffee maker, 3 cups'", "brand": "'Acme Home'", "description": "'Classic stovetop coffee maker ...'"}
	in.Error(&Error{
		Key: "error/search", Span: build, At: build.End - MS(0.4), Handled: true, Mechanism: "generic",
		Chain: []Exception{{Type: "DeadlineExceeded", Module: "search.deadline", Value: "deadline (2400 ms) exceeded during result building", Frames: append(FlaskDispatch()[3:],
			withVars(App("search/views.py", `deadline.check("result building")`, "search"), map[string]any{
				"q": "'moka pot'", "size": "24", "terms": "['moka', 'pot']", "hit": hit,
				"hits":    "[{'sku': 'SKU-48813', 'name': 'Moka pot, 6 cups', ...}, ... (24 items)]",
				"results": "[{'sku': 'SKU-48813', 'snippet': 'Classic <mark>moka</mark> <mark>pot</mark> for 6 cups…', ...}, ... (7 items)]"}),
			withVars(App("search/deadline.py", "raise DeadlineExceeded(", "check"), map[string]any{"stage": "'result building'"}),
		)}},
		Crumbs: []wire.Breadcrumb{osCall.HTTPCrumb(), cards.QueryCrumb()},
		Tags:   [][2]string{{"url", "http://search.internal:8000/v1/search"}},
		Issue:  &Issue{ShortID: "SEARCH-2W", Count: 341, FirstSeen: "2026-12-09T16:09:40Z"},
	})

	// api-gateway: the 504 becomes the gateway's 504.
	in.Error(&Error{
		Key: "error/gateway", Span: h, At: call.End + MS(1.1), Mechanism: "auto.middleware.express",
		Chain: []Exception{{Type: "UpstreamError", Value: "search responded 504 to GET /v1/search?q=" + q + "&size=24", Frames: []Frame{
			{Path: "src/routes/search.ts", At: "const results = await callUpstream<Results>(", Col: "callUpstream", Function: "getSearch"},
			NodeTicks(),
			{Path: "src/lib/upstream.ts", At: "throw new UpstreamError(", Col: "new UpstreamError", Function: "callUpstream"},
		}}},
		Crumbs: []wire.Breadcrumb{call.HTTPCrumb()},
		Tags:   [][2]string{{"http.route", "/api/search"}, {"upstream.service", "search"}},
		Contexts: map[string]any{"UpstreamError": map[string]any{"service": "search", "status": 504, "method": "GET",
			"path": "/v1/search?q=" + q + "&size=24", "body": `{"error":"deadline_exceeded"}`}},
		Issue: &Issue{ShortID: "API-GATEWAY-7D", Count: 356, Users: 298, FirstSeen: "2026-12-09T16:09:41Z"},
	})

	// storefront: the issue the user opens.
	in.Symptom = in.Error(&Error{
		Key: "error/storefront", Span: nav.Root, At: fetch.End + MS(1.3), Handled: true, Mechanism: "generic",
		Chain: []Exception{{Type: "Error", Value: "GET /api/search?q=" + q + " failed: 504 Gateway Timeout", Frames: []Frame{
			{Path: "src/pages/SearchPage.tsx", At: "setHits(await searchProducts(q));", Col: "searchProducts(", Function: "runSearch"},
			{Path: "src/api/search.ts", At: `const res = await apiFetch<{ hits: SearchHit[] }>("GET"`, Col: "apiFetch", Function: "searchProducts"},
			{Path: "src/api/client.ts", At: "throw new Error(`${method} ${path} failed", Col: "new Error", Function: "apiFetch"},
		}}},
		Crumbs: []wire.Breadcrumb{
			Crumb(in.At(-14.2), "user", "ui.input", "info", "header form.search > input[name=\"q\"]", nil),
			Crumb(in.At(-0.9), "navigation", "navigation", "info", "", map[string]any{"from": "/", "to": "/search?q=moka+pot"}),
			facets.HTTPCrumb(), fetch.HTTPCrumb(),
		},
		User:  in.BrowserUser(),
		Issue: &Issue{ShortID: "STOREFRONT-C1", Count: 330, Users: 289, FirstSeen: "2026-12-09T16:09:42Z"},
	})

	in.Expected = incident.Expected{
		Service: "search", Repo: "acme/search", File: "search/highlight.py", Function: "highlight_snippet",
		Explanation: "search 2.8.0 prefixed the highlight regex in highlight_snippet with ((?:\\w+[\\s,.;:/-]+)*?), which finditer retries " +
			"from every position of a description that does not contain the term: quadratic in its length. A hit matched through its synonyms " +
			"with a 17 kB description takes ~2.3 s of CPU (the profile of /v1/search is almost all highlight_snippet), search passes the 2.4 s " +
			"deadline and answers 504, api-gateway answers 504 and the storefront's search fails.",
	}
	return in
}
