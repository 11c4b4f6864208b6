package incident

import (
	"github.com/tracehound/tracehound/demo/internal/genkit"
)

// healthyAt is when the healthy checkout started: another customer's
// "Place order", four minutes before auth-service 2.14.0 was deployed
// (releaseDates), so its token introspection still verified.
const healthyAt = "2026-11-19T22:32:17.406Z"

// previousAuthRelease is the auth-service release the healthy checkout
// ran against, and when it was deployed.
const (
	previousAuthRelease     = "auth-service@2.13.0"
	previousAuthReleaseDate = "2026-10-02T14:20:09.611402Z"
)

// newHealthy builds the healthy trace of the failing transaction: the same
// checkout (storefront click → api-gateway → auth-service, inventory,
// payments → auth-service) that succeeded, for `tracehound compare`. It is
// a story of its own (its trace id, its transactions) sharing the
// projects, with auth-service on its previous release.
func newHealthy(st *story) *story {
	h := &story{src: st.src, traceID: hexID(32, "trace", "healthy"), byslug: map[string]*project{},
		cartSKUs: st.cartSKUs}
	for _, p := range st.projects {
		q := *p
		if q.slug == "auth-service" {
			q.release = previousAuthRelease
		}
		h.projects = append(h.projects, &q)
		h.byslug[q.slug] = &q
	}
	h.buildHealthyCheckout()
	return h
}

func (st *story) buildHealthyCheckout() {
	sf := st.byslug["storefront"]
	click := st.addTxn(newTxn("healthy/click", sf, "ui.action.click", "/checkout", "route", parseISO(healthyAt), 1178.4))
	st.click = click
	click.root.origin = "auto.ui.browser.interaction"
	click.root.data = map[string]any{"sentry.op": "ui.action.click", "sentry.source": "route", "sentry.idle_span_finish_reason": "idleTimeout", "ui.component_name": "CheckoutPage"}
	click.root.add("mark", "checkout:submit", 1.1, 0, withOrigin("auto.ui.browser.metrics"))
	st.clickFetch = httpClient(click.root, "POST", shopURL+"/api/checkout", 201, 4.5, 468.4, withOrigin("auto.http.browser"), withData("type", "fetch"))
	click.root.add("ui.react.update", "<CheckoutPage>", 474.9, 6.8, withOrigin("auto.ui.react.profiler"), withData("changedProps", []string{"placing", "order"}))
	click.root.add("ui.react.mount", "<OrderConfirmation>", 482.1, 24.9, withOrigin("auto.ui.react.profiler"))
	click.root.add("navigation", "/checkout/confirmation", 482.5, 31.2, withOrigin("auto.navigation.react.reactrouter_v6"))

	gw, h := st.gatewayTxn("healthy/gateway/checkout", "POST", "/api/checkout", st.clickFetch, 3.0, 2.3, "api-gateway-6d8f9c7b4-9tmzp")
	st.gwCheckout, st.handler = gw, h
	gw.root.data["http.response.status_code"] = 201

	v := httpClient(h, "POST", authURL+"/v1/sessions/validate", 200, 0.4, 6.3, withOrigin("auto.http.otel.node_fetch"))
	st.authValidate("healthy/auth/validate-checkout", v)
	h.add("db.redis", "GET cart:c_51e09b3d", 7.0, 1.0, withOrigin("auto.db.otel.redis"), withData("db.system", "redis", "db.statement", "get cart:?"))
	res := httpClient(h, "POST", inventoryURL+"/v1/reservations", 201, 8.3, 44.7, withOrigin("auto.http.otel.node_fetch"))
	charges := httpClient(h, "POST", paymentsURL+"/v1/charges", 201, 53.6, 398.6, withOrigin("auto.http.otel.node_fetch"))

	r := genkit.NewRNG("healthy/inventory/reserve")
	reserve := st.addTxn(res.serve("healthy/inventory/reserve", st.byslug["inventory"], "http.server", "/v1/reservations", "url", 1.0, 0.8))
	st.flaskTxn(reserve, "POST", "/v1/reservations", 201, "inventory-7f9b8c5d6-x7r2d")
	cur := 0.9
	db := func(sql, op string) {
		d := r.Between(1.4, 3.6)
		reserve.root.add("db", sql, cur, d, withOrigin("auto.db.psycopg"), withData("db.system", "postgresql", "db.name", "inventory", "db.operation", op,
			"server.address", "pg-inventory.internal", "server.port", 5432))
		cur += d + r.Between(0.1, 0.4)
	}
	for range st.cartSKUs {
		db("SELECT on_hand, reserved FROM stock_levels WHERE sku = %s FOR UPDATE", "SELECT")
		db("UPDATE stock_levels SET reserved = reserved + %s WHERE sku = %s", "UPDATE")
	}
	db("INSERT INTO reservations (items, status, expires_at) VALUES (%s, 'held', now() + interval '15 minutes') RETURNING id", "INSERT")

	pay := st.addTxn(charges.serve("healthy/payments/charges", st.byslug["payments"], "http.server", "/v1/charges", "url", 1.3, 1.0))
	st.payments = pay
	st.flaskTxn(pay, "POST", "/v1/charges", 201, "payments-84d6f9b7c-m8xvt")
	pdb, redis := paymentsDB, paymentsRedis
	redis(pay.root, "SET 'idempotency:ord_0c7a39e5d21f4b8e8a52:c_51e09b3d' '1' 'NX' 'EX' 86400", 0.8, 1.0)
	pdb(pay.root, "SELECT id, customer_id, total_cents, currency, status, created_at FROM orders WHERE id = %s", "SELECT", 2.4, 3.5)
	pdb(pay.root, "SELECT sku, quantity, unit_cents FROM order_items WHERE order_id = %s", "SELECT", 6.3, 3.6)
	pdb(pay.root, "SELECT c.id, c.amount, c.created_at, array_agg(i.sku) AS skus FROM charges c JOIN order_items i ON i.order_id = c.order_id WHERE c.customer_id = %s AND c.created_at > now() - make_interval(days => %s) GROUP BY c.id", "SELECT", 10.4, 24.9)
	risk := pay.root.add("function", "risk.score_transaction", 35.8, 341.7, withOrigin("manual"))
	redis(risk, "GET 'risk:model:v7'", 0.5, 1.0)
	pdb(risk, "SELECT count(*) AS n FROM chargebacks WHERE customer_id = %s", "SELECT", 2.0, 5.2)
	st.introspectCall = httpClient(pay.root, "POST", authURL+"/v1/tokens/introspect?audience=payments", 200, 378.2, 6.1, withOrigin("auto.http.stdlib.httplib"))
	pdb(pay.root, "INSERT INTO charges (order_id, customer_id, amount, currency, risk_score, status) VALUES (%s, %s, %s, %s, %s, 'captured') RETURNING id, amount", "INSERT", 385.0, 6.4)

	in := st.addTxn(st.introspectCall.serve("healthy/auth/introspect", st.byslug["auth-service"], "http.server", "POST /v1/tokens/introspect", "route", 1.1, 0.8))
	st.introspect = in
	st.authTxn(in, "/v1/tokens/introspect", 200, st.introspectCall, paymentsKey, "python-requests/2.32.3", `{"token": "pt_live_3Rm8nWc4"}`)
	st.verifySpan = in.root.add("function", "signing.Verify", 0.3, 0.7, withOrigin("manual"))
}
