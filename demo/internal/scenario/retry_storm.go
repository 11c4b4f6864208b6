package scenario

import (
	"fmt"
	"time"

	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/tracehound/tracehound/demo/internal/genkit"
	"github.com/tracehound/tracehound/demo/internal/history"
	"github.com/tracehound/tracehound/demo/internal/incident"
)

// retryStorm: checkout 5.3.0 routes internal calls through call_with_retry,
// which retries a 503 at once, up to 10 times, with no backoff or jitter and
// ignoring Retry-After. In the evening sale shipping sheds load (503
// overloaded, before tracing); every shed call comes straight back, so
// shipping sees many times the real traffic, stays saturated, and the
// requests it admits time out at the carrier. One rates call of the trace
// fails all its attempts; checkout answers 500 and the shipping step fails.
func retryStorm() *Incident {
	in := New("retry-storm", 6, time.Date(2026, 12, 11, 17, 58, 22, 641000000, time.UTC))
	in.Description = "Made-up incident (demo data): during the evening sale the checkout's shipping step fails " +
		"with 500 Internal Server Error for many customers, while the shipping service reports carrier timeouts."
	sf := in.Service(&Service{Slug: "storefront", Platform: Browser, Version: "4.13.1", Deployed: "2026-11-27T10:02:18.331904Z"})
	co := in.Service(&Service{Slug: "checkout", Platform: Python, Version: "5.3.0", Deployed: "2026-12-11T14:02:51.330145Z",
		Host: "shop.acme.test", Server: "checkout-7b6d9f8c4-9sk2d",
		DB: DB{System: "postgresql", Name: "checkout", Host: "pg-checkout.internal", Port: 5432},
		History: []history.Commit{
			{Message: "Release 5.2.3", Author: "Acme Shop CI <ci@acme.test>", Date: "2026-11-21T13:09:27Z", Tag: "v5.2.3",
				Files:  map[string]string{"checkout/shipping.py": "history/acme/checkout/v5.2.3/checkout/shipping.py", "README.md": "history/acme/checkout/v5.2.3/README.md"},
				Delete: []string{"checkout/http_retry.py"}},
			{Message: "http_retry: retry transient errors of internal calls\n\n" +
				"Shipping answers 503 now and then when it is busy; one failed rates call\n" +
				"fails the whole shipping step. Retry 502/503/504 and connection errors,\n" +
				"up to 10 attempts, before giving up.\n",
				Author: "Sofia Russo <sofia.russo@acme.test>", Date: "2026-12-10T11:44:18Z"},
		}})
	sh := in.Service(&Service{Slug: "shipping", Platform: Go, Version: "3.1.4", Deployed: "2026-12-01T08:51:30.114207Z",
		Host: "shipping.internal:8080", Server: "shipping-84f6d7c5b-j6wpl"})

	pl := in.Pageload("pageload", sf, "/checkout/shipping", in.shop+"/checkout", 0, 2904.1)

	// Plan the attempts first: the checkout transaction has to contain them.
	r := genkit.NewRNG("retry-storm/attempts")
	type attempt struct {
		ms     float64
		status int
	}
	shed := func() attempt { return attempt{r.Between(1.4, 2.5), 503} }
	parcels := []struct {
		id, warehouse string
		attempts      []attempt
	}{
		{"prc_8812", "ams-1", []attempt{shed(), shed(), {414.6, 200}}},
		{"prc_8813", "rtm-2", []attempt{shed(), shed(), shed(), shed(), shed(), shed(), {806.9, 503}, shed(), shed(), shed()}},
	}
	gaps := map[*attempt]float64{}
	total := 5.7 + 2.6
	for i := range parcels {
		for j := range parcels[i].attempts {
			a := &parcels[i].attempts[j]
			gaps[a] = r.Between(0.2, 0.35)
			total += a.ms + gaps[a]
		}
		total += 0.4
	}

	fetch := pl.Root.HTTP("GET", "/api/checkout/shipping-options", 500, 702.6, total+2.1+1.6)
	ct := fetch.Serve("checkout/shipping-options", co, "/api/checkout/shipping-options", 500, 2.1, 1.6)
	c := ct.Root
	q1 := c.DB("SELECT p.id, p.warehouse, p.weight_g, p.length_mm, p.width_mm, p.height_mm FROM parcels p JOIN carts c ON c.id = p.cart_id "+
		"WHERE c.customer_id = %s AND c.status = 'open' ORDER BY p.id", 0.9, 3.1)
	q2 := c.DB("SELECT country, postcode FROM addresses WHERE customer_id = %s AND is_default", 4.2, 1.3)
	crumbs := []wire.Breadcrumb{q1.QueryCrumb(), q2.QueryCrumb()}
	cur := 5.7
	var last *Span
	var failedCarrier *Span
	const rates = "http://shipping.internal:8080/v1/rates"
	for _, p := range parcels {
		for i, a := range p.attempts {
			call := c.HTTP("POST", rates, a.status, cur, a.ms)
			crumbs = append(crumbs, call.HTTPCrumb())
			last = call
			if a.ms > 100 { // admitted by the load shedder: traced by shipping
				st := call.Serve(fmt.Sprintf("shipping/%s/%d", p.id, i+1), sh, "/v1/rates", a.status, 0.9, 0.7)
				s := st.Root
				key := fmt.Sprintf("rates:%s:NL:3512JE:2410:400x300x200", p.warehouse)
				s.Cache("cache.get", key, false, 0.4, 0.6)
				if a.status == 200 {
					s.HTTP("POST", "https://api.parcelcarrier.test/v2/rates", 200, 1.3, s.DurMS()-1.3-2.2)
					s.Cache("cache.put", key, false, s.DurMS()-1.6, 0.7)
				} else {
					failedCarrier = s.HTTP("POST", "https://api.parcelcarrier.test/v2/rates", 0, 1.3, 800.4)
				}
			}
			cur += a.ms + gaps[&p.attempts[i]]
		}
		cur += 0.4
	}

	// shipping: the admitted request times out at the carrier.
	sErr := "Post \"https://api.parcelcarrier.test/v2/rates\": context deadline exceeded"
	in.Error(&Error{
		Key: "error/shipping", Span: failedCarrier.Txn().Root, At: failedCarrier.End + MS(0.6), Handled: true, Mechanism: "generic",
		Chain: []Exception{
			{Type: "*url.Error", Value: sErr, Module: "net/url"},
			{Type: "*fmt.wrapError", Value: "carrier parcelcarrier: " + sErr, Module: "fmt", Frames: append(append(GoServe()[:2],
				App("internal/shed/shed.go", "next.ServeHTTP(w, r)", "Limit.func1"),
				Sys("github.com/getsentry/sentry-go/http", "(*Handler).handle.func1", "github.com/getsentry/sentry-go/http/sentryhttp.go",
					"/go/pkg/mod/github.com/getsentry/sentry-go@v0.34.1/http/sentryhttp.go", 119, "\t\thandler.ServeHTTP(rw, r.WithContext(ctx))")),
				GoServe()[2],
				App("internal/rates/handler.go", "hub.CaptureException(err)", "(*Handler).Rates"),
			)},
		},
		Crumbs: []wire.Breadcrumb{Crumb(failedCarrier.End, "http", "http", "warning", "", map[string]any{"method": "POST", "url": "https://api.parcelcarrier.test/v2/rates", "reason": "context deadline exceeded"})},
		Tags:   [][2]string{{"http.route", "POST /v1/rates"}, {"carrier", "parcelcarrier"}},
		Issue:  &Issue{ShortID: "SHIPPING-5N", Count: 2210, FirstSeen: "2026-12-11T17:21:09Z", Substatus: "escalating", FirstRelease: "shipping@3.0.0"},
	})

	// checkout: every attempt of the second parcel failed.
	retryVars := map[string]any{
		"session": "<requests.sessions.Session object at 0x7f6e0c1d2a90>", "method": "'POST'", "url": "'" + rates + "'",
		"max_attempts": "10", "timeout": "2.0", "attempt": "10", "resp": "<Response [503]>",
		"kwargs": map[string]any{"json": map[string]any{"warehouse": "'rtm-2'", "weight_g": "2410", "dimensions_mm": "[400, 300, 200]", "destination": "{'country': 'NL', 'postcode': '3512 JE'}"}},
	}
	parcelVars := map[string]any{"id": "'prc_8813'", "warehouse": "'rtm-2'", "weight_g": "2410", "length_mm": "400", "width_mm": "300", "height_mm": "200"}
	in.Error(&Error{
		Key: "error/checkout", Span: c, At: last.End + MS(1.3), Mechanism: "flask",
		Chain: []Exception{
			{Type: "RetryError", Module: "checkout.http_retry", Value: "POST " + rates + ": 503 after 10 attempts", Frames: []Frame{
				withVars(App("checkout/shipping.py", "options = rates_for_parcel(parcel, address)", "shipping_options"), map[string]any{"parcel": parcelVars, "result": "[{'parcelId': 'prc_8812', 'warehouse': 'ams-1', 'options': [...]}]"}),
				withVars(App("checkout/shipping.py", `resp = call_with_retry(_session, "POST", f"{SHIPPING_URL}/v1/rates", json=body)`, "rates_for_parcel"), map[string]any{"parcel": parcelVars}),
				withVars(App("checkout/http_retry.py", "raise RetryError(method, url, max_attempts", "call_with_retry"), retryVars),
			}},
			{Type: "ShippingUnavailable", Module: "checkout.shipping", Value: "no rates for parcel prc_8813 (rtm-2): shipping answered 503", Frames: append(FlaskDispatch(),
				App("checkout/views.py", `return jsonify({"parcels": shipping_options(parcels, address)})`, "get_shipping_options"),
				withVars(App("checkout/shipping.py", "raise ShippingUnavailable(", "shipping_options"), map[string]any{"parcel": parcelVars, "exc": "RetryError('POST " + rates + ": 503 after 10 attempts')"}),
			)},
		},
		Crumbs: crumbs,
		Tags:   [][2]string{{"url", "https://shop.acme.test/api/checkout/shipping-options"}},
		Issue:  &Issue{ShortID: "CHECKOUT-8Z", Count: 1893, FirstSeen: "2026-12-11T17:21:10Z"},
	})

	// storefront: the issue the user opens.
	in.Symptom = in.Error(&Error{
		Key: "error/storefront", Span: pl.Root, At: fetch.End + MS(1.2), Handled: true, Mechanism: "generic",
		Chain: []Exception{{Type: "Error", Value: "GET /api/checkout/shipping-options failed: 500 Internal Server Error", Frames: []Frame{
			{Path: "src/pages/ShippingPage.tsx", At: "setParcels(await getShippingOptions());", Col: "getShippingOptions()", Function: "loadOptions"},
			{Path: "src/api/shipping.ts", At: `const res = await apiFetch<{ parcels: ParcelOptions[] }>("GET"`, Col: "apiFetch", Function: "getShippingOptions"},
			{Path: "src/api/client.ts", At: "throw new Error(`${method} ${path} failed", Col: "new Error", Function: "apiFetch"},
		}}},
		Crumbs: []wire.Breadcrumb{
			Crumb(in.At(-41.3), "user", "ui.click", "info", "main.checkout > button#to-shipping.btn.btn-primary", nil),
			Crumb(in.At(-12.8), "navigation", "navigation", "info", "", map[string]any{"from": "/checkout", "to": "/checkout/shipping"}),
			fetch.HTTPCrumb(),
		},
		User:  in.BrowserUser(),
		Issue: &Issue{ShortID: "STOREFRONT-D7", Count: 1711, Users: 1544, FirstSeen: "2026-12-11T17:21:11Z"},
	})

	in.Expected = incident.Expected{
		Service: "checkout", Repo: "acme/checkout", File: "checkout/http_retry.py", Function: "call_with_retry",
		Explanation: "Since checkout 5.3.0 call_with_retry retries every 503 immediately, up to 10 times, with no backoff, no jitter and " +
			"ignoring Retry-After; when shipping sheds load in the evening sale each shed call comes straight back, multiplying shipping's " +
			"traffic several times, so it stays saturated (the trace shows 13 POST /v1/rates attempts for two parcels, most shed in ~2 ms) " +
			"and the requests it admits time out at the carrier; the second parcel fails all 10 attempts, checkout raises ShippingUnavailable " +
			"(500) and the shipping step fails. Back off exponentially with jitter, honour Retry-After and cap retries (or use a retry budget).",
	}
	return in
}
