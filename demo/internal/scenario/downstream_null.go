package scenario

import (
	"time"

	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/tracehound/tracehound/demo/internal/history"
	"github.com/tracehound/tracehound/demo/internal/incident"
)

// downstreamNull: pricing 1.9.0 also returns promotions that ended in the
// last 7 days (for "was" prices), and unitPrice answers nil for a promotion
// that is not running instead of the list price, so since the weekend sale
// ended at 18:00 every quote with a sale item has "unit_price": null, which
// its README promises never happens. checkout's _line subscripts it
// (TypeError), checkout answers 500 and the customer cannot continue to
// payment. The root cause is the producer, pricing.
func downstreamNull() *Incident {
	in := New("downstream-null", 3, time.Date(2026, 12, 6, 19, 12, 48, 77000000, time.UTC))
	in.Description = "Made-up incident (demo data): since Saturday evening some customers cannot continue from delivery " +
		"to payment; checkout answers 500 Internal Server Error."
	sf := in.Service(&Service{Slug: "storefront", Platform: Browser, Version: "4.13.1", Deployed: "2026-11-27T10:02:18.331904Z"})
	co := in.Service(&Service{Slug: "checkout", Platform: Python, Version: "5.2.3", Deployed: "2026-11-21T13:09:27.402118Z",
		Host: "shop.acme.test", Server: "checkout-7b6d9f8c4-w7rxn",
		DB: DB{System: "postgresql", Name: "checkout", Host: "pg-checkout.internal", Port: 5432}})
	pr := in.Service(&Service{Slug: "pricing", Platform: Go, Version: "1.9.0", Deployed: "2026-12-03T10:48:36.902417Z",
		Host: "pricing.internal:8080", Server: "pricing-6f7c8d9b5-2hvmk",
		DB: DB{System: "postgresql", Name: "pricing", Host: "pg-pricing.internal", Port: 5432},
		History: []history.Commit{
			{Message: "Release 1.8.2", Author: "Acme Shop CI <ci@acme.test>", Date: "2026-11-19T11:20:05Z", Tag: "v1.8.2",
				Files: map[string]string{
					"internal/quote/quote.go": "history/acme/pricing/v1.8.2/internal/quote/quote.go",
					"internal/quote/store.go": "history/acme/pricing/v1.8.2/internal/quote/store.go",
				}},
			{Message: "quote: return promotions that ended in the last 7 days\n\n" +
				"The storefront wants to show \"was\" prices for a week after a sale. Return\n" +
				"the last promotion of each SKU even when it has ended, and price a line\n" +
				"from its promotion only while the promotion runs (unitPrice).\n",
				Author: "Elif Demir <elif.demir@acme.test>", Date: "2026-12-02T17:31:54Z"},
		}})

	// The delivery step loads: addresses only, no prices.
	pl := in.Pageload("pageload", sf, "/checkout", in.shop+"/cart", 0, 1876.2)
	af := pl.Root.HTTP("GET", "/api/checkout/addresses", 200, 688.4, 24.7)
	at := af.Serve("checkout/addresses", co, "/api/checkout/addresses", 200, 2.0, 1.4)
	at.Root.DB("SELECT id, name, line1, city, postcode, country FROM addresses WHERE customer_id = %s ORDER BY is_default DESC", 1.1, 3.9)

	// "Continue to payment".
	click := in.Click("click", sf, "/checkout", "CheckoutPage", 14211.6, 1210.3)
	click.Root.Add("mark", "checkout:continue", 1.1, 0, Origin("auto.ui.browser.metrics"))
	fetch := click.Root.HTTP("POST", "/api/checkout/quote", 500, 3.1, 71.4)
	click.Root.Add("ui.react.update", "<CheckoutPage>", 76.2, 5.8, Origin("auto.ui.react.profiler"), With("changedProps", []string{"busy", "error"}))
	qt := fetch.Serve("checkout/quote", co, "/api/checkout/quote", 500, 2.2, 1.6)
	q := qt.Root
	c1 := q.DB("SELECT c.id, c.currency FROM carts c WHERE c.customer_id = %s AND c.status = 'open'", 0.9, 2.7)
	c2 := q.DB("SELECT sku, quantity FROM cart_lines WHERE cart_id = %s ORDER BY added_at", 3.8, 2.9)
	call := q.HTTP("POST", "http://pricing.internal:8080/v1/quotes", 200, 7.2, 54.1)
	pt := call.Serve("pricing/quote", pr, "/v1/quotes", 200, 1.3, 1.1)
	pt.Root.DB("SELECT sku, amount::text, currency FROM list_prices WHERE sku = ANY($1) AND currency = $2", 0.6, 9.8)
	pt.Root.DB("SELECT DISTINCT ON (sku) id, sku, amount::text, currency, starts_at, ends_at FROM promotions "+
		"WHERE sku = ANY($1) AND currency = $2 AND starts_at <= now() AND ends_at > now() - interval '7 days' ORDER BY sku, ends_at DESC", 10.9, 34.2)

	// checkout: the null unit price of the sale item.
	saleLine := map[string]any{"sku": "'SKU-31877'", "quantity": "2", "unit_price": "None",
		"list_price": map[string]any{"amount": "'64.90'", "currency": "'EUR'"},
		"promotion":  map[string]any{"id": "'promo_weekend_1206'", "ends_at": "'2026-12-06T18:00:00Z'"}}
	in.Error(&Error{
		Key: "error/checkout", Span: q, At: call.End + MS(1.4), Mechanism: "flask",
		Chain: []Exception{{Type: "TypeError", Value: "'NoneType' object is not subscriptable", Frames: append(FlaskDispatch(),
			withVars(App("checkout/views.py", `quote = build_quote(lines, cart["currency"], body.get("shipping", "standard"))`, "create_quote"),
				map[string]any{"body": map[string]any{"addressId": "'adr_5c10e7'", "shipping": "'standard'"},
					"cart":  map[string]any{"id": "'c_31ab07'", "currency": "'EUR'"},
					"lines": "[{'sku': 'SKU-20417', 'quantity': 1}, {'sku': 'SKU-31877', 'quantity': 2}, {'sku': 'SKU-50932', 'quantity': 1}]"}),
			withVars(App("checkout/quotes.py", `lines = [_line(l) for l in priced["lines"]]`, "build_quote"),
				map[string]any{"currency": "'EUR'", "shipping": "'standard'",
					"items":  "[{'sku': 'SKU-20417', 'quantity': 1}, {'sku': 'SKU-31877', 'quantity': 2}, {'sku': 'SKU-50932', 'quantity': 1}]",
					"priced": map[string]any{"currency": "'EUR'", "lines": []any{"{'sku': 'SKU-20417', 'quantity': 1, 'unit_price': {'amount': '219.00', 'currency': 'EUR'}, ...}", saleLine, "{'sku': 'SKU-50932', ...}"}}}),
			withVars(App("checkout/quotes.py", `unit_cents = to_cents(line["unit_price"]["amount"])`, "_line"), map[string]any{"line": saleLine}),
		)}},
		Crumbs: []wire.Breadcrumb{c1.QueryCrumb(), c2.QueryCrumb(), call.HTTPCrumb()},
		Tags:   [][2]string{{"url", "https://shop.acme.test/api/checkout/quote"}},
		Issue:  &Issue{ShortID: "CHECKOUT-6T", Count: 212, FirstSeen: "2026-12-06T18:00:41Z", FirstRelease: "checkout@5.2.3"},
	})

	// storefront: the issue the user opens.
	in.Symptom = in.Error(&Error{
		Key: "error/storefront", Span: click.Root, At: fetch.End + MS(1.2), Handled: true, Mechanism: "generic",
		Chain: []Exception{{Type: "Error", Value: "POST /api/checkout/quote failed: 500 Internal Server Error", Frames: []Frame{
			{Path: "src/pages/CheckoutPage.tsx", At: "const quote = await getQuote(addressId, shipping);", Col: "getQuote(", Function: "handleContinue"},
			{Path: "src/api/checkout.ts", At: `return apiFetch<Quote>("POST", "/api/checkout/quote"`, Col: "apiFetch", Function: "getQuote"},
			{Path: "src/api/client.ts", At: "throw new Error(`${method} ${path} failed", Col: "new Error", Function: "apiFetch"},
		}}},
		Crumbs: []wire.Breadcrumb{
			Crumb(in.At(-3512.9), "navigation", "navigation", "info", "", map[string]any{"from": "/cart", "to": "/checkout"}),
			af.HTTPCrumb(),
			Crumb(click.Root.Start, "user", "ui.click", "info", "main.checkout > button#continue.btn.btn-primary", nil),
			fetch.HTTPCrumb(),
		},
		User:  in.BrowserUser(),
		Issue: &Issue{ShortID: "STOREFRONT-AC", Count: 187, Users: 163, FirstSeen: "2026-12-06T18:00:43Z"},
	})

	// Noise: the usual ResizeObserver warning.
	in.Error(&Error{
		Key: "error/resize-observer", Span: pl.Root, At: in.At(1402.6), Mechanism: "onerror",
		Chain: []Exception{{Type: "Error", Value: "ResizeObserver loop completed with undelivered notifications."}},
		User:  in.BrowserUser(),
		Issue: &Issue{ShortID: "STOREFRONT-1R", Count: 20411, Users: 6804, FirstSeen: "2026-06-02T17:21:45Z", Substatus: "ongoing", Priority: "low", FirstRelease: "storefront@4.3.0"},
	})

	in.Expected = incident.Expected{
		Service: "pricing", Repo: "acme/pricing", File: "internal/quote/quote.go", Function: "unitPrice",
		Explanation: "The producer is at fault: since pricing 1.9.0 Store.Promotions also returns promotions that ended in the last 7 days, " +
			"and unitPrice returns nil instead of the list price for a promotion that is not running, so after the weekend sale ended " +
			"(18:00) every quote with a sale item carries \"unit_price\": null although pricing's contract says it is always set; " +
			"checkout's _line (checkout/quotes.py) subscripts it and raises TypeError, checkout answers 500 and the storefront cannot continue to payment.",
	}
	return in
}
