package scenario

import (
	"time"

	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/tracehound/tracehound/demo/internal/history"
	"github.com/tracehound/tracehound/demo/internal/incident"
)

// schemaMismatch: orders 7.0.0 (multi-currency) changed the payment intent
// request built by NewIntentRequest from "amount_cents" (integer minor
// units) to "amount" (a decimal string). payments, whose documented API
// still requires amount_cents, rejects every intent with 422, orders answers
// 502 and no order can be placed. The producer's serializer is at fault: the
// consumer follows its documented contract.
func schemaMismatch() *Incident {
	in := New("schema-mismatch", 7, time.Date(2026, 12, 14, 10, 26, 5, 902000000, time.UTC))
	in.Description = "Made-up incident (demo data): since this morning's deploys no order can be placed; " +
		"\"Place order\" fails with 502 Bad Gateway."
	sf := in.Service(&Service{Slug: "storefront", Platform: Browser, Version: "4.14.0", Deployed: "2026-12-14T09:05:17.622091Z"})
	or := in.Service(&Service{Slug: "orders", Platform: Go, Version: "7.0.0", Deployed: "2026-12-14T09:12:40.551872Z",
		Host: "shop.acme.test", Server: "orders-5c8b7d6f4-xv9ql",
		DB: DB{System: "postgresql", Name: "orders", Host: "pg-orders.internal", Port: 5432},
		History: []history.Commit{
			{Message: "Release 6.9.1", Author: "Acme Shop CI <ci@acme.test>", Date: "2026-11-30T10:41:22Z", Tag: "v6.9.1",
				Files: map[string]string{"internal/payments/intent.go": "history/acme/orders/v6.9.1/internal/payments/intent.go"}},
			{Message: "payments: send amounts as decimal strings\n\n" +
				"Multi-currency: integer cents are wrong for JPY (no decimals) and KWD\n" +
				"(three). Send the amount as a decimal string with the currency's number\n" +
				"of decimals instead.\n\nPart of 7.0.0 (multi-currency checkout).\n",
				Author: "Kenji Watanabe <kenji.watanabe@acme.test>", Date: "2026-12-12T15:08:47Z"},
		}})
	pay := in.Service(&Service{Slug: "payments", Platform: Node, Version: "2.22.1", Deployed: "2026-11-20T14:33:05.187629Z",
		Host: "payments.internal:3000", Server: "payments-6d9c4b8f7-t5kmw"})

	pl := in.Pageload("pageload", sf, "/checkout/review", in.shop+"/checkout/payment", 0, 1702.4)
	df := pl.Root.HTTP("GET", "/api/orders/draft", 200, 681.5, 19.8)
	dt := df.Serve("orders/draft", or, "/api/orders/draft", 200, 1.7, 1.3)
	dt.Root.DB("SELECT l.sku, p.name, l.quantity, l.unit_price::text, c.currency FROM carts c JOIN cart_lines l ON l.cart_id = c.id "+
		"JOIN products p ON p.sku = l.sku WHERE c.customer_id = $1 AND c.status = 'open'", 0.8, 11.9)

	click := in.Click("click", sf, "/checkout/review", "ReviewPage", 9310.4, 1411.7)
	click.Root.Add("mark", "checkout:place-order", 1.0, 0, Origin("auto.ui.browser.metrics"))
	fetch := click.Root.HTTP("POST", "/api/orders", 502, 4.2, 67.9)
	click.Root.Add("ui.react.update", "<ReviewPage>", 73.4, 4.9, Origin("auto.ui.react.profiler"), With("changedProps", []string{"placing", "error"}))
	ot := fetch.Serve("orders/place", or, "/api/orders", 502, 1.9, 1.4)
	o := ot.Root
	o.DB("SELECT c.id, c.currency, sum(l.quantity * l.unit_price) FROM carts c JOIN cart_lines l ON l.cart_id = c.id "+
		"WHERE c.customer_id = $1 AND c.status = 'open' GROUP BY c.id", 0.7, 4.4)
	o.DB("INSERT INTO orders (id, customer_id, cart_id, currency, total, status) VALUES ($1, $2, $3, $4, $5, 'pending')", 5.4, 3.1)
	o.DB("INSERT INTO order_items (order_id, sku, quantity, unit_price) SELECT $1, sku, quantity, unit_price FROM cart_lines WHERE cart_id = $2", 8.7, 4.0)
	call := o.HTTP("POST", "http://payments.internal:3000/v1/payment-intents", 422, 13.0, 38.2)
	upd := o.DB("UPDATE orders SET status = 'payment_failed' WHERE id = $1", 51.6, 2.3)
	pt := call.Serve("payments/intent", pay, "/v1/payment-intents", 422, 1.2, 0.9)
	ph := pt.Express("/v1/payment-intents", "")

	const orderID = "ord_3f9a2c71e04b8d5a6c19"
	sent := map[string]any{"order_id": orderID, "amount": "149.90", "currency": "EUR", "payment_method_id": "pm_1QhX4r2eZvKYlo2C", "customer_id": "cus_58120"}
	pt.Request.Data = raw(sent)
	pt.Request.Headers = append(pt.Request.Headers, [2]string{"x-acme-caller", "orders"})

	// payments: the body has no amount_cents.
	detail := "amount_cents: expected a positive integer, got undefined"
	in.Error(&Error{
		Key: "error/payments", Span: ph, At: ph.Start + MS(0.9), Handled: true, Mechanism: "generic",
		Chain: []Exception{{Type: "ValidationError", Value: detail, Frames: []Frame{
			{Path: "src/routes/intents.ts", At: "body = parseIntentRequest(req.body);", Col: "parseIntentRequest", Function: "createIntent"},
			{Path: "src/lib/schema.ts", At: "throw new ValidationError(`amount_cents:", Col: "new ValidationError", Function: "parseIntentRequest"},
		}}},
		Crumbs: []wire.Breadcrumb{Crumb(ph.Start+MS(0.7), "default", "console", "warning", "invalid payment intent request from orders: "+detail, map[string]any{"logger": "console"})},
		Tags:   [][2]string{{"caller", "orders"}, {"http.route", "/v1/payment-intents"}},
		Issue:  &Issue{ShortID: "PAYMENTS-3V", Count: 1204, FirstSeen: "2026-12-14T09:13:58Z", FirstRelease: "payments@2.22.1"},
	})

	// orders: the 422 becomes the order's 502.
	in.Error(&Error{
		Key: "error/orders", Span: o, At: upd.End + MS(0.5), Handled: true, Mechanism: "generic",
		Chain: []Exception{{Type: "*payments.APIError", Module: "github.com/acme/orders/internal/payments",
			Value: "payments: create intent for " + orderID + ": 422 {\"error\":\"invalid_request\",\"detail\":\"" + detail + "\"}",
			Frames: append(append(GoServe()[:2],
				Sys("github.com/getsentry/sentry-go/http", "(*Handler).handle.func1", "github.com/getsentry/sentry-go/http/sentryhttp.go",
					"/go/pkg/mod/github.com/getsentry/sentry-go@v0.34.1/http/sentryhttp.go", 119, "\t\thandler.ServeHTTP(rw, r.WithContext(ctx))")),
				GoServe()[2], GoServe()[3],
				App("internal/orders/handler.go", "hub.CaptureException(err)", "(*Handler).PlaceOrder"),
			)}},
		Crumbs: []wire.Breadcrumb{Crumb(call.End, "http", "http", "error", "", map[string]any{"method": "POST", "url": "http://payments.internal:3000/v1/payment-intents", "status_code": 422})},
		Tags:   [][2]string{{"http.route", "POST /api/orders"}},
		Issue:  &Issue{ShortID: "ORDERS-4K", Count: 1217, FirstSeen: "2026-12-14T09:13:58Z"},
	})

	// storefront: the issue the user opens.
	in.Symptom = in.Error(&Error{
		Key: "error/storefront", Span: click.Root, At: fetch.End + MS(1.3), Handled: true, Mechanism: "generic",
		Chain: []Exception{{Type: "Error", Value: "POST /api/orders failed: 502 Bad Gateway", Frames: []Frame{
			{Path: "src/pages/ReviewPage.tsx", At: "const order = await placeOrder(paymentMethodId);", Col: "placeOrder(", Function: "handlePlaceOrder"},
			{Path: "src/api/orders.ts", At: `return apiFetch<PlacedOrder>("POST", "/api/orders"`, Col: "apiFetch", Function: "placeOrder"},
			{Path: "src/api/client.ts", At: "throw new Error(`${method} ${path} failed", Col: "new Error", Function: "apiFetch"},
		}}},
		Crumbs: []wire.Breadcrumb{
			Crumb(in.At(-2210.6), "navigation", "navigation", "info", "", map[string]any{"from": "/checkout/payment", "to": "/checkout/review"}),
			df.HTTPCrumb(),
			Crumb(click.Root.Start, "user", "ui.click", "info", "main.review > button#place-order.btn.btn-primary", nil),
			fetch.HTTPCrumb(),
		},
		User:  in.BrowserUser(),
		Issue: &Issue{ShortID: "STOREFRONT-E2", Count: 1166, Users: 1032, FirstSeen: "2026-12-14T09:13:59Z"},
	})

	in.Expected = incident.Expected{
		Service: "orders", Repo: "acme/orders", File: "internal/payments/intent.go", Function: "NewIntentRequest",
		Explanation: "The producer's serializer is at fault: orders 7.0.0 changed NewIntentRequest (IntentRequest) to send \"amount\" as a " +
			"decimal string instead of \"amount_cents\" as an integer, while payments' documented API still requires amount_cents; " +
			"payments' parseIntentRequest rejects every intent (ValidationError, 422), orders answers 502 payment_failed and no order can be placed. " +
			"Send amount_cents again (or version the API and change both sides together).",
	}
	return in
}
