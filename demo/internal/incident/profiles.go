package incident

import (
	"github.com/tracehound/tracehound/demo/internal/genkit"
	"github.com/tracehound/tracehound/sentryapi/wire"
)

// pframe names a profile frame: in-app by a needle in the source, system by
// a fixed file and line.
type pframe struct {
	function, module, path string // path: repository path (in-app) or file (system)
	needle                 string
	abs                    string
	line, col              int
	inApp                  bool
}

type profileBuilder struct {
	genkit.ProfileTable
	st *story
	p  *project
}

func newProfileBuilder(st *story, p *project) *profileBuilder {
	return &profileBuilder{st: st, p: p}
}

func (b *profileBuilder) frame(f pframe) int {
	line := f.line
	if f.needle != "" {
		line = b.st.src.Find(b.p.repo, f.path, f.needle)
		f.inApp = true
	}
	pf, _ := genkit.ProfileFrame(b.p.platform, f.function, f.module, f.path, f.abs, line, f.col, f.inApp)
	return b.Frame(pf)
}

// stack registers a root-first list of frames and returns its stack id
// (stored leaf-first, as Sentry does).
func (b *profileBuilder) stack(rootFirst ...pframe) int {
	ids := make([]int, len(rootFirst))
	for i, f := range rootFirst {
		ids[len(rootFirst)-1-i] = b.frame(f)
	}
	return b.Stack(ids)
}

func cat(parts ...[]pframe) []pframe {
	var out []pframe
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func py(fn, module, file string, line int) pframe {
	return pframe{function: fn, module: module, path: file, abs: "/usr/local/lib/python3.12/" + file, line: line}
}

func sitePy(fn, module, file string, line int) pframe {
	return pframe{function: fn, module: module, path: file, abs: "/usr/local/lib/python3.12/site-packages/" + file, line: line}
}

func app(fn, module, path, needle string) pframe {
	return pframe{function: fn, module: module, path: path, needle: needle}
}

// paymentsProfile is the sampled (v1) profile of payments' POST /v1/charges.
func (st *story) paymentsProfile() *wire.Profile {
	t := st.payments
	b := newProfileBuilder(st, t.proj)
	base := []pframe{
		py("_bootstrap", "threading", "threading.py", 1032),
		py("_bootstrap_inner", "threading", "threading.py", 1075),
		py("run", "threading", "threading.py", 1012),
		py("_worker", "concurrent.futures.thread", "concurrent/futures/thread.py", 92),
		py("run", "concurrent.futures.thread", "concurrent/futures/thread.py", 58),
		sitePy("handle", "gunicorn.workers.gthread", "gunicorn/workers/gthread.py", 282),
		sitePy("handle_request", "gunicorn.workers.gthread", "gunicorn/workers/gthread.py", 334),
		sitePy("sentry_patched_wsgi_app", "sentry_sdk.integrations.flask", "sentry_sdk/integrations/flask.py", 89),
		sitePy("__call__", "sentry_sdk.integrations.wsgi", "sentry_sdk/integrations/wsgi.py", 115),
		sitePy("__call__", "flask.app", "flask/app.py", 1536),
		sitePy("wsgi_app", "flask.app", "flask/app.py", 1511),
		sitePy("full_dispatch_request", "flask.app", "flask/app.py", 917),
		sitePy("dispatch_request", "flask.app", "flask/app.py", 902),
	}
	const charges = "payments/charges.py"
	cc := func(needle string) pframe { return app("create_charge", "payments.charges", charges, needle) }
	psycopg := []pframe{
		sitePy("execute", "psycopg.connection", "psycopg/connection.py", 266),
		sitePy("execute", "psycopg.cursor", "psycopg/cursor.py", 97),
		sitePy("wait", "psycopg.connection", "psycopg/connection.py", 452),
		sitePy("wait_c", "psycopg_binary._psycopg", "psycopg_binary/_psycopg/waiting.pyx", 199),
	}
	dbq := func(caller pframe, fn, needle, helper, helperNeedle string) []pframe {
		return cat(base, []pframe{caller, app(fn, "payments.db", "payments/db.py", needle), app(helper, "payments.db", "payments/db.py", helperNeedle)}, psycopg)
	}
	redisRecv := []pframe{
		sitePy("execute_command", "redis.client", "redis/client.py", 559),
		sitePy("_execute_command", "redis.client", "redis/client.py", 569),
		sitePy("parse_response", "redis.client", "redis/client.py", 584),
		sitePy("read_response", "redis.connection", "redis/connection.py", 592),
		py("recv_into", "socket", "socket.py", 720),
	}
	risk := func(fn, needle string) pframe { return app(fn, "payments.risk", "payments/risk.py", needle) }
	riskBase := cat(base, []pframe{cc("score = risk.score_transaction(order, items, history)"), risk("score_transaction", `"basket_novelty": 1.0 - _basket_similarity(items, history),`)})
	hotLoop := risk("_basket_similarity", `typical += _jaccard(past["skus"], other["skus"])`)
	introspect := cc(`claims = auth.introspect(payload["payment_token"], audience="payments")`)
	authPost := app("introspect", "payments.auth_client", "payments/auth_client.py", "resp = self.session.post(url, data=body, headers=headers, timeout=self.timeout)")
	httpWait := cat(base, []pframe{introspect, authPost,
		sitePy("post", "requests.sessions", "requests/sessions.py", 637),
		sitePy("request", "requests.sessions", "requests/sessions.py", 589),
		sitePy("send", "requests.sessions", "requests/sessions.py", 703),
		sitePy("send", "requests.adapters", "requests/adapters.py", 667),
		sitePy("urlopen", "urllib3.connectionpool", "urllib3/connectionpool.py", 787),
		sitePy("_make_request", "urllib3.connectionpool", "urllib3/connectionpool.py", 534),
		sitePy("getresponse", "urllib3.connection", "urllib3/connection.py", 516),
		py("getresponse", "http.client", "http/client.py", 1428),
		py("begin", "http.client", "http/client.py", 331),
		py("_read_status", "http.client", "http/client.py", 292),
		py("readinto", "socket", "socket.py", 720),
	})
	capture := cat(base[:11], []pframe{
		sitePy("handle_exception", "flask.app", "flask/app.py", 869),
		sitePy("send", "blinker.base", "blinker/base.py", 279),
		sitePy("_capture_exception", "sentry_sdk.integrations.flask", "sentry_sdk/integrations/flask.py", 249),
		sitePy("capture_event", "sentry_sdk.client", "sentry_sdk/client.py", 856),
		sitePy("_prepare_event", "sentry_sdk.client", "sentry_sdk/client.py", 468),
		sitePy("serialize", "sentry_sdk.serializer", "sentry_sdk/serializer.py", 380),
	})

	// What the request thread was doing, by time since the transaction start.
	type seg struct {
		until  float64
		stacks []int
	}
	segs := []seg{
		{2.5, []int{b.stack(cat(base, []pframe{cc("if not cache.claim_idempotency_key("), app("claim_idempotency_key", "payments.cache", "payments/cache.py", `return bool(_client.set(f"idempotency:{key}"`)}, redisRecv)...)}},
		{6.9, []int{b.stack(dbq(cc(`order = db.load_order(payload["order_id"])`), "load_order", "return _one(", "_one", "return conn.execute(sql, params).fetchone()")...)}},
		{11.2, []int{b.stack(dbq(cc(`items = db.load_order_items(order["id"])`), "load_order_items", "return _all(\"SELECT sku", "_all", "return conn.execute(sql, params).fetchall()")...)}},
		{39.5, []int{b.stack(dbq(cc(`history = db.recent_charges(order["customer_id"], days=90)`), "recent_charges", "=return _all(", "_all", "return conn.execute(sql, params).fetchall()")...)}},
		{41.2, []int{b.stack(cat(base, []pframe{cc("score = risk.score_transaction(order, items, history)"), risk("score_transaction", `model = cache.get_json("risk:model:v7") or WEIGHTS`), app("get_json", "payments.cache", "payments/cache.py", "raw = _client.get(key)")}, redisRecv)...)}},
		{48.0, []int{b.stack(cat(base, []pframe{cc("score = risk.score_transaction(order, items, history)"), risk("score_transaction", `"chargebacks": float(db.count_chargebacks(order["customer_id"])),`), app("count_chargebacks", "payments.db", "payments/db.py", `row = _one("SELECT count(*)`), app("_one", "payments.db", "payments/db.py", "return conn.execute(sql, params).fetchone()")}, psycopg)...)}},
		{401.8, []int{
			b.stack(cat(riskBase, []pframe{hotLoop, risk("_jaccard", "a, b = set(a), set(b)")})...),
			b.stack(cat(riskBase, []pframe{hotLoop, risk("_jaccard", "return len(a & b) / len(a | b)")})...),
			b.stack(cat(riskBase, []pframe{hotLoop})...),
			b.stack(cat(riskBase, []pframe{hotLoop, risk("_jaccard", "a, b = set(a), set(b)")})...),
		}},
		{403.4, []int{b.stack(cat(base, []pframe{introspect, app("introspect", "payments.auth_client", "payments/auth_client.py", "headers = sign(\"POST\", url, body, self.key_id, self.secret)"), app("sign", "payments.auth_client", "payments/auth_client.py", "signature = hmac.new(secret, string_to_sign.encode(), hashlib.sha256).hexdigest()")})...)}},
		{409.6, []int{b.stack(httpWait...)}},
		{423.0, []int{b.stack(capture...)}},
		{t.root.durMS(), []int{b.stack(cat(base[:11], []pframe{sitePy("handle_exception", "flask.app", "flask/app.py", 884), sitePy("finalize_request", "flask.app", "flask/app.py", 943), sitePy("process_response", "flask.app", "flask/app.py", 1283)})...)}},
	}
	mainThread := b.stack(
		sitePy("<module>", "gunicorn", "gunicorn/__main__.py", 7),
		sitePy("run", "gunicorn.app.base", "gunicorn/app/base.py", 231),
		sitePy("run", "gunicorn.workers.gthread", "gunicorn/workers/gthread.py", 214),
		sitePy("wait_for_and_dispatch_connection_event", "gunicorn.workers.gthread", "gunicorn/workers/gthread.py", 174),
		py("select", "selectors", "selectors.py", 468),
	)
	worker := b.stack(
		py("_bootstrap", "threading", "threading.py", 1032),
		py("_bootstrap_inner", "threading", "threading.py", 1075),
		py("run", "threading", "threading.py", 1012),
		sitePy("_target", "sentry_sdk.worker", "sentry_sdk/worker.py", 128),
		py("get", "queue", "queue.py", 171),
		py("wait", "threading", "threading.py", 355),
	)
	const (
		requestThread = "140234561738432"
		mainThreadID  = "140234602837824"
		workerThread  = "140234553345728"
	)
	var samples []wire.ProfileSample
	r := genkit.NewRNG("payments/profile")
	n := 0
	for at := 0.0; at <= t.root.durMS(); at += 10.0 {
		jitter := r.Between(0, 0.4)
		el := at + jitter
		var sid int
		for _, s := range segs {
			if el < s.until {
				sid = s.stacks[n%len(s.stacks)]
				break
			}
		}
		n++
		ns := wire.FlexInt(ms(el) * 1000)
		samples = append(samples,
			wire.ProfileSample{StackID: wire.FlexInt(sid), ThreadID: wire.NumID(requestThread), ElapsedSinceStartNS: ns},
			wire.ProfileSample{StackID: wire.FlexInt(mainThread), ThreadID: wire.NumID(mainThreadID), ElapsedSinceStartNS: ns + 31000},
			wire.ProfileSample{StackID: wire.FlexInt(worker), ThreadID: wire.NumID(workerThread), ElapsedSinceStartNS: ns + 52000},
		)
	}
	p := t.proj
	return &wire.Profile{
		EventID: t.profileID, ProfileID: t.profileID, Version: "1", Platform: "python", Environment: "production",
		Release: raw(map[string]any{"version": p.release}), Timestamp: wire.ISOTime(ts(t.root.start)), ProjectID: wire.FlexInt(p.id),
		Transaction: &wire.ProfileTransaction{
			ID: t.eventID, Name: t.name, TraceID: st.traceID, SegmentID: t.root.id, ActiveThreadID: wire.NumID(requestThread),
			DurationNS: wire.FlexInt((t.root.end - t.root.start) * 1000), RelativeStartNS: 0, RelativeEndNS: wire.FlexInt((t.root.end - t.root.start) * 1000),
		},
		Profile: wire.ProfileData{
			Frames: b.Frames, Stacks: b.Stacks, Samples: samples,
			ThreadMetadata: map[string]wire.ThreadMetadata{
				requestThread: {Name: "ThreadPoolExecutor-0_0"},
				mainThreadID:  {Name: "MainThread"},
				workerThread:  {Name: "sentry-sdk.BackgroundWorker"},
			},
		},
		Extra: toExtra(map[string]any{
			"organization_id": 1150472, "received": iso(t.root.end + ms(1204.5)), "retention_days": 90, "sampled": true,
			"device":               map[string]any{"architecture": "x86_64", "classification": "", "locale": "C.UTF-8", "manufacturer": "", "model": ""},
			"os":                   map[string]any{"name": "Linux", "version": "6.1.0-27-cloud-amd64", "build_number": ""},
			"runtime":              map[string]any{"name": "CPython", "version": "3.12.7"},
			"client_sdk":           map[string]any{"name": p.sdkName, "version": p.sdkVersion},
			"debug_meta":           map[string]any{"images": []any{}},
			"measurements":         map[string]any{},
			"transaction_metadata": map[string]any{"environment": "production", "http.method": "POST", "release": p.release, "transaction": t.name, "transaction.status": "internal_error", "transaction.op": "http.server"},
			"transaction_tags":     map[string]any{"http.status_code": "500", "server_name": t.serverName},
		}),
	}
}

// gatewayChunk is the continuous-profile chunk of the api-gateway process
// that handled POST /api/checkout.
func (st *story) gatewayChunk() *wire.ProfileChunk {
	t := st.gwCheckout
	p := t.proj
	b := newProfileBuilder(st, p)
	nm := func(fn, file string, line, col int) pframe {
		return pframe{function: fn, path: file, abs: file, line: line, col: col}
	}
	mod := func(fn, pkg, file string, line, col int) pframe {
		return pframe{function: fn, module: pkg, path: file, abs: "/app/node_modules/" + pkg + "/" + file, line: line, col: col}
	}
	gapp := func(fn, path, needle string) pframe {
		return pframe{function: fn, path: path, needle: needle, module: ""}
	}
	idle := b.stack(pframe{function: "(idle)"})
	program := b.stack(pframe{function: "(program)"})
	gc := b.stack(pframe{function: "(garbage collector)"})
	ticks := nm("processTicksAndRejections", "node:internal/process/task_queues", 105, 5)
	listener := []pframe{
		nm("emit", "node:events", 519, 28),
		nm("parserOnIncoming", "node:_http_server", 1153, 12),
		mod("handle", "express", "lib/application.js", 177, 10),
		mod("handle", "router", "index.js", 175, 3),
		mod("next", "router", "index.js", 291, 5),
	}
	mw := func(f ...pframe) int { return b.stack(cat(listener, f)...) }
	segs := []struct {
		until  float64
		stacks []int
	}{
		{0.9, []int{mw(mod("helmetMiddleware", "helmet", "index.cjs", 531, 4))}},
		{2.1, []int{mw(mod("jsonParser", "body-parser", "lib/types/json.js", 88, 5), pframe{function: "JSON.parse"})}},
		{4.4, []int{mw(gapp("sessionMiddleware", "src/middleware/session.ts", "const raw = sid ? await redis.get(`sess:${sid}`) : null;"), mod("sendCommand", "ioredis", "built/Redis.js", 394, 14))}},
		{5.0, []int{b.stack(ticks, gapp("postCheckout", "src/routes/checkout.ts", "await validateSession(session.id);"), gapp("validateSession", "src/routes/session.ts", "return callUpstream<Validation>("),
			gapp("callUpstream", "src/lib/upstream.ts", "Object.assign(headers, signRequest(method, url, payload, config.serviceKey));"),
			gapp("signRequest", "src/lib/serviceAuth.ts", ".update(canonicalRequest(method, pathname, timestamp, body))"), nm("update", "node:internal/crypto/hash", 117, 31))}},
		{12.3, []int{idle}},
		{13.6, []int{b.stack(ticks, gapp("postCheckout", "src/routes/checkout.ts", "const cart = await loadCart(session.cartId);"), gapp("loadCart", "src/lib/redis.ts", "const raw = await redis.get(`cart:${cartId}`);"))}},
		{66.0, []int{idle, idle, program}},
		{67.4, []int{b.stack(ticks, gapp("postCheckout", "src/routes/checkout.ts", "const charge = await chargeOrder("), gapp("chargeOrder", "src/routes/checkout.ts", `return await callUpstream<Charge>("payments"`), gapp("callUpstream", "src/lib/upstream.ts", "const res = await fetch(url, {"), mod("fetch", "undici", "lib/web/fetch/index.js", 129, 9))}},
		{534.0, []int{idle, idle, idle, idle, idle, idle, gc, idle, idle, program}},
		{535.5, []int{b.stack(ticks, gapp("callUpstream", "src/lib/upstream.ts", "throw new UpstreamError(service, res.status, method, path, await res.text());"), mod("text", "undici", "lib/web/fetch/body.js", 346, 12))}},
		{581.2, []int{idle}},
		{585.9, []int{b.stack(ticks, gapp("postCheckout", "src/routes/checkout.ts", "throw err;"), mod("captureException", "@sentry/core", "build/cjs/exports.js", 34, 18), mod("captureException", "@sentry/core", "build/cjs/scope.js", 439, 10))}},
		{t.root.durMS(), []int{b.stack(cat(listener[:3], []pframe{mod("handleError", "router", "lib/layer.js", 116, 9), gapp("<anonymous>", "src/server.ts", `res.status(status).json({ error: "internal_error"`), mod("json", "express", "lib/response.js", 253, 19), pframe{function: "JSON.stringify"}})...)}},
	}
	var samples []wire.ProfileSample
	r := genkit.NewRNG("gateway/chunk")
	n := 0
	for at := 0.0; at <= t.root.durMS(); at += 10.0 {
		el := at + r.Between(0, 0.6)
		sid := idle
		for _, s := range segs {
			if el < s.until {
				sid = s.stacks[n%len(s.stacks)]
				break
			}
		}
		n++
		samples = append(samples, wire.ProfileSample{StackID: wire.FlexInt(sid), ThreadID: wire.StrID("0"), Timestamp: ts(t.root.start + ms(el))})
	}
	return &wire.ProfileChunk{
		ChunkID: hexID(32, "chunk", "api-gateway/0"), ProfilerID: t.profilerID, ProjectID: wire.FlexInt(p.id),
		Environment: "production", Platform: "node", Release: raw(p.release), Version: "2", Received: ts(t.root.end + ms(8211.4)),
		Profile: wire.ProfileData{
			Frames: b.Frames, Stacks: b.Stacks, Samples: samples,
			ThreadMetadata: map[string]wire.ThreadMetadata{"0": {Name: "main"}},
		},
		Extra: toExtra(map[string]any{
			"organization_id": 1150472, "retention_days": 90,
			"client_sdk": map[string]any{"name": p.sdkName, "version": p.sdkVersion},
			"debug_meta": map[string]any{"images": []any{}},
		}),
	}
}
